import { formatMoney } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import type { DocumentField } from '../receipts/receipt-document.js';
import { CONTENT_WIDTH_PT, COLOR, drawFields, drawText, FONT_SIZE_PT, GAP_PT, PAGE_MARGIN_PT, renderPdf, type Pdf } from '../receipts/pdf.js';
import { CONTRACT_TEXTS } from './contract-texts.js';
import type { ContractSubscriber } from './subscribers.js';

/**
 * The contract summary a foreign visitor takes away from the desk (303-FZ): the line, the holder
 * as in the document (its number masked), the tariff without a pack, the packs on sale and how to
 * renew — first in Russian (the text that binds), then in the visitor's language on its own page.
 */

export interface ContractPack {
  readonly names: Readonly<Record<Language, string>>;
  readonly price_minor: number;
  readonly validity_hours: number;
}

export interface ContractFacts {
  readonly subscriber: ContractSubscriber;
  /** Pay-as-you-go prices (config PAYG_*), null where a kind is off without a pack. */
  readonly payg: {
    readonly data_minor_per_mb: number | null;
    readonly voice_minor_per_minute: number | null;
    readonly sms_minor_per_message: number | null;
  };
  readonly packs: readonly ContractPack[];
  /** The customer site (config PUBLIC_BASE_URL). */
  readonly site_url: string;
  /** Documents made in test mode say so. */
  readonly test_mode: boolean;
}

/** Languages the summary is printed in: Russian, then the visitor's own when it is another. */
export function contractLanguages(language: Language): Language[] {
  return language === 'ru' ? ['ru'] : ['ru', language];
}

export function contractPdf(facts: ContractFacts): Promise<Buffer> {
  const languages = contractLanguages(facts.subscriber.language);
  const title = `${CONTRACT_TEXTS.ru.title} ${facts.subscriber.msisdn}`;
  return renderPdf(facts.subscriber.language, title, (pdf) => {
    languages.forEach((language, index) => {
      if (index > 0) pdf.addPage();
      drawPart(pdf, facts, language);
    });
  });
}

function drawPart(pdf: Pdf, facts: ContractFacts, language: Language): void {
  const texts = CONTRACT_TEXTS[language];
  let y = drawText(pdf, `roamcard · ${texts.language_name}`, PAGE_MARGIN_PT, PAGE_MARGIN_PT, { size: FONT_SIZE_PT.body, color: COLOR.muted });
  y = drawText(pdf, texts.title, PAGE_MARGIN_PT, y + 4, { size: FONT_SIZE_PT.title, bold: true }) + 2;
  y = drawText(pdf, texts.subtitle, PAGE_MARGIN_PT, y, { size: FONT_SIZE_PT.heading }) + GAP_PT;
  if (facts.test_mode) y = drawText(pdf, testNotice(language), PAGE_MARGIN_PT, y, { size: FONT_SIZE_PT.heading, bold: true }) + GAP_PT / 2;
  for (const [heading, fields] of sections(facts, language)) {
    y = drawText(pdf, heading, PAGE_MARGIN_PT, y, { size: FONT_SIZE_PT.heading, bold: true, width: CONTENT_WIDTH_PT }) + 4;
    y = drawFields(pdf, fields, y) + GAP_PT / 2;
  }
}

function sections(facts: ContractFacts, language: Language): Array<[string, DocumentField[]]> {
  const texts = CONTRACT_TEXTS[language];
  const { subscriber } = facts;
  const at = (at_ms: number) => dateTimeText(at_ms, subscriber.time_zone);
  const price = (minor: number | null) => (minor === null ? texts.tariff_lines.off : formatMoney(minor, language));
  return [
    [texts.sections.line, [
      { label: texts.fields.number, value: subscriber.msisdn },
      { label: texts.fields.sim, value: subscriber.iccid_masked },
      { label: texts.fields.sim_kind, value: texts.sim_kinds[subscriber.form_factor] },
      { label: texts.fields.store, value: subscriber.store.name },
      { label: texts.fields.connected, value: at(subscriber.connected_at_ms) },
      {
        label: texts.fields.verification,
        value: texts.verification({ state: subscriber.verification.state, deadline: at(subscriber.verification.deadline_at_ms) }),
      },
    ]],
    [texts.sections.holder, [
      { label: texts.fields.name, value: [subscriber.holder.surname, subscriber.holder.given_names].filter(Boolean).join(' ') },
      { label: texts.fields.birth_date, value: subscriber.holder.birth_date },
      {
        label: texts.fields.document,
        value: `${texts.document_types[subscriber.document.type]}, ${subscriber.document.issuing_country}, ${subscriber.document.number_masked}`,
      },
      { label: texts.fields.imei, value: subscriber.imei },
      {
        label: texts.fields.consent,
        value: texts.consent({ version: subscriber.consent.text_version, at: at(subscriber.consent.accepted_at_ms) }),
      },
    ]],
    [texts.sections.tariff, [
      { label: texts.tariff_lines.data, value: price(facts.payg.data_minor_per_mb) },
      { label: texts.tariff_lines.voice, value: price(facts.payg.voice_minor_per_minute) },
      { label: texts.tariff_lines.sms, value: price(facts.payg.sms_minor_per_message) },
    ]],
    [texts.sections.packs, facts.packs.map((pack) => ({
      label: '', value: texts.pack_line({ name: pack.names[language], price: formatMoney(pack.price_minor, language), hours: pack.validity_hours }),
    }))],
    [texts.sections.renew, texts.renew_lines({ site: facts.site_url }).map((value) => ({ label: '', value }))],
  ];
}

function testNotice(language: Language): string {
  return {
    ru: 'ТЕСТОВЫЙ РЕЖИМ: документ не имеет силы.', en: 'TEST MODE: this document has no force.',
    'zh-Hans': '测试模式：本文件无效。', 'zh-Hant': '測試模式：本文件無效。',
  }[language];
}

/** "2026-12-07 09:30" in the line's zone: a contract date carries its year. */
function dateTimeText(at_ms: number, time_zone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: time_zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(at_ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}
