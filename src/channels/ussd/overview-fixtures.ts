import type { PackageKind } from '../../core/catalog.js';
import type { PayAsYouGoTariff } from '../../core/charging-plan.js';
import { BYTES_PER_MB, MS_PER_HOUR, SECONDS_PER_MINUTE } from '../../core/units.js';
import type { BundleView, LineOverview } from '../../services/lines/overview.js';
import { explainServiceState, type ExplainedBlock } from '../../services/lines/service-state.js';

/**
 * Line overviews built by hand, for tests of the pure reply builder and the session layer: the
 * same shape `lineOverview` reads from the database, with only the fields that matter chosen.
 */

/** 2025-11-26T09:00Z = 12:00 in Moscow, 19:00 in Vladivostok. */
export const FIXTURE_NOW_MS = Date.UTC(2025, 10, 26, 9, 0);

/** Pay-as-you-go as configured by default (PAYG_*): with money on the wallet every kind works. */
export const FIXTURE_TARIFF: PayAsYouGoTariff = { data_minor_per_mb: 500, voice_minor_per_minute: 1500, sms_minor_per_message: 500 };

export interface PackFixture {
  readonly code?: string;
  readonly kind?: PackageKind;
  readonly names?: Partial<Record<'zh-Hans' | 'zh-Hant' | 'ru' | 'en', string>>;
  readonly data_mb?: number;
  readonly voice_minutes?: number;
  readonly sms_count?: number;
  readonly data_bytes_used?: number;
  readonly voice_seconds_used?: number;
  readonly sms_used?: number;
  readonly validity_hours?: number;
  readonly activated_at_ms?: number;
}

/** The first demo line's 5 GB / 7 days pack, 700 MB used: 4.3 GB left. */
export const DEMO_DATA_PACK: PackFixture = {
  code: 'data-5gb-7d',
  kind: 'data',
  names: { 'zh-Hans': '5GB 流量 7天', 'zh-Hant': '5GB 流量 7天', ru: 'Интернет 5 ГБ на 7 дней', en: '5 GB data, 7 days' },
  data_mb: 5120,
  data_bytes_used: 734_003_200,
  validity_hours: 168,
};

let bundle_serial = 0;

export function bundleView(fixture: PackFixture): BundleView {
  bundle_serial += 1;
  const code = fixture.code ?? `pack-${bundle_serial}`;
  const names = { 'zh-Hans': code, 'zh-Hant': code, ru: code, en: code, ...fixture.names };
  const data_bytes_total = (fixture.data_mb ?? 0) * BYTES_PER_MB;
  const voice_seconds_total = (fixture.voice_minutes ?? 0) * SECONDS_PER_MINUTE;
  const sms_total = fixture.sms_count ?? 0;
  const activated_at_ms = fixture.activated_at_ms ?? FIXTURE_NOW_MS;
  const validity_hours = fixture.validity_hours ?? 720;
  return {
    bundle: {
      id: `bundle_${String(bundle_serial).padStart(6, '0')}`,
      line_id: 'line_fixture',
      package_code: code,
      package_price_id: null,
      price_minor: 0,
      currency: 'RUB',
      data_bytes_total,
      data_bytes_remaining: data_bytes_total - (fixture.data_bytes_used ?? 0),
      voice_seconds_total,
      voice_seconds_remaining: voice_seconds_total - (fixture.voice_seconds_used ?? 0),
      sms_total,
      sms_remaining: sms_total - (fixture.sms_used ?? 0),
      activated_at_ms,
      expires_at_ms: activated_at_ms + validity_hours * MS_PER_HOUR,
      status: 'active',
      source: 'external',
      entry_id: null,
      idempotency_key: null,
      request_hash: null,
      created_at_ms: activated_at_ms,
    },
    pack: {
      code,
      kind: fixture.kind ?? 'data',
      data_mb: fixture.data_mb ?? 0,
      voice_minutes: fixture.voice_minutes ?? 0,
      sms_count: fixture.sms_count ?? 0,
      validity_hours,
      names,
      channels: ['app', 'web', 'ussd'],
      active: true,
      sort_order: 0,
    },
  };
}

export function overviewFixture(input: {
  readonly wallet_balance_minor?: number;
  readonly packs?: readonly PackFixture[];
  readonly language?: string;
  readonly time_zone?: string;
  readonly status?: 'active' | 'suspended' | 'closed';
  /** Network blocks on the line (in force at FIXTURE_NOW_MS or not). */
  readonly blocks?: readonly ExplainedBlock[];
}): LineOverview {
  const views = (input.packs ?? []).map(bundleView).sort((a, b) => a.bundle.expires_at_ms - b.bundle.expires_at_ms);
  const wallet_balance_minor = input.wallet_balance_minor ?? 0;
  const status = input.status ?? 'active';
  return {
    line: {
      id: 'line_fixture',
      account_id: 'account_fixture',
      iccid: '8970199000000000007',
      msisdn: '+79001234567',
      language: input.language ?? 'en',
      time_zone: input.time_zone ?? 'Europe/Moscow',
      status,
      wallet_account_id: 'wallet:line_fixture',
      created_at_ms: FIXTURE_NOW_MS,
    },
    wallet_balance_minor,
    bundles: views,
    service: explainServiceState({
      line_status: status, wallet_balance_minor, bundles: views, blocks: input.blocks ?? [],
      tariffFor: () => FIXTURE_TARIFF, at_ms: FIXTURE_NOW_MS,
    }),
  };
}
