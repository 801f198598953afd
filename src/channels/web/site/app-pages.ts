import type { FastifyPluginAsync } from 'fastify';
import { isLanguage } from '../../../core/i18n/languages.js';
import { BRAND_COLOUR } from './icons/app-icon.js';
import { html } from './html.js';
import { sendPage } from './layout.js';
import { sendAsset, type SiteAssets } from './site-assets.js';
import type { SiteDependencies } from './site-dependencies.js';
import { LANGUAGE_COOKIE, preferenceCookie, sameSitePath, siteLanguage } from './site-language.js';
import { siteText } from './text/site-text.js';

/**
 * What makes the site an app, and the site's plumbing:
 *   /assets/<name>.<hash>.<ext>   stylesheet, script, icons (immutable, precompressed)
 *   /manifest.webmanifest         name, icons, start at /, standalone
 *   /sw.js                        the service worker (at the root, so its scope is the whole site)
 *   /offline                      what the service worker shows without a network: the last balance
 *   /lang/<language>?next=/…      the language switcher: remembers the choice, goes back
 */
export interface AppPagesOptions extends SiteDependencies {
  readonly assets: SiteAssets;
}

export const appPages: FastifyPluginAsync<AppPagesOptions> = async (app, deps) => {
  const { assets } = deps;

  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = assets.byPath(`/assets/${request.params.file}`);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('not found');
    return sendAsset(request, reply, asset);
  });

  app.get('/manifest.webmanifest', async (request, reply) => {
    const language = siteLanguage(request, deps.default_language);
    const text = siteText(language);
    const icon = (name: Parameters<SiteAssets['url']>[0], size_px: number, purpose: string) => ({ src: assets.url(name), sizes: `${size_px}x${size_px}`, type: 'image/png', purpose });
    return reply.type('application/manifest+json; charset=utf-8').header('cache-control', 'no-cache').header('vary', 'cookie, accept-language').send({
      id: '/', name: `${text.site_name} · ${text.tagline}`, short_name: text.site_name, description: text.home_lead, lang: language,
      start_url: '/', scope: '/', display: 'standalone', background_color: '#ffffff', theme_color: BRAND_COLOUR,
      icons: [icon('icon-192.png', 192, 'any'), icon('icon-512.png', 512, 'any'), icon('icon-maskable-512.png', 512, 'maskable')],
    });
  });

  const service_worker = `const RC_VERSION = ${JSON.stringify(assets.version)};\nconst RC_SHELL = ${JSON.stringify([assets.url('site.css'), assets.url('site.js'), assets.url('icon.svg')])};\n${assets.service_worker_template}`;
  app.get('/sw.js', async (_request, reply) => {
    // Always revalidated: a new deployment must reach installed apps at their next visit.
    // A worker's fetches obey the policy of its own script: same origin, which is all it caches.
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('service-worker-allowed', '/')
      .header('content-security-policy', "default-src 'self'; frame-ancestors 'none'").send(service_worker);
  });

  app.get('/offline', async (request, reply) => {
    const language = siteLanguage(request, deps.default_language);
    const text = siteText(language);
    const body = html`<h1>${text.offline_title}</h1><p>${text.offline_text}</p>
<section aria-labelledby="last-title"><h2 id="last-title">${text.offline_last_balance}</h2>
<div id="last-balances"><template><article class="card"><p><strong data-line></strong> · ${text.offline_saved_at} <time data-at></time></p><ul class="balance"></ul></article></template></div>
<p id="no-balance">${text.offline_none}</p></section>
<dl class="ussd"><dt class="code">#100#</dt><dd>${text.ussd_100}</dd><dt class="code">#101#</dt><dd>${text.ussd_101}</dd></dl>
<p><a class="cta" href="/">${text.offline_retry}</a></p>`;
    return sendPage(reply, deps.shell.render({ language, title: text.offline_title, url: '/', body }));
  });

  app.get<{ Params: { language: string }; Querystring: { next?: string } }>('/lang/:language', async (request, reply) => {
    const next = sameSitePath(request.query.next);
    if (isLanguage(request.params.language)) reply.header('set-cookie', preferenceCookie(LANGUAGE_COOKIE, request.params.language, deps.secure_cookies));
    return reply.header('cache-control', 'no-store').redirect(next, 303);
  });
};
