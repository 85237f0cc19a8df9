import type { ProductDetail } from '../catalog/catalog.service.js';
import { findMyReviewOfProduct, listProductReviews } from '../customers/reviews.service.js';
import type { ServiceContext } from '../server/context.js';
import { reviewsAnchor, type ReviewsSection } from './pages/product-reviews.js';
import { productPath } from './paths.js';

/** Reviews shown on a product page at a time; older ones are one link further. */
export const reviewsPerPage = 10;

/**
 * Loads the reviews section of a product page: a page of published reviews with their count and
 * average, and for a signed-in customer their own review of the product, which their form edits.
 */
export async function loadReviewsSection(
  ctx: ServiceContext,
  product: ProductDetail,
  options: { cursor?: string | undefined; rejected?: ReviewsSection['rejected'] } = {},
): Promise<ReviewsSection> {
  const page = { limit: reviewsPerPage, cursor: options.cursor };
  const [list, own] = await Promise.all([
    listProductReviews(ctx, product.handle, page),
    ctx.customerId === null ? null : findMyReviewOfProduct(ctx, product.id),
  ]);

  const next = list.nextCursor === null ? null : new URLSearchParams({ reviews: list.nextCursor });
  return {
    count: list.count,
    averageRating: list.averageRating,
    items: list.items,
    nextPageHref: next === null ? null : `${productPath(product.handle)}?${next}#${reviewsAnchor}`,
    viewer: ctx.customerId === null ? null : { review: own },
    ...(options.rejected ? { rejected: options.rejected } : {}),
  };
}
