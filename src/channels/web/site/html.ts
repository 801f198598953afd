import { escapeHtml } from '../../../core/html-escape.js';
/**
 * The site's templating: one tagged template that escapes every interpolated value unless it is
 * already markup (`SafeHtml`, made only by `html` itself or by `raw`). A page is built from
 * fragments that each escaped their own input, so a value can't be escaped twice or forgotten.
 *
 *   html`<p class="error">${message}</p>`        // message is escaped
 *   html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`   // arrays are joined
 *   raw(trusted_svg)                              // markup we produced ourselves (QR codes)
 */

export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

/** Anything a template may interpolate; null, undefined and false render nothing. */
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => {
    markup += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(markup);
}

/** Markup that is already safe: only for text our own code produced (e.g. a QR code's SVG). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export { escapeHtml };

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
