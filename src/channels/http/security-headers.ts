import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Browser security headers. Every response gets a strict default — nothing may load, nothing may
 * frame it, no type sniffing, no Referer — unless its route set its own: pages that show
 * something (the customer site, the sandbox's hosted pages, receipts, /docs) say what they load,
 * and every one of them keeps `frame-ancestors 'none'`, so no other site can frame a payment or
 * a receipt page and trick a click (clickjacking).
 */

/** For JSON, problem details, text and anything else that sets no policy: it loads nothing and is never framed. */
export const STRICT_CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * For PDFs: no default-src, because Chromium shows a PDF in a synthetic page that takes the PDF's
 * policy, and `default-src 'none'` blocks that viewer's own styles (crbug.com/271452); framing is
 * still refused.
 */
export const PDF_CONTENT_SECURITY_POLICY = "frame-ancestors 'none'";

/** An `onSend` hook for the root instance: fills in what the route did not set. */
export async function defaultSecurityHeaders(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', STRICT_CONTENT_SECURITY_POLICY);
  if (!reply.hasHeader('x-content-type-options')) reply.header('x-content-type-options', 'nosniff');
  if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
}

/**
 * The policy of a self-contained server-rendered page: one inline `<style>` (allowed by its
 * SHA-256, so an injected style or script still cannot run), inline SVG and data: images, no
 * scripts at all, never framed.
 */
export function inlineStylePagePolicy(css: string): string {
  return `default-src 'none'; style-src ${styleHashSource(css)}; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'`;
}

/** The CSP source allowing exactly one inline `<style>` with this content (a CSP3 hash-source). */
export function styleHashSource(css: string): string {
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}
