/** Zones already known good; asking Intl costs ~150 µs, and there are only a few hundred zones. */
const knownZones = new Set<string>();
const KNOWN_ZONES_MAX = 1_000;

/** An IANA zone name Intl knows ("Europe/Moscow", "Asia/Vladivostok"). */
export function isTimeZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return false;
  }
  if (knownZones.size < KNOWN_ZONES_MAX) knownZones.add(zone);
  return true;
}

/** A moment as a clock on the wall of some zone shows it (month 1–12). */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** Formatters by zone: building one costs ~100 µs; zones are few (the seller's, the registers'). */
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

function wallClockFormat(time_zone: string): Intl.DateTimeFormat {
  let format = wallClockFormats.get(time_zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: time_zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    if (wallClockFormats.size < KNOWN_ZONES_MAX) wallClockFormats.set(time_zone, format);
  }
  return format;
}

/** What a clock in `time_zone` showed at `at_ms`. */
export function wallClockAt(at_ms: number, time_zone: string): WallClock {
  const parts = wallClockFormat(time_zone).formatToParts(new Date(at_ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((candidate) => candidate.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), second: part('second') };
}

/**
 * The instant a clock in `time_zone` shows `wall` (the earlier one when the clock is set back and
 * shows it twice; a time skipped by a clock set forward reads as an hour later). Moscow, where the
 * cloud registers' clocks run, has kept UTC+3 all year since 2014.
 */
export function instantOfWallClock(wall: WallClock, time_zone: string): number {
  const as_utc_ms = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // The zone's offset from UTC at an instant (`at_ms` is a whole second here, as the wall clock is).
  const offsetAt = (at_ms: number) => {
    const shown = wallClockAt(at_ms, time_zone);
    return Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute, shown.second) - at_ms;
  };
  const first_guess_ms = as_utc_ms - offsetAt(as_utc_ms);
  const offset_ms = offsetAt(first_guess_ms);
  return as_utc_ms - offset_ms;
}
