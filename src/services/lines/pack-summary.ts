import { formatData, formatShortDateTime, formatSms, formatVoice } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor, type KindSummary, type Messages } from '../../core/i18n/messages.js';
import { USAGE_KINDS, type UsageKind } from '../../core/units.js';
import type { Bundle } from '../charging/bundles.js';
import type { BundleView } from './overview.js';

/**
 * What live packs hold, kind by kind, and how a person reads it ("Data: 4.3 GB left, until 3 Dec
 * 12:00"): one wording for #100#, the order's status page and anywhere else a balance is shown.
 */

export const REMAINING: Readonly<Record<UsageKind, (bundle: Bundle) => number>> = {
  data: (bundle) => bundle.data_bytes_remaining,
  voice: (bundle) => bundle.voice_seconds_remaining,
  sms: (bundle) => bundle.sms_remaining,
};

export const TOTAL: Readonly<Record<UsageKind, (bundle: Bundle) => number>> = {
  data: (bundle) => bundle.data_bytes_total,
  voice: (bundle) => bundle.voice_seconds_total,
  sms: (bundle) => bundle.sms_total,
};

export interface KindTotal {
  readonly kind: UsageKind;
  /** Bytes, seconds or messages, summed over the live packs that still hold some. */
  readonly remaining: number;
  readonly expires_at_ms_min: number;
  readonly packs: number;
}

/** Per kind, what the live packs still hold and when the first of them ends; kinds with nothing left are left out. */
export function kindSummaries(views: readonly BundleView[]): KindTotal[] {
  return USAGE_KINDS.flatMap((kind) => {
    const holding = views.map((view) => view.bundle).filter((bundle) => REMAINING[kind](bundle) > 0);
    if (holding.length === 0) return [];
    return [{
      kind,
      remaining: holding.reduce((sum, bundle) => sum + REMAINING[kind](bundle), 0),
      expires_at_ms_min: Math.min(...holding.map((bundle) => bundle.expires_at_ms)),
      packs: holding.length,
    }];
  });
}

const KIND_LINE: Readonly<Record<UsageKind, (ussd: Messages['ussd']) => (p: KindSummary) => string>> = {
  data: (ussd) => ussd.data_left,
  voice: (ussd) => ussd.voice_left,
  sms: (ussd) => ussd.sms_left,
};

/** Bytes, seconds or messages in the reader's words ("4.3 GB", "79 min", "12 SMS"). */
export function formatAmount(kind: UsageKind, quantity: number, language: Language): string {
  switch (kind) {
    case 'data': return formatData(quantity, language);
    case 'voice': return formatVoice(quantity, language);
    case 'sms': return formatSms(quantity, language);
  }
}

/** One sentence per kind the packs hold; `no_packs` when they hold nothing. Times in the line's zone. */
export function kindSummaryLines(views: readonly BundleView[], language: Language, time_zone: string): string[] {
  const ussd = messagesFor(language).ussd;
  const summaries = kindSummaries(views);
  if (summaries.length === 0) return [ussd.no_packs];
  return summaries.map((summary) => KIND_LINE[summary.kind](ussd)({
    amount: formatAmount(summary.kind, summary.remaining, language),
    until: formatShortDateTime(summary.expires_at_ms_min, language, time_zone),
    packs: summary.packs,
  }));
}
