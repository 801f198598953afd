import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { planCharge, type BundleBalance } from '../../core/charging-plan.js';
import { expiresAtMs } from '../../core/catalog.js';
import { BYTES_PER_MB, MS_PER_HOUR, type UsageKind } from '../../core/units.js';
import { ManualClock } from '../../ports/clock.js';
import { chargingViolations, usageRowCounts } from '../../testing/charging-invariants.js';
import {
  defineTestPack,
  ensureTestAccounts,
  openTestLine,
  SANDBOX_CLEARING_ACCOUNT_ID,
  TEST_EPOCH_MS,
  testTariffFor,
  walletBalance,
  type TestPack,
} from '../../testing/charging-fixtures.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { createServices, type Services } from '../index.js';
import type { Line } from '../lines/lines.js';
import type { UsageInput, UsageResult } from './usage.js';
import type { BundleResult } from './wallet.js';

/**
 * Model-based property test of the money path, on each database. fast-check generates a sequence
 * of operations over two fresh lines (top-ups, pack purchases, paid activations, usage events and
 * batches with repeated ids, exact replays, reversals of earlier entries, clock moves, expiry,
 * suspension); a plain in-memory model predicts each outcome — result or RoamError code — and the
 * run fails at the first difference. After each sequence the database must satisfy the invariants
 * (chargingViolations), and wallets and bundles must equal the model's.
 * Runs reuse one database (fresh lines per run). RUNS_PER_DATABASE keeps it quick on 2 cores.
 */

const RUNS_PER_DATABASE = Number(process.env.PROPERTY_RUNS ?? 60);
const OPERATIONS_MAX = 30;
const LINES_PER_RUN = 2;
const GHOST_LINE = LINES_PER_RUN; // a line index that refers to no line

const PACKS: readonly TestPack[] = [
  { code: 'prop-data', data_mb: 1, validity_hours: 1, price_minor: 300 },
  { code: 'prop-voice', voice_minutes: 5, validity_hours: 2, price_minor: 1_000 },
  { code: 'prop-sms', sms_count: 3, validity_hours: 24, price_minor: 700 },
  { code: 'prop-combo', data_mb: 2, voice_minutes: 3, sms_count: 2, validity_hours: 3, price_minor: 1_500 },
  { code: 'prop-free', data_mb: 1, validity_hours: 1, price_minor: 0 },
];

type Kind = UsageKind | 'fax';
interface UsageOp { line: number; kind: Kind; quantity: number; event: number; at_offset_ms: number; ref: 'id' | 'msisdn' | 'spelled' }
type Operation =
  | { op: 'top_up'; line: number; amount_minor: number; key: number }
  | { op: 'buy'; line: number; pack: number; key: number }
  | { op: 'activate'; line: number; pack: number; amount_minor: number; key: number }
  | { op: 'usage'; usage: UsageOp }
  | { op: 'batch'; events: UsageOp[] }
  | { op: 'replay'; pick: number }
  | { op: 'reverse'; pick: number }
  | { op: 'advance'; ms: number }
  | { op: 'expire' }
  | { op: 'toggle_status'; line: number };

const lineIndex = fc.integer({ min: 0, max: LINES_PER_RUN - 1 });
const quantityOf: Record<Kind, fc.Arbitrary<number>> = {
  data: fc.oneof(fc.integer({ min: 0, max: 3 * BYTES_PER_MB }), fc.integer({ min: 0, max: 5_000 })),
  voice: fc.integer({ min: 0, max: 400 }),
  sms: fc.integer({ min: 0, max: 5 }),
  fax: fc.integer({ min: 0, max: 5 }),
};
const usageOp: fc.Arbitrary<UsageOp> = fc
  .oneof({ weight: 10, arbitrary: fc.constantFrom<Kind>('data', 'voice', 'sms') }, { weight: 1, arbitrary: fc.constant<Kind>('fax') })
  .chain((kind) => fc.record({
    line: fc.oneof({ weight: 12, arbitrary: lineIndex }, { weight: 1, arbitrary: fc.constant(GHOST_LINE) }),
    kind: fc.constant(kind),
    quantity: quantityOf[kind],
    event: fc.integer({ min: 0, max: 6 }),
    at_offset_ms: fc.oneof(fc.constant(0), fc.integer({ min: -4 * MS_PER_HOUR, max: 10 * 60_000 })),
    ref: fc.constantFrom<UsageOp['ref']>('id', 'msisdn', 'spelled'),
  }));
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('top_up' as const), line: lineIndex, amount_minor: fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 20_000 })), key: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('buy' as const), line: lineIndex, pack: fc.integer({ min: 0, max: PACKS.length - 1 }), key: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('activate' as const), line: lineIndex, pack: fc.integer({ min: 0, max: PACKS.length - 1 }), amount_minor: fc.integer({ min: 0, max: 3_000 }), key: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('usage' as const), usage: usageOp }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('batch' as const), events: fc.array(usageOp, { minLength: 1, maxLength: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replay' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reverse' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 2 * MS_PER_HOUR }), fc.constant(MS_PER_HOUR)) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'expire' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('toggle_status' as const), line: lineIndex }) },
);
const scenario = fc.record({ operations: fc.array(operation, { minLength: 1, maxLength: OPERATIONS_MAX, size: 'max' }), sms_payg: fc.boolean() });

// ---------------------------------------------------------------------------------------------
// The model

interface ModelBundle { id: string; line: number; activated_at_ms: number; expires_at_ms: number; remaining: Record<UsageKind, number> }
interface ModelEntry { id: string; line: number; wallet_delta_minor: number; reversed: boolean }
interface ModelEvent { line: number; input: UsageInput; result: UsageResult }

class Model {
  readonly wallet_minor: number[] = Array.from({ length: LINES_PER_RUN }, () => 0);
  readonly active: boolean[] = Array.from({ length: LINES_PER_RUN }, () => true);
  readonly top_up_keys = new Map<string, { line: number; amount_minor: number; entry_id: string }>();
  readonly bundle_keys = new Map<string, { signature: string; bundle_id: string }>();
  readonly bundles = new Map<string, ModelBundle>();
  readonly entries: ModelEntry[] = [];
  readonly events = new Map<string, ModelEvent>();
  /** Sums "as recorded": what the wallet should be is top-ups − purchases − usage ± reversals. */
  readonly flows = Array.from({ length: LINES_PER_RUN }, () => ({ top_ups: 0, purchases: 0, usage: 0, reversals: 0 }));
}

/** Runs `fn`; returns its result or the RoamError code; anything else (a programmer error) fails the run. */
type Outcome<T> = { ok: true; value: T } | { ok: false; code: string };

async function outcome<T>(label: string, fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    const value = await fn();
    const replayed = (value as { replayed?: boolean }).replayed;
    count(`${label}:${replayed ? 'replayed' : 'ok'}`);
    return { ok: true, value };
  } catch (error) {
    const roam = error as { name?: string; code?: string };
    if (roam.name === 'RoamError' && typeof roam.code === 'string') {
      count(`${label}:${roam.code.replace('ROAM_ERR_', '')}`);
      return { ok: false, code: roam.code };
    }
    throw error;
  }
}

function expectError(actual: { ok: boolean; code?: string }, code: string, what: string): void {
  assert.deepEqual(actual.ok ? 'succeeded' : actual.code, code, what);
}

/** What the generated sequences exercised (printed once per database, to show the coverage). */
const tally = new Map<string, number>();
function count(label: string): void {
  tally.set(label, (tally.get(label) ?? 0) + 1);
}

const REMAINING = { data: 'data_bytes_remaining', voice: 'voice_seconds_remaining', sms: 'sms_remaining' } as const;

describeEachDatabase('charging invariants (model-based property test)', (t) => {
  let run = 0;

  before(async () => {
    await ensureTestAccounts(t.database, TEST_EPOCH_MS);
    for (const pack of PACKS) await defineTestPack(t.database, pack, TEST_EPOCH_MS);
  });

  it(`holds the invariants over ${RUNS_PER_DATABASE} random operation sequences`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ operations, sms_payg }) => {
        run += 1;
        const prefix = `run${run}`;
        const clock = new ManualClock(TEST_EPOCH_MS);
        const tariffFor = testTariffFor(sms_payg ? [] : ['sms']);
        const services = createServices({ database: t.database, clock, tariffFor });
        const lines: Line[] = [];
        for (let index = 0; index < LINES_PER_RUN; index += 1) lines.push(await openTestLine(t.database, clock.now_ms()));
        const model = new Model();
        const step = new Stepper(services, clock, lines, model, prefix, tariffFor);
        for (const [index, op] of operations.entries()) await step.apply(op, `operation ${index} ${JSON.stringify(op)}`);
        await checkAgainstDatabase(t.database.db, lines, model);
      }),
      { numRuns: RUNS_PER_DATABASE, endOnFailure: true },
    );
    console.log(`[${t.dialect}] outcomes: ${[...tally.entries()].sort().map(([label, n]) => `${label}=${n}`).join(' ')}`);
    tally.clear();
  });
});

class Stepper {
  constructor(
    private readonly services: Services,
    private readonly clock: ManualClock,
    private readonly lines: Line[],
    private readonly model: Model,
    private readonly prefix: string,
    private readonly tariffFor: ReturnType<typeof testTariffFor>,
  ) {}

  async apply(op: Operation, what: string): Promise<void> {
    switch (op.op) {
      case 'top_up': return this.topUp(op, what);
      case 'buy': return this.buy(op, what);
      case 'activate': return this.activate(op, what);
      case 'usage': return this.usage(op.usage, what);
      case 'batch': return this.batch(op.events, what);
      case 'replay': return this.replay(op.pick, what);
      case 'reverse': return this.reverse(op.pick, what);
      case 'advance': this.clock.advance(op.ms); return;
      case 'expire': return this.expire(what);
      case 'toggle_status': return this.toggleStatus(op.line);
    }
  }

  private line(index: number): Line {
    const line = this.lines[index];
    assert.ok(line);
    return line;
  }

  private async topUp(op: Extract<Operation, { op: 'top_up' }>, what: string): Promise<void> {
    const { model } = this;
    const key = `${this.prefix}:topup:${op.key}`;
    const line = this.line(op.line);
    const actual = await outcome('top_up', () => this.services.creditWallet({ line: { line_id: line.id }, amount_minor: op.amount_minor, source_account_id: SANDBOX_CLEARING_ACCOUNT_ID, idempotency_key: key }));
    const known = model.top_up_keys.get(key);
    if (known && (known.line !== op.line || known.amount_minor !== op.amount_minor)) return expectError(actual, 'ROAM_ERR_IDEMPOTENCY_CONFLICT', what);
    if (!known && !model.active[op.line]) return expectError(actual, 'ROAM_ERR_LINE_NOT_ACTIVE', what);
    assert.ok(actual.ok, `${what}: ${JSON.stringify(actual)}`);
    if (known) {
      assert.deepEqual([actual.value.replayed, actual.value.entry_id], [true, known.entry_id], what);
    } else {
      assert.equal(actual.value.replayed, false, what);
      model.top_up_keys.set(key, { line: op.line, amount_minor: op.amount_minor, entry_id: actual.value.entry_id });
      model.entries.push({ id: actual.value.entry_id, line: op.line, wallet_delta_minor: op.amount_minor, reversed: false });
      model.wallet_minor[op.line] = (model.wallet_minor[op.line] ?? 0) + op.amount_minor;
      model.flows[op.line]!.top_ups += op.amount_minor;
    }
    assert.equal(actual.value.balance_minor, model.wallet_minor[op.line], what);
  }

  private async buy(op: Extract<Operation, { op: 'buy' }>, what: string): Promise<void> {
    const { model } = this;
    const pack = PACKS[op.pack]!;
    const key = `${this.prefix}:bundle:${op.key}`;
    const line = this.line(op.line);
    const signature = `buy/${op.line}/${pack.code}`;
    const actual = await outcome('buy', () => this.services.buyPackageFromWallet({ line: { line_id: line.id }, package_code: pack.code, channel: 'app', idempotency_key: key }));
    if (this.checkedAsReplay(actual, key, signature, what)) return;
    if (!model.active[op.line]) return expectError(actual, 'ROAM_ERR_LINE_NOT_ACTIVE', what);
    if ((model.wallet_minor[op.line] ?? 0) < pack.price_minor) return expectError(actual, 'ROAM_ERR_INSUFFICIENT_FUNDS', what);
    assert.ok(actual.ok, `${what}: ${JSON.stringify(actual)}`);
    const { bundle } = actual.value;
    assert.deepEqual([actual.value.replayed, bundle.price_minor, bundle.source], [false, pack.price_minor, 'wallet'], what);
    this.addBundle(op.line, pack, bundle.id, key, signature);
    model.wallet_minor[op.line] = (model.wallet_minor[op.line] ?? 0) - pack.price_minor;
    model.flows[op.line]!.purchases += pack.price_minor;
    if (pack.price_minor === 0) assert.equal(bundle.entry_id, null, what);
    else {
      assert.ok(bundle.entry_id, what);
      model.entries.push({ id: bundle.entry_id, line: op.line, wallet_delta_minor: -pack.price_minor, reversed: false });
    }
  }

  private async activate(op: Extract<Operation, { op: 'activate' }>, what: string): Promise<void> {
    const { model } = this;
    const pack = PACKS[op.pack]!;
    const key = `${this.prefix}:bundle:${op.key}`;
    const line = this.line(op.line);
    const signature = `activate/${op.line}/${pack.code}/${op.amount_minor}`;
    const actual = await outcome('activate', () => this.services.activatePaidPackage({
      line: { line_id: line.id }, package_code: pack.code, paid_from_account_id: SANDBOX_CLEARING_ACCOUNT_ID,
      amount_minor: op.amount_minor, package_price_id: null, idempotency_key: key,
    }));
    if (this.checkedAsReplay(actual, key, signature, what)) return;
    assert.ok(actual.ok, `${what}: ${JSON.stringify(actual)}`);
    const { bundle } = actual.value;
    assert.deepEqual([actual.value.replayed, bundle.price_minor, bundle.source], [false, op.amount_minor, 'external'], what);
    this.addBundle(op.line, pack, bundle.id, key, signature);
    if (op.amount_minor === 0) assert.equal(bundle.entry_id, null, what);
    else {
      assert.ok(bundle.entry_id, what);
      model.entries.push({ id: bundle.entry_id, line: op.line, wallet_delta_minor: 0, reversed: false });
    }
  }

  /** An operation under a key used before: the same request replays its bundle, another is a conflict. True when it was one. */
  private checkedAsReplay(actual: Outcome<BundleResult>, key: string, signature: string, what: string): boolean {
    const known = this.model.bundle_keys.get(key);
    if (!known) return false;
    if (known.signature !== signature) expectError(actual, 'ROAM_ERR_IDEMPOTENCY_CONFLICT', what);
    else {
      assert.ok(actual.ok, `${what}: ${JSON.stringify(actual)}`);
      assert.deepEqual([actual.value.replayed, actual.value.bundle.id], [true, known.bundle_id], what);
    }
    return true;
  }

  private addBundle(line: number, pack: TestPack, id: string, key: string, signature: string): void {
    const now_ms = this.clock.now_ms();
    this.model.bundle_keys.set(key, { signature, bundle_id: id });
    this.model.bundles.set(id, {
      id, line, activated_at_ms: now_ms, expires_at_ms: expiresAtMs(now_ms, pack.validity_hours ?? 24),
      remaining: { data: (pack.data_mb ?? 0) * BYTES_PER_MB, voice: (pack.voice_minutes ?? 0) * 60, sms: pack.sms_count ?? 0 },
    });
  }

  private usageInput(usage: UsageOp): UsageInput {
    const event_id = `${this.prefix}:ev${usage.event}`;
    const base = { event_id, kind: usage.kind, quantity: usage.quantity, at_ms: this.clock.now_ms() + usage.at_offset_ms };
    if (usage.line === GHOST_LINE) return { ...base, line_id: 'ln_ghost' };
    const line = this.line(usage.line);
    if (usage.ref === 'id') return { ...base, line_id: line.id };
    return { ...base, msisdn: usage.ref === 'msisdn' ? line.msisdn : `8 (${line.msisdn.slice(2, 5)}) ${line.msisdn.slice(5, 8)}-${line.msisdn.slice(8)}` };
  }

  /** What the model says one usage event does: the result or the error code, applied to the model. */
  private predictUsage(usage: UsageOp, input: UsageInput): { ok: true; value: UsageResult } | { ok: false; code: string } {
    const { model } = this;
    if (usage.kind === 'fax') return { ok: false, code: 'ROAM_ERR_VALIDATION' };
    if (usage.line === GHOST_LINE) return { ok: false, code: 'ROAM_ERR_LINE_NOT_FOUND' };
    const line = this.line(usage.line);
    const key = `${usage.line}/${input.event_id}`;
    const previous = model.events.get(key);
    if (previous) {
      const same = previous.input.kind === input.kind && previous.input.quantity === input.quantity && previous.input.at_ms === input.at_ms;
      return same ? { ok: true, value: { ...previous.result, replayed: true } } : { ok: false, code: 'ROAM_ERR_USAGE_EVENT_CONFLICT' };
    }
    const kind = usage.kind;
    const bundles: BundleBalance[] = [...model.bundles.values()]
      .filter((bundle) => bundle.line === usage.line)
      .map((bundle) => ({
        id: bundle.id, activated_at_ms: bundle.activated_at_ms, expires_at_ms: bundle.expires_at_ms, remaining: bundle.remaining[kind],
      }));
    const plan = planCharge({
      kind, quantity: usage.quantity, at_ms: input.at_ms, line_active: model.active[usage.line] ?? false, bundles,
      wallet_balance_minor: model.wallet_minor[usage.line] ?? 0, tariff: this.tariffFor(kind),
    });
    for (const draw of plan.draws) model.bundles.get(draw.bundle_id)!.remaining[kind] -= draw.quantity;
    model.wallet_minor[usage.line] = (model.wallet_minor[usage.line] ?? 0) - plan.wallet_charge_minor;
    model.flows[usage.line]!.usage += plan.wallet_charge_minor;
    const result: UsageResult = {
      event_id: input.event_id, line_id: line.id, kind, quantity: usage.quantity, granted: plan.from_bundles + plan.from_wallet,
      from_bundles: plan.from_bundles, from_wallet: plan.from_wallet, wallet_charge_minor: plan.wallet_charge_minor,
      denied: plan.denied, denial_reason: plan.denial_reason, draws: plan.draws, replayed: false,
    };
    model.events.set(key, { line: usage.line, input, result });
    return { ok: true, value: result };
  }

  /** Journal entries of new wallet charges join the model's list (so later reversals can pick them). */
  private async recordChargeEntry(usage: UsageOp, result: UsageResult): Promise<void> {
    if (result.replayed || result.wallet_charge_minor === 0) return;
    const row = await this.services.database.db.selectFrom('usage_events').select('entry_id').where('line_id', '=', result.line_id).where('event_id', '=', result.event_id).executeTakeFirstOrThrow();
    assert.ok(row.entry_id);
    this.model.entries.push({ id: row.entry_id, line: usage.line, wallet_delta_minor: -result.wallet_charge_minor, reversed: false });
  }

  private async usage(usage: UsageOp, what: string): Promise<void> {
    const input = this.usageInput(usage);
    const actual = await outcome('usage', () => this.services.chargeUsage(input));
    const expected = this.predictUsage(usage, input);
    assert.deepEqual(actual.ok ? { ok: true, value: actual.value } : actual, expected, what);
    if (actual.ok) {
      if (!actual.value.replayed) count(`usage:${actual.value.denial_reason ?? (actual.value.from_wallet > 0 ? 'wallet' : 'bundles')}`);
      await this.recordChargeEntry(usage, actual.value);
    }
  }

  private async batch(events: UsageOp[], what: string): Promise<void> {
    const inputs = events.map((usage) => this.usageInput(usage));
    const outcomes = await this.services.chargeUsageBatch(inputs);
    assert.equal(outcomes.length, inputs.length, what);
    for (const [index, usage] of events.entries()) {
      const actual = outcomes[index]!;
      const expected = this.predictUsage(usage, inputs[index]!);
      count(`batch:${actual.ok ? (actual.result.replayed ? 'replayed' : 'ok') : actual.error.code.replace('ROAM_ERR_', '')}`);
      assert.deepEqual(actual.ok ? { ok: true, value: actual.result } : { ok: false, code: actual.error.code }, expected, `${what} slot ${index}`);
      if (actual.ok) await this.recordChargeEntry(usage, actual.result);
    }
  }

  /** Sends an earlier event again, exactly, through another spelling of the line: a pure replay. */
  private async replay(pick: number, what: string): Promise<void> {
    const events = [...this.model.events.values()];
    if (events.length === 0) return;
    const event = events[pick % events.length]!;
    const line = this.line(event.line);
    const counts_before = await usageRowCounts(this.services.database.db, [line.id]);
    const wallet_before = await walletBalance(this.services.database, line);
    const result = await this.services.chargeUsage({ ...event.input, line_id: undefined, msisdn: `+7 ${line.msisdn.slice(2)}` });
    count('replay:exact');
    assert.deepEqual(result, { ...event.result, replayed: true }, what);
    assert.deepEqual(await usageRowCounts(this.services.database.db, [line.id]), counts_before, what);
    assert.equal(await walletBalance(this.services.database, line), wallet_before, what);
  }

  private async reverse(pick: number, what: string): Promise<void> {
    const { model } = this;
    // Mostly an entry of this run; now and then one that does not exist.
    const entry = pick % 10 === 9 ? undefined : model.entries[pick % Math.max(model.entries.length, 1)];
    const actual = await outcome('reverse', () => this.services.reverseEntry(entry?.id ?? 'je_missing', 'property test correction'));
    if (!entry) return expectError(actual, 'ROAM_ERR_ENTRY_NOT_FOUND', what);
    if (entry.reversed) return expectError(actual, 'ROAM_ERR_ENTRY_ALREADY_REVERSED', what);
    const wallet_after = (model.wallet_minor[entry.line] ?? 0) - entry.wallet_delta_minor;
    if (wallet_after < 0) return expectError(actual, 'ROAM_ERR_INSUFFICIENT_FUNDS', what);
    assert.ok(actual.ok, `${what}: ${JSON.stringify(actual)}`);
    entry.reversed = true;
    model.wallet_minor[entry.line] = wallet_after;
    model.flows[entry.line]!.reversals -= entry.wallet_delta_minor;
    model.entries.push({ id: actual.value, line: entry.line, wallet_delta_minor: -entry.wallet_delta_minor, reversed: false });
  }

  private async expire(what: string): Promise<void> {
    await this.services.expireBundles();
    const now_ms = this.clock.now_ms();
    const rows = await this.services.database.db.selectFrom('bundles').select(['id', 'status', 'expires_at_ms']).where('line_id', 'in', this.lines.map((line) => line.id)).execute();
    for (const row of rows) assert.equal(row.status, Number(row.expires_at_ms) <= now_ms ? 'expired' : 'active', `${what}: bundle ${row.id}`);
  }

  private async toggleStatus(index: number): Promise<void> {
    const active = !this.model.active[index];
    this.model.active[index] = active;
    await this.services.database.db.updateTable('lines').set({ status: active ? 'active' : 'suspended' }).where('id', '=', this.line(index).id).execute();
  }
}

async function checkAgainstDatabase(db: Services['database']['db'], lines: Line[], model: Model): Promise<void> {
  const line_ids = lines.map((line) => line.id);
  assert.deepEqual(await chargingViolations(db, line_ids), []);

  // No event charged twice: one row per (line, event id), exactly the events the model accepted.
  const counts = await usageRowCounts(db, line_ids);
  assert.ok([...counts.values()].every((n) => n === 1));
  assert.deepEqual([...counts.keys()].sort(), [...model.events.values()].map((event) => `${lines[event.line]!.id}/${event.input.event_id}`).sort());
  const usage_entries = await db.selectFrom('journal_entries').select(sql<string>`count(*)`.as('n')).where('kind', '=', 'usage_charge').where('line_id', 'in', line_ids).executeTakeFirstOrThrow();
  assert.equal(Number(usage_entries.n), [...model.events.values()].filter((event) => event.result.wallet_charge_minor > 0).length);

  for (const [index, line] of lines.entries()) {
    const wallet = await walletBalance(db, line);
    assert.equal(wallet, model.wallet_minor[index], `wallet of line ${index}`);
    assert.ok(wallet >= 0);
    // As recorded: top-ups − purchases (bundles sold from the wallet) − usage charges (usage rows) ± reversals.
    const purchases = await db.selectFrom('bundles').select(sql<string>`coalesce(sum(price_minor), 0)`.as('total')).where('line_id', '=', line.id).where('source', '=', 'wallet').executeTakeFirstOrThrow();
    const usage = await db.selectFrom('usage_events').select(sql<string>`coalesce(sum(wallet_charge_minor), 0)`.as('total')).where('line_id', '=', line.id).executeTakeFirstOrThrow();
    const flows = model.flows[index]!;
    assert.deepEqual([Number(purchases.total), Number(usage.total)], [flows.purchases, flows.usage], `recorded flows of line ${index}`);
    assert.equal(wallet, flows.top_ups - Number(purchases.total) - Number(usage.total) + flows.reversals, `wallet of line ${index} against its flows`);
  }

  const bundles = await db.selectFrom('bundles').selectAll().where('line_id', 'in', line_ids).execute();
  assert.equal(bundles.length, model.bundles.size);
  for (const bundle of bundles) {
    const modelled = model.bundles.get(bundle.id);
    assert.ok(modelled, `bundle ${bundle.id} is not in the model`);
    for (const kind of ['data', 'voice', 'sms'] as const) assert.equal(Number(bundle[REMAINING[kind]]), modelled.remaining[kind], `bundle ${bundle.id} ${kind}`);
  }
}
