import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../../testing/net.js';
import { eventually } from '../../../testing/waiting.js';
import { exitWithin, START_TIMEOUT_MS, startRoamcard, waitUntilHealthy } from '../../../testing/roamcard-process.js';

const POLL_INTERVAL_MS = 100;
const EXIT_TIMEOUT_MS = 15_000;

function start(args: string[], environment: Record<string, string>) {
  return startRoamcard(args, { ...process.env, DATABASE_URL: '', NETWORK_API_TOKEN: '', ...environment });
}

describe('roamcard serve (end to end)', () => {
  let data_dir = '';
  before(() => {
    data_dir = mkdtempSync(path.join(os.tmpdir(), 'roamcard-serve-'));
  });
  after(() => rmSync(data_dir, { recursive: true, force: true }));

  it('seeds an empty database, serves the USSD callback, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const base_url = `http://127.0.0.1:${port}`;
    const running = start(['serve', '--demo-if-empty'], { DATA_DIR: data_dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '5000' });
    try {
      await waitUntilHealthy(base_url, running);
      const response = await fetch(`${base_url}/ussd/at`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ sessionId: 'e2e', serviceCode: '*100#', phoneNumber: '+79001234567', networkCode: '25099', text: '' }),
      });
      assert.equal(response.status, 200);
      assert.match(await response.text(), /^END 余额：500\.00 卢布\n流量剩余4\.3 GB，至\d{1,2}月\d{1,2}日 \d\d:\d\d$/);
      assert.equal((await fetch(`${base_url}/readyz`)).status, 200);
    } finally {
      running.child.kill('SIGTERM');
    }
    const exit = await exitWithin(running, EXIT_TIMEOUT_MS);
    assert.deepEqual(exit, { code: 0, signal: null }, running.output.stderr);
    const records = running.output.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const messages = records.map((record) => record.msg);
    assert.ok(messages.includes('empty database: demo data seeded'), messages.join(' | '));
    assert.ok(records.some((record) => record.msg === 'roamcard is serving' && record.url === base_url && record.mail === 'none'), 'says where receipts are e-mailed from: nowhere by default');
    assert.ok(messages.includes('stopped'), 'the shutdown finished before the exit');
    assert.ok(!running.output.stdout.includes('9001234567'), 'no full phone number in the logs');
  });

  it('keeps the console driver\'s SMS (with its sign-in code) out of the JSON log: stderr has it, number masked', async () => {
    const port = await freePort();
    const base_url = `http://127.0.0.1:${port}`;
    const running = start(['serve', '--demo-if-empty'], { DATA_DIR: data_dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', SMS_DRIVER: 'console' });
    let sms_line = '';
    try {
      await waitUntilHealthy(base_url, running);
      const asked = await fetch(`${base_url}/api/v1/auth/codes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msisdn: '+79001234568' }) });
      assert.equal(asked.status, 202);
      sms_line = await eventually(
        () => running.output.stderr.split('\n').find((line) => line.startsWith('[console SMS, not sent]')),
        'the console SMS on stderr', { timeout_ms: START_TIMEOUT_MS, interval_ms: POLL_INTERVAL_MS },
      );
    } finally {
      running.child.kill('SIGTERM');
    }
    assert.deepEqual(await exitWithin(running, EXIT_TIMEOUT_MS), { code: 0, signal: null });
    const code = /\b(\d{6}) is your roamcard sign-in code/.exec(sms_line)?.[1] ?? assert.fail(`no sign-in SMS on stderr:\n${running.output.stderr}`);
    assert.match(sms_line, /^\[console SMS, not sent\] to \+7900\*\*\*4568 \(en, /);
    const lines = running.output.stdout.split('\n').filter((line) => line.length > 0);
    assert.ok(lines.every((line) => line.startsWith('{') && typeof JSON.parse(line) === 'object'), 'stdout is the JSON log and nothing else');
    // Bounded by non-digits, so a code is not "found" inside a request id or a response time.
    assert.doesNotMatch(running.output.stdout, new RegExp(`(?<![0-9A-Za-z.])${code}(?![0-9A-Za-z])`), 'the code is not in the log');
    assert.ok(!running.output.stdout.includes('9001234568'), 'the number is not in the log');
  });

  it('does not seed again when the database already has lines', async () => {
    const port = await freePort();
    const running = start(['serve', '--demo-if-empty'], { DATA_DIR: data_dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    try {
      await waitUntilHealthy(`http://127.0.0.1:${port}`, running);
    } finally {
      running.child.kill('SIGINT');
    }
    assert.deepEqual(await exitWithin(running, EXIT_TIMEOUT_MS), { code: 0, signal: null });
    assert.ok(!running.output.stdout.includes('demo data seeded'));
  });

  it('refuses to start on a bad configuration, naming the variable, with exit code 1', async () => {
    for (const [name, value] of [['PORT', 'abc'], ['NETWORK_API_TOKEN', 'short']] as const) {
      const running = start(['serve'], { DATA_DIR: data_dir, [name]: value });
      const exit = await exitWithin(running, EXIT_TIMEOUT_MS);
      assert.deepEqual(exit, { code: 1, signal: null }, `${name}=${value}`);
      assert.match(running.output.stderr, new RegExp(`Invalid configuration:\\n\\s+- ${name}: `));
      assert.ok(!running.output.stderr.includes('    at '), 'no stack trace');
    }
  });
});
