import type { Command } from 'commander';
import { loadConfig } from '../../../config.js';
import { openDatabase } from '../../../db/database.js';
import { migrateToLatest } from '../../../db/migrate.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (SQLite in DATA_DIR, or DATABASE_URL)')
    .action(async () => {
      const config = loadConfig();
      const database = openDatabase({
        database_url: config.database_url, sqlite_file: config.sqlite_file, sqlite_synchronous: config.sqlite_synchronous,
      });
      try {
        const { applied } = await migrateToLatest(database);
        console.log(applied.length === 0 ? `${database.description}: schema is up to date` : `${database.description}: applied ${applied.join(', ')}`);
      } finally {
        await database.close();
      }
    });
}
