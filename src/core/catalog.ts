import type { Language } from './i18n/languages.js';
import { BYTES_PER_MB, MS_PER_HOUR, SECONDS_PER_MINUTE } from './units.js';

export const PACKAGE_KINDS = ['data', 'voice', 'sms', 'combo'] as const;
export type PackageKind = (typeof PACKAGE_KINDS)[number];

export const SALES_CHANNELS = ['app', 'web', 'ussd', 'desk', 'partner', 'auto'] as const;
export type SalesChannel = (typeof SALES_CHANNELS)[number];

export const PACKAGE_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{1,63}$/;

/** Validity is counted in rolling hours from activation, never calendar days: the same in all 11 zones. */
export const VALIDITY_HOURS_MAX = 24 * 366;

export interface PackageAllowance {
  readonly data_mb: number;
  readonly voice_minutes: number;
  readonly sms_count: number;
}

export type LocalizedNames = Readonly<Record<Language, string>>;

export interface PackageDefinition extends PackageAllowance {
  readonly code: string;
  readonly kind: PackageKind;
  readonly validity_hours: number;
  readonly names: LocalizedNames;
  readonly channels: readonly SalesChannel[];
  readonly active: boolean;
}

/** Problems with a package definition, each naming the field; empty when the definition is sound. */
export function packageDefinitionProblems(definition: PackageDefinition): string[] {
  const problems: string[] = [];
  if (!PACKAGE_CODE_PATTERN.test(definition.code)) problems.push('code');
  for (const field of ['data_mb', 'voice_minutes', 'sms_count', 'validity_hours'] as const) {
    const value = definition[field];
    if (!Number.isSafeInteger(value) || value < 0) problems.push(field);
  }
  if (definition.validity_hours < 1 || definition.validity_hours > VALIDITY_HOURS_MAX) problems.push('validity_hours');
  const has = { data: definition.data_mb > 0, voice: definition.voice_minutes > 0, sms: definition.sms_count > 0 };
  const kindFits =
    definition.kind === 'data' ? has.data && !has.voice && !has.sms
    : definition.kind === 'voice' ? has.voice && !has.data
    : definition.kind === 'sms' ? has.sms && !has.data && !has.voice
    : [has.data, has.voice, has.sms].filter(Boolean).length >= 2;
  if (!kindFits) problems.push('kind');
  if (definition.channels.length === 0) problems.push('channels');
  return [...new Set(problems)];
}

/** What a bundle holds when a package is activated, in the units usage is counted in. */
export function bundleUnits(allowance: PackageAllowance) {
  return {
    data_bytes: allowance.data_mb * BYTES_PER_MB,
    voice_seconds: allowance.voice_minutes * SECONDS_PER_MINUTE,
    sms_count: allowance.sms_count,
  };
}

export function expiresAtMs(activated_at_ms: number, validity_hours: number): number {
  return activated_at_ms + validity_hours * MS_PER_HOUR;
}
