/**
 * Calendar days in a time zone, as UTC instants: "the last 7 days" of a line in Vladivostok are
 * Vladivostok's days. Pure; Intl does the zone arithmetic (DST included, where a zone has it).
 */

export interface LocalDay {
  /** "2025-11-26" in the zone. */
  readonly date: string;
  readonly start_ms: number;
  readonly end_ms: number;
}

const MS_PER_MINUTE = 60_000;
/** One guess and one correction find local midnight exactly, except across an offset change at midnight itself. */
const MIDNIGHT_REFINEMENTS = 2;

/** The `count` days ending with the one containing `at_ms`, oldest first. */
export function lastLocalDays(at_ms: number, time_zone: string, count: number): LocalDay[] {
  const today = localDate(at_ms, time_zone);
  const days: LocalDay[] = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const start_ms = localMidnightMs(today.year, today.month, today.day - back, time_zone);
    const end_ms = localMidnightMs(today.year, today.month, today.day - back + 1, time_zone);
    const civil = new Date(Date.UTC(today.year, today.month - 1, today.day - back));
    days.push({ date: civil.toISOString().slice(0, 10), start_ms, end_ms });
  }
  return days;
}

/** UTC offset of the zone at an instant, in ms (Moscow: +3 h). */
export function zoneOffsetMs(at_ms: number, time_zone: string): number {
  const parts = formatter(time_zone).formatToParts(new Date(at_ms));
  const value = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
  const as_utc_ms = Date.UTC(value('year'), value('month') - 1, value('day'), value('hour'), value('minute'), value('second'));
  const whole_second_ms = at_ms - (((at_ms % 1000) + 1000) % 1000);
  return Math.round((as_utc_ms - whole_second_ms) / MS_PER_MINUTE) * MS_PER_MINUTE;
}

function localDate(at_ms: number, time_zone: string): { year: number; month: number; day: number } {
  const local = new Date(at_ms + zoneOffsetMs(at_ms, time_zone));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** Day numbers out of range roll over (day 0 is the last of the previous month), as Date.UTC does. */
function localMidnightMs(year: number, month: number, day: number, time_zone: string): number {
  const civil_ms = Date.UTC(year, month - 1, day);
  let instant_ms = civil_ms;
  for (let step = 0; step < MIDNIGHT_REFINEMENTS; step += 1) instant_ms = civil_ms - zoneOffsetMs(instant_ms, time_zone);
  return instant_ms;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(time_zone: string): Intl.DateTimeFormat {
  let format = formatters.get(time_zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: time_zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(time_zone, format);
  }
  return format;
}
