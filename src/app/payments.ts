import { AgentProvider } from '../adapters/payments/agent/agent-provider.js';
import { DeskProvider } from '../adapters/payments/desk/desk-provider.js';
import { BankTransferProvider } from '../adapters/payments/bank-transfer/bank-transfer-provider.js';
import { paypalConfigFromEnv } from '../adapters/payments/paypal/paypal-config.js';
import { PayPalProvider } from '../adapters/payments/paypal/paypal-provider.js';
import { sandboxConfigFromEnv } from '../adapters/payments/sandbox/sandbox-config.js';
import { SandboxProvider } from '../adapters/payments/sandbox/sandbox-provider.js';
import { stripeConfigFromEnv } from '../adapters/payments/stripe/stripe-config.js';
import { StripeProvider } from '../adapters/payments/stripe/stripe-provider.js';
import { yookassaConfigFromEnv } from '../adapters/payments/yookassa/yookassa-config.js';
import { YooKassaProvider } from '../adapters/payments/yookassa/yookassa-provider.js';
import { ConfigError, type Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../ports/clock.js';
import { PAYMENT_METHODS, type PaymentMethod, type PaymentProvider } from '../ports/payment-provider.js';
import type { PaymentDetailsLookup } from '../services/receipts/receipt-service.js';
import { jobsOutbox } from '../services/jobs/outbox.js';
import { PaymentRouter } from '../services/renewal/payment-router.js';

export interface Payments {
  readonly router: PaymentRouter;
  /** Test mode only (PAYMENTS_SANDBOX): the sandbox provider, its hosted pages and webhooks. */
  readonly sandbox: SandboxProvider | undefined;
  /** PAYMENTS_BANK_TRANSFER: invoices settled by importing a bank statement. */
  readonly bank_transfer: BankTransferProvider | undefined;
  /** True while the sandbox takes payments: pages and receipts say no money moves. */
  readonly test_mode: boolean;
  /** What a provider recorded about how a payment was made (card digits, transfer reference), for receipts. */
  readonly paymentDetails: PaymentDetailsLookup;
}

/**
 * The payment providers this installation has: YooKassa, Stripe and PayPal when their variables
 * are set; the in-house bank transfer when PAYMENTS_BANK_TRANSFER is on; and the sandbox in test
 * mode only (config.payments.sandbox); and the desk (cash, card terminal: staff only). A method no configured provider takes is not offered
 * anywhere and is refused when asked for. Each adapter validates its own variables (kit/provider-settings.ts)
 * and throws ConfigError for a bad value, which stops the start like any other configuration error.
 */
export function openPayments(
  config: Config,
  database: Database,
  clock: Clock,
  environment: Record<string, string | undefined> = process.env,
): Payments {
  const providers: PaymentProvider[] = [];
  const yookassa = yookassaConfigFromEnv(environment);
  if (yookassa) providers.push(new YooKassaProvider(yookassa));
  const stripe = stripeConfigFromEnv(environment);
  if (stripe) providers.push(new StripeProvider(stripe));
  const paypal = paypalConfigFromEnv(environment);
  if (paypal) providers.push(new PayPalProvider(paypal));
  const sandbox = config.payments.sandbox ? new SandboxProvider({
    database, clock, config: sandboxConfigFromEnv(environment),
    public_base_url: config.public_base_url, webhook_url: `${config.public_base_url}/webhooks/sandbox`, outbox: jobsOutbox,
  }) : undefined;
  // After the real providers: one configured beside it (PAYMENTS_SANDBOX=on) takes its methods first.
  if (sandbox) providers.push(sandbox);
  // Last, so pages list the online methods first (it takes only bank transfers).
  const bank_transfer = config.payments.bank_transfer ? new BankTransferProvider({ database, clock }) : undefined;
  if (bank_transfer) providers.push(bank_transfer);
  // In-house and always on: its methods (cash, card terminal) are taken by staff at a desk only.
  const desk = new DeskProvider({ database });
  providers.push(desk);
  // In-house and always on too: the agent method is taken by payment agents' tills only (services/partners).
  providers.push(new AgentProvider({ database }));

  const routes: Partial<Record<PaymentMethod, string>> = {};
  for (const [method, provider] of Object.entries(config.payment_routes)) {
    if (!(PAYMENT_METHODS as readonly string[]).includes(method)) throw new ConfigError([`PAYMENT_ROUTES: ${method} is not a payment method`]);
    routes[method as PaymentMethod] = provider;
  }
  try {
    const router = new PaymentRouter(providers, routes);
    return {
      router, sandbox, bank_transfer, test_mode: sandbox !== undefined, paymentDetails: paymentDetailsLookup(sandbox, bank_transfer, desk),
    };
  } catch (error) {
    throw new ConfigError([error instanceof Error ? error.message : String(error)]);
  }
}

/** Only the in-house providers keep such details where we can read them; the others put them on their own receipts. */
function paymentDetailsLookup(
  sandbox: SandboxProvider | undefined,
  bank_transfer: BankTransferProvider | undefined,
  desk: DeskProvider,
): PaymentDetailsLookup {
  return async ({ provider, provider_payment_id }) => {
    if (provider_payment_id === null) return null;
    if (provider === desk.name) return { card_last4: await desk.cardLast4Of(provider_payment_id), transfer_reference: null };
    if (sandbox && provider === sandbox.name) {
      const payment = await sandbox.findForPage(provider_payment_id);
      return payment ? { card_last4: payment.card_last4, transfer_reference: null } : null;
    }
    if (bank_transfer && provider === bank_transfer.name) {
      return { card_last4: null, transfer_reference: await bank_transfer.referenceOf(provider_payment_id) };
    }
    return null;
  };
}
