import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LANGUAGES } from './i18n/languages.js';
import { clockText, describeOpeningHours, isOpenAt, localWeekTime, parseOpeningHours, type OpeningHours } from './opening-hours.js';

function parsed(text: string): OpeningHours {
  const result = parseOpeningHours(text);
  assert.ok(result.ok, `${text}: ${JSON.stringify(result)}`);
  return result.hours;
}

const span = (from: string, to: string) => {
  const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
  const to_minute = minutes(to) > minutes(from) ? minutes(to) : minutes(to) + 24 * 60;
  return { from_minute: minutes(from), to_minute };
};

/** Monday 1 December 2025 at hh:mm in Moscow (UTC+3, no summer time). */
const moscowMonday = (day_offset: number, hour: number, minute = 0) => Date.UTC(2025, 11, 1 + day_offset, hour - 3, minute);

describe('opening hours: reading the subset of OSM syntax', () => {
  it('reads 24/7, one span every day, days with spans, and day lists', () => {
    assert.deepEqual(parsed('24/7').week, Array(7).fill([span('00:00', '24:00')]));
    assert.deepEqual(parsed('08:00-23:00').week, Array(7).fill([span('08:00', '23:00')]));
    const weekdays = parsed('Mo-Fr 10:00-21:00; Sa-Su 11:00-19:00').week;
    assert.deepEqual(weekdays.slice(0, 5), Array(5).fill([span('10:00', '21:00')]));
    assert.deepEqual(weekdays.slice(5), Array(2).fill([span('11:00', '19:00')]));
    const listed = parsed('Mo,We 10:00-14:00,15:00-19:00').week;
    assert.deepEqual(listed[0], [span('10:00', '14:00'), span('15:00', '19:00')]);
    assert.deepEqual(listed[2], listed[0]);
    assert.deepEqual([listed[1], listed[3], listed[4], listed[5], listed[6]], [[], [], [], [], []], 'days no rule names are closed');
  });

  it('runs past midnight into the next day, and lets a range wrap past Sunday', () => {
    assert.deepEqual(parsed('Fr-Sa 22:00-02:00').week[4], [{ from_minute: 22 * 60, to_minute: 26 * 60 }]);
    const wrapped = parsed('Fr-Mo 09:00-18:00').week;
    assert.deepEqual(wrapped.map((day) => day.length), [1, 0, 0, 0, 1, 1, 1]);
  });

  it('lets a later rule replace the days it names; "off" closes them; spaces are forgiven', () => {
    const week = parsed('Mo-Su 08:00-22:00; Su off').week;
    assert.deepEqual(week[5], [span('08:00', '22:00')]);
    assert.deepEqual(week[6], []);
    assert.deepEqual(parsed(' Mo - Fr  10:00 - 21:00 ;Sa closed ').week[0], [span('10:00', '21:00')]);
  });

  it('refuses anything else with the problem and the part it did not understand, never throwing', () => {
    const cases: ReadonlyArray<[string, string, string]> = [
      ['', 'empty', ''],
      ['   ', 'empty', ''],
      ['Mo-Fr 10:00-21:00; PH off', 'days', 'PH'],
      ['Mon-Fri 10:00-21:00', 'days', 'Mon-Fri'],
      ['Mo-Fr 10-21', 'times', '10-21'],
      ['Mo-Fr 25:00-26:00', 'times', '25:00-26:00'],
      ['Mo-Fr 10:00-24:30', 'times', '10:00-24:30'],
      ['10:00-10:00', 'times', '10:00-10:00'],
      ['Mo-Fr', 'times', 'Mo-Fr'],
      ['Jan-Mar Mo-Fr 10:00-18:00', 'rule', 'Jan-Mar Mo-Fr 10:00-18:00'],
      ['Mo-Fr 10:00-21:00;', 'rule', ''],
      ['"by appointment"', 'days', '"by'],
      ['by_appointment', 'times', 'by_appointment'],
      ['24/7; Su off', 'times', '24/7'],
    ];
    for (const [text, problem, part] of cases) assert.deepEqual(parseOpeningHours(text), { ok: false, problem, part }, text);
    assert.deepEqual(parseOpeningHours('x'.repeat(300)), { ok: false, problem: 'too_long', part: 'x'.repeat(20) });
    assert.deepEqual(parseOpeningHours(Array(15).fill('Mo 10:00-11:00').join(';')), { ok: false, problem: 'too_many_rules', part: 'Mo 10:00-11:00;Mo 10' });
  });

  it('never throws on any text (property)', () => {
    const alphabet = fc.constantFrom(...'MoTuWeThFrSaSu0123456789:-,; /offPH'.split(''));
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 60 }), fc.string({ maxLength: 40 }), (syntax_like, anything) => {
      for (const text of [syntax_like, anything]) {
        const result = parseOpeningHours(text);
        if (result.ok) assert.equal(result.hours.week.length, 7);
      }
    }));
  });
});

describe('opening hours: open at an instant, in the store\'s zone', () => {
  it('tells open from closed around the opening and closing minute', () => {
    const hours = parsed('Mo-Fr 10:00-21:00; Sa-Su 11:00-19:00');
    assert.equal(isOpenAt(hours, moscowMonday(0, 9, 59), 'Europe/Moscow'), false);
    assert.equal(isOpenAt(hours, moscowMonday(0, 10, 0), 'Europe/Moscow'), true);
    assert.equal(isOpenAt(hours, moscowMonday(0, 20, 59), 'Europe/Moscow'), true);
    assert.equal(isOpenAt(hours, moscowMonday(0, 21, 0), 'Europe/Moscow'), false, 'closes at the closing minute');
    assert.equal(isOpenAt(hours, moscowMonday(5, 10, 30), 'Europe/Moscow'), false, 'Saturday opens later');
    assert.equal(isOpenAt(hours, moscowMonday(5, 11, 30), 'Europe/Moscow'), true);
  });

  it('counts an opening past midnight on the next morning, and not on the morning before', () => {
    const hours = parsed('Fr 22:00-02:00');
    assert.equal(isOpenAt(hours, moscowMonday(4, 23, 0), 'Europe/Moscow'), true, 'Friday 23:00');
    assert.equal(isOpenAt(hours, moscowMonday(5, 1, 30), 'Europe/Moscow'), true, 'Saturday 01:30');
    assert.equal(isOpenAt(hours, moscowMonday(5, 2, 0), 'Europe/Moscow'), false, 'Saturday 02:00');
    assert.equal(isOpenAt(hours, moscowMonday(4, 1, 30), 'Europe/Moscow'), false, 'Friday 01:30 belongs to Thursday');
  });

  it('reads the clock in the store\'s zone: 12:00 in Moscow is 19:00 in Vladivostok', () => {
    const hours = parsed('08:00-18:00');
    const noon_moscow = moscowMonday(0, 12);
    assert.equal(isOpenAt(hours, noon_moscow, 'Europe/Moscow'), true);
    assert.equal(isOpenAt(hours, noon_moscow, 'Asia/Vladivostok'), false);
    assert.deepEqual(localWeekTime(noon_moscow, 'Asia/Vladivostok'), { weekday: 0, minute: 19 * 60 });
    assert.deepEqual(localWeekTime(moscowMonday(0, 20), 'Asia/Vladivostok'), { weekday: 1, minute: 3 * 60 }, 'already Tuesday there');
    assert.equal(isOpenAt(parsed('24/7'), noon_moscow, 'Asia/Kamchatka'), true);
  });

  it('says nothing for a zone Intl does not know', () => {
    assert.equal(isOpenAt(parsed('24/7'), moscowMonday(0, 12), 'Mars/Olympus_Mons'), undefined);
    assert.equal(localWeekTime(moscowMonday(0, 12), 'Europe/Moskva'), undefined);
  });

  it('writes clock times, the end of the day and times past midnight', () => {
    assert.deepEqual([clockText(0), clockText(8 * 60 + 5), clockText(24 * 60), clockText(26 * 60)], ['00:00', '08:05', '24:00', '02:00']);
  });
});

describe('opening hours: the week in words', () => {
  it('groups days with the same hours, in each language', () => {
    const hours = parsed('Mo-Fr 10:00-21:00; Sa-Su 11:00-19:00');
    assert.deepEqual(describeOpeningHours(hours, 'en'), ['Mon–Fri 10:00–21:00', 'Sat–Sun 11:00–19:00']);
    assert.deepEqual(describeOpeningHours(hours, 'ru'), ['Пн–Пт 10:00–21:00', 'Сб–Вс 11:00–19:00']);
    assert.deepEqual(describeOpeningHours(hours, 'zh-Hans'), ['周一至周五 10:00–21:00', '周六至周日 11:00–19:00']);
    assert.deepEqual(describeOpeningHours(hours, 'zh-Hant'), ['週一至週五 10:00–21:00', '週六至週日 11:00–19:00']);
  });

  it('says "daily", "24/7", "closed", lists of days and past midnight', () => {
    assert.deepEqual(describeOpeningHours(parsed('08:00-23:00'), 'en'), ['Daily 08:00–23:00']);
    assert.deepEqual(describeOpeningHours(parsed('08:00-23:00'), 'ru'), ['Ежедневно 08:00–23:00']);
    assert.deepEqual(describeOpeningHours(parsed('24/7'), 'en'), ['Open 24/7']);
    assert.deepEqual(describeOpeningHours(parsed('24/7'), 'zh-Hans'), ['24小时营业，全年无休']);
    assert.deepEqual(describeOpeningHours(parsed('Mo-Sa 08:00-22:00; Su 09:00-21:00'), 'en'), ['Mon–Sat 08:00–22:00', 'Sun 09:00–21:00']);
    assert.deepEqual(describeOpeningHours(parsed('Mo,We 10:00-14:00,15:00-19:00'), 'en'), ['Mon, Wed 10:00–14:00, 15:00–19:00', 'Tue, Thu–Sun closed']);
    assert.deepEqual(describeOpeningHours(parsed('Mo-Th 10:00-22:00; Fr-Sa 10:00-02:00; Su 00:00-24:00'), 'ru'), ['Пн–Чт 10:00–22:00', 'Пт–Сб 10:00–02:00', 'Вс круглосуточно']);
    for (const language of LANGUAGES) assert.equal(describeOpeningHours(parsed('Mo-Fr 09:00-18:00'), language).length, 2, language);
  });
});
