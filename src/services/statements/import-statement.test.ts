import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importStatement, type BankTransferOutcome, type ImportRecord, type RejectedRow } from './import-statement.js';

/**
 * The row rules on their own. `settle` here is a small in-memory bank-transfer book with the same
 * four outcomes; the CLI tests (channels/cli/commands/imports.test.ts) run the real one on both
 * databases.
 */
function transferBook(transfers: Record<string, number>) {
  const settled = new Set<string>();
  const calls: Array<[string, number]> = [];
  const settle = async (reference: string, amount_minor: number): Promise<BankTransferOutcome> => {
    calls.push([reference, amount_minor]);
    const due = transfers[reference];
    if (due === undefined) return 'unknown_reference';
    if (due !== amount_minor) return 'amount_mismatch';
    if (settled.has(reference)) return 'already_final';
    settled.add(reference);
    return 'settled';
  };
  return { settle, calls };
}

type Row = { readonly reference: string; readonly amount: string } | { readonly problem: string };

function source(rows: readonly Row[]) {
  const records: ImportRecord[] = rows.map((row, index) => ('problem' in row
    ? { line_number: index + 2, values: {}, problem: row.problem }
    : { line_number: index + 2, values: row }));
  return {
    columns: ['reference', 'amount'],
    records: (async function* () {
      yield* records;
    })(),
  };
}

const reasons = (rejected: RejectedRow[]) => rejected.map((row) => [
  row.line_number, row.column, row.value, row.error.code, row.error.params.reason, row.error.params.line,
]);

describe('bank statement import', () => {
  it('settles each matching line once, counts a repeat import as already settled, and rejects the rest with a reason', async () => {
    const book = transferBook({ 'RC-AAAAAAAAAA': 19_000, 'RC-BBBBBBBBBB': 50_000 });
    const rejected: RejectedRow[] = [];
    const rows: Row[] = [
      { reference: 'rc-aaaaaaaaaa', amount: '190,00' }, // 2
      { reference: 'RC-BBBBBBBBBB', amount: '499.99' }, // 3: amount differs
      { reference: 'RC-CCCCCCCCCC', amount: '10' }, // 4: unknown
      { reference: 'RC-AAAAAAAAAA', amount: '190.00' }, // 5: second payment for one transfer
      { reference: ' ', amount: '1' }, // 6
      { reference: 'RC-BBBBBBBBBB', amount: '' }, // 7
      { reference: 'RC-BBBBBBBBBB', amount: '-500' }, // 8
      { reference: 'RC-BBBBBBBBBB', amount: '0,00' }, // 9
      { problem: 'column_count' }, // 10
    ];
    const summary = await importStatement(source(rows), { settle: book.settle, onRejected: (row) => rejected.push(row) });
    assert.deepEqual(summary, { rows_read: 9, settled: 1, already_settled: 0, rejected: 8 });
    assert.deepEqual(reasons(rejected), [
      [3, 'amount', '499.99', 'ROAM_ERR_VALIDATION', 'amount_mismatch', undefined],
      [4, 'reference', 'RC-CCCCCCCCCC', 'ROAM_ERR_VALIDATION', 'unknown_reference', undefined],
      [5, 'reference', 'RC-AAAAAAAAAA', 'ROAM_ERR_VALIDATION', 'duplicate_in_file', 2],
      [6, 'reference', '', 'ROAM_ERR_VALIDATION', 'empty', undefined],
      [7, 'amount', '', 'ROAM_ERR_VALIDATION', 'empty', undefined],
      [8, 'amount', '-500', 'ROAM_ERR_AMOUNT_INVALID', 'format', undefined],
      [9, 'amount', '0,00', 'ROAM_ERR_AMOUNT_INVALID', 'not_positive', undefined],
      [10, '', '', 'ROAM_ERR_VALIDATION', 'column_count', undefined],
    ]);
    assert.deepEqual(book.calls, [['RC-AAAAAAAAAA', 19_000], ['RC-BBBBBBBBBB', 49_999], ['RC-CCCCCCCCCC', 1_000]], 'bad lines never reach the settlement');

    const again = await importStatement(source([{ reference: 'RC-AAAAAAAAAA', amount: '190.00' }]), { settle: book.settle });
    assert.deepEqual(again, { rows_read: 1, settled: 0, already_settled: 1, rejected: 0 });
  });

  it('refuses a statement without its columns before reading a row', async () => {
    const book = transferBook({});
    await assert.rejects(importStatement({ columns: ['reference'], records: source([]).records }, { settle: book.settle }), /amount/);
  });

  it('reports progress after every row', async () => {
    const book = transferBook({ 'RC-AAAAAAAAAA': 100 });
    const progress: number[] = [];
    await importStatement(source([{ reference: 'RC-AAAAAAAAAA', amount: '1' }, { reference: 'x', amount: 'y' }]), {
      settle: book.settle, onProgress: ({ rows_read }) => progress.push(rows_read),
    });
    assert.deepEqual(progress, [1, 2]);
  });
});
