import { type Kysely, sql } from 'kysely';

import { recordAccessDenied } from '../cart/ownership.js';
import { getProductByHandle } from '../catalog/catalog.service.js';
import type { Database, ReviewRow } from '../db/schema.js';
import type { ServiceContext } from '../server/context.js';
import { AppError, notFound } from '../server/errors.js';
import { nowIso, randomId } from '../server/ids.js';
import { maxReviewLength } from './account.schema.js';
import { requireCustomerId } from './customer-context.js';
import { requireText } from './text-input.js';
import { decodeTimeCursor, encodeTimeCursor, type TimeCursor } from './time-cursor.js';

/**
 * Product reviews: one per customer and product, written by signed-in customers and shown to
 * everyone with the reviewer's first name only. Review text is stored and returned as plain
 * text, trimmed and NFC-normalised but otherwise as written. A page that shows it must escape
 * it, as Preact does for any text.
 */

export interface MyReviewView {
  id: string;
  productHandle: string;
  productTitle: string;
  rating: number;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface PublicReviewView {
  id: string;
  reviewerName: string;
  rating: number;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** Lists the signed-in customer's reviews, newest first, with the product each one is about. */
export async function listMyReviews(
  ctx: ServiceContext,
  page: PageRequest,
): Promise<Page<MyReviewView>> {
  const customerId = requireCustomerId(ctx);
  const rows = await myReviews(ctx.db)
    .where('reviews.customer_id', '=', customerId)
    .where(afterCursor(page.cursor))
    .orderBy('reviews.created_at', 'desc')
    .orderBy('reviews.id', 'desc')
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, toMyReviewView);
}

/**
 * Returns one of the signed-in customer's reviews. Raises NOT_FOUND for a missing review and for
 * another customer's alike, and records an `object_access_denied` event for the second.
 */
export async function getMyReview(ctx: ServiceContext, reviewId: string): Promise<MyReviewView> {
  const review = await loadOwnedReview(ctx, reviewId);
  return loadMyReviewView(ctx.db, review.id);
}

/** Returns the signed-in customer's review of a product, or null when they have not written one. */
export async function findMyReviewOfProduct(
  ctx: ServiceContext,
  productId: string,
): Promise<MyReviewView | null> {
  const customerId = requireCustomerId(ctx);
  const row = await myReviews(ctx.db)
    .where('reviews.customer_id', '=', customerId)
    .where('reviews.product_id', '=', productId)
    .executeTakeFirst();
  return row ? toMyReviewView(row) : null;
}

/**
 * Writes the signed-in customer's review of a product for sale. A second review of the same
 * product raises ALREADY_EXISTS with the id of the first, which the customer can edit instead.
 */
export async function createReview(
  ctx: ServiceContext,
  input: { productHandle: string; rating: number; body: string },
): Promise<MyReviewView> {
  const customerId = requireCustomerId(ctx);
  const rating = requireRating(input.rating);
  const body = requireReviewText(input.body);
  const product = await getProductByHandle(ctx, input.productHandle);
  if (!product) throw notFound('The product');

  const existing = await ctx.db
    .selectFrom('reviews')
    .select('id')
    .where('product_id', '=', product.id)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (existing) throw alreadyReviewed(existing.id);

  const now = nowIso();
  const row: ReviewRow = {
    id: randomId(),
    product_id: product.id,
    customer_id: customerId,
    rating,
    body,
    created_at: now,
    updated_at: now,
  };
  // The unique (product, customer) constraint settles two concurrent first reviews.
  await ctx.db
    .insertInto('reviews')
    .values(row)
    .execute()
    .catch(async (error: unknown) => {
      if (!isUniqueViolation(error)) throw error;
      throw alreadyReviewed(await ownReviewId(ctx.db, product.id, customerId));
    });
  ctx.log.info({ reviewId: row.id, productId: product.id }, 'review written');
  return loadMyReviewView(ctx.db, row.id);
}

/** Changes the rating or text of one of the signed-in customer's reviews. */
export async function updateReview(
  ctx: ServiceContext,
  reviewId: string,
  changes: { rating?: number | undefined; body?: string | undefined },
): Promise<MyReviewView> {
  const review = await loadOwnedReview(ctx, reviewId);
  const rating = changes.rating === undefined ? review.rating : requireRating(changes.rating);
  const body = changes.body === undefined ? review.body : requireReviewText(changes.body);

  await ctx.db
    .updateTable('reviews')
    .set({ rating, body, updated_at: nowIso() })
    .where('id', '=', review.id)
    .where('customer_id', '=', review.customer_id)
    .execute();
  return loadMyReviewView(ctx.db, review.id);
}

/** Deletes one of the signed-in customer's reviews. */
export async function deleteReview(ctx: ServiceContext, reviewId: string): Promise<void> {
  const review = await loadOwnedReview(ctx, reviewId);

  await ctx.db
    .deleteFrom('reviews')
    .where('id', '=', review.id)
    .where('customer_id', '=', review.customer_id)
    .execute();
}

/**
 * Lists the reviews of a product for sale, newest first, with their count and mean rating.
 * Reviewers appear by first name only. A product not for sale raises NOT_FOUND.
 */
export async function listProductReviews(
  ctx: ServiceContext,
  handle: string,
  page: PageRequest,
): Promise<Page<PublicReviewView> & { count: number; averageRating: number | null }> {
  const product = await getProductByHandle(ctx, handle);
  if (!product) throw notFound('The product');

  const rows = await ctx.db
    .selectFrom('reviews')
    .innerJoin('customers', 'customers.id', 'reviews.customer_id')
    .select([
      'reviews.id',
      'reviews.rating',
      'reviews.body',
      'reviews.created_at',
      'reviews.updated_at',
      'customers.name',
    ])
    .where('reviews.product_id', '=', product.id)
    .where(afterCursor(page.cursor))
    .orderBy('reviews.created_at', 'desc')
    .orderBy('reviews.id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const summary = await ctx.db
    .selectFrom('reviews')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.avg<number>('rating').as('mean')])
    .where('product_id', '=', product.id)
    .executeTakeFirstOrThrow();

  const count = Number(summary.count);
  return {
    ...toPage(rows, page.limit, (row) => ({
      id: row.id,
      reviewerName: firstNameOf(row.name),
      rating: row.rating,
      body: row.body,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    })),
    count,
    averageRating: count === 0 ? null : Math.round(Number(summary.mean) * 10) / 10,
  };
}

/**
 * Returns the first word of a customer's name, the only part of it shown with a review. A name
 * without letters or digits is shown as "A customer".
 */
export function firstNameOf(name: string): string {
  const [first = ''] = name.trim().split(/\s+/u);
  return /[\p{L}\p{N}]/u.test(first) ? first : 'A customer';
}

/**
 * Loads a review of the signed-in customer. Raises NOT_FOUND for a missing review and for
 * another customer's alike, and records an `object_access_denied` event for the second.
 */
async function loadOwnedReview(ctx: ServiceContext, reviewId: string): Promise<ReviewRow> {
  const customerId = requireCustomerId(ctx);
  const review = await ctx.db
    .selectFrom('reviews')
    .selectAll()
    .where('id', '=', reviewId)
    .executeTakeFirst();
  if (!review) throw notFound('The review');

  if (review.customer_id !== customerId) {
    await recordAccessDenied(ctx, 'review', reviewId);
    throw notFound('The review');
  }
  return review;
}

function myReviews(db: Kysely<Database>) {
  return db
    .selectFrom('reviews')
    .innerJoin('products', 'products.id', 'reviews.product_id')
    .select([
      'reviews.id',
      'reviews.rating',
      'reviews.body',
      'reviews.created_at',
      'reviews.updated_at',
      'products.handle',
      'products.title',
    ]);
}

async function loadMyReviewView(db: Kysely<Database>, reviewId: string): Promise<MyReviewView> {
  const row = await myReviews(db).where('reviews.id', '=', reviewId).executeTakeFirstOrThrow();
  return toMyReviewView(row);
}

type MyReviewRow = {
  id: string;
  rating: number;
  body: string;
  created_at: string;
  updated_at: string;
  handle: string;
  title: string;
};

function toMyReviewView(row: MyReviewRow): MyReviewView {
  return {
    id: row.id,
    productHandle: row.handle,
    productTitle: row.title,
    rating: row.rating,
    body: row.body,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Matches reviews after the cursor's position in newest-first order (all without one). */
function afterCursor(cursor: string | undefined) {
  if (cursor === undefined) return sql<boolean>`1 = 1`;

  const position = decodeTimeCursor(cursor);
  return sql<boolean>`(reviews.created_at < ${position.createdAt} OR
    (reviews.created_at = ${position.createdAt} AND reviews.id < ${position.id}))`;
}

function toPage<Row extends { id: string; created_at: string }, View>(
  rows: Row[],
  limit: number,
  view: (row: Row) => View,
): Page<View> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const cursor: TimeCursor | null =
    rows.length > limit && last ? { createdAt: last.created_at, id: last.id } : null;
  return { items: items.map(view), nextCursor: cursor ? encodeTimeCursor(cursor) : null };
}

function requireRating(value: number): number {
  if (Number.isInteger(value) && value >= 1 && value <= 5) return value;
  throw new AppError('VALIDATION_FAILED', 'rating must be a whole number from 1 to 5.', {
    errors: [{ field: 'rating', message: 'must be a whole number from 1 to 5' }],
  });
}

function requireReviewText(value: string): string {
  return requireText(value, 'body', { min: 1, max: maxReviewLength, multiline: true });
}

function alreadyReviewed(reviewId: string | undefined): AppError {
  return new AppError(
    'ALREADY_EXISTS',
    'You have already reviewed this product; edit that review instead.',
    reviewId === undefined ? {} : { reviewId },
  );
}

async function ownReviewId(
  db: Kysely<Database>,
  productId: string,
  customerId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('reviews')
    .select('id')
    .where('product_id', '=', productId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row?.id;
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
