import type { CollectionFilter } from '../catalog/catalog.service.js';

/** URL builders for storefront pages; every dynamic segment is percent-encoded. */

export function productPath(handle: string, variantId?: string): string {
  const path = `/products/${encodeURIComponent(handle)}`;
  return variantId ? `${path}?${new URLSearchParams({ variant: variantId })}` : path;
}

export function collectionPath(kind: CollectionFilter['kind'], slug: string): string {
  return `/collections/${kind}/${encodeURIComponent(slug)}`;
}

/** Adds `cursor` to a listing path, keeping its other query parameters. */
export function withCursor(path: string, cursor: string): string {
  const url = new URL(path, 'http://storefront.invalid');
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}${url.search}`;
}

export function searchPath(query: string): string {
  return `/search?${new URLSearchParams({ q: query })}`;
}

export function orderPath(orderId: string, token?: string): string {
  const path = `/orders/${encodeURIComponent(orderId)}`;
  return token ? `${path}?${new URLSearchParams({ token })}` : path;
}

/** Target of the order page's "Return to cart" form. */
export function returnToCartPath(orderId: string): string {
  return `/orders/${encodeURIComponent(orderId)}/return-to-cart`;
}

/** Target of the product page's form that publishes a new review. */
export function reviewCreatePath(productHandle: string): string {
  return `/products/${encodeURIComponent(productHandle)}/reviews`;
}

/** Target of the form that changes one of the signed-in customer's reviews. */
export function reviewPath(reviewId: string): string {
  return `/account/reviews/${encodeURIComponent(reviewId)}`;
}

export function reviewDeletePath(reviewId: string): string {
  return `${reviewPath(reviewId)}/delete`;
}
