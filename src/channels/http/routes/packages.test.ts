import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { testServer } from '../../../testing/test-server.js';

interface Catalog {
  language: string;
  channel: string | null;
  packages: Array<{
    code: string; kind: string; name: string; data_mb: number; validity_hours: number; price: { amount_minor: number; currency: string };
  }>;
}

describeEachDatabase('GET /api/v1/packages', (test_db) => {
  let seeded: SeededContext;
  before(async () => {
    seeded = await seededContext(test_db.database);
  });

  async function get(url: string, headers: Record<string, string> = {}) {
    const app = testServer(seeded.context);
    try {
      const response = await app.inject({ url, headers });
      return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as Catalog };
    } finally {
      await app.close();
    }
  }

  it('lists the packs on sale with price and the name in the asked language', async () => {
    const response = await get('/api/v1/packages?channel=web&lang=ru');
    assert.equal(response.status, 200);
    assert.equal(response.body.language, 'ru');
    assert.equal(response.body.channel, 'web');
    assert.equal(response.body.packages.length, 6);
    assert.deepEqual(response.body.packages[1], {
      code: 'data-5gb-7d', kind: 'data', name: 'Интернет 5 ГБ на 7 дней', data_mb: 5120, voice_minutes: 0, sms_count: 0, validity_hours: 168,
      price: { amount_minor: 69_000, currency: 'RUB' },
    });
    assert.equal(response.headers['cache-control'], 'public, max-age=60');
  });

  it('takes the language from Accept-Language when there is no lang', async () => {
    const traditional = await get('/api/v1/packages', { 'accept-language': 'zh-TW,zh;q=0.9' });
    assert.equal(traditional.body.language, 'zh-Hant');
    assert.equal(traditional.body.channel, null);
    assert.equal(traditional.body.packages.find((pack) => pack.code === 'sms-50-30d')?.name, '50則簡訊 30天');
    const fallback = await get('/api/v1/packages', { 'accept-language': 'de-DE' });
    assert.equal(fallback.body.language, 'en');
  });

  it('rejects an unknown channel or language, naming the parameter', async () => {
    const response = await get('/api/v1/packages?lang=klingon');
    assert.equal(response.status, 400);
    assert.deepEqual((response.body as unknown as { errors: Array<{ field: string }> }).errors.map((error) => error.field), ['lang']);
  });
});
