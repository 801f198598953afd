import { LINES_PATH } from './account-common.js';

/** Addresses of the line pages, shared by the sign-in flow and the line pages. */
export function linePath(line_id: string): string {
  return `${LINES_PATH}/${encodeURIComponent(line_id)}`;
}

/** The ICCID step of a line; `next` is where to go once it is confirmed. */
export function verifyPath(line_id: string, next: string): string {
  return `${linePath(line_id)}/verify${next === LINES_PATH ? '' : `?next=${encodeURIComponent(next)}`}`;
}

/** The line's SMS alert settings (alerts-pages.ts). */
export function alertsPath(line_id: string): string {
  return `${linePath(line_id)}/alerts`;
}

export function renewPath(msisdn: string): string {
  return `/renew/packs?msisdn=${encodeURIComponent(msisdn)}`;
}
