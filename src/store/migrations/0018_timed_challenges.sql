-- Timed flash challenges (version 2, issue #14): twelve hues, each colour shown for a random window that
-- the client must honour and take its frame inside. `schedule` holds the windows (ms after the first
-- colour appeared); version 1 challenges have none.
ALTER TABLE flash_challenges
  ADD COLUMN version smallint NOT NULL DEFAULT 1 CHECK (version IN (1, 2)),
  ADD COLUMN schedule jsonb,
  ADD CONSTRAINT flash_challenges_schedule_of_timed CHECK ((version = 2) = (schedule IS NOT NULL));
