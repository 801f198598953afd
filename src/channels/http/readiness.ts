import type { Database } from '../../db/database.js';
import { pingDatabase } from '../../db/health.js';

/**
 * Is the database answering? One `select 1`, raced against a deadline so a hung connection makes
 * /readyz fail fast (the load balancer's probe has its own short timeout) instead of hanging it.
 * The query itself may go on after the deadline; its result is then ignored.
 */

export const READINESS_TIMEOUT_MS = 2_000;

export type Readiness = { readonly ready: true; readonly latency_ms: number } | { readonly ready: false; readonly reason: 'timeout' | 'error'; readonly error?: unknown };

export type ReadinessProbe = () => Promise<void>;

export function databaseProbe(database: Database): ReadinessProbe {
  return () => pingDatabase(database);
}

export async function checkReadiness(probe: ReadinessProbe, timeout_ms: number): Promise<Readiness> {
  const started_ms = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeout_ms);
  });
  try {
    const outcome = await Promise.race([probe().then(() => 'answered' as const), deadline]);
    if (outcome === 'timeout') return { ready: false, reason: 'timeout' };
    return { ready: true, latency_ms: Math.round((performance.now() - started_ms) * 1000) / 1000 };
  } catch (error) {
    return { ready: false, reason: 'error', error };
  } finally {
    clearTimeout(timer);
  }
}
