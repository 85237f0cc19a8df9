import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import type { ClientLimits } from '../defense/client-limits.js';
import type { ShopDeps } from './app.js';
import type { Config } from './config.js';
import type { Secrets } from './secrets.js';

/**
 * The caller of a service function and the resources it may use, passed as the first argument
 * of every service function. Queries that return a visitor's data are scoped by `visitorHash`.
 */
export interface ServiceContext {
  db: Kysely<Database>;
  config: Config;
  secrets: Secrets;
  log: FastifyBaseLogger;
  requestId: string;
  ip: string;
  /** SHA-256 of the visitor token from the __Host-cart cookie, or null for a new visitor. */
  visitorHash: string | null;
  /**
   * The signed-in customer (a session past every factor), or null for a guest. Carts and orders
   * belong to this customer as well as to the visitor.
   */
  customerId: string | null;
  /**
   * The shop's per-client rate limits. Request contexts always carry them; contexts of work no
   * client requested (command line, timers) have none and are not limited.
   */
  limits?: ClientLimits | undefined;
}

/**
 * Builds the context of a request. Throws when `deps` lacks the rate limits, which means the
 * route was registered with other dependencies than the ones buildShopApp completed.
 */
export function contextOf(
  request: FastifyRequest,
  deps: Pick<ShopDeps, 'db' | 'config' | 'secrets' | 'limits'>,
  visitorHash: string | null,
): ServiceContext {
  if (!deps.limits) throw new Error('contextOf needs the rate limits that buildShopApp adds');

  return {
    db: deps.db.kysely,
    config: deps.config,
    secrets: deps.secrets,
    log: request.log,
    requestId: request.id,
    ip: request.ip,
    visitorHash,
    customerId:
      request.account?.realm === 'customer' && request.account.stage === 'active'
        ? request.account.accountId
        : null,
    limits: deps.limits,
  };
}
