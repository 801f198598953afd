import type { Database } from '../../db/database.js';
import type { Clock } from '../../ports/clock.js';
import { sweepExpiringPacks } from './expiry-alerts.js';
import type { Notices } from './notices.js';

/**
 * SMS notices, as the server's background work sees them. Every other notice is queued by the
 * service whose change it reports, in that change's transaction (see README.md in this folder).
 */
export class NoticeService {
  readonly #database: Database;
  readonly #clock: Clock;
  readonly #notices: Notices;

  constructor(options: { readonly database: Database; readonly clock: Clock; readonly notices: Notices }) {
    this.#database = options.database;
    this.#clock = options.clock;
    this.#notices = options.notices;
  }

  /** One bounded pass of the expiry alert (packs ending within 24 hours); returns how many packs it announced. */
  sweepExpiringPacks(): Promise<number> {
    return sweepExpiringPacks(this.#database, this.#notices, this.#clock.now_ms());
  }
}
