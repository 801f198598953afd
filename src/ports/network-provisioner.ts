/**
 * The NetworkProvisioner port: tells the mobile network (HLR/HSS, PCRF, OCS) that a line has a new
 * pack. Called by the outbox worker after the pack is active in our books, at least once per
 * bundle: implementations must be idempotent by `bundle_id`.
 */
export interface ProvisioningRequest {
  readonly bundle_id: string;
  readonly line_id: string;
  readonly msisdn: string;
  readonly iccid: string;
  readonly package_code: string;
  readonly data_bytes: number;
  readonly voice_seconds: number;
  readonly sms_count: number;
  readonly expires_at_ms: number;
}

export interface NetworkProvisioner {
  readonly name: string;
  provision(request: ProvisioningRequest): Promise<void>;
}
