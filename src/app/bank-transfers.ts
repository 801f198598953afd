import type { BankTransferOutcome } from '../services/statements/import-statement.js';
import type { AppContext } from './context.js';

/**
 * The one place where a line of a bank statement settles a bank transfer. Today the sandbox provider
 * holds the transfers it issued; when the renewal service settles bank transfers in process, only
 * this function changes, and every caller (the statement import) keeps its four outcomes:
 * settled → applied; already_final → already applied; unknown_reference and amount_mismatch →
 * the line is rejected for a person to look at.
 */
export function settleBankTransfer(context: Pick<AppContext, 'payments'>, reference: string, amount_minor: number): Promise<BankTransferOutcome> {
  return context.payments.sandbox.settleBankTransfer(reference, amount_minor);
}
