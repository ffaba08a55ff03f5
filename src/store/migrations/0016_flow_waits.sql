-- An asynchronous verification whose vendor flow waits on the person (Lapis' email OTP and phone call) is
-- `pending` with its input still sealed, and asked about again at `resume_at` by a delayed job; the sweep
-- hands over a job that was lost (Redis restarted) once `resume_at` is well past.
ALTER TABLE verifications ADD COLUMN resume_at timestamptz;
CREATE INDEX verifications_waiting ON verifications (resume_at) WHERE resume_at IS NOT NULL;
