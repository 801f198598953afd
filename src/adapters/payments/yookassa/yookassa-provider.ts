import type { z } from 'zod';
import { AddressList } from '../../../core/address-list.js';
import { ProviderError, WebhookRejected, type InitiatePaymentInput, type PaymentMethod, type PaymentProvider, type ProviderErrorKind, type ProviderPaymentState, type ProviderRefundState, type RefundInput, type WebhookEvent, type WebhookRequest } from '../../../ports/payment-provider.js';
import { parseJson } from '../kit/json-body.js';
import { isTimeout, mayHaveBeenSent, networkErrorCode } from '../kit/network-errors.js';
import { classifyHttpFailure, withProviderRetries, type ProviderRetryOptions } from '../kit/provider-retries.js';
import { refuseOversizedBody } from '../kit/provider-webhooks.js';
import type { YooKassaConfig } from './yookassa-config.js';
import {
  IDEMPOTENCE_KEY_LENGTH_MAX,
  OBJECT_ID_PATTERN,
  RETURN_URL_LENGTH_MAX,
  YOOKASSA_METHODS,
  YOOKASSA_PROVIDER_NAME,
  createPaymentRequest,
  createRefundRequest,
  describeError,
  errorSchema,
  methodTypeFor,
  notificationSchema,
  paymentSchema,
  paymentStateFrom,
  refundSchema,
  refundStateFrom,
  type PaymentRequestOptions,
  type YooKassaNotification,
} from './yookassa-wire.js';

/**
 * The YooKassa adapter (API v3). Every POST carries an Idempotence-Key derived from our own id, so
 * a retry — ours or the caller's — can never take the money twice. Failures are three-way:
 * refused connections and 429s are retried here with the same key; a 5xx or a timeout after the
 * request left is indeterminate and goes to the caller (YooKassa: "a 500 means not sure yet");
 * other 4xx are definitive. Notifications carry no signature, so they are accepted only from
 * YooKassa's addresses and only the id is believed: the object is fetched again.
 */

/** vat_code 1 = "без НДС": a seller on the simplified tax system charges no VAT. */
export const VAT_CODE_DEFAULT = 1;
/** YooKassa's vat_code table runs from 1 to 12 (11 and 12 are the 22 % rates from 2026). */
export const VAT_CODE_MAX = 12;

export interface YooKassaProviderOptions {
  readonly vat_code?: number;
  /** SBP: "qr" returns the QR payload for our page (the default), "redirect" uses YooKassa's page. */
  readonly sbp_confirmation?: PaymentRequestOptions['sbp_confirmation'];
  readonly retries?: ProviderRetryOptions;
}

type HttpMethod = 'GET' | 'POST';

export class YooKassaProvider implements PaymentProvider {
  readonly name = YOOKASSA_PROVIDER_NAME;
  readonly methods: readonly PaymentMethod[] = YOOKASSA_METHODS;

  readonly #config: YooKassaConfig;
  readonly #authorization: string;
  readonly #notification_sources: AddressList;
  readonly #request_options: PaymentRequestOptions;
  readonly #retries: ProviderRetryOptions;

  constructor(config: YooKassaConfig, options: YooKassaProviderOptions = {}) {
    const vat_code = options.vat_code ?? VAT_CODE_DEFAULT;
    if (!Number.isInteger(vat_code) || vat_code < 1 || vat_code > VAT_CODE_MAX) throw new RangeError(`vat_code must be 1…${VAT_CODE_MAX}, got ${vat_code}`);
    this.#config = config;
    this.#authorization = `Basic ${Buffer.from(`${config.shop_id}:${config.secret_key}`).toString('base64')}`;
    this.#notification_sources = new AddressList(config.notification_ranges);
    this.#request_options = Object.freeze({ vat_code, sbp_confirmation: options.sbp_confirmation ?? 'qr' });
    this.#retries = Object.freeze({ ...options.retries });
  }

  async initiatePayment(input: InitiatePaymentInput): Promise<ProviderPaymentState> {
    methodTypeFor(input.method); // refuse an unsupported method before anything is sent
    if (input.return_url.length > RETURN_URL_LENGTH_MAX) throw this.#refusal(`return_url is longer than YooKassa's ${RETURN_URL_LENGTH_MAX} characters`);
    const body = createPaymentRequest(input, this.#request_options);
    const payment = await this.#post('payments', input.payment_id, body, paymentSchema);
    const state = paymentStateFrom(payment);
    // Same key, same request, same payment: any other amount means the key was reused (a bug).
    if (state.amount_minor !== input.amount_minor) throw new Error(`YooKassa payment ${payment.id} is for ${state.amount_minor}, asked ${input.amount_minor} (Idempotence-Key ${input.payment_id} reused?)`);
    return state;
  }

  async getPaymentStatus(provider_payment_id: string): Promise<ProviderPaymentState> {
    return paymentStateFrom(await this.#get(`payments/${this.#objectId(provider_payment_id)}`, paymentSchema));
  }

  /**
   * YooKassa cancels only a payment in waiting_for_capture (two-stage). With capture: true a
   * pending payment cannot be cancelled: YooKassa answers 400, surfaced as definitive, and the
   * payment expires on its own (expired_on_confirmation → failed/expired).
   */
  async cancelPayment(provider_payment_id: string): Promise<ProviderPaymentState> {
    const id = this.#objectId(provider_payment_id);
    return paymentStateFrom(await this.#post(`payments/${id}/cancel`, `cancel:${id}`, {}, paymentSchema));
  }

  async refundPayment(input: RefundInput): Promise<ProviderRefundState> {
    const body = createRefundRequest(this.#objectId(input.provider_payment_id), input.amount_minor, input.currency);
    return refundStateFrom(await this.#post('refunds', input.refund_id, body, refundSchema));
  }

  async parseWebhook(request: WebhookRequest): Promise<WebhookEvent> {
    this.#assertFromYooKassa(request.remote_address);
    const notification = parseNotification(request.raw_body);
    const [object_type] = notification.event.split('.');
    if (object_type === 'payment' && PAYMENT_EVENTS.has(notification.event)) return this.#paymentEvent(notification);
    if (object_type === 'refund' && REFUND_EVENTS.has(notification.event)) return this.#refundEvent(notification);
    return { event_id: `${notification.event}:${notification.object.id}`, type: 'ignored', reason: `event ${notification.event} is not used` };
  }

  // -------------------------------------------------------------------------------------------

  /** The notification says which object changed; what it says about the object is not believed. */
  async #paymentEvent(notification: YooKassaNotification): Promise<WebhookEvent> {
    const payment = await this.#refetch(() => this.#get(`payments/${notification.object.id}`, paymentSchema));
    return { event_id: `${notification.event}:${payment.id}:${payment.status}`, type: 'payment', payment: paymentStateFrom(payment) };
  }

  async #refundEvent(notification: YooKassaNotification): Promise<WebhookEvent> {
    const refund = await this.#refetch(() => this.#get(`refunds/${notification.object.id}`, refundSchema));
    return { event_id: `${notification.event}:${refund.id}:${refund.status}`, type: 'refund', provider_payment_id: refund.payment_id, refund: refundStateFrom(refund) };
  }

  /** An id YooKassa does not know is not ours: a forgery from inside the network, or another shop's. */
  async #refetch<T>(fetchObject: () => Promise<T>): Promise<T> {
    try {
      return await fetchObject();
    } catch (error) {
      if (error instanceof ProviderError && error.provider_code === 'not_found') throw new WebhookRejected('malformed', `notification refers to an object YooKassa does not know: ${error.message}`);
      throw error;
    }
  }

  #assertFromYooKassa(remote_address: string): void {
    if (!this.#notification_sources.includes(remote_address)) {
      throw new WebhookRejected('unknown_source', `notification from ${remote_address || '(no address)'}, which is not a YooKassa notification address`);
    }
  }

  #objectId(id: string): string {
    if (!OBJECT_ID_PATTERN.test(id)) throw this.#refusal(`"${id}" is not a YooKassa object id`);
    return id;
  }

  #refusal(message: string): ProviderError {
    return new ProviderError(YOOKASSA_PROVIDER_NAME, 'definitive', `YooKassa: ${message}`, { failure_code: 'provider_error' });
  }

  async #post<S extends z.ZodType>(path: string, idempotence_key: string, body: unknown, schema: S): Promise<z.infer<S>> {
    if (idempotence_key.length === 0 || idempotence_key.length > IDEMPOTENCE_KEY_LENGTH_MAX) throw this.#refusal(`Idempotence-Key must be 1…${IDEMPOTENCE_KEY_LENGTH_MAX} characters, got ${idempotence_key.length}`);
    return withProviderRetries(() => this.#exchange('POST', path, schema, { idempotence_key, body: JSON.stringify(body) }), this.#retries);
  }

  async #get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    return withProviderRetries(() => this.#exchange('GET', path, schema), this.#retries);
  }

  /** One HTTP exchange, classified. The body is serialized once, so every retry sends the same bytes. */
  async #exchange<S extends z.ZodType>(
    method: HttpMethod,
    path: string,
    schema: S,
    post?: { idempotence_key: string; body: string },
  ): Promise<z.infer<S>> {
    const headers: Record<string, string> = { authorization: this.#authorization, accept: 'application/json' };
    if (post !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'idempotence-key': post.idempotence_key });
    let status: number;
    let text: string;
    try {
      // The timeout covers reading the body too: a response that stalls halfway is a timeout.
      const response = await fetch(new URL(path, this.#config.api_url), {
        method, headers, body: post?.body, signal: AbortSignal.timeout(this.#config.timeout_ms),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw this.#transportFailure(method, path, error);
    }
    if (status !== 200) throw this.#httpFailure(method, path, status, text);
    return this.#parseObject(method, path, text, schema);
  }

  #transportFailure(method: HttpMethod, path: string, error: unknown): ProviderError {
    const code = networkErrorCode(error);
    const what = isTimeout(error) ? `no answer within ${this.#config.timeout_ms} ms` : `connection failed (${code ?? (error instanceof Error ? error.name : 'unknown')})`;
    return new ProviderError(YOOKASSA_PROVIDER_NAME, kindFor(method, classifyHttpFailure(undefined, mayHaveBeenSent(code))), `YooKassa ${method} /${path}: ${what}`, { cause: error });
  }

  #httpFailure(method: HttpMethod, path: string, status: number, text: string): ProviderError {
    const parsed = errorSchema.safeParse(parseJson(text));
    const error = parsed.success ? parsed.data : undefined;
    const kind = kindFor(method, classifyHttpFailure(status, true));
    return new ProviderError(YOOKASSA_PROVIDER_NAME, kind, `${describeError(status, error)} [${method} /${path}]`, {
      ...(error === undefined ? {} : { provider_code: error.code }),
      ...(kind === 'definitive' ? { failure_code: 'provider_error' as const } : {}),
    });
  }

  /** A 200 we cannot read: for a POST the payment may well exist, so the outcome is unknown. */
  #parseObject<S extends z.ZodType>(method: HttpMethod, path: string, text: string, schema: S): z.infer<S> {
    const parsed = schema.safeParse(parseJson(text));
    if (parsed.success) return parsed.data;
    throw new ProviderError(YOOKASSA_PROVIDER_NAME, kindFor(method, 'indeterminate'), `YooKassa ${method} /${path}: unexpected answer: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
}

const PAYMENT_EVENTS = new Set(['payment.succeeded', 'payment.canceled', 'payment.waiting_for_capture']);
const REFUND_EVENTS = new Set(['refund.succeeded']);

/** A read changes nothing at YooKassa, so "not sure whether it happened" is just "try again". */
function kindFor(method: HttpMethod, kind: ProviderErrorKind): ProviderErrorKind {
  return method === 'GET' && kind === 'indeterminate' ? 'retryable' : kind;
}

function parseNotification(raw_body: Buffer): YooKassaNotification {
  refuseOversizedBody(raw_body, 'YooKassa notification');
  const json = parseJson(raw_body.toString('utf8'));
  if (json === undefined) throw new WebhookRejected('malformed', 'notification body is not JSON');
  const parsed = notificationSchema.safeParse(json);
  if (!parsed.success) throw new WebhookRejected('malformed', `notification is not a YooKassa notification: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}
