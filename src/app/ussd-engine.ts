import { answerUssd, type UssdRequest, type UssdScreen } from '../channels/ussd/session.js';
import { ussdSessionDependencies } from '../channels/ussd/dependencies.js';
import type { AppContext } from './context.js';

/**
 * The USSD session engine as one function of a request, for transports that hold no HTTP request
 * to log against (deliver_sm over the SMPP link in `serve`). Its dependencies come from the same
 * builder POST /ussd/at uses, so both transports run the same menus over the same services.
 */
export function ussdAnswerer(
  context: Pick<AppContext, 'config' | 'services' | 'lineRenewal'>,
  options: { readonly deadline_ms?: number; readonly onFailure?: (error: unknown) => void } = {},
): (request: UssdRequest) => Promise<UssdScreen> {
  const dependencies = ussdSessionDependencies(context, options);
  return (request) => answerUssd(dependencies, request);
}
