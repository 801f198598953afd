import { InvalidArgumentError, Option, type Command } from 'commander';
import { normalizeLanguage } from '../../core/i18n/languages.js';

/** Pieces of command definitions that several command files share. */

/** `roamcard <name>`: found when another command file registered the group first, created otherwise. */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((command) => command.name() === name) ?? program.command(name).description(description);
}

export function languageOption(): Option {
  return new Option('--lang <language>', 'language of the messages: zh-Hans, zh-Hant, ru or en (default: ROAMCARD_LANG, then LANG, then en)')
    .argParser((value: string) => {
      if (!normalizeLanguage(value)) throw new InvalidArgumentError('use zh-Hans, zh-Hant, ru or en');
      return value;
    });
}
