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

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** How far `zone`'s wall clock is ahead of UTC at `at_ms` (Moscow: +3 h), to the second. */
export function zoneOffsetMs(zone: string, at_ms: number): number {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    if (offsetFormats.size < KNOWN_ZONES_MAX) offsetFormats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at_ms).map((part) => [part.type, Number(part.value)]));
  const wall_ms = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return wall_ms - (at_ms - (((at_ms % 1000) + 1000) % 1000));
}

/**
 * The instant a calendar day ("2026-01-01") begins in `zone`. Two passes: the offset at the naive
 * UTC midnight, then at the candidate itself, so a day that starts next to a DST change is right.
 */
export function localDayStartMs(date: string, zone: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`${date} is not a YYYY-MM-DD date`);
  const naive_ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const first = naive_ms - zoneOffsetMs(zone, naive_ms);
  return naive_ms - zoneOffsetMs(zone, first);
}

/** Whether "YYYY-MM-DD" names a real calendar day. */
export function isCalendarDate(date: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return false;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return day.toISOString().slice(0, 10) === date;
}
