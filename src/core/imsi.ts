/** IMSI (ITU-T E.212): MCC (3) + MNC (2–3) + MSIN; at most 15 digits, 14–15 in practice. */
export type ImsiResult = { ok: true; imsi: string } | { ok: false; problem: 'empty' | 'format' };

export function parseImsi(input: string): ImsiResult {
  const compact = input.replace(/\s/g, '');
  if (compact.length === 0) return { ok: false, problem: 'empty' };
  if (!/^\d{14,15}$/.test(compact)) return { ok: false, problem: 'format' };
  return { ok: true, imsi: compact };
}
