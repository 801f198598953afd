import { formatShortDateTime } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import type { LineOverview } from '../../services/lines/overview.js';
import type { LineRenewal, PackOffer, RenewalRefusal } from '../../services/renewal/line-renewal.js';
import { menuPages, withHint } from './menu-pages.js';
import {
  AFTER_BALANCE_SHORT, AFTER_LANGUAGE, BACK_KEY, MORE_KEY,
  type ActionId, type MenuTree, type ScreenDefinition, type ScreenId, type Transition,
} from './menu-tree.js';
import { listElements, listLabel, packName, viewLines, type ListElement } from './menu-views.js';
import { serviceReply, type UssdOutcome } from './replies.js';

/**
 * The session engine: walks the menu tree (menu-tree.ts) over the inputs of a request, from the
 * code's first screen, and renders where it ends. Nothing is kept between requests: every request
 * replays all inputs of its session. Replaying is safe because
 * - screens are pure functions of the line's data (the pack list's order is still for a whole day);
 * - the purchase actions are idempotent per session and step (services/renewal/line-renewal.ts): a
 *   replayed "confirm" finds the payment it made and says the same again;
 * - a language change is stored only when it is the request's last input, and a replay of it
 *   switches the walk's language without writing.
 */

/** What the menus need of the renewal service: the packs, two ways to pay, the line's language. */
export type UssdRenewalPort = Pick<LineRenewal, 'packsForSale' | 'buyFromBalance' | 'sendPaymentLink' | 'setLanguage'>;

export interface MenuWalk {
  readonly tree: MenuTree;
  readonly entry: ScreenId;
  readonly inputs: readonly string[];
  readonly overview: LineOverview;
  readonly language: Language;
  /** IANA zone for times shown: the line's own. */
  readonly time_zone: string;
  /** The gateway's session id; without it nothing is bought (no key to make a retry harmless). */
  readonly session_id: string | undefined;
  readonly renewal: UssdRenewalPort;
}

export interface MenuAnswer {
  readonly text: string;
  readonly continues: boolean;
  readonly page: number;
  readonly page_count: number;
  readonly outcome: UssdOutcome;
  /** The language the answer is in: a language chosen in this session wins over the line's. */
  readonly language: Language;
}

interface Position {
  readonly screen: ScreenId;
  readonly page: number;
  readonly pack?: PackOffer | undefined;
  readonly missing_minor?: number | undefined;
}

interface Choice {
  readonly then: Transition;
  readonly element?: ListElement;
}

interface Rendered {
  readonly pages: readonly string[];
  readonly continues: boolean;
  readonly choices: ReadonlyMap<string, Choice>;
  /** #100#/#101#: text without choices, where a stray answer just shows the page again (no hint). */
  readonly text_only: boolean;
  readonly outcome: UssdOutcome;
  /** The title, when it is the first line: a wrong-choice hint takes its place. */
  readonly title?: string | undefined;
}

interface WalkState {
  readonly position: Position;
  readonly history: readonly Position[];
  readonly language: Language;
  readonly hint: boolean;
}

type ActionResult =
  | { readonly kind: 'final'; readonly text: string; readonly outcome: UssdOutcome }
  | { readonly kind: 'state'; readonly state: WalkState };

export async function walkMenu(walk: MenuWalk): Promise<MenuAnswer> {
  const renderer = screenRenderer(walk);
  let state: WalkState = { position: { screen: walk.entry, page: 0 }, history: [], language: walk.language, hint: false };
  for (const [index, input] of walk.inputs.entries()) {
    const shown = await renderer(state);
    // A final screen takes no answer; inputs after it (a confused gateway) change nothing.
    if (!shown.continues) break;
    const next = await step(walk, state, shown, input, index === walk.inputs.length - 1);
    if (next.kind === 'final') {
      return { text: next.text, continues: false, page: 0, page_count: 1, outcome: next.outcome, language: state.language };
    }
    state = next.state;
  }
  const shown = await renderer(state);
  const page = shown.pages[state.position.page];
  if (page === undefined) throw new Error(`page ${state.position.page} of ${shown.pages.length} does not exist`);
  const text = state.hint ? withHint(page, messagesFor(state.language).ussd_menu.wrong_choice, shown.title) : page;
  return {
    text, continues: shown.continues, page: state.position.page, page_count: shown.pages.length,
    outcome: shown.outcome, language: state.language,
  };
}

/** One answer applied to where the walk stands: move a page, go back, follow a choice, or hint. */
async function step(walk: MenuWalk, state: WalkState, shown: Rendered, input: string, last: boolean): Promise<ActionResult> {
  const { position, history } = state;
  const moved = (next: Partial<WalkState>): ActionResult => ({ kind: 'state', state: { ...state, hint: false, ...next } });
  if (input === MORE_KEY && position.page < shown.pages.length - 1) return moved({ position: { ...position, page: position.page + 1 } });
  if (input === BACK_KEY && position.page > 0) return moved({ position: { ...position, page: position.page - 1 } });
  const previous = history.at(-1);
  if (input === BACK_KEY && previous !== undefined) return moved({ position: { ...previous, page: 0 }, history: history.slice(0, -1) });
  const choice = shown.choices.get(input);
  if (choice === undefined) return moved({ hint: !shown.text_only });
  if ('to' in choice.then) {
    const pack = choice.element && 'pack' in choice.element ? choice.element.pack : position.pack;
    return moved({ position: { screen: choice.then.to, page: 0, pack }, history: [...history, position] });
  }
  return perform(walk, choice.then.action, state, choice.element, last);
}

async function perform(
  walk: MenuWalk, action: ActionId, state: WalkState, element: ListElement | undefined, last: boolean,
): Promise<ActionResult> {
  const { language, position } = state;
  const menu = messagesFor(language).ussd_menu;
  if (action === 'set_language') {
    if (element === undefined || !('language' in element)) throw new Error('set_language needs a language from a list');
    if (last) await walk.renewal.setLanguage(walk.overview.line.id, element.language);
    return { kind: 'state', state: { position: { screen: AFTER_LANGUAGE, page: 0 }, history: [], language: element.language, hint: false } };
  }
  const pack = position.pack;
  if (pack === undefined) throw new Error(`${action} without a chosen pack`);
  if (walk.session_id === undefined) return { kind: 'final', text: menu.no_session, outcome: 'refused' };
  const request = { line_id: walk.overview.line.id, package_code: pack.code, session_id: walk.session_id, language };
  if (action === 'send_payment_link') {
    const sent = await walk.renewal.sendPaymentLink(request);
    if (sent.outcome === 'sent') return { kind: 'final', text: menu.link_sent, outcome: 'link_sent' };
    return refusal(sent.reason, language);
  }
  const bought = await walk.renewal.buyFromBalance(request);
  switch (bought.outcome) {
    case 'active': {
      const until = formatShortDateTime(bought.expires_at_ms, language, walk.time_zone);
      return { kind: 'final', text: menu.activated({ name: packName(pack, language), until }), outcome: 'activated' };
    }
    case 'balance_short':
      return {
        kind: 'state',
        state: {
          ...state, hint: false,
          position: { screen: AFTER_BALANCE_SHORT, page: 0, pack, missing_minor: bought.missing_minor },
          history: [...state.history, position],
        },
      };
    case 'refused':
      return refusal(bought.reason, language);
  }
}

function refusal(reason: RenewalRefusal | 'limit_reached', language: Language): ActionResult {
  const messages = messagesFor(language);
  const text = {
    pack_unavailable: messages.ussd_menu.pack_unavailable, line_not_active: messages.ussd.line_not_active,
    limit_reached: messages.ussd_menu.link_limit_reached,
  }[reason];
  return { kind: 'final', text, outcome: 'refused' };
}

/** Renders positions of one walk; the pack list is read once per request, however often it is shown. */
function screenRenderer(walk: MenuWalk): (state: WalkState) => Promise<Rendered> {
  let packs: Promise<readonly PackOffer[]> | undefined;
  const packsForSale = () => (packs ??= walk.renewal.packsForSale());
  return async (state) => {
    const screen = walk.tree.screens[state.position.screen];
    if (screen.view === 'balance' || screen.view === 'packages') {
      const reply = serviceReply({ overview: walk.overview, service: screen.view, language: state.language, time_zone: walk.time_zone });
      return { pages: reply.pages, continues: reply.pages.length > 1, choices: new Map(), text_only: true, outcome: reply.outcome };
    }
    const elements = screen.list ? listElements(screen.list.of, screen.list.of === 'packs_for_sale' ? await packsForSale() : []) : [];
    return menuScreen(walk, screen, state, elements);
  };
}

function menuScreen(walk: MenuWalk, screen: ScreenDefinition, state: WalkState, elements: readonly ListElement[]): Rendered {
  const { language, position } = state;
  const messages = messagesFor(language);
  const menu = messages.ussd_menu;
  const lines: string[] = [];
  const choices = new Map<string, Choice>();
  if (screen.view !== undefined && screen.view !== 'balance' && screen.view !== 'packages') {
    const data = { overview: walk.overview, language, pack: position.pack, missing_minor: position.missing_minor };
    lines.push(...viewLines(screen.view, data));
  }
  if (screen.title !== undefined) lines.push(menu[screen.title]);
  if (screen.list) {
    for (const [index, element] of elements.entries()) {
      const key = String(index + 1);
      lines.push(menu.item({ key, label: listLabel(element, language) }));
      choices.set(key, { then: screen.list.then, element });
    }
    if (elements.length === 0) lines.push(menu.no_packs_for_sale);
  }
  for (const item of screen.items ?? []) {
    lines.push(menu.item({ key: item.key, label: menu[item.label] }));
    choices.set(item.key, { then: item.then });
  }
  const shared = (screen.shared_items ?? []).map((item) => {
    choices.set(item.key, { then: item.then });
    return menu.item({ key: item.key, label: menu[item.label] });
  });
  const title = screen.title !== undefined && lines[0] === menu[screen.title] ? lines[0] : undefined;
  const pages = menuPages({
    lines, shared, title, more: messages.ussd.more, back: messages.ussd.back,
    back_from_first: state.history.length > 0, hint: menu.wrong_choice,
  });
  return { pages, continues: true, choices, text_only: false, outcome: 'ok', title };
}
