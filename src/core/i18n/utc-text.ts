/** "2026-12-08 14:00 UTC": a time in messages for machines and operators, who have no zone of their own. */
export function utcMinuteText(at_ms: number | undefined): string {
  if (at_ms === undefined || !Number.isFinite(at_ms)) return '?';
  return `${new Date(at_ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
