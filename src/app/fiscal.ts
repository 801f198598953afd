import { AtolRegister } from '../adapters/fiscal/atol/atol-register.js';
import { SandboxRegister } from '../adapters/fiscal/sandbox/sandbox-register.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../ports/clock.js';
import type { FiscalRegister } from '../ports/fiscal-register.js';

export interface FiscalDependencies {
  readonly database: Database;
  readonly clock: Clock;
}

/**
 * The fiscal register this installation has (config.fiscal, validated at start by src/config.ts):
 * ATOL Online, the sandbox (test mode only), or undefined when none is configured — then payments
 * get no fiscal receipt, which the start warns about. As openPayments (app/payments.ts) does for
 * the payment providers; the receipts reach it through the FiscalRegister port only.
 */
export function fiscalRegisterFromConfig(config: Config, dependencies: FiscalDependencies): FiscalRegister | undefined {
  const fiscal = config.fiscal;
  switch (fiscal.register) {
    case undefined:
      return undefined;
    case 'sandbox':
      return new SandboxRegister({ database: dependencies.database, clock: dependencies.clock, delay_ms: fiscal.sandbox_delay_ms });
    case 'atol':
      return new AtolRegister(fiscal.atol, { clock: dependencies.clock });
  }
}
