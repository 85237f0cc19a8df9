import type { Kysely } from 'kysely';

import type { Database, ProductRow, VariantRow } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { CollectionCounter, splitTags } from './collections.js';
import { listVisibleProducts, type ListingRow, visibleProducts } from './product-listing.js';
import {
  collectOptions,
  summarisePrices,
  toImage,
  toVariantView,
  variantTitle,
} from './product-views.js';

// Stock changes live in stock.ts; callers import them from here with the rest of the catalog.
export { releaseStock, reserveStock } from './stock.js';

export interface ProductImage {
  src: string;
  alt: string;
}

export interface ProductSummary {
  id: string;
  handle: string;
  title: string;
  vendor: string;
  productType: string;
  priceMinMinor: number;
  priceMaxMinor: number;
  /** Compare-at price of the cheapest variant, only when it is higher than its price. */
  compareAtMinor: number | null;
  currency: string;
  image: ProductImage | null;
  available: boolean;
}

export interface VariantView {
  id: string;
  /** "Red / M", or the product title for a variant without options. */
  title: string;
  sku: string;
  /** Option values in order; empty for a variant without options. */
  options: string[];
  priceMinor: number;
  compareAtMinor: number | null;
  /** False when stock is tracked, the policy is deny and the quantity is 0 or less. */
  available: boolean;
  stock: 'in_stock' | 'low_stock' | 'sold_out' | 'backorder' | 'untracked';
  imageSrc: string | null;
}

export interface ProductDetail extends ProductSummary {
  /** Sanitised at import with an allowlist; safe to render as HTML. */
  bodyHtml: string;
  tags: string[];
  options: { name: string; values: string[] }[];
  variants: VariantView[];
  images: ProductImage[];
}

export type CollectionFilter = { kind: 'type' | 'tag'; slug: string };

export interface Collection {
  name: string;
  slug: string;
  productCount: number;
}

export interface ProductListQuery {
  collection?: CollectionFilter;
  query?: string;
  limit: number;
  cursor?: string;
}

export interface ProductPage {
  items: ProductSummary[];
  nextCursor: string | null;
}

/** Pages of products never hold more than this many items, whatever the caller asks for. */
export const maxPageSize = 100;

/**
 * Lists active, published products a page at a time, ordered by title, or by relevance when
 * `query` contains words. `limit` is clamped to 1..100. The cursor is the `nextCursor` of the
 * previous page, and a cursor that does not fit the listing throws AppError VALIDATION_FAILED.
 */
export async function listProducts(ctx: ServiceContext, q: ProductListQuery): Promise<ProductPage> {
  const limit = Math.min(Math.max(Math.trunc(q.limit) || 1, 1), maxPageSize);
  const page = await listVisibleProducts(ctx.db, { ...q, limit });

  const items = await summarise(ctx, page.rows);
  return { items, nextCursor: page.nextCursor };
}

/** Returns an active, published product with its variants and images, or undefined. */
export async function getProductByHandle(
  ctx: ServiceContext,
  handle: string,
): Promise<ProductDetail | undefined> {
  const product = await visibleProducts(ctx.db)
    .selectAll('products')
    .where('products.handle', '=', handle)
    .executeTakeFirst();
  if (!product) return undefined;

  const variants = await variantsOf(ctx.db, [product.id]);
  const images = await ctx.db
    .selectFrom('images')
    .select(['src', 'alt'])
    .where('product_id', '=', product.id)
    .orderBy('position')
    .execute();

  return toDetail(ctx, product, variants, images.map(toImage));
}

/**
 * Returns the product types and tags of active, published products with their product counts,
 * each sorted by name. Types and tags whose slug would be empty are left out.
 */
export async function listCollections(
  ctx: ServiceContext,
): Promise<{ types: Collection[]; tags: Collection[] }> {
  // Every page shows the collections, so they are counted once per catalog version. The version
  // comes from the database, which lets an import by another process show up on the next call.
  const version = await catalogVersion(ctx.db);
  const cached = collectionCache.get(ctx.db);
  if (cached?.version === version) return cached.collections;

  const products = await visibleProducts(ctx.db)
    .select(['products.product_type', 'products.tags'])
    .execute();

  const types = new CollectionCounter();
  const tags = new CollectionCounter();
  for (const product of products) {
    types.add([product.product_type]);
    tags.add(splitTags(product.tags));
  }

  const collections = { types: types.sorted(), tags: tags.sorted() };
  collectionCache.set(ctx.db, { version, collections });
  return collections;
}

const collectionCache = new WeakMap<
  Kysely<Database>,
  { version: string; collections: { types: Collection[]; tags: Collection[] } }
>();

/** Changes whenever a product is added or updated, since every import write sets updated_at. */
async function catalogVersion(db: Kysely<Database>): Promise<string> {
  const row = await db
    .selectFrom('products')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('updated_at').as('latest')])
    .executeTakeFirstOrThrow();
  return `${row.count} ${row.latest ?? ''}`;
}

export interface PurchasableVariant {
  id: string;
  productId: string;
  handle: string;
  productTitle: string;
  variantTitle: string;
  sku: string;
  priceMinor: number;
  inventoryTracked: boolean;
  inventoryQuantity: number;
  inventoryPolicy: 'deny' | 'continue';
  imageSrc: string | null;
  requiresShipping: boolean;
}

/**
 * Looks up variants for a cart or checkout. Variants of draft, archived, unpublished or
 * unknown products are absent from the map.
 */
export async function findPurchasableVariants(
  ctx: ServiceContext,
  ids: string[],
): Promise<Map<string, PurchasableVariant>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();

  const rows = await visibleProducts(ctx.db)
    .innerJoin('variants', 'variants.product_id', 'products.id')
    .selectAll('variants')
    .select(['products.handle', 'products.title as product_title'])
    .where('variants.id', 'in', unique)
    .execute();

  return new Map(rows.map((row) => [row.id, toPurchasable(row)]));
}

async function summarise(ctx: ServiceContext, rows: ListingRow[]): Promise<ProductSummary[]> {
  const ids = rows.map((row) => row.id);
  const variants = groupBy(await variantsOf(ctx.db, ids), (variant) => variant.product_id);
  const images = await firstImages(ctx.db, ids);

  return rows.map((row) => {
    const productVariants = variants.get(row.id) ?? [];
    return {
      id: row.id,
      handle: row.handle,
      title: row.title,
      vendor: row.vendor,
      productType: row.product_type,
      ...summarisePrices(productVariants),
      currency: ctx.config.currency,
      image: images.get(row.id) ?? firstVariantImage(productVariants),
    };
  });
}

function toDetail(
  ctx: ServiceContext,
  product: ProductRow,
  variants: VariantRow[],
  images: ProductImage[],
): ProductDetail {
  const optionNames = [product.option1_name, product.option2_name, product.option3_name];
  return {
    id: product.id,
    handle: product.handle,
    title: product.title,
    vendor: product.vendor,
    productType: product.product_type,
    ...summarisePrices(variants),
    currency: ctx.config.currency,
    image: images[0] ?? firstVariantImage(variants),
    bodyHtml: product.body_html,
    tags: splitTags(product.tags),
    options: collectOptions(optionNames, variants),
    variants: variants.map((variant) => toVariantView(variant, product.title)),
    images,
  };
}

function toPurchasable(
  row: VariantRow & { handle: string; product_title: string },
): PurchasableVariant {
  return {
    id: row.id,
    productId: row.product_id,
    handle: row.handle,
    productTitle: row.product_title,
    variantTitle: variantTitle(row, row.product_title),
    sku: row.sku,
    priceMinor: row.price_minor,
    inventoryTracked: row.inventory_tracked === 1,
    inventoryQuantity: row.inventory_quantity,
    inventoryPolicy: row.inventory_policy,
    imageSrc: row.image_src,
    requiresShipping: row.requires_shipping === 1,
  };
}

async function variantsOf(db: Kysely<Database>, productIds: string[]): Promise<VariantRow[]> {
  if (productIds.length === 0) return [];
  return db
    .selectFrom('variants')
    .selectAll()
    .where('product_id', 'in', productIds)
    .orderBy('product_id')
    .orderBy('position')
    .execute();
}

async function firstImages(
  db: Kysely<Database>,
  productIds: string[],
): Promise<Map<string, ProductImage>> {
  if (productIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('images')
    .select(['product_id', 'src', 'alt'])
    .where('product_id', 'in', productIds)
    .where('position', '=', 1)
    .execute();
  return new Map(rows.map((row) => [row.product_id, toImage(row)]));
}

function firstVariantImage(variants: VariantRow[]): ProductImage | null {
  const src = variants.find((variant) => variant.image_src)?.image_src;
  return src ? { src, alt: '' } : null;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
