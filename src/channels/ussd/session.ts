import { isRoamError } from '../../core/errors.js';
import { isLanguage, type Language } from '../../core/i18n/languages.js';
import type { LineRef } from '../../services/lines/lines.js';
import type { LineOverview } from '../../services/lines/overview.js';
import { messageReply, serviceReply, type UssdOutcome, type UssdReply } from './replies.js';
import { parseServiceCode, UNKNOWN_CODE_LABEL } from './service-codes.js';
import { isTimeZone } from '../../core/time-zone.js';

/**
 * A USSD session without server state (the Africa's Talking convention): every request carries
 * the dialled code and `text`, all the customer's inputs so far joined by "*", empty at first.
 * The page to show is recomputed from those inputs: "0" goes forward, "00" goes back.
 */

export interface UssdRequest {
  readonly msisdn: string;
  readonly service_code: string;
  /** All inputs of the session joined by "*"; empty on the first request. */
  readonly text: string;
  /** Overrides the line's own language (an explicit choice, e.g. the CLI's --lang). */
  readonly language?: Language | undefined;
  /** The transport's id for the session (USSD over SMPP: caller and its_session_info), when it has one. */
  readonly session_id?: string;
}

export interface UssdScreen {
  readonly text: string;
  /** True while the customer can still answer (CON); false for a final screen (END). */
  readonly continues: boolean;
  /** 0-based page shown, and how many pages the reply has. */
  readonly page: number;
  readonly page_count: number;
  readonly outcome: UssdOutcome;
  /** Canonical code ("#100#") or "unknown": a bounded label for metrics. */
  readonly code: string;
  readonly language: Language;
}

export interface UssdSessionDependencies {
  readonly lineOverview: (ref: LineRef) => Promise<LineOverview>;
  /** For numbers we do not know, and lines whose stored language or zone is unusable. */
  readonly default_language: Language;
  readonly default_time_zone: string;
  /** Answer "temporarily unavailable" rather than let the gateway time out (it waits 10–15 s). */
  readonly deadline_ms?: number;
  /** Told about failures on our side (database down, deadline passed), for the log. */
  readonly onFailure?: (error: unknown) => void;
}

export const USSD_DEADLINE_MS_DEFAULT = 5_000;
/** A session lives about 180 s with 30–60 s per input: more inputs than this is not a person. */
export const USSD_INPUTS_MAX = 64;
export const MORE_INPUT = '0';
export const BACK_INPUT = '00';

export async function answerUssd(deps: UssdSessionDependencies, request: UssdRequest): Promise<UssdScreen> {
  const inputs = sessionInputs(request.text);
  const msisdn = request.msisdn.trim();
  // Until the line is known, only an explicit language or the server's default can be used.
  const fallback_language = request.language ?? deps.default_language;
  if (msisdn.length === 0 || request.service_code.trim().length === 0 || inputs === null) {
    return screen(messageReply('invalid_request', fallback_language), [], UNKNOWN_CODE_LABEL, fallback_language);
  }
  const code = parseServiceCode(request.service_code);
  const label = code.ok ? code.code : UNKNOWN_CODE_LABEL;
  const found = await findOverview(deps, msisdn);
  if (!found.ok) return screen(messageReply(found.outcome, fallback_language), inputs, label, fallback_language);
  const { overview } = found;
  const language = request.language ?? (isLanguage(overview.line.language) ? overview.line.language : deps.default_language);
  if (!code.ok) return screen(messageReply('unknown_code', language, code.shown), inputs, label, language);
  const time_zone = isTimeZone(overview.line.time_zone) ? overview.line.time_zone : deps.default_time_zone;
  return screen(serviceReply({ overview, service: code.service, language, time_zone }), inputs, label, language);
}

type Found = { ok: true; overview: LineOverview } | { ok: false; outcome: 'unknown_number' | 'unavailable' };

async function findOverview(deps: UssdSessionDependencies, msisdn: string): Promise<Found> {
  try {
    const overview = await withDeadline(deps.lineOverview({ msisdn }), deps.deadline_ms ?? USSD_DEADLINE_MS_DEFAULT);
    return { ok: true, overview };
  } catch (error) {
    if (isRoamError(error) && (error.code === 'ROAM_ERR_LINE_NOT_FOUND' || error.code === 'ROAM_ERR_MSISDN_INVALID')) {
      return { ok: false, outcome: 'unknown_number' };
    }
    deps.onFailure?.(error);
    return { ok: false, outcome: 'unavailable' };
  }
}

function screen(reply: UssdReply, inputs: readonly string[], code: string, language: Language): UssdScreen {
  const page = pageAfterInputs(inputs, reply.pages.length);
  const text = reply.pages[page];
  if (text === undefined) throw new Error(`page ${page} of ${reply.pages.length} does not exist`);
  return { text, continues: reply.pages.length > 1, page, page_count: reply.pages.length, outcome: reply.outcome, code, language };
}

/** The inputs of a session, or null when there are more than any person could type. */
export function sessionInputs(text: string): string[] | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return [];
  const inputs = trimmed.split('*').map((input) => input.trim());
  return inputs.length > USSD_INPUTS_MAX ? null : inputs;
}

/** Replays the inputs over the pages: "0" forward, "00" back, anything else stays (the page is shown again). */
export function pageAfterInputs(inputs: readonly string[], page_count: number): number {
  let page = 0;
  for (const input of inputs) {
    if (input === MORE_INPUT) page = Math.min(page + 1, page_count - 1);
    else if (input === BACK_INPUT) page = Math.max(page - 1, 0);
  }
  return page;
}

async function withDeadline<T>(work: Promise<T>, deadline_ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`USSD reply deadline of ${deadline_ms} ms passed`)), deadline_ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

