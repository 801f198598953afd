import { isRoamError } from '../../core/errors.js';
import { isLanguage, type Language } from '../../core/i18n/languages.js';
import { isTimeZone } from '../../core/time-zone.js';
import type { LineRef } from '../../services/lines/lines.js';
import type { LineOverview } from '../../services/lines/overview.js';
import { walkMenu, type UssdRenewalPort } from './menu-engine.js';
import { BACK_KEY, MORE_KEY, USSD_MENU } from './menu-tree.js';
import { messageReply, type UssdOutcome, type UssdReply } from './replies.js';
import { parseServiceCode, UNKNOWN_CODE_LABEL } from './service-codes.js';

/**
 * A USSD session without server state (the Africa's Talking convention): every request carries
 * the dialled code and `text`, all the customer's inputs so far joined by "*", empty at first.
 * The screen to show is recomputed from those inputs by walking the menu tree (menu-engine.ts):
 * "99" goes to the next page, "0" back, numbers choose. Every transport calls answerUssd.
 */

export interface UssdRequest {
  readonly msisdn: string;
  readonly service_code: string;
  /** All inputs of the session joined by "*"; empty on the first request. */
  readonly text: string;
  /** Overrides the line's own language (an explicit choice, e.g. the CLI's --lang). */
  readonly language?: Language | undefined;
  /**
   * The id of this session, the same on every request of it (Africa's Talking `sessionId`; over SMPP
   * one made when the session starts): purchases are keyed by it, so a repeated request never buys
   * twice. Without it nothing is bought.
   */
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
  /** The packs for sale and the ways to pay behind #102# (services/renewal/line-renewal.ts). */
  readonly renewal: UssdRenewalPort;
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
/** The gateway's session id is kept (hashed) in idempotency keys; longer than this is not a gateway's. */
export const USSD_SESSION_ID_LENGTH_MAX = 128;
export const MORE_INPUT = MORE_KEY;
export const BACK_INPUT = BACK_KEY;

export async function answerUssd(deps: UssdSessionDependencies, request: UssdRequest): Promise<UssdScreen> {
  const inputs = sessionInputs(request.text);
  const msisdn = request.msisdn.trim();
  // Until the line is known, only an explicit language or the server's default can be used.
  const fallback_language = request.language ?? deps.default_language;
  const session_id = request.session_id?.trim();
  const unusable = msisdn.length === 0 || request.service_code.trim().length === 0 || inputs === null;
  if (unusable || (session_id?.length ?? 0) > USSD_SESSION_ID_LENGTH_MAX) {
    return screen(messageReply('invalid_request', fallback_language), UNKNOWN_CODE_LABEL, fallback_language);
  }
  const code = parseServiceCode(request.service_code, USSD_MENU);
  const label = code.ok ? code.code : UNKNOWN_CODE_LABEL;
  const deadline_ms = deps.deadline_ms ?? USSD_DEADLINE_MS_DEFAULT;
  try {
    return await withDeadline((async () => {
      const found = await findOverview(deps, msisdn);
      if (!found.ok) return screen(messageReply(found.outcome, fallback_language), label, fallback_language);
      const { overview } = found;
      const language = request.language ?? (isLanguage(overview.line.language) ? overview.line.language : deps.default_language);
      if (!code.ok) return screen(messageReply('unknown_code', language, code.shown), label, language);
      if (overview.line.status !== 'active') return screen(messageReply('line_not_active', language), label, language);
      const time_zone = isTimeZone(overview.line.time_zone) ? overview.line.time_zone : deps.default_time_zone;
      const answer = await walkMenu({
        tree: USSD_MENU, entry: code.screen, inputs, overview, language, time_zone,
        session_id: session_id === undefined || session_id.length === 0 ? undefined : session_id, renewal: deps.renewal,
      });
      return { ...answer, code: label };
    })(), deadline_ms);
  } catch (error) {
    deps.onFailure?.(error);
    return screen(messageReply('unavailable', fallback_language), label, fallback_language);
  }
}

type Found = { ok: true; overview: LineOverview } | { ok: false; outcome: 'unknown_number' };

async function findOverview(deps: UssdSessionDependencies, msisdn: string): Promise<Found> {
  try {
    return { ok: true, overview: await deps.lineOverview({ msisdn }) };
  } catch (error) {
    if (isRoamError(error) && (error.code === 'ROAM_ERR_LINE_NOT_FOUND' || error.code === 'ROAM_ERR_MSISDN_INVALID')) {
      return { ok: false, outcome: 'unknown_number' };
    }
    throw error;
  }
}

/** A one-page reply (the problems: unknown number, unknown code …); END unless it needs pages. */
function screen(reply: UssdReply, code: string, language: Language): UssdScreen {
  const text = reply.pages[0];
  if (text === undefined) throw new Error('a USSD reply without pages');
  return { text, continues: reply.pages.length > 1, page: 0, page_count: reply.pages.length, outcome: reply.outcome, code, language };
}

/** The inputs of a session, or null when there are more than any person could type. */
export function sessionInputs(text: string): string[] | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return [];
  const inputs = trimmed.split('*').map((input) => input.trim());
  return inputs.length > USSD_INPUTS_MAX ? null : inputs;
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

