import type { FastifyInstance } from 'fastify';

import type { ShopDeps } from '../server/app.js';
import { setErrorPageRenderer } from '../server/error-handler.js';
import { registerCartPages } from './cart-pages.routes.js';
import { registerCatalogPages } from './catalog-pages.routes.js';
import { registerCheckoutPages } from './checkout-pages.routes.js';
import { ErrorPage } from './pages/error.js';
import { renderDocument } from './render.js';
import { registerReviewPages } from './review-pages.routes.js';

/**
 * Registers the server-rendered storefront: catalog pages with their reviews, the cart, checkout
 * and order status.
 * Every page works without JavaScript. Errors on page routes, and on any non-API request that
 * accepts HTML, are shown as an HTML page carrying the problem's title, detail and request id.
 */
export function registerStorefrontRoutes(app: FastifyInstance, deps: ShopDeps): void {
  setErrorPageRenderer((problem) =>
    renderDocument(
      // The error page skips the cart count and collection links: it must render even when the
      // database is the reason for the error, and it has to stay synchronous.
      <ErrorPage
        chrome={{ assets: deps.assets, cartItemCount: null, navCollections: [] }}
        problem={problem}
      />,
    ),
  );

  registerCatalogPages(app, deps);
  registerCartPages(app, deps);
  registerCheckoutPages(app, deps);
  registerReviewPages(app, deps);
}
