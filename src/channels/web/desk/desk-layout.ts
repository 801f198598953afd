import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { html, type SafeHtml } from '../site/html.js';
import { sendPage } from '../site/layout.js';
import { DESK_LANGUAGE_NAMES, DESK_LANGUAGES, deskText, type DeskLanguage } from './desk-text.js';

/**
 * The desk's one layout: a plain document in the staff member's language, its own small
 * stylesheet (served under its content hash, cached for a year), no script. Every desk page is
 * private: `Cache-Control: no-store`, no referrer, not indexed (site/layout.ts sendPage), under the
 * site's Content-Security-Policy.
 */

/** tsc copies no CSS: read from the source tree (dist/src/channels/web/desk/ → src/channels/web/desk/assets/). */
const STYLESHEET_FILE = new URL('../../../../../src/channels/web/desk/assets/desk.css', import.meta.url);
const HASH_LENGTH = 12;

export class DeskStylesheet {
  readonly body: Buffer;
  readonly path: string;

  constructor() {
    this.body = readFileSync(STYLESHEET_FILE);
    this.path = `/desk/assets/desk.${createHash('sha256').update(this.body).digest('hex').slice(0, HASH_LENGTH)}.css`;
  }
}

export interface DeskPage {
  readonly language: DeskLanguage;
  readonly title: string;
  readonly body: SafeHtml;
  readonly status?: number;
  /** The signed-in header line (who, store, sign-out form); none on the sign-in page. */
  readonly header?: SafeHtml;
  /** Without JavaScript, reload the page after this many seconds (a state still changing). */
  readonly refresh_s?: number;
  /** On the sign-in page: links to switch the language (remembered). */
  readonly language_links?: boolean;
}

export function sendDeskPage(reply: FastifyReply, stylesheet: DeskStylesheet, page: DeskPage): FastifyReply {
  const text = deskText(page.language);
  const document = `<!doctype html>\n${html`<html lang="${page.language}" dir="ltr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${page.title} · ${text.desk_name}</title>
<link rel="stylesheet" href="${stylesheet.path}">
${page.refresh_s ? html`<meta http-equiv="refresh" content="${page.refresh_s}">` : ''}
</head><body>
<a class="skip" href="#main">${text.skip_to_content}</a>
<header class="top"><p class="brand">${text.desk_name}</p>${page.header ?? ''}${page.language_links ? languageLinks(page.language) : ''}</header>
<main id="main">
${page.body}
</main>
</body></html>`}\n`;
  return sendPage(reply, document, { status: page.status ?? 200, private: true });
}

/** Plain links: `?lang=` on the sign-in page shows it in that language; signing in remembers it. */
function languageLinks(current: DeskLanguage): SafeHtml {
  return html`<nav class="languages" aria-label="${deskText(current).language_label}"><ul>${DESK_LANGUAGES.map((language) => html`<li><a href="/desk/signin?lang=${language}" lang="${language}"${language === current ? html` aria-current="true"` : ''}>${DESK_LANGUAGE_NAMES[language]}</a></li>`)}</ul></nav>`;
}
