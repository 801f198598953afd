import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { parseGeoPoint, type GeoPoint } from '../../../core/geo.js';
import type { Language } from '../../../core/i18n/languages.js';
import { clockText, describeOpeningHours } from '../../../core/opening-hours.js';
import { hasCyrillic, transliterateRussian } from '../../../core/transliteration.js';
import type { FoundStore } from '../../../services/stores/store-finder.js';
import { html, type SafeHtml } from './html.js';
import { sendPage } from './layout.js';
import type { SiteDependencies } from './site-dependencies.js';
import { siteLanguage } from './site-language.js';
import { cityName, formatDistance, mapLinks, otherLocalTime, sortCities } from './store-view.js';
import { siteText, type SiteText } from './text/site-text.js';

/**
 * The store finder, without JavaScript:
 *   /stores                   every store, by city
 *   /stores?city=Moscow       one city's stores (a plain GET form with a city picker)
 *   /stores?lat=…&lon=…       every store, nearest first, with its distance
 * A bad coordinate or an unknown city: 400 and the same page, with a message naming the problem.
 * assets/stores.js adds "Near me": it asks the browser for the location only when pressed, then
 * comes back here with ?lat=&lon= rounded to three decimals (about 100 m). The request log
 * redacts both (core/redaction.ts); the page with them is private (not cached, no Referer).
 */

interface FinderRequest {
  readonly city: string | undefined;
  readonly near: GeoPoint | undefined;
  readonly errors: readonly string[];
}

interface FinderPage extends FinderContent {
  readonly url: string;
  readonly status: number;
  readonly private: boolean;
}

/** A city name longer than this is not one of ours, and is cut when echoed in the message. */
const CITY_LENGTH_MAX = 80;

export const storePages: FastifyPluginAsync<SiteDependencies> = async (app, deps) => {
  app.get<{ Querystring: Record<string, unknown> }>('/stores', async (request, reply) => {
    const language = siteLanguage(request, deps.default_language);
    const text = siteText(language);
    const cities = await deps.stores.cities();
    const asked = readFinderRequest(request.query, cities, text);
    // A position, even a mistyped one, is about one person: that page is neither cached nor sent on as a Referer.
    const has_location = request.query.lat !== undefined || request.query.lon !== undefined;
    if (asked.errors.length > 0) {
      const stores = await deps.stores.findStores();
      return sendFinderPage(reply, { language, text, url: request.url, cities, asked, stores, status: 400, private: has_location });
    }
    const stores = await deps.stores.findStores({ city: asked.city, near: asked.near });
    return sendFinderPage(reply, { language, text, url: request.url, cities, asked, stores, status: 200, private: has_location });
  });

  function sendFinderPage(reply: FastifyReply, page: FinderPage): FastifyReply {
    const document = deps.shell.render({
      language: page.language, title: page.text.finder_title, url: page.url, section: 'stores', body: finderBody(page), scripts: ['stores.js'],
    });
    return sendPage(reply, document, { status: page.status, private: page.private });
  }
};

/** What the query asks for, or what is wrong with it (each problem named; nothing listed then but every store). */
function readFinderRequest(query: Record<string, unknown>, cities: readonly string[], text: SiteText): FinderRequest {
  const errors: string[] = [];
  const city_typed = firstValue(query.city)?.trim() ?? '';
  const lat = firstValue(query.lat);
  const lon = firstValue(query.lon);
  let near: GeoPoint | undefined;
  if (lat !== undefined || lon !== undefined) {
    if (!lat || !lon) errors.push(text.finder_location_incomplete);
    else {
      const parsed = parseGeoPoint(lat, lon);
      if (parsed.ok) near = parsed.point;
      else errors.push(parsed.problem === 'latitude' ? text.finder_lat_invalid : text.finder_lon_invalid);
    }
  }
  let city: string | undefined;
  if (city_typed !== '') {
    if (cities.includes(city_typed)) city = city_typed;
    else errors.push(text.finder_city_unknown(city_typed.slice(0, CITY_LENGTH_MAX)));
  }
  return { city, near, errors };
}

/** `?city=a&city=b` arrives as a list: the first counts, as a browser's form sends one. */
function firstValue(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

interface FinderContent {
  readonly language: Language;
  readonly text: SiteText;
  readonly cities: readonly string[];
  readonly asked: FinderRequest;
  readonly stores: readonly FoundStore[];
}

function finderBody(page: FinderContent): SafeHtml {
  const { text, asked } = page;
  return html`<h1>${text.finder_title}</h1>
<p class="lead">${text.finder_intro}</p>
${asked.errors.length > 0 ? html`<div class="errors" role="alert"><p>${text.errors_summary}</p><ul>${asked.errors.map((error) => html`<li>${error}</li>`)}</ul></div>` : ''}
${cityForm(page)}
<div class="near-me" id="near-me-box" hidden>
<button id="near-me" class="cta" type="button" data-locating="${text.finder_locating}" data-denied="${text.finder_denied}" data-unavailable="${text.finder_unavailable}">${text.finder_near_me}</button>
<p class="hint">${text.finder_near_me_hint}</p>
<p id="near-me-status" role="status" aria-live="polite"></p>
</div>
${storeSections(page)}`;
}

function cityForm({ language, text, cities, asked }: FinderContent): SafeHtml {
  const options = sortCities(cities, text, language)
    .map((city) => html`<option value="${city}"${city === asked.city ? html` selected` : ''}>${cityName(text, city)}</option>`);
  return html`<form class="finder" method="get" action="/stores">
<div class="field"><label for="city">${text.finder_city_label}</label>
<select id="city" name="city"><option value="">${text.finder_city_all}</option>${options}</select></div>
<button class="cta secondary" type="submit">${text.finder_show}</button>
</form>`;
}

function storeSections(page: FinderContent): SafeHtml {
  const { language, text, asked, stores } = page;
  if (stores.length === 0) return html`<p class="note">${text.finder_none}</p>`;
  if (asked.near && asked.errors.length === 0) {
    return html`<section aria-labelledby="stores-nearest"><h2 id="stores-nearest">${text.finder_nearest_title}</h2>
${stores.map((store) => storeCard(store, language, text))}</section>`;
  }
  const by_city = new Map<string, FoundStore[]>();
  for (const store of stores) by_city.set(store.city, [...(by_city.get(store.city) ?? []), store]);
  return html`${sortCities([...by_city.keys()], text, language).map((city, index) => html`<section aria-labelledby="city-${index}">
<h2 id="city-${index}">${cityName(text, city)}</h2>
${(by_city.get(city) ?? []).map((store) => storeCard(store, language, text))}</section>`)}`;
}

function storeCard(store: FoundStore, language: Language, text: SiteText): SafeHtml {
  const links = mapLinks(store.location, store.name);
  const meta = [text.store_kinds[store.kind], store.chain].filter((part) => part);
  return html`<article class="card store" id="store-${store.code}">
<h3>${store.name}</h3>
<p class="store-meta">${store.distance_m === null ? '' : html`<strong class="distance">${text.store_distance(formatDistance(store.distance_m, language, text))}</strong> · `}${meta.join(' · ')}</p>
<dl class="facts">
<dt>${text.store_address}</dt><dd>${addressLines(store, language)}</dd>
<dt>${text.store_hours}</dt><dd>${hoursLines(store, language, text)}</dd>
</dl>
<p class="${store.renews ? 'renews' : 'no-renewal'}">${store.renews ? text.store_renews : text.store_no_renewal}</p>
<p class="map-links"><a href="${links.geo}">${text.store_map_app}</a>
<a href="${links.yandex}" rel="external noreferrer">${text.store_map_yandex}</a>
<a href="${links.openstreetmap}" rel="external noreferrer">${text.store_map_osm}</a></p>
</article>`;
}

/** As a Russian sign reads it, and below it in Latin letters for those who do not read Cyrillic. */
function addressLines(store: FoundStore, language: Language): SafeHtml {
  if (!store.address_ru) return html`${store.address}`;
  const latin = hasCyrillic(store.address_ru) && language !== 'ru' ? transliterateRussian(store.address_ru) : null;
  return html`<span lang="ru">${store.address_ru}</span>${latin ? html`<br><span class="hint" lang="ru-Latn">${latin}</span>` : ''}`;
}

function hoursLines(store: FoundStore, language: Language, text: SiteText): SafeHtml {
  const week = store.opening_hours ? describeOpeningHours(store.opening_hours, language) : [store.opening_hours_text];
  const local = otherLocalTime(store.at_ms, store.time_zone);
  const state = store.open_now === null
    ? ''
    : html`<span class="open-state ${store.open_now ? 'open' : 'closed'}">${store.open_now ? text.store_open_now : text.store_closed_now}</span>`;
  const local_text = local ? html`<span class="hint">${text.store_local_time(clockText(local.minute))}</span>` : '';
  const now = [state, local_text].filter((part) => part !== '');
  return html`${week.map((line, index) => html`${index > 0 ? html`<br>` : ''}${line}`)}
${now.length > 0 ? html`<br>${now.map((part, index) => html`${index > 0 ? ' ' : ''}${part}`)}` : ''}`;
}
