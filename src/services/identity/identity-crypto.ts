import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Identity documents at rest (303-FZ desk, 152-FZ): the number and the personal fields are sealed
 * with AES-256-GCM under a key from the configuration, and the key's id is stored beside each sealed
 * value, so keys rotate: IDENTITY_DOCUMENT_KEYS lists `id:<base64 of 32 bytes>` pairs, the first
 * seals, every one opens (old rows stay readable until re-sealed). The per-person limit finds a
 * document again by a keyed hash (HMAC-SHA-256 under IDENTITY_LOOKUP_KEY, a separate key) of its
 * normal form: equal documents hash equal, and without the key the hash says nothing — a passport
 * number has too few possibilities for a plain hash to hide it.
 *
 * Each sealed value is bound to what it is (the additional data names the field and the record),
 * so a ciphertext copied into another row or column does not open.
 */

export const IDENTITY_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export interface DocumentKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface IdentityKeys {
  /** The first seals; all open. At least one. */
  readonly document_keys: readonly DocumentKey[];
  readonly lookup_key: Buffer;
}

export interface SealedValue {
  readonly key_id: string;
  /** base64url of IV ‖ tag ‖ ciphertext. */
  readonly sealed: string;
}

/** Problems with IDENTITY_DOCUMENT_KEYS' text, for the configuration's error; empty when it is good. */
export function documentKeysProblems(text: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [index, pair] of text.split(',').entries()) {
    const [id = '', encoded = '', ...rest] = pair.trim().split(':');
    const where = `key ${index + 1}`;
    if (rest.length > 0 || !KEY_ID.test(id)) problems.push(`${where}: must be <id>:<base64 of 32 bytes>, the id 1–32 letters, digits, _ or -`);
    else if (seen.has(id)) problems.push(`${where}: the id "${id}" is listed twice`);
    else if (decodedKey(encoded) === null) problems.push(`${where} ("${id}"): must be 32 bytes in base64 (openssl rand -base64 32)`);
    seen.add(id);
  }
  return problems;
}

/** IDENTITY_DOCUMENT_KEYS' text, already checked by documentKeysProblems. */
export function parseDocumentKeys(text: string): DocumentKey[] {
  return text.split(',').map((pair) => {
    const [id = '', encoded = ''] = pair.trim().split(':');
    const key = decodedKey(encoded);
    if (key === null || !KEY_ID.test(id)) throw new Error('IDENTITY_DOCUMENT_KEYS was not checked before use');
    return { id, key };
  });
}

/** A 32-byte key from base64 (standard or url-safe), or null. */
export function decodedKey(encoded: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  return key.length === IDENTITY_KEY_BYTES ? key : null;
}

/**
 * Test mode only: keys derived from the installation's own secret (db/installation-secrets.ts), so
 * `npm start` works with nothing configured. Such keys live in the database they protect — fine for
 * sandbox data, never for real documents, which is why the configuration demands real keys outside
 * test mode.
 */
export function testModeIdentityKeys(installation_secret: string): IdentityKeys {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', installation_secret, 'roamcard identity', purpose, IDENTITY_KEY_BYTES));
  return { document_keys: [{ id: 'test1', key: derive('document key test1') }], lookup_key: derive('lookup key') };
}

export class IdentityCipher {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #sealing: DocumentKey;
  readonly #lookup_key: Buffer;

  constructor(keys: IdentityKeys) {
    const sealing = keys.document_keys[0];
    if (sealing === undefined) throw new Error('IdentityCipher needs at least one document key');
    this.#sealing = sealing;
    this.#keys = new Map(keys.document_keys.map((key) => [key.id, key.key]));
    this.#lookup_key = keys.lookup_key;
  }

  /** `purpose` names the field and record the value belongs to (e.g. `number:<identity id>`). */
  seal(plaintext: string, purpose: string): SealedValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#sealing.key, iv);
    cipher.setAAD(additionalData(this.#sealing.id, purpose));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { key_id: this.#sealing.id, sealed: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url') };
  }

  /** Throws when the key id is not configured, or the value was altered or belongs elsewhere. */
  open(value: SealedValue, purpose: string): string {
    const key = this.#keys.get(value.key_id);
    if (key === undefined) throw new Error(`identity document key "${value.key_id}" is not in IDENTITY_DOCUMENT_KEYS`);
    const bytes = Buffer.from(value.sealed, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed identity value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(additionalData(value.key_id, purpose));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('sealed identity value does not open: altered, or sealed for another record');
    }
  }

  /** True when the value was sealed with a key other than the current one (to re-seal on rotation). */
  needsResealing(value: SealedValue): boolean {
    return value.key_id !== this.#sealing.id;
  }

  /** Hex HMAC-SHA-256 of a document's look-up text (core/identity-document.ts documentLookupText). */
  lookupHash(text: string): string {
    return createHmac('sha256', this.#lookup_key).update(text, 'utf8').digest('hex');
  }
}

function additionalData(key_id: string, purpose: string): Buffer {
  return Buffer.from(`roamcard identity v1|${key_id}|${purpose}`, 'utf8');
}
