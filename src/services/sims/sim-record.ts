import { RoamError } from '../../core/errors.js';
import { parseEsimActivationCode } from '../../core/esim.js';
import { parseIccid } from '../../core/iccid.js';
import { parseImsi } from '../../core/imsi.js';
import { parseMsisdn } from '../../core/phone.js';

/** A SIM as it enters inventory, every field validated and normalized. */
export interface SimRecord {
  readonly iccid: string;
  readonly imsi: string;
  readonly msisdn: string;
  readonly form_factor: 'nano' | 'esim';
  readonly esim_activation_code: string | null;
}

export interface SimInput {
  readonly iccid: string;
  readonly imsi: string;
  readonly msisdn: string;
  /** "nano" (also "nano-sim", "sim", empty) or "esim". */
  readonly form_factor?: string | undefined;
  readonly esim_activation_code?: string | undefined;
}

/** Validates one SIM; the error names the first bad field and why (never a half-valid record). */
export function validateSim(input: SimInput): { ok: true; sim: SimRecord } | { ok: false; error: RoamError } {
  const iccid = parseIccid(input.iccid);
  if (!iccid.ok) return { ok: false, error: new RoamError('ROAM_ERR_ICCID_INVALID', { field: 'iccid', reason: iccid.problem, value: input.iccid }) };
  const imsi = parseImsi(input.imsi);
  if (!imsi.ok) return { ok: false, error: new RoamError('ROAM_ERR_IMSI_INVALID', { field: 'imsi', reason: imsi.problem, value: input.imsi }) };
  const msisdn = parseMsisdn(input.msisdn);
  if (!msisdn.ok) return { ok: false, error: new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: msisdn.problem, value: input.msisdn }) };

  const formFactor = normalizeFormFactor(input.form_factor);
  if (!formFactor) return { ok: false, error: new RoamError('ROAM_ERR_VALIDATION', { field: 'form_factor', reason: 'unknown_form_factor', value: input.form_factor ?? '' }) };
  const code = input.esim_activation_code?.trim() ?? '';
  if (formFactor === 'nano') {
    if (code !== '') return { ok: false, error: new RoamError('ROAM_ERR_VALIDATION', { field: 'esim_activation_code', reason: 'esim_code_unexpected' }) };
    return { ok: true, sim: { iccid: iccid.iccid, imsi: imsi.imsi, msisdn: msisdn.msisdn, form_factor: 'nano', esim_activation_code: null } };
  }
  if (code === '') return { ok: false, error: new RoamError('ROAM_ERR_VALIDATION', { field: 'esim_activation_code', reason: 'esim_code_required' }) };
  const esim = parseEsimActivationCode(code);
  if (!esim.ok) return { ok: false, error: new RoamError('ROAM_ERR_ESIM_CODE_INVALID', { field: 'esim_activation_code', reason: 'format', value: code }) };
  return { ok: true, sim: { iccid: iccid.iccid, imsi: imsi.imsi, msisdn: msisdn.msisdn, form_factor: 'esim', esim_activation_code: esim.activationCode } };
}

function normalizeFormFactor(value: string | undefined): 'nano' | 'esim' | undefined {
  const normalized = (value ?? '').trim().toLowerCase().replace(/[\s_-]/g, '');
  if (normalized === '' || normalized === 'nano' || normalized === 'nanosim' || normalized === 'sim' || normalized === '4ff') return 'nano';
  if (normalized === 'esim' || normalized === 'embedded') return 'esim';
  return undefined;
}
