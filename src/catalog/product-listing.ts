import { type Kysely, sql } from 'kysely';

import type { Database } from '../db/schema.js';
import type { CollectionFilter } from './catalog.service.js';
import { decodeCursor, encodeCursor, type ListingCursor } from './listing-cursor.js';
import { matches, searchScore, toFtsQuery, withSearchIndex } from './search.js';
import { slugify } from './slug.js';

/** The product columns a listing needs to build its summaries. */
export interface ListingRow {
  id: string;
  handle: string;
  title: string;
  vendor: string;
  product_type: string;
}

export interface ListingPage {
  rows: ListingRow[];
  nextCursor: string | null;
}

interface ListingQuery {
  collection?: CollectionFilter;
  query?: string;
  limit: number;
  cursor?: string;
}

const listingColumns = [
  'products.id',
  'products.handle',
  'products.title',
  'products.vendor',
  'products.product_type',
] as const;

const titleOrder = sql<string>`products.title COLLATE NOCASE`;

/** Products shoppers may see: active and published. Draft and archived products never are. */
export function visibleProducts(db: Kysely<Database>) {
  return withSearchIndex(db)
    .selectFrom('products')
    .where('products.status', '=', 'active')
    .where('products.published', '=', 1);
}

/**
 * Reads one page of visible products, filtered by collection and, when `query` contains words,
 * matched against the search index and ordered by relevance. `limit` must already be clamped.
 */
export async function listVisibleProducts(
  db: Kysely<Database>,
  q: ListingQuery,
): Promise<ListingPage> {
  const query = q.query?.trim() ?? '';
  const searching = query !== '';
  const search = searching ? toFtsQuery(query) : undefined;
  const cursor = q.cursor ? decodeCursor(q.cursor, searching ? 'score' : 'title') : undefined;

  // A query with no letters or digits in it (only punctuation or emoji) matches nothing.
  if (searching && search === undefined) return { rows: [], nextCursor: null };

  const base = await filterByCollection(db, q.collection);
  if (base === undefined) return { rows: [], nextCursor: null };

  return search === undefined
    ? pageByTitle(base, cursor, q.limit)
    : pageByScore(base, search, cursor, q.limit);
}

type ProductQuery = ReturnType<typeof visibleProducts>;

/** Narrows the visible products to a collection; undefined when no product can match. */
async function filterByCollection(
  db: Kysely<Database>,
  collection: CollectionFilter | undefined,
): Promise<ProductQuery | undefined> {
  const base = visibleProducts(db);
  if (collection === undefined) return base;

  if (collection.kind === 'tag') {
    return base.where((eb) =>
      eb.exists(
        eb
          .selectFrom('product_tags')
          .select('product_tags.product_id')
          .whereRef('product_tags.product_id', '=', 'products.id')
          .where('product_tags.tag', '=', collection.slug),
      ),
    );
  }

  const typeNames = await typeNamesForSlug(db, collection.slug);
  if (typeNames.length === 0) return undefined;
  return base.where('products.product_type', 'in', typeNames);
}

/** Product types are stored as written, so the slug is matched against the distinct names. */
async function typeNamesForSlug(db: Kysely<Database>, slug: string): Promise<string[]> {
  const rows = await visibleProducts(db).select('products.product_type').distinct().execute();
  return rows
    .map((row) => row.product_type)
    .filter((name) => slug !== '' && slugify(name) === slug);
}

async function pageByTitle(
  base: ProductQuery,
  cursor: ListingCursor | undefined,
  limit: number,
): Promise<ListingPage> {
  let query = base.select(listingColumns).orderBy(titleOrder).orderBy('products.id');
  if (cursor?.order === 'title') {
    const { title, id } = cursor;
    query = query.where((eb) =>
      eb.or([
        eb(titleOrder, '>', title),
        eb.and([eb(titleOrder, '=', title), eb('products.id', '>', id)]),
      ]),
    );
  }

  const rows = await query.limit(limit + 1).execute();
  return toPage(rows, limit, (last) => ({ order: 'title', title: last.title, id: last.id }));
}

async function pageByScore(
  base: ProductQuery,
  ftsQuery: string,
  cursor: ListingCursor | undefined,
  limit: number,
): Promise<ListingPage> {
  let query = base
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('product_search')
          .select(['product_search.product_id', searchScore.as('score')])
          .where(matches(ftsQuery))
          .as('hits'),
      (join) => join.onRef('hits.product_id', '=', 'products.id'),
    )
    .select([...listingColumns, 'hits.score'])
    .orderBy('hits.score')
    .orderBy('products.id');
  if (cursor?.order === 'score') {
    const { score, id } = cursor;
    query = query.where((eb) =>
      eb.or([
        eb('hits.score', '>', score),
        eb.and([eb('hits.score', '=', score), eb('products.id', '>', id)]),
      ]),
    );
  }

  const rows = await query.limit(limit + 1).execute();
  return toPage(rows, limit, (last) => ({ order: 'score', score: last.score, id: last.id }));
}

function toPage<Row extends ListingRow>(
  rows: Row[],
  limit: number,
  cursorAfter: (last: Row) => ListingCursor,
): ListingPage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor(cursorAfter(last)) : null;
  return { rows: page.map(toListingRow), nextCursor };
}

function toListingRow(row: ListingRow): ListingRow {
  return {
    id: row.id,
    handle: row.handle,
    title: row.title,
    vendor: row.vendor,
    product_type: row.product_type,
  };
}
