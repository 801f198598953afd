import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PayAsYouGoTariff } from '../../core/charging-plan.js';
import { formatMoney } from '../../core/i18n/format.js';
import { LANGUAGES, type Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { BLOCK_REASONS, type BlockReason } from '../../core/network-blocks.js';
import { BYTES_PER_MB, MS_PER_HOUR, USAGE_KINDS, type UsageKind } from '../../core/units.js';
import { fitsOneScreen, ussdEncoding } from '../../core/ussd-text.js';
import type { BundleView } from './overview.js';
import {
  ENDED_PACK_LOOKBACK_MS, explainServiceState, offUntilMs, serviceStateLines, serviceStateSentences, USSD_BALANCE_SIZED_MINOR,
  type ExplainedBlock, type ServiceFacts,
} from './service-state.js';

/** 2026-12-07T11:00Z = 14:00 in Moscow. */
const NOW_MS = Date.UTC(2026, 11, 7, 11, 0);
const MOSCOW = 'Europe/Moscow';
const TARIFF: PayAsYouGoTariff = { data_minor_per_mb: 500, voice_minor_per_minute: 1500, sms_minor_per_message: 500 };
const everyKindPaid = () => TARIFF;

let serial = 0;
function pack(input: {
  kind: UsageKind; total: number; left?: number; expires_at_ms?: number; activated_at_ms?: number;
  status?: 'active' | 'expired' | 'revoked'; name?: string;
}): BundleView {
  serial += 1;
  const units = (kind: UsageKind) => (kind === input.kind ? input.total : 0);
  const left = (kind: UsageKind) => (kind === input.kind ? (input.left ?? input.total) : 0);
  const name = input.name ?? `Pack ${serial}`;
  const activated_at_ms = input.activated_at_ms ?? NOW_MS - MS_PER_HOUR;
  return {
    bundle: {
      id: `bdl_${String(serial).padStart(4, '0')}`, line_id: 'ln_test', package_code: `pack-${serial}`, package_price_id: null, price_minor: 0,
      currency: 'RUB', data_bytes_total: units('data'), data_bytes_remaining: left('data'), voice_seconds_total: units('voice'),
      voice_seconds_remaining: left('voice'), sms_total: units('sms'), sms_remaining: left('sms'), activated_at_ms,
      expires_at_ms: input.expires_at_ms ?? NOW_MS + 24 * MS_PER_HOUR, status: input.status ?? 'active', source: 'external', entry_id: null,
      idempotency_key: null, request_hash: null, created_at_ms: activated_at_ms,
    },
    pack: {
      code: `pack-${serial}`, kind: input.kind, data_mb: 0, voice_minutes: 0, sms_count: 0, validity_hours: 24,
      names: { 'zh-Hans': name, 'zh-Hant': name, ru: name, en: name }, channels: ['web'], active: true, sort_order: 0,
    },
  };
}

interface BlockInput { reason?: BlockReason; kinds?: UsageKind[]; hours?: number; lifted_at_ms?: number; starts_at_ms?: number }

function block(input: BlockInput = {}): ExplainedBlock {
  const kinds = new Set(input.kinds ?? ['data', 'sms']);
  serial += 1;
  return {
    id: `blk_${serial}`, reason: input.reason ?? 'arrival_cooling_off', starts_at_ms: input.starts_at_ms ?? NOW_MS - MS_PER_HOUR,
    ends_at_ms: NOW_MS + (input.hours ?? 24) * MS_PER_HOUR, lifted_at_ms: input.lifted_at_ms ?? null,
    stops_data: kinds.has('data') ? 1 : 0, stops_voice: kinds.has('voice') ? 1 : 0, stops_sms: kinds.has('sms') ? 1 : 0,
  };
}

const facts = (overrides: Partial<ServiceFacts> = {}): ServiceFacts => ({
  line_status: 'active', wallet_balance_minor: 0, bundles: [], blocks: [], tariffFor: everyKindPaid, at_ms: NOW_MS, ...overrides,
});

describe('the service-state explainer (pure)', () => {
  it('says every kind works when packs or the balance cover it, and has nothing to tell', () => {
    const state = explainServiceState(facts({ bundles: [pack({ kind: 'data', total: 5 * BYTES_PER_MB })], wallet_balance_minor: 1500 }));
    assert.deepEqual(state.kinds.data, { kind: 'data', available: true, via: 'packs' });
    assert.deepEqual(state.kinds.voice, { kind: 'voice', available: true, via: 'balance' });
    assert.deepEqual(state.kinds.sms, { kind: 'sms', available: true, via: 'balance' });
    assert.deepEqual(state.off, []);
    assert.deepEqual(serviceStateLines(state, 'en', MOSCOW), []);
  });

  it('a suspended line: nothing works, whatever it holds', () => {
    const state = explainServiceState(facts({ line_status: 'suspended', bundles: [pack({ kind: 'data', total: 100 })], wallet_balance_minor: 100_000 }));
    for (const kind of USAGE_KINDS) assert.equal(state.kinds[kind].available ? 'works' : state.kinds[kind].reason, 'line_not_active');
    assert.deepEqual(serviceStateLines(state, 'en', MOSCOW), ['This line is not active. Call the call centre.']);
  });

  it('a line waiting for identity verification (303-FZ): nothing works, whatever it holds; pending, rejected or blocked, in four languages', () => {
    const deadline_at_ms = NOW_MS + 72 * MS_PER_HOUR;
    const held = { wallet_balance_minor: 50_000, bundles: [pack({ kind: 'data', total: 100 })] };
    const pending = explainServiceState(facts({ ...held, identity: { state: 'pending', deadline_at_ms } }));
    for (const kind of USAGE_KINDS) {
      const service = pending.kinds[kind];
      assert.ok(!service.available && service.reason === 'identity_unverified' && service.action === 'wait');
    }
    assert.deepEqual(serviceStateLines(pending, 'en', MOSCOW), ['Identity check under way, due 10 Dec 14:00: no service yet. Ends by itself.']);
    assert.deepEqual(serviceStateLines(pending, 'zh-Hans', MOSCOW), ['身份确认中（截止12月10日 14:00），暂不可用。']
      .map((line) => `${line}${messagesFor('zh-Hans').service_state.short.actions.wait}`));
    const rejected = explainServiceState(facts({ ...held, identity: { state: 'rejected', deadline_at_ms } }));
    assert.deepEqual(serviceStateSentences(rejected, 'ru', MOSCOW), [
      'Вашу личность не удалось подтвердить через Госуслуги и биометрию (правила для иностранных граждан): звонки, интернет и SMS не работают. '
      + messagesFor('ru').service_state.long.actions.service_hall,
    ]);
    const expired = explainServiceState(facts({ ...held, identity: { state: 'expired', deadline_at_ms } }));
    assert.deepEqual(serviceStateLines(expired, 'en', MOSCOW), ['Blocked: identity not confirmed by 10 Dec 14:00. Visit a service hall.']);
    const suspended = explainServiceState(facts({ line_status: 'suspended', identity: { state: 'pending', deadline_at_ms } }));
    assert.equal(suspended.off[0]?.reason, 'line_not_active', 'a line not active says so first');
  });

  it('the arrival pause: data and SMS off until its end, calls still paid from the balance; told in four languages', () => {
    const pause = block();
    const state = explainServiceState(facts({ bundles: [pack({ kind: 'data', total: 100 })], wallet_balance_minor: 1500, blocks: [pause] }));
    const data = state.kinds.data;
    assert.ok(!data.available && data.reason === 'network_block');
    assert.deepEqual(data.block, { id: pause.id, reason: 'arrival_cooling_off', ends_at_ms: pause.ends_at_ms });
    assert.equal(data.action, 'wait');
    assert.equal(offUntilMs(data), pause.ends_at_ms);
    assert.equal(state.kinds.sms.available, false);
    assert.equal(state.kinds.voice.available, true);
    // Ends 8 Dec 11:00Z: 14:00 in Moscow.
    assert.deepEqual(serviceStateLines(state, 'en', MOSCOW), ['Data and SMS paused until 8 Dec 14:00: 24 h pause on arrival. Ends by itself.']);
    assert.deepEqual(serviceStateSentences(state, 'en', MOSCOW), [
      'Data and SMS are paused until 8 Dec 14:00 — foreign SIMs are paused for 24 hours on arrival (Russian rules). Nothing to do: it ends by itself.',
    ]);
    assert.deepEqual(serviceStateLines(state, 'ru', MOSCOW), ['Интернет и SMS: пауза до 08.12 14:00 (въезд). Снимется сама.']);
    assert.deepEqual(serviceStateLines(state, 'zh-Hans', MOSCOW), ['流量和短信暂停至12月8日 14:00（入境暂停24小时）。到时自动恢复。']);
    assert.deepEqual(serviceStateLines(state, 'zh-Hant', MOSCOW), ['流量和簡訊暫停至12月8日 14:00（入境暫停24小時）。到時自動恢復。']);
    const data_only = explainServiceState(facts({ blocks: [block({ kinds: ['data'] })], wallet_balance_minor: 1500 }));
    assert.deepEqual(serviceStateSentences(data_only, 'en', MOSCOW), [
      'Data is paused until 8 Dec 14:00 — foreign SIMs are paused for 24 hours on arrival (Russian rules). Nothing to do: it ends by itself.',
    ]);
  });

  it('a block counts only while in force: not before its start, not after its lift; the longest of two is the one to wait for', () => {
    const lifted = block({ lifted_at_ms: NOW_MS - 1 });
    const later = block({ starts_at_ms: NOW_MS + 1 });
    assert.deepEqual(explainServiceState(facts({ blocks: [lifted, later], wallet_balance_minor: 1500 })).off, []);
    const short = block({ hours: 2 });
    const long = block({ hours: 30, reason: 'operator', kinds: ['data'] });
    const state = explainServiceState(facts({ blocks: [short, long], wallet_balance_minor: 1500 }));
    const data = state.kinds.data;
    assert.ok(!data.available && data.reason === 'network_block');
    assert.equal(data.block.id, long.id);
    assert.equal(data.action, 'call_centre');
    const sms = state.kinds.sms;
    assert.ok(!sms.available && sms.reason === 'network_block' && sms.block.id === short.id);
    const unconfirmed = explainServiceState(facts({ blocks: [block({ reason: 'identity_unconfirmed', kinds: ['data', 'voice', 'sms'] })] }));
    assert.deepEqual(unconfirmed.off.map((off) => off.action), ['service_hall', 'service_hall', 'service_hall']);
  });

  it('a used-up pack names the pack; the balance takes over when it can pay a unit', () => {
    const used = pack({ kind: 'data', total: 100, left: 0, name: '5 GB data, 7 days' });
    const broke = explainServiceState(facts({ bundles: [used], wallet_balance_minor: 499 }));
    const data = broke.kinds.data;
    assert.ok(!data.available && data.reason === 'pack_used_up');
    assert.equal(data.pack.bundle_id, used.bundle.id);
    assert.equal(data.action, 'renew');
    assert.deepEqual(serviceStateSentences(broke, 'en', MOSCOW)[0], 'Data: the pack “5 GB data, 7 days” is used up. Renew to go on: dial #102#, or renew here.');
    assert.deepEqual(explainServiceState(facts({ bundles: [used], wallet_balance_minor: 500 })).kinds.data, { kind: 'data', available: true, via: 'balance' });
  });

  it('an ended pack is named with its end within the look-back; older, or revoked, it is "no pack"', () => {
    const ended_at_ms = NOW_MS - 2 * 24 * MS_PER_HOUR;
    const ended = pack({ kind: 'voice', total: 6000, expires_at_ms: ended_at_ms, activated_at_ms: ended_at_ms - 30 * 24 * MS_PER_HOUR, status: 'expired' });
    const state = explainServiceState(facts({ bundles: [ended] }));
    const voice = state.kinds.voice;
    assert.ok(!voice.available && voice.reason === 'pack_expired');
    assert.equal(voice.expired_at_ms, ended_at_ms);
    assert.equal(serviceStateLines(state, 'en', MOSCOW)[0], 'Calls: pack ended 5 Dec 14:00. Renew: #102#');
    const old = pack({ kind: 'voice', total: 6000, expires_at_ms: NOW_MS - ENDED_PACK_LOOKBACK_MS - 1, activated_at_ms: NOW_MS - 40 * 24 * MS_PER_HOUR });
    const revoked = pack({ kind: 'voice', total: 6000, status: 'revoked' });
    for (const bundles of [[old], [revoked]]) {
      const voice_now = explainServiceState(facts({ bundles })).kinds.voice;
      assert.ok(!voice_now.available && voice_now.reason === 'no_pack_no_balance' && voice_now.pay_as_you_go);
    }
  });

  it('no pack and no money, or no pack where pay-as-you-go is off; causes grouped, most important first', () => {
    const state = explainServiceState(facts({
      tariffFor: (kind) => (kind === 'sms' ? null : TARIFF), blocks: [block({ kinds: ['data'] })], wallet_balance_minor: 100,
    }));
    assert.deepEqual(state.off.map((off) => off.reason), ['network_block', 'no_pack_no_balance', 'no_pack_no_balance']);
    assert.deepEqual(serviceStateLines(state, 'en', MOSCOW), [
      'Data paused until 8 Dec 14:00: 24 h pause on arrival. Ends by itself.',
      'Calls: no pack, too little money. Renew: #102#',
      'SMS: no pack. Renew: #102#',
    ]);
  });

  it('USSD lines fit one screen under the largest balance line, in every language, for every cause and mix of causes', () => {
    const used = pack({ kind: 'data', total: 100, left: 0 });
    const ended = pack({ kind: 'voice', total: 100, expires_at_ms: NOW_MS - MS_PER_HOUR, activated_at_ms: NOW_MS - 48 * MS_PER_HOUR });
    const scenarios: ServiceFacts[] = [
      facts({ line_status: 'closed' }),
      ...(['pending', 'rejected', 'expired'] as const).map((state) => facts({ identity: { state, deadline_at_ms: NOW_MS + MS_PER_HOUR } })),
      ...BLOCK_REASONS.map((reason) => facts({ blocks: [block({ reason, kinds: ['data', 'voice', 'sms'] })] })),
      ...BLOCK_REASONS.map((reason) => facts({ blocks: [block({ reason, kinds: ['sms'] })], bundles: [used, ended] })),
      facts({ bundles: [used, ended] }),
      facts({ tariffFor: (kind) => (kind === 'data' ? null : TARIFF), bundles: [ended] }),
    ];
    for (const language of LANGUAGES as readonly Language[]) {
      const balance = messagesFor(language).ussd.balance({ balance: formatMoney(USSD_BALANCE_SIZED_MINOR, language) });
      for (const scenario of scenarios) {
        const state = explainServiceState(scenario);
        const lines = serviceStateLines(state, language, MOSCOW);
        assert.ok(lines.length >= 1, `${language}: something is said`);
        const screen = [balance, ...lines].join('\n');
        assert.ok(fitsOneScreen(screen), `${language}: does not fit one screen:\n${screen}`);
        if (language === 'en') assert.equal(ussdEncoding(screen), 'gsm7', `English stays in GSM-7: ${screen}`);
        assert.ok(serviceStateSentences(state, language, MOSCOW).length >= lines.length, 'the pages tell every cause');
      }
    }
  });
});
