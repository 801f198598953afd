import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { inTransaction } from '../../../db/transaction.js';
import { partnerSignature } from '../../../services/partners/partner-service.js';
import { SYSTEM_ACCOUNTS } from '../../../services/ledger/accounts.js';
import { postEntry } from '../../../services/ledger/ledger.js';
import type { Partner } from '../../../services/partners/partner-directory.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { processSuite, runRoamcard } from '../../../testing/roamcard-process.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { PARTNERS_EXIT_CODES } from './partners.js';

/**
 * `roamcard partners …` as an operator runs it: the compiled binary on the suite's database, the
 * payments made beforehand through the real partner service (demo data, 26 November 2025, Moscow).
 */

const AUTH_SECRET = 'partners-cli-test-secret-0123456789abcdef01';
const CODE = 'demo-store';
const DAY = '2025-11-26';

describeEachDatabase('roamcard partners (CLI)', (test_db) => {
  const suite = processSuite(test_db, 'roamcard-partners-', () => ({ AUTH_SECRET, LOG_LEVEL: 'silent', ROAMCARD_LANG: '', LANG: 'C' }));
  let seeded: SeededContext;
  let demo: Partner;
  const prv_txn: Record<string, string> = {};

  before(async () => {
    const migrated = await runRoamcard(['migrate'], suite.env());
    assert.equal(migrated.code, 0, migrated.stderr);
    seeded = await seededContext(suite.database(), { AUTH_SECRET });
    demo = await seeded.context.partners.getPartner(CODE);
    const pay = async (txn_id: string, account: string, sum: string) =>
      seeded.context.partners.pay(demo, 'osmp', { account, sum, txn_id, txn_date: '20251126120000' });
    for (const [txn_id, account, sum, reason] of [
      ['5001', '9001234567', '190.00', 'paid_pack'], ['5002', '9001234568', '150.00', 'paid_top_up'], ['5003', '9009999999', '150.00', 'account_not_found'],
    ] as const) {
      const answer = await pay(txn_id, account, sum);
      assert.equal(answer.reason, reason, txn_id);
      prv_txn[txn_id] = answer.prv_txn ?? '';
    }
  });

  after(async () => {
    await seeded?.context.close();
  });

  it('creates a partner, printing its two secrets once, that work; the list shows no secret', async () => {
    const created = await runRoamcard([
      'partners', 'create', 'acme-shops', '--name', 'Acme Shops', '--agent-name', 'ООО «Акме»', '--agent-inn', '7728029110',
      '--addresses', '10.0.0.0/8,192.168.1.1', '--chain', 'Acme', '--sum-min', '50.00', '--sum-max', '5000.00', '--no-packs',
    ], suite.env());
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Partner acme-shops \(Acme Shops\) created; its settlement account is partner:acme-shops\./);
    assert.match(created.stdout, /Shown once/);
    const password = /\(user acme-shops\):\n {2}(\S+)/.exec(created.stdout)?.[1];
    const key = /HMAC-SHA256\):\n {2}(\S+)/.exec(created.stdout)?.[1];
    assert.ok(password && key, created.stdout);

    const partners = seeded.context.partners;
    const basic = await partners.authenticateBasic('acme-shops', { user: 'acme-shops', password }, '10.1.2.3');
    assert.equal(basic.ok, true, 'the printed password is the one kept');
    const timestamp = String(seeded.clock.now_ms());
    const signed = await partners.authenticateSignature('acme-shops', { timestamp, signature: partnerSignature(key, timestamp, '{}'), body: '{}' }, '10.1.2.3');
    assert.equal(signed.ok, true, 'the printed key is the one sealed, under the same AUTH_SECRET');
    const acme = await partners.getPartner('acme-shops');
    assert.deepEqual([Number(acme.sum_min_minor), Number(acme.sum_max_minor), acme.sells_packs, acme.chain], [5_000, 500_000, 0, 'Acme']);

    const listed = await runRoamcard(['partners', 'list'], suite.env());
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^acme-shops {2}Acme Shops {2}chain: Acme {2}\[enabled\]$/m);
    assert.match(listed.stdout, /sums: 50\.00–5000\.00; packs: not sold/);
    assert.match(listed.stdout, /addresses: 10\.0\.0\.0\/8, 192\.168\.1\.1\/32/);
    assert.match(listed.stdout, /^demo-store {2}Perekrestok \(demo\)/m);
    assert.ok(!listed.stdout.includes(password) && !listed.stdout.includes(key), 'list shows no secret');
    assert.ok(!listed.stdout.includes('demo-secret') && !listed.stdout.includes('demo-signing-key'), 'nor the demo partner\'s');
  });

  it('rotates a secret: the new one printed once works, the old one no longer', async () => {
    const rotated = await runRoamcard(['partners', 'rotate', 'demo-store', '--kind', 'basic'], suite.env());
    assert.equal(rotated.code, 0, rotated.stderr);
    const secret = /for demo-store:\n {2}(\S+)/.exec(rotated.stdout)?.[1];
    assert.ok(secret, rotated.stdout);
    assert.match(rotated.stdout, /The previous one no longer works\./);
    const partners = seeded.context.partners;
    // The command revoked the old one at the real now: read the credentials just after it.
    const demo_time_ms = seeded.clock.now_ms();
    seeded.clock.set(Date.now() + 1_000);
    try {
      assert.equal((await partners.authenticateBasic(CODE, { user: CODE, password: secret }, '127.0.0.1')).ok, true);
      assert.equal((await partners.authenticateBasic(CODE, { user: CODE, password: 'demo-secret' }, '127.0.0.1')).ok, false);
    } finally {
      seeded.clock.set(demo_time_ms);
    }
  });

  it('disables and enables a partner', async () => {
    const disabled = await runRoamcard(['partners', 'disable', 'acme-shops'], suite.env());
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.equal((await seeded.context.partners.getPartner('acme-shops')).enabled, 0);
    const enabled = await runRoamcard(['partners', 'enable', 'acme-shops'], suite.env());
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.equal((await seeded.context.partners.getPartner('acme-shops')).enabled, 1);
  });

  it('refuses bad input with a clear line and its exit code, changing nothing', async () => {
    const create = (code: string, ...extra: string[]) => runRoamcard([
      'partners', 'create', code, '--name', 'X', '--agent-name', 'Y', '--agent-inn', '7728029110', '--addresses', '10.0.0.1', ...extra,
    ], suite.env());
    const cases = [
      { run: create('bad-inn', '--agent-inn', '7728029111'), code: PARTNERS_EXIT_CODES.bad_input, text: /ROAM_ERR_INN_INVALID: The INN \(--agent-inn\) must have 10 digits .* \(7728029111\)/ },
      { run: create('bad-sum', '--sum-min', '1,5'), code: PARTNERS_EXIT_CODES.bad_input, text: /--sum-min has the wrong format\. \(1,5\)/ },
      { run: create('bad-addresses', '--addresses', 'anywhere'), code: PARTNERS_EXIT_CODES.bad_input, text: /--addresses must list IP addresses.*"anywhere" is not an IPv4\/IPv6 address/ },
      { run: create('acme-shops'), code: PARTNERS_EXIT_CODES.partner_exists, text: /A partner with the code acme-shops already exists\./ },
      { run: runRoamcard(['partners', 'registry', 'nobody', DAY], suite.env()), code: PARTNERS_EXIT_CODES.unknown_partner, text: /No partner with the code nobody\./ },
      { run: runRoamcard(['partners', 'registry', CODE, '2025-11-31'], suite.env()), code: PARTNERS_EXIT_CODES.bad_input, text: /<date> is not a date\. \(2025-11-31\)/ },
      { run: runRoamcard(['partners', 'rotate', 'nobody', '--kind', 'basic'], suite.env()), code: PARTNERS_EXIT_CODES.unknown_partner, text: /nobody/ },
      { run: runRoamcard(['partners', 'rotate', CODE, '--kind', 'basic', '--grace-hours', '-1'], suite.env()), code: PARTNERS_EXIT_CODES.bad_input, text: /--grace-hours/ },
    ];
    for (const expected of cases) {
      const result = await expected.run;
      assert.equal(result.code, expected.code, result.stderr);
      assert.match(result.stderr, expected.text);
      assert.equal(result.stdout, '', 'nothing printed as if done');
    }
    const without_secret = await runRoamcard(['partners', 'create', 'secretless', '--name', 'X', '--agent-name', 'Y', '--agent-inn', '7728029110',
      '--addresses', '10.0.0.1'], { ...suite.env(), AUTH_SECRET: '' });
    assert.equal(without_secret.code, PARTNERS_EXIT_CODES.no_auth_secret, without_secret.stderr);
    assert.match(without_secret.stderr, /AUTH_SECRET is not set/);
    const codes = (await seeded.context.partners.listPartners()).map((partner) => partner.code);
    assert.deepEqual(codes, ['acme-shops', 'demo-store'], 'nothing created by a refused command');
  });

  it('writes the day\'s registry to a file, and says on stderr that it matches the ledger', async () => {
    const file = path.join(suite.folder(), 'registry.csv');
    const written = await runRoamcard(['partners', 'registry', CODE, DAY, '--out', file], suite.env());
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, '');
    assert.equal(readFileSync(file, 'utf8'), [
      'txn_id,txn_date,account,sum,prv_txn',
      `5001,20251126120000,7900***4567,190.00,${prv_txn['5001']}`,
      `5002,20251126120000,7900***4568,150.00,${prv_txn['5002']}`,
      '',
    ].join('\r\n'));
    assert.match(written.stderr, /demo-store, 2025-11-26 \(Europe\/Moscow\): 2 payments, 340\.00; the settlement account gave out 340\.00: matches the ledger\./);

    const to_stdout = await runRoamcard(['partners', 'registry', CODE, DAY], suite.env());
    assert.equal(to_stdout.code, 0, to_stdout.stderr);
    assert.equal(to_stdout.stdout, readFileSync(file, 'utf8'), 'the same CSV on stdout when piped');
  });

  it('fails loudly, exit 1, when the settlement account moved without a payment behind it', async () => {
    await inTransaction(suite.database(), (trx) => postEntry(trx, {
      kind: 'refund', line_id: null, memo: 'stray movement', postings: [
        { account_id: demo.settlement_account_id, amount_minor: -1_234 },
        { account_id: SYSTEM_ACCOUNTS.refunds.id, amount_minor: 1_234 },
      ],
    }, Date.UTC(2025, 10, 25, 9, 0)));
    const result = await runRoamcard(['partners', 'registry', CODE, '2025-11-25'], suite.env());
    assert.equal(result.code, PARTNERS_EXIT_CODES.differences, result.stderr);
    assert.equal(result.stdout, 'txn_id,txn_date,account,sum,prv_txn\r\n');
    assert.match(result.stderr, /MISMATCH: the registry's 0\.00 is not the settlement account's movement of 12\.34 \(difference 12\.34\)\./);
    assert.match(result.stderr, /ledger entry \S+ \(refund, 2025-11-25T09:00:00\.000Z\) moved 12\.34 with no paid payment behind it: stray movement/);
  });

  it('reconciles the partner\'s registry: every difference listed, exit 1; none, exit 0', async () => {
    const theirs = path.join(suite.folder(), 'theirs.csv');
    // Russian Excel: semicolons, decimal commas, a BOM.
    writeFileSync(theirs, '\ufefftxn_id;sum;account\r\n5001;190,00;7900***4567\r\n5003;150,00;9009999999\r\n7777;99,00;\r\n5002;150,01;+7 900 123-45-99\r\n');
    const result = await runRoamcard(['partners', 'reconcile', CODE, DAY, theirs], suite.env());
    assert.equal(result.code, PARTNERS_EXIT_CODES.differences, result.stderr);
    assert.equal(result.stdout, [
      '2025-11-26: 4 rows in the partner\'s registry, 2 in ours.',
      'Differences: 4',
      '  line 3: txn_id 5003 is not paid by our records: refused (account_not_found).',
      '  line 4: txn_id 7777 (99.00) is not in our records at all.',
      '  line 5: txn_id 5002: sum 150.01 in theirs, 150.00 in ours.',
      '  line 5: txn_id 5002: account +7900***4599 in theirs, 7900***4568 in ours.',
      '',
    ].join('\n'));
    assert.ok(!result.stdout.includes('123-45-99'), 'their full number is not shown either');

    const same = path.join(suite.folder(), 'same.csv');
    writeFileSync(same, 'txn_id,sum,txn_date\n5002,150.00,20251126120000\n5001,190.00,20251126120000\n');
    const matched = await runRoamcard(['partners', 'reconcile', CODE, DAY, same], suite.env());
    assert.equal(matched.code, 0, matched.stderr);
    assert.match(matched.stdout, /No differences\./);
  });

  it('refuses a malformed registry file naming the line, and compares nothing', async () => {
    const cases: Array<{ content: string; text: RegExp }> = [
      { content: 'txn_id,sum\n5001,190.00\n5002,15O.00\n', text: /bad-1\.csv, line 3: ROAM_ERR_VALIDATION: sum has the wrong format\. \(15O\.00\)/ },
      { content: 'txn_id,amount\n5001,190.00\n', text: /bad-2\.csv: sum column is missing\. Nothing was compared\./ },
      { content: 'txn_id,sum\n5001,"190.00\n5002,150.00\n', text: /bad-3\.csv: not valid CSV at line 2/ },
      { content: 'txn_id,sum\n5001,190.00\n5002,150.00,extra\n', text: /line 3 has more cells than the header has columns\./ },
      { content: 'txn_id,sum\n,190.00\n', text: /line 2: ROAM_ERR_VALIDATION: txn_id is empty\./ },
    ];
    const files = cases.map((expected, index) => {
      const file = path.join(suite.folder(), `bad-${index + 1}.csv`);
      writeFileSync(file, expected.content);
      return file;
    });
    const results = await Promise.all(files.map((file) => runRoamcard(['partners', 'reconcile', CODE, DAY, file], suite.env())));
    for (const [index, result] of results.entries()) {
      assert.equal(result.code, PARTNERS_EXIT_CODES.bad_input, `${files[index]}: ${result.stderr}`);
      assert.match(result.stderr, cases[index]?.text ?? /./);
      assert.equal(result.stdout, '', 'nothing compared');
    }
  });
});
