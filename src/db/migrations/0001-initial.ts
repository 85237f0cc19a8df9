import { type Kysely, sql } from 'kysely';

import type { Dialect } from '../database.js';

/** Creates the catalog, cart, order, payment and security event tables. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('handle', 'text', (col) => col.notNull().unique())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('body_html', 'text', (col) => col.notNull())
    .addColumn('body_text', 'text', (col) => col.notNull())
    .addColumn('vendor', 'text', (col) => col.notNull())
    .addColumn('product_type', 'text', (col) => col.notNull())
    .addColumn('tags', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('published', 'integer', (col) => col.notNull())
    .addColumn('option1_name', 'text')
    .addColumn('option2_name', 'text')
    .addColumn('option3_name', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('products_type_idx')
    .on('products')
    .columns(['product_type'])
    .execute();

  await db.schema
    .createTable('product_tags')
    .addColumn('product_id', 'text', (col) =>
      col.notNull().references('products.id').onDelete('cascade'),
    )
    .addColumn('tag', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('product_tags_pk', ['product_id', 'tag'])
    .execute();
  await db.schema.createIndex('product_tags_tag_idx').on('product_tags').column('tag').execute();

  await db.schema
    .createTable('variants')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('product_id', 'text', (col) =>
      col.notNull().references('products.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('sku', 'text', (col) => col.notNull())
    .addColumn('option1', 'text')
    .addColumn('option2', 'text')
    .addColumn('option3', 'text')
    .addColumn('price_minor', 'bigint', (col) => col.notNull())
    .addColumn('compare_at_minor', 'bigint')
    .addColumn('grams', 'integer', (col) => col.notNull())
    .addColumn('barcode', 'text', (col) => col.notNull())
    .addColumn('taxable', 'integer', (col) => col.notNull())
    .addColumn('requires_shipping', 'integer', (col) => col.notNull())
    .addColumn('inventory_tracked', 'integer', (col) => col.notNull())
    .addColumn('inventory_quantity', 'integer', (col) => col.notNull())
    .addColumn('inventory_policy', 'text', (col) => col.notNull())
    .addColumn('image_src', 'text')
    .addUniqueConstraint('variants_product_position_uq', ['product_id', 'position'])
    .execute();
  await db.schema.createIndex('variants_sku_idx').on('variants').column('sku').execute();

  await db.schema
    .createTable('images')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('product_id', 'text', (col) =>
      col.notNull().references('products.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('src', 'text', (col) => col.notNull())
    .addColumn('alt', 'text', (col) => col.notNull())
    .addUniqueConstraint('images_product_src_uq', ['product_id', 'src'])
    .execute();

  await db.schema
    .createTable('carts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('visitor_hash', 'text', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('carts_visitor_idx').on('carts').column('visitor_hash').execute();

  await db.schema
    .createTable('cart_lines')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('cart_id', 'text', (col) => col.notNull().references('carts.id').onDelete('cascade'))
    .addColumn('variant_id', 'text', (col) => col.notNull())
    .addColumn('quantity', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('cart_lines_cart_variant_uq', ['cart_id', 'variant_id'])
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('visitor_hash', 'text', (col) => col.notNull())
    .addColumn('cart_id', 'text', (col) => col.notNull().unique())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('ship_name', 'text', (col) => col.notNull())
    .addColumn('ship_line1', 'text', (col) => col.notNull())
    .addColumn('ship_line2', 'text', (col) => col.notNull())
    .addColumn('ship_city', 'text', (col) => col.notNull())
    .addColumn('ship_region', 'text', (col) => col.notNull())
    .addColumn('ship_postal_code', 'text', (col) => col.notNull())
    .addColumn('ship_country', 'text', (col) => col.notNull())
    .addColumn('shipping_method', 'text', (col) => col.notNull())
    .addColumn('subtotal_minor', 'bigint', (col) => col.notNull())
    .addColumn('shipping_minor', 'bigint', (col) => col.notNull())
    .addColumn('total_minor', 'bigint', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('payment_provider', 'text', (col) => col.notNull())
    .addColumn('payment_reference', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('paid_at', 'text')
    .execute();
  await db.schema.createIndex('orders_visitor_idx').on('orders').column('visitor_hash').execute();

  await db.schema
    .createTable('order_lines')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('order_id', 'text', (col) =>
      col.notNull().references('orders.id').onDelete('cascade'),
    )
    .addColumn('variant_id', 'text', (col) => col.notNull())
    .addColumn('product_title', 'text', (col) => col.notNull())
    .addColumn('variant_title', 'text', (col) => col.notNull())
    .addColumn('sku', 'text', (col) => col.notNull())
    .addColumn('unit_price_minor', 'bigint', (col) => col.notNull())
    .addColumn('quantity', 'integer', (col) => col.notNull())
    .addColumn('line_total_minor', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('order_lines_order_idx')
    .on('order_lines')
    .column('order_id')
    .execute();

  await db.schema
    .createTable('payment_events')
    .addColumn('event_id', 'text', (col) => col.primaryKey())
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('order_id', 'text')
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('received_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('security_events')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (col) =>
      dialect === 'postgres' ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('request_id', 'text', (col) => col.notNull())
    .addColumn('details', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('security_events_kind_idx')
    .on('security_events')
    .columns(['kind', 'created_at'])
    .execute();

  if (dialect === 'sqlite') {
    // FTS5 index over the searchable text of each product, kept in step by the catalog service.
    await sql`CREATE VIRTUAL TABLE product_search USING fts5(
      product_id UNINDEXED, title, body_text, tags, skus,
      tokenize = 'unicode61 remove_diacritics 2'
    )`.execute(db);
  }
}
