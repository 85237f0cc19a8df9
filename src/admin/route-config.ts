import type { ApiKeyScope } from './admin-forms.schema.js';
import type { RouteAccess } from './permissions.js';

// Per-route flags of the admin, read by the hooks in access.ts.
declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call the route. Every admin route must set it: registering one without it throws,
     * so a forgotten permission stops the admin at start rather than opening the route.
     */
    permission?: RouteAccess;
    /**
     * The action is sensitive (refund, data export, role change, API key creation): the staff
     * member must have proved a password or TOTP code within the last 5 minutes.
     */
    sensitive?: boolean;
    /** The scope an API key needs for an `api_key` route; such a route without one rejects every key. */
    apiScope?: ApiKeyScope;
    /**
     * The route checks a password or a code: each request counts against the per-address
     * limit of sign-in attempts (`loginAttempts` in admin-limits.ts).
     */
    signInAttempt?: boolean;
  }
}

export {};
