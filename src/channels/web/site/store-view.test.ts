import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { siteText } from './text/site-text.js';
import { cityName, formatDistance, mapLinks, otherLocalTime, sortCities } from './store-view.js';

describe('store finder: how a store is shown', () => {
  it('writes a distance in each language: metres nearby, one decimal below 10 km, whole kilometres beyond', () => {
    const distance = (metres: number, language: Parameters<typeof siteText>[0]) => formatDistance(metres, language, siteText(language));
    assert.equal(distance(1_234, 'en'), '1.2 km');
    assert.equal(distance(1_234, 'ru'), '1,2 км');
    assert.equal(distance(1_234, 'zh-Hans'), '1.2 公里');
    assert.equal(distance(1_234, 'zh-Hant'), '1.2 公里');
    assert.equal(distance(347, 'en'), '350 m');
    assert.equal(distance(347, 'zh-Hant'), '350 公尺');
    assert.equal(distance(3, 'ru'), '10 м', 'never "0 m"');
    assert.equal(distance(634_400, 'en'), '634 km');
    assert.equal(distance(6_420_000, 'ru'), '6 420 км');
  });

  it('links the phone\'s map app (geo: URI) and both map sites at the store\'s point', () => {
    const links = mapLinks({ latitude: 55.75780105590820, longitude: 37.6129 }, 'Perekrestok, Tverskaya 7');
    assert.equal(links.geo, 'geo:55.7578,37.6129?q=55.7578,37.6129(Perekrestok%2C%20Tverskaya%207)');
    assert.equal(links.yandex, 'https://yandex.ru/maps/?pt=37.6129,55.7578&z=17&l=map');
    assert.equal(links.openstreetmap, 'https://www.openstreetmap.org/?mlat=55.7578&mlon=37.6129#map=17/55.7578/37.6129');
  });

  it('names cities in the reader\'s language, sorts them that way, and keeps an unknown one as stored', () => {
    assert.equal(cityName(siteText('zh-Hant'), 'Vladivostok'), '海參崴');
    assert.equal(cityName(siteText('zh-Hans'), 'Vladivostok'), '符拉迪沃斯托克');
    assert.equal(cityName(siteText('ru'), 'Yekaterinburg'), 'Yekaterinburg');
    const cities = ['Kazan', 'Moscow', 'Saint Petersburg', 'Vladivostok'];
    assert.deepEqual(sortCities(cities, siteText('ru'), 'ru'), ['Vladivostok', 'Kazan', 'Moscow', 'Saint Petersburg'], 'Владивосток, Казань, Москва, Санкт-Петербург');
    assert.deepEqual(sortCities(cities, siteText('en'), 'en'), cities);
  });

  it('gives a store\'s local time only where the clock differs from Moscow\'s', () => {
    const noon_moscow_ms = Date.UTC(2025, 10, 26, 9, 0);
    assert.equal(otherLocalTime(noon_moscow_ms, 'Europe/Moscow'), undefined);
    assert.equal(otherLocalTime(noon_moscow_ms, 'Europe/Simferopol'), undefined, 'the same clock under another name');
    assert.deepEqual(otherLocalTime(noon_moscow_ms, 'Asia/Vladivostok'), { weekday: 2, minute: 19 * 60 });
    assert.equal(otherLocalTime(noon_moscow_ms, 'Nowhere/Atlantis'), undefined);
  });
});
