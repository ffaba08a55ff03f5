/**
 * A key's mode, the one word for it: `test` keys (`vk_test_...`, sandbox) only ever reach the simulators and
 * see sandbox data; `live` keys reach the vendors. Stored rows say `sandbox` (true for test-mode work), the
 * API says `livemode`, as Stripe does.
 */
export const KEY_MODES = ['test', 'live'] as const;
export type KeyMode = (typeof KEY_MODES)[number];
