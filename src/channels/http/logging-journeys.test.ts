import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ConsoleSmsSender } from '../../adapters/sms/console/console-sms-sender.js';
import type { AppContext } from '../../app/context.js';
import { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { jsonApi, type ApiCall } from '../../testing/http-client.js';
import { startServer, type RunningServer } from '../../testing/running-server.js';
import { DEMO_START_MS } from '../../testing/seeded-context.js';
import { captureLogs, type LogCapture } from '../../testing/test-server.js';

/**
 * What an operator's log holds after real customer journeys, over real HTTP on loopback (the
 * sandbox's webhook comes back through the outbox worker, run when the test settles the server):
 * sign-in by number and by ICCID, a renewal paid by card on the sandbox page, #100#, a receipt
 * opened with its token, and requests that fail on a bad number in the body, in the query and in
 * the path. Then the whole log is searched for every spelling of the demo numbers, the ICCIDs, the
 * codes, the tokens and the e-mail: none may appear. What operators search by — the order id, the
 * receipt number — must.
 */

const LINE_1 = { msisdn: '+79001234567', iccid: '8970199000000000007' };
const LINE_2 = { msisdn: '+79001234568', iccid: '8970199000000000015' };
const LINE_3 = { msisdn: '+79001234569', iccid: '8970199000000000239' };
const PAYER_EMAIL = 'traveller.li@example.com';
const CARD_OK = '4242 4242 4242 4242';

/** Every way the journeys (or a person) write a Russian mobile number. */
function spellings(msisdn: string): string[] {
  const national = msisdn.slice(2); // "9001234567"
  const [operator, first, second, third] = [national.slice(0, 3), national.slice(3, 6), national.slice(6, 8), national.slice(8)];
  return [
    msisdn, `7${national}`, `8${national}`, national, `${operator} ${first}-${second}-${third}`, `${operator} ${first} ${second} ${third}`,
    `(${operator}) ${first}`, `%2B7${national}`,
  ];
}

/** A browser without JavaScript: a cookie jar, forms posted as forms, redirects not followed. */
class Browser {
  readonly #cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  async get(path: string): Promise<Response> {
    return this.#keep(await fetch(`${this.base}${path}`, { headers: this.#headers(), redirect: 'manual' }));
  }

  async post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.#keep(await fetch(`${this.base}${path}`, {
      method: 'POST', headers: { ...this.#headers(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields), redirect: 'manual',
    }));
  }

  #headers(): Record<string, string> {
    return this.#cookies.size === 0 ? {} : { cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  #keep(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      const [name, value] = [pair.slice(0, separator), pair.slice(separator + 1)];
      if (value === '' || /Max-Age=0/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return response;
  }
}

const hidden = (page: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)?.[1] ?? assert.fail(`no ${name} field in the page`);

describeEachDatabase('logs after real customer journeys', (t) => {
  let running: RunningServer;
  let base = '';
  let context: AppContext;
  let api: ApiCall<Record<string, unknown>>;
  let logs: LogCapture;
  let sms: ConsoleSmsSender;
  /** Everything that must never reach the log, gathered as the journeys produce it. */
  const secrets: Array<{ what: string; value: string }> = [];
  let order_id = '';
  let receipt_number = '';

  before(async () => {
    logs = captureLogs();
    running = await startServer(t.database, { logs, clock: new ManualClock(DEMO_START_MS) });
    ({ base, context } = running);
    api = jsonApi(base);
    assert.ok(context.sms instanceof ConsoleSmsSender);
    sms = context.sms;
    for (const line of [LINE_1, LINE_2, LINE_3]) {
      for (const spelling of spellings(line.msisdn)) secrets.push({ what: `number ${line.msisdn} as "${spelling}"`, value: spelling });
      secrets.push({ what: 'ICCID', value: line.iccid });
    }
    secrets.push({ what: 'payer e-mail', value: PAYER_EMAIL }, { what: 'card number', value: CARD_OK }, { what: 'card number', value: CARD_OK.replaceAll(' ', '') });
  });

  after(async () => {
    await running.stop();
  });

  /** The sign-in code the console driver "sent" to this number after `since` messages (read from its memory, not from the log). */
  async function codeSentTo(msisdn: string, since: number): Promise<string> {
    await running.settle();
    const messages = sms.messagesTo(msisdn);
    assert.ok(messages.length > since, `an SMS to ${msisdn}`);
    const code = /\d{6}/.exec(messages.at(-1)?.text ?? '')?.[0] ?? assert.fail(`no code in the SMS to ${msisdn}`);
    secrets.push({ what: `sign-in code sent to ${msisdn}`, value: code });
    return code;
  }

  it('signs in through the API by number (bearer token)', async () => {
    const sent = sms.messagesTo(LINE_1.msisdn).length;
    assert.equal((await api('/api/v1/auth/codes', { msisdn: LINE_1.msisdn })).status, 202);
    const code = await codeSentTo(LINE_1.msisdn, sent);
    const signed = await api('/api/v1/auth/sessions', { msisdn: LINE_1.msisdn, code });
    assert.equal(signed.status, 201, JSON.stringify(signed.json));
    const token = String(signed.json.token);
    secrets.push({ what: 'bearer session token', value: token });
    const me = await api('/api/v1/me/lines', undefined, { authorization: `Bearer ${token}` });
    assert.equal(me.status, 200);
  });

  it('signs in on the website by ICCID (session cookie, CSRF token)', async () => {
    const browser = new Browser(base);
    const form = await browser.get('/signin?by=iccid');
    assert.equal(form.status, 200);
    const sent = sms.messagesTo(LINE_2.msisdn).length;
    const asked = await browser.post('/signin', { by: 'iccid', iccid: LINE_2.iccid, _csrf: hidden(await form.text(), '_csrf') });
    assert.equal(asked.status, 303);
    const code_page_path = asked.headers.get('location') ?? assert.fail('no redirect to the code page');
    assert.ok(code_page_path.includes(LINE_2.iccid), 'the code page\'s address carries the ICCID: the log must not');
    const code_page = await browser.get(code_page_path);
    assert.equal(code_page.status, 200);
    const csrf = hidden(await code_page.text(), '_csrf');
    const code = await codeSentTo(LINE_2.msisdn, sent);
    const signed = await browser.post('/signin/code', { by: 'iccid', iccid: LINE_2.iccid, code, _csrf: csrf });
    assert.equal(signed.status, 303);
    const session = browser.cookie('rc_session') ?? assert.fail('no session cookie');
    secrets.push({ what: 'session cookie', value: session }, { what: 'CSRF token', value: csrf });
    assert.equal((await browser.get('/lines')).status, 200);
  });

  it('signs in through the API by ICCID (cookie session and its CSRF token)', async () => {
    const sent = sms.messagesTo(LINE_3.msisdn).length;
    assert.equal((await api('/api/v1/auth/codes', { iccid: LINE_3.iccid })).status, 202);
    const code = await codeSentTo(LINE_3.msisdn, sent);
    const signed = await api('/api/v1/auth/sessions?cookie=1', { iccid: LINE_3.iccid, code });
    assert.equal(signed.status, 201, JSON.stringify(signed.json));
    const session = /rc_session=([^;]+)/.exec(signed.headers.getSetCookie().join('\n'))?.[1] ?? assert.fail('no session cookie');
    secrets.push({ what: 'session cookie', value: session }, { what: 'CSRF token', value: String(signed.json.csrf_token) });
    const wrong = await api('/api/v1/auth/sessions', { iccid: LINE_3.iccid, code: code === '000000' ? '000001' : '000000' });
    assert.equal(wrong.status, 400);
  });

  it('renews on the website through the sandbox: card 4242, webhook processed, receipt opened with its token', async () => {
    const browser = new Browser(base);
    const packs = await browser.get(`/renew/packs?msisdn=${encodeURIComponent('8 900 123-45-67')}`);
    assert.equal(packs.status, 200);
    const key = hidden(await packs.text(), 'key');
    const ordered = await browser.post('/renew/order', { msisdn: LINE_1.msisdn, key, package_code: 'data-1gb-1d', method: 'card', email: PAYER_EMAIL });
    assert.equal(ordered.status, 303, await ordered.text());
    const pay_url = new URL(ordered.headers.get('location') ?? assert.fail('no redirect to the sandbox'));
    assert.equal((await browser.get(pay_url.pathname)).status, 200);
    const paid = await browser.post(`${pay_url.pathname}/card`, { card_number: CARD_OK, expiry: '12/34', cvc: '123' });
    assert.equal(paid.status, 303);
    order_id = /\/orders\/(ord_[0-9a-f]+)$/.exec(paid.headers.get('location') ?? '')?.[1] ?? assert.fail('no order page');
    await running.settle();
    assert.equal((await api(`/orders/${order_id}/status.json`)).json.state, 'active', 'the webhook activated the order');
    const receipt = await browser.get(`/orders/${order_id}/receipt`);
    assert.equal(receipt.status, 303, 'the receipt was issued with the activation');
    const location = receipt.headers.get('location') ?? assert.fail('no Location to the receipt');
    const [, number = '', token = ''] = /^\/receipts\/(RC-\d{4}-\d{6})\?t=([A-Za-z0-9_-]+)$/.exec(location) ?? assert.fail(location);
    receipt_number = number;
    secrets.push({ what: 'receipt token', value: token });
    assert.equal((await browser.get(location)).status, 200);
  });

  it('answers #100# over USSD', async () => {
    const browser = new Browser(base);
    const reply = await browser.post('/ussd/at', { sessionId: 'ATUid_logs_1', serviceCode: '#100#', phoneNumber: LINE_1.msisdn, networkCode: '25001', text: '' });
    assert.equal(reply.status, 200);
    assert.match(await reply.text(), /^END /);
  });

  it('refuses a bad number in the body, in the query and in the path', async () => {
    const in_body = await api('/api/v1/orders', { msisdn: '+7 900 123-45-67-89-00', package_code: 'data-1gb-1d', channel: 'web' }, { 'idempotency-key': 'logs-bad-body' });
    assert.equal(in_body.status, 400, JSON.stringify(in_body.json));
    const unknown_pack = await api('/api/v1/orders', { msisdn: '89001234568', package_code: 'no-such-pack', channel: 'web' }, { 'idempotency-key': 'logs-bad-pack' });
    assert.equal(unknown_pack.status, 404, JSON.stringify(unknown_pack.json));
    const in_query = await fetch(`${base}/renew/packs?msisdn=${encodeURIComponent('+7 900 123-45-69-00')}`);
    assert.equal(in_query.status, 400);
    const code_page = await fetch(`${base}/signin/code?by=msisdn&msisdn=${encodeURIComponent('8 (900) 123-45-68')}&next=${encodeURIComponent('/renew/packs?msisdn=89001234567')}`);
    assert.equal(code_page.status, 200);
    const in_path = await fetch(`${base}/lines/${encodeURIComponent(LINE_1.msisdn)}/overview`);
    assert.equal(in_path.status, 404);
    const iccid_in_path = await fetch(`${base}/sims/${LINE_3.iccid}?code=123456`);
    assert.equal(iccid_in_path.status, 404);
  });

  it('leaves none of it in the log, and keeps the order id and the receipt number whole', async () => {
    await running.worker.stop();
    const text = logs.text();
    const records = logs.records();
    assert.ok(records.length > 40, `the journeys were logged (${records.length} lines)`);
    const leaks = secrets.filter(({ value }) => new RegExp(`(?<![0-9A-Za-z.])${escapeRegExp(value)}(?![0-9A-Za-z])`).test(text));
    assert.deepEqual(leaks.map(({ what, value }) => `${what}: ${value}\n  ${text.split('\n').find((line) => line.includes(value))}`), []);
    assert.ok(secrets.filter(({ what }) => what.startsWith('sign-in code')).length === 3, 'three codes were checked');

    const urls = records
      .map((record) => (record.req as { url?: string } | undefined)?.url)
      .filter((url): url is string => url !== undefined);
    assert.ok(urls.includes(`/orders/${order_id}/status.json`), 'the order id is whole in the URLs');
    assert.ok(urls.includes(`/receipts/${receipt_number}?t=[redacted]`), `the receipt number stays, its token goes: ${urls.filter((url) => url.startsWith('/receipts')).join(', ')}`);
    assert.ok(urls.includes('/renew/packs?msisdn=[redacted]'), 'a number in the query is redacted');
    assert.ok(urls.some((url) => /^\/signin\/code\?by=iccid&iccid=\[redacted\]&next=/.test(url)), 'an ICCID in the query is redacted');
    assert.ok(urls.includes('/sims/[iccid]?code=[redacted]'), `an ICCID in the path is masked: ${urls.filter((url) => url.startsWith('/sims')).join(', ')}`);
    const rejected = new Set(records.filter((record) => record.msg === 'request rejected').map((record) => record.code));
    for (const code of ['ROAM_ERR_MSISDN_INVALID', 'ROAM_ERR_PACKAGE_NOT_FOUND', 'ROAM_ERR_CODE_INVALID']) assert.ok(rejected.has(code), `error code ${code} is kept: ${[...rejected].join(', ')}`);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
