import { z } from 'zod';
import type { UssdRequest, UssdScreen } from '../../session.js';

/**
 * The Africa's Talking USSD callback, the HTTP convention most USSD gateways copy: the gateway
 * POSTs form fields, we answer text/plain starting "CON " (show and wait for input) or "END "
 * (show and close). Only translation lives here; the session decides what to show.
 */

/** Longest field we accept from a gateway; real values are a few dozen characters. */
export const FIELD_LENGTH_MAX = 512;

const field = (description: string) => z.string().max(FIELD_LENGTH_MAX).optional().describe(description);

/**
 * Every field optional on purpose: a gateway that sends a bad request still gets an `END` reply
 * the customer can read (an HTTP 4xx would end the session with a generic operator error).
 */
export const africasTalkingRequestSchema = z.object({
  sessionId: field('Gateway session id, the same for every request of one session'),
  serviceCode: field('The code the customer dialled, e.g. #100# or *101#'),
  phoneNumber: field('The customer\'s number in E.164, e.g. +79001234567'),
  networkCode: field('Mobile network code of the customer\'s operator'),
  text: field('All inputs of the session joined by "*": empty on the first request, then e.g. "0*0*00"'),
});

export type AfricasTalkingRequest = z.infer<typeof africasTalkingRequestSchema>;

export const REQUIRED_FIELDS = ['phoneNumber', 'serviceCode'] as const;

/** The fields a usable request must carry that this one lacks (empty means usable). */
export function missingFields(body: AfricasTalkingRequest): string[] {
  return REQUIRED_FIELDS.filter((name) => (body[name] ?? '').trim().length === 0);
}

/** The session id is prefixed with the transport, so two gateways' ids can never name one session. */
export function toUssdRequest(body: AfricasTalkingRequest): UssdRequest {
  const session = body.sessionId?.trim();
  return {
    msisdn: body.phoneNumber ?? '', service_code: body.serviceCode ?? '', text: body.text ?? '',
    ...(session ? { session_id: `at:${session}` } : {}),
  };
}

export function toAfricasTalkingReply(screen: Pick<UssdScreen, 'text' | 'continues'>): string {
  return `${screen.continues ? 'CON' : 'END'} ${screen.text}`;
}
