import type { Database } from '../../../db/database.js';
import type { Clock } from '../../../ports/clock.js';
import type { NetworkProvisioner, ProvisioningRequest } from '../../../ports/network-provisioner.js';

/**
 * The built-in provisioner: roamcard itself is the charging system of record (usage is charged
 * against our bundles), so "provisioning" records that the network was told, once per bundle.
 * External adapters (an operator's provisioning API) come later and implement the same port.
 */
export class RecordingProvisioner implements NetworkProvisioner {
  readonly name = 'recording';
  readonly #database: Database;
  readonly #clock: Clock;

  constructor(database: Database, clock: Clock) {
    this.#database = database;
    this.#clock = clock;
  }

  async provision(request: ProvisioningRequest): Promise<void> {
    await this.#database.db
      .insertInto('network_activations')
      .values({
        bundle_id: request.bundle_id,
        line_id: request.line_id,
        msisdn: request.msisdn,
        package_code: request.package_code,
        expires_at_ms: request.expires_at_ms,
        provisioned_at_ms: this.#clock.now_ms(),
      })
      .onConflict((conflict) => conflict.column('bundle_id').doNothing())
      .execute();
  }
}
