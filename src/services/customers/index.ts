/**
 * Customer identity for the self-service website and app.
 *
 * The service is `context.customers` (a CustomerService, see customer-service.ts). Every method
 * that changes something runs in one transaction; reads run without one. Every method that takes
 * a customer_id checks ownership, and a line or order of another customer is "not found"
 * (ROAM_ERR_LINE_NOT_FOUND / ROAM_ERR_ORDER_NOT_FOUND, 404), never "forbidden".
 *
 *   requestCode({ target: { msisdn } | { iccid }, ip, language? }) → { code_length: 6, expires_in_ms, resend_after_ms }
 *       Sends a 6-digit code by SMS (through the outbox job `sms.send`) to the number, or to the
 *       number of the SIM with that ICCID. Unknown or closed numbers get the same answer and no SMS.
 *       Limits: 1/min and 5/h per number, 20/h per client address (IPv6 per /64) →
 *       ROAM_ERR_RATE_LIMITED (429, params.retry_after_s). Bad format → ROAM_ERR_MSISDN_INVALID /
 *       ROAM_ERR_ICCID_INVALID (400). A new code retires the previous one.
 *   verifyCode({ target, code, session_kind: 'cookie' | 'bearer', language? })
 *       → { customer_id, created, session: { session_id, customer_id, kind, created_at_ms, expires_at_ms }, token }
 *       Signs in, or signs up (first sign-in through a line creates the customer, whose primary
 *       line it is, and adds the line). Wrong, expired, used or dead (5 wrong tries) code →
 *       ROAM_ERR_CODE_INVALID (400). `token` is returned this once; only its hash is stored.
 *   authenticate(token, kind) → CustomerSession | undefined      (customer-auth.ts calls it)
 *   signOut(session_id) → void                                     revokes the session
 *   getCustomer(customer_id) → { id, primary_line_id, language, created_at_ms }
 *   listLines(customer_id) → CustomerLine[]  { line_id, msisdn, status, language, time_zone,
 *       wallet_balance_minor, verified_by: 'iccid' | 'sms_code', primary, added_at_ms }
 *   addLine(customer_id, { msisdn, iccid }) → { line: CustomerLine, added }
 *       The ICCID must be that number's card: otherwise (or no such number) ROAM_ERR_ICCID_MISMATCH
 *       (422); 5 failures an hour → ROAM_ERR_RATE_LIMITED; 10 lines max → ROAM_ERR_CUSTOMER_LINES_LIMIT.
 *       Adding a line already on the account upgrades an SMS-only link to "iccid".
 *   removeLine(customer_id, line_id) → void
 *   lineDashboard(customer_id, line_id) → LineDashboard (line-dashboard.ts): wallet, live packs
 *       with total/remaining per allowance and warnings (≤ 20 % left, < 24 h to expiry), and usage
 *       per day for the last 30 days in the line's time zone (the last 7 are the week's chart), and
 *       `service`: per kind, whether it works and if not why and what to do (services/lines/service-state.ts).
 *   alertSettings(customer_id, line_id) → { alerts_enabled, usage_thresholds_percent: number[], expiry_alert }
 *       The line's SMS alerts (services/notices): defaults 80 and 100 % of each pack, expiry alert on.
 *   updateAlertSettings(customer_id, line_id, settings) → the settings as stored (thresholds ascending)
 *       1–5 distinct whole percents 1–100 (or none); otherwise ROAM_ERR_VALIDATION (400), nothing changed.
 *   listOrders(customer_id, { limit?, before? }) → { orders: CustomerOrderSummary[], next_before }
 *   getOrder(customer_id, order_id) → { summary, view: OrderView, receipt: Receipt | undefined }
 *   receiptForOrder(customer_id, order_id) → Receipt (ROAM_ERR_ORDER_NOT_FOUND until issued).
 *       Render it with receiptDocument()/receiptPdf() from services/receipts, or redirect to
 *       receiptVerifyPath(receipt).
 *   purgeExpired() → { codes, sessions, windows }   housekeeping, safe to run at any time.
 *
 * HTTP helpers for pages (cookies, CSRF) are in channels/http/customer-auth.ts.
 */
export { CustomerService, type CustomerProfile, type SignedIn, type CodeRequested } from './customer-service.js';
export type { CustomerLine } from './customer-lines.js';
export type { CustomerOrderSummary, OrdersPage } from './customer-orders.js';
export type { LineDashboard, DashboardPack, PackWarning, UsageDay } from './line-dashboard.js';
export type { CustomerSession, SessionKind } from './sessions.js';
export type { SignInTarget } from './one-time-codes.js';
