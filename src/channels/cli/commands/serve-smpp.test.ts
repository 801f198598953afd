import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SmscSimulator } from '../../../adapters/sms/smpp/simulator/smsc-simulator.js';
import { freePort } from '../../../testing/net.js';
import { eventually } from '../../../testing/waiting.js';
import { exitWithin, runRoamcard, START_TIMEOUT_MS, startRoamcard, waitUntilHealthy } from '../../../testing/roamcard-process.js';

const EXIT_TIMEOUT_MS = 15_000;
const PASSWORD = 'pw-7a1Z';

/**
 * `roamcard serve` with SMS_DRIVER=smpp against the SMSC simulator: one link carries the sign-in
 * code out and USSD in (answered by the same engine as /ussd/at), `roamcard sms outbox` shows the
 * delivery, and a SIGTERM unbinds the link before the process ends.
 */
describe('roamcard serve with SMS_DRIVER=smpp (end to end)', () => {
  let data_dir = '';
  let simulator: SmscSimulator;
  before(async () => {
    data_dir = mkdtempSync(path.join(os.tmpdir(), 'roamcard-serve-smpp-'));
    simulator = await SmscSimulator.start({ system_id: 'roamcard', password: PASSWORD });
  });
  after(async () => {
    await simulator.close();
    rmSync(data_dir, { recursive: true, force: true });
  });

  it('sends the sign-in code over SMPP, answers #100# dialled over SMPP, and unbinds on SIGTERM', async () => {
    const port = await freePort();
    const base_url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env, DATABASE_URL: '', NETWORK_API_TOKEN: '', DATA_DIR: data_dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info',
      SMS_DRIVER: 'smpp', SMPP_URL: simulator.url, SMPP_SYSTEM_ID: 'roamcard', SMPP_PASSWORD: PASSWORD, SMPP_SOURCE_ADDR: 'roamcard',
    };
    const running = startRoamcard(['serve', '--demo-if-empty'], env);
    try {
      await waitUntilHealthy(base_url, running);
      await simulator.waitFor(() => simulator.bound_links === 1, START_TIMEOUT_MS);
      const balance = await simulator.dial('+79001234567', '#100#');
      assert.equal(balance.ussd_service_op, 17);
      assert.equal(balance.data_coding, 8, 'a zh-Hans screen goes as UCS-2');
      assert.match(balance.text, /^余额：500\.00 卢布\n流量剩余4\.3 GB/);
      const asked = await fetch(`${base_url}/api/v1/auth/codes`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msisdn: '+79001234568' }),
      });
      assert.equal(asked.status, 202);
      const sms = await eventually(() => simulator.messages.find((message) => message.destination_addr === '79001234568'), 'the sign-in SMS',
        { timeout_ms: START_TIMEOUT_MS });
      assert.equal(sms.encoding, 'gsm7');
      assert.match(sms.text, /^\d{6} is your roamcard sign-in code\./);
      const listed = await eventually(async () => {
        const outbox = await runRoamcard(['sms', 'outbox'], env);
        return /done +1\/5 code +to \+7900\*\*\*4568: 1\/1 delivered/.test(outbox.stdout) ? outbox.stdout : undefined;
      }, 'the delivered SMS in `roamcard sms outbox`', { timeout_ms: START_TIMEOUT_MS, interval_ms: 200 });
      assert.ok(!listed.includes('sign-in code'), 'the outbox never shows the text');
    } finally {
      running.child.kill('SIGTERM');
    }
    assert.deepEqual(await exitWithin(running, EXIT_TIMEOUT_MS), { code: 0, signal: null }, running.output.stderr);
    assert.equal(simulator.counts.unbind, 1, 'unbound before the exit');
    const messages = running.output.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as { msg: string }).msg);
    assert.ok(messages.includes('SMPP link bound'), messages.join(' | '));
    assert.ok(messages.includes('SMPP link unbound and closed'), messages.join(' | '));
    assert.ok(!running.output.stdout.includes(PASSWORD), 'the password is never logged');
    assert.ok(!running.output.stdout.includes('9001234568') && !running.output.stdout.includes('9001234567'), 'no full number in the log');
  });
});
