// What the soak database holds before the server starts: the demo catalog, lines and payment agent
// (the product's own seed), and soak lines opened the way the product opens them — a SIM from
// stock, a line, a wallet topped up, for some a pack — with seeded amounts.
import { fromDist } from '../../bench/lib/dist.mjs';

const { DEMO_PARTNER, DEMO_PARTNER_SECRETS, seedDemo } = await fromDist('services/demo/seed.js');
const { deriveAuthKeys } = await fromDist('services/customers/auth-crypto.js');
const { PartnerService } = await fromDist('services/partners/partner-service.js');
const { loadConfig, paygTariff } = await fromDist('config.js');
const { createServices } = await fromDist('services/index.js');
const { inTransaction } = await fromDist('db/transaction.js');
const { systemClock } = await fromDist('ports/clock.js');
const { ensureLedgerAccount } = await fromDist('services/ledger/accounts.js');
const { listPackages } = await fromDist('services/catalog/catalog.js');
const { openLine } = await fromDist('services/lines/lines.js');
const { addSim } = await fromDist('services/sims/inventory.js');
const { luhnCheckDigit } = await fromDist('core/iccid.js');

export const SOAK_LINE_COUNT = 16;
/** Where the soak's opening money comes from (a clearing account, as a provider's would be). */
const SEED_CLEARING_ACCOUNT = 'clearing:soak-seed';
const WALLET_MINOR_MAX = 200_000;

/** A SIM of the soak's own number range (ICCID 897017…, MSISDN +7917000…), apart from the demo's. */
function soakSim(index) {
  const serial = String(index).padStart(4, '0');
  const payload = `897017${serial.padStart(12, '0')}`;
  return { iccid: payload + luhnCheckDigit(payload), imsi: `25017${serial.padStart(10, '0')}`, msisdn: `+7917000${serial}`, form_factor: 'nano' };
}

async function openSoakLines(database, now_ms) {
  return inTransaction(database, async (trx) => {
    await ensureLedgerAccount(trx, { id: SEED_CLEARING_ACCOUNT, kind: 'provider_clearing', name: 'Soak opening balances' }, now_ms);
    const lines = [];
    for (let index = 1; index <= SOAK_LINE_COUNT; index += 1) {
      const sim = soakSim(index);
      await addSim(trx, sim, now_ms);
      lines.push(await openLine(trx, { iccid: sim.iccid, language: index % 4 === 0 ? 'ru' : 'en', time_zone: 'Europe/Moscow' }, now_ms));
    }
    return lines;
  });
}

/**
 * The demo payment agent (`demo-store`) as its tills see it: the credentials, the sum limits and the
 * packs sold through partners, in catalog order — a sum equal to a price buys the first pack at it.
 */
async function partnerAsSeen(database, partners, now_ms) {
  const row = await partners.getPartner(DEMO_PARTNER.code);
  const packs = (await listPackages(database.db, now_ms, { channel: 'partner' }))
    .filter((pack) => pack.price.currency === 'RUB')
    .map((pack) => ({ code: pack.code, price_minor: pack.price.amount_minor }));
  return {
    code: row.code, password: DEMO_PARTNER_SECRETS.basic_password, settlement_account_id: row.settlement_account_id,
    sum_min_minor: Number(row.sum_min_minor), sum_max_minor: Number(row.sum_max_minor), packs,
  };
}

/**
 * Seeds the catalog, the demo lines and partner, and SOAK_LINE_COUNT soak lines. Returns the
 * catalog ({code, price_minor}), every line ({id, msisdn, soak}) the load may use, and the partner
 * (partnerAsSeen).
 */
export async function seedSoakData(database, random, auth_secret) {
  const now_ms = systemClock.now_ms();
  const tariffFor = paygTariff(loadConfig({}));
  // The demo partner, as a test-mode server seeds it into an empty database. Its HMAC key is sealed
  // under the server's AUTH_SECRET; only the partner directory is used, so no renewal service is given.
  const partners = new PartnerService({ database, clock: systemClock, renewal: undefined, keys: deriveAuthKeys(auth_secret) });
  await seedDemo(database, tariffFor, now_ms, { partners });
  const partner = await partnerAsSeen(database, partners, now_ms);
  const services = createServices({ database, clock: systemClock, tariffFor });
  const packages = (await listPackages(database.db, now_ms)).map((pack) => ({
    code: pack.code, price_minor: pack.price.amount_minor, price_id: pack.price.id,
  }));
  const opened = await openSoakLines(database, now_ms);
  for (const line of opened) {
    const wallet_minor = random.chance(0.2) ? 0 : random.between(1, WALLET_MINOR_MAX);
    if (wallet_minor > 0) {
      await services.creditWallet({ line: { line_id: line.id }, amount_minor: wallet_minor, source_account_id: SEED_CLEARING_ACCOUNT, idempotency_key: `soak:topup:${line.id}` });
    }
    if (random.chance(0.5)) {
      const pack = random.pick(packages);
      await services.activatePaidPackage({
        line: { line_id: line.id }, package_code: pack.code, paid_from_account_id: SEED_CLEARING_ACCOUNT,
        amount_minor: pack.price_minor, package_price_id: pack.price_id, idempotency_key: `soak:pack:${line.id}`,
      });
    }
  }
  const lines = await database.db.selectFrom('lines').select(['id', 'msisdn']).orderBy('msisdn').execute();
  return { packages, partner, lines: lines.map((line) => ({ ...line, soak: line.msisdn.startsWith('+7917000') })) };
}
