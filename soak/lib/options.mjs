// Command-line options of `npm run soak`, validated: a bad value stops the run before anything starts.
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

export const USAGE = `npm run soak -- [options]
  --seed N            seed of every choice (default: random, printed first and last)
  --db sqlite|postgres|both   default: sqlite, then postgres when DATABASE_URL is set
  --duration-s N      seconds of load per database (default 60; 20 with --quick)
  --kills N           SIGKILLs of the server per database (default 3; 2 with --quick)
  --quick             a short run (about 20 s of load per database)
  --pg-restarts N     PostgreSQL restarts during the postgres run (default 1, at most 3)
  --no-pg-restart     never restart PostgreSQL
  --keep              keep the soak database (SQLite folder or PostgreSQL schema) and print where
  --help`;

const SEED_MAX = 2 ** 31 - 1;
const DURATION_S_MAX = 3_600;
const KILLS_MAX = 50;
const PG_RESTARTS_MAX = 3;

function wholeNumber(options, name, fallback, { min = 0, max }) {
  const text = options[name];
  if (text === undefined) return fallback;
  const value = Number(String(text).replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, not ${text}`);
  return value;
}

function databasesOf(choice, database_url) {
  if (choice === undefined) return database_url ? ['sqlite', 'postgres'] : ['sqlite'];
  const known = { sqlite: ['sqlite'], postgres: ['postgres'], both: ['sqlite', 'postgres'] };
  const chosen = known[choice];
  if (!chosen) throw new Error(`--db must be sqlite, postgres or both, not ${choice}`);
  if (chosen.includes('postgres') && !database_url) throw new Error('--db postgres needs DATABASE_URL=postgres://… (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  return chosen;
}

/** Reads argv and the environment; throws with a message naming the option on a bad value. */
export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      db: { type: 'string' },
      'duration-s': { type: 'string' },
      kills: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'pg-restarts': { type: 'string' },
      'no-pg-restart': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const database_url = env.DATABASE_URL || undefined;
  if (database_url && !/^postgres(ql)?:\/\//.test(database_url)) throw new Error('DATABASE_URL must start with postgres://');
  const quick = values.quick;
  return {
    help: values.help,
    seed: wholeNumber(values, 'seed', randomInt(1, SEED_MAX), { min: 0, max: SEED_MAX }),
    databases: databasesOf(values.db, database_url),
    database_url,
    quick,
    duration_s: wholeNumber(values, 'duration-s', quick ? 20 : 60, { min: 5, max: DURATION_S_MAX }),
    kills: wholeNumber(values, 'kills', quick ? 2 : 3, { max: KILLS_MAX }),
    pg_restarts: values['no-pg-restart'] ? 0 : wholeNumber(values, 'pg-restarts', 1, { max: PG_RESTARTS_MAX }),
    keep: values.keep,
  };
}

/** The command that replays a run: the same seed and the same sizes. */
export function replayCommand(options, database) {
  const url = database === 'postgres' ? 'DATABASE_URL=… ' : '';
  const restarts = database === 'postgres' ? (options.pg_restarts === 0 ? ' --no-pg-restart' : ` --pg-restarts ${options.pg_restarts}`) : '';
  return `${url}npm run soak -- --seed ${options.seed} --db ${database} --duration-s ${options.duration_s} --kills ${options.kills}${restarts}`;
}
