import { describeEachDatabase } from '../../../testing/databases.js';
import { bankTransferDriver } from '../bank-transfer/bank-transfer-contract-driver.js';
import { paypalDriver } from '../paypal/paypal-contract-driver.js';
import { sandboxDriver } from '../sandbox/sandbox-contract-driver.js';
import { stripeDriver } from '../stripe/stripe-contract-driver.js';
import { yookassaDriver } from '../yookassa/yookassa-contract-driver.js';
import { providerContract } from './provider-contract.js';

/**
 * The payment provider contract (provider-contract.ts) over every adapter: the in-house ones on
 * each database, the outside ones against their local fakes.
 */

describeEachDatabase('in-house providers', (test_db) => {
  providerContract(sandboxDriver(() => test_db.database));
  providerContract(bankTransferDriver(() => test_db.database));
});

providerContract(yookassaDriver());
providerContract(stripeDriver('checkout'));
providerContract(stripeDriver('payment_intent'));
providerContract(paypalDriver());
