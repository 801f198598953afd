import type { FastifyPluginAsync } from 'fastify';
import { html, type SafeHtml } from './html.js';
import { sendPage } from './layout.js';
import type { SiteDependencies } from './site-dependencies.js';
import { siteLanguage } from './site-language.js';
import { siteText, type SiteText } from './text/site-text.js';

/**
 * Help: USSD codes, whether a phone will work, eSIM, the questions everyone asks, renewing in
 * person (a link to the store finder). /help/esim explains where a line's eSIM code is, and never shows one: whoever has the
 * code can install the line, so only its signed-in owner will see it (sign-in comes next). It does
 * not even look the number up, so it cannot tell a stranger whether a number is an eSIM.
 */
export const helpPages: FastifyPluginAsync<SiteDependencies> = async (app, deps) => {
  app.get('/help', async (request, reply) => {
    const language = siteLanguage(request, deps.default_language);
    const text = siteText(language);
    return sendPage(reply, deps.shell.render({ language, title: text.help_title, url: request.url, section: 'help', body: helpBody(text) }));
  });

  app.get('/help/esim', async (request, reply) => {
    const language = siteLanguage(request, deps.default_language);
    const text = siteText(language);
    return sendPage(reply, deps.shell.render({ language, title: text.esim_page_title, url: request.url, section: 'help', body: esimBody(text) }));
  });
};

function helpBody(text: SiteText): SafeHtml {
  return html`<h1>${text.help_title}</h1>
<section aria-labelledby="ussd"><h2 id="ussd">${text.ussd_title}</h2>
<dl class="ussd"><dt class="code">#100#</dt><dd>${text.ussd_100}</dd><dt class="code">#101#</dt><dd>${text.ussd_101}</dd></dl>
<p class="hint">${text.ussd_note}</p></section>
<section aria-labelledby="phone"><h2 id="phone">${text.phone_title}</h2>
<ul>${text.phone_items.map((item) => html`<li>${item}</li>`)}</ul></section>
<section aria-labelledby="esim"><h2 id="esim">${text.esim_title}</h2>
<p>${text.esim_text}</p>${esimSteps(text)}
<p>${text.esim_where}</p><p><a href="/help/esim">${text.esim_link}</a></p></section>
<section aria-labelledby="faq"><h2 id="faq">${text.faq_title}</h2>
${text.faq.map((entry) => html`<details><summary>${entry.question}</summary><p>${entry.answer}</p></details>`)}</section>
<section aria-labelledby="stores"><h2 id="stores">${text.stores_title}</h2><p>${text.stores_text}</p><p><a href="/stores">${text.stores_link}</a></p></section>`;
}

function esimBody(text: SiteText): SafeHtml {
  return html`<h1>${text.esim_page_title}</h1>
<p>${text.esim_where}</p>
<p class="note">${text.esim_page_private}</p>
<p>${text.esim_page_sign_in_coming}</p>
<h2>${text.esim_title}</h2>${esimSteps(text)}
<p><a href="/help">${text.help_title}</a></p>`;
}

function esimSteps(text: SiteText): SafeHtml {
  return html`<ol>${text.esim_steps.map((step) => html`<li>${step}</li>`)}</ol>`;
}
