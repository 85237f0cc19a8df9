import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { LimitWindow } from '../defense/client-limits.js';
import { clientKey, createRateLimiter, type RateLimiter } from '../defense/rate-limit.js';
import { AppError } from '../server/errors.js';

/** Per-client limits of the admin, separate from the shop's counters. */
export interface AdminLimitSettings {
  /**
   * Password, second-factor and re-authentication attempts from one address: 30 a minute by
   * default, like the shop's authAttempts. The per-account throttle cannot see one address
   * trying many staff emails; this limit can.
   */
  loginAttempts: LimitWindow;
  /** Admin API requests from one address, whatever key they carry: 120 a minute by default. */
  apiPerAddress: LimitWindow;
  /** Admin API requests made with one key, from any address: 120 a minute by default. */
  apiPerKey: LimitWindow;
}

export const defaultAdminLimits: AdminLimitSettings = {
  loginAttempts: { limit: 30, windowMs: 60_000 },
  apiPerAddress: { limit: 120, windowMs: 60_000 },
  apiPerKey: { limit: 120, windowMs: 60_000 },
};

export interface AdminLimits {
  loginAttempts: RateLimiter;
  apiPerAddress: RateLimiter;
  apiPerKey: RateLimiter;
}

/**
 * Creates the counters of one admin app. `overrides` replace the defaults per limit, which is
 * how tests set tiny limits.
 *
 * NOTE: like every limiter from createRateLimiter, the counts live in this process only.
 */
export function createAdminLimits(overrides: Partial<AdminLimitSettings> = {}): AdminLimits {
  const settings = { ...defaultAdminLimits, ...overrides };
  return {
    loginAttempts: createRateLimiter(settings.loginAttempts),
    apiPerAddress: createRateLimiter(settings.apiPerAddress),
    apiPerKey: createRateLimiter(settings.apiPerKey),
  };
}

/**
 * Counts one request under `key` and throws RATE_LIMITED (429, with Retry-After) when it is over
 * the limit. Rejected requests are logged at info, without the key when it names an API key.
 */
export function takeOrReject(
  request: FastifyRequest,
  limiter: RateLimiter,
  key: string,
  limit: keyof AdminLimits,
  detail: string,
): void {
  const decision = limiter.take(key);
  if (decision.allowed) return;

  const { retryAfterSeconds } = decision;
  request.log.info({ rateLimit: limit, retryAfterSeconds }, 'rate limit exceeded');
  throw new AppError('RATE_LIMITED', detail, { retryAfterSeconds });
}

/**
 * Counts every request to a route marked `config.signInAttempt` against its address, before the
 * body is read, so a rejected attempt costs no password hash.
 */
export function registerSignInAttemptLimit(app: FastifyInstance, limits: AdminLimits): void {
  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.config?.signInAttempt) return;
    takeOrReject(
      request,
      limits.loginAttempts,
      clientKey(request.ip),
      'loginAttempts',
      'Too many sign-in attempts were made from this address; wait a minute and try again.',
    );
  });
}
