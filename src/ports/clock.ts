/** Time comes from a port, so tests can move it (expiry, reminders, stuck payments). */
export interface Clock {
  now_ms(): number;
}

export const systemClock: Clock = { now_ms: () => Date.now() };

/** A clock that stands still until told to move. */
export class ManualClock implements Clock {
  #now_ms: number;
  constructor(start_ms: number) {
    this.#now_ms = start_ms;
  }
  now_ms(): number {
    return this.#now_ms;
  }
  advance(duration_ms: number): void {
    this.#now_ms += duration_ms;
  }
  set(at_ms: number): void {
    this.#now_ms = at_ms;
  }
}
