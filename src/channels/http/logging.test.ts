import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { createLogger, CUT_MARK, cutText, LOG_OBJECT_DEPTH_MAX, LOG_TEXT_LENGTH_MAX, LOG_URL_LENGTH_MAX, LOG_VALUES_MAX, redactLoggedUrl } from './logging.js';
import { captureLogs } from '../../testing/test-server.js';

/**
 * The logger on its own: each way a value reaches a record (message, interpolation, object,
 * nested error, binding, serializer) is redacted, and what operators search by is kept.
 */

const PHONE = '+79001234567';
const ICCID = '8970199000000000007';

function logged(write: (log: ReturnType<typeof createLogger>) => void): { text: string; record: Record<string, unknown> } {
  const logs = captureLogs();
  const log = createLogger({ level: 'info', destination: logs.destination });
  write(log);
  const records = logs.records();
  assert.equal(records.length, 1);
  return { text: logs.text(), record: records[0] ?? {} };
}

describe('the logger', () => {
  it('masks the message and its interpolated values', () => {
    const { record } = logged((log) => log.info('sent to %s, SIM %s, extra %j', PHONE, ICCID, { msisdn: PHONE }));
    assert.equal(record.msg, 'sent to [phone], SIM [iccid], extra {"msisdn":"[redacted]"}');
  });

  it('redacts fields by name at any depth and keeps ids, amounts and codes', () => {
    const order_id = newId('order');
    const { text, record } = logged((log) => log.info({
      order: { id: order_id, amount_minor: 19_000, payer_email: 'li@example.com', payer_phone: PHONE, package_code: 'data-1gb-1d' },
      headers: { authorization: 'Bearer abc.def.ghi', cookie: 'rc_session=rcs_x', 'set-cookie': ['rc_session=rcs_y'], 'x-csrf-token': 'c5rf' },
      attempts: [{ to_msisdn: PHONE, code: '004217', reason: `no answer from ${PHONE}` }],
      code: 'ROAM_ERR_MSISDN_INVALID',
    }, 'renewal'));
    assert.deepEqual(record.order, { id: order_id, amount_minor: 19_000, payer_email: '[redacted]', payer_phone: '[redacted]', package_code: 'data-1gb-1d' });
    assert.deepEqual(record.headers, { authorization: '[redacted]', cookie: '[redacted]', 'set-cookie': '[redacted]', 'x-csrf-token': '[redacted]' });
    assert.deepEqual(record.attempts, [{ to_msisdn: '[redacted]', code: '[redacted]', reason: 'no answer from [phone]' }]);
    assert.equal(record.code, 'ROAM_ERR_MSISDN_INVALID');
    assert.ok(!text.includes('9001234567') && !text.includes('004217') && !text.includes('li@example.com'), text);
  });

  it('masks an error logged alone, its message taken for the line\'s, and its cause', () => {
    const error = new Error(`lookup of ${PHONE} failed`, { cause: new Error(`SIM ${ICCID} unknown`) });
    const { text, record } = logged((log) => log.error(error));
    assert.equal(record.msg, 'lookup of [phone] failed');
    const err = record.err as { message: string; stack: string; type: string };
    assert.equal(err.type, 'Error');
    assert.match(err.message, /lookup of \[phone\] failed: SIM \[iccid\] unknown/);
    assert.match(err.stack, /caused by: Error: SIM \[iccid\] unknown/);
    assert.ok(!text.includes('9001234567') && !text.includes(ICCID), text);
  });

  it('masks a stack line that only poses as a frame', () => {
    const { text } = logged((log) => log.error({ err: new Error(`bad input\n    at +79001234567:1:1\n    at x (${ICCID}:1:1)`) }, 'failed'));
    assert.ok(!text.includes('9001234567') && !text.includes(ICCID), text);
  });

  it('masks `{ err }` without a message the same way', () => {
    const { record } = logged((log) => log.warn({ err: new Error(`no line ${PHONE}`) }));
    assert.equal(record.msg, 'no line [phone]');
  });

  it('masks a RoamError\'s parameters and keeps its code; errors under any key are serialized too', () => {
    const error = new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: 'invalid', value: '8 (900) 123-45-67' });
    const { text, record } = logged((log) => log.info({ failure: error, rows: [{ error }] }, 'import row rejected'));
    const failure = record.failure as { code: string; status: number; params: Record<string, unknown> };
    assert.equal(failure.code, 'ROAM_ERR_MSISDN_INVALID');
    assert.equal(failure.status, 400);
    assert.deepEqual(failure.params, { field: 'msisdn', reason: 'invalid', value: '[phone]' });
    assert.ok(!text.includes('123-45-67'), text);
  });

  it('keeps a database error\'s SQLSTATE and masks the values in its detail', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint "lines_msisdn_key"'), {
      code: '23505', detail: `Key (msisdn)=(${PHONE}) already exists.`, constraint: 'lines_msisdn_key',
    });
    const { record } = logged((log) => log.error({ err: error }, 'request failed'));
    const err = record.err as Record<string, unknown>;
    assert.equal(err.code, '23505');
    assert.equal(err.detail, 'Key (msisdn)=([phone]) already exists.');
    assert.equal(err.constraint, 'lines_msisdn_key');
  });

  it('redacts child bindings, of children and grandchildren (which pino\'s bindings formatter never sees)', () => {
    const logs = captureLogs();
    const request_id = '0193a1b2-c3d4-7e5f-8a9b-446655440000';
    const child = createLogger({ level: 'info', destination: logs.destination }).child({ msisdn: PHONE, note: `for ${PHONE}` });
    child.info('bound');
    child.child({ request_id, iccid: ICCID }).info('bound again');
    const [first, second] = logs.records();
    assert.deepEqual([first?.msisdn, first?.note], ['[redacted]', 'for [phone]']);
    assert.deepEqual([second?.msisdn, second?.iccid, second?.request_id], ['[redacted]', '[redacted]', request_id]);
  });

  it('walks class instances and what toJSON gives, as JSON.stringify would write them', () => {
    class Contact {
      constructor(readonly msisdn: string, readonly label: string) {}
    }
    const { record } = logged((log) => log.info({ contact: new Contact(PHONE, `home ${PHONE}`), at: new Date(0), card: { toJSON: () => ({ iccid: ICCID }) } }, 'x'));
    assert.deepEqual(record.contact, { msisdn: '[redacted]', label: 'home [phone]' });
    assert.equal(record.at, '1970-01-01T00:00:00.000Z');
    assert.deepEqual(record.card, { iccid: '[redacted]' });
  });

  it('cuts what is too deep, too large or too long instead of writing it unmasked', () => {
    let deep: Record<string, unknown> = { note: PHONE };
    for (let level = 0; level < LOG_OBJECT_DEPTH_MAX + 2; level += 1) deep = { inner: deep };
    const many = Array.from({ length: LOG_VALUES_MAX + 10 }, () => PHONE);
    const long = `${'x'.repeat(LOG_TEXT_LENGTH_MAX - 6)}+7 900 123-45-67`;
    const { text, record } = logged((log) => log.info({ deep, many, long }, 'big'));
    assert.ok(!text.includes('9001234567') && !text.includes('+7 900'), 'nothing escapes unmasked');
    assert.ok(text.includes('[too deep]'));
    assert.ok((record.many as string[]).includes(CUT_MARK));
    assert.ok(String(record.long).endsWith(CUT_MARK));
    assert.equal(cutText('abc 8 900 12', 10), `abc${CUT_MARK}`, 'a number cut in half is dropped, not left in part');
  });

  it('serializes requests with the address redacted and replies with their status only', () => {
    const { record } = logged((log) => log.info({ req: { method: 'GET', url: `/renew/packs?msisdn=${encodeURIComponent(PHONE)}`, ip: '203.0.113.9', routeOptions: { url: '/renew/packs' }, headers: { cookie: 'x' } }, res: { statusCode: 200, headers: {} } }, 'r'));
    assert.deepEqual(record.req, { method: 'GET', url: '/renew/packs?msisdn=[redacted]', route: '/renew/packs', remote_address: '203.0.113.9' });
    assert.deepEqual(record.res, { status_code: 200 });
  });

  it('cuts very long addresses before redacting them', () => {
    const url = `/x?pad=${'a'.repeat(LOG_URL_LENGTH_MAX)}&msisdn=${PHONE}`;
    const redacted = redactLoggedUrl(url);
    assert.equal(redacted, `${url.slice(0, LOG_URL_LENGTH_MAX)}${CUT_MARK}`);
  });
});
