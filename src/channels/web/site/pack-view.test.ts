import assert from 'node:assert/strict';
import { it } from 'node:test';
import { allowanceText, groupPacks } from './pack-view.js';
import { siteText } from './text/site-text.js';

it('groups packs data, voice, combo, then SMS, keeping the catalog order within a group', () => {
  const packs = [
    { code: 'sms', kind: 'sms' }, { code: 'combo', kind: 'combo' }, { code: 'data-2', kind: 'data' }, { code: 'voice', kind: 'voice' }, { code: 'data-1', kind: 'data' },
  ] as const;
  assert.deepEqual(groupPacks(packs).map((group) => [group.kind, group.packs.map((pack) => pack.code)]), [
    ['data', ['data-2', 'data-1']], ['voice', ['voice']], ['combo', ['combo']], ['sms', ['sms']],
  ]);
  assert.deepEqual(groupPacks([]), []);
});

it('writes allowances and validity in the reader\'s units', () => {
  const combo = { data_mb: 10_240, voice_minutes: 200, sms_count: 50 };
  assert.equal(allowanceText(combo, 'en'), '10 GB + 200 min + 50 SMS');
  assert.equal(allowanceText(combo, 'zh-Hans'), '10 GB + 200分钟 + 50条');
  assert.equal(allowanceText({ data_mb: 512, voice_minutes: 0, sms_count: 0 }, 'ru'), '512 МБ');
  assert.equal(allowanceText({ data_mb: 1_536, voice_minutes: 0, sms_count: 0 }, 'ru'), '1,5 ГБ');
  assert.deepEqual([24, 48, 120, 168, 720, 12, 1].map(siteText('ru').validity), ['1 день', '2 дня', '5 дней', '7 дней', '30 дней', '12 часов', '1 час']);
  assert.deepEqual([24, 168, 12].map(siteText('en').validity), ['1 day', '7 days', '12 hours']);
  assert.deepEqual([24, 720, 6].map(siteText('zh-Hant').validity), ['1天', '30天', '6小時']);
});
