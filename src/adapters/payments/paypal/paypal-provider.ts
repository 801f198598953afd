import {
  ApiError,
  Client,
  ClientCredentialsAuthManager,
  Environment,
  OrdersController,
  OrderStatus,
  PaymentsController,
  ResponseValidationError,
  type ApiResponse,
  type OAuthToken,
  type Order,
} from '@paypal/paypal-server-sdk';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../../ports/clock.js';
import { ProviderError, WebhookRejected, type InitiatePaymentInput, type PaymentMethod, type PaymentProvider, type ProviderPaymentState, type ProviderRefundState, type RefundInput, type WebhookEvent, type WebhookRequest } from '../../../ports/payment-provider.js';
import { parseJson } from '../kit/json-body.js';
import { networkErrorCode } from '../kit/network-errors.js';
import { withProviderRetries, type ProviderRetryOptions } from '../kit/provider-retries.js';
import { refuseOversizedBody, WEBHOOK_TOLERANCE_S_DEFAULT } from '../kit/provider-webhooks.js';
import type { PayPalConfig } from './paypal-config.js';
import {
  PAYPAL_PROVIDER_NAME,
  assertRequestId,
  captureIdOfRefund,
  captureRequestId,
  captureResourceSchema,
  createOrderRequest,
  decimalFromMinor,
  orderIdOfCapture,
  orderResourceSchema,
  parseErrorBody,
  paymentStateFromCapture,
  paymentStateFromOrder,
  providerErrorFromHttp,
  providerErrorFromTransport,
  refundResourceSchema,
  refundStateFrom,
  refundableCaptureId,
  tokenRejected,
  transmissionFrom,
  transmissionTimeMs,
  unreadableResponse,
  verifySignatureRequestBody,
  verifySignatureResponseSchema,
  webhookEventSchema,
  type CallEffect,
  type Transmission,
  type WebhookEventWire,
} from './paypal-wire.js';

/**
 * PayPal through Orders v2 and the official server SDK (@paypal/paypal-server-sdk).
 *
 * The flow: initiatePayment creates an order (intent CAPTURE) and returns PayPal's page as a
 * redirect; the buyer approves there; we capture; the capture decides the payment. PayPal never
 * captures by itself, so capture happens in getPaymentStatus, which runs when the customer comes
 * back to return_url and when the CHECKOUT.ORDER.APPROVED webhook arrives — whichever is first;
 * the capture's PayPal-Request-Id (`capture:<order id>`) makes the second one a replay.
 *
 * Our provider_payment_id is PayPal's order id. Every money-moving call carries a PayPal-Request-Id
 * (create: our payment id, capture: `capture:<order id>`, refund: our refund id), so a retry can
 * never charge or refund twice. Failures are classified per the port: see paypal-wire.ts.
 */

export const PAYPAL_METHODS: readonly PaymentMethod[] = Object.freeze(['paypal']);

/** Fetch a new OAuth token this long before PayPal's expiry (tokens live about 9 hours). */
export const TOKEN_REFRESH_MARGIN_S = 300;

/** Ask for the whole order back from create and capture, not just id, status and links. */
const PREFER_REPRESENTATION = 'return=representation';
const VERIFY_SIGNATURE_PATH = '/v1/notifications/verify-webhook-signature';

export interface PayPalProviderOptions {
  /** Time for webhook transmission-time checks; tests move it. */
  readonly clock?: Clock;
  readonly retries?: ProviderRetryOptions;
  /** A delivery signed longer ago (or ahead) than this is refused, so a captured one cannot be replayed later. */
  readonly webhook_tolerance_s?: number;
}

type RequestBuilderFactory = ReturnType<Client['getRequestBuilderFactory']>;

/** What the SDK's controllers need from a client (its ClientInterface, which the package does not export). */
interface SdkClient {
  getRequestBuilderFactory(): RequestBuilderFactory;
}

/**
 * The SDK (v2.5) only knows PayPal's two hosts: its base URL comes from `environment` alone, with
 * no custom-URL option. To reach PAYPAL_API_BASE (a local fake, staging) we hand the controllers
 * a client whose request builders rewrite each request's origin, using the SDK's own public
 * request-interceptor hook. Everything else — auth, serialization, response parsing, errors —
 * stays the SDK's. With no override the rewrite is the identity.
 */
function rebasedClient(client: Client, api_base: string): SdkClient {
  const factory = client.getRequestBuilderFactory();
  const rebased: RequestBuilderFactory = (...args) => {
    const builder = factory(...args);
    builder.interceptRequest((request) => {
      const url = new URL(request.url);
      return { ...request, url: `${api_base}${url.pathname}${url.search}` };
    });
    return builder;
  };
  return { getRequestBuilderFactory: () => rebased };
}

/**
 * An SDK client with our limits set explicitly rather than left to defaults: the SDK's default
 * timeout is 0 (wait forever), and its own retry loop (off by default, but one setting away from
 * retrying on 500 with its own backoff, outside our classification) is pinned off:
 * withProviderRetries is the only retry loop.
 */
function sdkClient(
  config: PayPalConfig,
  credentials: Partial<{ oAuthToken: OAuthToken; oAuthTokenProvider: () => Promise<OAuthToken> }>,
): Client {
  return new Client({
    environment: config.environment === 'production' ? Environment.Production : Environment.Sandbox,
    timeout: config.timeout_ms,
    httpClientOptions: {
      timeout: config.timeout_ms,
      retryConfig: { maxNumberOfRetries: 0, retryOnTimeout: false, httpMethodsToRetry: [] },
    },
    clientCredentialsAuthCredentials: { oAuthClientId: config.client_id, oAuthClientSecret: config.client_secret, ...credentials },
  });
}

/**
 * OAuth tokens (client credentials grant, POST /v1/oauth2/token), fetched by the SDK's
 * ClientCredentialsAuthManager and cached here. We keep the cache rather than the SDK because
 * (1) the verify-webhook-signature call, which the SDK does not cover, needs the same token, and
 * (2) the SDK keeps its token as a promise: one failed token request (a network blip) would leave
 * that client failing every later call. Concurrent callers share one token request.
 */
class PayPalTokens {
  readonly #manager: ClientCredentialsAuthManager;
  #token: OAuthToken | undefined;
  #pending: Promise<OAuthToken> | undefined;

  constructor(config: PayPalConfig) {
    // The token endpoint authenticates with Basic client_id:secret, so this client needs no token.
    const bootstrap = rebasedClient(sdkClient(config, {}), config.api_base);
    this.#manager = new ClientCredentialsAuthManager(
      { oAuthClientId: config.client_id, oAuthClientSecret: config.client_secret, oAuthClockSkew: TOKEN_REFRESH_MARGIN_S },
      bootstrap,
    );
  }

  current(): Promise<OAuthToken> {
    if (this.#token !== undefined && !this.#manager.isExpired(this.#token)) return Promise.resolve(this.#token);
    this.#pending ??= this.#fetch();
    return this.#pending;
  }

  /** PayPal refused this token: the next call fetches a new one. */
  invalidate(token: OAuthToken): void {
    if (this.#token === token) this.#token = undefined;
  }

  async #fetch(): Promise<OAuthToken> {
    try {
      this.#token = await this.#manager.fetchToken();
      return this.#token;
    } finally {
      this.#pending = undefined;
    }
  }
}

interface PayPalApis {
  readonly token: OAuthToken;
  readonly orders: OrdersController;
  readonly payments: PaymentsController;
}

/** The SDK's error body: parsed for the statuses an endpoint declares, raw text for the others. */
function errorBodyOf(error: ApiError<unknown>): unknown {
  return error.result ?? error.body;
}

export class PayPalProvider implements PaymentProvider {
  readonly name = PAYPAL_PROVIDER_NAME;
  readonly methods = PAYPAL_METHODS;
  readonly #config: PayPalConfig;
  readonly #clock: Clock;
  readonly #retries: ProviderRetryOptions;
  readonly #webhook_tolerance_s: number;
  readonly #tokens: PayPalTokens;
  #apis: PayPalApis | undefined;

  constructor(config: PayPalConfig, options: PayPalProviderOptions = {}) {
    this.#config = Object.freeze({ ...config });
    this.#clock = options.clock ?? systemClock;
    this.#retries = Object.freeze({ ...options.retries });
    this.#webhook_tolerance_s = options.webhook_tolerance_s ?? WEBHOOK_TOLERANCE_S_DEFAULT;
    this.#tokens = new PayPalTokens(this.#config);
  }

  async initiatePayment(input: InitiatePaymentInput): Promise<ProviderPaymentState> {
    if (input.method !== 'paypal') throw this.#refused(`PayPal cannot take method ${input.method}`);
    this.#assertCurrency(input.currency);
    assertRequestId(input.payment_id);
    const body = createOrderRequest(input, this.#config.currency);
    const order = await this.#call('create order', 'write', (apis) =>
      apis.orders.createOrder({ body, paypalRequestId: input.payment_id, prefer: PREFER_REPRESENTATION }),
    );
    return paymentStateFromOrder(order);
  }

  /**
   * The order's state — and, when the buyer has approved it, the capture. Capturing here is how
   * the money is taken: PayPal waits for the merchant to capture an approved order, and this runs
   * exactly when that is due (the customer came back to return_url, or the CHECKOUT.ORDER.APPROVED
   * webhook arrived, or a janitor re-asks about a pending payment).
   */
  async getPaymentStatus(provider_payment_id: string): Promise<ProviderPaymentState> {
    const order = await this.#getOrder(provider_payment_id);
    if (order.status !== OrderStatus.Approved) return paymentStateFromOrder(order);
    return this.#capture(provider_payment_id);
  }

  /**
   * PayPal has no call to cancel an order with intent CAPTURE: an unapproved order simply expires
   * (6 hours by default), and an approved one is only charged when we capture. So this reports the
   * order's current state without capturing: canceled when PayPal voided it, otherwise what the
   * order is (requires_action, pending when approved, or a final state). A non-final answer means
   * "not canceled": the caller must stop capturing it (not call getPaymentStatus) and let it lapse.
   */
  async cancelPayment(provider_payment_id: string): Promise<ProviderPaymentState> {
    return paymentStateFromOrder(await this.#getOrder(provider_payment_id));
  }

  /** Refunds the order's capture (the port names the order; PayPal refunds captures, so one read first). */
  async refundPayment(input: RefundInput): Promise<ProviderRefundState> {
    this.#assertCurrency(input.currency);
    assertRequestId(input.refund_id);
    const order = await this.#getOrder(input.provider_payment_id);
    const capture_id = refundableCaptureId(order);
    if (capture_id === undefined) throw this.#refused(`PayPal order ${input.provider_payment_id} has no captured payment to refund`);
    const amount = { currencyCode: this.#config.currency, value: decimalFromMinor(input.amount_minor, this.#config.currency) };
    const refund = await this.#call('refund capture', 'write', (apis) =>
      apis.payments.refundCapturedPayment({
        captureId: capture_id, paypalRequestId: input.refund_id, prefer: PREFER_REPRESENTATION, body: { amount },
      }),
    );
    return refundStateFrom(refund);
  }

  /**
   * Verifies a delivery with PayPal (verify-webhook-signature), then maps it. Rejections
   * (WebhookRejected: answer 4xx) are for deliveries that are not PayPal's; when PayPal cannot be
   * asked (network, 5xx) a ProviderError is thrown instead: answer 5xx and PayPal delivers again.
   */
  async parseWebhook(request: WebhookRequest): Promise<WebhookEvent> {
    refuseOversizedBody(request.raw_body, 'PayPal webhook');
    const raw_event = request.raw_body.toString('utf8');
    const event = parseEvent(raw_event);
    const transmission = transmissionFrom(request.headers);
    if (transmission === undefined) throw new WebhookRejected('signature', 'PayPal webhook without its paypal-transmission-* headers');
    this.#assertFresh(transmission.transmission_time);
    await this.#verify(transmission, raw_event);
    return this.#eventFrom(event);
  }

  // -------------------------------------------------------------------------------------------

  async #getOrder(order_id: string): Promise<Order> {
    return this.#call('get order', 'read', (apis) => apis.orders.getOrder({ id: order_id }));
  }

  async #capture(order_id: string): Promise<ProviderPaymentState> {
    try {
      const order = await this.#call('capture order', 'write', (apis) =>
        apis.orders.captureOrder({ id: order_id, paypalRequestId: captureRequestId(order_id), prefer: PREFER_REPRESENTATION }),
      );
      return paymentStateFromOrder(order);
    } catch (error) {
      // Captured meanwhile by a concurrent call, or by a retry after PayPal forgot the request id
      // (kept 6 hours): the order now says what happened.
      if (error instanceof ProviderError && error.provider_code === 'ORDER_ALREADY_CAPTURED') return paymentStateFromOrder(await this.#getOrder(order_id));
      throw error;
    }
  }

  /** One SDK call under withProviderRetries: every attempt gets a current token and the same request id. */
  async #call<T>(operation: string, effect: CallEffect, send: (apis: PayPalApis) => Promise<ApiResponse<T>>): Promise<T> {
    return withProviderRetries(async () => {
      const apis = await this.#authorized();
      try {
        return (await send(apis)).result;
      } catch (error) {
        throw this.#classify(error, operation, effect, apis.token);
      }
    }, this.#retries);
  }

  /** Controllers bound to the current token; rebuilt when the token changes. */
  async #authorized(): Promise<PayPalApis> {
    const token = await this.#token();
    if (this.#apis?.token !== token) {
      // The SDK asks oAuthTokenProvider only if it finds its token expired, which our earlier
      // refresh (TOKEN_REFRESH_MARGIN_S) rules out; it is there as a fallback, not the path.
      const client = rebasedClient(
        sdkClient(this.#config, { oAuthToken: token, oAuthTokenProvider: () => this.#tokens.current() }),
        this.#config.api_base,
      );
      this.#apis = { token, orders: new OrdersController(client), payments: new PaymentsController(client) };
    }
    return this.#apis;
  }

  /**
   * The token request changes nothing, so every failure of it is retryable — except PayPal
   * refusing our credentials (400/401 from the OAuth endpoint): definitive, a configuration error.
   */
  async #token(): Promise<OAuthToken> {
    const operation = 'get OAuth token';
    try {
      return await this.#tokens.current();
    } catch (error) {
      if (error instanceof ApiError) {
        // OAuthProviderError (400/401: bad credentials) is an ApiError too, and 4xx is definitive.
        throw providerErrorFromHttp({ operation, effect: 'read', http_status: error.statusCode, body: parseErrorBody(errorBodyOf(error)) }, error);
      }
      throw providerErrorFromTransport(operation, 'read', networkErrorCode(error), error);
    }
  }

  #classify(error: unknown, operation: string, effect: CallEffect, token: OAuthToken): ProviderError {
    if (error instanceof ProviderError) return error;
    if (error instanceof ApiError) {
      const body = parseErrorBody(errorBodyOf(error));
      if (error.statusCode === 401) {
        this.#tokens.invalidate(token);
        return tokenRejected(operation, body, error);
      }
      return providerErrorFromHttp({ operation, effect, http_status: error.statusCode, body }, error);
    }
    if (error instanceof ResponseValidationError) {
      // 2xx, but not the shape the SDK knows: PayPal may have acted, and asking again will not help.
      return new ProviderError(PAYPAL_PROVIDER_NAME, 'indeterminate', `PayPal ${operation}: ${error.message}`, { cause: error });
    }
    // Anything else came from below the SDK's HTTP layer: start the next attempt on a fresh client.
    this.#apis = undefined;
    return providerErrorFromTransport(operation, effect, networkErrorCode(error), error);
  }

  #assertCurrency(currency: string): void {
    if (currency !== this.#config.currency) throw this.#refused(`PayPal is configured for ${this.#config.currency} (PAYPAL_CURRENCY), not ${currency}`);
  }

  #refused(message: string): ProviderError {
    return new ProviderError(PAYPAL_PROVIDER_NAME, 'definitive', message, { failure_code: 'provider_error' });
  }

  // Webhooks ------------------------------------------------------------------------------------

  #assertFresh(transmission_time: string): void {
    const time_ms = transmissionTimeMs(transmission_time);
    if (time_ms === undefined) throw new WebhookRejected('malformed', `PayPal webhook transmission time "${transmission_time}" is not a date-time`);
    const age_ms = this.#clock.now_ms() - time_ms;
    if (Math.abs(age_ms) > this.#webhook_tolerance_s * 1000) {
      throw new WebhookRejected('stale', `PayPal webhook transmission time is ${Math.round(age_ms / 1000)} s off our clock, beyond ±${this.#webhook_tolerance_s} s`);
    }
  }

  /**
   * PayPal's verify-webhook-signature endpoint checks the signature, the certificate and the
   * webhook id for us. The SDK does not cover this endpoint (it has Orders, Payments, Vault,
   * Transaction Search and Subscriptions only), so it is one fetch with the same OAuth token.
   * Anything but verification_status SUCCESS is a rejection.
   */
  async #verify(transmission: Transmission, raw_event: string): Promise<void> {
    const body = verifySignatureRequestBody(transmission, this.#config.webhook_id, raw_event);
    const status = await withProviderRetries(async () => this.#postVerify(await this.#token(), body), this.#retries);
    if (status !== 'SUCCESS') throw new WebhookRejected('signature', `PayPal did not verify the webhook signature (${status})`);
  }

  /** verification_status, or a ProviderError; the verify call changes nothing, so failures are retryable. */
  async #postVerify(token: OAuthToken, body: string): Promise<string> {
    const operation = 'verify webhook signature';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#config.api_base}${VERIFY_SIGNATURE_PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.#config.timeout_ms),
      });
      text = await response.text();
    } catch (error) {
      throw providerErrorFromTransport(operation, 'read', networkErrorCode(error), error);
    }
    if (response.status === 401) {
      this.#tokens.invalidate(token);
      throw tokenRejected(operation, parseErrorBody(text));
    }
    // PayPal answers 400 / 422 (not FAILURE) when the headers themselves are bad, e.g. a cert URL
    // that is not PayPal's: that is the sender's fault, not ours.
    if (response.status === 400 || response.status === 422) return parseErrorBody(text)?.name ?? `HTTP ${response.status}`;
    if (!response.ok) throw providerErrorFromHttp({ operation, effect: 'read', http_status: response.status, body: parseErrorBody(text) });
    const parsed = verifySignatureResponseSchema.safeParse(parseJson(text));
    if (!parsed.success) throw unreadableResponse(operation);
    return parsed.data.verification_status;
  }

  async #eventFrom(event: WebhookEventWire): Promise<WebhookEvent> {
    switch (event.event_type) {
      case 'CHECKOUT.ORDER.APPROVED':
        return this.#orderApproved(event);
      case 'PAYMENT.CAPTURE.COMPLETED':
      case 'PAYMENT.CAPTURE.DENIED':
      case 'PAYMENT.CAPTURE.PENDING':
        return captureEvent(event);
      case 'PAYMENT.CAPTURE.REFUNDED':
        return this.#refundEvent(event);
      default:
        return { event_id: event.id, type: 'ignored', reason: `PayPal event ${event.event_type} is not used` };
    }
  }

  /** The buyer approved: nothing is paid until we capture, so capture now (getPaymentStatus does). */
  async #orderApproved(event: WebhookEventWire): Promise<WebhookEvent> {
    const order = resourceOf(event, orderResourceSchema);
    return { event_id: event.id, type: 'payment', payment: await this.getPaymentStatus(order.id) };
  }

  /** A refund names its capture only; the capture names the order (our provider_payment_id). */
  async #refundEvent(event: WebhookEventWire): Promise<WebhookEvent> {
    const refund = resourceOf(event, refundResourceSchema);
    const capture_id = captureIdOfRefund(refund);
    if (capture_id === undefined) return { event_id: event.id, type: 'ignored', reason: `PayPal refund ${refund.id} names no capture` };
    const capture = await this.#call('get capture', 'read', (apis) => apis.payments.getCapturedPayment({ captureId: capture_id }));
    const order_id = capture.supplementaryData?.relatedIds?.orderId;
    if (order_id === undefined) return { event_id: event.id, type: 'ignored', reason: `PayPal capture ${capture_id} belongs to no order` };
    return { event_id: event.id, type: 'refund', provider_payment_id: order_id, refund: refundStateFrom(refund) };
  }
}

function parseEvent(raw_event: string): WebhookEventWire {
  const parsed = webhookEventSchema.safeParse(parseJson(raw_event));
  if (!parsed.success) throw new WebhookRejected('malformed', 'PayPal webhook body is not an event (id, event_type, resource)');
  return parsed.data;
}

function resourceOf<T>(event: WebhookEventWire, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(event.resource);
  if (!parsed.success) throw new WebhookRejected('malformed', `PayPal ${event.event_type} event ${event.id} has an unexpected resource`);
  return parsed.data;
}

/** Capture events carry the capture itself: mapped without another call. */
function captureEvent(event: WebhookEventWire): WebhookEvent {
  const capture = resourceOf(event, captureResourceSchema);
  const order_id = orderIdOfCapture(capture);
  if (order_id === undefined) return { event_id: event.id, type: 'ignored', reason: `PayPal capture ${capture.id} belongs to no order` };
  return { event_id: event.id, type: 'payment', payment: paymentStateFromCapture(order_id, capture) };
}
