/**
 * A configuration that cannot run: one problem per bad variable, each starting with its name
 * ("PORT: …"). In its own module so that adapters' settings readers (adapters/…/<name>-config.ts)
 * can throw it while src/config.ts reads them at start, without an import cycle between the two.
 */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
