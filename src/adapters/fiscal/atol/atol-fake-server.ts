import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { FISCAL_PAYMENT_METHODS, TAXATION_SYSTEMS, VAT_TYPES } from '../../../ports/fiscal-register.js';
import { closeNow, DelayedAnswers, FAKE_REQUEST_BYTES_MAX, headerValue, listenOnLoopback } from '../../payments/kit/fake-server.js';
import { parseJson, readBody } from '../../payments/kit/json-body.js';

/**
 * A local ATOL Online (API v5) for tests: the parts the adapter uses, with ATOL's wire format and
 * rules — getToken with login and password, a `Token` header on every other call, tokens that
 * expire, one document per external_id in a group (a repeat is answered with the first document,
 * in one of the ways ATOL has been seen to answer), ATOL's validation of a receipt (amounts in
 * roubles with at most two decimals, sums that add up, the company's INN), documents that wait
 * until the register prints them — plus test hooks: print or fail a document, expire tokens, fail
 * the next requests (500, 503, a dropped connection; before or after the work is done, as a real
 * 500 may be), and hold answers back past the client's timeout; or, for a soak, a standing plan
 * that holds back or fails a share of all answers, and a record of what became of each answer
 * (a client killed while its answer was held back shows as `cut`). Listens on 127.0.0.1 only.
 */

/** Documents the fake prints carry this drive, the example of protocols/fiscal-54fz.md. */
export const FAKE_FN_NUMBER = '7380440700076549';
export const FAKE_ECR_REGISTRATION_NUMBER = '0000000400054952';
/** Roubles: what one document may carry at most (the fiscal drive's 32-bit kopecks). */
const AMOUNT_ROUBLES_MAX = 42_949_672.95;
/** ATOL's codes (atol-wire.ts): an external_id it holds, a request without a token, a token it does not take. */
const DUPLICATE_CODE = 33;
const NO_TOKEN_CODE = 10;
const TOKEN_CODE = 11;
const CREDENTIALS_CODE = 12;
const VALIDATION_CODE = 32;

export type AtolFakeFault = 500 | 503 | 'drop';
/** Which requests a planned fault or delay waits for: any, or only one kind. */
export type AtolRequestKind = 'any' | 'getToken' | 'register' | 'report';
/** How ATOL answers an external_id it holds: an error naming the first uuid, the first document as if new, or an error without it. */
export type DuplicateAnswer = 'error_with_uuid' | 'first_uuid' | 'error_without_uuid';

export interface AtolFakeOptions {
  readonly login?: string;
  readonly password?: string;
  readonly group_code?: string;
  /** The INN the group's registers are registered to: documents of another company are refused. */
  readonly inn?: string;
  /** The register's clock (receipt_datetime); the real one by default. */
  readonly now_ms?: () => number;
}

/** The payload of a done document, as ATOL sends it. */
export interface FakePayload {
  fiscal_receipt_number: number;
  shift_number: number;
  receipt_datetime: string;
  total: number;
  fn_number: string;
  ecr_registration_number: string;
  fiscal_document_number: number;
  fiscal_document_attribute: number;
  fns_site: string;
  ofd_inn: string;
  ofd_receipt_url: string;
}

interface FakeError { error_id: string; code: number; text: string; type: 'system' | 'agent' | 'driver' }

export interface FakeDocument {
  readonly uuid: string;
  readonly external_id: string;
  readonly operation: string;
  /** The request as ATOL parsed it: amounts as the JSON numbers that came. */
  readonly body: Record<string, unknown>;
  status: 'wait' | 'done' | 'fail';
  payload: FakePayload | null;
  error: FakeError | null;
}

/**
 * What became of a request's answer: still `waiting` (being held back), `answered`, `failed` (a
 * planned 500 or 503), `dropped` (the fake closed the connection), or `cut` (the client went away
 * before the answer was sent: it timed out, or its process was killed).
 */
export type AtolAnswerOutcome = 'waiting' | 'answered' | 'failed' | 'dropped' | 'cut';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly token: string | undefined;
  /** The body as it came, byte for byte: how the amounts were written. */
  readonly text: string;
  readonly kind: AtolRequestKind;
  readonly answer: AtolAnswerOutcome;
  /** How long its answer was held back; 0 when it was not. */
  readonly held_back_ms: number;
}

type Recorded = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

/** How the standing plan (AtolFake.answer_plan) has one answer go. */
export interface AtolAnswerChoice {
  /** Hold the answer back this long (the work is done at once). */
  readonly delay_ms?: number;
  readonly fault?: AtolFakeFault;
  /** With `fault`: do the work first, as a real 500 may. */
  readonly after_processing?: boolean;
}

interface Reply { readonly status: number; readonly body: Record<string, unknown> }

// ---------------------------------------------------------------------------------------------
// What ATOL checks in a receipt (its validation answers code 32, type "agent").

/** The number's own decimal text has at most `places` decimals ("190", "0.01", "14999.99"). */
const decimals = (places: number) => (value: number) => new RegExp(`^\\d+(\\.\\d{1,${places}})?$`).test(String(value));
const amount = z.number().min(0).max(AMOUNT_ROUBLES_MAX).refine(decimals(2), 'must be roubles with at most 2 decimal places');
const kopecks = (roubles: number) => {
  const [whole = '0', fraction = ''] = String(roubles).split('.');
  return Number(whole + fraction.padEnd(2, '0'));
};
const thousandths = (quantity: number) => {
  const [whole = '0', fraction = ''] = String(quantity).split('.');
  return BigInt(whole) * 1000n + BigInt(fraction.padEnd(3, '0'));
};
const phones = z.array(z.string().regex(/^\+?\d{1,19}$/)).max(10);
const inn = z.string().regex(/^(\d{10}|\d{12})$/, 'must be an INN of 10 or 12 digits');

const itemSchema = z.object({
  name: z.string().min(1).max(128),
  price: amount,
  quantity: z.number().positive().max(99_999.999).refine(decimals(3), 'must have at most 3 decimal places'),
  sum: amount,
  measure: z.number().int().min(0).max(255),
  payment_method: z.enum(FISCAL_PAYMENT_METHODS),
  payment_object: z.number().int().min(1).max(33),
  vat: z.object({ type: z.enum(VAT_TYPES), sum: amount.optional() }),
  agent_info: z.object({
    type: z.enum(['bank_paying_agent', 'bank_paying_subagent', 'paying_agent', 'paying_subagent', 'attorney', 'commission_agent', 'another']),
    paying_agent: z.object({ operation: z.string().max(24), phones }).optional(),
    receive_payments_operator: z.object({ phones }).optional(),
  }).optional(),
  supplier_info: z.object({ name: z.string().min(1).max(256), inn, phones: phones.optional() }).optional(),
}).refine((item) => item.agent_info === undefined || item.supplier_info !== undefined, 'supplier_info is required with agent_info')
  // price × quantity, half up to the kopeck.
  .refine((item) => (BigInt(kopecks(item.price)) * thousandths(item.quantity) * 2n + 1000n) / 2000n === BigInt(kopecks(item.sum)), 'sum must be price × quantity');

const documentSchema = z.object({
  client: z.object({ email: z.email().max(64).optional(), phone: z.string().regex(/^\+?\d{1,19}$/).optional() })
    .refine((client) => client.email !== undefined || client.phone !== undefined, 'client must have an email or a phone'),
  company: z.object({ email: z.email().max(64), sno: z.enum(TAXATION_SYSTEMS), inn, payment_address: z.string().min(1).max(256) }),
  items: z.array(itemSchema).min(1).max(100),
  payments: z.array(z.object({ type: z.number().int().min(0).max(9), sum: amount })).min(1).max(10),
  total: amount,
}).refine((document) => document.items.reduce((sum, item) => sum + kopecks(item.sum), 0) === kopecks(document.total), 'total must be the sum of the items')
  .refine((document) => document.payments.reduce((sum, payment) => sum + kopecks(payment.sum), 0) === kopecks(document.total), 'payments must add up to total');

const registrationSchema = z.object({
  external_id: z.string().min(1).max(128),
  timestamp: z.string().regex(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/, 'must be dd.mm.yyyy HH:MM:SS'),
  receipt: documentSchema.optional(),
  correction: z.intersection(documentSchema, z.object({
    correction_info: z.object({ type: z.enum(['self', 'instruction']), base_date: z.string().regex(/^\d{2}\.\d{2}\.\d{4}$/), base_number: z.string().max(32).optional() }),
  })).optional(),
  service: z.object({ callback_url: z.string().max(256) }).optional(),
});

const OPERATIONS = new Set(['sell', 'sell_refund', 'sell_correction']);

// ---------------------------------------------------------------------------------------------

export class AtolFake {
  readonly login: string;
  readonly password: string;
  readonly group_code: string;
  readonly inn: string;
  /** How a repeated external_id is answered (tests switch it). */
  duplicate_answer: DuplicateAnswer = 'error_with_uuid';
  /** While on, a document is done as soon as it is registered. */
  print_at_once = false;
  /**
   * A standing plan, asked about every request that no planned fault or delay (failNext, delayNext)
   * takes: undefined answers normally. A soak sets it to hold back or fail a seeded share of answers.
   */
  answer_plan: ((kind: AtolRequestKind) => AtolAnswerChoice | undefined) | undefined = undefined;

  readonly #server: Server;
  readonly #now_ms: () => number;
  readonly #documents = new Map<string, FakeDocument>();
  readonly #by_external_id = new Map<string, string>();
  /** Every token issued: refused once expired. */
  readonly #tokens = new Map<string, { expired: boolean }>();
  readonly #requests: Recorded[] = [];
  readonly #late_answers = new DelayedAnswers();
  #faults: { count: number; fault: AtolFakeFault; after_processing: boolean; kind: AtolRequestKind }[] = [];
  #delays: { count: number; delay_ms: number; kind: AtolRequestKind }[] = [];
  #tokens_refused_next = 0;
  #fiscal_document_number = 100;
  #fiscal_receipt_number = 0;
  #origin = '';

  private constructor(options: AtolFakeOptions) {
    this.login = options.login ?? 'v5-roamcard-test';
    this.password = options.password ?? 'fake-atol-password-0123';
    this.group_code = options.group_code ?? 'v5-roamcard-test_4242';
    this.inn = options.inn ?? '7701000019';
    this.#now_ms = options.now_ms ?? Date.now;
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        // A bug in the fake must fail the test loudly, not hang the client.
        if (!response.headersSent) reply(response, { status: 500, body: { error: fakeError(1, `fake ATOL crashed: ${String(error)}`, 'system') } });
      });
    });
  }

  static async start(options: AtolFakeOptions = {}): Promise<AtolFake> {
    const fake = new AtolFake(options);
    fake.#origin = await listenOnLoopback(fake.#server);
    return fake;
  }

  /** The value for ATOL_BASE_URL. */
  get base_url(): string {
    return `${this.#origin}/possystem/`;
  }

  get requests(): readonly RecordedRequest[] {
    return this.#requests.map((request) => ({ ...request }));
  }

  /** Requests (of `kind`) received whose answer has not gone out yet: held back, or being worked on. */
  unanswered(kind: AtolRequestKind = 'any'): number {
    return this.#requests.filter((request) => request.answer === 'waiting' && (kind === 'any' || request.kind === kind)).length;
  }

  /** Every document the register holds, in the order they were made. */
  get documents(): FakeDocument[] {
    return [...this.#documents.values()].map((document) => structuredClone(document));
  }

  get token_count(): number {
    return this.#tokens.size;
  }

  get document_count(): number {
    return this.#documents.size;
  }

  document(uuid: string): FakeDocument | undefined {
    const document = this.#documents.get(uuid);
    return document === undefined ? undefined : structuredClone(document);
  }

  documentFor(external_id: string): FakeDocument | undefined {
    const uuid = this.#by_external_id.get(external_id);
    return uuid === undefined ? undefined : this.document(uuid);
  }

  /** The register prints a waiting document (or every one): done, with a payload; `payload` overrides its fields. */
  print(uuid?: string, payload: Partial<FakePayload> = {}): void {
    const documents = uuid === undefined ? [...this.#documents.values()].filter((document) => document.status === 'wait') : [this.#stored(uuid)];
    for (const document of documents) {
      if (document.status !== 'wait') throw new Error(`fake ATOL: document ${document.uuid} is ${document.status}, not waiting`);
      document.status = 'done';
      document.payload = { ...this.#payloadOf(document), ...payload };
    }
  }

  /** The register fails a waiting document (a driver error, say). */
  fail(uuid: string, error: { code: number; text: string; type: 'system' | 'agent' | 'driver' }): void {
    const document = this.#stored(uuid);
    if (document.status !== 'wait') throw new Error(`fake ATOL: document ${uuid} is ${document.status}, not waiting`);
    document.status = 'fail';
    document.error = { error_id: randomUUID(), ...error };
  }

  /** Every token issued so far is expired from now on. */
  expireTokens(): void {
    for (const token of this.#tokens.values()) token.expired = true;
  }

  /** The next `count` tokens issued are refused at once, as if they expired on the way. */
  refuseNextTokens(count: number): void {
    this.#tokens_refused_next = count;
  }

  /** The next `count` requests (of `kind`) fail; `after_processing` does the work first, as a real 500 may. */
  failNext(count: number, fault: AtolFakeFault, options: { after_processing?: boolean; kind?: AtolRequestKind } = {}): void {
    this.#faults.push({ count, fault, after_processing: options.after_processing ?? false, kind: options.kind ?? 'any' });
  }

  /** The next `count` answers (to requests of `kind`) are held back `delay_ms`; the work is done at once. */
  delayNext(count: number, delay_ms: number, options: { kind?: AtolRequestKind } = {}): void {
    this.#delays.push({ count, delay_ms, kind: options.kind ?? 'any' });
  }

  async close(): Promise<void> {
    this.#late_answers.clear();
    await closeNow(this.#server);
  }

  // -------------------------------------------------------------------------------------------

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const bytes = await readBody(request, FAKE_REQUEST_BYTES_MAX);
    if (bytes === undefined) return reply(response, { status: 413, body: {} });
    const text = bytes.toString('utf8');
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', this.#origin).pathname;
    const token = headerValue(request.headers, 'token');
    const kind = requestKind(path);
    const recorded: Recorded = { method, path, token, text, kind, answer: 'waiting', held_back_ms: 0 };
    this.#requests.push(recorded);
    // Closed with the answer still to come: the client gave up or died (a finished answer closes too).
    const closed = () => {
      if (recorded.answer === 'waiting') recorded.answer = response.writableFinished ? 'answered' : 'cut';
    };
    if (response.destroyed) closed();
    else response.once('close', closed);

    const planned = this.#take(this.#faults, kind);
    const standing = planned === undefined ? this.answer_plan?.(kind) : undefined;
    const fault = planned
      ?? (standing?.fault === undefined ? undefined : { fault: standing.fault, after_processing: standing.after_processing ?? false });
    if (fault !== undefined && !fault.after_processing) return this.#fail(response, fault.fault, recorded);
    const result = this.#route(method, path, token, parseJson(text));
    if (fault !== undefined) return this.#fail(response, fault.fault, recorded);
    const delay_ms = this.#take(this.#delays, kind)?.delay_ms ?? standing?.delay_ms ?? 0;
    const answer = () => {
      if (recorded.answer === 'waiting') recorded.answer = 'answered';
      reply(response, result);
    };
    if (delay_ms <= 0) return answer();
    recorded.held_back_ms = delay_ms;
    this.#late_answers.send(response, delay_ms, answer);
  }

  #route(method: string, path: string, token: string | undefined, body: unknown): Reply {
    const parts = path.split('/').filter((part) => part.length > 0);
    if (parts[0] !== 'possystem' || parts[1] !== 'v5') return { status: 404, body: { error: fakeError(2, 'Неизвестный адрес', 'system') } };
    const [, , first, second, third] = parts;
    if (first === 'getToken' && second === undefined) return method === 'POST' ? this.#getToken(body) : notAllowed();
    const refused = this.#refusedToken(token);
    if (refused !== undefined) return refused;
    if (first !== this.group_code) return { status: 400, body: { error: fakeError(21, `Группа ККТ ${first ?? ''} не найдена`, 'system') } };
    if (second === 'report' && third !== undefined) return method === 'GET' ? this.#report(third) : notAllowed();
    if (second !== undefined && third === undefined && OPERATIONS.has(second)) return method === 'POST' ? this.#register(second, body) : notAllowed();
    return { status: 404, body: { error: fakeError(2, 'Неизвестный адрес', 'system') } };
  }

  #getToken(body: unknown): Reply {
    const credentials = z.object({ login: z.string(), pass: z.string() }).safeParse(body);
    if (!credentials.success || credentials.data.login !== this.login || credentials.data.pass !== this.password) {
      return { status: 401, body: { error: fakeError(CREDENTIALS_CODE, 'Неверный логин или пароль', 'system'), timestamp: this.#timestamp() } };
    }
    const token = randomUUID().replaceAll('-', '');
    const refused = this.#tokens_refused_next > 0;
    if (refused) this.#tokens_refused_next -= 1;
    this.#tokens.set(token, { expired: refused });
    return { status: 200, body: { error: null, token, timestamp: this.#timestamp() } };
  }

  #refusedToken(token: string | undefined): Reply | undefined {
    if (token === undefined) return { status: 401, body: { error: fakeError(NO_TOKEN_CODE, 'Токен не передан', 'system'), timestamp: this.#timestamp() } };
    const known = this.#tokens.get(token);
    if (known === undefined) return { status: 401, body: { error: fakeError(TOKEN_CODE, 'Передан некорректный токен', 'system'), timestamp: this.#timestamp() } };
    if (known.expired) return { status: 401, body: { error: fakeError(TOKEN_CODE, 'Срок действия токена истёк', 'system'), timestamp: this.#timestamp() } };
    return undefined;
  }

  #register(operation: string, body: unknown): Reply {
    const external_id = z.object({ external_id: z.string() }).safeParse(body);
    const first = external_id.success ? this.#by_external_id.get(external_id.data.external_id) : undefined;
    if (first !== undefined) return this.#duplicate(first);
    const parsed = registrationSchema.safeParse(body);
    if (!parsed.success) return this.#invalid(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
    const request = parsed.data;
    const document = operation === 'sell_correction' ? request.correction : request.receipt;
    if (document === undefined || (operation === 'sell_correction' ? request.receipt : request.correction) !== undefined) {
      return this.#invalid(operation === 'sell_correction' ? 'a correction takes "correction" and no "receipt"' : 'a receipt takes "receipt" and no "correction"');
    }
    if (document.company.inn !== this.inn) return this.#invalid(`ИНН организации ${document.company.inn} не совпадает с ИНН, на который зарегистрированы ККТ группы`);
    const uuid = randomUUID();
    const stored: FakeDocument = { uuid, external_id: request.external_id, operation, body: body as Record<string, unknown>, status: 'wait', payload: null, error: null };
    this.#documents.set(uuid, stored);
    this.#by_external_id.set(request.external_id, uuid);
    if (this.print_at_once) this.print(uuid);
    return { status: 200, body: { uuid, status: 'wait', error: null, timestamp: this.#timestamp() } };
  }

  #duplicate(uuid: string): Reply {
    const document = this.#stored(uuid);
    const error = fakeError(DUPLICATE_CODE, `В системе существует чек с external_id : ${document.external_id} и group_code: ${this.group_code}`, 'system');
    switch (this.duplicate_answer) {
      case 'first_uuid': return { status: 200, body: { uuid, status: 'wait', error: null, timestamp: this.#timestamp() } };
      case 'error_with_uuid': return { status: 400, body: { uuid, status: 'fail', error, timestamp: this.#timestamp() } };
      case 'error_without_uuid': return { status: 400, body: { uuid: null, status: 'fail', error, timestamp: this.#timestamp() } };
    }
  }

  #invalid(text: string): Reply {
    return { status: 400, body: { uuid: null, status: 'fail', error: fakeError(VALIDATION_CODE, `Ошибка валидации входного чека: ${text}`, 'agent'), timestamp: this.#timestamp() } };
  }

  #report(uuid: string): Reply {
    const document = this.#documents.get(uuid);
    if (document === undefined) return { status: 400, body: { error: fakeError(34, `Документ ${uuid} не найден`, 'system'), timestamp: this.#timestamp() } };
    return {
      status: 200,
      body: {
        uuid, status: document.status, error: document.error, payload: document.payload, timestamp: this.#timestamp(),
        group_code: this.group_code, daemon_code: 'prod-agent-1', device_code: 'KSR13.11-3-1', external_id: document.external_id, callback_url: '',
      },
    };
  }

  /** What the register prints: the next numbers, the register's clock, a sign derived from the document. */
  #payloadOf(document: FakeDocument): FakePayload {
    this.#fiscal_document_number += 1;
    this.#fiscal_receipt_number += 1;
    const total = (document.body.receipt ?? document.body.correction) as { total: number };
    const fiscal_document_attribute = createHash('sha256').update(document.uuid).digest().readUInt32BE(0);
    return {
      fiscal_receipt_number: this.#fiscal_receipt_number,
      shift_number: 7,
      receipt_datetime: this.#timestamp(),
      total: total.total,
      fn_number: FAKE_FN_NUMBER,
      ecr_registration_number: FAKE_ECR_REGISTRATION_NUMBER,
      fiscal_document_number: this.#fiscal_document_number,
      fiscal_document_attribute,
      fns_site: 'www.nalog.gov.ru',
      ofd_inn: '7704211201',
      ofd_receipt_url: `https://consumer.1-ofd.ru/v1?fn=${FAKE_FN_NUMBER}&fd=${this.#fiscal_document_number}&fp=${fiscal_document_attribute}`,
    };
  }

  /** "dd.mm.yyyy HH:MM:SS" on the register's Moscow clock (UTC+3 all year). */
  #timestamp(): string {
    const moscow = new Date(this.#now_ms() + 3 * 3_600_000);
    const two = (value: number) => String(value).padStart(2, '0');
    return `${two(moscow.getUTCDate())}.${two(moscow.getUTCMonth() + 1)}.${moscow.getUTCFullYear()} ${two(moscow.getUTCHours())}:${two(moscow.getUTCMinutes())}:${two(moscow.getUTCSeconds())}`;
  }

  #stored(uuid: string): FakeDocument {
    const document = this.#documents.get(uuid);
    if (document === undefined) throw new Error(`fake ATOL: no document ${uuid}`);
    return document;
  }

  #take<T extends { count: number; kind: AtolRequestKind }>(plans: T[], kind: AtolRequestKind): T | undefined {
    const plan = plans[0];
    if (plan === undefined || (plan.kind !== 'any' && plan.kind !== kind)) return undefined;
    plan.count -= 1;
    if (plan.count <= 0) plans.shift();
    return plan;
  }

  #fail(response: ServerResponse, fault: AtolFakeFault, recorded: Recorded): void {
    if (recorded.answer === 'waiting') recorded.answer = fault === 'drop' ? 'dropped' : 'failed';
    if (fault === 'drop') {
      response.socket?.destroy();
      return;
    }
    reply(response, { status: fault, body: { error: fakeError(1, 'Внутренняя ошибка сервера', 'system'), timestamp: this.#timestamp() } });
  }
}

function reply(response: ServerResponse, result: Reply): void {
  response.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(result.body));
}

function requestKind(path: string): AtolRequestKind {
  if (path.endsWith('/getToken')) return 'getToken';
  return path.includes('/report/') ? 'report' : 'register';
}

function notAllowed(): Reply {
  return { status: 405, body: {} };
}

function fakeError(code: number, text: string, type: FakeError['type']): FakeError {
  return { error_id: randomUUID(), code, text, type };
}
