import type { Kysely } from 'kysely';

import type { Database, InventoryPolicy, NewVariant, ProductStatus } from '../../src/db/schema.js';
import { nowIso, randomId } from '../../src/server/ids.js';

/**
 * A small catalog written straight into the tables, for tests of carts, checkout and orders.
 * Each entry covers one case those domains must handle.
 */
export interface CatalogFixture {
  /** Tracked, deny policy, 5 in stock, 25.00. */
  hat: string;
  /** Tracked, deny policy, sold out (0 in stock), 25.00. */
  soldOutHat: string;
  /** Tracked, continue policy (backorders allowed), 1 in stock, 15.00. */
  poster: string;
  /** Untracked and not shipped (digital), 50.00. */
  giftCard: string;
  /** Variants of a draft, an archived and an unpublished product: never purchasable. */
  draft: string;
  archived: string;
  unpublished: string;
}

interface ProductSpec {
  handle: string;
  title: string;
  status: ProductStatus;
  published: boolean;
  variants: VariantSpec[];
}

interface VariantSpec {
  sku: string;
  option1: string | null;
  priceMinor: number;
  tracked: boolean;
  quantity: number;
  policy: InventoryPolicy;
  requiresShipping: boolean;
}

function variant(sku: string, overrides: Partial<VariantSpec> = {}): VariantSpec {
  return {
    sku,
    option1: null,
    priceMinor: 1000,
    tracked: true,
    quantity: 10,
    policy: 'deny',
    requiresShipping: true,
    ...overrides,
  };
}

const products: ProductSpec[] = [
  {
    handle: 'wool-hat',
    title: 'Wool Hat',
    status: 'active',
    published: true,
    variants: [
      variant('HAT-RED', { option1: 'Red', priceMinor: 2500, quantity: 5 }),
      variant('HAT-BLUE', { option1: 'Blue', priceMinor: 2500, quantity: 0 }),
    ],
  },
  {
    handle: 'poster',
    title: 'Poster',
    status: 'active',
    published: true,
    variants: [variant('POSTER', { priceMinor: 1500, quantity: 1, policy: 'continue' })],
  },
  {
    handle: 'gift-card',
    title: 'Gift Card',
    status: 'active',
    published: true,
    variants: [variant('GIFT', { priceMinor: 5000, tracked: false, requiresShipping: false })],
  },
  {
    handle: 'draft-mug',
    title: 'Draft Mug',
    status: 'draft',
    published: true,
    variants: [variant('MUG')],
  },
  {
    handle: 'old-scarf',
    title: 'Old Scarf',
    status: 'archived',
    published: true,
    variants: [variant('SCARF')],
  },
  {
    handle: 'hidden-tote',
    title: 'Hidden Tote',
    status: 'active',
    published: false,
    variants: [variant('TOTE')],
  },
];

/** Inserts the fixture catalog and returns the variant ids by role. */
export async function seedCatalogFixture(db: Kysely<Database>): Promise<CatalogFixture> {
  const ids = new Map<string, string>();
  for (const product of products) {
    await insertProduct(db, product, ids);
  }

  const id = (sku: string) => ids.get(sku) ?? '';
  return {
    hat: id('HAT-RED'),
    soldOutHat: id('HAT-BLUE'),
    poster: id('POSTER'),
    giftCard: id('GIFT'),
    draft: id('MUG'),
    archived: id('SCARF'),
    unpublished: id('TOTE'),
  };
}

/**
 * Inserts one more active, published product with `count` untracked variants at `priceMinor`
 * each, and returns their ids. Used to reach the limits on cart lines and amounts.
 */
export async function seedProductWithVariants(
  db: Kysely<Database>,
  handle: string,
  count: number,
  priceMinor: number,
): Promise<string[]> {
  const variants = Array.from({ length: count }, (_, index) =>
    variant(`${handle.toUpperCase()}-${index + 1}`, {
      option1: `Size ${index + 1}`,
      priceMinor,
      tracked: false,
    }),
  );
  const ids = new Map<string, string>();
  await insertProduct(
    db,
    { handle, title: handle, status: 'active', published: true, variants },
    ids,
  );
  return variants.map((entry) => ids.get(entry.sku) ?? '');
}

/** Sets a variant's stock directly, as another shopper's purchase or an admin would. */
export async function setStock(
  db: Kysely<Database>,
  variantId: string,
  quantity: number,
): Promise<void> {
  await db
    .updateTable('variants')
    .set({ inventory_quantity: quantity })
    .where('id', '=', variantId)
    .execute();
}

export async function readStock(db: Kysely<Database>, variantId: string): Promise<number> {
  const row = await db
    .selectFrom('variants')
    .select('inventory_quantity')
    .where('id', '=', variantId)
    .executeTakeFirstOrThrow();
  return row.inventory_quantity;
}

async function insertProduct(db: Kysely<Database>, spec: ProductSpec, ids: Map<string, string>) {
  const productId = randomId();
  const now = nowIso();
  await db
    .insertInto('products')
    .values({
      id: productId,
      handle: spec.handle,
      title: spec.title,
      body_html: `<p>${spec.title}</p>`,
      body_text: spec.title,
      vendor: 'Fixture Co',
      product_type: 'Accessories',
      tags: 'fixture',
      status: spec.status,
      published: spec.published ? 1 : 0,
      option1_name: spec.variants.some((entry) => entry.option1) ? 'Color' : null,
      option2_name: null,
      option3_name: null,
      created_at: now,
      updated_at: now,
    })
    .execute();

  const rows: NewVariant[] = spec.variants.map((entry, index) => {
    const id = randomId();
    ids.set(entry.sku, id);
    return {
      id,
      product_id: productId,
      position: index + 1,
      sku: entry.sku,
      option1: entry.option1,
      option2: null,
      option3: null,
      price_minor: entry.priceMinor,
      compare_at_minor: null,
      grams: 100,
      barcode: '',
      taxable: 1,
      requires_shipping: entry.requiresShipping ? 1 : 0,
      inventory_tracked: entry.tracked ? 1 : 0,
      inventory_quantity: entry.quantity,
      inventory_policy: entry.policy,
      image_src: null,
    };
  });
  await db.insertInto('variants').values(rows).execute();
}
