import { z } from 'zod';
import { sourceAddressProblem } from './smpp-address.js';
import type { SmppLinkSettings } from './smpp-link.js';

/**
 * The SMPP_* variables (validated with the rest of the configuration in src/config.ts). Limits are
 * SMPP 3.4's field sizes (C-octet strings, the terminating zero not counted): a value the SMSC
 * would truncate or refuse is refused here, at start, with the variable's name.
 */

export const SMPP_SUBMIT_PER_SECOND_MAX_DEFAULT = 50;
/** Far above any SMSC contract; a typo (an extra zero or three) rather than a rate. */
export const SMPP_SUBMIT_PER_SECOND_MAX_LIMIT = 10_000;
export const SYSTEM_ID_LENGTH_MAX = 15;
export const PASSWORD_LENGTH_MAX = 8;
export const SYSTEM_TYPE_LENGTH_MAX = 12;
export const SERVICE_TYPE_LENGTH_MAX = 5;

/** smpp.md's defaults: a dialled code comes as PSSR indication (1), each answer as USSR confirm (18). */
export const USSD_OPS_DEFAULT = Object.freeze({
  start: [1] as readonly number[],
  continue: [18] as readonly number[],
  end: [] as readonly number[],
  reply_continue: 2,
  reply_end: 17,
});

const visibleAscii = (length_max: number) => z
  .string()
  .max(length_max, `must be at most ${length_max} characters (SMPP 3.4)`)
  .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters only');

const op = z.coerce.number().int().min(0, 'must be an ussd_service_op value 0..255').max(255, 'must be an ussd_service_op value 0..255');
const opList = z
  .string()
  .trim()
  .regex(/^(\d{1,3}(\s*,\s*\d{1,3})*)?$/, 'must be ussd_service_op values separated by commas, e.g. 1 or 1,32')
  .transform((text) => (text.length === 0 ? [] : text.split(',').map((value) => Number(value.trim()))))
  .refine((values) => values.every((value) => value <= 255), 'each ussd_service_op value must be 0..255');

export const smppEnvironmentShape = {
  SMPP_URL: z
    .string()
    .regex(/^s?smpp:\/\/[^\s/:@]+(:\d{1,5})?\/?$/, 'must look like smpp://host:2775 (or ssmpp://host:3550 for TLS)')
    .optional(),
  SMPP_SYSTEM_ID: visibleAscii(SYSTEM_ID_LENGTH_MAX).optional(),
  SMPP_PASSWORD: visibleAscii(PASSWORD_LENGTH_MAX).optional(),
  SMPP_SYSTEM_TYPE: visibleAscii(SYSTEM_TYPE_LENGTH_MAX).optional(),
  SMPP_SOURCE_ADDR: z.string().superRefine((text, context) => {
    const problem = sourceAddressProblem(text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  }).optional(),
  SMPP_SUBMIT_PER_SECOND_MAX: z.coerce.number().int().min(1).max(SMPP_SUBMIT_PER_SECOND_MAX_LIMIT)
    .default(SMPP_SUBMIT_PER_SECOND_MAX_DEFAULT),
  SMPP_USSD_SERVICE_TYPE: visibleAscii(SERVICE_TYPE_LENGTH_MAX).optional(),
  SMPP_USSD_START_OPS: opList.optional(),
  SMPP_USSD_CONTINUE_OPS: opList.optional(),
  SMPP_USSD_END_OPS: opList.optional(),
  SMPP_USSD_REPLY_CONTINUE_OP: op.default(USSD_OPS_DEFAULT.reply_continue),
  SMPP_USSD_REPLY_END_OP: op.default(USSD_OPS_DEFAULT.reply_end),
};

type SmppEnvironment = z.infer<z.ZodObject<typeof smppEnvironmentShape>>;

export const SMPP_REQUIRED_VARIABLES = ['SMPP_URL', 'SMPP_SYSTEM_ID', 'SMPP_PASSWORD', 'SMPP_SOURCE_ADDR'] as const;

/** Which incoming ops start, continue and end a USSD session, and the ops we answer with. */
export interface UssdOperations {
  readonly start: readonly number[];
  readonly continue: readonly number[];
  readonly end: readonly number[];
  readonly reply_continue: number;
  readonly reply_end: number;
}

export interface SmppConfig {
  readonly link: SmppLinkSettings;
  readonly source_addr: string;
  readonly submit_per_second_max: number;
  readonly ussd: {
    /** service_type on our USSD replies ("" unless the gateway wants e.g. "USSD"). */
    readonly service_type: string;
    readonly operations: UssdOperations;
  };
}

/** Problems of SMS_DRIVER=smpp's variables, each naming its variable (none when another driver is chosen). */
export function smppProblems(env: SmppEnvironment, sms_driver: string | undefined): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (sms_driver === 'smpp') {
    for (const name of SMPP_REQUIRED_VARIABLES) {
      if (env[name] === undefined) problems.push({ path: name, message: 'must be set when SMS_DRIVER=smpp' });
    }
  }
  const operations = ussdOperations(env);
  const overlapping = operations.start.filter((value) => operations.continue.includes(value) || operations.end.includes(value));
  if (overlapping.length > 0) problems.push({ path: 'SMPP_USSD_START_OPS', message: `ussd_service_op ${overlapping.join(', ')} cannot both start and continue or end a session` });
  return problems;
}

/** The settings, or undefined unless SMS_DRIVER=smpp (then smppProblems has checked they are all there). */
export function smppConfig(env: SmppEnvironment, sms_driver: string | undefined): SmppConfig | undefined {
  if (sms_driver !== 'smpp' || !env.SMPP_URL || !env.SMPP_SYSTEM_ID || !env.SMPP_PASSWORD || !env.SMPP_SOURCE_ADDR) return undefined;
  const link = { url: env.SMPP_URL, system_id: env.SMPP_SYSTEM_ID, system_type: env.SMPP_SYSTEM_TYPE ?? '' } as SmppLinkSettings;
  // Not enumerable: a logged or serialised configuration never shows the password.
  Object.defineProperty(link, 'password', { value: env.SMPP_PASSWORD, enumerable: false });
  return Object.freeze({
    link: Object.freeze(link),
    source_addr: env.SMPP_SOURCE_ADDR,
    submit_per_second_max: env.SMPP_SUBMIT_PER_SECOND_MAX,
    ussd: Object.freeze({ service_type: env.SMPP_USSD_SERVICE_TYPE ?? '', operations: ussdOperations(env) }),
  });
}

function ussdOperations(env: SmppEnvironment): UssdOperations {
  return Object.freeze({
    start: env.SMPP_USSD_START_OPS ?? USSD_OPS_DEFAULT.start,
    continue: env.SMPP_USSD_CONTINUE_OPS ?? USSD_OPS_DEFAULT.continue,
    end: env.SMPP_USSD_END_OPS ?? USSD_OPS_DEFAULT.end,
    reply_continue: env.SMPP_USSD_REPLY_CONTINUE_OP,
    reply_end: env.SMPP_USSD_REPLY_END_OP,
  });
}
