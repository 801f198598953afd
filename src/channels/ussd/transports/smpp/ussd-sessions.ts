/**
 * Server-side state of USSD sessions over SMPP. Unlike the HTTP convention, where every request
 * carries all inputs so far, a gateway speaking SMPP sends the dialled code once and then one input
 * per deliver_sm: we keep the code and the inputs, per session, for as long as a session can live.
 * Bounded both ways: entries expire after session_ttl_ms, and beyond sessions_max the least recently
 * used one is dropped (its next input is answered as a session we do not know).
 */

export interface UssdSessionLimits {
  /** Concurrent sessions kept; a few hundred bytes each. */
  readonly sessions_max: number;
  /** A USSD session lives about 180 s at the gateway (ussd.md): no later input can come. */
  readonly session_ttl_ms: number;
}

export const USSD_SESSION_LIMITS_DEFAULT: UssdSessionLimits = Object.freeze({ sessions_max: 10_000, session_ttl_ms: 180_000 });

export interface UssdSessionState {
  readonly msisdn: string;
  readonly service_code: string;
  readonly inputs: readonly string[];
  /**
   * The session's id for the engine, made when the session starts: its_session_info's number wraps
   * at 256, so caller and number alone would name a later session the same, and the engine keys
   * purchases by this id (a new session must be able to buy what an old one bought).
   */
  readonly session_id: string;
}

interface Entry {
  readonly state: UssdSessionState;
  readonly expires_at_ms: number;
}

export class UssdSessions {
  readonly #limits: UssdSessionLimits;
  readonly #now_ms: () => number;
  /** Insertion order is recency: an entry is re-inserted whenever it is written. */
  readonly #entries = new Map<string, Entry>();

  constructor(limits: UssdSessionLimits = USSD_SESSION_LIMITS_DEFAULT, now_ms: () => number = Date.now) {
    this.#limits = limits;
    this.#now_ms = now_ms;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): UssdSessionState | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires_at_ms <= this.#now_ms()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.state;
  }

  set(key: string, state: UssdSessionState): void {
    const now_ms = this.#now_ms();
    this.#entries.delete(key);
    this.#dropExpired(now_ms);
    while (this.#entries.size >= this.#limits.sessions_max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { state, expires_at_ms: now_ms + this.#limits.session_ttl_ms });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** The oldest entries come first: stop at the first one still alive. */
  #dropExpired(now_ms: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expires_at_ms > now_ms) break;
      this.#entries.delete(key);
    }
  }
}
