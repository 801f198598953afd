/**
 * Identity document keys for tests that run outside test mode (a real payment provider configured),
 * where IDENTITY_DOCUMENT_KEYS and IDENTITY_LOOKUP_KEY are required. Fixed, public test values.
 */
export const TEST_IDENTITY_KEYS = Object.freeze({
  IDENTITY_DOCUMENT_KEYS: `t1:${Buffer.alloc(32, 1).toString('base64')}`,
  IDENTITY_LOOKUP_KEY: Buffer.alloc(32, 2).toString('base64'),
});
