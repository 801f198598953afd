import { paypalConfigFromEnv } from '../adapters/payments/paypal/paypal-config.js';
import { PayPalProvider } from '../adapters/payments/paypal/paypal-provider.js';
import { sandboxConfigFromEnv, type SandboxConfig } from '../adapters/payments/sandbox/sandbox-config.js';
import { SandboxProvider } from '../adapters/payments/sandbox/sandbox-provider.js';
import { stripeConfigFromEnv } from '../adapters/payments/stripe/stripe-config.js';
import { StripeProvider } from '../adapters/payments/stripe/stripe-provider.js';
import { yookassaConfigFromEnv } from '../adapters/payments/yookassa/yookassa-config.js';
import { YooKassaProvider } from '../adapters/payments/yookassa/yookassa-provider.js';
import { ConfigError, type Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../ports/clock.js';
import { PAYMENT_METHODS, type PaymentMethod, type PaymentProvider } from '../ports/payment-provider.js';
import { PaymentRouter } from '../services/renewal/payment-router.js';

export interface Payments {
  readonly router: PaymentRouter;
  readonly sandbox: SandboxProvider;
  readonly sandbox_config: SandboxConfig;
}

/**
 * The payment providers this installation has: the sandbox always (so a fresh machine renews end
 * to end), and YooKassa, Stripe and PayPal when their variables are set. Each adapter validates its
 * own variables; a bad value stops the start like any other configuration error.
 */
export function openPayments(config: Config, database: Database, clock: Clock, environment: Record<string, string | undefined> = process.env): Payments {
  const sandbox_config = configured(() => sandboxConfigFromEnv(environment));
  const sandbox = new SandboxProvider({
    database, clock, config: sandbox_config, public_base_url: config.public_base_url, webhook_url: `${config.public_base_url}/webhooks/sandbox`,
  });
  const providers: PaymentProvider[] = [sandbox];
  const yookassa = configured(() => yookassaConfigFromEnv(environment));
  if (yookassa) providers.push(new YooKassaProvider(yookassa));
  const stripe = configured(() => stripeConfigFromEnv(environment));
  if (stripe) providers.push(new StripeProvider(stripe));
  const paypal = configured(() => paypalConfigFromEnv(environment));
  if (paypal) providers.push(new PayPalProvider(paypal));

  const routes: Partial<Record<PaymentMethod, string>> = {};
  for (const [method, provider] of Object.entries(config.payment_routes)) {
    if (!(PAYMENT_METHODS as readonly string[]).includes(method)) throw new ConfigError([`PAYMENT_ROUTES: ${method} is not a payment method`]);
    routes[method as PaymentMethod] = provider;
  }
  try {
    return { router: new PaymentRouter(providers, routes), sandbox, sandbox_config };
  } catch (error) {
    throw new ConfigError([error instanceof Error ? error.message : String(error)]);
  }
}

function configured<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([error instanceof Error ? error.message : String(error)]);
  }
}
