import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleUnits, expiresAtMs, packageDefinitionProblems, type PackageDefinition } from './catalog.js';

const base: PackageDefinition = {
  code: 'data-5gb-7d', kind: 'data', data_mb: 5120, voice_minutes: 0, sms_count: 0, validity_hours: 168,
  names: { 'zh-Hans': '5GB', 'zh-Hant': '5GB', ru: '5 ГБ', en: '5 GB' }, channels: ['web'], active: true,
};

describe('catalog rules', () => {
  it('accepts a sound pack and names every bad field', () => {
    assert.deepEqual(packageDefinitionProblems(base), []);
    assert.deepEqual(packageDefinitionProblems({ ...base, code: 'Bad Code' }), ['code']);
    assert.deepEqual(packageDefinitionProblems({ ...base, validity_hours: 0 }), ['validity_hours']);
    assert.deepEqual(packageDefinitionProblems({ ...base, voice_minutes: 100 }), ['kind']);
    assert.deepEqual(packageDefinitionProblems({ ...base, kind: 'combo' }), ['kind']);
    assert.deepEqual(packageDefinitionProblems({ ...base, kind: 'combo', voice_minutes: 200 }), []);
    assert.deepEqual(packageDefinitionProblems({ ...base, channels: [] }), ['channels']);
    assert.deepEqual(packageDefinitionProblems({ ...base, data_mb: -1 }), ['data_mb', 'kind']);
  });

  it('turns allowances into usage units and validity into a rolling expiry', () => {
    assert.deepEqual(
      bundleUnits({ data_mb: 1024, voice_minutes: 100, sms_count: 50 }),
      { data_bytes: 1_073_741_824, voice_seconds: 6_000, sms_count: 50 },
    );
    const activated_at_ms = Date.UTC(2026, 10, 25, 21, 0);
    assert.equal(expiresAtMs(activated_at_ms, 24), Date.UTC(2026, 10, 26, 21, 0));
  });
});
