import { formatOsmpSum, OSMP_RESULTS } from '../../../core/osmp.js';
import type { PartnerAnswer } from '../../../services/partners/partner-payments.js';

/**
 * The OSMP answer on the wire (shared/protocols/osmp.md): a fixed, tiny XML document, written by
 * hand rather than by an XML library — five elements, no attributes, no namespaces. Everything in
 * it that a till sent us (txn_id, sum) or that a translator wrote (comment) is escaped here, so
 * no caller has to remember to.
 */

export const OSMP_CONTENT_TYPE = 'text/xml; charset=utf-8';

/** What one answer says, as text. */
export interface OsmpResponse {
  /** The agent's txn_id, echoed ("" when it sent none). */
  readonly osmp_txn_id: string;
  /** Our payment's id; the element is left out when there is none (check, a refusal that wrote nothing). */
  readonly prv_txn: string | null;
  readonly sum: string;
  readonly result: number;
  readonly comment: string;
}

/**
 * The answer to a request: the result code of the answer's outcome, our id when there is one, and
 * the sum as we read it — or, when we could not read it, the sum as it came (escaped, like all else).
 */
export function osmpResponse(
  answer: Pick<PartnerAnswer, 'outcome' | 'prv_txn' | 'sum_minor'>,
  request: { readonly txn_id?: string | undefined; readonly sum?: string | undefined },
  comment: string,
): OsmpResponse {
  return {
    osmp_txn_id: request.txn_id ?? '',
    prv_txn: answer.prv_txn,
    sum: answer.sum_minor === null ? (request.sum ?? '') : formatOsmpSum(answer.sum_minor),
    result: OSMP_RESULTS[answer.outcome],
    comment,
  };
}

export function renderOsmpXml(response: OsmpResponse): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<response>',
    `  <osmp_txn_id>${escapeXml(response.osmp_txn_id)}</osmp_txn_id>`,
    ...(response.prv_txn === null ? [] : [`  <prv_txn>${escapeXml(response.prv_txn)}</prv_txn>`]),
    `  <sum>${escapeXml(response.sum)}</sum>`,
    `  <result>${response.result}</result>`,
    `  <comment>${escapeXml(response.comment)}</comment>`,
    '</response>',
  ].join('\n');
}

/**
 * Text for an XML element. The five markup characters become entities; characters XML 1.0 cannot
 * carry at all (controls other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF) become
 * U+FFFD — an escape cannot represent them, and a till's parser would reject the whole answer.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/[&<>"']/g, (character) => XML_ENTITIES[character] ?? character);
}

const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
