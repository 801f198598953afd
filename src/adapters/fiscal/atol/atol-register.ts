import type { z } from 'zod';
import { systemClock, type Clock } from '../../../ports/clock.js';
import { assertFiscalRequest, type FiscalError, type FiscalFailureKind, type FiscalRegister, type FiscalRequest, type FiscalResult } from '../../../ports/fiscal-register.js';
import { parseJson } from '../../payments/kit/json-body.js';
import { isTimeout, networkErrorCode } from '../../payments/kit/network-errors.js';
import { withBoundedRetries, type ProviderRetryOptions } from '../../payments/kit/provider-retries.js';
import type { AtolConfig } from './atol-config.js';
import {
  ATOL_API_VERSION,
  ATOL_REGISTER_NAME,
  ATOL_UUID_PATTERN,
  atolErrorOf,
  atolRequestBody,
  attributesFrom,
  fiscalErrorOf,
  isDuplicate,
  isFinalError,
  isTokenRefusal,
  registrationAnswerSchema,
  reportAnswerSchema,
  tokenAnswerSchema,
  TOKEN_LIFETIME_MS,
  TOKEN_REFRESH_EARLY_MS,
  type AtolError,
} from './atol-wire.js';

/**
 * The ATOL Online adapter (API v5). A document goes to POST v5/{group}/{operation} under our
 * external_id, which ATOL keeps one document per: so every failure to hear an answer — a refused
 * connection, a timeout, a 5xx — is safely asked again, here a few times at once (bounded, the kit's
 * backoff) and then by the caller; ATOL answers a repeat with the first document, which this adapter
 * then reports on. What ATOL refuses for the document's data is final.
 *
 * Calls carry a token from getToken, kept until shortly before its 24 hours are up and shared by all
 * calls (one getToken at a time); a token ATOL refuses is replaced and the call made again, once.
 * Neither the password nor a token ever goes into a result, an error or a log.
 */

export interface AtolRegisterOptions {
  readonly clock?: Clock;
  readonly retries?: ProviderRetryOptions;
  /** Where ATOL POSTs the report when a document is done; without it the caller asks report(). */
  readonly callback_url?: string;
}

/** One HTTP answer: its status, the parsed body, and ATOL's error when the body is one. */
interface AtolAnswer {
  readonly http_status: number;
  readonly json: unknown;
  readonly error: AtolError | undefined;
}

/**
 * A call that failed: what the port's `failed` result will say, and whether to ask again at once
 * (a blip of the network or of ATOL) or leave it to the caller's backoff (ATOL's own refusals).
 */
class AtolFailure extends Error {
  constructor(readonly kind: FiscalFailureKind, readonly error: FiscalError, readonly retry_now: boolean) {
    super(`${error.type} ${error.code}: ${error.text}`);
    this.name = 'AtolFailure';
  }
}

const retryNow = (error: unknown) => error instanceof AtolFailure && error.retry_now;

type HttpMethod = 'GET' | 'POST';

export class AtolRegister implements FiscalRegister {
  readonly name = ATOL_REGISTER_NAME;

  readonly #config: AtolConfig;
  readonly #clock: Clock;
  readonly #retries: ProviderRetryOptions;
  readonly #callback_url: string | undefined;
  #token: { readonly value: string; readonly refresh_at_ms: number } | undefined;
  #token_request: Promise<string> | undefined;

  constructor(config: AtolConfig, options: AtolRegisterOptions = {}) {
    this.#config = config;
    this.#clock = options.clock ?? systemClock;
    this.#retries = Object.freeze({ ...options.retries });
    this.#callback_url = options.callback_url;
  }

  async register(request: FiscalRequest): Promise<FiscalResult> {
    assertFiscalRequest(request);
    // Serialised once: every repeat sends the same bytes under the same external_id.
    const body = JSON.stringify(atolRequestBody(request, this.#callback_url === undefined ? {} : { callback_url: this.#callback_url }));
    const path = `${ATOL_API_VERSION}/${encodeURIComponent(this.#config.group_code)}/${request.operation}`;
    return this.#outcome(async () => {
      const registration = await this.#call('POST', path, body, (answer) => this.#registration(answer));
      if (registration.duplicate) return this.#existing(registration.uuid, request.total_minor);
      return registration.status === 'wait' ? { status: 'pending', uuid: registration.uuid } : this.report(registration.uuid);
    });
  }

  async report(uuid: string): Promise<FiscalResult> {
    if (!ATOL_UUID_PATTERN.test(uuid)) throw new RangeError(`"${uuid}" is not an ATOL document uuid`);
    const path = `${ATOL_API_VERSION}/${encodeURIComponent(this.#config.group_code)}/report/${uuid}`;
    return this.#outcome(() => this.#call('GET', path, undefined, (answer) => this.#report(uuid, answer)));
  }

  // -------------------------------------------------------------------------------------------

  /** What a registration answer says: a document (new, or the first one under this external_id), or a failure thrown. */
  #registration(answer: AtolAnswer): { uuid: string; status: 'wait' | 'done' | 'fail'; duplicate: boolean } {
    const parsed = registrationAnswerSchema.safeParse(answer.json);
    const uuid = parsed.success ? parsed.data.uuid ?? undefined : undefined;
    if (answer.error !== undefined && isDuplicate(answer.error)) {
      if (uuid !== undefined) return { uuid, status: 'wait', duplicate: true };
      // ATOL holds a document under this id but did not say which: nothing here can find it.
      const error = fiscalErrorOf(answer.error);
      throw new AtolFailure('final', { ...error, text: `${error.text} (ATOL did not name the document: find it in the ATOL Online account)` }, false);
    }
    if (answer.error !== undefined) throw this.#refusal(answer);
    if (uuid === undefined || !parsed.success) throw unreadable('registration', parsed.success ? 'no uuid' : parsed.error);
    return { uuid, status: parsed.data.status ?? 'wait', duplicate: false };
  }

  /**
   * The document ATOL already holds under this external_id. Done for another total, it is not this
   * request's document: the external_id was reused, and no second document may be made for it.
   */
  async #existing(uuid: string, total_minor: number): Promise<FiscalResult> {
    const result = await this.report(uuid);
    if (result.status !== 'registered' || result.attributes.total_minor === total_minor) return result;
    return {
      status: 'failed',
      kind: 'final',
      uuid,
      error: { code: 'external_id_reused', text: `ATOL holds a document for ${result.attributes.total_minor} kopecks under this external_id, not ${total_minor}`, type: 'system' },
    };
  }

  #report(uuid: string, answer: AtolAnswer): FiscalResult {
    const parsed = reportAnswerSchema.safeParse(answer.json);
    if (!parsed.success) {
      if (answer.error !== undefined) throw this.#refusal(answer);
      throw unreadable('report', parsed.error);
    }
    const report = parsed.data;
    if (report.status === 'wait') return { status: 'pending', uuid };
    if (report.status === 'fail') {
      // The document itself failed at the register: under this external_id it stays failed.
      const error = answer.error === undefined ? { code: 'fail', text: 'ATOL reports the document failed, without an error', type: 'system' as const } : fiscalErrorOf(answer.error);
      return { status: 'failed', kind: 'final', uuid, error };
    }
    const read = attributesFrom(report.payload);
    if ('problem' in read) throw new AtolFailure('retryable', { code: 'unreadable_answer', text: `ATOL report of a done document: ${read.problem}`, type: 'transport' }, false);
    return { status: 'registered', uuid, attributes: read.attributes, is_test: this.#config.test_environment };
  }

  /** ATOL's error answer as a failure: its data refused (final), or its side (retryable; at once after a 5xx). */
  #refusal(answer: AtolAnswer): AtolFailure {
    const error = fiscalErrorOf(answer.error!);
    if (isFinalError(error)) return new AtolFailure('final', error, false);
    return new AtolFailure('retryable', error, answer.http_status >= 500 || answer.http_status === 429);
  }

  async #outcome(work: () => Promise<FiscalResult>): Promise<FiscalResult> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AtolFailure) return { status: 'failed', kind: error.kind, error: error.error };
      throw error;
    }
  }

  /**
   * One call with its token, asked again (bounded) while it fails in a way a moment may fix; the
   * answer is read by `interpret` inside the loop, so an error answer that is worth repeating is.
   */
  async #call<T>(method: HttpMethod, path: string, body: string | undefined, interpret: (answer: AtolAnswer) => T): Promise<T> {
    return withBoundedRetries(async () => interpret(await this.#withToken(method, path, body)), retryNow, this.#retries);
  }

  /** The call with the current token; with a new one, once, when ATOL refuses it. */
  async #withToken(method: HttpMethod, path: string, body: string | undefined): Promise<AtolAnswer> {
    const token = await this.#currentToken();
    const answer = await this.#exchange(method, path, body, token);
    if (!isTokenRefusal(answer.http_status, answer.error)) return answer;
    this.#forgetToken(token);
    const fresh = await this.#currentToken();
    const again = await this.#exchange(method, path, body, fresh);
    if (!isTokenRefusal(again.http_status, again.error)) return again;
    this.#forgetToken(fresh);
    const said = again.error === undefined ? `HTTP ${again.http_status}` : `${again.error.code}: ${again.error.text}`;
    throw new AtolFailure('retryable', { code: again.error?.code ?? `http_${again.http_status}`, text: `ATOL refused a token just issued (${said})`, type: 'system' }, false);
  }

  /** The token of the moment: the cached one until shortly before it expires; one getToken at a time for all callers. */
  async #currentToken(): Promise<string> {
    if (this.#token !== undefined && this.#clock.now_ms() < this.#token.refresh_at_ms) return this.#token.value;
    this.#token_request ??= this.#fetchToken().finally(() => {
      this.#token_request = undefined;
    });
    return this.#token_request;
  }

  /** Forgets a refused token, unless another call has replaced it already. */
  #forgetToken(value: string): void {
    if (this.#token?.value === value) this.#token = undefined;
  }

  async #fetchToken(): Promise<string> {
    const issued_at_ms = this.#clock.now_ms();
    const answer = await this.#exchange('POST', `${ATOL_API_VERSION}/getToken`, JSON.stringify({ login: this.#config.login, pass: this.#config.password }), undefined);
    if (answer.error !== undefined) {
      const error = fiscalErrorOf(answer.error);
      // Wrong credentials are a configuration's fault, not the document's: retryable once fixed.
      throw new AtolFailure('retryable', { ...error, text: `getToken: ${error.text}` }, answer.http_status >= 500);
    }
    const parsed = tokenAnswerSchema.safeParse(answer.json);
    if (!parsed.success) throw unreadable('getToken', 'no token');
    this.#token = { value: parsed.data.token, refresh_at_ms: issued_at_ms + TOKEN_LIFETIME_MS - TOKEN_REFRESH_EARLY_MS };
    return parsed.data.token;
  }

  /** One HTTP exchange. The timeout covers reading the body too: an answer that stalls halfway is a timeout. */
  async #exchange(method: HttpMethod, path: string, body: string | undefined, token: string | undefined): Promise<AtolAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    if (token !== undefined) headers.token = token;
    let http_status: number;
    let text: string;
    try {
      const response = await fetch(new URL(path, this.#config.base_url), {
        method, headers, body, signal: AbortSignal.timeout(this.#config.timeout_ms),
      });
      http_status = response.status;
      text = await response.text();
    } catch (error) {
      throw this.#transportFailure(method, path, error);
    }
    const json = parseJson(text);
    const error = atolErrorOf(json);
    if (error !== undefined || http_status === 200 || http_status === 401) return { http_status, json, error };
    // An HTTP failure without ATOL's error body: a proxy's page, an overloaded ATOL.
    const retryable = http_status >= 500 || http_status === 429;
    throw new AtolFailure(retryable ? 'retryable' : 'final', { code: `http_${http_status}`, text: `ATOL ${method} /${path} answered HTTP ${http_status}`, type: 'transport' }, retryable);
  }

  /** No answer: the document may or may not be at ATOL; asking again under the same external_id settles it. */
  #transportFailure(method: HttpMethod, path: string, error: unknown): AtolFailure {
    const code = isTimeout(error) ? 'timeout' : networkErrorCode(error) ?? 'network';
    const what = isTimeout(error) ? `no answer within ${this.#config.timeout_ms} ms` : `connection failed (${code})`;
    return new AtolFailure('retryable', { code, text: `ATOL ${method} /${path}: ${what}`, type: 'transport' }, true);
  }
}

/** An answer we cannot read: asked again at once (a proxy's garbled reply), then left to the caller. */
function unreadable(what: string, problem: string | z.ZodError): AtolFailure {
  const text = typeof problem === 'string' ? problem : problem.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  return new AtolFailure('retryable', { code: 'unreadable_answer', text: `ATOL ${what} answer: ${text}`, type: 'transport' }, true);
}
