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
