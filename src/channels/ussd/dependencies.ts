import type { AppContext } from '../../app/context.js';
import { USSD_DEADLINE_MS_DEFAULT, type UssdSessionDependencies } from './session.js';

/**
 * The session's dependencies from the application context: the same for every transport
 * (`POST /ussd/at`, USSD over SMPP, the CLI), so each runs the same menus over the same services.
 */
export function ussdSessionDependencies(
  context: Pick<AppContext, 'config' | 'services' | 'lineRenewal'>,
  options: { readonly deadline_ms?: number; readonly onFailure?: (error: unknown) => void } = {},
): UssdSessionDependencies {
  const { config, services, lineRenewal } = context;
  return {
    lineOverview: (ref) => services.lineOverview(ref),
    renewal: lineRenewal,
    default_language: config.default_language,
    default_time_zone: config.default_time_zone,
    deadline_ms: options.deadline_ms ?? USSD_DEADLINE_MS_DEFAULT,
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
  };
}
