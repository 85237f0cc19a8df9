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
  }
}

export {};
