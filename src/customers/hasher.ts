import { createPasswordHasher, type PasswordHasher } from '../auth/passwords.js';
import type { Config } from '../server/config.js';

// Keyed by the app's config object, which buildShopApp passes to every route and page alike.
const hashers = new WeakMap<Config, PasswordHasher>();

/**
 * Returns the customer password hasher of the app that owns `deps.config`, creating it on first
 * use. The Store API and the account pages must share one hasher, because its concurrency limit
 * and queue only bound memory and CPU when every password check of the app goes through it.
 */
export function customerPasswordHasher(deps: { config: Config }): PasswordHasher {
  let hasher = hashers.get(deps.config);
  if (!hasher) {
    hasher = createPasswordHasher(deps.config.passwordHashing, deps.config.hashConcurrency);
    hashers.set(deps.config, hasher);
  }
  return hasher;
}
