import { CONSENT_TEXT_VERSION } from '../../core/consent.js';
import { RoamError } from '../../core/errors.js';
import { maskIccid, parseIccid } from '../../core/iccid.js';
import { documentLookupText, parseDocument, maskedDocumentNumber, type DocumentInput, type DocumentType } from '../../core/identity-document.js';
import { newId } from '../../core/ids.js';
import { parseImei } from '../../core/imei.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import type { Database } from '../../db/database.js';
import { lockingRows, supportsRowLocks } from '../../db/locks.js';
import type { LineIdentitiesTable, SimsTable, VerificationState } from '../../db/schema.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import { recordAudit } from '../audit/audit-log.js';
import type { IdentityCipher } from '../identity/identity-crypto.js';
import type { IdentityKeyring } from '../identity/identity-keyring.js';
import { idempotent } from '../idempotency/idempotency.js';
import { heldLineCount, lockIdentity, openDocument } from '../identity/identity-records.js';
import { unverifiedIdentity } from '../identity/unverified.js';
import { queueJob } from '../jobs/job-kinds.js';
import { listPackages } from '../catalog/catalog.js';
import { openLine } from '../lines/lines.js';
import { contractPdf, type ContractFacts } from './contract-pdf.js';
import { actsForStore, type StaffActor } from '../staff/staff-actor.js';

/**
 * Connecting a foreign visitor at the desk (303-FZ), in one transaction:
 *   1. the input is checked first — document, IMEI (15 digits, Luhn), consent to the current text
 *      version, language — and a refusal changes nothing;
 *   2. the SIM comes from the store's own stock (by its scanned ICCID, or the next free eSIM);
 *   3. the document's row is found by its keyed hash (or created, sealed) and locked, and the lines
 *      it holds are counted: at FOREIGN_NUMBERS_PER_PERSON_MAX the connection is refused;
 *   4. the line is opened in the visitor's language, the consent recorded, the subscription written
 *      `pending` with its deadline, the verifier's submit job and the deadline job queued, and the
 *      action audited (the document as its last 4 characters only).
 * The line works once the verifier confirms (services/identity/verification.ts).
 *
 * changeImei(actor, line_id, imei): the phone changed; the new IMEI is recorded and audited.
 * subscriber(actor, line_id): the subscription as the desk shows it; contractPdf(actor, line_id): the summary.
 * Agents and managers act for their own store only; admins for any (actsForStore).
 */

export interface ConnectSubscriberInput {
  readonly document: DocumentInput;
  /** The visitor's language: the line's USSD and SMS, the contract beside Russian, the consent shown. */
  readonly language: string;
  readonly imei: string;
  readonly consent: { readonly accepted: boolean; readonly text_version: string };
  /** A nano-SIM scanned at the desk, or the store's next eSIM. */
  readonly sim: { readonly iccid: string } | { readonly esim: true };
  /** Admins may connect for another store; others connect for their own. */
  readonly store_code?: string | undefined;
}

export interface DeskSubscriber {
  readonly line_id: string;
  readonly msisdn: string;
  readonly iccid_masked: string;
  readonly form_factor: SimsTable['form_factor'];
  /** eSIM only: the SGP.22 activation code (LPA:1$…) the desk shows as a QR. */
  readonly esim_activation_code: string | null;
  readonly language: Language;
  readonly time_zone: string;
  readonly store: { readonly id: string; readonly code: string; readonly name: string };
  readonly verification: {
    readonly state: VerificationState;
    readonly deadline_at_ms: number;
    readonly decided_at_ms: number | null;
    readonly rejection_reason: string | null;
  };
  readonly document: { readonly type: DocumentType; readonly issuing_country: string; readonly number_masked: string };
  readonly imei: string;
  readonly consent: { readonly text_version: string; readonly language: string; readonly accepted_at_ms: number };
  readonly connected_at_ms: number;
}

/** The subscriber with the names from the document, for the contract (never for lists or logs). */
export interface ContractSubscriber extends DeskSubscriber {
  readonly holder: { readonly surname: string; readonly given_names: string; readonly birth_date: string };
}

export interface DeskSubscribersOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly keyring: IdentityKeyring;
  /** The IdentityVerifier's name; undefined when none is configured (connecting is then refused). */
  readonly verifier_name: string | undefined;
  readonly numbers_per_person_max: number;
  readonly deadline_ms: number;
  /** What the contract summary prints beside the line: the tariff without a pack, the site, test mode. */
  readonly contract: Pick<ContractFacts, 'payg' | 'site_url' | 'test_mode'>;
}

export class DeskSubscribers {
  readonly #options: DeskSubscribersOptions;

  constructor(options: DeskSubscribersOptions) {
    this.#options = options;
  }

  /**
   * With an idempotency key (the desk's Idempotency-Key, scoped to the staff member), a retried
   * request returns the line the first one opened (`replayed`), and the same key with another
   * request is refused; without one, each call connects anew.
   */
  async connectSubscriber(
    actor: StaffActor, input: ConnectSubscriberInput, client_address: string, idempotency_key?: string,
  ): Promise<{ subscriber: DeskSubscriber; replayed: boolean }> {
    const { clock, database, verifier_name } = this.#options;
    const now_ms = clock.now_ms();
    const valid = validConnection(input, now_ms);
    if (verifier_name === undefined) throw new RoamError('ROAM_ERR_VERIFIER_UNAVAILABLE');
    const cipher = await this.#options.keyring.cipher();
    const connect = (trx: Executor, key: { idempotency_key: string; request_hash: string } | null) =>
      this.#connect(trx, { actor, input, valid, cipher, client_address, key, now_ms, verifier_name });
    if (idempotency_key === undefined) {
      const line_id = await inTransaction(database, (trx) => connect(trx, null));
      return { subscriber: await this.subscriber(actor, line_id), replayed: false };
    }
    const key = `${actor.staff_id}:${idempotency_key}`;
    const { result: line_id, replayed } = await idempotent(database, {
      key,
      // The number enters the request's (plain SHA-256) hash only as its keyed hash: a stored hash
      // over a passport number alone could be reversed by trying every number.
      request: { ...input, document: { ...input.document, number: cipher.lookupHash(documentLookupText(valid.document)) } },
      find: async (trx, stored_key) => {
        const row = await trx.selectFrom('line_identities').select(['line_id', 'request_hash']).where('idempotency_key', '=', stored_key)
          .executeTakeFirst();
        return row === undefined ? undefined : { request_hash: row.request_hash, result: row.line_id };
      },
      perform: (trx, request_hash) => connect(trx, { idempotency_key: key, request_hash }),
    });
    return { subscriber: await this.subscriber(actor, line_id), replayed };
  }

  /** Steps 2–4 of a connection in the caller's transaction; the new line's id. */
  async #connect(trx: Executor, step: ConnectStep): Promise<string> {
    const { actor, input, valid, cipher, client_address, key, now_ms, verifier_name } = step;
    const store = await actingStore(trx, actor, input.store_code);
    const sim = await stockSim(trx, store.id, input.sim);
    const identity = await lockIdentity(trx, cipher, valid.document, now_ms);
    const max = this.#options.numbers_per_person_max;
    if ((await heldLineCount(trx, identity.id)) >= max) throw new RoamError('ROAM_ERR_NUMBERS_PER_PERSON_LIMIT', { lines_max: max });
    const line = await openLine(trx, { iccid: sim.iccid, language: valid.language, time_zone: store.time_zone }, now_ms);
    const consent_id = newId('consent');
    await trx.insertInto('identity_consents').values({
      id: consent_id, identity_id: identity.id, text_version: CONSENT_TEXT_VERSION, language: valid.language,
      accepted_at_ms: now_ms, staff_id: actor.staff_id, store_id: store.id,
    }).execute();
    const deadline_at_ms = now_ms + this.#options.deadline_ms;
    await trx.insertInto('line_identities').values({
      line_id: line.id, identity_id: identity.id, consent_id, imei: valid.imei, verification_state: 'pending', verifier: verifier_name,
      verification_reference: null, rejection_reason: null, deadline_at_ms, decided_at_ms: null, store_id: store.id,
      staff_id: actor.staff_id, idempotency_key: key?.idempotency_key ?? null, request_hash: key?.request_hash ?? null,
      created_at_ms: now_ms, updated_at_ms: now_ms,
    }).execute();
    await queueJob(trx, 'identity.submit', { line_id: line.id }, { line_id: line.id }, now_ms);
    await queueJob(trx, 'identity.deadline', { line_id: line.id }, { line_id: line.id, run_after_ms: deadline_at_ms }, now_ms);
    await recordAudit(trx, {
      actor, action: 'subscriber.connect', subject_type: 'line', subject_id: line.id, store_id: store.id, client_address,
      after: {
        msisdn: line.msisdn, form_factor: sim.form_factor, language: valid.language, verification_state: 'pending', deadline_at_ms,
        document: { type: identity.document_type, issuing_country: identity.issuing_country, number_last4: identity.number_last4 },
        imei_last4: valid.imei.slice(-4), consent: { text_version: CONSENT_TEXT_VERSION, language: valid.language },
      },
    }, now_ms);
    return line.id;
  }

  async changeImei(actor: StaffActor, line_id: string, imei_input: string, client_address: string): Promise<DeskSubscriber> {
    const imei = parseImei(String(imei_input ?? ''));
    if (!imei.ok) throw new RoamError('ROAM_ERR_IMEI_INVALID', { field: 'imei', reason: `imei_${imei.problem}` });
    const now_ms = this.#options.clock.now_ms();
    await inTransaction(this.#options.database, async (trx) => {
      const current = await lockingRows(trx, trx.selectFrom('line_identities').selectAll().where('line_id', '=', line_id)).executeTakeFirst();
      if (current === undefined) throw new RoamError('ROAM_ERR_SUBSCRIBER_NOT_FOUND');
      if (!actsForStore(actor, current.store_id)) throw new RoamError('ROAM_ERR_STORE_FORBIDDEN');
      if (current.imei === imei.imei) return;
      await trx.updateTable('line_identities').set({ imei: imei.imei, updated_at_ms: now_ms }).where('line_id', '=', line_id).execute();
      await recordAudit(trx, {
        actor, action: 'subscriber.imei_change', subject_type: 'line', subject_id: line_id, store_id: current.store_id, client_address,
        before: { imei_last4: current.imei.slice(-4) }, after: { imei_last4: imei.imei.slice(-4) },
      }, now_ms);
    });
    return this.subscriber(actor, line_id);
  }

  async subscriber(actor: StaffActor, line_id: string): Promise<DeskSubscriber> {
    const { subscriber } = await this.#read(actor, line_id);
    return subscriber;
  }

  /** With the holder's names opened from the sealed record: for the contract only. */
  async contractSubscriber(actor: StaffActor, line_id: string): Promise<ContractSubscriber> {
    const { subscriber, identity_id } = await this.#read(actor, line_id);
    const row = await this.#options.database.db.selectFrom('identity_documents').selectAll().where('id', '=', identity_id).executeTakeFirstOrThrow();
    const { surname, given_names, birth_date } = openDocument(await this.#options.keyring.cipher(), row);
    return { ...subscriber, holder: { surname, given_names, birth_date } };
  }

  /** The contract summary PDF (Russian, then the visitor's language). */
  async contractPdf(actor: StaffActor, line_id: string): Promise<Buffer> {
    const subscriber = await this.contractSubscriber(actor, line_id);
    const packs = await listPackages(this.#options.database.db, this.#options.clock.now_ms(), { channel: 'desk' });
    return contractPdf({
      ...this.#options.contract, subscriber,
      packs: packs.map((pack) => ({ names: pack.names, price_minor: pack.price.amount_minor, validity_hours: pack.validity_hours })),
    });
  }

  async #read(actor: StaffActor, line_id: string): Promise<{ subscriber: DeskSubscriber; identity_id: string }> {
    const row = await subscriberRow(this.#options.database.db, line_id);
    if (row === undefined) throw new RoamError('ROAM_ERR_SUBSCRIBER_NOT_FOUND');
    if (!actsForStore(actor, row.store_id)) throw new RoamError('ROAM_ERR_STORE_FORBIDDEN');
    return { subscriber: presentRow(row, this.#options.clock.now_ms()), identity_id: row.identity_id };
  }
}

interface ConnectStep {
  readonly actor: StaffActor;
  readonly input: ConnectSubscriberInput;
  readonly valid: ValidConnection;
  readonly cipher: IdentityCipher;
  readonly client_address: string;
  readonly key: { readonly idempotency_key: string; readonly request_hash: string } | null;
  readonly now_ms: number;
  readonly verifier_name: string;
}

interface ValidConnection {
  readonly document: Extract<ReturnType<typeof parseDocument>, { ok: true }>['document'];
  readonly imei: string;
  readonly language: Language;
}

/** Every check that needs no database, in the order the desk form shows the fields. */
function validConnection(input: ConnectSubscriberInput, now_ms: number): ValidConnection {
  const today = new Date(now_ms).toISOString().slice(0, 10);
  const document = parseDocument(input.document, today);
  if (!document.ok) throw new RoamError('ROAM_ERR_DOCUMENT_INVALID', { field: document.field, reason: `document_${document.problem}` });
  const language = normalizeLanguage(input.language);
  if (language === undefined) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'language', reason: 'unknown', value: String(input.language) });
  const imei = parseImei(input.imei);
  if (!imei.ok) throw new RoamError('ROAM_ERR_IMEI_INVALID', { field: 'imei', reason: `imei_${imei.problem}` });
  if (input.consent.accepted !== true) throw new RoamError('ROAM_ERR_CONSENT_REQUIRED', { field: 'consent.accepted', reason: 'not_accepted' });
  if (input.consent.text_version !== CONSENT_TEXT_VERSION) {
    throw new RoamError('ROAM_ERR_CONSENT_REQUIRED', { field: 'consent.text_version', reason: 'other_version', value: CONSENT_TEXT_VERSION });
  }
  return { document: document.document, imei: imei.imei, language };
}

async function actingStore(trx: Executor, actor: StaffActor, store_code: string | undefined) {
  const query = trx.selectFrom('stores').select(['id', 'code', 'name', 'time_zone', 'kind']);
  const store = await (store_code === undefined ? query.where('id', '=', actor.store_id) : query.where('code', '=', store_code)).executeTakeFirst();
  if (store === undefined) throw new RoamError('ROAM_ERR_NOT_FOUND', { field: 'store_code', value: store_code ?? actor.store_code });
  if (!actsForStore(actor, store.id)) throw new RoamError('ROAM_ERR_STORE_FORBIDDEN');
  return store;
}

/**
 * The SIM to hand over, from this store's stock only. A scanned ICCID of another store's SIM is
 * refused as such (the desk must not empty another hall's shelf). The next eSIM is taken with SKIP
 * LOCKED on PostgreSQL, so two desks asking at once get two eSIMs, not one error.
 */
async function stockSim(trx: Executor, store_id: string, choice: ConnectSubscriberInput['sim']): Promise<SimsTable> {
  if ('iccid' in choice) {
    const iccid = parseIccid(String(choice.iccid ?? ''));
    if (!iccid.ok) throw new RoamError('ROAM_ERR_ICCID_INVALID', { field: 'sim.iccid', reason: iccid.problem });
    const sim = await trx.selectFrom('sims').selectAll().where('iccid', '=', iccid.iccid).executeTakeFirst();
    if (sim === undefined) throw new RoamError('ROAM_ERR_SIM_NOT_FOUND', { field: 'sim.iccid' });
    if (sim.store_id !== store_id) throw new RoamError('ROAM_ERR_SIM_NOT_IN_STORE', { field: 'sim.iccid' });
    if (sim.status !== 'in_stock') throw new RoamError('ROAM_ERR_SIM_NOT_IN_STOCK', { field: 'sim.iccid' });
    return sim;
  }
  let query = trx.selectFrom('sims').selectAll().where('store_id', '=', store_id).where('form_factor', '=', 'esim')
    .where('status', '=', 'in_stock').orderBy('iccid').limit(1);
  if (supportsRowLocks(trx)) query = query.forUpdate().skipLocked();
  const sim = await query.executeTakeFirst();
  if (sim === undefined) throw new RoamError('ROAM_ERR_SIM_NOT_IN_STORE', { field: 'sim.esim', reason: 'none_left' });
  return sim;
}

function subscriberRow(db: Executor, line_id: string) {
  return db.selectFrom('line_identities')
    .innerJoin('lines', 'lines.id', 'line_identities.line_id')
    .innerJoin('sims', 'sims.iccid', 'lines.iccid')
    .innerJoin('stores', 'stores.id', 'line_identities.store_id')
    .innerJoin('identity_documents as document', 'document.id', 'line_identities.identity_id')
    .innerJoin('identity_consents as consent', 'consent.id', 'line_identities.consent_id')
    .selectAll('line_identities')
    .select([
      'lines.msisdn', 'lines.iccid', 'lines.language', 'lines.time_zone', 'sims.form_factor', 'sims.esim_activation_code',
      'stores.code as store_code', 'stores.name as store_name', 'document.document_type', 'document.issuing_country',
      'document.number_last4', 'consent.text_version', 'consent.language as consent_language', 'consent.accepted_at_ms',
    ])
    .where('line_identities.line_id', '=', line_id)
    .executeTakeFirst();
}

type SubscriberRow = NonNullable<Awaited<ReturnType<typeof subscriberRow>>>;

/** As of `now_ms`: a verification still pending past its deadline reads as expired (the deadline job may not have run yet). */
function presentRow(row: SubscriberRow & LineIdentitiesTable, now_ms: number): DeskSubscriber {
  const decided = row.decided_at_ms === null ? null : Number(row.decided_at_ms);
  const state = unverifiedIdentity(row.verification_state, row.deadline_at_ms, now_ms)?.state ?? row.verification_state;
  return {
    line_id: row.line_id, msisdn: row.msisdn, iccid_masked: maskIccid(row.iccid), form_factor: row.form_factor,
    esim_activation_code: row.esim_activation_code, language: normalizeLanguage(row.language) ?? 'en', time_zone: row.time_zone,
    store: { id: row.store_id, code: row.store_code, name: row.store_name },
    verification: {
      state, deadline_at_ms: Number(row.deadline_at_ms), decided_at_ms: decided,
      rejection_reason: row.rejection_reason,
    },
    document: { type: row.document_type, issuing_country: row.issuing_country, number_masked: maskedDocumentNumber(row.number_last4) },
    imei: row.imei,
    consent: { text_version: row.text_version, language: row.consent_language, accepted_at_ms: Number(row.accepted_at_ms) },
    connected_at_ms: Number(row.created_at_ms),
  };
}
