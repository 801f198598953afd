import { formatData, formatSms, formatVoice } from '../../../../core/i18n/format.js';
import type { Language } from '../../../../core/i18n/languages.js';
import type { UsageDay } from '../../../../services/customers/line-dashboard.js';
import { html, type SafeHtml } from '../html.js';
import { accountText } from './account-text.js';

/**
 * Data used per day as a bar chart: inline SVG drawn on the server (no chart library, no script,
 * a few hundred bytes), with a text alternative (the SVG's <title>) and the same figures as a table
 * for screen readers and for anyone who wants the numbers. Days are the line's own local days.
 */

const HEIGHT_PX = 120;
const AXIS_PX = 16;
const TOP_PX = 16;
const BAR_COLOUR = '#0b5f4f';
const BASE_COLOUR = '#c9d3d0';
const LABEL_COLOUR = '#4f5a60';
const FONT_PX = 11;
/** On the 30-day chart every day would crowd the axis: label one in this many (counting back from today). */
const LABEL_EVERY_DAYS_LONG = 7;
const BAR_SHARE_OF_SLOT = 0.7;

export function usageChart(days: readonly UsageDay[], language: Language, id: string): SafeHtml {
  const text = accountText(language);
  const total_bytes = days.reduce((sum, day) => sum + day.data_bytes, 0);
  const label = text.usage_chart_label(days.length, formatData(total_bytes, language));
  // No viewBox: x and widths are percentages, so bars stretch with the screen while the labels keep their size.
  return html`<div class="usage"><p><strong>${text.usage_days(days.length)}</strong> · ${formatData(total_bytes, language)}</p>
<svg role="img" aria-labelledby="${id}-title" width="100%" height="${HEIGHT_PX}"><title id="${id}-title">${label}</title>
${bars(days, language)}</svg>
<details><summary>${text.usage_table}</summary>${usageTable(days, language)}</details></div>`;
}

function bars(days: readonly UsageDay[], language: Language): SafeHtml {
  const max_bytes = Math.max(0, ...days.map((day) => day.data_bytes));
  const slot_percent = 100 / days.length;
  const plot_px = HEIGHT_PX - AXIS_PX - TOP_PX;
  const label_every = days.length > 10 ? LABEL_EVERY_DAYS_LONG : 1;
  const percent = (value: number) => `${Math.round(value * 100) / 100}%`;
  return html`${max_bytes > 0 ? html`<text x="0" y="${FONT_PX}" font-size="${FONT_PX}" fill="${LABEL_COLOUR}">${formatData(max_bytes, language)}</text>` : ''}
<line x1="0" x2="100%" y1="${TOP_PX + plot_px}" y2="${TOP_PX + plot_px}" stroke="${BASE_COLOUR}"/>
${days.map((day, index) => {
    const height_px = max_bytes > 0 ? Math.round((day.data_bytes / max_bytes) * plot_px * 10) / 10 : 0;
    const x = index * slot_percent + (slot_percent * (1 - BAR_SHARE_OF_SLOT)) / 2;
    const bar = html`<rect x="${percent(x)}" y="${TOP_PX + plot_px - height_px}" width="${percent(slot_percent * BAR_SHARE_OF_SLOT)}" height="${height_px}" fill="${BAR_COLOUR}"/>`;
    if ((days.length - 1 - index) % label_every !== 0) return bar;
    // The first and last labels lean inwards, so neither is cut at the chart's edge.
    const anchor = index === 0 ? 'start' : index === days.length - 1 ? 'end' : 'middle';
    const label_x = anchor === 'start' ? index * slot_percent : anchor === 'end' ? 100 : index * slot_percent + slot_percent / 2;
    return html`${bar}<text x="${percent(label_x)}" y="${HEIGHT_PX - 3}" font-size="${FONT_PX}" text-anchor="${anchor}" fill="${LABEL_COLOUR}">${axisLabel(day.date, language)}</text>`;
  })}`;
}

function usageTable(days: readonly UsageDay[], language: Language): SafeHtml {
  const text = accountText(language);
  return html`<table><thead><tr><th scope="col">${text.usage_date}</th><th scope="col">${text.kinds.data}</th><th scope="col">${text.kinds.voice}</th><th scope="col">${text.kinds.sms}</th></tr></thead>
<tbody>${[...days].reverse().map((day) => html`<tr><th scope="row">${dayLabel(day.date, language)}</th><td>${formatData(day.data_bytes, language)}</td><td>${formatVoice(day.voice_seconds, language)}</td><td>${formatSms(day.sms_count, language)}</td></tr>`)}</tbody></table>`;
}

/** Seven labels must fit 320 px: Chinese axes write "11/26" (the table keeps "11月26日"). */
function axisLabel(date: string, language: Language): string {
  if (language !== 'zh-Hans' && language !== 'zh-Hant') return dayLabel(date, language);
  const [, month = '1', day = '1'] = date.split('-');
  return `${Number(month)}/${Number(day)}`;
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "26.11", "26 Nov", "11月26日" from a local date "2025-11-26" (already in the line's zone). */
export function dayLabel(date: string, language: Language): string {
  const [, month = '1', day = '1'] = date.split('-');
  switch (language) {
    case 'ru': return `${day}.${month}`;
    case 'en': return `${Number(day)} ${MONTHS_EN[Number(month) - 1]}`;
    case 'zh-Hans':
    case 'zh-Hant': return `${Number(month)}月${Number(day)}日`;
  }
}
