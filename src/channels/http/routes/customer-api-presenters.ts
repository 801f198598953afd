import { z } from 'zod';
import { failureText } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import type { CustomerLine } from '../../../services/customers/customer-lines.js';
import type { CustomerOrderSummary } from '../../../services/customers/customer-orders.js';
import { USAGE_DAYS_SHORT, type Allowance, type LineDashboard, type PackWarning, type UsageDay } from '../../../services/customers/line-dashboard.js';
import { BLOCK_REASONS } from '../../../core/network-blocks.js';
import { USAGE_KINDS, type UsageKind } from '../../../core/units.js';
import { offGroups, offSentence, offUntilMs, type KindService, type ServiceState } from '../../../services/lines/service-state.js';
import type { OrderView } from '../../../services/renewal/orders.js';
import { failureSchema, orderStateSchema, paymentSchema, presentPayment, salesChannelSchema } from './order-schemas.js';

/**
 * The customer API's response shapes (zod, so they are the OpenAPI document) and the functions
 * that fill them from service results. Times are ISO 8601 UTC; durations carry their unit.
 */

const MS_PER_SECOND = 1_000;
const iso = (at_ms: number) => new Date(at_ms).toISOString();
const seconds = (duration_ms: number) => Math.floor(duration_ms / MS_PER_SECOND);

export const customerSchema = z.object({
  id: z.string(),
  language: z.string(),
  primary_line_id: z.string().describe('The line the account was created through'),
  created_at: z.string(),
  session: z.object({ id: z.string(), kind: z.enum(['cookie', 'bearer']), expires_at: z.string() }),
  csrf_token: z.string().nullable().describe('For cookie sessions: send as x-csrf-token on POST and DELETE'),
}).meta({ id: 'Customer' });

export const customerLineSchema = z.object({
  id: z.string(),
  msisdn: z.string(),
  status: z.enum(['active', 'suspended', 'closed']),
  language: z.string(),
  time_zone: z.string(),
  balance_minor: z.number().int().describe('The line\'s money, in kopecks'),
  currency: z.string(),
  iccid_verified: z.boolean().describe('False when the line was added by an SMS code only: ask for the ICCID (POST /api/v1/me/lines) to confirm the card'),
  primary: z.boolean(),
  added_at: z.string(),
}).meta({ id: 'CustomerLine' });

export function presentLine(line: CustomerLine): z.infer<typeof customerLineSchema> {
  return {
    id: line.line_id, msisdn: line.msisdn, status: line.status, language: line.language, time_zone: line.time_zone,
    balance_minor: line.wallet_balance_minor, currency: 'RUB', iccid_verified: line.verified_by === 'iccid', primary: line.primary, added_at: iso(line.added_at_ms),
  };
}

const allowanceSchema = <Unit extends string>(unit: Unit) => z.object({
  [`total_${unit}`]: z.number().int(),
  [`remaining_${unit}`]: z.number().int(),
  remaining_percent: z.number().int().describe('Rounded down'),
} as Record<`total_${Unit}` | `remaining_${Unit}`, z.ZodNumber> & { remaining_percent: z.ZodNumber }).nullable();

const warningSchema = z.object({
  type: z.enum(['running_low', 'expiring_soon']).describe('running_low: 20 % or less left of one allowance; expiring_soon: less than 24 hours left'),
  resource: z.enum(['data', 'voice', 'sms']).optional(),
  remaining_percent: z.number().int().optional(),
  expires_in_s: z.number().int().optional(),
});

const usageDaySchema = z.object({ date: z.string().describe('YYYY-MM-DD in the line\'s zone'), data_bytes: z.number().int(), voice_seconds: z.number().int(), sms_count: z.number().int() });

const kindServiceSchema = z.object({
  available: z.boolean().describe('True when this kind of usage works now'),
  via: z.enum(['packs', 'balance']).nullable().describe('What pays for it when it works: a pack, or the balance (pay-as-you-go)'),
  reason: z.enum(['line_not_active', 'identity_unverified', 'network_block', 'pack_used_up', 'pack_expired', 'no_pack_no_balance']).nullable()
    .describe('Why it does not work; null when it does'),
  ends_at: z.string().nullable().describe('When it works again by itself (a network block\'s end); null otherwise'),
  block_reason: z.enum(BLOCK_REASONS).nullable().describe('reason network_block: why the network paused it'),
  pack: z.object({ code: z.string(), name: z.string() }).nullable().describe('reason pack_used_up or pack_expired: which pack'),
  expired_at: z.string().nullable().describe('reason pack_expired: when the pack ended'),
  action: z.enum(['wait', 'renew', 'call_centre', 'service_hall']).nullable().describe('What the customer can do'),
  message: z.string().nullable().describe('Why and what to do, in the caller\'s language, times in the line\'s zone'),
});

const serviceSchema = z.object({ data: kindServiceSchema, voice: kindServiceSchema, sms: kindServiceSchema })
  .describe('"Why is my service off?": per kind of usage, whether it works now, and if not why and what to do')
  .meta({ id: 'LineService' });

export const dashboardSchema = z.object({
  line: z.object({ id: z.string(), msisdn: z.string(), status: z.string(), language: z.string(), time_zone: z.string() }),
  wallet: z.object({ balance_minor: z.number().int(), currency: z.string() }),
  packs: z.array(z.object({
    bundle_id: z.string(),
    package_code: z.string(),
    name: z.string().describe('In the caller\'s language'),
    kind: z.enum(['data', 'voice', 'sms', 'combo']),
    activated_at: z.string(),
    expires_at: z.string(),
    expires_in_s: z.number().int(),
    data: allowanceSchema('bytes'),
    voice: allowanceSchema('seconds'),
    sms: allowanceSchema('count'),
    warnings: z.array(warningSchema),
  })).describe('Live packs, the first to expire first (usage draws from it first)'),
  usage: z.object({
    time_zone: z.string(),
    days_7: z.array(usageDaySchema).describe('Oldest first, today (so far) last'),
    days_30: z.array(usageDaySchema).describe('Oldest first, today (so far) last'),
  }),
  service: serviceSchema,
}).meta({ id: 'LineDashboard' });

export function presentDashboard(dashboard: LineDashboard, language: Language): z.infer<typeof dashboardSchema> {
  const days = dashboard.usage_by_day.map(presentUsageDay);
  return {
    line: dashboard.line,
    wallet: dashboard.wallet,
    packs: dashboard.packs.map((pack) => ({
      bundle_id: pack.bundle_id, package_code: pack.package_code, name: pack.names[language], kind: pack.kind,
      activated_at: iso(pack.activated_at_ms), expires_at: iso(pack.expires_at_ms), expires_in_s: seconds(pack.expires_in_ms),
      data: presentAllowance(pack.data, 'bytes'), voice: presentAllowance(pack.voice, 'seconds'), sms: presentAllowance(pack.sms, 'count'),
      warnings: pack.warnings.map(presentWarning),
    })),
    usage: { time_zone: dashboard.line.time_zone, days_7: days.slice(-USAGE_DAYS_SHORT), days_30: days },
    service: presentService(dashboard.service, language, dashboard.line.time_zone),
  };
}

/** Each kind's state; an off kind carries the sentence of its cause (shared by the kinds with that cause). */
export function presentService(state: ServiceState, language: Language, time_zone: string): z.infer<typeof serviceSchema> {
  const messages = new Map<UsageKind, string>();
  for (const group of offGroups(state)) {
    const sentence = offSentence(group, 'long', language, time_zone);
    for (const kind of group.kinds) messages.set(kind, sentence);
  }
  const present = (service: KindService): z.infer<typeof kindServiceSchema> => {
    if (service.available) {
      return {
        available: true, via: service.via, reason: null, ends_at: null, block_reason: null, pack: null, expired_at: null,
        action: null, message: null,
      };
    }
    const until_ms = offUntilMs(service);
    return {
      available: false, via: null, reason: service.reason, ends_at: until_ms === null ? null : iso(until_ms),
      block_reason: service.reason === 'network_block' ? service.block.reason : null,
      pack: service.reason === 'pack_used_up' || service.reason === 'pack_expired'
        ? { code: service.pack.package_code, name: service.pack.names[language] } : null,
      expired_at: service.reason === 'pack_expired' ? iso(service.expired_at_ms) : null,
      action: service.action, message: messages.get(service.kind) ?? null,
    };
  };
  const [data, voice, sms] = USAGE_KINDS.map((kind) => present(state.kinds[kind]));
  return { data: data!, voice: voice!, sms: sms! };
}

function presentAllowance<Unit extends string>(allowance: Allowance | null, unit: Unit) {
  if (!allowance) return null;
  return { [`total_${unit}`]: allowance.total, [`remaining_${unit}`]: allowance.remaining, remaining_percent: allowance.remaining_percent } as
    Record<`total_${Unit}` | `remaining_${Unit}`, number> & { remaining_percent: number };
}

function presentWarning(warning: PackWarning): z.infer<typeof warningSchema> {
  return warning.type === 'running_low'
    ? { type: warning.type, resource: warning.resource, remaining_percent: warning.remaining_percent }
    : { type: warning.type, expires_in_s: seconds(warning.expires_in_ms) };
}

function presentUsageDay(day: UsageDay): z.infer<typeof usageDaySchema> {
  return { date: day.date, data_bytes: day.data_bytes, voice_seconds: day.voice_seconds, sms_count: day.sms_count };
}


const orderSummaryFields = {
  id: z.string(),
  line_id: z.string(),
  msisdn: z.string(),
  package_code: z.string(),
  package_name: z.string().describe('In the caller\'s language'),
  state: orderStateSchema,
  state_text: z.string().describe('The state in the caller\'s language'),
  failure: failureSchema,
  amount_minor: z.number().int(),
  currency: z.string(),
  channel: salesChannelSchema,
  created_at: z.string(),
};

export const customerOrderSummarySchema = z.object({
  ...orderSummaryFields,
  receipt_number: z.string().nullable().describe('Once the receipt was issued; GET the order for its links'),
}).meta({ id: 'CustomerOrderSummary' });

export const customerOrderSchema = z.object({
  ...orderSummaryFields,
  expires_at: z.string().describe('An unpaid order closes then'),
  payments: z.array(paymentSchema.omit({ provider: true })),
  refunds: z.array(z.object({ id: z.string(), status: z.string(), reason: z.string(), amount_minor: z.number().int() })),
  receipt: z.object({
    number: z.string(),
    url: z.string().describe('The receipt page (HTML)'),
    pdf_url: z.string().describe('The same receipt as PDF'),
  }).nullable().describe('Null until the receipt is issued (seconds after activation); never for unpaid orders'),
}).meta({ id: 'CustomerOrder' });

export type ReceiptLinks = NonNullable<z.infer<typeof customerOrderSchema>['receipt']>;

export function presentOrderSummary(order: CustomerOrderSummary, language: Language): z.infer<typeof customerOrderSummarySchema> {
  return { ...summaryFields(order, language), receipt_number: order.receipt_number };
}

export function presentCustomerOrder(
  summary: CustomerOrderSummary,
  view: OrderView,
  receipt: ReceiptLinks | null,
  language: Language,
): z.infer<typeof customerOrderSchema> {
  return {
    ...summaryFields(summary, language),
    expires_at: iso(view.order.expires_at_ms),
    payments: view.payments.map((payment) => {
      const { provider: _provider, ...shown } = presentPayment(payment, language);
      return shown;
    }),
    refunds: view.refunds.map((refund) => ({
      id: refund.id, status: refund.status, reason: refund.reason, amount_minor: refund.amount_minor,
    })),
    receipt,
  };
}

function summaryFields(order: CustomerOrderSummary, language: Language) {
  return {
    id: order.id, line_id: order.line_id, msisdn: order.msisdn, package_code: order.package_code,
    package_name: order.package_names[language],
    state: order.state, state_text: messagesFor(language).renewal.order_states[order.state],
    failure: failureText(order.failure_code, language),
    amount_minor: order.amount_minor, currency: order.currency, channel: order.channel, created_at: iso(order.created_at_ms),
  };
}
