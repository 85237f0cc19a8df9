// Per-route flags read by the shop's hooks, declared here so every route's `config` is checked.
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route renders HTML; its errors are shown as an HTML page. */
    page?: boolean;
    /** The response carries personal data and is sent with Cache-Control: no-store. */
    personal?: boolean;
    /** The route accepts cross-site POSTs because it verifies its caller another way. */
    crossSite?: boolean;
  }
}

export {};
