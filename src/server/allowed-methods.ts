import type { FastifyInstance } from 'fastify';

/** The methods registered for each route path, used to tell 405 apart from 404. */
export interface RouteTable {
  /** Returns the sorted methods whose routes match a request path (no query string). */
  allowedMethods(path: string): string[];
}

/**
 * Records every route registered after this call, in this instance and its plugins. Call it
 * before any route is added.
 */
export function collectRoutes(app: FastifyInstance): RouteTable {
  const routes: { method: string; pattern: RegExp }[] = [];

  app.addHook('onRoute', (route) => {
    const pattern = routePattern(route.url);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, pattern });
  });

  return {
    allowedMethods(path) {
      const methods = new Set<string>();
      for (const route of routes) {
        if (route.pattern.test(path)) methods.add(route.method);
      }
      return [...methods].sort();
    },
  };
}

/**
 * Converts a Fastify route path to a regular expression over request paths: a parameter
 * matches one non-empty segment and `*` matches any rest of the path.
 *
 * NOTE: a parameter constrained by a regular expression (`:id(^\\d+)`) is matched as any
 * segment, so a path that fails only that constraint gets 405 instead of 404 on other methods.
 */
export function routePattern(url: string): RegExp {
  const segments = url.split('/').map((segment) => {
    if (segment.includes(':')) return '[^/]+';
    return segment.split('*').map(escapeRegExp).join('.*');
  });
  return new RegExp(`^${segments.join('/')}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
