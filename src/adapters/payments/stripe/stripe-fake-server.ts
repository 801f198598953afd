import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Stripe from 'stripe';
import { closeNow, DelayedAnswers, FAKE_REQUEST_BYTES_MAX, headerValue, listenOnLoopback } from '../kit/fake-server.js';
import { readBody } from '../kit/json-body.js';

/**
 * A local stand-in for the part of Stripe's REST API (v1) the adapter uses, speaking Stripe's
 * wire format so the real SDK can talk to it: form-encoded bodies with bracket notation
 * (`metadata[order_id]=…`, `allowed_payment_method_types[0]=card`), Bearer secret-key auth,
 * Idempotency-Key semantics as Stripe documents them, Stripe-shaped JSON objects and errors, and
 * events signed the way Stripe signs webhooks. Tests program the outcomes (succeed, decline,
 * 3-D Secure, expiry) and inject faults (500, 429, dropped connections, delays).
 *
 * Not a Stripe emulator: only the endpoints, parameters and rules listed here exist, and unknown
 * parameters are refused as Stripe refuses them, so a typo in the adapter fails a test.
 */

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** An exchange as the fake saw it (the API key left out): tests read these. */
export interface RecordedRequest extends Omit<Incoming, 'authorization'> {
  /** The HTTP status sent, or 'dropped' when the connection was closed instead. */
  readonly outcome: number | 'dropped';
  readonly replayed: boolean;
}

export type Fault =
  | { readonly kind: 'api_error' } // 500 before anything ran
  | { readonly kind: 'rate_limit' } // 429 before anything ran
  | { readonly kind: 'drop' } // connection closed before anything ran
  | { readonly kind: 'drop_after_execute' } // the request ran (and is stored for its key), then the connection closed
  | { readonly kind: 'delay'; readonly delay_ms: number }; // the request ran, the answer comes late

export interface DeclineReason {
  /** Stripe's error code, e.g. card_declined, expired_card, payment_intent_authentication_failure. */
  readonly code: string;
  /** The issuer's reason, e.g. insufficient_funds, fraudulent. */
  readonly decline_code?: string;
}

interface NextActionWire {
  type: string;
  redirect_to_url?: { url: string; return_url: string | null };
  alipay_handle_redirect?: { url: string; native_url: string | null; native_data: string | null; return_url: string | null };
  wechat_pay_display_qr_code?: {
    data: string; hosted_instructions_url: string; image_data_url: string; image_url_png: string; image_url_svg: string;
  };
}

interface LastPaymentErrorWire {
  type: 'card_error';
  code: string;
  decline_code?: string;
  message: string;
}

export interface FakePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: string;
  description: string | null;
  metadata: Record<string, string>;
  allowed_payment_method_types: string[];
  payment_method_types: string[];
  payment_method_options: FormObject;
  next_action: NextActionWire | null;
  last_payment_error: LastPaymentErrorWire | null;
  latest_charge: string | null;
  cancellation_reason: string | null;
  canceled_at: number | null;
  capture_method: 'automatic';
  confirmation_method: 'automatic';
  client_secret: string;
  created: number;
  livemode: false;
}

export interface FakeCheckoutSession {
  id: string;
  object: 'checkout.session';
  mode: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid';
  payment_intent: string | null;
  url: string | null;
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  allowed_payment_method_types: string[];
  payment_method_types: string[];
  client_reference_id: string | null;
  locale: string | null;
  metadata: Record<string, string>;
  success_url: string;
  cancel_url: string | null;
  expires_at: number;
  created: number;
  livemode: false;
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  payment_intent: string;
  charge: string | null;
  metadata: Record<string, string>;
  reason: string | null;
  created: number;
}

export interface FakeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  type: string;
  data: { object: unknown };
}

export interface StripeFakeOptions {
  readonly secret_key: string;
  readonly webhook_secret: string;
  /**
   * Stripe charges Alipay and WeChat Pay only in the currencies below (RUB is in neither list).
   * On by default, as at Stripe; tests of the Alipay / WeChat Pay mechanics switch it off.
   */
  readonly enforce_payment_method_currencies?: boolean;
}

/** docs.stripe.com/payments/alipay and /payments/wechat-pay: presentment currencies. */
export const ALIPAY_CURRENCIES: ReadonlySet<string> = new Set(['aud', 'cad', 'cny', 'eur', 'gbp', 'hkd', 'jpy', 'nzd', 'sgd', 'usd', 'myr']);
export const WECHAT_PAY_CURRENCIES: ReadonlySet<string> = new Set(['aud', 'cad', 'cny', 'eur', 'gbp', 'hkd', 'jpy', 'sgd', 'usd', 'dkk', 'nok', 'sek', 'chf']);
const KNOWN_METHOD_TYPES: ReadonlySet<string> = new Set(['card', 'alipay', 'wechat_pay']);
const CHECKOUT_SESSION_LIFETIME_S = 24 * 60 * 60;
/** Stripe's documented idempotency-key limit. */
const IDEMPOTENCY_KEY_LENGTH_MAX = 255;

/** Top-level parameters each endpoint knows; Stripe answers anything else with parameter_unknown. */
const KNOWN_PARAMETERS: Readonly<Record<string, ReadonlySet<string>>> = {
  'POST /v1/payment_intents': new Set(['amount', 'currency', 'allowed_payment_method_types', 'payment_method_data', 'payment_method_options', 'payment_method', 'confirm', 'return_url', 'description', 'metadata', 'capture_method', 'receipt_email', 'statement_descriptor_suffix', 'expand']),
  'POST /v1/payment_intents/:id/cancel': new Set(['cancellation_reason', 'expand']),
  'POST /v1/checkout/sessions': new Set(['mode', 'line_items', 'allowed_payment_method_types', 'payment_method_options', 'success_url', 'cancel_url', 'client_reference_id', 'customer_email', 'locale', 'metadata', 'payment_intent_data', 'expires_at', 'expand']),
  'POST /v1/checkout/sessions/:id/expire': new Set(['expand']),
  'POST /v1/refunds': new Set(['payment_intent', 'amount', 'metadata', 'reason', 'expand']),
  'GET /v1/payment_intents/:id': new Set(['expand']),
  'GET /v1/checkout/sessions/:id': new Set(['expand']),
  'GET /v1/refunds/:id': new Set(['expand']),
};

/** What the wire carried in, as the fake needs it. */
interface Incoming {
  readonly method: string;
  readonly path: string;
  /** The form body (POST) or query string (GET), decoded from bracket notation. */
  readonly params: FormObject;
  readonly raw_body: string;
  readonly content_type: string | undefined;
  readonly idempotency_key: string | undefined;
  readonly stripe_version: string | undefined;
  readonly authorization: string | undefined;
}

/** An HTTP answer, or a connection closed without one. */
type Answer = { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> } | 'dropped';

interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** Whether the endpoint started executing: only then does Stripe store the answer for the key. */
  readonly executed: boolean;
}

class StripeApiError extends Error {
  readonly status: number;
  readonly body: { error: Record<string, unknown> };
  constructor(status: number, error: Record<string, unknown> & { type: string; message: string }) {
    super(error.message);
    this.status = status;
    this.body = { error };
  }
}

function invalid(message: string, details: { param?: string; code?: string } = {}): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', message, ...details });
}

function missing(kind: string, id: string): StripeApiError {
  return new StripeApiError(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: `No such ${kind}: '${id}'` });
}

function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** `a[b][0][c]=v` → { a: { b: [ { c: 'v' } ] } }, the way Stripe reads form bodies. */
export function parseStripeForm(text: string): FormObject {
  const root: FormObject = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const head = key.split('[', 1)[0] ?? key;
    const rest = [...key.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((match) => match[1] ?? '');
    assign(root, [head, ...rest], value);
  }
  return root;
}

function assign(container: FormObject | FormValue[], path: readonly string[], value: string): void {
  const [segment, ...rest] = path;
  if (segment === undefined) return;
  const slot = Array.isArray(container) ? Number(segment) : segment;
  const target = container as Record<string | number, FormValue | undefined>;
  if (rest.length === 0) {
    target[slot] = value;
    return;
  }
  const existing = target[slot];
  const child = typeof existing === 'object' ? existing : /^\d+$/.test(rest[0] ?? '') ? [] : {};
  target[slot] = child;
  assign(child, rest, value);
}

function text(params: FormObject, key: string): string | undefined {
  const value = params[key];
  return typeof value === 'string' ? value : undefined;
}

function object(params: FormObject, key: string): FormObject {
  const value = params[key];
  return typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function list(params: FormObject, key: string): FormValue[] {
  const value = params[key];
  return Array.isArray(value) ? value : [];
}

function stringRecord(value: FormObject): Record<string, string> {
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function positiveInteger(params: FormObject, key: string): number {
  const value = text(params, key);
  if (value === undefined) throw invalid(`Missing required param: ${key}.`, { param: key, code: 'parameter_missing' });
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw invalid(`Invalid integer: ${value}`, { param: key, code: 'parameter_invalid_integer' });
  return Number(value);
}

function currencyParam(value: string | undefined, param: string): string {
  if (value === undefined) throw invalid(`Missing required param: ${param}.`, { param, code: 'parameter_missing' });
  if (!/^[a-z]{3}$/.test(value)) throw invalid(`Invalid currency: ${value}. Stripe currently supports these currencies: …`, { param, code: 'parameter_invalid_string_blank' });
  return value;
}

function methodTypes(params: FormObject): string[] {
  const types = list(params, 'allowed_payment_method_types').filter((type): type is string => typeof type === 'string');
  if (types.length === 0) throw invalid('Missing required param: allowed_payment_method_types.', { param: 'allowed_payment_method_types', code: 'parameter_missing' });
  for (const type of types) {
    if (!KNOWN_METHOD_TYPES.has(type)) throw invalid(`The payment method type "${type}" is invalid.`, { param: 'allowed_payment_method_types' });
  }
  return types;
}

export class StripeFakeServer {
  readonly #options: Required<StripeFakeOptions>;
  readonly #server: Server;
  readonly #intents = new Map<string, FakePaymentIntent>();
  readonly #sessions = new Map<string, FakeCheckoutSession>();
  readonly #session_intent_data = new Map<string, { description: string | null; metadata: Record<string, string> }>();
  readonly #intent_return_urls = new Map<string, string | null>();
  readonly #refunds = new Map<string, FakeRefund>();
  readonly #idempotent = new Map<string, { fingerprint: string; reply: Reply; request_id: string }>();
  readonly #faults: Fault[] = [];
  readonly #late_answers = new DelayedAnswers();
  readonly #requests: RecordedRequest[] = [];
  readonly #events: FakeEvent[] = [];
  #confirmation_declines: DeclineReason[] = [];
  #next_refund_status: FakeRefund['status'] = 'succeeded';
  #base_url = '';

  private constructor(options: StripeFakeOptions) {
    this.#options = { enforce_payment_method_currencies: true, ...options };
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
  }

  static async start(options: StripeFakeOptions): Promise<StripeFakeServer> {
    const fake = new StripeFakeServer(options);
    fake.#base_url = await listenOnLoopback(fake.#server);
    return fake;
  }

  /** For STRIPE_API_BASE. */
  get base_url(): string {
    return this.#base_url;
  }

  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  get events(): readonly FakeEvent[] {
    return this.#events;
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.#requests.filter((request) => request.method === method && request.path === path);
  }

  intents(): FakePaymentIntent[] {
    return [...this.#intents.values()];
  }

  intent(id: string): FakePaymentIntent {
    const intent = this.#intents.get(id);
    if (intent === undefined) throw new Error(`fake: no PaymentIntent ${id}`);
    return intent;
  }

  session(id: string): FakeCheckoutSession {
    const session = this.#sessions.get(id);
    if (session === undefined) throw new Error(`fake: no Checkout Session ${id}`);
    return session;
  }

  sessions(): FakeCheckoutSession[] {
    return [...this.#sessions.values()];
  }

  refunds(): FakeRefund[] {
    return [...this.#refunds.values()];
  }

  async close(): Promise<void> {
    this.#late_answers.clear();
    await closeNow(this.#server);
  }

  /** The next `count` API requests meet this fault instead of (or on top of) normal handling. */
  failNext(fault: Fault, count = 1): void {
    for (let index = 0; index < count; index += 1) this.#faults.push(fault);
  }

  /** The next confirmation at creation is declined: 402 card_error, the intent left requires_payment_method. */
  declineNextConfirmation(reason: DeclineReason): void {
    this.#confirmation_declines.push(reason);
  }

  setNextRefundStatus(status: FakeRefund['status']): void {
    this.#next_refund_status = status;
  }

  // ---- programmable outcomes: each changes state as Stripe would and returns the event Stripe would send

  /** The customer pays: a PaymentIntent succeeds, or a Checkout Session completes with its intent. */
  succeed(id: string): FakeEvent {
    if (id.startsWith('cs_')) {
      const session = this.#openSession(id);
      this.#markSucceeded(this.#sessionIntent(session));
      session.status = 'complete';
      session.payment_status = 'paid';
      return this.event('checkout.session.completed', session);
    }
    return this.event('payment_intent.succeeded', this.#markSucceeded(this.intent(id)));
  }

  /** An attempt fails: the intent returns to requires_payment_method with the reason. A session stays open. */
  decline(id: string, reason: DeclineReason): FakeEvent {
    const intent = id.startsWith('cs_') ? this.#sessionIntent(this.#openSession(id)) : this.intent(id);
    intent.status = 'requires_payment_method';
    intent.next_action = null;
    intent.last_payment_error = { type: 'card_error', code: reason.code, ...(reason.decline_code === undefined ? {} : { decline_code: reason.decline_code }), message: `Your payment was declined (${reason.decline_code ?? reason.code}).` };
    return this.event('payment_intent.payment_failed', intent);
  }

  /** The card needs 3-D Secure: the intent waits in requires_action with a redirect to the issuer's page. */
  requireAction(id: string): FakeEvent {
    const intent = id.startsWith('cs_') ? this.#sessionIntent(this.#openSession(id)) : this.intent(id);
    intent.status = 'requires_action';
    intent.last_payment_error = null;
    intent.next_action = { type: 'redirect_to_url', redirect_to_url: { url: `${this.#base_url}/3d_secure_2/${intent.id}`, return_url: this.#intent_return_urls.get(intent.id) ?? null } };
    return this.event('payment_intent.requires_action', intent);
  }

  /** Stripe (or the dashboard) cancels the intent, e.g. 'automatic' when an unfinished attempt times out. */
  cancel(id: string, reason: string | null): FakeEvent {
    return this.event('payment_intent.canceled', this.#cancelIntent(this.intent(id), reason));
  }

  process(id: string): FakeEvent {
    const intent = this.intent(id);
    intent.status = 'processing';
    intent.next_action = null;
    return this.event('payment_intent.processing', intent);
  }

  /** Stripe closes an unfinished Checkout Session when it expires. */
  expire(id: string): FakeEvent {
    const session = this.#openSession(id);
    session.status = 'expired';
    session.url = null;
    return this.event('checkout.session.expired', session);
  }

  /** A Stripe-shaped event around a snapshot of `object`, added to the event log. */
  event(type: string, object: unknown): FakeEvent {
    const event: FakeEvent = {
      id: newId('evt_'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object: structuredClone(object) },
    };
    this.#events.push(event);
    return event;
  }

  /** The Stripe-Signature header for a body: `t=<s>,v1=HMAC-SHA256(secret, "<t>.<body>")`. */
  signature(payload: string, options: { timestamp_s?: number; secret?: string } = {}): string {
    return Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? this.#options.webhook_secret,
      timestamp: options.timestamp_s ?? Math.floor(Date.now() / 1000),
    });
  }

  /** An event as Stripe delivers it: pretty-printed JSON and its Stripe-Signature; `body` overrides the signed JSON (to tamper with it). */
  delivery(
    event: FakeEvent,
    options: { timestamp_s?: number; secret?: string; body?: string } = {},
  ): { headers: Record<string, string>; raw_body: Buffer } {
    const payload = JSON.stringify(event, null, 2);
    return {
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'stripe-signature': this.signature(payload, options) },
      raw_body: Buffer.from(options.body ?? payload),
    };
  }

  /** POSTs an event to a webhook URL as Stripe does (see `delivery`). */
  async sendWebhook(
    url: string,
    event: FakeEvent,
    options: { timestamp_s?: number; secret?: string; body?: string } = {},
  ): Promise<{ status: number; body: string }> {
    const { headers, raw_body } = this.delivery(event, options);
    const response = await fetch(url, { method: 'POST', headers, body: raw_body });
    return { status: response.status, body: await response.text() };
  }

  // ---- HTTP

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const incoming = await readIncoming(request, this.#base_url);
    if (incoming === undefined) {
      send(response, 413, { error: { type: 'invalid_request_error', message: 'Request body too large.' } });
      return;
    }
    if (!incoming.path.startsWith('/v1/')) {
      // Hosted pages (Checkout, Alipay, 3-D Secure, WeChat Pay instructions) are only addresses here.
      send(response, 200, { page: incoming.path });
      return;
    }
    const unauthorized = this.#authenticate(incoming.authorization);
    if (unauthorized !== undefined) {
      this.#answer(incoming, response, unauthorized);
      return;
    }
    const fault = this.#faults.shift();
    const refused = faultBeforeExecuting(fault);
    if (refused !== undefined) {
      this.#answer(incoming, response, refused);
      return;
    }
    const { reply, replayed, request_id } = this.#idempotentReply(incoming);
    const answer: Answer = fault?.kind === 'drop_after_execute' ? 'dropped' : { status: reply.status, body: reply.body, headers: answerHeaders(incoming, request_id, replayed) };
    this.#answer(incoming, response, answer, { replayed, delay_ms: fault?.kind === 'delay' ? fault.delay_ms : 0 });
  }

  /** Records the exchange, then answers now, later, or by closing the connection. */
  #answer(incoming: Incoming, response: ServerResponse, answer: Answer, options: { replayed?: boolean; delay_ms?: number } = {}): void {
    const { authorization: _authorization, ...seen } = incoming;
    this.#requests.push({ ...seen, outcome: answer === 'dropped' ? 'dropped' : answer.status, replayed: options.replayed ?? false });
    if (answer === 'dropped') {
      response.socket?.destroy();
      return;
    }
    const delay_ms = options.delay_ms ?? 0;
    if (delay_ms === 0) {
      send(response, answer.status, answer.body, answer.headers);
      return;
    }
    this.#late_answers.send(response, delay_ms, () => send(response, answer.status, answer.body, answer.headers));
  }

  #authenticate(authorization: string | undefined): Answer | undefined {
    const key = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    if (key === this.#options.secret_key) return undefined;
    const message = key === undefined
      ? 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').'
      : `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`;
    return { status: 401, body: { error: { type: 'invalid_request_error', message } } };
  }

  /**
   * Stripe's idempotency: the first answer for a key is stored once the endpoint has started to
   * run (validation errors, 401, 429 are not); the same key with the same parameters replays it,
   * with other parameters it is an idempotency_error.
   */
  #idempotentReply(incoming: Incoming): { reply: Reply; replayed: boolean; request_id: string } {
    const { method, path, params, raw_body, idempotency_key: key } = incoming;
    const request_id = newId('req_');
    if (method !== 'POST' || key === undefined) return { reply: snapshot(this.#route(method, path, params)), replayed: false, request_id };
    if (key.length > IDEMPOTENCY_KEY_LENGTH_MAX) {
      return { reply: { status: 400, body: invalid(`Idempotency-Key must be at most ${IDEMPOTENCY_KEY_LENGTH_MAX} characters`).body, executed: false }, replayed: false, request_id };
    }
    const fingerprint = `${method} ${path} ${[...new URLSearchParams(raw_body)].map(([name, value]) => `${name}=${value}`).sort().join('&')}`;
    const stored = this.#idempotent.get(key);
    if (stored !== undefined) {
      if (stored.fingerprint === fingerprint) return { reply: stored.reply, replayed: true, request_id: stored.request_id };
      const error = { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.` };
      return { reply: { status: 400, body: { error }, executed: false }, replayed: false, request_id };
    }
    // The fake runs each request to completion before reading the next, so Stripe's 409 for a
    // key whose first request is still running cannot happen here.
    // A snapshot: a replay answers with the object as it was then, as Stripe's stored response does.
    const reply = snapshot(this.#route(method, path, params));
    if (reply.executed) this.#idempotent.set(key, { fingerprint, reply, request_id });
    return { reply, replayed: false, request_id };
  }

  #route(method: string, path: string, params: FormObject): Reply {
    const match = /^\/v1\/(payment_intents|checkout\/sessions|refunds)(?:\/([^/]+))?(?:\/(cancel|expire))?$/.exec(path);
    const [, resource, id, action] = match ?? [];
    const pattern = `${method} /v1/${resource ?? '?'}${id === undefined ? '' : '/:id'}${action === undefined ? '' : `/${action}`}`;
    const known = KNOWN_PARAMETERS[pattern];
    if (known === undefined) return errorReply(new StripeApiError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` }));
    const unknown = Object.keys(params).find((name) => !known.has(name));
    if (unknown !== undefined) return errorReply(invalid(`Received unknown parameter: ${unknown}`, { param: unknown, code: 'parameter_unknown' }));
    try {
      return this.#dispatch(pattern, id ?? '', params);
    } catch (error) {
      if (error instanceof StripeApiError) return errorReply(error);
      throw error;
    }
  }

  #dispatch(pattern: string, id: string, params: FormObject): Reply {
    switch (pattern) {
      case 'POST /v1/payment_intents':
        return this.#createIntent(params);
      case 'GET /v1/payment_intents/:id':
        return ok(this.#intentOr404(id));
      case 'POST /v1/payment_intents/:id/cancel': {
        const intent = this.#cancelIntent(this.#intentOr404(id), text(params, 'cancellation_reason') ?? null);
        this.event('payment_intent.canceled', intent);
        return ok(intent);
      }
      case 'POST /v1/checkout/sessions':
        return ok(this.#createSession(params));
      case 'GET /v1/checkout/sessions/:id':
        return ok(this.#sessionView(this.#sessionOr404(id), list(params, 'expand').includes('payment_intent')));
      case 'POST /v1/checkout/sessions/:id/expire':
        return ok(this.#expireSession(this.#sessionOr404(id)));
      case 'POST /v1/refunds':
        return ok(this.#createRefund(params));
      case 'GET /v1/refunds/:id': {
        const refund = this.#refunds.get(id);
        if (refund === undefined) throw missing('refund', id);
        return ok(refund);
      }
      default:
        throw new Error(`fake: no handler for ${pattern}`);
    }
  }

  #intentOr404(id: string): FakePaymentIntent {
    const intent = this.#intents.get(id);
    if (intent === undefined) throw missing('payment_intent', id);
    return intent;
  }

  #sessionOr404(id: string): FakeCheckoutSession {
    const session = this.#sessions.get(id);
    if (session === undefined) throw missing('checkout.session', id);
    return session;
  }

  #checkCurrencies(types: readonly string[], currency: string): void {
    if (!this.#options.enforce_payment_method_currencies) return;
    for (const [type, currencies] of [['alipay', ALIPAY_CURRENCIES], ['wechat_pay', WECHAT_PAY_CURRENCIES]] as const) {
      if (types.includes(type) && !currencies.has(currency)) {
        throw invalid(`The currency provided (${currency}) is invalid. Payments with ${type} support the following currencies: ${[...currencies].join(', ')}.`, { param: 'currency', code: 'payment_intent_invalid_parameter' });
      }
    }
  }

  #createIntent(params: FormObject): Reply {
    const amount = positiveInteger(params, 'amount');
    const currency = currencyParam(text(params, 'currency'), 'currency');
    const types = methodTypes(params);
    this.#checkCurrencies(types, currency);
    const confirm = text(params, 'confirm') === 'true';
    const method_type = text(object(params, 'payment_method_data'), 'type');
    const options = object(params, 'payment_method_options');
    const return_url = text(params, 'return_url') ?? null;
    if (confirm) this.#validateConfirmation(types, method_type, options, return_url);
    const intent = newPaymentIntent({
      amount,
      currency,
      status: confirm ? 'requires_action' : 'requires_payment_method',
      description: text(params, 'description') ?? null,
      metadata: stringRecord(object(params, 'metadata')),
      allowed_payment_method_types: types,
      payment_method_options: options,
    });
    this.#intents.set(intent.id, intent);
    this.#intent_return_urls.set(intent.id, return_url);
    if (confirm && method_type !== undefined) return this.#confirmIntent(intent, method_type, return_url);
    return ok(intent);
  }

  #validateConfirmation(types: readonly string[], method_type: string | undefined, options: FormObject, return_url: string | null): void {
    if (method_type === undefined) throw invalid('You cannot confirm this PaymentIntent because it\'s missing a payment method.', { code: 'payment_intent_unexpected_state' });
    if (!types.includes(method_type)) throw invalid(`The payment method type provided: ${method_type} is invalid. This PaymentIntent is configured to accept the following payment method types: ${types.join(', ')}.`, { param: 'payment_method_data[type]' });
    if (method_type === 'card') throw invalid('Card details must be collected by Stripe (Checkout or Elements); this fake takes no raw card numbers.', { param: 'payment_method_data[type]' });
    if (method_type === 'alipay' && return_url === null) throw invalid('A return_url must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed.', { param: 'return_url' });
    if (method_type === 'wechat_pay' && text(object(options, 'wechat_pay'), 'client') === undefined) throw invalid('Missing required param: payment_method_options[wechat_pay][client].', { param: 'payment_method_options[wechat_pay][client]', code: 'parameter_missing' });
  }

  #confirmIntent(intent: FakePaymentIntent, method_type: string, return_url: string | null): Reply {
    const decline = this.#confirmation_declines.shift();
    if (decline !== undefined) {
      this.decline(intent.id, decline);
      const error = { ...intent.last_payment_error, type: 'card_error', payment_intent: intent };
      return { status: 402, body: { error }, executed: true };
    }
    intent.next_action = method_type === 'alipay'
      ? { type: 'alipay_handle_redirect', alipay_handle_redirect: { url: `${this.#base_url}/alipay/${intent.id}`, native_url: null, native_data: null, return_url } }
      : {
          type: 'wechat_pay_display_qr_code',
          wechat_pay_display_qr_code: {
            data: `weixin://wxpay/bizpayurl?pr=${randomBytes(6).toString('hex')}`,
            hosted_instructions_url: `${this.#base_url}/wechat_pay/${intent.id}`,
            image_data_url: 'data:image/png;base64,iVBORw0KGgo=',
            image_url_png: `${this.#base_url}/wechat_pay/${intent.id}.png`,
            image_url_svg: `${this.#base_url}/wechat_pay/${intent.id}.svg`,
          },
        };
    return ok(intent);
  }

  #cancelIntent(intent: FakePaymentIntent, reason: string | null): FakePaymentIntent {
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      throw invalid(`You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`, { code: 'payment_intent_unexpected_state' });
    }
    intent.status = 'canceled';
    intent.cancellation_reason = reason;
    intent.canceled_at = Math.floor(Date.now() / 1000);
    intent.next_action = null;
    return intent;
  }

  #createSession(params: FormObject): FakeCheckoutSession {
    if (text(params, 'mode') !== 'payment') throw invalid('This fake only supports mode=payment.', { param: 'mode' });
    const success_url = text(params, 'success_url');
    if (success_url === undefined) throw invalid('Missing required param: success_url.', { param: 'success_url', code: 'parameter_missing' });
    const [item] = list(params, 'line_items');
    if (typeof item !== 'object' || Array.isArray(item)) throw invalid('Missing required param: line_items.', { param: 'line_items', code: 'parameter_missing' });
    const price = object(item, 'price_data');
    const currency = currencyParam(text(price, 'currency'), 'line_items[0][price_data][currency]');
    const amount_total = positiveInteger(price, 'unit_amount') * positiveInteger(item, 'quantity');
    if (text(object(price, 'product_data'), 'name') === undefined) throw invalid('Missing required param: line_items[0][price_data][product_data][name].', { code: 'parameter_missing' });
    const types = methodTypes(params);
    this.#checkCurrencies(types, currency);
    const intent_data = object(params, 'payment_intent_data');
    const session: FakeCheckoutSession = {
      id: newId('cs_test_'),
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      payment_intent: null,
      url: null,
      amount_subtotal: amount_total,
      amount_total,
      currency,
      allowed_payment_method_types: types,
      payment_method_types: types,
      client_reference_id: text(params, 'client_reference_id') ?? null,
      locale: text(params, 'locale') ?? null,
      metadata: stringRecord(object(params, 'metadata')),
      success_url,
      cancel_url: text(params, 'cancel_url') ?? null,
      expires_at: Number(text(params, 'expires_at') ?? Math.floor(Date.now() / 1000) + CHECKOUT_SESSION_LIFETIME_S),
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    session.url = `${this.#base_url}/c/pay/${session.id}`;
    this.#sessions.set(session.id, session);
    this.#session_intent_data.set(session.id, { description: text(intent_data, 'description') ?? null, metadata: stringRecord(object(intent_data, 'metadata')) });
    return session;
  }

  #sessionView(session: FakeCheckoutSession, expand_intent: boolean): unknown {
    if (!expand_intent || session.payment_intent === null) return session;
    return { ...session, payment_intent: this.#intents.get(session.payment_intent) ?? null };
  }

  #expireSession(session: FakeCheckoutSession): FakeCheckoutSession {
    if (session.status !== 'open') throw invalid(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`, { code: 'checkout_session_unexpected_state' });
    this.expire(session.id);
    return session;
  }

  #createRefund(params: FormObject): FakeRefund {
    const intent_id = text(params, 'payment_intent');
    if (intent_id === undefined) throw invalid('One of the following params should be provided for this request: payment_intent or charge.', { code: 'parameter_missing' });
    const intent = this.#intents.get(intent_id);
    if (intent === undefined) throw invalid(`No such payment_intent: '${intent_id}'`, { param: 'payment_intent', code: 'resource_missing' });
    if (intent.status !== 'succeeded') throw invalid(`This PaymentIntent (${intent_id}) does not have a successful charge to refund.`, { code: 'charge_not_refundable' });
    const refunded = this.refunds().filter((refund) => refund.payment_intent === intent_id && refund.status !== 'failed' && refund.status !== 'canceled').reduce((sum, refund) => sum + refund.amount, 0);
    const remaining = intent.amount_received - refunded;
    const amount = text(params, 'amount') === undefined ? remaining : positiveInteger(params, 'amount');
    if (amount > remaining) throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, { param: 'amount', code: 'amount_too_large' });
    const refund: FakeRefund = {
      id: newId('re_'),
      object: 'refund',
      amount,
      currency: intent.currency,
      status: this.#next_refund_status,
      payment_intent: intent_id,
      charge: intent.latest_charge,
      metadata: stringRecord(object(params, 'metadata')),
      reason: text(params, 'reason') ?? null,
      created: Math.floor(Date.now() / 1000),
    };
    this.#next_refund_status = 'succeeded';
    this.#refunds.set(refund.id, refund);
    this.event('refund.created', refund);
    this.event('charge.refunded', { id: intent.latest_charge, object: 'charge', amount: intent.amount, amount_refunded: refunded + amount, currency: intent.currency, payment_intent: intent_id, refunded: refunded + amount === intent.amount_received, metadata: intent.metadata, refunds: { object: 'list', data: [refund], has_more: false } });
    return refund;
  }

  #openSession(id: string): FakeCheckoutSession {
    const session = this.session(id);
    if (session.status !== 'open') throw new Error(`fake: Checkout Session ${id} is ${session.status}, not open`);
    return session;
  }

  /** The PaymentIntent Checkout creates when the customer submits the page (API ≥ 2022-08-01). */
  #sessionIntent(session: FakeCheckoutSession): FakePaymentIntent {
    if (session.payment_intent !== null) return this.intent(session.payment_intent);
    const data = this.#session_intent_data.get(session.id) ?? { description: null, metadata: {} };
    const intent = newPaymentIntent({
      amount: session.amount_total,
      currency: session.currency,
      status: 'requires_payment_method',
      description: data.description,
      metadata: data.metadata,
      allowed_payment_method_types: session.allowed_payment_method_types,
      payment_method_options: {},
    });
    this.#intents.set(intent.id, intent);
    this.#intent_return_urls.set(intent.id, session.url);
    session.payment_intent = intent.id;
    return intent;
  }

  #markSucceeded(intent: FakePaymentIntent): FakePaymentIntent {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.latest_charge = newId('ch_');
    intent.next_action = null;
    intent.last_payment_error = null;
    return intent;
  }
}

/** A new PaymentIntent as Stripe starts one: nothing received, nothing pending, automatic capture. */
function newPaymentIntent(fields: Pick<FakePaymentIntent, 'amount' | 'currency' | 'status' | 'description' | 'metadata' | 'allowed_payment_method_types' | 'payment_method_options'>): FakePaymentIntent {
  const id = newId('pi_');
  return {
    ...fields,
    id,
    object: 'payment_intent',
    amount_received: 0,
    payment_method_types: fields.allowed_payment_method_types,
    next_action: null,
    last_payment_error: null,
    latest_charge: null,
    cancellation_reason: null,
    canceled_at: null,
    capture_method: 'automatic',
    confirmation_method: 'automatic',
    client_secret: `${id}_secret_${randomBytes(8).toString('hex')}`,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
  };
}

function ok(body: unknown): Reply {
  return { status: 200, body, executed: true };
}

function snapshot(reply: Reply): Reply {
  return { ...reply, body: structuredClone(reply.body) };
}

function errorReply(error: StripeApiError): Reply {
  // Validation errors: the endpoint never ran, so Stripe stores nothing for the key.
  return { status: error.status, body: error.body, executed: false };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'Stripe-Version': Stripe.API_VERSION, ...headers });
  response.end(payload);
}

async function readIncoming(request: IncomingMessage, base_url: string): Promise<Incoming | undefined> {
  const body = await readBody(request, FAKE_REQUEST_BYTES_MAX);
  if (body === undefined) return undefined;
  const raw_body = body.toString('utf8');
  const url = new URL(request.url ?? '/', base_url);
  const method = request.method ?? 'GET';
  const header = (name: string): string | undefined => headerValue(request.headers, name);
  return {
    method,
    path: url.pathname,
    params: parseStripeForm(method === 'GET' ? url.search.slice(1) : raw_body),
    raw_body,
    content_type: header('content-type'),
    idempotency_key: header('idempotency-key'),
    stripe_version: header('stripe-version'),
    authorization: header('authorization'),
  };
}

/** Faults that strike before Stripe runs anything: nothing is stored for the idempotency key. */
function faultBeforeExecuting(fault: Fault | undefined): Answer | undefined {
  switch (fault?.kind) {
    case 'api_error':
      return { status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred' } }, headers: { 'Stripe-Should-Retry': 'false' } };
    case 'rate_limit':
      return { status: 429, body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.' } } };
    case 'drop':
      return 'dropped';
    default:
      return undefined;
  }
}

function answerHeaders(incoming: Incoming, request_id: string, replayed: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'Request-Id': request_id };
  if (incoming.method === 'POST' && incoming.idempotency_key !== undefined) headers['Idempotency-Key'] = incoming.idempotency_key;
  if (replayed) {
    headers['Idempotent-Replayed'] = 'true';
    headers['Original-Request'] = request_id;
  }
  return headers;
}
