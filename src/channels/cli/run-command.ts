import { ConfigError, loadConfig, type Config } from '../../config.js';
import { isRoamError } from '../../core/errors.js';
import { describeError } from '../../core/i18n/format.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { terminalSafe } from '../../core/terminal-text.js';
import { openAppContext, type AppContext } from '../../app/context.js';

/** The language for an operator's terminal: --lang, else ROAMCARD_LANG, else LANG, else English. */
export function terminalLanguage(explicit?: string): Language {
  return normalizeLanguage(explicit) ?? normalizeLanguage(process.env.ROAMCARD_LANG) ?? normalizeLanguage(process.env.LANG?.split('.')[0]) ?? 'en';
}

/** Opens the configured database for one command and closes it afterwards, whatever happens. */
export async function withContext<T>(work: (context: AppContext) => Promise<T>, config: Config = loadConfig()): Promise<T> {
  const context = await openAppContext(config);
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

/**
 * Runs the CLI; known failures print one clear line and exit 1, never a stack trace. The text may
 * quote a value from a file or the environment (a database error names the value it refused): it is
 * printed line by line, each made terminal-safe.
 */
export async function runCommand(main: () => Promise<unknown>): Promise<void> {
  try {
    await main();
  } catch (error) {
    let text: string;
    if (error instanceof ConfigError) text = error.message;
    else if (isRoamError(error)) text = `${error.code}: ${describeError(error, terminalLanguage())}`;
    else text = error instanceof Error ? `Error: ${error.message}` : `Error: ${String(error)}`;
    console.error(text.split('\n').map(terminalSafe).join('\n'));
    process.exitCode = 1;
  }
}
