// The fiscal register the soak's server fiscalises through: ATOL Online's local fake
// (src/adapters/fiscal/atol/atol-fake-server.ts), run in the soak's own process on loopback, so it
// outlives every SIGKILL of the server and remembers every document it made. The server reaches it
// through the real ATOL adapter over HTTP (FISCAL_REGISTER=atol and the ATOL_* settings).
//
// The register has a bad day too: a seeded share of register and report answers is held back
// (0.5–3 s, under the adapter's 10 s timeout, so an answer is only ever lost to a kill), answered
// with a 500 or 503, or dropped — half of those after the document was made. So kills often land
// between a register call and its answer; and a kill can be aimed at one (aimAtRegisterCall). A
// timer prints waiting documents, each at a random tick, as a cloud register does a moment later:
// the first report often finds a document done, sometimes still waiting.
import { setTimeout as sleep } from 'node:timers/promises';
import { fromDist } from '../../bench/lib/dist.mjs';
import { randomStream } from './random.mjs';

const { AtolFake } = await fromDist('adapters/fiscal/atol/atol-fake-server.js');
const { minorFromRoubles } = await fromDist('adapters/fiscal/atol/atol-wire.js');

/** The soak seller's INN (a real register refuses the demo company's); the fake's registers are registered to it. */
const SELLER_INN = '7707083893';
const SELLER_EMAIL = 'fiscal@soak.example.com';
const HELD_BACK_SHARE = 0.25;
const HELD_BACK_MS_MIN = 500;
const HELD_BACK_MS_MAX = 3_000;
const FAILED_SHARE = 0.04;
const DROPPED_SHARE = 0.03;
const PRINT_INTERVAL_MS = 500;
/** A waiting document is printed at each tick with this chance. */
const PRINT_SHARE = 0.6;
/** An aimed kill holds the next register answer back this long (under the adapter's 10 s timeout)… */
const AIMED_HOLD_MS = 8_000;
/** …and waits at most this long for that call to come, then kills anyway. */
const AIMED_WAIT_MS = 10_000;
const AIMED_POLL_MS = 20;
/** The register calls the documents go to: POST v5/{group}/{operation}. */
const OPERATION_PATH = /\/(sell|sell_refund|sell_correction)$/;

const externalIdOf = (request) => {
  try {
    return JSON.parse(request.text).external_id ?? null;
  } catch {
    return null;
  }
};

export class SoakFiscalRegister {
  #fake;
  #random;
  #print_random;
  #printer;
  /** Set by an aimed kill: the next register call's answer is held back AIMED_HOLD_MS. */
  #hold_next_register = false;
  /** One row per kill: {aimed, aimed_hit, register_in_flight, report_in_flight}. */
  kills = [];

  constructor(fake, seed) {
    this.#fake = fake;
    this.#random = randomStream(seed, 'fiscal answers');
    this.#print_random = randomStream(seed, 'fiscal printing');
    // How ATOL answers a repeated external_id (both ways are ATOL's; the run's seed picks one).
    fake.duplicate_answer = this.#random.pick(['error_with_uuid', 'first_uuid']);
    fake.answer_plan = (kind) => this.#answerFor(kind);
    this.#printer = setInterval(() => this.#printSome(), PRINT_INTERVAL_MS);
  }

  /** Starts the fake on 127.0.0.1, its choices drawn from the run's seed. */
  static async start(seed) {
    return new SoakFiscalRegister(await AtolFake.start({ inn: SELLER_INN }), seed);
  }

  /** The server's settings for it: ATOL Online at the fake, the seller it knows. */
  get server_env() {
    const fake = this.#fake;
    return {
      FISCAL_REGISTER: 'atol', ATOL_LOGIN: fake.login, ATOL_PASSWORD: fake.password, ATOL_GROUP_CODE: fake.group_code,
      ATOL_BASE_URL: fake.base_url, SELLER_INN, SELLER_EMAIL,
    };
  }

  #printSome() {
    for (const document of this.#fake.documents) {
      if (document.status === 'wait' && this.#print_random.chance(PRINT_SHARE)) this.#fake.print(document.uuid);
    }
  }

  #answerFor(kind) {
    if (kind !== 'register' && kind !== 'report') return undefined;
    if (kind === 'register' && this.#hold_next_register) {
      this.#hold_next_register = false;
      return { delay_ms: AIMED_HOLD_MS };
    }
    const roll = this.#random.next();
    if (roll < DROPPED_SHARE) return { fault: 'drop', after_processing: this.#random.chance(0.5) };
    if (roll < DROPPED_SHARE + FAILED_SHARE) return { fault: this.#random.pick([500, 503]), after_processing: this.#random.chance(0.5) };
    if (roll >= DROPPED_SHARE + FAILED_SHARE + HELD_BACK_SHARE) return undefined;
    return { delay_ms: this.#random.between(HELD_BACK_MS_MIN, HELD_BACK_MS_MAX) };
  }

  /**
   * Before an aimed kill: holds the next register call's answer back and waits (bounded) until a
   * register call is unanswered. Returns whether one is.
   */
  async aimAtRegisterCall() {
    const deadline_ms = Date.now() + AIMED_WAIT_MS;
    if (this.#fake.unanswered('register') === 0) this.#hold_next_register = true;
    while (this.#fake.unanswered('register') === 0 && Date.now() < deadline_ms) await sleep(AIMED_POLL_MS);
    this.#hold_next_register = false;
    return this.#fake.unanswered('register') > 0;
  }

  /** Just before a SIGKILL: the calls whose answers it will cut. Returns the timeline's words. */
  noteKill(aimed, aimed_hit) {
    const row = { aimed, aimed_hit, register_in_flight: this.#fake.unanswered('register'), report_in_flight: this.#fake.unanswered('report') };
    this.kills.push(row);
    const aim = aimed ? `aimed at a register call: ${aimed_hit ? 'one in flight' : `none came within ${AIMED_WAIT_MS} ms`}; ` : '';
    return `${aim}fiscal calls in flight: ${row.register_in_flight} register, ${row.report_in_flight} report`;
  }

  /** What the register holds and was sent, for the checks (read once the server has stopped). */
  snapshot() {
    const requests = this.#fake.requests;
    return {
      documents: this.#fake.documents.map((document) => {
        const sent = document.body.receipt ?? document.body.correction;
        return {
          uuid: document.uuid, external_id: document.external_id, operation: document.operation, status: document.status,
          total_minor: minorFromRoubles(sent.total), payload: document.payload,
        };
      }),
      register_calls: requests.filter((request) => request.kind === 'register' && OPERATION_PATH.test(request.path))
        .map((request) => ({ external_id: externalIdOf(request), answer: request.answer, held_back_ms: request.held_back_ms })),
      report_calls: requests.filter((request) => request.kind === 'report').map((request) => ({ answer: request.answer, held_back_ms: request.held_back_ms })),
      token_calls: requests.filter((request) => request.kind === 'getToken').length,
    };
  }

  /** The report's figures about the register (not a verdict). */
  figures(snapshot = this.snapshot()) {
    const calls = [...snapshot.register_calls, ...snapshot.report_calls];
    const count = (list, answer) => list.filter((call) => call.answer === answer).length;
    // A register call made again for a document whose earlier call was cut: the resend after the kill.
    const cut_ids = new Set();
    let resends_after_cut = 0;
    for (const call of snapshot.register_calls) {
      if (cut_ids.has(call.external_id)) resends_after_cut += 1;
      if (call.answer === 'cut') cut_ids.add(call.external_id);
    }
    const distinct = new Set(snapshot.register_calls.map((call) => call.external_id)).size;
    return {
      duplicate_answer: this.#fake.duplicate_answer,
      documents_made: snapshot.documents.length,
      register_calls: snapshot.register_calls.length,
      register_calls_again: snapshot.register_calls.length - distinct,
      report_calls: snapshot.report_calls.length,
      token_calls: snapshot.token_calls,
      answers_held_back: calls.filter((call) => call.held_back_ms > 0).length,
      answers_failed: count(calls, 'failed'),
      answers_dropped: count(calls, 'dropped'),
      register_calls_cut: count(snapshot.register_calls, 'cut'),
      report_calls_cut: count(snapshot.report_calls, 'cut'),
      documents_cut: cut_ids.size,
      resends_after_cut,
      kills: this.kills,
      kills_with_register_in_flight: this.kills.filter((kill) => kill.register_in_flight > 0).length,
      kills_with_fiscal_call_in_flight: this.kills.filter((kill) => kill.register_in_flight + kill.report_in_flight > 0).length,
    };
  }

  async close() {
    clearInterval(this.#printer);
    await this.#fake.close();
  }
}
