import type { FastifyBaseLogger } from 'fastify';

import { AppError } from '../server/errors.js';
import { clientKey, createRateLimiter, type RateLimiter } from './rate-limit.js';
import { createSecurityEventGate, type SecurityEventGate } from './security-events.js';

/** A number of actions allowed per client address within a window. */
export interface LimitWindow {
  limit: number;
  windowMs: number;
}

/** Per-client limits of the shop. Clients are keyed by address, IPv6 clients by /64 network. */
export interface RateLimitSettings {
  /** Carts one address may create: 30 a minute by default. */
  cartCreation: LimitWindow;
  /** Checkouts one address may start, each reserving stock: 10 a minute by default. */
  checkout: LimitWindow;
  /**
   * Login, registration, password reset and second-factor attempts from one address: 30 a
   * minute by default. It slows guessing across many accounts, which the per-account throttle
   * cannot see.
   */
  authAttempts: LimitWindow;
  /** Security events stored for one address: 60 a minute by default; more are only counted. */
  securityEvents: LimitWindow;
}

export const defaultRateLimits: RateLimitSettings = {
  cartCreation: { limit: 30, windowMs: 60_000 },
  checkout: { limit: 10, windowMs: 60_000 },
  authAttempts: { limit: 30, windowMs: 60_000 },
  securityEvents: { limit: 60, windowMs: 60_000 },
};

/** The counters of one running shop, created once in buildShopApp. */
export interface ClientLimits {
  cartCreation: RateLimiter;
  checkout: RateLimiter;
  authAttempts: RateLimiter;
  securityEvents: SecurityEventGate;
}

/** Actions that services count against their client's limit. */
export type LimitedAction = 'cartCreation' | 'checkout' | 'authAttempts';

/**
 * Creates the counters of one shop. `overrides` replace the defaults per action, which is how
 * tests set tiny limits; `now` replaces the clock.
 *
 * NOTE: like every limiter from createRateLimiter, the counts live in this process only.
 */
export function createClientLimits(
  overrides: Partial<RateLimitSettings> = {},
  now?: () => number,
): ClientLimits {
  const settings = { ...defaultRateLimits, ...overrides };
  const clock = now ? { now } : {};
  return {
    cartCreation: createRateLimiter({ ...settings.cartCreation, ...clock }),
    checkout: createRateLimiter({ ...settings.checkout, ...clock }),
    authAttempts: createRateLimiter({ ...settings.authAttempts, ...clock }),
    securityEvents: createSecurityEventGate({ ...settings.securityEvents, ...clock }),
  };
}

const rejections: Record<LimitedAction, string> = {
  cartCreation: 'Too many carts were created from this address; try again shortly.',
  checkout: 'Too many checkouts were started from this address; try again shortly.',
  authAttempts: 'Too many sign-in attempts were made from this address; try again shortly.',
};

/**
 * Counts one `action` for the client at `ctx.ip` and throws RATE_LIMITED (429) when it is over
 * the limit, with `retryAfterSeconds` for the Retry-After header. Call it before any change, so
 * a rejected request changes nothing. Contexts without limits belong to work that no client
 * requested (command line, timers) and are not counted.
 */
export function enforceRateLimit(
  ctx: { limits?: ClientLimits | undefined; ip: string; log: FastifyBaseLogger },
  action: LimitedAction,
): void {
  if (!ctx.limits) return;

  const decision = ctx.limits[action].take(clientKey(ctx.ip));
  if (decision.allowed) return;

  const { retryAfterSeconds } = decision;
  ctx.log.info({ rateLimit: action, retryAfterSeconds }, 'rate limit exceeded');
  throw new AppError('RATE_LIMITED', rejections[action], { retryAfterSeconds });
}
