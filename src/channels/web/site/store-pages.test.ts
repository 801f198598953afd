import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { newId } from '../../../core/ids.js';
import { LANGUAGES, type Language } from '../../../core/i18n/languages.js';
import { cashDrawerAccountId } from '../../../services/ledger/accounts.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { DEMO_START_MS, seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { captureLogs, testServer } from '../../../testing/test-server.js';
import { escapeHtml } from './html.js';
import { siteText } from './text/site-text.js';

/**
 * The store finder over Fastify's inject, on the demo stores, with the seeded clock standing at
 * Wednesday 12:00 in Moscow (19:00 in Vladivostok). stores.browser.test.ts drives it in Chromium.
 */

/** A few steps from Perekrestok on Tverskaya 7. */
const NEAR_TVERSKAYA = 'lat=55.758&lon=37.613';

describeEachDatabase('store finder pages', (test_db) => {
  let seeded: SeededContext;
  let app: ReturnType<typeof testServer>;

  before(async () => {
    seeded = await seededContext(test_db.database);
    app = testServer(seeded.context);
  });

  const get = (url: string, language: Language = 'en') => app.inject({ method: 'GET', url, headers: { cookie: `rc_lang=${language}` } });
  const storeOrder = (body: string) => [...body.matchAll(/<article class="card store" id="store-([^"]+)"/g)].map((match) => match[1]);
  const cityHeadings = (body: string) => [...body.matchAll(/<h2 id="city-\d+">([^<]+)<\/h2>/g)].map((match) => match[1]);
  const has = (body: string, text: string) => body.includes(escapeHtml(text));

  describe('every store, by city', () => {
    for (const language of LANGUAGES) {
      it(`${language}: the city picker, each city under its own name, each store's kind, address, hours and links`, async () => {
        const text = siteText(language);
        const page = await get('/stores', language);
        assert.equal(page.statusCode, 200);
        assert.match(page.body, new RegExp(`<html lang="${language}"`));
        assert.match(page.body, new RegExp(`<h1>${escapeHtml(text.finder_title)}</h1>`));
        assert.match(page.body, /<form class="finder" method="get" action="\/stores">/);
        assert.match(page.body, /<script src="\/assets\/stores\.[0-9a-f]{12}\.js" defer><\/script>/);
        assert.match(page.body, /<a href="\/stores" aria-current="page">/, 'the header marks the page');
        assert.equal(page.headers['cache-control'], 'no-cache', 'a public page');
        const cities = ['Moscow', 'Saint Petersburg', 'Kazan', 'Vladivostok'].map((city) => text.city_names[city] ?? city);
        assert.deepEqual(new Set(cityHeadings(page.body)), new Set(cities));
        for (const city of cities) assert.match(page.body, new RegExp(`<option value="[^"]+">${city}</option>`));
        assert.equal(storeOrder(page.body).length, 7);
        assert.ok(has(page.body, text.store_kinds.service_hall) && has(page.body, text.store_kinds.partner_store));
        assert.ok(page.body.includes('<span lang="ru">Тверская улица, 7</span>'));
        assert.equal(page.body.includes('Tverskaya ulitsa, 7'), language !== 'ru', 'in Latin letters for those who do not read Russian');
        assert.ok(has(page.body, text.store_map_app) && has(page.body, text.store_renews));
        assert.ok(page.body.includes('href="geo:55.7578,37.6129?q=55.7578,37.6129(Perekrestok%2C%20Tverskaya%207)"'));
        assert.ok(page.body.includes(`href="${escapeHtml('https://yandex.ru/maps/?pt=37.6129,55.7578&z=17&l=map')}"`));
        assert.ok(page.body.includes(`href="${escapeHtml('https://www.openstreetmap.org/?mlat=55.7578&mlon=37.6129#map=17/55.7578/37.6129')}"`));
      });
    }

    it('writes the week in the reader\'s language and says which stores are open now', async () => {
      const en = (await get('/stores', 'en')).body;
      assert.ok(en.includes('Mon–Fri 10:00–21:00<br>Sat–Sun 11:00–19:00'), 'the Nevsky hall');
      assert.ok(en.includes('Open 24/7'));
      const ru = (await get('/stores', 'ru')).body;
      assert.ok(ru.includes('Пн–Сб 08:00–22:00<br>Вс 09:00–21:00'), 'Magnit in Kazan');
      assert.ok(ru.includes('Ежедневно 08:00–23:00'));
      // Wednesday 12:00 in Moscow: everything is open.
      assert.equal([...en.matchAll(/class="open-state open">Open now</g)].length, 7);
    });
  });

  describe('one city', () => {
    it('lists that city\'s stores with the city chosen in the picker', async () => {
      const page = await get('/stores?city=Moscow', 'zh-Hans');
      assert.equal(page.statusCode, 200);
      assert.deepEqual(storeOrder(page.body), ['svo-hall', 'perekrestok-arbat', 'perekrestok-tverskaya']);
      assert.match(page.body, /<option value="Moscow" selected>莫斯科<\/option>/);
      assert.deepEqual(cityHeadings(page.body), ['莫斯科']);
    });

    it('gives a store its own clock when it is not Moscow\'s, and open or closed by it', async () => {
      const noon = await get('/stores?city=Vladivostok', 'zh-Hant');
      assert.deepEqual(storeOrder(noon.body), ['magnit-vladivostok']);
      assert.match(noon.body, /<h2 id="city-0">海參崴<\/h2>/);
      assert.ok(noon.body.includes('class="open-state open">營業中</span> <span class="hint">當地時間 19:00</span>'));
      seeded.clock.set(Date.UTC(2025, 10, 26, 13, 30)); // 16:30 in Moscow, 23:30 in Vladivostok
      try {
        const late = await get('/stores?city=Vladivostok', 'en');
        assert.ok(late.body.includes('class="open-state closed">Closed now</span> <span class="hint">Local time there: 23:30</span>'));
        const moscow = await get('/stores?city=Moscow', 'en');
        assert.ok(!moscow.body.includes('Local time there'), 'Moscow\'s stores keep Moscow\'s clock');
      } finally {
        seeded.clock.set(DEMO_START_MS);
      }
    });
  });

  describe('nearest first', () => {
    it('sorts every store by distance from the point and shows it, privately', async () => {
      const page = await get(`/stores?${NEAR_TVERSKAYA}`, 'ru');
      assert.equal(page.statusCode, 200);
      assert.deepEqual(storeOrder(page.body), [
        'perekrestok-tverskaya', 'perekrestok-arbat', 'svo-hall', 'perekrestok-nevsky', 'led-hall', 'magnit-kazan', 'magnit-vladivostok',
      ]);
      assert.ok(page.body.includes(`<h2 id="stores-nearest">${siteText('ru').finder_nearest_title}</h2>`));
      assert.ok(page.body.includes('<strong class="distance">20 м от вас</strong>'), 'Tverskaya 7 is a few steps away');
      assert.ok(page.body.includes('<strong class="distance">1,5 км от вас</strong>'), 'Arbat 24');
      assert.equal(page.headers['cache-control'], 'no-store', 'a position is about one person');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      const en = await get(`/stores?${NEAR_TVERSKAYA}`, 'en');
      assert.ok(en.body.includes('<strong class="distance">1.5 km away</strong>'));
      const zh = await get(`/stores?${NEAR_TVERSKAYA}`, 'zh-Hans');
      assert.ok(zh.body.includes('<strong class="distance">距离 1.5 公里</strong>'));
    });

    it('with a city too: that city, nearest first', async () => {
      const page = await get(`/stores?city=Saint%20Petersburg&${NEAR_TVERSKAYA}`);
      assert.deepEqual(storeOrder(page.body), ['perekrestok-nevsky', 'led-hall']);
    });

    it('keeps the position out of the request log', async () => {
      const logs = captureLogs();
      const logged = testServer(seeded.context, { logs });
      const response = await logged.inject({ method: 'GET', url: '/stores?lat=55.75812&lon=37.61277' });
      assert.equal(response.statusCode, 200);
      await logged.close();
      const urls = logs.records().map((record) => (record.req as { url?: string } | undefined)?.url).filter((url) => url !== undefined);
      assert.ok(urls.includes('/stores?lat=[redacted]&lon=[redacted]'), urls.join(', '));
      assert.doesNotMatch(logs.text(), /55\.758|37\.612/);
    });
  });

  describe('what is wrong, named, on the same page', () => {
    const cases: ReadonlyArray<[string, (text: ReturnType<typeof siteText>) => string]> = [
      ['/stores?lat=north&lon=37.613', (text) => text.finder_lat_invalid],
      ['/stores?lat=91&lon=37.613', (text) => text.finder_lat_invalid],
      ['/stores?lat=55.758&lon=200', (text) => text.finder_lon_invalid],
      ['/stores?lat=55.758&lon=', (text) => text.finder_location_incomplete],
      ['/stores?lat=55.758', (text) => text.finder_location_incomplete],
      ['/stores?city=Atlantis', (text) => text.finder_city_unknown('Atlantis')],
    ];
    for (const language of LANGUAGES) {
      it(`${language}: 400 with the message, the picker and every store`, async () => {
        const text = siteText(language);
        for (const [url, message] of cases) {
          const page = await get(url, language);
          assert.equal(page.statusCode, 400, url);
          assert.match(page.body, new RegExp(`<html lang="${language}"`));
          assert.ok(page.body.includes(`<div class="errors" role="alert"><p>${escapeHtml(text.errors_summary)}</p><ul><li>${escapeHtml(message(text))}</li></ul></div>`), `${url}: ${message(text)}`);
          assert.match(page.body, /<form class="finder" method="get" action="\/stores">/, url);
          assert.equal(storeOrder(page.body).length, 7, url);
          assert.equal(page.headers['cache-control'], url.includes('lat=') ? 'no-store' : 'no-cache', url);
        }
      });
    }

    it('names every problem at once, and never echoes markup', async () => {
      const page = await get(`/stores?lat=x&lon=1&city=${encodeURIComponent('<b>Gotham</b>')}`);
      assert.equal(page.statusCode, 400);
      assert.ok(page.body.includes(escapeHtml(siteText('en').finder_lat_invalid)));
      assert.ok(page.body.includes(escapeHtml('<b>Gotham</b>')));
      assert.ok(!page.body.includes('<b>Gotham'));
    });
  });

  describe('a store the finder cannot read all of', () => {
    it('shows hours it cannot read as they are, with no "open now", under the city\'s stored name', async () => {
      await test_db.database.db.insertInto('stores').values({
        id: newId('store'), code: 'testgrad-kiosk', kind: 'partner_store', chain: null, name: 'Kiosk, Test Square 1', city: 'Testgrad',
        address: 'Test Square 1', address_ru: null, time_zone: 'Europe/Samara', latitude: 53.2, longitude: 50.15,
        opening_hours: 'Mo-Fr 10:00-21:00; PH off', renews: 0, cash_account_id: cashDrawerAccountId('svo-hall'), created_at_ms: DEMO_START_MS,
        partner_id: null,
      }).execute();
      try {
        for (const language of LANGUAGES) {
          const page = await get('/stores?city=Testgrad', language);
          assert.equal(page.statusCode, 200);
          assert.match(page.body, /<option value="Testgrad" selected>Testgrad<\/option>/, language);
          // Samara's clock is an hour ahead of Moscow's: its time is said, even with the hours unread.
          assert.ok(page.body.includes(`<dd>Mo-Fr 10:00-21:00; PH off\n<br><span class="hint">${escapeHtml(siteText(language).store_local_time('13:00'))}</span></dd>`), language);
          assert.ok(!page.body.includes('open-state'), language);
          assert.ok(page.body.includes('<dd>Test Square 1</dd>'), `${language}: no Russian address recorded, the Latin one`);
          assert.ok(page.body.includes(`<p class="no-renewal">${escapeHtml(siteText(language).store_no_renewal)}</p>`), language);
        }
      } finally {
        await test_db.database.db.deleteFrom('stores').where('code', '=', 'testgrad-kiosk').execute();
      }
    });
  });

  describe('the way there', () => {
    it('help, the number form and the header link to the finder; its script is served', async () => {
      const help = await get('/help', 'ru');
      assert.ok(help.body.includes(`<p><a href="/stores">${escapeHtml(siteText('ru').stores_link)}</a></p>`));
      const renew = await get('/renew', 'zh-Hans');
      assert.ok(renew.body.includes(`${siteText('zh-Hans').renew_in_store} <a href="/stores">${siteText('zh-Hans').renew_in_store_link}</a>`));
      assert.ok(renew.body.includes(`<a href="/stores">${siteText('zh-Hans').nav.stores}</a>`), 'in the header');
      const script_path = /src="(\/assets\/stores\.[0-9a-f]{12}\.js)"/.exec((await get('/stores')).body)?.[1] ?? '';
      const script = await app.inject({ method: 'GET', url: script_path });
      assert.equal(script.statusCode, 200);
      assert.match(String(script.headers['content-type']), /^text\/javascript/);
      assert.match(script.body, /getCurrentPosition/);
      assert.doesNotMatch((await get('/help')).body, /stores\.[0-9a-f]{12}\.js/, 'only the finder loads it');
    });
  });
});
