import { InvalidArgumentError, type Command } from 'commander';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import { maskPhoneNumbersInText } from '../../../core/phone.js';
import { ussdSessionDependencies } from '../../ussd/dependencies.js';
import { answerUssd, type UssdScreen } from '../../ussd/session.js';
import { withContext } from '../run-command.js';

/**
 * `roamcard ussd +79001234567 '#100#'`: what the phone would show, for support staff and demos.
 * The page text is printed as is; a screen that waits for an answer gets one last line in brackets
 * saying how to answer (run again with the answer added to --input); a final screen gets nothing extra.
 * Buying in #102# needs --session, as a gateway's session id: reuse it for every step of one session.
 */
export function registerUssdCommand(program: Command): void {
  program
    .command('ussd')
    .description('show the USSD screen a phone would get for a code (#100# balance, #101# packs, #102# renew)')
    .argument('<msisdn>', 'the phone number, e.g. +79001234567')
    .argument('<code>', "the code dialled, e.g. '#100#' or '*101#' (quote it: # starts a shell comment)")
    .option('--lang <language>', "reply language (zh-Hans, zh-Hant, ru, en); default: the line's own", parseLanguageOption)
    .option('--input <inputs>', "the customer's answers so far joined by '*', e.g. '1*1' (99 more, 0 back)")
    .option('--session <id>', 'a session id as a gateway gives it; #102# buys only with one (the same id for every step)')
    .action((msisdn: string, code: string, options: { lang?: Language; input?: string; session?: string }) =>
      withContext(async (context) => {
        const deps = ussdSessionDependencies(context, {
          onFailure: (error) => console.error(maskPhoneNumbersInText(`ussd: ${error instanceof Error ? error.message : String(error)}`)),
        });
        const inputs = options.input ?? '';
        const screen = await answerUssd(deps, {
          msisdn, service_code: code, text: inputs, language: options.lang, ...(options.session ? { session_id: `cli:${options.session}` } : {}),
        });
        console.log(renderScreen(screen, inputs));
        // The phone shows a polite reply either way; the operator's shell learns it was our fault.
        if (screen.outcome === 'unavailable') process.exitCode = 1;
      }),
    );
}

/** The page as the phone shows it, then the bracketed line saying how to answer while the session goes on. */
export function renderScreen(screen: Pick<UssdScreen, 'text' | 'continues'>, inputs = ''): string {
  if (!screen.continues) return screen.text;
  const answered = inputs.trim().length > 0 ? `${inputs.trim()}*` : '';
  return `${screen.text}\n[session continues: to answer, run again with --input '${answered}<answer>']`;
}

function parseLanguageOption(value: string): Language {
  const language = normalizeLanguage(value);
  if (!language) throw new InvalidArgumentError('must be one of zh-Hans, zh-Hant, ru, en');
  return language;
}
