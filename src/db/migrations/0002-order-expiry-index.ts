import type { Kysely } from 'kysely';

/**
 * Indexes orders by status and creation time, so the sweep that expires unpaid orders finds the
 * oldest pending ones without scanning the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('orders_status_created_idx')
    .on('orders')
    .columns(['status', 'created_at'])
    .execute();
}
