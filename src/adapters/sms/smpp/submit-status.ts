/**
 * What a `submit_sm_resp` command_status means for the message: worth trying again later
 * (the SMSC is busy or broken for now) or final (this message will never be taken as it is).
 * Statuses not listed are final: an unknown refusal repeated five times is still a refusal, and a
 * dead job is visible to a person (`roamcard jobs`), where endless retries would not be.
 */

export interface SubmitStatus {
  readonly name: string;
  readonly retryable: boolean;
  readonly reason: string;
}

export const ESME_ROK = 0x00;
export const ESME_RSYSERR = 0x08;
export const ESME_RINVDSTADR = 0x0b;
export const ESME_RBINDFAIL = 0x0d;
export const ESME_RINVPASWD = 0x0e;
export const ESME_RINVSYSID = 0x0f;
export const ESME_RMSGQFUL = 0x14;
export const ESME_RTHROTTLED = 0x58;
export const ESME_RX_T_APPN = 0x64;

export const SUBMIT_STATUSES: ReadonlyMap<number, SubmitStatus> = new Map([
  [ESME_RTHROTTLED, { name: 'ESME_RTHROTTLED', retryable: true, reason: 'the SMSC throttles us: above its submit rate' }],
  [ESME_RSYSERR, { name: 'ESME_RSYSERR', retryable: true, reason: 'system error in the SMSC: usually passing' }],
  [ESME_RMSGQFUL, { name: 'ESME_RMSGQFUL', retryable: true, reason: 'the SMSC\'s queue for this destination is full' }],
  [ESME_RX_T_APPN, { name: 'ESME_RX_T_APPN', retryable: true, reason: 'temporary application error at the SMSC' }],
  [0x45, { name: 'ESME_RSUBMITFAIL', retryable: true, reason: 'submit failed at the SMSC (transient on most SMSCs)' }],
  [ESME_RINVDSTADR, { name: 'ESME_RINVDSTADR', retryable: false, reason: 'invalid destination address' }],
  [0x50, { name: 'ESME_RINVDSTTON', retryable: false, reason: 'invalid destination type of number' }],
  [0x51, { name: 'ESME_RINVDSTNPI', retryable: false, reason: 'invalid destination numbering plan' }],
  [0x0a, { name: 'ESME_RINVSRCADR', retryable: false, reason: 'invalid source address (check SMPP_SOURCE_ADDR)' }],
  [0x01, { name: 'ESME_RINVMSGLEN', retryable: false, reason: 'message length refused' }],
  [0x43, { name: 'ESME_RINVESMCLASS', retryable: false, reason: 'esm_class refused (the SMSC does not take concatenated parts?)' }],
  [0x104, { name: 'ESME_RINVDCS', retryable: false, reason: 'data_coding refused' }],
  [0x101, { name: 'ESME_RPROHIBITED', retryable: false, reason: 'prohibited for this account' }],
  [ESME_RBINDFAIL, { name: 'ESME_RBINDFAIL', retryable: false, reason: 'bind failed' }],
  [ESME_RINVPASWD, { name: 'ESME_RINVPASWD', retryable: false, reason: 'wrong password (SMPP_PASSWORD)' }],
  [ESME_RINVSYSID, { name: 'ESME_RINVSYSID', retryable: false, reason: 'unknown system id (SMPP_SYSTEM_ID)' }],
  [0x66, { name: 'ESME_RX_R_APPN', retryable: false, reason: 'rejected by the SMSC\'s application (barred number?)' }],
]);

/** Link down, no response in time: the message may be taken when the link is back. */
export const LINK_DOWN: SubmitStatus = Object.freeze({ name: 'link_down', retryable: true, reason: 'the SMPP link is down' });
export const RESPONSE_TIMEOUT: SubmitStatus = Object.freeze({
  name: 'response_timeout', retryable: true, reason: 'no submit_sm_resp in time (the part may have been taken: SMPP has no idempotency key)',
});

export function classifySubmitStatus(command_status: number): SubmitStatus {
  return SUBMIT_STATUSES.get(command_status)
    ?? { name: `0x${command_status.toString(16).padStart(8, '0')}`, retryable: false, reason: 'refused by the SMSC' };
}
