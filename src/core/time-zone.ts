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
