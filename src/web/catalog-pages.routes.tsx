import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';

import {
  type Collection,
  type CollectionFilter,
  getProductByHandle,
  listCollections,
  listProducts,
  type ProductDetail,
  type VariantView,
} from '../catalog/catalog.service.js';
import { slugify } from '../catalog/slug.js';
import type { ShopDeps } from '../server/app.js';
import { AppError, notFound } from '../server/errors.js';
import { loadChrome, pageContext } from './chrome.js';
import { formTokenFor } from './csrf-field.js';
import {
  collectionParams,
  htmlResponse,
  listingQuery,
  productParams,
  productQuery,
  searchQuery,
} from './forms.schema.js';
import { maxSearchLength } from './layout.js';
import { CollectionPage, CollectionsIndexPage } from './pages/collection.js';
import { HomePage } from './pages/home.js';
import { ProductPage } from './pages/product.js';
import type { ReviewsSection } from './pages/product-reviews.js';
import { SearchPage } from './pages/search.js';
import { collectionPath, searchPath, withCursor } from './paths.js';
import { loadReviewsSection } from './product-reviews.js';
import { sendPage } from './send-page.js';

/** Products per listing page; a multiple of 2, 3 and 4 so every grid row is full. */
export const pageSize = 24;
const homeProductCount = 8;

const page = { page: true, personal: false } as const;
/**
 * The product page carries the visitor's CSRF token in its forms, and a signed-in customer's own
 * review, so no cache may keep it.
 */
const productPage = { page: true, personal: true } as const;

/** Home, collections, search and product pages. None of them changes state. */
export function registerCatalogPages(parent: FastifyInstance, deps: ShopDeps): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const pageSchema = { hide: true, response: htmlResponse };

  app.get('/', { config: page, schema: pageSchema }, (request, reply) =>
    showHome(deps, request, reply),
  );

  app.get('/collections', { config: page, schema: pageSchema }, (request, reply) =>
    showCollectionsIndex(deps, request, reply),
  );

  for (const kind of ['type', 'tag'] as const) {
    app.get(
      `/collections/${kind}/:slug`,
      {
        config: page,
        schema: { ...pageSchema, params: collectionParams, querystring: listingQuery },
      },
      (request, reply) =>
        showCollection(deps, request, reply, {
          kind,
          slug: request.params.slug,
          cursor: request.query.cursor,
        }),
    );
  }

  app.get(
    '/search',
    {
      config: page,
      preValidation: rejectLongSearch,
      schema: { ...pageSchema, querystring: searchQuery },
    },
    (request, reply) => showSearch(deps, request, reply, request.query),
  );

  app.get(
    '/products/:handle',
    {
      config: productPage,
      schema: { ...pageSchema, params: productParams, querystring: productQuery },
    },
    (request, reply) =>
      sendProductPage(deps, request, reply, {
        handle: request.params.handle,
        variant: request.query.variant,
        reviewsCursor: request.query.reviews,
      }),
  );
}

async function showHome(deps: ShopDeps, request: FastifyRequest, reply: FastifyReply) {
  const ctx = pageContext(request, deps);
  const [products, collections] = await Promise.all([
    listProducts(ctx, { limit: homeProductCount }),
    listCollections(ctx),
  ]);
  const chrome = await loadChrome(ctx, deps, { collections });

  return sendPage(
    reply,
    <HomePage
      chrome={chrome}
      imageHosts={deps.config.imageHosts}
      products={products.items}
      collections={collections}
    />,
  );
}

async function showCollectionsIndex(deps: ShopDeps, request: FastifyRequest, reply: FastifyReply) {
  const ctx = pageContext(request, deps);
  const collections = await listCollections(ctx);
  const chrome = await loadChrome(ctx, deps, { collections });

  return sendPage(reply, <CollectionsIndexPage chrome={chrome} collections={collections} />);
}

async function showCollection(
  deps: ShopDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { kind: CollectionFilter['kind']; slug: string; cursor: string | undefined },
) {
  const { kind } = input;
  const ctx = pageContext(request, deps);
  const collections = await listCollections(ctx);
  const collection = findCollection(collections, kind, input.slug);
  if (!collection) throw notFound('This collection');

  const filter: CollectionFilter = { kind, slug: collection.slug };
  const [products, chrome] = await Promise.all([
    listProducts(ctx, { collection: filter, limit: pageSize, cursor: input.cursor }),
    loadChrome(ctx, deps, { collections }),
  ]);
  const path = collectionPath(kind, collection.slug);

  return sendPage(
    reply,
    <CollectionPage
      chrome={chrome}
      imageHosts={deps.config.imageHosts}
      collection={collection}
      kind={kind}
      products={products.items}
      nextPageHref={products.nextCursor ? withCursor(path, products.nextCursor) : null}
    />,
  );
}

async function showSearch(
  deps: ShopDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  input: Static<typeof searchQuery>,
) {
  const ctx = pageContext(request, deps);
  const imageHosts = deps.config.imageHosts;
  const query = (input.q ?? '').trim();
  const chrome = await loadChrome(ctx, deps, { searchQuery: query });
  if (query === '') {
    const prompt = <SearchPage chrome={chrome} imageHosts={imageHosts} query="" results={null} />;
    return sendPage(reply, prompt);
  }

  const found = await listProducts(ctx, { query, limit: pageSize, cursor: input.cursor });
  const nextPageHref = found.nextCursor ? withCursor(searchPath(query), found.nextCursor) : null;
  return sendPage(
    reply,
    <SearchPage
      chrome={chrome}
      imageHosts={imageHosts}
      query={query}
      results={{ products: found.items, nextPageHref }}
    />,
  );
}

/** Request state of a product page besides the handle: variant choice and reviews. */
export interface ProductPageInput {
  handle: string;
  variant?: string | undefined;
  reviewsCursor?: string | undefined;
  /** A review form the server rejected, shown again with its error and this status. */
  rejectedReview?: ReviewsSection['rejected'];
  status?: number;
}

/**
 * Renders a product page. The review routes call it too, to show a rejected review form with
 * the product around it.
 */
export async function sendProductPage(
  deps: ShopDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  input: ProductPageInput,
) {
  const ctx = pageContext(request, deps);
  const [product, collections] = await Promise.all([
    getProductByHandle(ctx, input.handle),
    listCollections(ctx),
  ]);
  if (!product || product.variants.length === 0) throw notFound('This product');

  const [chrome, reviews] = await Promise.all([
    loadChrome(ctx, deps, { collections }),
    loadReviewsSection(ctx, product, {
      cursor: input.reviewsCursor,
      rejected: input.rejectedReview,
    }),
  ]);
  const page = (
    <ProductPage
      chrome={chrome}
      imageHosts={deps.config.imageHosts}
      product={product}
      selected={selectVariant(product, input.variant)}
      maxQuantity={deps.config.maxQuantity}
      csrfToken={formTokenFor(request, reply, deps)}
      tags={tagCollections(product, collections.tags)}
      typeSlug={findCollectionByName(collections.types, product.productType)?.slug ?? null}
      reviews={reviews}
    />
  );
  return sendPage(reply, page, input.status);
}

/**
 * Rejects an over-long search with a sentence a shopper understands, before schema validation
 * would report it in terms of the `q` parameter. The schema's maxLength stays as the backstop.
 */
async function rejectLongSearch(request: FastifyRequest): Promise<void> {
  const q = (request.query as { q?: unknown }).q;
  if (typeof q === 'string' && q.length > maxSearchLength) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Search text can be at most ${maxSearchLength} characters long; shorten it and search again.`,
    );
  }
}

type Collections = { types: Collection[]; tags: Collection[] };

function findCollection(collections: Collections, kind: 'type' | 'tag', slug: string) {
  const list = kind === 'type' ? collections.types : collections.tags;
  return list.find((collection) => collection.slug === slug);
}

/** Finds the collection a type or tag belongs to, by the slug the catalog derives from it. */
function findCollectionByName(list: Collection[], name: string): Collection | undefined {
  const slug = slugify(name);
  return slug === '' ? undefined : list.find((collection) => collection.slug === slug);
}

function tagCollections(product: ProductDetail, tags: Collection[]) {
  return product.tags
    .map((tag) => findCollectionByName(tags, tag))
    .filter((collection): collection is Collection => collection !== undefined);
}

/** Returns the `?variant=` choice when it belongs to the product, else the first available variant. */
function selectVariant(product: ProductDetail, requested: string | undefined): VariantView {
  const variants = product.variants;
  const chosen = requested ? variants.find((variant) => variant.id === requested) : undefined;
  const fallback = variants.find((variant) => variant.available) ?? variants[0];
  // The caller has checked that the product has at least one variant.
  return (chosen ?? fallback) as VariantView;
}
