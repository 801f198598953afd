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
const MS_PER_HOUR = 3_600_000;
/**
 * How far from a civil midnight the zone's offsets are read, either side: farther than any zone's
 * offset from UTC (−12 h to +14 h), so the two readings are the offsets before and after any change
 * near that midnight. Real zones never change their offset twice within it.
 */
const OFFSET_PROBE_MS = 48 * MS_PER_HOUR;
/** Bisection steps to find an offset change to the millisecond: 2^23 ms is over two hours, more than any change. */
const TRANSITION_SEARCH_STEPS_MAX = 32;

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

/**
 * The calendar day `date` ("2025-11-26") in the zone, as the UTC instants it runs between; undefined
 * when `date` is not a calendar date. Consecutive days share their boundary, so every instant falls
 * in exactly one day: what a daily registry needs to count each payment once.
 */
export function localDay(date: string, time_zone: string): LocalDay | undefined {
  const civil = parseCalendarDate(date);
  if (!civil) return undefined;
  return {
    date,
    start_ms: localMidnightMs(civil.year, civil.month, civil.day, time_zone),
    end_ms: localMidnightMs(civil.year, civil.month, civil.day + 1, time_zone),
  };
}

/** The calendar date ("2025-11-26") an instant falls on in the zone. */
export function localDateText(at_ms: number, time_zone: string): string {
  const { year, month, day } = localDate(at_ms, time_zone);
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD" that names a real day (no 2025-02-30), from year 1970 on. */
export function parseCalendarDate(text: string): { year: number; month: number; day: number } | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1970 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return { year, month, day };
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

/**
 * The first instant of a local day. Day numbers out of range roll over (day 0 is the last of the
 * previous month), as Date.UTC does.
 *
 * Local midnight is civil midnight minus the offset in force then; near an offset change that is
 * one of two instants, midnight under the offset before or under the one after, and it is real only
 * where that offset is in force. Both real (the clock fell back over midnight and showed 00:00
 * twice): the day starts at the first. Neither (the clock jumped over midnight, as Santiago's and
 * Havana's do in spring): the day starts at the jump, found by bisection.
 */
function localMidnightMs(year: number, month: number, day: number, time_zone: string): number {
  const civil_ms = Date.UTC(year, month - 1, day);
  const offset_before_ms = zoneOffsetMs(civil_ms - OFFSET_PROBE_MS, time_zone);
  const offset_after_ms = zoneOffsetMs(civil_ms + OFFSET_PROBE_MS, time_zone);
  const real = [civil_ms - offset_before_ms, civil_ms - offset_after_ms]
    .filter((instant_ms) => zoneOffsetMs(instant_ms, time_zone) === civil_ms - instant_ms);
  if (real.length > 0) return Math.min(...real);
  // Skipped: before the jump the local time is still the day before, after it already this day.
  let before_ms = Math.min(civil_ms - offset_before_ms, civil_ms - offset_after_ms);
  let after_ms = Math.max(civil_ms - offset_before_ms, civil_ms - offset_after_ms);
  for (let step = 0; step < TRANSITION_SEARCH_STEPS_MAX && after_ms - before_ms > 1; step += 1) {
    const middle_ms = Math.floor((before_ms + after_ms) / 2);
    if (middle_ms + zoneOffsetMs(middle_ms, time_zone) >= civil_ms) after_ms = middle_ms;
    else before_ms = middle_ms;
  }
  return after_ms;
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
