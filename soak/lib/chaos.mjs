// The faults the soak causes itself, at seeded moments of the load window: SIGKILLs of the server
// (started again after a seeded pause), PostgreSQL restarts (postgres runs only), and one bank
// statement imported by the CLI while the server runs. Events sit in equal slots of the window,
// each at a random moment of its slot, so two outages never overlap.
import { setTimeout as sleep } from 'node:timers/promises';

const WINDOW_START_SHARE = 0.1;
const WINDOW_END_SHARE = 0.9;
const SLOT_MARGIN_SHARE = 0.15;
const RESTART_PAUSE_MS_MAX = 1_500;
const STATEMENT_AT_SHARE = 0.7;

/** [{at_ms (from the load's start), kind, pause_ms}], sorted. */
export function planChaos(random, { duration_ms, kills, pg_restarts }) {
  const kinds = [...Array(kills).fill('kill'), ...Array(pg_restarts).fill('pg_restart')];
  for (let index = kinds.length - 1; index > 0; index -= 1) {
    const other = random.between(0, index);
    [kinds[index], kinds[other]] = [kinds[other], kinds[index]];
  }
  const window_ms = duration_ms * (WINDOW_END_SHARE - WINDOW_START_SHARE);
  const slot_ms = window_ms / Math.max(kinds.length, 1);
  const events = kinds.map((kind, index) => {
    const offset = SLOT_MARGIN_SHARE + random.next() * (1 - 2 * SLOT_MARGIN_SHARE);
    return {
      at_ms: Math.round(duration_ms * WINDOW_START_SHARE + slot_ms * (index + offset)),
      kind,
      pause_ms: random.between(0, RESTART_PAUSE_MS_MAX),
    };
  });
  events.push({ at_ms: Math.round(duration_ms * STATEMENT_AT_SHARE), kind: 'statement', pause_ms: 0 });
  return events.sort((a, b) => a.at_ms - b.at_ms);
}

/**
 * Runs the events from `started_ms`. `act` = {kill(), restartPostgres(), statement()}, each async.
 * Returns what happened: [{kind, at_ms, took_ms, detail}].
 */
export async function runChaos(events, started_ms, act) {
  const happened = [];
  for (const event of events) {
    const wait_ms = started_ms + event.at_ms - Date.now();
    if (wait_ms > 0) await sleep(wait_ms);
    const at_ms = Date.now() - started_ms;
    const detail = await act[event.kind](event);
    happened.push({ kind: event.kind, at_ms, took_ms: Date.now() - started_ms - at_ms, detail });
  }
  return happened;
}
