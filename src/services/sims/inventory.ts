import { RoamError } from '../../core/errors.js';
import type { Executor } from '../../db/transaction.js';
import { validateSim, type SimInput, type SimRecord } from './sim-record.js';

/**
 * Adds one SIM to inventory. Adding the same SIM again is a no-op; a SIM whose ICCID, IMSI or
 * MSISDN is already taken by a different SIM is refused, naming the field.
 */
export async function addSim(trx: Executor, input: SimInput, now_ms: number): Promise<{ sim: SimRecord; created: boolean }> {
  const validated = validateSim(input);
  if (!validated.ok) throw validated.error;
  const { sim } = validated;
  const clash = await trx
    .selectFrom('sims')
    .selectAll()
    .where((eb) => eb.or([eb('iccid', '=', sim.iccid), eb('imsi', '=', sim.imsi), eb('msisdn', '=', sim.msisdn)]))
    .execute();
  for (const existing of clash) {
    const same = existing.iccid === sim.iccid && existing.imsi === sim.imsi && existing.msisdn === sim.msisdn
      && existing.form_factor === sim.form_factor && existing.esim_activation_code === sim.esim_activation_code;
    if (same) return { sim, created: false };
    const field = existing.iccid === sim.iccid ? 'iccid' : existing.imsi === sim.imsi ? 'imsi' : 'msisdn';
    throw new RoamError('ROAM_ERR_SIM_EXISTS', { field, reason: 'exists_differently' });
  }
  await trx.insertInto('sims').values({ ...sim, status: 'in_stock', created_at_ms: now_ms }).execute();
  return { sim, created: true };
}

export async function findSim(trx: Executor, iccid: string) {
  const sim = await trx.selectFrom('sims').selectAll().where('iccid', '=', iccid).executeTakeFirst();
  if (!sim) throw new RoamError('ROAM_ERR_SIM_NOT_FOUND', { value: iccid });
  return sim;
}

/**
 * Puts a SIM still in central stock into a store's stock (by store code): the desk hands out only
 * its own store's SIMs. A SIM already at a store stays there (moving stock between stores is a
 * transfer with its own record, not built yet).
 */
export async function assignSimToStore(trx: Executor, iccid: string, store_code: string): Promise<void> {
  const store = await trx.selectFrom('stores').select('id').where('code', '=', store_code).executeTakeFirst();
  if (!store) throw new RoamError('ROAM_ERR_NOT_FOUND', { field: 'store', value: store_code });
  await trx.updateTable('sims').set({ store_id: store.id }).where('iccid', '=', iccid).where('store_id', 'is', null).execute();
}
