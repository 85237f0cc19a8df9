import { recordAccessDenied } from '../cart/ownership.js';
import { validateShippingAddress } from '../checkout/checkout-input.js';
import type { ShippingAddress } from '../checkout/checkout.service.js';
import type { CustomerAddressRow } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { AppError, notFound } from '../server/errors.js';
import { nowIso, randomId } from '../server/ids.js';
import { requireCustomerId } from './customer-context.js';

/** Saved addresses one account may keep, so a script cannot grow the table without limit. */
export const maxAddressesPerCustomer = 20;

export interface AddressView extends ShippingAddress {
  id: string;
  createdAt: string;
}

/** Lists the signed-in customer's saved addresses, oldest first. */
export async function listAddresses(ctx: ServiceContext): Promise<AddressView[]> {
  const customerId = requireCustomerId(ctx);
  const rows = await ctx.db
    .selectFrom('customer_addresses')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toAddressView);
}

/**
 * Returns one of the signed-in customer's addresses. Someone else's raises NOT_FOUND like a
 * missing one and records an `object_access_denied` event (see loadOwnedAddress).
 */
export async function getAddress(ctx: ServiceContext, addressId: string): Promise<AddressView> {
  return toAddressView(await loadOwnedAddress(ctx, addressId));
}

/**
 * Saves an address for the signed-in customer, checked by the checkout rules (see
 * validateShippingAddress). Raises VALIDATION_FAILED past maxAddressesPerCustomer.
 */
export async function createAddress(
  ctx: ServiceContext,
  input: ShippingAddress,
): Promise<AddressView> {
  const customerId = requireCustomerId(ctx);
  const address = validateShippingAddress(input);

  return ctx.db.transaction().execute(async (trx) => {
    const { count } = await trx
      .selectFrom('customer_addresses')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    if (Number(count) >= maxAddressesPerCustomer) {
      throw new AppError(
        'VALIDATION_FAILED',
        `An account may keep at most ${maxAddressesPerCustomer} addresses; delete one first.`,
      );
    }

    const row = toRow(randomId(), customerId, address, nowIso());
    await trx.insertInto('customer_addresses').values(row).execute();
    return toAddressView(row);
  });
}

/**
 * Changes fields of one of the signed-in customer's addresses; the result is checked as a whole.
 * Someone else's address raises NOT_FOUND like a missing one (see loadOwnedAddress).
 */
export async function updateAddress(
  ctx: ServiceContext,
  addressId: string,
  changes: Partial<ShippingAddress>,
): Promise<AddressView> {
  const current = await loadOwnedAddress(ctx, addressId);
  const address = validateShippingAddress({ ...addressOfRow(current), ...changes });

  const row = toRow(current.id, current.customer_id, address, current.created_at);
  await ctx.db
    .updateTable('customer_addresses')
    .set(addressColumns(row))
    .where('id', '=', current.id)
    .where('customer_id', '=', current.customer_id)
    .execute();
  return toAddressView(row);
}

/** Deletes one of the signed-in customer's addresses; someone else's raises NOT_FOUND. */
export async function deleteAddress(ctx: ServiceContext, addressId: string): Promise<void> {
  const current = await loadOwnedAddress(ctx, addressId);

  await ctx.db
    .deleteFrom('customer_addresses')
    .where('id', '=', current.id)
    .where('customer_id', '=', current.customer_id)
    .execute();
}

/**
 * Loads an address of the signed-in customer. Raises NOT_FOUND for a missing address and for
 * another customer's alike, and records an `object_access_denied` event for the second.
 */
async function loadOwnedAddress(
  ctx: ServiceContext,
  addressId: string,
): Promise<CustomerAddressRow> {
  const customerId = requireCustomerId(ctx);
  const row = await ctx.db
    .selectFrom('customer_addresses')
    .selectAll()
    .where('id', '=', addressId)
    .executeTakeFirst();
  if (!row) throw notFound('The address');

  if (row.customer_id !== customerId) {
    await recordAccessDenied(ctx, 'address', addressId);
    throw notFound('The address');
  }
  return row;
}

function toRow(
  id: string,
  customerId: string,
  address: ShippingAddress,
  createdAt: string,
): CustomerAddressRow {
  return {
    id,
    customer_id: customerId,
    name: address.name,
    line1: address.line1,
    line2: address.line2,
    city: address.city,
    region: address.region,
    postal_code: address.postalCode,
    country: address.country,
    created_at: createdAt,
  };
}

function addressColumns(row: CustomerAddressRow) {
  const { id: _id, customer_id: _customer, created_at: _created, ...columns } = row;
  return columns;
}

/** Returns the postal address stored in a saved-address row. */
export function addressOfRow(row: CustomerAddressRow): ShippingAddress {
  return {
    name: row.name,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    region: row.region,
    postalCode: row.postal_code,
    country: row.country,
  };
}

function toAddressView(row: CustomerAddressRow): AddressView {
  return { id: row.id, ...addressOfRow(row), createdAt: row.created_at };
}
