import { fitsOneScreen, USSD_PAGES_MAX } from '../../core/ussd-text.js';

/**
 * Pages of a menu screen: its content lines (view, title, numbered items) cut between lines, each
 * page with its footer (the shared items on the first page, "99 More" unless last, "0 Back" when
 * there is somewhere to go back to). Every page leaves room for the wrong-choice hint, so the screen
 * repeated with its hint still fits: the hint takes the place of a generic title ("Buy a pack:"),
 * or goes above a page without one. A line too long for a page on its own is cut at a space.
 */

export interface MenuPageLayout {
  readonly lines: readonly string[];
  /** Lines at the foot of the first page, before "more" and "back". */
  readonly shared: readonly string[];
  /** The screen's title when it is its first line: the hint replaces it. */
  readonly title: string | undefined;
  readonly more: string;
  readonly back: string;
  /** True when page 0 also offers "back" (the screen has a previous screen). */
  readonly back_from_first: boolean;
  /** Shown above a page after a wrong answer: every page leaves room for it. */
  readonly hint: string;
}

export function menuPages(layout: MenuPageLayout): string[] {
  const pages: string[] = [];
  let rest = [...layout.lines];
  while (rest.length > 0 || pages.length === 0) {
    if (pages.length >= USSD_PAGES_MAX) throw new Error(`USSD menu needs more than ${USSD_PAGES_MAX} pages`);
    const index = pages.length;
    const last = compose(layout, rest, index, false);
    if (fits(layout, last)) {
      pages.push(last);
      break;
    }
    const taken = linesThatFit(layout, rest, index);
    pages.push(compose(layout, taken.lines, index, true));
    rest = taken.rest;
  }
  return pages;
}

function compose(layout: MenuPageLayout, lines: readonly string[], index: number, more: boolean): string {
  const back = index > 0 || layout.back_from_first;
  const shared = index === 0 ? layout.shared : [];
  return [...lines, ...shared, ...(more ? [layout.more] : []), ...(back ? [layout.back] : [])].join('\n');
}

function fits(layout: MenuPageLayout, page: string): boolean {
  return fitsOneScreen(withHint(page, layout.hint, layout.title));
}

/** The page as shown after a wrong answer: the hint in the title's place, or above the page. */
export function withHint(page: string, hint: string, title: string | undefined): string {
  if (title !== undefined && page.startsWith(`${title}\n`)) return `${hint}${page.slice(title.length)}`;
  return `${hint}\n${page}`;
}

/** As many whole lines as fit one page with "more"; at least a part of the first (cut at a space). */
function linesThatFit(layout: MenuPageLayout, lines: readonly string[], index: number): { lines: string[]; rest: string[] } {
  let count = 0;
  while (count < lines.length && fits(layout, compose(layout, lines.slice(0, count + 1), index, true))) count += 1;
  if (count > 0) return { lines: lines.slice(0, count), rest: lines.slice(count) };
  const [first = '', ...others] = lines;
  const cut = longestPrefix(first, (prefix) => fits(layout, compose(layout, [prefix], index, true)));
  if (cut === 0) throw new Error('USSD menu footer leaves no room for its content');
  return { lines: [first.slice(0, cut).trimEnd()], rest: [first.slice(cut).trimStart(), ...others] };
}

function longestPrefix(text: string, fitsPage: (prefix: string) => boolean): number {
  let length = 0;
  while (length < text.length && fitsPage(text.slice(0, length + 1))) length += 1;
  const space = text.lastIndexOf(' ', length);
  return length < text.length && space > length / 2 ? space + 1 : length;
}
