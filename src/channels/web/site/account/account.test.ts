import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { ConsoleSmsSender } from '../../../../adapters/sms/console/console-sms-sender.js';
import type { AppContext } from '../../../../app/context.js';
import type { Language } from '../../../../core/i18n/languages.js';
import { formatShortDateTime } from '../../../../core/i18n/format.js';
import { messagesFor } from '../../../../core/i18n/messages.js';
import type { ManualClock } from '../../../../ports/clock.js';
import type { OutboxWorker } from '../../../../services/jobs/worker.js';
import { describeEachDatabase } from '../../../../testing/databases.js';
import { seededServer, type testServer } from '../../../../testing/test-server.js';
import { escapeHtml } from '../html.js';
import { accountText } from './account-text.js';
import { payFromWallet } from '../../../../testing/wallet-payers.js';

/**
 * The signed-in pages over inject, as a browser without JavaScript uses them: cookies kept in a
 * small jar, forms posted with their CSRF token. Sign-in by number then the ICCID step, sign-in by
 * ICCID, CSRF refusals that change nothing, one customer never seeing another's line or receipt,
 * sign-out, and "/" taking a signed-in customer to their lines.
 */

const LINE_1 = { msisdn: '+79001234567', iccid: '8970199000000000007' };
const LINE_2 = { msisdn: '+79001234568', iccid: '8970199000000000015' };
const LINE_3 = { msisdn: '+79001234569', iccid: '8970199000000000239' };
const HOUR_MS = 3_600_000;
const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

/** One browser: its cookies, its language, its address (each its own, so the per-address limit stays out of the way). */
class Visitor {
  readonly cookies = new Map<string, string>();
  constructor(readonly language: Language, readonly ip: string) {
    this.cookies.set('rc_lang', language);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  keep(response: LightMyRequestResponse): void {
    const set = response.headers['set-cookie'];
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (value === '' || /Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? assert.fail('no CSRF field in the page');

describeEachDatabase('customer site: signed-in pages', (t) => {
  let context: AppContext;
  let clock: ManualClock;
  let worker: OutboxWorker;
  let server: ReturnType<typeof testServer>;
  let sms: ConsoleSmsSender;
  let address = 0;

  before(async () => {
    ({ context, clock, server, worker, sms } = await seededServer(t.database));
  });

  after(async () => {
    await server.close();
  });

  function visitor(language: Language): Visitor {
    address += 1;
    return new Visitor(language, `203.0.113.${address}`);
  }

  async function get(who: Visitor, url: string): Promise<LightMyRequestResponse> {
    const response = await server.inject({ method: 'GET', url, headers: { cookie: who.header() }, remoteAddress: who.ip });
    who.keep(response);
    return response;
  }

  async function post(who: Visitor, url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const response = await server.inject({
      method: 'POST', url, headers: { ...FORM_HEADERS, cookie: who.header() }, remoteAddress: who.ip, payload: new URLSearchParams(fields).toString(),
    });
    who.keep(response);
    return response;
  }

  /** The form's page, then the form posted with the page's CSRF token. */
  async function submit(who: Visitor, page_url: string, action: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const page = await get(who, page_url);
    assert.equal(page.statusCode, 200, page.body);
    return post(who, action, { ...fields, _csrf: csrfOf(page.body) });
  }

  async function signIn(who: Visitor, target: { msisdn: string } | { iccid: string }, msisdn: string): Promise<string> {
    const by = 'iccid' in target ? 'iccid' : 'msisdn';
    const asked = await submit(who, `/signin${by === 'iccid' ? '?by=iccid' : ''}`, '/signin', { by, ...target });
    assert.equal(asked.statusCode, 303, asked.body);
    await worker.drainOnce();
    const code = /\d{6}/.exec(sms.lastMessageTo(msisdn)?.text ?? '')?.[0] ?? assert.fail('no code sent');
    const code_page = String(asked.headers.location);
    const signed = await submit(who, code_page, '/signin/code', { by, ...target, code });
    assert.equal(signed.statusCode, 303, signed.body);
    assert.match(String(signed.headers['set-cookie']), /rc_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    return String(signed.headers.location);
  }

  function nextHour(): void {
    clock.set(Math.floor(clock.now_ms() / HOUR_MS) * HOUR_MS + HOUR_MS + 60_000);
  }

  it('zh-Hans: phone sign-in, then the ICCID step before the balance, then the home with bars and charts', async () => {
    nextHour();
    const who = visitor('zh-Hans');
    const text = accountText('zh-Hans');
    const code_form = await get(who, '/signin/code?by=msisdn&msisdn=%2B79001234567');
    assert.match(code_form.body, /inputmode="numeric" autocomplete="one-time-code"/);
    const landed = await signIn(who, { msisdn: '8 900 123-45-67' }, LINE_1.msisdn);
    assert.match(landed, /^\/lines\/[^/]+\/verify$/, 'a card added by its number alone goes to the ICCID step first');

    const home_before = await get(who, '/lines');
    assert.equal(home_before.statusCode, 200);
    assert.ok(home_before.body.includes(escapeHtml(text.verify_needed)));
    assert.ok(!home_before.body.includes('data-rc-balance'), 'no balance before the ICCID step');
    const line_path = landed.replace(/\/verify$/, '');
    assert.equal((await get(who, line_path)).statusCode, 303);

    const wrong = await submit(who, landed, landed, { iccid: LINE_2.iccid });
    assert.equal(wrong.statusCode, 422);
    assert.ok(wrong.body.includes(escapeHtml(messagesFor('zh-Hans').errors.ROAM_ERR_ICCID_MISMATCH({}))));
    const right = await submit(who, landed, landed, { iccid: LINE_1.iccid });
    assert.equal(right.statusCode, 303);
    assert.equal(right.headers.location, '/lines');

    const home = await get(who, '/lines');
    assert.equal(home.statusCode, 200);
    assert.equal(home.headers['cache-control'], 'no-store');
    assert.match(home.body, /<html lang="zh-Hans"/);
    assert.match(home.body, /500,00 ₽|500.00/, 'the money balance');
    assert.ok(home.body.includes(escapeHtml(text.kinds.data)), 'the data bar');
    assert.match(home.body, /<svg role="img" aria-labelledby="[^"]+-7-title"/, 'the 7-day chart');
    assert.match(home.body, /<svg role="img" aria-labelledby="[^"]+-30-title"/, 'the 30-day chart');
    assert.match(home.body, /data-rc-balance>\{"line":"\+7900\*\*\*4567"/, 'the snapshot for the offline page');
    assert.equal((await get(who, line_path)).statusCode, 200);
    assert.equal((await get(who, '/')).headers.location, '/lines', 'the app\'s start page leads to the lines');
  });

  it('ru: sign-in by ICCID verifies the card at once; an unknown ICCID gets the same answer; a second code too soon is refused with the wait', async () => {
    nextHour();
    const who = visitor('ru');
    const unknown = await submit(who, '/signin?by=iccid', '/signin', { by: 'iccid', iccid: '8970199000000009990' });
    assert.equal(unknown.statusCode, 303, 'no hint that the card is not ours');
    assert.match(String(unknown.headers.location), /^\/signin\/code\?by=iccid&iccid=8970199000000009990/);
    const landed = await signIn(who, { iccid: LINE_3.iccid }, LINE_3.msisdn);
    assert.equal(landed, '/lines');
    const home = await get(who, '/lines');
    assert.match(home.body, /<html lang="ru"/);
    assert.match(home.body, /data-rc-balance/);

    // Another browser on the same network address (a signed-in one is sent on from /signin): the
    // limit is per (card, address), not per browser.
    const again = await submit(new Visitor('ru', who.ip), '/signin?by=iccid', '/signin', { by: 'iccid', iccid: LINE_3.iccid });
    assert.equal(again.statusCode, 429);
    assert.ok(again.headers['retry-after']);
    assert.match(again.body, /Слишком много попыток\. Повторите через \d+ с/);
  });

  it('refuses a form without its CSRF token (403, localized) and changes nothing', async () => {
    nextHour();
    const who = visitor('en');
    const sent_before = sms.messagesTo(LINE_2.msisdn).length;
    const refused = await post(who, '/signin', { msisdn: LINE_2.msisdn });
    assert.equal(refused.statusCode, 403);
    assert.ok(refused.body.includes(escapeHtml(messagesFor('en').errors.ROAM_ERR_CSRF_INVALID({}))));
    await worker.drainOnce();
    assert.equal(sms.messagesTo(LINE_2.msisdn).length, sent_before, 'no code was sent');

    const landed = await signIn(who, { msisdn: LINE_2.msisdn }, LINE_2.msisdn);
    const forged = await post(who, landed, { iccid: LINE_2.iccid, _csrf: 'forged' });
    assert.equal(forged.statusCode, 403);
    assert.ok((await get(who, '/lines')).body.includes(escapeHtml(accountText('en').verify_needed)), 'still not verified');
    assert.equal((await post(who, '/signout', {})).statusCode, 403, 'nor signs out');
    assert.equal((await get(who, '/lines')).statusCode, 200);
  });

  it('a customer never sees another\'s line, order or receipt (404), and sees their own orders and receipts', async () => {
    nextHour();
    const owner = visitor('en');
    await signIn(owner, { iccid: LINE_1.iccid }, LINE_1.msisdn);
    const stranger = visitor('en');
    await signIn(stranger, { iccid: LINE_2.iccid }, LINE_2.msisdn);
    const [line] = (await context.customers.listLines(await customerOf(owner))).filter((candidate) => candidate.msisdn === LINE_1.msisdn);
    assert.ok(line);
    const order = await context.renewal.createOrder({ line: { line_id: line.line_id }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: `site-isolation-${t.dialect}` });
    await payFromWallet(context, order.order.id, `site-isolation-pay-${t.dialect}`);
    await worker.drainOnce();

    const mine = await get(owner, '/orders');
    assert.equal(mine.statusCode, 200);
    assert.ok(mine.body.includes(`/orders/${order.order.id}"`), 'the order is listed');
    assert.ok(mine.body.includes(escapeHtml(messagesFor('en').renewal.order_states.active)));
    const receipt = await get(owner, `/account/orders/${order.order.id}/receipt`);
    assert.equal(receipt.statusCode, 303);
    assert.equal((await server.inject({ url: String(receipt.headers.location) })).statusCode, 200);
    const pdf = await get(owner, `/account/orders/${order.order.id}/receipt.pdf`);
    assert.equal((await server.inject({ url: String(pdf.headers.location) })).headers['content-type'], 'application/pdf');

    assert.ok(!(await get(stranger, '/orders')).body.includes(order.order.id), 'not in the stranger\'s list');
    for (const url of [`/lines/${line.line_id}`, `/lines/${line.line_id}/verify`, `/account/orders/${order.order.id}/receipt`, `/account/orders/${order.order.id}/receipt.pdf`]) {
      assert.equal((await get(stranger, url)).statusCode, 404, url);
    }
    const probe = await submit(stranger, '/lines', `/lines/${line.line_id}/verify`, { iccid: LINE_1.iccid });
    assert.equal(probe.statusCode, 404, 'nor can the stranger claim the line through its page');
  });

  it('adds a second card by number and ICCID; signs out; pages then ask to sign in again', async () => {
    nextHour();
    const who = visitor('en');
    await signIn(who, { iccid: LINE_1.iccid }, LINE_1.msisdn);
    const bad_number = await submit(who, '/lines/add', '/lines/add', { msisdn: '12345', iccid: LINE_3.iccid });
    assert.equal(bad_number.statusCode, 400);
    assert.match(bad_number.body, /id="msisdn" name="msisdn" value="12345"[^>]*aria-invalid="true"/, 'names the field, keeps what was typed');
    const added = await submit(who, '/lines/add', '/lines/add', { msisdn: LINE_3.msisdn, iccid: LINE_3.iccid });
    assert.equal(added.statusCode, 303, added.body);
    assert.equal((await get(who, String(added.headers.location))).statusCode, 200);
    const home = (await get(who, '/lines')).body;
    assert.equal(home.match(/data-rc-balance/g)?.length, 2, 'both cards, each with its own balance');

    const out = await submit(who, '/lines', '/signout', {});
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/');
    assert.ok(!who.cookies.has('rc_session'));
    const asked = await get(who, '/lines');
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, '/signin?next=%2Flines');
    assert.equal((await get(who, '/')).statusCode, 200, 'the public home page');
  });

  it('goes back only to a path on this site after signing in', async () => {
    nextHour();
    const who = visitor('en');
    const page = await get(who, `/signin?next=${encodeURIComponent('//evil.example/')}`);
    assert.match(page.body, /name="next" value="\/"/);
    const fine = await get(who, `/signin?next=${encodeURIComponent('/orders')}`);
    assert.match(fine.body, /name="next" value="\/orders"/);
  });

  it('the line page says why a service is off: the arrival pause, until when, and that nothing is to be done; nothing once lifted', async () => {
    nextHour();
    const who = visitor('en');
    assert.equal(await signIn(who, { iccid: LINE_3.iccid }, LINE_3.msisdn), '/lines');
    const line_id = (await context.services.lineOverview({ msisdn: LINE_3.msisdn })).line.id;
    const ends_at_ms = clock.now_ms() + 24 * HOUR_MS;
    const { result: block } = await context.network_blocks.setBlock(
      { msisdn: LINE_3.msisdn, reason: 'arrival_cooling_off', kinds: ['data', 'sms'], ends_at_ms }, 'account-page-block',
    );
    const sentence = `Data and SMS are paused until ${formatShortDateTime(ends_at_ms, 'en', 'Europe/Moscow')} — foreign SIMs are paused `
      + 'for 24 hours on arrival (Russian rules). Nothing to do: it ends by itself.';
    for (const path of [`/lines/${line_id}`, '/lines']) {
      const page = await get(who, path);
      assert.equal(page.statusCode, 200, page.body);
      assert.match(page.body, new RegExp(`<div class="note service-state" id="[^"]+-service" role="status"><p>${escapeRegExp(escapeHtml(sentence))}</p></div>`));
    }
    const ru = await get(who, `/lines/${line_id}?lang=ru`);
    assert.ok(ru.body.includes('Интернет и SMS — на паузе до'), 'in the page\'s language');

    await context.network_blocks.liftBlock(block.id, 'captcha');
    assert.ok(!(await get(who, `/lines/${line_id}?lang=en`)).body.includes('service-state'), 'everything works again: no notice');
  });

  async function customerOf(who: Visitor): Promise<string> {
    const session = await context.customers.authenticate(who.cookies.get('rc_session') ?? '', 'cookie');
    return session?.customer_id ?? assert.fail('not signed in');
  }
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
