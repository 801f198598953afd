/**
 * Text for HTML: the five characters that could end a text node or an attribute value become
 * numeric references. Every page that writes markup by hand (the site's `html` template, the
 * receipt pages, the sandbox's hosted pages) uses this one.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
