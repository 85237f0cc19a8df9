import type { FastifyRequest } from 'fastify';

import { findOpenCartForVisitor } from '../cart/cart.service.js';
import { readVisitorHash } from '../cart/visitor.js';
import { type Collection, listCollections } from '../catalog/catalog.service.js';
import type { ShopDeps } from '../server/app.js';
import { contextOf, type ServiceContext } from '../server/context.js';
import type { PageChrome } from './layout.js';

/** Product types linked from the header; the rest are on /collections. */
const navCollectionLimit = 6;

/** Builds the service context of a page request, scoped to the visitor's cookie if there is one. */
export function pageContext(request: FastifyRequest, deps: ShopDeps): ServiceContext {
  return contextOf(request, deps, readVisitorHash(request, deps.secrets.signingKey));
}

export interface ChromeOptions {
  searchQuery?: string;
  /** Collections the page already loaded, to save a second query. */
  collections?: { types: Collection[]; tags: Collection[] };
}

/** Loads what the layout shows on every page: cart item count and the collection links. */
export async function loadChrome(
  ctx: ServiceContext,
  deps: ShopDeps,
  options: ChromeOptions = {},
): Promise<PageChrome> {
  // A signed-in customer's cart is found through the session even without a visitor cookie,
  // e.g. in a browser they have just logged in on, so there is no cookie check here.
  const [cart, collections] = await Promise.all([
    findOpenCartForVisitor(ctx),
    options.collections ?? listCollections(ctx),
  ]);

  return {
    assets: deps.assets,
    cartItemCount: cart?.itemCount ?? 0,
    signedIn: ctx.customerId !== null,
    navCollections: [...collections.types]
      .sort((a, b) => b.productCount - a.productCount)
      .slice(0, navCollectionLimit),
    ...(options.searchQuery !== undefined ? { searchQuery: options.searchQuery } : {}),
  };
}
