import { raw, type SafeHtml } from './html.js';

/**
 * The hook between pages that show a line's balance and the offline page. A page embeds
 * `balanceSnapshot({...})` anywhere in its body; site.js keeps the latest snapshot per line in
 * localStorage ("rc:balances", at most 5 lines), and /offline, which the service worker shows when
 * there is no network, lists them with their time. The status page does it once a pack is active;
 * the signed-in home and line pages should do it wherever they show a balance.
 */
export interface BalanceSnapshot {
  /** The line, masked: "+7900***4568". */
  readonly line: string;
  /** One sentence per kind, already in the reader's language ("Data: 1.0 GB left, until 27 Nov 12:00"). */
  readonly items: readonly string[];
  readonly at_ms: number;
  /** When, as the page showed it: in the reader's language and the line's time zone, like the items. */
  readonly at_text: string;
}

/** JSON in a script element is data, not code (and CSP-safe); "<" is escaped so the text cannot close the element. */
export function balanceSnapshot(snapshot: BalanceSnapshot): SafeHtml {
  return raw(`<script type="application/json" data-rc-balance>${JSON.stringify(snapshot).replace(/</g, '\\u003c')}</script>`);
}
