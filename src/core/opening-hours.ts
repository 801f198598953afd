import type { Language } from './i18n/languages.js';

/**
 * A store's opening hours, written in the subset of OpenStreetMap's `opening_hours` syntax that
 * stores use (https://wiki.openstreetmap.org/wiki/Key:opening_hours):
 *
 *   24/7                                  always open
 *   08:00-23:00                           every day
 *   Mo-Fr 10:00-21:00; Sa-Su 11:00-19:00  rules separated by ";", each for some days
 *   Mo,We 10:00-14:00,15:00-19:00         day lists, several openings a day
 *   Fr-Sa 22:00-02:00                     past midnight: into the next day
 *   Mo-Sa 09:00-21:00; Su off             a day closed ("off" or "closed")
 *
 * As in OSM, a later rule replaces what earlier rules said about the days it names, and a day no
 * rule names is closed. Anything else (public holidays, months, weeks, comments) is refused with
 * the problem and the part that was not understood: the text comes from the database, so reading
 * it never throws, and a store whose hours cannot be read shows the text as it is and no "open now".
 */

export const WEEKDAY_CODES = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'] as const;
export const DAYS_PER_WEEK = 7;
export const MINUTES_PER_DAY = 24 * 60;
/** OSM's limit for a tag's value: anything longer is not opening hours. */
export const OPENING_HOURS_LENGTH_MAX = 255;
export const OPENING_RULES_MAX = 14;
export const SPANS_PER_RULE_MAX = 6;

/** One opening, in minutes from its day's midnight; `to_minute` past 1440 runs into the next day ("22:00-02:00" is 1320–1560). */
export interface OpeningSpan {
  readonly from_minute: number;
  readonly to_minute: number;
}

export interface OpeningHours {
  /** Each day's openings, Monday first, in order; an empty day is closed. */
  readonly week: readonly (readonly OpeningSpan[])[];
}

export type OpeningHoursProblem = 'empty' | 'too_long' | 'too_many_rules' | 'rule' | 'days' | 'times';
export type OpeningHoursResult = { ok: true; hours: OpeningHours } | { ok: false; problem: OpeningHoursProblem; part: string };

const WHOLE_DAY: readonly OpeningSpan[] = [{ from_minute: 0, to_minute: MINUTES_PER_DAY }];
const DAY_ITEM = /^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$/;
const SPAN = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/;
const CLOSED_WORDS = new Set(['off', 'closed']);

export function parseOpeningHours(input: string): OpeningHoursResult {
  const text = input.trim();
  if (text.length === 0) return { ok: false, problem: 'empty', part: '' };
  if (text.length > OPENING_HOURS_LENGTH_MAX) return { ok: false, problem: 'too_long', part: text.slice(0, 20) };
  if (text === '24/7') return { ok: true, hours: { week: Array.from({ length: DAYS_PER_WEEK }, () => WHOLE_DAY) } };
  const rules = text.split(';').map((rule) => rule.trim());
  if (rules.length > OPENING_RULES_MAX) return { ok: false, problem: 'too_many_rules', part: text.slice(0, 20) };
  const week: OpeningSpan[][] = Array.from({ length: DAYS_PER_WEEK }, () => []);
  for (const rule of rules) {
    const parsed = parseRule(rule);
    if (!parsed.ok) return parsed;
    for (const day of parsed.days) week[day] = [...parsed.spans];
  }
  return { ok: true, hours: { week: week.map((spans) => spans.sort((a, b) => a.from_minute - b.from_minute)) } };
}

type RuleResult =
  | { ok: true; days: readonly number[]; spans: readonly OpeningSpan[] }
  | { ok: false; problem: OpeningHoursProblem; part: string };

/** "[days ]times": without days, every day. Spaces around "," and "-" are forgiven. */
function parseRule(rule: string): RuleResult {
  const tokens = rule.replace(/\s*([,-])\s*/g, '$1').split(/\s+/).filter((token) => token.length > 0);
  if (tokens.length === 0 || tokens.length > 2) return { ok: false, problem: 'rule', part: rule };
  const [days_text, times_text] = tokens.length === 2 ? tokens : [undefined, tokens[0]];
  const days = days_text === undefined ? [0, 1, 2, 3, 4, 5, 6] : parseDays(days_text);
  if (days === undefined) return { ok: false, problem: 'days', part: days_text ?? '' };
  const spans = parseSpans(times_text ?? '');
  if (spans === undefined) return { ok: false, problem: 'times', part: times_text ?? '' };
  return { ok: true, days, spans };
}

/** "Mo-Fr", "Mo,We", "Sa-Su,Mo"; a range may wrap past Sunday ("Fr-Mo"). */
function parseDays(text: string): number[] | undefined {
  const days = new Set<number>();
  for (const item of text.split(',')) {
    const match = DAY_ITEM.exec(item);
    if (!match) return undefined;
    const first = weekdayIndex(match[1]);
    const last = match[2] === undefined ? first : weekdayIndex(match[2]);
    for (let offset = 0; offset < DAYS_PER_WEEK; offset += 1) {
      const day = (first + offset) % DAYS_PER_WEEK;
      days.add(day);
      if (day === last) break;
    }
  }
  return [...days];
}

function weekdayIndex(code: string | undefined): number {
  return WEEKDAY_CODES.indexOf(code as (typeof WEEKDAY_CODES)[number]);
}

/** "10:00-21:00", "10:00-14:00,15:00-19:00", "22:00-02:00", "00:00-24:00", "off". */
function parseSpans(text: string): OpeningSpan[] | undefined {
  if (CLOSED_WORDS.has(text)) return [];
  const parts = text.split(',');
  if (parts.length > SPANS_PER_RULE_MAX) return undefined;
  const spans: OpeningSpan[] = [];
  for (const part of parts) {
    const match = SPAN.exec(part);
    if (!match) return undefined;
    const [from_hour, from_min, to_hour, to_min] = match.slice(1).map(Number) as [number, number, number, number];
    if (from_hour > 23 || from_min > 59 || to_hour > 24 || to_min > 59 || (to_hour === 24 && to_min !== 0)) return undefined;
    const from_minute = from_hour * 60 + from_min;
    const to_minute = to_hour * 60 + to_min;
    // The same time twice says nothing about how long: refused rather than guessed.
    if (to_minute === from_minute) return undefined;
    spans.push({ from_minute, to_minute: to_minute > from_minute ? to_minute : to_minute + MINUTES_PER_DAY });
  }
  return spans;
}

/* ------------------------------------------------------------------------------------------ */
/* Time in the store's zone                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** The day of the week (0 = Monday) and minute of the day in a zone. */
export interface LocalWeekTime {
  readonly weekday: number;
  readonly minute: number;
}

const SHORT_WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/** A formatter per zone: building one costs ~150 µs; bounded, as the zones are a few hundred. */
const weekTimeFormats = new Map<string, Intl.DateTimeFormat>();
const WEEK_TIME_FORMATS_MAX = 1_000;

/** The local weekday and minute at an instant; undefined if Intl does not know the zone. */
export function localWeekTime(instant_ms: number, time_zone: string): LocalWeekTime | undefined {
  const format = weekTimeFormat(time_zone);
  if (!format || !Number.isFinite(instant_ms)) return undefined;
  const parts = format.formatToParts(new Date(instant_ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = SHORT_WEEKDAYS.indexOf(part('weekday'));
  if (weekday === -1) return undefined;
  return { weekday, minute: (Number(part('hour')) % 24) * 60 + Number(part('minute')) };
}

function weekTimeFormat(time_zone: string): Intl.DateTimeFormat | undefined {
  const known = weekTimeFormats.get(time_zone);
  if (known) return known;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: time_zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    return undefined;
  }
  if (weekTimeFormats.size < WEEK_TIME_FORMATS_MAX) weekTimeFormats.set(time_zone, format);
  return format;
}

/**
 * Open at that instant, in the store's zone: an opening of today that has begun and not ended, or
 * one of yesterday's that runs past midnight. Undefined if the zone is not one Intl knows.
 */
export function isOpenAt(hours: OpeningHours, instant_ms: number, time_zone: string): boolean | undefined {
  const local = localWeekTime(instant_ms, time_zone);
  if (!local) return undefined;
  const today = hours.week[local.weekday] ?? [];
  const yesterday = hours.week[(local.weekday + DAYS_PER_WEEK - 1) % DAYS_PER_WEEK] ?? [];
  return today.some((span) => span.from_minute <= local.minute && local.minute < span.to_minute)
    || yesterday.some((span) => local.minute < span.to_minute - MINUTES_PER_DAY);
}

/** "08:05"; a minute past the day's end is the next day's ("26:00" reads "02:00"), the day's end itself "24:00". */
export function clockText(minute: number): string {
  const shown = minute > MINUTES_PER_DAY ? minute - MINUTES_PER_DAY : minute;
  return `${String(Math.floor(shown / 60)).padStart(2, '0')}:${String(shown % 60).padStart(2, '0')}`;
}

/* ------------------------------------------------------------------------------------------ */
/* The week in words                                                                           */
/* ------------------------------------------------------------------------------------------ */

interface WeekWords {
  readonly days: readonly string[];
  /** Between the first and last day of a run: "Mon–Fri", "周一至周五". */
  readonly through: string;
  readonly daily: string;
  readonly closed: string;
  /** A whole day open. */
  readonly around_the_clock: string;
  /** Every day, all day. */
  readonly always: string;
}

const WEEK_WORDS: Readonly<Record<Language, WeekWords>> = {
  en: { days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], through: '–', daily: 'Daily', closed: 'closed', around_the_clock: '24 hours', always: 'Open 24/7' },
  ru: { days: ['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'], through: '–', daily: 'Ежедневно', closed: 'выходной', around_the_clock: 'круглосуточно', always: 'Круглосуточно, без выходных' },
  'zh-Hans': { days: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'], through: '至', daily: '每天', closed: '休息', around_the_clock: '24小时', always: '24小时营业，全年无休' },
  'zh-Hant': { days: ['週一', '週二', '週三', '週四', '週五', '週六', '週日'], through: '至', daily: '每天', closed: '休息', around_the_clock: '24小時', always: '24小時營業，全年無休' },
};

/**
 * The week as lines to read, days with the same hours together, Monday first:
 * ["Mon–Fri 10:00–21:00", "Sat–Sun 11:00–19:00"], ["Ежедневно 08:00–23:00"], ["24小时营业，全年无休"].
 */
export function describeOpeningHours(hours: OpeningHours, language: Language): string[] {
  const words = WEEK_WORDS[language];
  const day_texts = hours.week.map((spans) => spansText(spans, words));
  if (hours.week.every((spans) => isWholeDay(spans))) return [words.always];
  const groups = new Map<string, number[]>();
  day_texts.forEach((text, day) => groups.set(text, [...(groups.get(text) ?? []), day]));
  return [...groups].map(([text, days]) => `${daysText(days, words)} ${text}`);
}

function isWholeDay(spans: readonly OpeningSpan[]): boolean {
  return spans.length === 1 && spans[0]?.from_minute === 0 && spans[0].to_minute === MINUTES_PER_DAY;
}

function spansText(spans: readonly OpeningSpan[], words: WeekWords): string {
  if (spans.length === 0) return words.closed;
  if (isWholeDay(spans)) return words.around_the_clock;
  return spans.map((span) => `${clockText(span.from_minute)}–${clockText(span.to_minute)}`).join(', ');
}

/** Days in order, runs of neighbours joined: "Mon–Fri", "Mon, Wed", "Sat–Sun", "Daily". */
function daysText(days: readonly number[], words: WeekWords): string {
  if (days.length === DAYS_PER_WEEK) return words.daily;
  const runs: number[][] = [];
  for (const day of days) {
    const run = runs.at(-1);
    if (run && run.at(-1) === day - 1) run.push(day);
    else runs.push([day]);
  }
  const name = (day: number | undefined) => words.days[day ?? 0] ?? '';
  return runs.map((run) => (run.length === 1 ? name(run[0]) : `${name(run[0])}${words.through}${name(run.at(-1))}`)).join(', ');
}
