import { z } from 'zod';
import { SALES_CHANNELS } from '../../../core/catalog.js';
import { failureText } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';
import { ORDER_STATES } from '../../../core/order-state.js';
import { nextActionSchema, PAYMENT_METHODS, PAYMENT_STATUSES } from '../../../ports/payment-provider.js';
import type { PaymentView } from '../../../services/renewal/orders.js';

/**
 * The parts of orders and payments that the renewal API and the customer API both show, described
 * once: the state lists come from the domain (ORDER_STATES, PAYMENT_STATUSES), never retyped.
 */

export const failureSchema = z.object({ code: z.string(), message: z.string().describe('In the caller\'s language') }).nullable();
export const orderStateSchema = z.enum(ORDER_STATES);
export const salesChannelSchema = z.enum(SALES_CHANNELS);

export const paymentSchema = z.object({
  id: z.string(),
  method: z.enum(PAYMENT_METHODS),
  provider: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  amount_minor: z.number().int(),
  currency: z.string(),
  next_action: nextActionSchema.nullable()
    .describe('Where the customer goes to pay: {type: redirect, url} | {type: qr, payload, url?} | {type: bank_transfer, reference}'),
  failure: failureSchema,
  created_at: z.string(),
}).meta({ id: 'Payment' });

export function presentPayment(payment: PaymentView, language: Language): z.infer<typeof paymentSchema> {
  return {
    id: payment.id, method: payment.method, provider: payment.provider, status: payment.status, amount_minor: payment.amount_minor,
    currency: payment.currency, next_action: payment.next_action, failure: failureText(payment.failure_code, language),
    created_at: new Date(payment.created_at_ms).toISOString(),
  };
}
