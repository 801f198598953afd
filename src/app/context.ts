import { RecordingProvisioner } from '../adapters/network/recording/recording-provisioner.js';
import { openConsoleSmsSender } from '../adapters/sms/sms-driver.js';
import { openMailer } from '../adapters/mail/mail-driver.js';
import { paygTariff, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { inTransaction } from '../db/transaction.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { SmsSender } from '../ports/sms-sender.js';
import type { Mailer } from '../ports/mailer.js';
import type { StaffAuthenticator } from '../services/staff/staff-actor.js';
import { StaffService } from '../services/staff/staff-service.js';
import { CustomerService } from '../services/customers/customer-service.js';
import { deriveAuthKeys } from '../services/customers/auth-crypto.js';
import { WalletAuthority } from '../services/customers/wallet-authority.js';
import { NetworkBlockService } from '../services/network-blocks/network-block-service.js';
import { ReceiptService } from '../services/receipts/receipt-service.js';
import { servicesFromConfig, type Services } from '../services/index.js';
import { NoticeService } from '../services/notices/notice-service.js';
import { noticesFromConfig } from '../services/notices/notices.js';
import { OutboxWorker, type WorkerOptions } from '../services/jobs/worker.js';
import { ensureSystemAccounts } from '../services/ledger/accounts.js';
import { LineRenewal } from '../services/renewal/line-renewal.js';
import { RenewalService } from '../services/renewal/renewal-service.js';
import { SandboxIdentityVerifier } from '../adapters/identity/sandbox/sandbox-verifier.js';
import type { IdentityVerifier } from '../ports/identity-verifier.js';
import { DeskSubscribers } from '../services/desk/subscribers.js';
import { IdentityKeyring } from '../services/identity/identity-keyring.js';
import { IdentityVerification } from '../services/identity/verification.js';
import { FiscalService } from '../services/fiscal/fiscal-service.js';
import { fiscalRegisterFromConfig } from './fiscal.js';
import { jobHandlers } from './jobs.js';
import { openPayments, type Payments } from './payments.js';
import { DeskService } from '../services/desk/desk-service.js';
import { PartnerService } from '../services/partners/partner-service.js';
import { StoreFinder } from '../services/stores/store-finder.js';
import { openSmppGateway, type SmppGateway } from './smpp-gateway.js';

/**
 * Everything a channel needs, opened once: the database (migrated), the services over it, the
 * payment providers and the renewal service, and a factory for the outbox worker (only the server
 * runs one; CLI commands do not).
 */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly clock: Clock;
  readonly services: Services;
  readonly payments: Payments;
  readonly renewal: RenewalService;
  /** Customer sign-in, lines, dashboard, orders (self-service site and app). */
  readonly customers: CustomerService;
  /** Renewal asked for by the line itself over USSD (#102#): packs, paying from the balance, payment links. */
  readonly lineRenewal: LineRenewal;
  /** SMS_DRIVER's sender; only the outbox worker sends through it (job `sms.send`). */
  readonly sms: SmsSender;
  /** MAIL_DRIVER's mailer (none with MAIL_DRIVER=none); only the outbox worker sends through it (job `receipt.email`). */
  readonly mailer: Mailer | undefined;
  /** SMS_DRIVER=smpp: the SMSC link (SMS out, receipts and USSD in); `serve` starts it, close() unbinds it. */
  readonly smpp: SmppGateway | undefined;
  /** SMS notices' background work (the expiry alert's sweep). */
  readonly notices: NoticeService;
  /** Blocks the network side sets on lines and lifts (the network API). */
  readonly network_blocks: NetworkBlockService;
  /** The service hall's desk: cash shifts, sales in cash or by card, company invoices, look-ups. */
  readonly desk: DeskService;
  /** The desk's foreign-visitor connection (303-FZ): connect, change IMEI, the contract's facts. */
  readonly desk_subscribers: DeskSubscribers;
  /** Turns a staff bearer token into the staff member acting (the desk API's staffGuard): the staff service. */
  readonly staff_authenticator: StaffAuthenticator;
  /** Staff accounts, sign-in, sessions, password change, the audit log's reading. */
  readonly staff: StaffService;
  /** Payment agents (store chains, terminals): their credentials, OSMP and JSON check/pay, registries. */
  readonly partners: PartnerService;
  /** Service halls and partner stores for travellers: by city, or nearest first, open now or not. */
  readonly stores: StoreFinder;
  /** 54-FZ fiscal documents of receipts and refunds, through config.fiscal's register (none: no documents are made). */
  readonly fiscal: FiscalService;
  createWorker(options?: Pick<WorkerOptions, 'onOutcome' | 'poll_interval_ms'>): OutboxWorker;
  close(): Promise<void>;
}

export async function openAppContext(
  config: Config,
  options: { clock?: Clock; migrate?: boolean; environment?: Record<string, string | undefined> } = {},
): Promise<AppContext> {
  const clock = options.clock ?? systemClock;
  const database = openDatabase({
    database_url: config.database_url,
    sqlite_file: config.sqlite_file,
    sqlite_synchronous: config.sqlite_synchronous,
    pool_size_max: config.pg_pool_size,
  });
  try {
    const context = contextOver(config, database, clock, { environment: options.environment, close: () => database.close() });
    if (options.migrate ?? true) {
      await migrateToLatest(database);
      await inTransaction(database, (trx) => ensureSystemAccounts(trx, clock.now_ms()));
    }
    return context;
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** The context over an already open database (tests give their own database and clock). */
export function contextOver(
  config: Config,
  database: Database,
  clock: Clock,
  options: { environment?: Record<string, string | undefined> | undefined; close?: () => Promise<void> } = {},
): AppContext {
  const payments = openPayments(config, database, clock, options.environment);
  const services = servicesFromConfig(config, database, clock);
  const auth_keys = deriveAuthKeys(config.auth.secret);
  const notices = noticesFromConfig(config);
  const wallet_payers = new WalletAuthority({ database, clock, keys: auth_keys });
  const fiscal = new FiscalService({
    database, clock, register: fiscalRegisterFromConfig(config, { database, clock }),
    settings: config.fiscal.register === undefined ? undefined : config.fiscal, seller: config.seller,
  });
  const renewal = new RenewalService({
    database, clock, router: payments.router, public_base_url: config.public_base_url,
    order_ttl_ms: config.order_ttl_ms, bank_transfer_ttl_ms: config.bank_transfer_ttl_ms, wallet_payers,
    lookup_limits: config.renew_lookups, notices, fiscal,
  });
  const smpp = smppGatewayFor(config, database, clock);
  const lineRenewal = new LineRenewal({ database, clock, renewal, keys: auth_keys, public_base_url: config.public_base_url });
  const sms = smpp?.sender ?? openConsoleSmsSender({ quiet: config.log_level === 'silent' });
  const mailer = openMailer(config.mail, { quiet: config.log_level === 'silent' });
  const customers = new CustomerService({
    database, clock, renewal, receipts: new ReceiptService({ database, clock, seller: config.seller }), auth_secret: config.auth.secret,
    session_ttl_ms: config.auth.session_ttl_ms, default_language: config.default_language, wallet_payers, tariffFor: paygTariff(config),
  });
  const keyring = new IdentityKeyring({ config: config.identity, database, clock });
  const verifier = identityVerifierFor(config, clock);
  const identity = new IdentityVerification({
    database, clock, verifier, keyring, check_interval_ms: config.identity.check_interval_ms, notices,
  });
  const handlers = jobHandlers({
    database, clock, renewal, provisioner: new RecordingProvisioner(database, clock), sandbox: payments.sandbox,
    paymentDetails: payments.paymentDetails, test_mode: payments.test_mode, seller: config.seller,
    sms: { sender: sms, keys: auth_keys, clock }, notices, identity, fiscal,
    ...(mailer && config.mail.from ? { mail: { mailer, from: config.mail.from, public_base_url: config.public_base_url } } : {}),
  });
  const staff = new StaffService({
    database, clock, auth_secret: config.auth.secret,
    session_limits: { idle_ms: config.staff.session_idle_ms, max_ms: config.staff.session_max_ms },
  });
  return {
    config, database, clock, services, payments, renewal, customers, lineRenewal, sms, mailer, smpp,
    network_blocks: new NetworkBlockService({ database, clock }),
    desk: new DeskService({ database, clock, renewal, router: payments.router, tariffFor: paygTariff(config), notices, fiscal }),
    desk_subscribers: new DeskSubscribers({
      database, clock, keyring, verifier_name: verifier?.name,
      numbers_per_person_max: config.identity.numbers_per_person_max, deadline_ms: config.identity.deadline_ms,
      contract: { payg: config.payg, site_url: config.public_base_url, test_mode: payments.test_mode },
    }),
    staff, staff_authenticator: staff,
    partners: new PartnerService({ database, clock, renewal, keys: auth_keys, fiscal, notices }),
    stores: new StoreFinder({ database, clock }),
    fiscal,
    notices: new NoticeService({ database, clock, notices }),
    createWorker: (worker_options = {}) => new OutboxWorker({ database, clock, handlers, ...worker_options }),
    close: async () => {
      // The link first: unbind while the database is still there for a late receipt.
      await smpp?.close();
      await mailer?.close();
      await options.close?.();
    },
  };
}

/**
 * The IdentityVerifier: the sandbox in test mode only (never with a real payment provider, like the
 * payments sandbox); none otherwise until a real integration is built (adapters/identity/README.md).
 */
function identityVerifierFor(config: Config, clock: Clock): IdentityVerifier | undefined {
  if (!config.payments.sandbox) return undefined;
  return new SandboxIdentityVerifier({ clock, delay_ms: config.identity.sandbox_delay_ms });
}

function smppGatewayFor(config: Config, database: Database, clock: Clock): SmppGateway | undefined {
  if (config.sms_driver !== 'smpp') return undefined;
  if (!config.smpp) throw new Error('SMS_DRIVER=smpp without its SMPP_* settings (loadConfig checks them)');
  return openSmppGateway({ config: config.smpp, database, clock });
}

/** True when no line exists yet: `npm start` seeds the demo data then. */
export async function isEmptyDatabase(database: Database): Promise<boolean> {
  const row = await database.db.selectFrom('lines').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
