import type { IdentityConfig } from '../../config.js';
import type { Database } from '../../db/database.js';
import { installationSecret } from '../../db/installation-secrets.js';
import type { Clock } from '../../ports/clock.js';
import { IdentityCipher, testModeIdentityKeys } from './identity-crypto.js';

/** The installation secret test-mode identity keys are derived from (installation_secrets.name). */
export const TEST_MODE_IDENTITY_SECRET = 'identity-test-mode-keys';

/**
 * The IdentityCipher of this installation: from the configured keys, or — in test mode, where the
 * configuration may leave them out — derived from the installation's secret, read once.
 */
export class IdentityKeyring {
  readonly #config: Pick<IdentityConfig, 'keys'>;
  readonly #database: Database;
  readonly #clock: Clock;
  #cipher: Promise<IdentityCipher> | undefined;

  constructor(options: { config: Pick<IdentityConfig, 'keys'>; database: Database; clock: Clock }) {
    this.#config = options.config;
    this.#database = options.database;
    this.#clock = options.clock;
  }

  cipher(): Promise<IdentityCipher> {
    this.#cipher ??= this.#open().catch((error: unknown) => {
      this.#cipher = undefined;
      throw error;
    });
    return this.#cipher;
  }

  async #open(): Promise<IdentityCipher> {
    const configured = this.#config.keys;
    if (configured !== undefined) return new IdentityCipher(configured);
    const secret = await installationSecret(this.#database, TEST_MODE_IDENTITY_SECRET, this.#clock.now_ms());
    return new IdentityCipher(testModeIdentityKeys(secret));
  }
}
