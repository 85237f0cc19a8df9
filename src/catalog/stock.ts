import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { AppError } from '../server/errors.js';

/**
 * Takes `quantity` units of a variant's stock inside the caller's transaction. Tracked stock
 * with policy deny is decremented by one conditional UPDATE only if enough is left, so two
 * checkouts cannot both take the last unit. Returns false when stock is short and for unknown
 * variants. Tracked stock with policy continue is decremented and may go negative. Untracked
 * stock is left alone. Throws AppError QUANTITY_OUT_OF_RANGE unless `quantity` is a positive
 * whole number.
 */
export async function reserveStock(
  trx: Kysely<Database>,
  variantId: string,
  quantity: number,
): Promise<boolean> {
  checkQuantity(quantity);
  const variant = await trx
    .selectFrom('variants')
    .select(['inventory_tracked', 'inventory_policy'])
    .where('id', '=', variantId)
    .executeTakeFirst();
  if (!variant) return false;
  if (!variant.inventory_tracked) return true;

  let update = trx
    .updateTable('variants')
    .set((eb) => ({ inventory_quantity: eb('inventory_quantity', '-', quantity) }))
    .where('id', '=', variantId)
    .where('inventory_tracked', '=', 1);
  if (variant.inventory_policy === 'deny')
    update = update.where('inventory_quantity', '>=', quantity);

  const result = await update.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Gives back stock taken by reserveStock; untracked and unknown variants are left alone. */
export async function releaseStock(
  trx: Kysely<Database>,
  variantId: string,
  quantity: number,
): Promise<void> {
  checkQuantity(quantity);
  await trx
    .updateTable('variants')
    .set((eb) => ({ inventory_quantity: eb('inventory_quantity', '+', quantity) }))
    .where('id', '=', variantId)
    .where('inventory_tracked', '=', 1)
    .execute();
}

function checkQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 1) {
    throw new AppError(
      'QUANTITY_OUT_OF_RANGE',
      `The quantity ${quantity} is not a positive whole number.`,
    );
  }
}
