import { type Kysely, sql } from 'kysely';

import type { Database, NewVariant } from '../../db/schema.js';
import { nowIso, randomId } from '../../server/ids.js';
import { replaceSearchEntry } from '../search.js';
import { slugify } from '../slug.js';
import type { ImageDraft, ProductDraft, VariantDraft } from './product-draft.js';
import { matchVariants } from './variant-matching.js';

export type WriteOutcome = 'created' | 'updated';

/**
 * Creates or updates a product by handle in one transaction, so a product is stored whole or
 * not at all. On update the product keeps its id, variants keep theirs (see matchVariants),
 * images are matched by URL, and rows the file no longer lists are deleted.
 */
export async function writeProduct(
  db: Kysely<Database>,
  draft: ProductDraft,
): Promise<WriteOutcome> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('products')
      .select('id')
      .where('handle', '=', draft.handle)
      .executeTakeFirst();
    const productId = existing?.id ?? randomId();

    if (existing) await updateProduct(trx, productId, draft);
    else await insertProduct(trx, productId, draft);

    await replaceTags(trx, productId, draft.tags);
    await syncVariants(trx, productId, draft.variants);
    await syncImages(trx, productId, draft.images);
    await replaceSearchEntry(trx, productId, {
      title: draft.title,
      bodyText: draft.bodyText,
      tags: draft.tags,
      skus: draft.variants.map((variant) => variant.sku),
    });
    return existing ? 'updated' : 'created';
  });
}

function productColumns(draft: ProductDraft) {
  return {
    title: draft.title,
    body_html: draft.bodyHtml,
    body_text: draft.bodyText,
    vendor: draft.vendor,
    product_type: draft.productType,
    tags: draft.tags.join(', '),
    status: draft.status,
    published: draft.published ? 1 : 0,
    option1_name: draft.optionNames[0],
    option2_name: draft.optionNames[1],
    option3_name: draft.optionNames[2],
    updated_at: nowIso(),
  };
}

async function insertProduct(trx: Kysely<Database>, id: string, draft: ProductDraft) {
  const columns = productColumns(draft);
  await trx
    .insertInto('products')
    .values({ id, handle: draft.handle, ...columns, created_at: columns.updated_at })
    .execute();
}

async function updateProduct(trx: Kysely<Database>, id: string, draft: ProductDraft) {
  await trx.updateTable('products').set(productColumns(draft)).where('id', '=', id).execute();
}

async function replaceTags(trx: Kysely<Database>, productId: string, tags: string[]) {
  await trx.deleteFrom('product_tags').where('product_id', '=', productId).execute();

  const slugs = [...new Set(tags.map(slugify))].filter((slug) => slug !== '');
  if (slugs.length === 0) return;
  await trx
    .insertInto('product_tags')
    .values(slugs.map((tag) => ({ product_id: productId, tag })))
    .execute();
}

async function syncVariants(trx: Kysely<Database>, productId: string, drafts: VariantDraft[]) {
  const stored = await trx
    .selectFrom('variants')
    .select(['id', 'sku', 'position'])
    .where('product_id', '=', productId)
    .execute();
  const matched = matchVariants(stored, drafts);

  const keptIds = new Set(matched.values());
  const removedIds = stored
    .filter((variant) => !keptIds.has(variant.id))
    .map((variant) => variant.id);
  if (removedIds.length > 0)
    await trx.deleteFrom('variants').where('id', 'in', removedIds).execute();

  // Kept variants may swap positions; moving them to negative positions first keeps the
  // unique (product_id, position) constraint satisfied while they are renumbered.
  await trx
    .updateTable('variants')
    .set({ position: sql<number>`-position` })
    .where('product_id', '=', productId)
    .execute();

  for (const draft of drafts) {
    const id = matched.get(draft.position);
    const columns = variantColumns(productId, draft);
    if (id) await trx.updateTable('variants').set(columns).where('id', '=', id).execute();
    else
      await trx
        .insertInto('variants')
        .values({ id: randomId(), ...columns })
        .execute();
  }
}

function variantColumns(productId: string, draft: VariantDraft): Omit<NewVariant, 'id'> {
  return {
    product_id: productId,
    position: draft.position,
    sku: draft.sku,
    option1: draft.options[0],
    option2: draft.options[1],
    option3: draft.options[2],
    price_minor: draft.priceMinor,
    compare_at_minor: draft.compareAtMinor,
    grams: draft.grams,
    barcode: draft.barcode,
    taxable: draft.taxable ? 1 : 0,
    requires_shipping: draft.requiresShipping ? 1 : 0,
    inventory_tracked: draft.inventoryTracked ? 1 : 0,
    inventory_quantity: draft.inventoryQuantity,
    inventory_policy: draft.inventoryPolicy,
    image_src: draft.imageSrc,
  };
}

async function syncImages(trx: Kysely<Database>, productId: string, drafts: ImageDraft[]) {
  const stored = await trx
    .selectFrom('images')
    .select(['id', 'src'])
    .where('product_id', '=', productId)
    .execute();
  const idBySrc = new Map(stored.map((image) => [image.src, image.id]));

  const importedSrcs = new Set(drafts.map((image) => image.src));
  const removedIds = stored
    .filter((image) => !importedSrcs.has(image.src))
    .map((image) => image.id);
  if (removedIds.length > 0) await trx.deleteFrom('images').where('id', 'in', removedIds).execute();

  for (const draft of drafts) {
    const id = idBySrc.get(draft.src);
    const columns = { position: draft.position, alt: draft.alt };
    if (id) await trx.updateTable('images').set(columns).where('id', '=', id).execute();
    else {
      await trx
        .insertInto('images')
        .values({ id: randomId(), product_id: productId, src: draft.src, ...columns })
        .execute();
    }
  }
}
