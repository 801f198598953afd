import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastLocalDays, localDateText, localDay, parseCalendarDate } from './local-days.js';

const HOUR_MS = 3_600_000;

describe('local days', () => {
  it('gives Moscow\'s day as 21:00 UTC to 21:00 UTC, every day of the year (no DST since 2014)', () => {
    for (const date of ['2025-01-01', '2025-03-30', '2025-10-26', '2025-11-26', '2025-12-31']) {
      const day = localDay(date, 'Europe/Moscow');
      const [year, month, day_of_month] = date.split('-').map(Number) as [number, number, number];
      assert.equal(day?.start_ms, Date.UTC(year, month - 1, day_of_month) - 3 * HOUR_MS, date);
      assert.equal((day?.end_ms ?? 0) - (day?.start_ms ?? 0), 24 * HOUR_MS, date);
    }
  });

  it('gives a DST change day its 23 or 25 hours (Berlin changes at 02:00 and 03:00)', () => {
    const spring = localDay('2025-03-30', 'Europe/Berlin');
    assert.equal(spring?.start_ms, Date.UTC(2025, 2, 29, 23));
    assert.equal(spring?.end_ms, Date.UTC(2025, 2, 30, 22));
    const autumn = localDay('2025-10-26', 'Europe/Berlin');
    assert.equal(autumn?.start_ms, Date.UTC(2025, 9, 25, 22));
    assert.equal(autumn?.end_ms, Date.UTC(2025, 9, 26, 23));
  });

  it('starts a day whose midnight the clock jumps over at the jump (Havana, 9 March 2025: 00:00 → 01:00)', () => {
    const day = localDay('2025-03-09', 'America/Havana');
    // 00:00 under the winter offset (−5) is 05:00 UTC, the first instant with the new date.
    assert.equal(day?.start_ms, Date.UTC(2025, 2, 9, 5));
    assert.equal(day?.end_ms, Date.UTC(2025, 2, 10, 4));
    assert.equal(localDay('2025-03-08', 'America/Havana')?.end_ms, day?.start_ms, 'the day before ends where it starts');
  });

  it('starts a day whose midnight comes twice at the first one (Havana, 2 November 2025: 01:00 → 00:00)', () => {
    const day = localDay('2025-11-02', 'America/Havana');
    assert.equal(day?.start_ms, Date.UTC(2025, 10, 2, 4));
    assert.equal(day?.end_ms, Date.UTC(2025, 10, 3, 5), '25 hours');
  });

  it('splits time into days with no gap and no overlap, across a year of Santiago (DST at midnight) and Kolkata (+05:30)', () => {
    for (const zone of ['America/Santiago', 'Asia/Kolkata', 'Europe/Moscow']) {
      let previous = localDay('2025-01-01', zone);
      for (let day_index = 1; day_index < 366; day_index += 1) {
        const date = new Date(Date.UTC(2025, 0, 1 + day_index)).toISOString().slice(0, 10);
        const day = localDay(date, zone);
        assert.equal(day?.start_ms, previous?.end_ms, `${zone} ${date}`);
        assert.ok(day && day.end_ms > day.start_ms, `${zone} ${date}`);
        assert.equal(localDateText(day.start_ms, zone), date, `${zone} ${date}: the first instant is on the day`);
        assert.equal(localDateText(day.end_ms - 1, zone), date, `${zone} ${date}: the last instant is on the day`);
        previous = day;
      }
    }
  });

  it('agrees with lastLocalDays', () => {
    const [today] = lastLocalDays(Date.UTC(2025, 10, 26, 22, 0), 'Europe/Moscow', 1);
    assert.deepEqual(localDay('2025-11-27', 'Europe/Moscow'), today);
  });

  it('refuses what is not a calendar date', () => {
    for (const text of ['2025-02-29', '2025-13-01', '2025-1-01', '26.11.2025', '20251126', '', '1969-12-31']) {
      assert.equal(parseCalendarDate(text), undefined, text);
      assert.equal(localDay(text, 'Europe/Moscow'), undefined, text);
    }
    assert.deepEqual(parseCalendarDate('2024-02-29'), { year: 2024, month: 2, day: 29 });
  });
});
