import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { describeEachDatabase } from '../../../testing/databases.js';
import { processSuite, runRoamcard } from '../../../testing/roamcard-process.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { EXIT_CODE_UNKNOWN_PARTNER } from './stores.js';

/**
 * `roamcard stores …` as an operator runs it: the compiled binary on the suite's database, seeded
 * with the demo (its stores, and the demo partner `demo-store` that owns the Perekrestok ones).
 */

const HEADER = 'code;kind;partner;chain;name;city;address;address_ru;time_zone;latitude;longitude;opening_hours;renews';

// Excel on a Russian Windows: BOM, semicolons, CRLF; hours with ";" inside quotes.
const STORE_FILE = '\ufeff' + [
  HEADER, // 1
  'tula-lenina;partner_store;demo-store;;Perekrestok, Lenina 85;Tula;Lenina Ave 85;проспект Ленина, 85;;54.1931;37.6173;08:00-22:00;', // 2 ok
  'tula-hall;service_hall;;;roamcard Service Hall, Tula;Tula;Sovetskaya St 1;;;54.1961;37.6182;"Mo-Fr 09:00-20:00; Sa 10:00-16:00; Su off";yes', // 3 ok
  'Tula_Lenina;partner_store;demo-store;;Perekrestok;Tula;Lenina Ave 1;;;54.19;37.61;24/7;', // 4 code
  'tula-nobody;partner_store;nobody;;Shop;Tula;Lenina Ave 2;;;54.19;37.61;24/7;', // 5 unknown partner
  'tula-comma;partner_store;demo-store;;Shop;Tula;Lenina Ave 3;;;54,19;37.61;24/7;', // 6 decimal comma
  'tula-hours;partner_store;demo-store;;Shop;Tula;Lenina Ave 4;;;54.19;37.61;Mo-Fr 9-18;', // 7 hours
  'tula-lenina;partner_store;demo-store;;Perekrestok again;Tula;Lenina Ave 85;;;54.19;37.61;24/7;', // 8 code of line 2
  'tula-esc;partner_store;demo-store;;Shop\x1b[2J;Tula;Lenina Ave 5;;;54.19;37.61;24/7;', // 9 an escape in the name
  'perekrestok-arbat;partner_store;demo-store;;Perekrestok, Arbat 24;Moscow;Arbat St 24;улица Арбат, 24;;55.7502;37.5925;07:00-22:00;', // 10 updated
].join('\r\n') + '\r\n';

describeEachDatabase('roamcard stores (CLI)', (test_db) => {
  const suite = processSuite(test_db, 'roamcard-stores-', () => ({ LOG_LEVEL: 'silent', ROAMCARD_LANG: '', LANG: 'C' }));
  let seeded: SeededContext;

  const file = (name: string, content: string) => {
    const file_path = path.join(suite.folder(), name);
    writeFileSync(file_path, content);
    return file_path;
  };
  const stores = () => suite.database().db.selectFrom('stores').selectAll().orderBy('code').execute();
  /** The first word of each line of a table, the header's first. */
  const codes = (table: string) => table.trimEnd().split('\n').map((line) => line.split(/\s+/)[0]);

  before(async () => {
    const migrated = await runRoamcard(['migrate'], suite.env());
    assert.equal(migrated.code, 0, migrated.stderr);
    seeded = await seededContext(suite.database());
  });

  after(async () => {
    await seeded?.context.close();
  });

  it('imports stores from a Russian Excel file, updating a changed one and rejecting each bad row with its line, column and reason', async () => {
    const arbat_before = (await stores()).find((row) => row.code === 'perekrestok-arbat');
    const result = await runRoamcard(['stores', 'import', file('stores.csv', STORE_FILE), '--lang', 'en'], suite.env());
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stdout, /stores\.csv: 9 rows\n {2}imported:\s+2\n {2}updated:\s+1\n {2}unchanged:\s+0\n {2}rejected:\s+6\n/);
    const rejected = result.stdout.split('Rejected rows (6):\n')[1]?.split('\n').slice(1, 7).map((line) => line.trim().split(/\s+/)[0]);
    assert.deepEqual(rejected, ['4', '5', '6', '7', '8', '9']);
    assert.match(result.stdout, /^\s+4\s+code\s+Tula_Lenina\s+code must be 2 to 40 lower-case Latin letters, digits or dashes/m);
    assert.match(result.stdout, /^\s+5\s+partner\s+nobody\s+No partner with the code nobody\.$/m);
    assert.match(result.stdout, /^\s+6\s+latitude\s+54,19\s+latitude must be degrees from -90 to 90, with a dot for decimals \(55\.7558\)\.$/m);
    assert.match(result.stdout, /^\s+7\s+opening_hours\s+9-18\s+opening_hours has times that cannot be read/m);
    assert.match(result.stdout, /^\s+8\s+code\s+tula-lenina\s+code appears twice in the file\. First at line 2\.$/m);
    assert.match(result.stdout, /^\s+9\s+name\s+Shop\\x1B\[2J\s+name contains a line break, tab or invisible character\.$/m);
    assert.ok(!result.stdout.includes('\x1b') && !result.stderr.includes('\x1b'), 'the escape from the file is shown, never sent');
    assert.equal(result.stderr, '', 'no progress noise for a small file');

    const by_code = new Map((await stores()).map((row) => [row.code, row]));
    const demo = await seeded.context.partners.getPartner('demo-store');
    const lenina = by_code.get('tula-lenina');
    assert.deepEqual([lenina?.kind, lenina?.chain, lenina?.partner_id, lenina?.address_ru, lenina?.time_zone, lenina?.cash_account_id], [
      'partner_store', 'Perekrestok', demo.id, 'проспект Ленина, 85', 'Europe/Moscow', 'cash:tula-lenina',
    ]);
    assert.equal(by_code.get('tula-hall')?.opening_hours, 'Mo-Fr 09:00-20:00; Sa 10:00-16:00; Su off');
    const arbat = by_code.get('perekrestok-arbat');
    assert.deepEqual([arbat?.id, arbat?.opening_hours], [arbat_before?.id, '07:00-22:00']);
    const drawer = await suite.database().db.selectFrom('ledger_accounts').select('kind').where('id', '=', 'cash:tula-hall').executeTakeFirst();
    assert.equal(drawer?.kind, 'cash_drawer');
  });

  it('changes nothing when the same file is imported again, and says so in the chosen language', async () => {
    const before_rows = await stores();
    const result = await runRoamcard(['stores', 'import', path.join(suite.folder(), 'stores.csv'), '--lang', 'ru'], suite.env());
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stdout, /добавлено:\s+0\n {2}обновлено:\s+0\n {2}без изменений:\s+3\n {2}отклонено:\s+6\n/);
    assert.match(result.stdout, /^\s+5\s+partner\s+nobody\s+Партнёра с кодом nobody нет\.$/m);
    assert.deepEqual(await stores(), before_rows);
  });

  it('exits 0 for a clean file, writes nothing in a dry run, and refuses a file with a missing column', async () => {
    const clean = file('clean.csv', `${HEADER.replaceAll(';', ',')}\ntula-arsenal,partner_store,demo-store,,"Perekrestok, Arsenal",Tula,Oktyabrskaya St 2,,,54.21,37.63,24/7,no\n`);
    const dry = await runRoamcard(['stores', 'import', clean, '--dry-run', '--lang', 'en'], suite.env());
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /to import:\s+1\n {2}to update:\s+0\n[\s\S]*Dry run: nothing was written\./);
    assert.equal((await stores()).some((row) => row.code === 'tula-arsenal'), false);

    const first = await runRoamcard(['stores', 'import', clean, '--lang', 'en'], suite.env());
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /imported:\s+1\n {2}updated:\s+0\n {2}unchanged:\s+0\n {2}rejected:\s+0\n$/);
    const second = await runRoamcard(['stores', 'import', clean, '--lang', 'en'], suite.env());
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /imported:\s+0\n {2}updated:\s+0\n {2}unchanged:\s+1\n {2}rejected:\s+0\n$/);

    const before_rows = await stores();
    const refused = await runRoamcard(['stores', 'import', file('no-hours.csv', 'code,kind,name,city,address,latitude,longitude\n'), '--lang', 'en'], suite.env());
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no-hours\.csv: opening_hours column is missing\./);
    assert.equal(refused.stdout, '');
    assert.deepEqual(await stores(), before_rows);
  });

  it('lists a partner\'s stores, or a city\'s, as a table; an unknown partner is refused', async () => {
    const listed = await runRoamcard(['stores', 'list', '--partner', 'demo-store', '--lang', 'en'], suite.env());
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(codes(listed.stdout), ['code', 'perekrestok-arbat', 'perekrestok-tverskaya', 'perekrestok-nevsky', 'tula-arsenal', 'tula-lenina']);
    assert.match(listed.stdout, /^code {2,}kind {2,}partner {2,}chain {2,}city {2,}name {2,}renews {2}hours$/m);
    assert.match(listed.stdout, /^tula-lenina {2,}partner_store {2,}demo-store {2,}Perekrestok {2,}Tula {2,}Perekrestok, Lenina 85 {2,}yes {2,}08:00-22:00$/m);
    assert.match(listed.stdout, /^tula-arsenal .* no {2,}24\/7$/m);

    const tula = await runRoamcard(['stores', 'list', '--city', 'Tula', '--lang', 'en'], suite.env());
    assert.equal(tula.code, 0, tula.stderr);
    assert.deepEqual(codes(tula.stdout), ['code', 'tula-hall', 'tula-arsenal', 'tula-lenina']);
    assert.match(tula.stdout, /^tula-hall {2,}service_hall {2,}Tula {2,}roamcard Service Hall, Tula {2,}yes {2,}Mo-Fr 09:00-20:00; Sa 10:00-16:00; Su off$/m);

    // Chinese characters take two cells: the columns still line up under their headers.
    const chinese = await runRoamcard(['stores', 'list', '--city', 'Tula', '--lang', 'zh-Hans'], suite.env());
    const [header, ...lines] = chinese.stdout.trimEnd().split('\n');
    const cellsBefore = (line: string, text: string) => [...line.slice(0, line.indexOf(text))].reduce((width, character) => width + (/[\u4e00-\u9fff]/.test(character) ? 2 : 1), 0);
    assert.equal(lines.length, 3);
    for (const line of lines) assert.equal(cellsBefore(line, 'Tula'), cellsBefore(header ?? '', '城市'), line);

    await seeded.context.partners.setEnabled('demo-store', false);
    const disabled = await runRoamcard(['stores', 'list', '--partner', 'demo-store', '--city', 'Tula', '--lang', 'ru'], suite.env());
    await seeded.context.partners.setEnabled('demo-store', true);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /^код {2,}тип/m);
    assert.match(disabled.stdout, /^tula-lenina .* нет \(партнёр отключён\) {2}08:00-22:00$/m);

    const none = await runRoamcard(['stores', 'list', '--city', 'Atlantis', '--lang', 'en'], suite.env());
    assert.deepEqual([none.code, none.stdout], [0, 'No stores.\n']);
    const unknown = await runRoamcard(['stores', 'list', '--partner', 'nobody', '--lang', 'en'], suite.env());
    assert.equal(unknown.code, EXIT_CODE_UNKNOWN_PARTNER);
    assert.match(unknown.stderr, /No partner with the code nobody\./);
    assert.equal(unknown.stdout, '');
  });
});
