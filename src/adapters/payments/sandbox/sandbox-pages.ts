import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { luhnValid } from '../../../core/iccid.js';
import { formatMoney } from '../../../core/i18n/format.js';
import { isLanguage, type Language } from '../../../core/i18n/languages.js';
import type { Clock } from '../../../ports/clock.js';
import type { SandboxPaymentsTable } from '../../../db/schema.js';
import { inlineStylePagePolicy } from '../../../channels/http/security-headers.js';
import type { SandboxOutcome, SandboxProvider, SandboxStepOutcome } from './sandbox-provider.js';
import { SANDBOX_PAGE_TEXT, type SandboxPageText } from './sandbox-pages-text.js';
import { testCardBehaviour } from './sandbox-wire.js';
import { escapeHtml } from '../../../core/html-escape.js';

/**
 * The sandbox provider's hosted pages — what a real provider's checkout is: the customer's browser
 * is redirected here, enters a test card (or approves an e-wallet, or scans an SBP QR code), and is
 * sent back to roamcard. The page never tells roamcard the outcome directly: the webhook does.
 */

const WALLET_NAMES: Record<string, string> = { yoomoney: 'YooMoney', paypal: 'PayPal', alipay: 'Alipay', wechat_pay: 'WeChat Pay' };
const FORM_BYTES_MAX = 4 * 1024;

export interface SandboxPagesOptions {
  readonly sandbox: SandboxProvider;
  readonly clock: Clock;
}

export const sandboxPages: FastifyPluginAsync<SandboxPagesOptions> = async (app, { sandbox, clock }) => {
  await app.register(formbody, { bodyLimit: FORM_BYTES_MAX });
  const hide = { schema: { hide: true } };

  app.get<{ Params: { id: string } }>('/sandbox/pay/:id', hide, async (request, reply) => {
    const payment = await sandbox.findForPage(request.params.id);
    if (!payment) return notFound(reply);
    const text = textFor(payment);
    if (payment.status !== 'requires_action') return page(reply, text, finishedBody(payment, text));
    if (payment.awaiting === 'three_d_secure') return page(reply, text, threeDsBody(payment, text));
    if (payment.method === 'card') return page(reply, text, cardForm(payment, text));
    if (payment.method === 'sbp') return page(reply, text, await sbpBody(payment, text, sandbox.pageUrl(`/sandbox/sbp/${payment.id}`)));
    return page(reply, text, walletBody(payment, text));
  });

  app.post<{ Params: { id: string }; Body: Record<string, string> }>('/sandbox/pay/:id/card', hide, async (request, reply) => {
    const payment = await sandbox.findForPage(request.params.id);
    if (!payment) return notFound(reply);
    const text = textFor(payment);
    if (payment.method !== 'card' || payment.awaiting !== 'card') return page(reply.code(409), text, finishedBody(payment, text));
    const card = (request.body?.card_number ?? '').replace(/[\s-]/g, '');
    const problem = cardProblem(card, request.body?.expiry ?? '', request.body?.cvc ?? '', clock.now_ms(), text);
    if (problem) return page(reply.code(422), text, cardForm(payment, text, problem));
    const behaviour = testCardBehaviour(card);
    const card_last4 = card.slice(-4);
    const outcome: SandboxStepOutcome =
      behaviour.outcome === 'three_d_secure' ? { status: 'three_d_secure', card_last4 }
      : behaviour.outcome === 'timeout' ? { status: 'pending', card_last4 }
      : behaviour.outcome === 'succeeded' ? { status: 'succeeded', card_last4 }
      : { status: 'failed', failure_code: behaviour.failure_code, card_last4 };
    // Checked again under the payment's lock: a second tab may have paid in between.
    if (await sandbox.completeStep(payment.id, 'card', outcome) === 'not_waiting') return page(reply.code(409), text, finishedBody(payment, text));
    if (outcome.status === 'three_d_secure') return page(reply, text, threeDsBody(payment, text));
    if (outcome.status === 'pending') return page(reply, text, `<p>${text.processing}</p>${backLink(payment, text)}`);
    return reply.redirect(payment.return_url, 303);
  });

  /** The customer's answer on an approval page (e-wallet, SBP bank app) or on the 3-D Secure challenge. */
  app.post<{ Params: { id: string }; Body: Record<string, string> }>('/sandbox/pay/:id/decide', hide, async (request, reply) => {
    const payment = await sandbox.findForPage(request.params.id);
    if (!payment) return notFound(reply);
    const text = textFor(payment);
    const step = payment.method === 'card' ? 'three_d_secure' : 'approval';
    const outcome = decisionOutcome(step, request.body?.decision);
    if (!outcome) return page(reply.code(400), text, `<p class="error" role="alert">${text.bad_decision}</p>${backLink(payment, text)}`);
    if (await sandbox.completeStep(payment.id, step, outcome) === 'not_waiting') return page(reply.code(409), text, finishedBody(payment, text));
    return reply.redirect(payment.return_url, 303);
  });

  /** What the QR code opens: the customer's bank app confirming an SBP payment. */
  app.get<{ Params: { id: string } }>('/sandbox/sbp/:id', hide, async (request, reply) => {
    const payment = await sandbox.findForPage(request.params.id);
    if (!payment) return notFound(reply);
    const text = textFor(payment);
    if (payment.status !== 'requires_action') return page(reply, text, finishedBody(payment, text));
    return page(reply, text, decisionForm(payment, text, text.sbp_confirm, text.decline));
  });
};

/** What each answer means at each step; an answer the step does not offer is refused. */
function decisionOutcome(step: 'three_d_secure' | 'approval', decision: string | undefined): SandboxOutcome | undefined {
  if (decision === 'approve') return { status: 'succeeded' };
  if (step === 'three_d_secure' && decision === 'fail_3ds') return { status: 'failed', failure_code: 'three_d_secure_failed' };
  if (step === 'approval' && decision === 'decline') return { status: 'failed', failure_code: 'canceled_by_customer' };
  return undefined;
}

function textFor(payment: SandboxPaymentsTable): SandboxPageText {
  return SANDBOX_PAGE_TEXT[isLanguage(payment.language) ? payment.language : 'en'];
}

function languageOf(payment: SandboxPaymentsTable): Language {
  return isLanguage(payment.language) ? payment.language : 'en';
}

function cardProblem(card: string, expiry: string, cvc: string, now_ms: number, text: SandboxPageText): string | null {
  if (!/^\d{12,19}$/.test(card) || !luhnValid(card)) return text.bad_card;
  const match = /^\s*(\d{2})\s*\/\s*(\d{2})\s*$/.exec(expiry);
  const month = Number(match?.[1]);
  const year = 2000 + Number(match?.[2]);
  const now = new Date(now_ms);
  if (!match || month < 1 || month > 12 || year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) return text.bad_expiry;
  if (!/^\d{3,4}$/.test(cvc.trim())) return text.bad_cvc;
  return null;
}


function amountLine(payment: SandboxPaymentsTable, text: SandboxPageText): string {
  return `<p class="amount">${text.amount}: <strong>${escapeHtml(formatMoney(payment.amount_minor, languageOf(payment)))}</strong></p><p>${escapeHtml(payment.description)}</p>`;
}

function cardForm(payment: SandboxPaymentsTable, text: SandboxPageText, problem?: string): string {
  return `${amountLine(payment, text)}
${problem ? `<p class="error" role="alert">${problem}</p>` : ''}
<form method="post" action="/sandbox/pay/${payment.id}/card">
<label>${text.card_number}<input name="card_number" inputmode="numeric" autocomplete="cc-number" required></label>
<label>${text.expiry}<input name="expiry" placeholder="12/34" autocomplete="cc-exp" required></label>
<label>${text.cvc}<input name="cvc" inputmode="numeric" autocomplete="cc-csc" required></label>
<button type="submit">${text.pay}</button>
</form>`;
}

function decisionForm(payment: SandboxPaymentsTable, text: SandboxPageText, approve: string, decline: string, declineValue = 'decline'): string {
  return `${amountLine(payment, text)}
<form method="post" action="/sandbox/pay/${payment.id}/decide"><button name="decision" value="approve">${approve}</button>
<button name="decision" value="${declineValue}" class="secondary">${decline}</button></form>`;
}

function threeDsBody(payment: SandboxPaymentsTable, text: SandboxPageText): string {
  return `<h2>${text.three_ds_title}</h2>${decisionForm(payment, text, text.three_ds_pass, text.three_ds_fail, 'fail_3ds')}`;
}

function walletBody(payment: SandboxPaymentsTable, text: SandboxPageText): string {
  return `<h2>${text.wallet_title(WALLET_NAMES[payment.method] ?? payment.method)}</h2>${decisionForm(payment, text, text.approve, text.decline)}`;
}

async function sbpBody(payment: SandboxPaymentsTable, text: SandboxPageText, bank_app_url: string): Promise<string> {
  const svg = await QRCode.toString(bank_app_url, { type: 'svg', margin: 1, width: 200 });
  return `${amountLine(payment, text)}<p>${text.sbp_scan}</p><div class="qr" role="img" aria-label="QR">${svg}</div>
<p><a href="${escapeHtml(bank_app_url)}">${text.sbp_confirm}</a></p>`;
}

function finishedBody(payment: SandboxPaymentsTable, text: SandboxPageText): string {
  return `<p>${text.finished}</p>${backLink(payment, text)}`;
}

function backLink(payment: SandboxPaymentsTable, text: SandboxPageText): string {
  return `<p><a href="${escapeHtml(payment.return_url)}">${text.back_to_merchant}</a></p>`;
}

function notFound(reply: FastifyReply): FastifyReply {
  return page(reply.code(404), SANDBOX_PAGE_TEXT.en, `<p>${SANDBOX_PAGE_TEXT.en.not_found}</p>`);
}

const PAGE_STYLE = `body{font:16px/1.4 system-ui,sans-serif;max-width:26rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}
.banner{background:#fff3cd;padding:.5rem;border-radius:.25rem;font-size:.9rem}label{display:block;margin:.6rem 0}
input{display:block;width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}button{padding:.6rem 1rem;font-size:1rem;margin:.5rem .5rem 0 0}
.secondary{background:#eee}.error{color:#a00}.amount{font-size:1.2rem}.qr svg{width:200px;height:200px}`;
/** A checkout page must never be framed (a hidden "Approve" button under a decoy is clickjacking). */
const PAGE_CONTENT_SECURITY_POLICY = inlineStylePagePolicy(PAGE_STYLE);

function page(reply: FastifyReply, text: SandboxPageText, body: string): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
    .header('content-security-policy', PAGE_CONTENT_SECURITY_POLICY).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
    .send(`<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${text.title}</title>
<style>${PAGE_STYLE}</style></head>
<body><p class="banner">${text.test_banner}</p><h1>${text.title}</h1>${body}</body></html>`);
}
