import type autocannon from 'autocannon';

import { visitorCookie } from '../src/cart/visitor.js';

/** Distinct variants each cart receives, so a cart stays the size of a real one. */
export const linesPerCart = 4;

/**
 * The pool has room for this many add-to-cart requests per second of the run, an estimate set
 * well above what one Node process writing to SQLite serves, so the pool does not run out first.
 * If it ever does, autocannon stops early and the run fails instead of hitting the quantity limit.
 */
const poolRequestsPerSecond = 20_000;

interface PooledCart {
  id: string;
  /** Cookie header value with the visitor token of the cart's owner. */
  cookie: string;
  variantIds: string[];
}

export interface CartPool {
  carts: PooledCart[];
  /** Add-to-cart requests the pool takes before a line would pass MAX_QUANTITY. */
  capacity: number;
}

/**
 * Creates carts through the Store API, each with its own visitor cookie, and gives each cart
 * `linesPerCart` of the variants. Every add is quantity 1, so a line takes `maxQuantity` adds.
 * The pool has enough carts for `durationSeconds` at `poolRequestsPerSecond`, and at least two
 * per connection, so concurrent requests write to different carts.
 */
export async function createCartPool(
  origin: string,
  variantIds: string[],
  run: { durationSeconds: number; connections: number; maxQuantity: number },
): Promise<CartPool> {
  if (variantIds.length < linesPerCart) {
    throw new Error(
      `the catalog has ${variantIds.length} untracked variants; add-to-cart needs ${linesPerCart}`,
    );
  }

  const perCart = linesPerCart * run.maxQuantity;
  const cartsForDuration = Math.ceil((run.durationSeconds * poolRequestsPerSecond) / perCart);
  const cartCount = Math.max(cartsForDuration, run.connections * 2);

  const carts: PooledCart[] = [];
  for (let index = 0; index < cartCount; index += 1) {
    const { id, cookie } = await createCart(origin);
    const offset = index * linesPerCart;
    const assigned = Array.from(
      { length: linesPerCart },
      (_, slot) => variantIds[(offset + slot) % variantIds.length] as string,
    );
    carts.push({ id, cookie, variantIds: assigned });
  }
  return { carts, capacity: cartCount * perCart };
}

async function createCart(origin: string): Promise<{ id: string; cookie: string }> {
  const response = await fetch(`${origin}/api/store/carts`, { method: 'POST' });
  if (response.status !== 201) {
    throw new Error(`creating a cart failed with ${response.status}: ${await response.text()}`);
  }

  const token = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0] ?? '')
    .find((pair) => pair.startsWith(`${visitorCookie}=`));
  if (!token) throw new Error(`creating a cart set no ${visitorCookie} cookie`);

  const { id } = (await response.json()) as { id: string };
  return { id, cookie: token };
}

/**
 * Builds the autocannon request list for add-to-cart. Request n goes to cart n mod C, so
 * consecutive requests write to different carts, and uses the next of that cart's variants on
 * each pass, so every line grows by one per C × linesPerCart requests.
 */
export function addToCartRequests(pool: CartPool): autocannon.Request[] {
  const requests = pool.carts.flatMap((cart) =>
    cart.variantIds.map((variantId) => ({
      method: 'POST',
      path: `/api/store/carts/${cart.id}/lines`,
      headers: { 'content-type': 'application/json', cookie: cart.cookie },
      body: JSON.stringify({ variantId, quantity: 1 }),
    })),
  );

  const cartCount = pool.carts.length;
  let sent = 0;
  const next = (): autocannon.Request => {
    const cart = sent % cartCount;
    const slot = Math.floor(sent / cartCount) % linesPerCart;
    sent += 1;
    return requests[cart * linesPerCart + slot] as autocannon.Request;
  };

  // autocannon writes Content-Length into the headers object it gets, so each request gets a copy.
  return [
    {
      setupRequest: (request) => {
        const add = next();
        return { ...request, ...add, headers: { ...add.headers } };
      },
    },
  ];
}

/**
 * Sums the item counts of every cart in the pool, read back through the Store API, to check
 * that the adds autocannon counted as 2xx were stored.
 */
export async function countItemsInPool(origin: string, pool: CartPool): Promise<number> {
  let items = 0;
  for (const cart of pool.carts) {
    const response = await fetch(`${origin}/api/store/carts/${cart.id}`, {
      headers: { cookie: cart.cookie },
    });
    if (response.status !== 200) {
      throw new Error(`reading cart ${cart.id} failed with ${response.status}`);
    }
    items += ((await response.json()) as { itemCount: number }).itemCount;
  }
  return items;
}
