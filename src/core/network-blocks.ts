import { MS_PER_HOUR, type UsageKind } from './units.js';

/**
 * Network blocks: the network side pauses some kinds of a line's usage until a time, for a reason
 * (Russian rules since 10 Nov 2025: a foreign SIM's data and SMS are paused for 24 hours on arrival,
 * a Russian SIM's after roaming or 72 hours idle; lines whose owner's identity was not confirmed
 * are blocked). Pure rules here; storage and the network API are in services/network-blocks/.
 */

/** Why the network paused a line: a closed list, so every channel can explain each one in four languages. */
export const BLOCK_REASONS = [
  /** 24-hour pause of a foreign SIM's data and SMS on arrival ("cooling-off"). */
  'arrival_cooling_off',
  /** The same pause for a Russian SIM back from roaming. */
  'roaming_return',
  /** The same pause for a SIM idle for 72 hours. */
  'idle',
  /** 303-FZ: the owner's identity was not confirmed through Gosuslugi and biometrics by the deadline. */
  'identity_unconfirmed',
  /** Any other block the operator sets (fraud check, court order …): the call centre knows why. */
  'operator',
] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];

export function isBlockReason(value: string): value is BlockReason {
  return (BLOCK_REASONS as readonly string[]).includes(value);
}

/**
 * The longest block the network API sets in one go. The pauses of the rules last 24 hours; an
 * open-ended block (identity not confirmed) is set again before it ends. A bound keeps a typo in a
 * year ("2062") from silencing a line for decades.
 */
export const BLOCK_DURATION_HOURS_MAX = 31 * 24;
export const BLOCK_DURATION_MS_MAX = BLOCK_DURATION_HOURS_MAX * MS_PER_HOUR;

/** A block as the rules read it; the stored row has more (who set it, when). */
export interface BlockWindow {
  readonly starts_at_ms: number;
  readonly ends_at_ms: number;
  readonly lifted_at_ms: number | null;
}

/** In force at `at_ms`: started, not ended, not lifted by then (a lift at t frees usage from t on). */
export function blockInForceAt(block: BlockWindow, at_ms: number): boolean {
  return block.starts_at_ms <= at_ms && at_ms < block.ends_at_ms && (block.lifted_at_ms === null || at_ms < block.lifted_at_ms);
}

/** When the block stops applying: its end, or its lift when that came first. */
export function blockEndMs(block: BlockWindow): number {
  return block.lifted_at_ms === null ? block.ends_at_ms : Math.min(block.ends_at_ms, block.lifted_at_ms);
}

export interface BlockedKinds {
  readonly stops_data: number;
  readonly stops_voice: number;
  readonly stops_sms: number;
}

/** The column saying whether a block stops a kind (0/1, as the table keeps booleans). */
export const STOPS_COLUMN = { data: 'stops_data', voice: 'stops_voice', sms: 'stops_sms' } as const satisfies Record<UsageKind, keyof BlockedKinds>;

export function blockStops(block: BlockedKinds, kind: UsageKind): boolean {
  return block[STOPS_COLUMN[kind]] === 1;
}

export function stoppedKinds(block: BlockedKinds): UsageKind[] {
  return (Object.keys(STOPS_COLUMN) as UsageKind[]).filter((kind) => blockStops(block, kind));
}

/** Among blocks in force that stop `kind`, the one that lasts longest (what the customer waits for). */
export function longestBlockFor<T extends BlockWindow & BlockedKinds>(blocks: readonly T[], kind: UsageKind, at_ms: number): T | undefined {
  let longest: T | undefined;
  for (const block of blocks) {
    if (!blockStops(block, kind) || !blockInForceAt(block, at_ms)) continue;
    if (longest === undefined || blockEndMs(block) > blockEndMs(longest)) longest = block;
  }
  return longest;
}
