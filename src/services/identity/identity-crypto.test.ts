import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { documentKeysProblems, IdentityCipher, parseDocumentKeys, testModeIdentityKeys, type IdentityKeys } from './identity-crypto.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const lookup_key = randomBytes(32);
const keys = (ids: Array<[string, Buffer]>): IdentityKeys => ({ document_keys: ids.map(([id, key]) => ({ id, key })), lookup_key });

describe('identity document crypto (AES-256-GCM, HMAC look-up)', () => {
  it('seals and opens a number; the sealed text does not contain it', () => {
    const cipher = new IdentityCipher(keys([['k1', k1]]));
    const sealed = cipher.seal('E12345678', 'number:id1');
    assert.equal(sealed.key_id, 'k1');
    assert.ok(!sealed.sealed.includes('E12345678'));
    assert.equal(cipher.open(sealed, 'number:id1'), 'E12345678');
    assert.notEqual(cipher.seal('E12345678', 'number:id1').sealed, sealed.sealed, 'a fresh IV each time');
  });

  it('refuses a key id that is not configured', () => {
    const sealed = new IdentityCipher(keys([['k1', k1]])).seal('E12345678', 'number:id1');
    assert.throws(() => new IdentityCipher(keys([['k2', k2]])).open(sealed, 'number:id1'), /"k1" is not in IDENTITY_DOCUMENT_KEYS/);
  });

  it('refuses an altered value, a wrong key under the same id, and a value moved to another record', () => {
    const cipher = new IdentityCipher(keys([['k1', k1]]));
    const sealed = cipher.seal('E12345678', 'number:id1');
    const bytes = Buffer.from(sealed.sealed, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    assert.throws(() => cipher.open({ ...sealed, sealed: bytes.toString('base64url') }, 'number:id1'), /does not open/);
    assert.throws(() => new IdentityCipher(keys([['k1', k2]])).open(sealed, 'number:id1'), /does not open/);
    assert.throws(() => cipher.open(sealed, 'number:id2'), /does not open/);
    assert.throws(() => cipher.open({ key_id: 'k1', sealed: 'abc' }, 'number:id1'), /truncated/);
  });

  it('rotates: the first key seals, older keys still open what they sealed', () => {
    const before = new IdentityCipher(keys([['k1', k1]]));
    const old = before.seal('E12345678', 'number:id1');
    const after = new IdentityCipher(keys([['k2', k2], ['k1', k1]]));
    assert.equal(after.open(old, 'number:id1'), 'E12345678');
    assert.equal(after.needsResealing(old), true);
    const fresh = after.seal('E12345678', 'number:id1');
    assert.equal(fresh.key_id, 'k2');
    assert.equal(after.needsResealing(fresh), false);
  });

  it('hashes look-up text with the look-up key only: same text same hash, another key another hash', () => {
    const a = new IdentityCipher(keys([['k1', k1]]));
    const b = new IdentityCipher(keys([['k2', k2]]));
    assert.equal(a.lookupHash('passport|CN|E12345678'), b.lookupHash('passport|CN|E12345678'));
    assert.match(a.lookupHash('passport|CN|E12345678'), /^[0-9a-f]{64}$/);
    const other = new IdentityCipher({ ...keys([['k1', k1]]), lookup_key: randomBytes(32) });
    assert.notEqual(other.lookupHash('passport|CN|E12345678'), a.lookupHash('passport|CN|E12345678'));
  });

  it('reads IDENTITY_DOCUMENT_KEYS and names what is wrong with it', () => {
    const text = `k2:${k2.toString('base64')},k1:${k1.toString('base64url')}`;
    assert.deepEqual(documentKeysProblems(text), []);
    assert.deepEqual(parseDocumentKeys(text).map((key) => key.id), ['k2', 'k1']);
    assert.match(documentKeysProblems(`k1:${randomBytes(16).toString('base64')}`).join(), /32 bytes/);
    assert.match(documentKeysProblems(`k1:${k1.toString('base64')},k1:${k2.toString('base64')}`).join(), /listed twice/);
    assert.match(documentKeysProblems('no key:abc').join(), /<id>:<base64/);
    assert.match(documentKeysProblems('k1').join(), /32 bytes/);
  });

  it('derives stable test-mode keys from the installation secret', () => {
    const a = testModeIdentityKeys('secret-one');
    assert.deepEqual(testModeIdentityKeys('secret-one'), a);
    assert.notDeepEqual(testModeIdentityKeys('secret-two').lookup_key, a.lookup_key);
    assert.notDeepEqual(a.document_keys[0]?.key, a.lookup_key);
  });
});
