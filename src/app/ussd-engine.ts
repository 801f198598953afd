import { answerUssd, USSD_DEADLINE_MS_DEFAULT, type UssdRequest, type UssdScreen, type UssdSessionDependencies } from '../channels/ussd/session.js';
import type { AppContext } from './context.js';

/**
 * What the USSD session engine needs from the application, built in one place for both USSD
 * transports (POST /ussd/at in the HTTP server, deliver_sm over the SMPP link in `serve`), so the
 * two run the same menus over the same services.
 */
export function ussdSessionDependencies(
  context: Pick<AppContext, 'config' | 'services'>,
  options: { readonly deadline_ms?: number | undefined } = {},
): Omit<UssdSessionDependencies, 'onFailure'> {
  const { config, services } = context;
  return {
    lineOverview: (ref) => services.lineOverview(ref),
    default_language: config.default_language,
    default_time_zone: config.default_time_zone,
    deadline_ms: options.deadline_ms ?? USSD_DEADLINE_MS_DEFAULT,
  };
}

/** The engine as one function of a request, for transports that hold no HTTP request to log against. */
export function ussdAnswerer(
  context: Pick<AppContext, 'config' | 'services'>,
  options: { readonly deadline_ms?: number; readonly onFailure?: (error: unknown) => void } = {},
): (request: UssdRequest) => Promise<UssdScreen> {
  const dependencies: UssdSessionDependencies = {
    ...ussdSessionDependencies(context, options), ...(options.onFailure ? { onFailure: options.onFailure } : {}),
  };
  return (request) => answerUssd(dependencies, request);
}
