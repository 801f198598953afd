import type { PackageDefinition } from '../../core/catalog.js';
import type { StaffService } from '../staff/staff-service.js';
import type { PartnerService } from '../partners/partner-service.js';
import { luhnCheckDigit } from '../../core/iccid.js';
import type { Language } from '../../core/i18n/languages.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Database } from '../../db/database.js';
import { newId } from '../../core/ids.js';
import { currentPrice, setPrice, upsertPackage } from '../catalog/catalog.js';
import { liveBundles } from '../charging/bundles.js';
import { chargeUsage, type TariffFor } from '../charging/usage.js';
import { activatePaidPackage, creditWallet } from '../charging/wallet.js';
import { cashDrawerAccountId, ensureLedgerAccount, ensureSystemAccounts } from '../ledger/accounts.js';
import { openLine } from '../lines/lines.js';
import { addSim, assignSimToStore } from '../sims/inventory.js';

/**
 * Demo data: a realistic catalog in RUB, a few service halls and partner stores, SIMs in stock and
 * demo lines. Running it again changes nothing, except that it re-activates the first demo line's
 * data pack when the earlier one has expired, so the documented demo state always holds.
 */

export const DEMO_LINES = [
  { msisdn: '+79001234567', iccid: '8970199000000000007', imsi: '250990000000007', language: 'zh-Hans', wallet_minor: 50_000, data_pack: 'data-5gb-7d' },
  { msisdn: '+79001234568', iccid: '8970199000000000015', imsi: '250990000000015', language: 'en', wallet_minor: 0, data_pack: null },
  { msisdn: '+79001234569', iccid: demoIccid(23), imsi: '250990000000023', language: 'ru', wallet_minor: 12_050, data_pack: 'voice-100min-30d', esim: true },
] as const;

const DEMO_CATALOG: ReadonlyArray<PackageDefinition & { price_minor: number; sort_order: number }> = [
  pack('data-1gb-1d', 'data', 1024, 0, 0, 24, 19_000, 10, ['1GB 流量 1天', '1GB 流量 1天', 'Интернет 1 ГБ на 1 день', '1 GB data, 1 day']),
  pack('data-5gb-7d', 'data', 5120, 0, 0, 168, 69_000, 20, ['5GB 流量 7天', '5GB 流量 7天', 'Интернет 5 ГБ на 7 дней', '5 GB data, 7 days']),
  pack('data-20gb-30d', 'data', 20480, 0, 0, 720, 199_000, 30, ['20GB 流量 30天', '20GB 流量 30天', 'Интернет 20 ГБ на 30 дней', '20 GB data, 30 days']),
  pack('voice-100min-30d', 'voice', 0, 100, 0, 720, 39_000, 40, ['100分钟通话 30天', '100分鐘通話 30天', '100 минут на 30 дней', '100 minutes, 30 days']),
  pack('sms-50-30d', 'sms', 0, 0, 50, 720, 19_000, 50, ['50条短信 30天', '50則簡訊 30天', '50 SMS на 30 дней', '50 SMS, 30 days']),
  pack('combo-10gb-200min-30d', 'combo', 10240, 200, 50, 720, 149_000, 60, ['10GB+200分钟 30天', '10GB+200分鐘 30天', '10 ГБ + 200 минут на 30 дней', '10 GB + 200 min, 30 days']),
];

const DEMO_STORES = [
  {
    code: 'svo-hall', kind: 'service_hall', chain: null, name: 'roamcard Service Hall, Sheremetyevo Terminal C', city: 'Moscow',
    address: 'Sheremetyevo Airport, Terminal C, arrivals, 1st floor', address_ru: 'Аэропорт Шереметьево, терминал C, зона прилёта, 1-й этаж',
    time_zone: 'Europe/Moscow', latitude: 55.9726, longitude: 37.4146, opening_hours: '08:00-23:00',
  },
  {
    code: 'led-hall', kind: 'service_hall', chain: null, name: 'roamcard Service Hall, Nevsky 28', city: 'Saint Petersburg',
    address: 'Nevsky Prospekt 28', address_ru: 'Невский проспект, 28',
    time_zone: 'Europe/Moscow', latitude: 59.9357, longitude: 30.3256, opening_hours: 'Mo-Fr 10:00-21:00; Sa-Su 11:00-19:00',
  },
  {
    code: 'perekrestok-tverskaya', kind: 'partner_store', chain: 'Perekrestok', name: 'Perekrestok, Tverskaya 7', city: 'Moscow',
    address: 'Tverskaya St 7', address_ru: 'Тверская улица, 7',
    time_zone: 'Europe/Moscow', latitude: 55.7578, longitude: 37.6129, opening_hours: '24/7',
  },
  {
    code: 'perekrestok-arbat', kind: 'partner_store', chain: 'Perekrestok', name: 'Perekrestok, Arbat 24', city: 'Moscow',
    address: 'Arbat St 24', address_ru: 'улица Арбат, 24',
    time_zone: 'Europe/Moscow', latitude: 55.7502, longitude: 37.5925, opening_hours: '07:00-23:00',
  },
  {
    code: 'perekrestok-nevsky', kind: 'partner_store', chain: 'Perekrestok', name: 'Perekrestok, Nevsky 114', city: 'Saint Petersburg',
    address: 'Nevsky Prospekt 114', address_ru: 'Невский проспект, 114',
    time_zone: 'Europe/Moscow', latitude: 59.9311, longitude: 30.3609, opening_hours: '24/7',
  },
  {
    code: 'magnit-kazan', kind: 'partner_store', chain: 'Magnit', name: 'Magnit, Baumana 51', city: 'Kazan',
    address: 'Baumana St 51', address_ru: 'улица Баумана, 51',
    time_zone: 'Europe/Moscow', latitude: 55.7887, longitude: 49.1221, opening_hours: 'Mo-Sa 08:00-22:00; Su 09:00-21:00',
  },
  {
    code: 'magnit-vladivostok', kind: 'partner_store', chain: 'Magnit', name: 'Magnit, Svetlanskaya 29', city: 'Vladivostok',
    address: 'Svetlanskaya St 29', address_ru: 'Светланская улица, 29',
    time_zone: 'Asia/Vladivostok', latitude: 43.1167, longitude: 131.8855, opening_hours: '08:00-23:00',
  },
] as const;

/** SIMs in stock beside the demo lines: nano-SIMs and eSIMs ready to be sold. */
const STOCK_SIM_COUNT = 6;
/** Which service hall's stock each stock SIM is in (by index): the desks hand out their own store's SIMs. */
const STOCK_SIM_STORES = ['svo-hall', 'svo-hall', 'svo-hall', 'svo-hall', 'led-hall', 'led-hall'] as const;

/**
 * The demo's desk agent at the Sheremetyevo service hall, documented in the README as demo-only:
 * its password and TOTP secret are public, so it exists only where the demo seed made it (never
 * from a migration, `staff add` or a start without --demo-if-empty). Its code is
 * `oathtool --totp -b KRUGKIDROVUWG2ZAMJZG653OEBTG66BA`.
 */
export const DEMO_STAFF = [
  { login: 'agent.svo', role: 'agent', store_code: 'svo-hall', password: 'demo-agent-2026', totp_secret: 'KRUGKIDROVUWG2ZAMJZG653OEBTG66BA' },
] as const;

/**
 * The demo's payment agent: the Perekrestok chain, whose POS may call `/osmp/demo-store` from this
 * machine with basic auth demo-store:demo-secret (README, "Paying at a store"), or sign JSON
 * requests with the demo HMAC key. Demo secrets only: a real partner's are generated and shown once.
 */
export const DEMO_PARTNER = {
  code: 'demo-store', name: 'Perekrestok (demo)', chain: 'Perekrestok', agent_name: 'АО «Торговый дом «Перекрёсток»', agent_inn: '7728029110',
  time_zone: 'Europe/Moscow', sells_packs: true, sum_min_minor: 10_000, sum_max_minor: 1_500_000, allowed_addresses: '127.0.0.1,::1',
  registry_accounts: 'masked',
} as const;
export const DEMO_PARTNER_SECRETS = { basic_password: 'demo-secret', hmac_key: 'demo-signing-key' } as const;

/** Adds the demo partner when missing and gives the chain's demo stores to it; true when it was added. */
export async function seedDemoPartner(database: Database, partners: Pick<PartnerService, 'ensurePartner' | 'getPartner'>): Promise<boolean> {
  const created = await partners.ensurePartner(DEMO_PARTNER, DEMO_PARTNER_SECRETS);
  const partner = await partners.getPartner(DEMO_PARTNER.code);
  await database.db.updateTable('stores').set({ partner_id: partner.id })
    .where('chain', '=', DEMO_PARTNER.chain).where('partner_id', 'is', null).execute();
  return created;
}

export interface DemoSummary {
  readonly lines_opened: number;
  readonly packs: number;
  readonly stores: number;
  readonly sims_added: number;
  readonly staff_added: number;
  readonly partners_added: number;
}

/** Adds the demo staff accounts that are missing (after the stores exist); how many it added. */
export async function seedDemoStaff(staff: Pick<StaffService, 'ensureStaff'>): Promise<number> {
  let added = 0;
  for (const member of DEMO_STAFF) {
    if (await staff.ensureStaff({ ...member, password_must_change: false })) added += 1;
  }
  return added;
}

/**
 * The demo data; with `staff`, the demo desk agent too (argon2 hashing makes that the slow part,
 * so tests that need no staff leave it out); with `partners`, the demo payment agent.
 */
export async function seedDemo(
  database: Database,
  tariffFor: TariffFor,
  now_ms: number,
  options: { staff?: Pick<StaffService, 'ensureStaff'>; partners?: Pick<PartnerService, 'ensurePartner' | 'getPartner'> } = {},
): Promise<DemoSummary> {
  const summary = await seedCatalogStoresLines(database, tariffFor, now_ms);
  const staff_added = options.staff ? await seedDemoStaff(options.staff) : 0;
  const partners_added = options.partners && (await seedDemoPartner(database, options.partners)) ? 1 : 0;
  return { ...summary, staff_added, partners_added };
}

async function seedCatalogStoresLines(database: Database, tariffFor: TariffFor, now_ms: number): Promise<Omit<DemoSummary, 'staff_added' | 'partners_added'>> {
  return inTransaction(database, async (trx) => {
    await ensureSystemAccounts(trx, now_ms);
    for (const definition of DEMO_CATALOG) {
      await upsertPackage(trx, definition, now_ms);
      if (!(await currentPrice(trx, definition.code, now_ms))) {
        await setPrice(trx, definition.code, definition.price_minor, now_ms - 1, now_ms);
      }
    }
    const stores = await seedStores(trx, now_ms);
    const sims_added = await seedStockSims(trx, now_ms);
    let lines_opened = 0;
    for (const demo of DEMO_LINES) lines_opened += (await seedDemoLine(trx, demo, tariffFor, now_ms)) ? 1 : 0;
    return { lines_opened, packs: DEMO_CATALOG.length, stores, sims_added };
  });
}

async function seedStores(trx: Executor, now_ms: number): Promise<number> {
  let created = 0;
  for (const store of DEMO_STORES) {
    const cash_account_id = cashDrawerAccountId(store.code);
    await ensureLedgerAccount(trx, { id: cash_account_id, kind: 'cash_drawer', name: `Cash drawer, ${store.name}` }, now_ms);
    const inserted = await trx
      .insertInto('stores')
      .values({ id: newId('store'), ...store, renews: 1, cash_account_id, created_at_ms: now_ms })
      .onConflict((conflict) => conflict.column('code').doNothing())
      .executeTakeFirst();
    created += Number(inserted.numInsertedOrUpdatedRows ?? 0);
  }
  return created;
}

async function seedStockSims(trx: Executor, now_ms: number): Promise<number> {
  let added = 0;
  for (let index = 0; index < STOCK_SIM_COUNT; index += 1) {
    const serial = 100 + index;
    const esim = index % 2 === 1;
    const { created } = await addSim(trx, {
      iccid: demoIccid(serial),
      imsi: `2509900000${String(serial).padStart(5, '0')}`,
      msisdn: `+7900123${String(4600 + index).padStart(4, '0')}`,
      form_factor: esim ? 'esim' : 'nano',
      esim_activation_code: esim ? `LPA:1$smdp.roamcard.example$RC-DEMO-${serial}` : undefined,
    }, now_ms);
    if (created) added += 1;
    await assignSimToStore(trx, demoIccid(serial), STOCK_SIM_STORES[index] ?? 'svo-hall');
  }
  return added;
}

async function seedDemoLine(trx: Executor, demo: (typeof DEMO_LINES)[number], tariffFor: TariffFor, now_ms: number): Promise<boolean> {
  const esim = 'esim' in demo && demo.esim;
  await addSim(trx, {
    iccid: demo.iccid, imsi: demo.imsi, msisdn: demo.msisdn, form_factor: esim ? 'esim' : 'nano',
    esim_activation_code: esim ? `LPA:1$smdp.roamcard.example$RC-DEMO-${demo.iccid.slice(-4)}` : undefined,
  }, now_ms);
  let line = await trx.selectFrom('lines').selectAll().where('iccid', '=', demo.iccid).executeTakeFirst();
  const opened = !line;
  line ??= await openLine(trx, { iccid: demo.iccid, language: demo.language as Language, time_zone: 'Europe/Moscow' }, now_ms);

  const desk = cashDrawerAccountId('svo-hall');
  if (demo.wallet_minor > 0) {
    await creditWallet(trx, { line: { line_id: line.id }, amount_minor: demo.wallet_minor, source_account_id: desk, idempotency_key: `demo:topup:${demo.iccid}`, memo: 'Demo top-up, cash at the desk' }, now_ms);
  }
  if (demo.data_pack && (await liveBundles(trx, line.id, now_ms)).length === 0) {
    const price = await currentPrice(trx, demo.data_pack, now_ms);
    const { bundle } = await activatePaidPackage(trx, {
      line: { line_id: line.id }, package_code: demo.data_pack, paid_from_account_id: desk,
      amount_minor: price?.amount_minor ?? 0, package_price_id: price?.id ?? null,
      idempotency_key: `demo:pack:${demo.iccid}:${now_ms}`, memo: 'Demo pack, paid cash at the desk',
    }, now_ms);
    // A little usage so the demo shows a pack part-used, charged like any other usage.
    const kind = bundle.data_bytes_total > 0 ? 'data' : 'voice';
    const quantity = kind === 'data' ? 734_003_200 : 1_260;
    await chargeUsage(trx, { event_id: `demo:usage:${bundle.id}`, line_id: line.id, kind, quantity, at_ms: now_ms }, tariffFor, now_ms);
  }
  return opened;
}

function pack(
  code: string, kind: PackageDefinition['kind'], data_mb: number, voice_minutes: number, sms_count: number,
  validity_hours: number, price_minor: number, sort_order: number, [zhHans, zhHant, ru, en]: [string, string, string, string],
): PackageDefinition & { price_minor: number; sort_order: number } {
  return {
    code, kind, data_mb, voice_minutes, sms_count, validity_hours, price_minor, sort_order, active: true,
    names: { 'zh-Hans': zhHans, 'zh-Hant': zhHant, ru, en },
    channels: ['app', 'web', 'ussd', 'desk', 'partner', 'auto'],
  };
}

function demoIccid(serial: number): string {
  const payload = `897019900000000${String(serial).padStart(3, '0')}`;
  return payload + luhnCheckDigit(payload);
}
