/** Units of allowance and usage. One MB is 1,048,576 bytes, as operators bill it. */
export const BYTES_PER_MB = 1_048_576;
export const SECONDS_PER_MINUTE = 60;
export const MS_PER_HOUR = 3_600_000;

export const USAGE_KINDS = ['data', 'voice', 'sms'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

/** Usage quantities: data in bytes, voice in seconds, SMS in messages. */
export const USAGE_UNIT: Record<UsageKind, string> = { data: 'bytes', voice: 'seconds', sms: 'messages' };

export function isUsageKind(value: string): value is UsageKind {
  return (USAGE_KINDS as readonly string[]).includes(value);
}
