/**
 * A token bucket with reservations: `reserve()` takes a token now when one is there, otherwise
 * books the next one and says how long to wait for it, so concurrent callers queue in order
 * instead of all waking at once. `consume()` takes a token whatever the balance (the balance may go
 * negative): for traffic that must not wait but still counts against the same limit. Pure: time
 * comes in as an argument.
 */
export class TokenBucket {
  readonly #per_second: number;
  readonly #burst_max: number;
  #tokens: number;
  #updated_ms: number;

  constructor(per_second: number, burst_max: number, now_ms: number) {
    if (!(per_second > 0) || !(burst_max >= 1)) throw new RangeError('a token bucket needs a positive rate and a burst of at least 1');
    this.#per_second = per_second;
    this.#burst_max = burst_max;
    this.#tokens = burst_max;
    this.#updated_ms = now_ms;
  }

  /** Milliseconds to wait before the booked token is due (0: go now), or null when that is beyond `wait_ms_max` (nothing booked). */
  reserve(now_ms: number, wait_ms_max: number): number | null {
    this.#refill(now_ms);
    const wait_ms = this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#per_second) * 1000);
    if (wait_ms > wait_ms_max) return null;
    this.#tokens -= 1;
    return wait_ms;
  }

  /** Takes a token unconditionally. */
  consume(now_ms: number): void {
    this.#refill(now_ms);
    this.#tokens -= 1;
  }

  #refill(now_ms: number): void {
    const elapsed_ms = Math.max(now_ms - this.#updated_ms, 0);
    this.#tokens = Math.min(this.#burst_max, this.#tokens + (elapsed_ms / 1000) * this.#per_second);
    this.#updated_ms = now_ms;
  }
}
