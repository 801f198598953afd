import { RoamError } from '../../core/errors.js';
import { isInPersonMethod, type PaymentMethod, type PaymentProvider } from '../../ports/payment-provider.js';

/**
 * Which provider takes which method. The sandbox takes every online method by default; a
 * configured real provider takes over the methods the operator routes to it
 * (PAYMENT_ROUTES="card=yookassa,sbp=yookassa,alipay=stripe,wechat_pay=stripe,paypal=paypal").
 */
export class PaymentRouter {
  readonly #providers: ReadonlyMap<string, PaymentProvider>;
  readonly #routes: ReadonlyMap<PaymentMethod, string>;

  constructor(providers: readonly PaymentProvider[], routes: Partial<Record<PaymentMethod, string>> = {}) {
    this.#providers = new Map(providers.map((provider) => [provider.name, provider]));
    const table = new Map<PaymentMethod, string>();
    for (const provider of providers) {
      for (const method of provider.methods) if (!table.has(method)) table.set(method, provider.name);
    }
    for (const [method, name] of Object.entries(routes) as Array<[PaymentMethod, string]>) {
      const provider = this.#providers.get(name);
      if (!provider) throw new Error(`PAYMENT_ROUTES sends ${method} to ${name}, which is not configured`);
      if (!provider.methods.includes(method)) throw new Error(`PAYMENT_ROUTES sends ${method} to ${name}, which does not take it`);
      table.set(method, name);
    }
    this.#routes = table;
  }

  providerFor(method: PaymentMethod): PaymentProvider {
    const name = this.#routes.get(method);
    const provider = name ? this.#providers.get(name) : undefined;
    if (!provider) throw new RoamError('ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE', { value: method });
    return provider;
  }

  byName(name: string): PaymentProvider | undefined {
    return this.#providers.get(name);
  }

  /** The online methods a customer can choose from: not those taken in person (desk, agent), and the wallet is not routed here. */
  methods(): PaymentMethod[] {
    return [...this.#routes.keys()].filter((method) => !isInPersonMethod(method));
  }

  providers(): PaymentProvider[] {
    return [...this.#providers.values()];
  }
}
