import type { Generated } from 'kysely';
import type { BlockReason } from '../core/network-blocks.js';

/**
 * Table types for Kysely. Conventions that hold on SQLite and PostgreSQL alike:
 * - money in integer minor units (`*_minor`, bigint on PostgreSQL), never floats;
 * - time as UTC epoch milliseconds (`*_at_ms`), so arithmetic and comparison are exact everywhere;
 * - booleans as 0/1 integers (SQLite has no boolean type);
 * - hot tables carry `line_id`, the key a sharded PostgreSQL (Citus) would distribute by.
 */

export interface SimsTable {
  iccid: string;
  imsi: string;
  msisdn: string;
  form_factor: 'nano' | 'esim';
  esim_activation_code: string | null;
  status: 'in_stock' | 'in_service' | 'retired';
  created_at_ms: number;
  /** The store whose stock holds the SIM (0014); null: central stock, at no desk. */
  store_id?: string | null;
}

export interface AccountsTable {
  id: string;
  language: string;
  contact_phone: string | null;
  email: string | null;
  created_at_ms: number;
}

export interface LinesTable {
  id: string;
  account_id: string;
  iccid: string;
  msisdn: string;
  language: string;
  time_zone: string;
  status: 'active' | 'suspended' | 'closed';
  wallet_account_id: string;
  created_at_ms: number;
}

export type LedgerAccountKind =
  | 'wallet'
  | 'provider_clearing'
  | 'cash_drawer'
  | 'partner_settlement'
  | 'revenue'
  | 'refunds'
  | 'promotions'
  | 'cash_over_short';

export interface LedgerAccountsTable {
  id: string;
  kind: LedgerAccountKind;
  currency: string;
  /**
   * Cached sum of this account's postings, kept only where `balance_cached` = 1 (wallets), and
   * changed only in the transaction that writes the postings. Other accounts read their balance
   * as the sum of their postings, and this column stays 0.
   */
  balance_minor: number;
  balance_cached: number;
  /** 0 for wallets (never below zero); 1 for clearing, revenue and the like. */
  may_go_negative: number;
  line_id: string | null;
  name: string;
  created_at_ms: number;
}

export interface JournalEntriesTable {
  id: string;
  kind: string;
  line_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  reverses_entry_id: string | null;
  memo: string;
  created_at_ms: number;
}

export interface PostingsTable {
  id: Generated<number>;
  entry_id: string;
  account_id: string;
  line_id: string | null;
  /** Signed: positive raises the account's balance, negative lowers it; an entry's postings sum to 0. */
  amount_minor: number;
  currency: string;
}

export interface PackagesTable {
  code: string;
  kind: 'data' | 'voice' | 'sms' | 'combo';
  data_mb: number;
  voice_minutes: number;
  sms_count: number;
  validity_hours: number;
  name_zh_hans: string;
  name_zh_hant: string;
  name_ru: string;
  name_en: string;
  /** JSON array of sales channels. */
  channels: string;
  active: number;
  sort_order: number;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface PackagePricesTable {
  id: string;
  package_code: string;
  amount_minor: number;
  currency: string;
  effective_from_ms: number;
  created_at_ms: number;
}

export interface BundlesTable {
  id: string;
  line_id: string;
  package_code: string;
  package_price_id: string | null;
  price_minor: number;
  currency: string;
  data_bytes_total: number;
  data_bytes_remaining: number;
  voice_seconds_total: number;
  voice_seconds_remaining: number;
  sms_total: number;
  sms_remaining: number;
  activated_at_ms: number;
  expires_at_ms: number;
  /** `revoked`: refunded before use; never drawn again. */
  status: 'active' | 'expired' | 'revoked';
  source: 'wallet' | 'external';
  entry_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at_ms: number;
}

export interface UsageEventsTable {
  line_id: string;
  event_id: string;
  kind: 'data' | 'voice' | 'sms';
  quantity: number;
  occurred_at_ms: number;
  from_bundles: number;
  from_wallet: number;
  denied: number;
  denial_reason: string | null;
  wallet_charge_minor: number;
  entry_id: string | null;
  /** JSON array of { bundle_id, quantity }. */
  draws: string;
  charged_at_ms: number;
}

export interface StoresTable {
  id: string;
  code: string;
  kind: 'service_hall' | 'partner_store';
  chain: string | null;
  name: string;
  city: string;
  address: string;
  time_zone: string;
  latitude: number;
  longitude: number;
  opening_hours: string;
  renews: number;
  cash_account_id: string;
  created_at_ms: number;
  /** The address as a Russian sign reads it (Cyrillic), for the store finder; null where not recorded. */
  address_ru: string | null;
  /** The payment agent whose store this is (0016-partners); null for our own service halls. */
  partner_id: string | null;
}

export type OrderStateColumn = 'created' | 'awaiting_payment' | 'paid' | 'active' | 'failed' | 'canceled' | 'expired' | 'refunded';

export interface OrdersTable {
  id: string;
  line_id: string;
  package_code: string;
  package_price_id: string | null;
  /** The price frozen when the order was made. */
  amount_minor: number;
  currency: string;
  channel: string;
  state: OrderStateColumn;
  /** Why the last attempt failed, or why the order ended (a payment failure code or an order reason). */
  failure_code: string | null;
  idempotency_key: string;
  request_hash: string;
  language: string;
  /** Who paid, for the receipt ("renew any number": the payer need not own the line). */
  payer_email: string | null;
  payer_phone: string | null;
  activating_payment_id: string | null;
  bundle_id: string | null;
  expires_at_ms: number;
  created_at_ms: number;
  updated_at_ms: number;
}

export type PaymentStatusColumn = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

export interface PaymentsTable {
  id: string;
  order_id: string;
  line_id: string;
  provider: string;
  method: string;
  amount_minor: number;
  currency: string;
  status: PaymentStatusColumn;
  provider_payment_id: string | null;
  /** JSON NextAction: where the customer goes to finish paying. */
  next_action: string | null;
  failure_code: string | null;
  provider_code: string | null;
  idempotency_key: string;
  request_hash: string;
  /** The journal entry that recorded the money, once it arrived. */
  entry_id: string | null;
  /** Where the money arrives in the ledger when not the provider's clearing account (a shift's drawer, a store's acquiring). */
  receiving_account_id: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  finalized_at_ms: number | null;
}

export interface RefundsTable {
  id: string;
  payment_id: string;
  order_id: string;
  line_id: string;
  amount_minor: number;
  currency: string;
  reason: 'duplicate_payment' | 'order_closed' | 'activation_impossible' | 'unused_pack';
  status: 'pending' | 'succeeded' | 'failed';
  provider_refund_id: string | null;
  entry_id: string | null;
  requested_by: string | null;
  /** Staff refunds: the request's key and hash (the one idempotency path); null for refunds the system makes. */
  idempotency_key: string | null;
  request_hash: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface WebhookEventsTable {
  provider: string;
  event_id: string;
  received_at_ms: number;
  outcome: string;
}

export interface NetworkActivationsTable {
  bundle_id: string;
  line_id: string;
  msisdn: string;
  package_code: string;
  expires_at_ms: number;
  provisioned_at_ms: number;
}

export interface SandboxPaymentsTable {
  id: string;
  merchant_payment_id: string;
  amount_minor: number;
  currency: string;
  method: string;
  status: PaymentStatusColumn;
  failure_code: string | null;
  description: string;
  return_url: string;
  language: string;
  card_last4: string | null;
  transfer_reference: string | null;
  /** The step the hosted pages wait for; null once the payment left requires_action. */
  awaiting: SandboxAwaitingStep | null;
  /** Counts the webhook events this payment has emitted, so events carry an order. */
  event_sequence: number;
  created_at_ms: number;
  updated_at_ms: number;
}

export type SandboxAwaitingStep = 'card' | 'three_d_secure' | 'approval';

export interface SandboxRefundsTable {
  id: string;
  sandbox_payment_id: string;
  merchant_refund_id: string;
  amount_minor: number;
  status: 'pending' | 'succeeded' | 'failed';
  created_at_ms: number;
}

/** A secret made once per installation (see migration 0006). */
export interface InstallationSecretsTable {
  name: string;
  value: string;
  created_at_ms: number;
}

/** The in-house bank-transfer provider's record of one transfer it waits for. */
export interface BankTransfersTable {
  id: string;
  /** Our payment id: the provider's idempotency key. */
  payment_id: string;
  /** RC-…: what the payer writes in the transfer's purpose; the statement import matches on it. */
  reference: string;
  amount_minor: number;
  currency: string;
  status: 'pending' | 'settled' | 'canceled';
  created_at_ms: number;
  updated_at_ms: number;
}

/** What every one-time code row keeps: never the code, only its HMAC, and how often it was tried. */
export interface CodeColumns {
  id: string;
  line_id: string;
  code_hmac: string;
  attempts: number;
  attempts_max: number;
  expires_at_ms: number;
  consumed_at_ms: number | null;
  created_at_ms: number;
}

/** A one-time code, sent by SMS to a line, that lets a payer spend that line's wallet on one order. */
export interface PaymentCodesTable extends CodeColumns {
  order_id: string;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

export interface JobsTable {
  id: string;
  kind: string;
  line_id: string | null;
  /** JSON. */
  payload: string;
  status: JobStatus;
  attempts: number;
  attempts_max: number;
  run_after_ms: number;
  /** While running: when the claim lapses and another worker may take the job (crash recovery). */
  lease_until_ms: number | null;
  last_error: string | null;
  /** Enqueue-once key: the same effect is never queued twice. */
  dedupe_key: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A payment receipt: a frozen snapshot of what was sold, by whom, for how much (0004-receipts). */
export interface ReceiptsTable {
  /** RC-<year>-<sequence>, gapless per year. */
  number: string;
  year: number;
  sequence: number;
  order_id: string;
  line_id: string;
  payment_id: string;
  language: string;
  /** The line's zone: the paid time is shown in it. */
  time_zone: string;
  line_msisdn_masked: string;
  seller_name: string;
  seller_inn: string;
  seller_kpp: string | null;
  seller_address: string;
  package_code: string;
  /** The pack's name in the receipt's language. */
  item_name: string;
  amount_minor: number;
  currency: string;
  /** Null: the seller is not a VAT payer. */
  vat_rate_percent: number | null;
  /** VAT contained in amount_minor (rounded half up to the kopeck). */
  vat_minor: number;
  payment_method: string;
  /** Masked: "**** 4242" for a card, the reference of a bank transfer; null when nothing is known. */
  payment_details: string | null;
  /** 1: issued while payments ran in test mode (the sandbox): no money moved, and the receipt says so. */
  test_mode: number;
  paid_at_ms: number;
  issued_at_ms: number;
  /** Random, unguessable: the QR code's link carries it, and only that link shows the receipt. */
  verification_token: string;
}

export interface ReceiptCountersTable {
  year: number;
  last_sequence: number;
}

/** A person using the self-service site or app (0005-customers); identified by the line they signed up with. */
export interface CustomersTable {
  id: string;
  primary_line_id: string;
  language: string;
  created_at_ms: number;
  last_sign_in_at_ms: number;
}

/** Which lines a customer may see: `iccid` when the card's serial number was shown, `sms_code` when only a code was. */
export interface CustomerLinesTable {
  customer_id: string;
  line_id: string;
  verified_by: 'sms_code' | 'iccid';
  added_at_ms: number;
}

/** A one-time sign-in code sent by SMS; only an HMAC of it is kept. */
export interface OneTimeCodesTable extends CodeColumns {
  purpose: 'sign_in';
  msisdn: string;
  requested_via: 'msisdn' | 'iccid';
}

/** A signed-in customer's session; only the SHA-256 of its token is kept. */
export interface CustomerSessionsTable {
  id: string;
  customer_id: string;
  token_hash: string;
  kind: 'cookie' | 'bearer';
  created_at_ms: number;
  last_seen_at_ms: number;
  expires_at_ms: number;
  revoked_at_ms: number | null;
}

/** Fixed-window counters (sign-in codes per number and per IP, wrong ICCIDs per customer). */
export interface RateLimitWindowsTable {
  scope: string;
  subject: string;
  window_start_ms: number;
  hits: number;
}

export type SmsDeliveryStatus = 'submitted' | 'delivered' | 'expired' | 'undeliverable' | 'rejected' | 'unknown';

/** One part of an SMS handed to the SMSC, and what became of it (0008-sms-deliveries). */
export interface SmsDeliveriesTable {
  /** The message's reference: its outbox job id. */
  reference: string;
  /** 1-based, as in the concatenation header. */
  part: number;
  parts_total: number;
  /** The SMSC's id from submit_sm_resp; null when the part was refused. */
  message_id: string | null;
  to_masked: string;
  status: SmsDeliveryStatus;
  /** The refusal (command_status name) or the receipt's error code. */
  error: string | null;
  submitted_at_ms: number;
  updated_at_ms: number;
}

export type ReceiptDeliveryStatus = 'sending' | 'sent' | 'deferred' | 'failed';

/** A receipt sent by e-mail, one row per receipt, and what became of it (0018-receipt-deliveries). */
export interface ReceiptDeliveriesTable {
  receipt_number: string;
  line_id: string;
  /** a***@example.com: the full address stays on the order. */
  to_masked: string;
  /** Fixed per receipt: every copy sent carries the same one; null when none was ever tried. */
  message_id: string | null;
  /**
   * `sending`: a try began and its outcome was never recorded (in flight, or the process stopped);
   * `deferred`: the last try was not taken, a later one may be; `sent`: the server took it;
   * `failed`: given up (refused for good, tries spent, or no mail configured): the SMS link went instead.
   */
  status: ReceiptDeliveryStatus;
  attempts: number;
  last_error: string | null;
  /** The server's answer to the message ("250 2.0.0 Ok: queued as …"). */
  server_response: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  sent_at_ms: number | null;
}

/** `/p/<token>`: a short link to an order's payment page, sent by SMS (USSD #102#). */
export interface ShortLinksTable {
  token: string;
  order_id: string;
  line_id: string;
  created_at_ms: number;
  expires_at_ms: number;
}

export type NoticeCause = 'pack_active' | 'receipt' | 'refund' | 'usage_threshold' | 'expiry_soon' | 'identity_confirmed';

/** One SMS notice per cause (0010-notices): `capped` ones were recorded but not sent (the daily cap). */
export interface NoticesTable {
  id: string;
  line_id: string;
  cause: NoticeCause;
  /** Unique per cause: the order, the refund, `<bundle>:<kind>:<percent>`, the bundle. */
  dedupe_key: string;
  language: string;
  status: 'queued' | 'capped';
  sms_job_id: string | null;
  created_at_ms: number;
}

/** A line's alert settings; no row means the defaults. */
export interface NoticeSettingsTable {
  line_id: string;
  alerts_enabled: number;
  /** "50,80,100": whole percents, ascending; "" for none. */
  usage_thresholds_percent: string;
  expiry_alert: number;
  updated_at_ms: number;
}

/**
 * A pause of some kinds of a line's usage, set by the network side until a time (0011-network-blocks).
 * In force while starts_at_ms <= t < ends_at_ms, unless lifted before t.
 */
export interface NetworkBlocksTable {
  id: string;
  line_id: string;
  reason: BlockReason;
  /** 0/1: which kinds of usage the block stops; at least one. */
  stops_data: number;
  stops_voice: number;
  stops_sms: number;
  starts_at_ms: number;
  ends_at_ms: number;
  /** Lifted early (a captcha link, the call centre): null while it runs its course. */
  lifted_at_ms: number | null;
  /** Who set it and who lifted it: a short identifier the network gives ("network", "call-centre"). */
  set_by: string;
  lifted_by: string | null;
  idempotency_key: string;
  request_hash: string;
  created_at_ms: number;
}

/** A foreign visitor's identity document (0014): number and personal fields sealed, found by an HMAC. */
export interface IdentityDocumentsTable {
  id: string;
  document_type: 'passport' | 'residence_permit' | 'travel_document';
  /** ISO 3166-1 alpha-2. */
  issuing_country: string;
  /** Hex HMAC-SHA-256 of the document's normal form under IDENTITY_LOOKUP_KEY. */
  lookup_hash: string;
  number_key_id: string;
  number_sealed: string;
  number_last4: string;
  personal_key_id: string;
  /** Sealed JSON: surname, given names, birth date. */
  personal_sealed: string;
  created_at_ms: number;
  updated_at_ms: number;
}

/** Consent to personal-data processing, a separate versioned record (152-FZ). */
export interface IdentityConsentsTable {
  id: string;
  identity_id: string;
  text_version: string;
  /** The visitor's language the text was shown in (always beside the Russian text). */
  language: string;
  accepted_at_ms: number;
  staff_id: string;
  store_id: string;
}

export type VerificationState = 'pending' | 'confirmed' | 'rejected' | 'expired';

/** A line's subscription to an identity document (303-FZ): IMEI and verification state. */
export interface LineIdentitiesTable {
  line_id: string;
  identity_id: string;
  consent_id: string;
  imei: string;
  verification_state: VerificationState;
  /** The IdentityVerifier that checks it (its name). */
  verifier: string;
  verification_reference: string | null;
  rejection_reason: string | null;
  deadline_at_ms: number;
  decided_at_ms: number | null;
  store_id: string;
  staff_id: string;
  /** The connection's Idempotency-Key (scoped to the staff member) and its request's hash; null without one. */
  idempotency_key: string | null;
  request_hash: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** One staff action, append-only (0012-audit-log): the database refuses UPDATE and DELETE. */
export interface AuditLogTable {
  id: string;
  at_ms: number;
  /** Null for the system acting on its own (a job, a deadline). */
  staff_id: string | null;
  staff_login: string | null;
  staff_role: string | null;
  store_id: string | null;
  /** Dotted verb, e.g. "desk.sale", "staff.sign_in_failed". */
  action: string;
  subject_type: string;
  subject_id: string | null;
  client_address: string | null;
  /** The record before and after, as JSON, secrets and personal data redacted (services/audit). */
  before_json: string | null;
  after_json: string | null;
}

/** A staff account (0013-staff): no password, only its argon2id hash; the TOTP secret sealed. */
export interface StaffTable {
  id: string;
  store_id: string;
  /** Lowercase letters, digits, dot, dash, underscore (services/staff/staff-accounts.ts). */
  login: string;
  role: 'agent' | 'store_manager' | 'admin';
  /** argon2id in PHC form ($argon2id$v=19$m=…). */
  password_hash: string;
  /** 0/1: a one-time password was given; until changed, the account may only change it. */
  password_must_change: number;
  /** AES-256-GCM sealed base32 secret, and the id of the key that sealed it. */
  totp_secret_sealed: string;
  totp_key_id: string;
  /** The last 30-second step whose code signed in: no code of it or before it is taken again. */
  last_totp_step_used: number | null;
  failed_sign_ins: number;
  locked_until_ms: number | null;
  active: number;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A staff sign-in (0013-staff): only the token's SHA-256 is kept. */
export interface StaffSessionsTable {
  id: string;
  staff_id: string;
  token_hash: string;
  created_at_ms: number;
  last_seen_at_ms: number;
  /** Pushed forward on use, never past expires_at_ms. */
  idle_expires_at_ms: number;
  expires_at_ms: number;
  revoked_at_ms: number | null;
  /** sign_out, shift_closed, password_changed, … */
  revoke_reason: string | null;
}

/** A staff member's cash shift (0015-desk-shifts); one open per staff member (a partial unique index). */
export interface ShiftsTable {
  id: string;
  store_id: string;
  staff_id: string;
  /** The shift's own cash-drawer account (drawer:<shift id>). */
  drawer_account_id: string;
  float_minor: number;
  opened_at_ms: number;
  closed_at_ms: number | null;
  closed_by: string | null;
  counted_minor: number | null;
  /** The drawer's ledger balance (as cash held) when it was counted. */
  expected_minor: number | null;
  /** counted − expected: negative is a shortage, posted to cash over/short. */
  difference_minor: number | null;
  close_entry_id: string | null;
}

/** What a desk payment recorded beside its payments row (0015-desk-shifts). */
export interface DeskPaymentsTable {
  payment_id: string;
  order_id: string;
  store_id: string;
  staff_id: string;
  /** The cash shift (cash payments); null for card-present. */
  shift_id: string | null;
  method: 'cash' | 'card_present';
  tendered_minor: number | null;
  change_minor: number | null;
  /** 1: staff checked the payer's identity document (cash: required, rules of telephone service item 155). */
  document_checked: number;
  terminal_reference: string | null;
  card_last4: string | null;
  created_at_ms: number;
}

/** The company buying an order by bank transfer, as its invoice names it (0015-desk-shifts). */
export interface CompanyInvoicesTable {
  order_id: string;
  store_id: string;
  staff_id: string;
  buyer_name: string;
  buyer_inn: string;
  buyer_kpp: string | null;
  created_at_ms: number;
}

/** A payment agent (0016-partners): a chain, a terminal network or a bank that takes money for our lines. */
export interface PartnersTable {
  id: string;
  /** Its name in URLs (`/osmp/:partner`) and on the command line. */
  code: string;
  name: string;
  chain: string | null;
  /** The agent's legal name and INN, as a receipt names the payment agent. */
  agent_name: string;
  agent_inn: string;
  /** The agent's day for its registry (an IANA zone). */
  time_zone: string;
  settlement_account_id: string;
  /** 1: a sum equal to a pack's current price buys that pack; else every sum tops up the wallet. */
  sells_packs: number;
  sum_min_minor: number;
  sum_max_minor: number;
  /** The addresses the agent calls from, as an address list ("185.71.76.0/27,10.0.0.7"). */
  allowed_addresses: string;
  /** How the daily registry writes a number: masked (+7 900 ***-**-67) or in full. */
  registry_accounts: 'masked' | 'full';
  /** 0: suspended — every check and pay is answered "payment forbidden" (OSMP result 7). */
  enabled: number;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A partner's credential: an HTTP basic password (SHA-256 of a generated secret) or a JSON API signing key (sealed). */
export interface PartnerCredentialsTable {
  id: string;
  partner_id: string;
  kind: 'basic' | 'hmac';
  secret_hash: string | null;
  secret_sealed: string | null;
  created_at_ms: number;
  revoked_at_ms: number | null;
}

export type PartnerPaymentState = 'accepted' | 'paid' | 'rejected';

/** One pay a partner sent, under its txn_id (unique per partner), and what we answered. */
export interface PartnerPaymentsTable {
  /** Our id for it: the `prv_txn` we answer. */
  id: string;
  partner_id: string;
  txn_id: string;
  /** The agent's own time of the payment, as sent (OSMP `YYYYMMDDHHMMSS`). */
  txn_date: string | null;
  /** The number paid for, +7… (E.164). */
  msisdn: string;
  sum_minor: number;
  api: 'osmp' | 'json';
  /** accepted: being carried out (a repeat resumes it); paid: done; rejected: refused with `result`. */
  state: PartnerPaymentState;
  purchase: 'pack' | 'top_up' | null;
  package_code: string | null;
  line_id: string | null;
  order_id: string | null;
  payment_id: string | null;
  /** The top-up's journal entry. */
  entry_id: string | null;
  /** The OSMP result code answered (0 when paid). */
  result: number;
  /** Why, in our words (services/partners PartnerReason): the answer's comment is rendered from it in the caller's language. */
  reason: string;
  created_at_ms: number;
  completed_at_ms: number | null;
}

/** A refund handed back at a desk (0015-desk-shifts): cash from the agent's shift, or the card terminal's refund. */
export interface DeskRefundsTable {
  refund_id: string;
  order_id: string;
  store_id: string;
  staff_id: string;
  shift_id: string | null;
  method: 'cash' | 'card_present';
  terminal_reference: string | null;
  created_at_ms: number;
}

/** A test document of the sandbox fiscal register (0017-fiscal-sandbox): one per external_id. */
export interface FiscalSandboxDocumentsTable {
  uuid: string;
  external_id: string;
  operation: 'sell' | 'sell_refund' | 'sell_correction';
  request_hash: string;
  total_minor: number;
  fn_number: string;
  fiscal_document_number: number;
  fiscal_document_attribute: number;
  ecr_registration_number: string;
  shift_number: number;
  fiscal_receipt_number: number;
  /** When the sandbox "prints" it: until then it is pending (FISCAL_SANDBOX_DELAY_MS after it was registered). */
  receipt_datetime_ms: number;
  created_at_ms: number;
}

/** The sandbox register's counters: "fiscal_document_number", and "shift:<n>" for the receipts of each shift. */
export interface FiscalSandboxCountersTable {
  name: string;
  last_value: number;
}

export type FiscalDocumentStatus = 'pending' | 'registered' | 'failed';

export type FiscalSubject = 'receipt' | 'payment' | 'top_up';

/**
 * A document sent to the fiscal register (0019-fiscal-documents): its id is the register's
 * external_id, its request frozen when it was queued; the attributes once registered.
 */
export interface FiscalDocumentsTable {
  id: string;
  operation: 'sell' | 'sell_refund' | 'sell_correction';
  /**
   * What the document is about (0020-fiscal-subjects): a receipt's pack sale (`receipt_number`,
   * `order_id`), money an order did not use (`payment_id`, `order_id`), or a wallet top-up (`entry_id`).
   */
  subject: FiscalSubject;
  receipt_number: string | null;
  order_id: string | null;
  payment_id: string | null;
  /** subject `top_up`: the top-up's journal entry. */
  entry_id: string | null;
  /** A document without a receipt: the secret of its page's link (/fiscal/<id>?t=…); null for a receipt's. */
  view_token: string | null;
  line_id: string;
  /** sell_refund: the refund it registers. */
  refund_id: string | null;
  /** sell_correction: the sale document it corrects. */
  corrects_id: string | null;
  /** The register's name (FiscalRegister.name): a document is only ever asked about where it was made. */
  register: string;
  register_uuid: string | null;
  status: FiscalDocumentStatus;
  /** The FiscalRequest as JSON, exactly as sent (every time). */
  request_json: string;
  fn_number: string | null;
  fiscal_document_number: number | null;
  fiscal_document_attribute: number | null;
  ecr_registration_number: string | null;
  shift_number: number | null;
  fiscal_receipt_number: number | null;
  receipt_datetime_ms: number | null;
  total_minor: number | null;
  /** 1: a test register's document (the sandbox): not fiscal, and every page showing it says so. */
  is_test: number | null;
  /** The tax service's QR text (core/fiscal-qr.ts), once registered. */
  qr_text: string | null;
  error_kind: 'retryable' | 'final' | null;
  error_code: string | null;
  error_text: string | null;
  /** Calls to the register (register or report) made for it. */
  attempts: number;
  created_at_ms: number;
  updated_at_ms: number;
  registered_at_ms: number | null;
}

export interface Schema {
  sims: SimsTable;
  accounts: AccountsTable;
  lines: LinesTable;
  ledger_accounts: LedgerAccountsTable;
  journal_entries: JournalEntriesTable;
  postings: PostingsTable;
  packages: PackagesTable;
  package_prices: PackagePricesTable;
  bundles: BundlesTable;
  usage_events: UsageEventsTable;
  stores: StoresTable;
  jobs: JobsTable;
  orders: OrdersTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  webhook_events: WebhookEventsTable;
  network_activations: NetworkActivationsTable;
  sandbox_payments: SandboxPaymentsTable;
  sandbox_refunds: SandboxRefundsTable;
  receipts: ReceiptsTable;
  receipt_counters: ReceiptCountersTable;
  receipt_deliveries: ReceiptDeliveriesTable;
  customers: CustomersTable;
  customer_lines: CustomerLinesTable;
  one_time_codes: OneTimeCodesTable;
  customer_sessions: CustomerSessionsTable;
  rate_limit_windows: RateLimitWindowsTable;
  installation_secrets: InstallationSecretsTable;
  bank_transfers: BankTransfersTable;
  payment_codes: PaymentCodesTable;
  sms_deliveries: SmsDeliveriesTable;
  short_links: ShortLinksTable;
  notices: NoticesTable;
  notice_settings: NoticeSettingsTable;
  network_blocks: NetworkBlocksTable;
  audit_log: AuditLogTable;
  staff: StaffTable;
  staff_sessions: StaffSessionsTable;
  shifts: ShiftsTable;
  desk_payments: DeskPaymentsTable;
  desk_refunds: DeskRefundsTable;
  company_invoices: CompanyInvoicesTable;
  partners: PartnersTable;
  partner_credentials: PartnerCredentialsTable;
  partner_payments: PartnerPaymentsTable;
  identity_documents: IdentityDocumentsTable;
  identity_consents: IdentityConsentsTable;
  line_identities: LineIdentitiesTable;
  fiscal_sandbox_documents: FiscalSandboxDocumentsTable;
  fiscal_sandbox_counters: FiscalSandboxCountersTable;
  fiscal_documents: FiscalDocumentsTable;
}
