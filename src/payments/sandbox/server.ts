import { randomUUID } from 'node:crypto';

import Fastify, { type FastifyInstance } from 'fastify';

import { type Config, ConfigError } from '../../server/config.js';
import { loggerOptions } from '../../server/logger.js';
import { loadSecrets, type Secrets } from '../../server/secrets.js';
import { validatorCompiler } from '../../server/validation.js';
import { registerApiRoutes } from './api.routes.js';
import { registerGatewayErrors } from './gateway-errors.js';
import { registerGatewayHeaders } from './headers.js';
import { registerHostedPageRoutes } from './hosted-page.routes.js';
import { SessionStore } from './sessions.js';

export interface GatewayAppOptions {
  config: Config;
  /** Shared secret: the API key the shop sends and the key webhooks are signed with. */
  secret: string;
  /** Waits between webhook retries in milliseconds; tests shorten them. */
  retryDelaysMs?: number[];
  /** Destination of log lines in place of stdout; tests read it to check what is logged. */
  logStream?: { write(line: string): void };
}

/**
 * Builds the sandbox payment gateway: a stand-in for a hosted payment provider with its own
 * origin, so no shop cookie ever reaches it and card data never reaches the shop. Throws
 * ConfigError with NODE_ENV=production, where only a real provider may take payments.
 */
export async function buildGatewayApp(options: GatewayAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  rejectProduction(config);

  const app = Fastify({
    logger: { ...loggerOptions(config.logLevel), stream: options.logStream },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 16 * 1024,
    trustProxy: false,
    routerOptions: { maxParamLength: 100 },
  });
  app.setValidatorCompiler(validatorCompiler);
  registerGatewayHeaders(app, config.publicUrl.origin);
  registerGatewayErrors(app);

  const store = new SessionStore();
  await app.register(registerApiRoutes, {
    store,
    secret: options.secret,
    shopOrigin: config.publicUrl.origin,
    gatewayOrigin: config.gatewayUrl.origin,
  });
  await app.register(registerHostedPageRoutes, {
    store,
    secret: options.secret,
    retryDelaysMs: options.retryDelaysMs,
  });
  return app;
}

/** Builds the gateway and listens on 127.0.0.1 at GATEWAY_PORT; loopback only, by design. */
export async function startGateway(config: Config, secrets: Secrets): Promise<FastifyInstance> {
  const app = await buildGatewayApp({ config, secret: secrets.sandboxGatewaySecret });
  await app.listen({ host: '127.0.0.1', port: config.gatewayPort });

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.gatewayPort;
  if (isLoopback(config.gatewayUrl.hostname) && Number(config.gatewayUrl.port) !== port) {
    app.log.warn(
      { gatewayUrl: config.gatewayUrl.origin, port },
      'GATEWAY_URL names another port than the gateway listens on; payment links will fail',
    );
  }
  return app;
}

/**
 * Runs `storefort gateway`: serves only the sandbox gateway until SIGINT or SIGTERM, then closes
 * it and returns exit code 0. The shop started separately must share SANDBOX_GATEWAY_SECRET
 * (outside production both read it from DATA_DIR).
 */
export async function runGatewayCommand(config: Config): Promise<number> {
  rejectProduction(config);
  const app = await startGateway(config, loadSecrets(config));
  console.log(`Sandbox payment gateway: ${config.gatewayUrl.origin}`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await app.close();
  return 0;
}

function rejectProduction(config: Config): void {
  if (config.env === 'production') {
    throw new ConfigError(
      'the sandbox payment gateway does not run with NODE_ENV=production; ' +
        'set PAYMENT_PROVIDER=stripe to take real payments',
    );
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}
