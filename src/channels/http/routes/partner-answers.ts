import type { FastifyRequest } from 'fastify';
import { formatMoney } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { accountToMsisdn, OSMP_RESULTS, PARTNER_REASON_OUTCOMES, type PartnerReason, type PartnerReasonParams } from '../../../core/osmp.js';
import { maskMsisdn } from '../../../core/phone.js';
import { packageName } from '../../../services/catalog/catalog.js';
import type { Partner } from '../../../services/partners/partner-directory.js';
import type { PartnerAnswer, PartnerApi } from '../../../services/partners/partner-payments.js';
import { languageFromAcceptLanguage } from '../accept-language.js';

/**
 * What both partner channels (OSMP XML, the signed JSON API) do alike around the partner service:
 * the language of the comment, the comment itself, the log lines, and a failure on our side
 * turned into the protocol's "temporary error" (result 1) — which the agent repeats with the same
 * txn_id, resuming the pay where it stopped.
 */

/** Our payment agents are Russian store chains: a till that asks for no language reads Russian. */
export const PARTNER_LANGUAGE_DEFAULT: Language = 'ru';

/** The till's Accept-Language when it sends one we speak, else Russian. No `lang` query: that is not a protocol field. */
export function partnerLanguage(request: FastifyRequest): Language {
  return languageFromAcceptLanguage(request.headers['accept-language']) ?? PARTNER_LANGUAGE_DEFAULT;
}

/** The answer's comment in `language`: the pack's name, the sum and the partner's limits as money. */
export function partnerMessage(
  answer: Pick<PartnerAnswer, 'reason' | 'sum_minor' | 'purchase'>,
  partner: Pick<Partner, 'sum_min_minor' | 'sum_max_minor'>,
  language: Language,
): string {
  const params: PartnerReasonParams = {
    ...(answer.purchase?.kind === 'pack' ? { pack: packageName(answer.purchase.names, language) } : {}),
    ...(answer.sum_minor === null ? {} : { sum: formatMoney(answer.sum_minor, language) }),
    sum_min: formatMoney(Number(partner.sum_min_minor), language),
    sum_max: formatMoney(Number(partner.sum_max_minor), language),
  };
  return messagesFor(language).partner[answer.reason](params);
}

export type PartnerCommand = 'check' | 'pay';

/** One request as the log tells it: never the account itself, only the number it names, masked. */
export interface PartnerRequestFacts {
  readonly api: PartnerApi;
  readonly partner: string;
  /** As sent; for OSMP, anything (an unknown command is logged too). */
  readonly command: string | undefined;
  readonly txn_id: string | undefined;
  readonly account: string | undefined;
}

/** The account for a log line: the number masked (+7900***4567), or null when it is not one. */
export function maskedAccount(account: string | undefined): string | null {
  const read = accountToMsisdn(account ?? '');
  return read.ok ? maskMsisdn(read.msisdn) : null;
}

function loggedRequest(facts: PartnerRequestFacts) {
  return {
    api: facts.api, partner: facts.partner, command: facts.command?.slice(0, COMMAND_LOGGED_LENGTH_MAX),
    txn_id: facts.txn_id?.slice(0, TXN_ID_LOGGED_LENGTH_MAX), account_masked: maskedAccount(facts.account),
  };
}
/** A command is "check" or "pay"; anything longer is cut in the log. */
const COMMAND_LOGGED_LENGTH_MAX = 16;
/** txn_id is at most 64 characters when valid (core/osmp.ts TXN_ID_PATTERN). */
const TXN_ID_LOGGED_LENGTH_MAX = 64;

export function logPartnerRequest(request: FastifyRequest, facts: PartnerRequestFacts): void {
  request.log.info({ partner_request: loggedRequest(facts) }, 'partner request');
}

export function logPartnerAnswer(request: FastifyRequest, facts: PartnerRequestFacts, answer: PartnerAnswer): void {
  request.log.info({
    partner_answer: {
      ...loggedRequest(facts), result: OSMP_RESULTS[answer.outcome], reason: answer.reason, prv_txn: answer.prv_txn,
      sum_minor: answer.sum_minor, purchase: answer.purchase?.kind === 'pack' ? answer.purchase.package_code : (answer.purchase?.kind ?? null),
      replayed: answer.replayed,
    },
  }, 'partner answer');
}

/**
 * Runs a check or a pay. An unexpected failure (the database gone, a bug) is logged as an error
 * and answered "temporary error": the agent repeats the same txn_id later, and a pay already
 * written resumes then (services/partners/partner-payments.ts).
 */
export async function answerOrTemporary(
  request: FastifyRequest, facts: PartnerRequestFacts, run: () => Promise<PartnerAnswer>,
): Promise<PartnerAnswer> {
  try {
    return await run();
  } catch (error) {
    request.log.error({ err: error, partner_request: loggedRequest(facts) }, 'partner request failed on our side: answered "temporary"');
    return bareAnswer('temporary', maskedAccount(facts.account));
  }
}

/** An answer decided in the channel (a malformed field, our own failure): no payment row, no sum. */
export function bareAnswer(reason: PartnerReason, msisdn_masked: string | null = null): PartnerAnswer {
  return {
    outcome: PARTNER_REASON_OUTCOMES[reason], reason, prv_txn: null, sum_minor: null, purchase: null, msisdn_masked, replayed: false,
  };
}
