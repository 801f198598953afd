import { InvalidArgumentError, type Command } from 'commander';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import { maskPhoneNumbersInText } from '../../../core/phone.js';
import { answerUssd, BACK_INPUT, MORE_INPUT, type UssdScreen } from '../../ussd/session.js';
import { withContext } from '../run-command.js';

/**
 * `roamcard ussd +79001234567 '#100#'`: what the phone would show, for support staff and demos.
 * The page text is printed as is; a screen that waits for an answer gets one last line in brackets
 * saying which answers move on; a final screen gets nothing extra.
 */
export function registerUssdCommand(program: Command): void {
  program
    .command('ussd')
    .description('show the USSD screen a phone would get for a code (#100# balance, #101# packs)')
    .argument('<msisdn>', 'the phone number, e.g. +79001234567')
    .argument('<code>', "the code dialled, e.g. '#100#' or '*101#' (quote it: # starts a shell comment)")
    .option('--lang <language>', "reply language (zh-Hans, zh-Hant, ru, en); default: the line's own", parseLanguageOption)
    .option('--input <inputs>', "the customer's answers so far joined by '*', e.g. '0*0' (0 more, 00 back)")
    .action((msisdn: string, code: string, options: { lang?: Language; input?: string }) =>
      withContext(async ({ config, services }) => {
        const screen = await answerUssd(
          {
            lineOverview: (ref) => services.lineOverview(ref),
            default_language: config.default_language,
            default_time_zone: config.default_time_zone,
            onFailure: (error) => console.error(maskPhoneNumbersInText(`ussd: ${error instanceof Error ? error.message : String(error)}`)),
          },
          { msisdn, service_code: code, text: options.input ?? '', language: options.lang },
        );
        console.log(renderScreen(screen));
        // The phone shows a polite reply either way; the operator's shell learns it was our fault.
        if (screen.outcome === 'unavailable') process.exitCode = 1;
      }),
    );
}

/** The page as the phone shows it, then the bracketed continuation line when the session goes on. */
export function renderScreen(screen: Pick<UssdScreen, 'text' | 'continues' | 'page' | 'page_count'>): string {
  if (!screen.continues) return screen.text;
  const choices = [
    ...(screen.page < screen.page_count - 1 ? [`${MORE_INPUT} for more`] : []),
    ...(screen.page > 0 ? [`${BACK_INPUT} to go back`] : []),
  ];
  return `${screen.text}\n[session continues: reply ${choices.join(' or ')}]`;
}

function parseLanguageOption(value: string): Language {
  const language = normalizeLanguage(value);
  if (!language) throw new InvalidArgumentError('must be one of zh-Hans, zh-Hant, ru, en');
  return language;
}
