import { type Kysely, sql } from 'kysely';

import type { Database } from '../db/schema.js';

/** The FTS5 table created by the initial migration (SQLite only); one row per product. */
export type SearchTables = {
  product_search: {
    product_id: string;
    title: string;
    body_text: string;
    tags: string;
    skus: string;
  };
};

/** The database with the search index visible to Kysely's types. */
export type CatalogDatabase = Database & SearchTables;

export function withSearchIndex(db: Kysely<Database>): Kysely<CatalogDatabase> {
  return db.withTables<SearchTables>();
}

/** Search terms after the first 16 are ignored, which keeps a 200-character query cheap. */
const maxTerms = 16;

/**
 * Turns what a shopper typed into an FTS5 query in which no FTS syntax from the input survives.
 * The input is split into words at anything but letters and digits (as the unicode61
 * tokenizer does), and each word becomes a quoted prefix term: `red shoe` → `"red"* "shoe"*`,
 * which matches products containing both words. Returns undefined when no word is left.
 */
export function toFtsQuery(input: string): string | undefined {
  const words = input
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}\p{M}]+/u)
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .slice(0, maxTerms);
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word}"*`).join(' ');
}

/** The text a product is found by. */
export interface SearchEntry {
  title: string;
  bodyText: string;
  tags: string[];
  skus: string[];
}

/**
 * Replaces a product's row in the search index; call inside the transaction that writes it.
 *
 * NOTE: product_search is an SQLite FTS5 table. PostgreSQL, which DATABASE_URL accepts but
 * openDatabase does not connect yet, will need its own index here and in product-listing.ts.
 */
export async function replaceSearchEntry(
  db: Kysely<Database>,
  productId: string,
  entry: SearchEntry,
): Promise<void> {
  const search = withSearchIndex(db);
  await search.deleteFrom('product_search').where('product_id', '=', productId).execute();
  await search
    .insertInto('product_search')
    .values({
      product_id: productId,
      title: entry.title,
      body_text: entry.bodyText,
      tags: entry.tags.join(' , '),
      skus: entry.skus.filter((sku) => sku !== '').join(' '),
    })
    .execute();
}

/**
 * Relevance of a search hit, lower is better: bm25 with title matches weighted 10, tags and
 * SKUs 4 and the body 1. The weights list one value per column of the FTS table.
 */
export const searchScore = sql<number>`bm25(product_search, 0.0, 10.0, 1.0, 4.0, 4.0)`;

export function matches(ftsQuery: string) {
  return sql<boolean>`product_search MATCH ${ftsQuery}`;
}
