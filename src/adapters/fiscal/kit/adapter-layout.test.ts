import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The layout is the contract (as payments/kit/adapter-layout.test.ts): every fiscal adapter has the
 * same file set, takes part in the contract suite, and — in what runs in production — reaches the
 * rest of roamcard only through ports, never by importing a service. Read from the compiled tree.
 */

const FISCAL_FOLDER = fileURLToPath(new URL('..', import.meta.url));
/** Registers outside roamcard: each talks to a local fake in tests. */
const OUTSIDE_ADAPTERS = ['atol'] as const;
/** In-house registers: their books are our database. */
const IN_HOUSE_ADAPTERS = ['sandbox'] as const;
const OUTSIDE_FILE_SET = ['config', 'wire', 'register', 'fake-server', 'contract-driver', 'register.test'];
const IN_HOUSE_FILE_SET = ['register', 'contract-driver', 'register.test'];
const TEST_SUPPORT = /(\.test|-fake-server|-contract-driver|register-testing|register-contract)\.js$/;

function compiledFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return compiledFiles(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

describe('fiscal adapter layout', () => {
  for (const [adapters, file_set] of [[OUTSIDE_ADAPTERS, OUTSIDE_FILE_SET], [IN_HOUSE_ADAPTERS, IN_HOUSE_FILE_SET]] as const) {
    for (const adapter of adapters) {
      it(`${adapter}: has the file set ${file_set.map((part) => `${adapter}-${part}`).join(', ')}`, () => {
        const files = new Set(readdirSync(path.join(FISCAL_FOLDER, adapter)));
        for (const part of file_set) assert.ok(files.has(`${adapter}-${part}.js`), `${adapter}/${adapter}-${part}.ts is missing`);
      });
    }
  }

  it('every adapter runs the contract suite through its driver', () => {
    const suite = readFileSync(path.join(FISCAL_FOLDER, 'kit', 'register-contract.test.js'), 'utf8');
    for (const adapter of [...OUTSIDE_ADAPTERS, ...IN_HOUSE_ADAPTERS]) assert.ok(suite.includes(`'../${adapter}/${adapter}-contract-driver.js'`), adapter);
  });

  it('no adapter code that runs in production imports a service: it is given ports instead', () => {
    const offenders = compiledFiles(FISCAL_FOLDER)
      .filter((file) => !TEST_SUPPORT.test(file))
      .filter((file) => /from '(\.\.\/)+services\//.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(FISCAL_FOLDER, file));
    assert.deepEqual(offenders, []);
  });
});
