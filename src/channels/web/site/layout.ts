import type { FastifyReply } from 'fastify';
import { LANGUAGES, type Language } from '../../../core/i18n/languages.js';
import { BRAND_COLOUR } from './icons/app-icon.js';
import { html, type SafeHtml } from './html.js';
import type { AssetName, SiteAssets } from './site-assets.js';
import { LANGUAGE_NAMES, siteText, type SiteText } from './text/site-text.js';

/**
 * The one layout of the customer site: language switcher, header with the brand and the main
 * navigation, the page's content, footer. Every page is complete without JavaScript; the one
 * script (deferred) only enhances.
 *
 * A page handler does:
 *   return sendPage(reply, shell.render({ language, title, url: request.url, section: 'renew', body: html`…` }));
 */

/** Sections of the main navigation; a page names the one it belongs to. */
export type NavSection = keyof SiteText['nav'];

export interface NavItem {
  readonly section: NavSection;
  readonly path: string;
}

/** What the header links to; /lines asks anonymous visitors to sign in first. */
export const SITE_NAV: readonly NavItem[] = [
  { section: 'renew', path: '/renew' },
  { section: 'stores', path: '/stores' },
  { section: 'lines', path: '/lines' },
  { section: 'help', path: '/help' },
];

export interface PageOptions {
  readonly language: Language;
  /** The page's own title; the site's name is appended. */
  readonly title: string;
  readonly body: SafeHtml;
  /** The address the page was asked for (path and query): the language switcher comes back to it. */
  readonly url: string;
  readonly section?: NavSection | null;
  /** Without JavaScript, reload the page after this many seconds (a status that is still changing). */
  readonly refresh_s?: number | null;
  /** Scripts of this page alone, after site.js (the store finder's "Near me"): every page need not load them. */
  readonly scripts?: readonly AssetName[];
}

export interface SiteShellOptions {
  /** Test mode (the sandbox takes payments): every page says no money moves. */
  readonly test_mode: boolean;
  readonly nav?: readonly NavItem[];
}

export class SiteShell {
  readonly #assets: SiteAssets;
  readonly #nav: readonly NavItem[];
  readonly #test_mode: boolean;

  constructor(assets: SiteAssets, options: SiteShellOptions) {
    this.#assets = assets;
    this.#nav = options.nav ?? SITE_NAV;
    this.#test_mode = options.test_mode;
  }

  render(options: PageOptions): string {
    const text = siteText(options.language);
    const assets = this.#assets;
    return `<!doctype html>\n${html`<html lang="${options.language}" dir="ltr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.title} · ${text.site_name}</title>
<meta name="theme-color" content="${BRAND_COLOUR}">
<link rel="stylesheet" href="${assets.url('site.css')}">
<link rel="icon" href="${assets.url('icon.svg')}" type="image/svg+xml">
<link rel="apple-touch-icon" href="${assets.url('icon-192.png')}">
<link rel="manifest" href="/manifest.webmanifest" crossorigin="use-credentials">
<script src="${assets.url('site.js')}" defer></script>
${(options.scripts ?? []).map((name) => html`<script src="${assets.url(name)}" defer></script>`)}
${options.refresh_s ? html`<noscript><meta http-equiv="refresh" content="${options.refresh_s}"></noscript>` : ''}
</head><body>
<a class="skip" href="#main">${text.skip_to_content}</a>
${this.#test_mode ? html`<p class="test-mode" role="note">${text.test_mode_banner}</p>` : ''}
${languageSwitcher(options.language, options.url, text)}
<header class="top"><div class="bar wrap">
<a class="brand" href="/"><img src="${assets.url('icon.svg')}" alt="" width="32" height="32">${text.site_name}</a>
<nav aria-label="${text.nav_label}"><ul class="nav">${this.#nav.map((item) => html`<li><a href="${item.path}"${item.section === options.section ? html` aria-current="page"` : ''}>${text.nav[item.section]}</a></li>`)}</ul></nav>
</div></header>
<main id="main" class="wrap">
${options.body}
</main>
<footer class="wrap"><p>${text.footer_ussd}</p><p><button id="install" class="cta secondary" type="button" hidden>${text.install_app}</button></p></footer>
</body></html>`}\n`;
  }
}

/** Plain links, so switching works without JavaScript; /lang/<language> remembers the choice. */
function languageSwitcher(current: Language, url: string, text: SiteText): SafeHtml {
  const links = LANGUAGES.map((language) => html`<li><a href="/lang/${language}?next=${encodeURIComponent(url)}" lang="${language}" hreflang="${language}"${language === current ? html` aria-current="true"` : ''}>${LANGUAGE_NAMES[language]}</a></li>`);
  return html`<nav class="langs" aria-label="${text.language_label}"><ul>${links}</ul></nav>`;
}

export interface SendPageOptions {
  readonly status?: number;
  /**
   * Pages about one order or line: never stored by caches, and the address (a capability) is not
   * sent to other sites. Public pages may be revalidated, and vary by the language cookie.
   */
  readonly private?: boolean;
}

const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function sendPage(reply: FastifyReply, document: string, options: SendPageOptions = {}): FastifyReply {
  reply.code(options.status ?? 200).type('text/html; charset=utf-8')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', options.private ? 'no-referrer' : 'same-origin');
  if (options.private) reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
  else reply.header('cache-control', 'no-cache').header('vary', 'cookie, accept-language');
  return reply.send(document);
}
