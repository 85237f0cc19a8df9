import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';

import { currencyExponent } from '../catalog/money.js';

/** Settings read from the environment once at start; see the README's configuration table. */
export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  /** Proxies whose X-Forwarded-For is believed: none (false), or addresses and CIDR ranges. */
  trustProxy: false | string[];
  /**
   * The same for the admin listener, set apart by ADMIN_TRUST_PROXY, so a proxy trusted by the
   * shop cannot name the address that admin login limits and the audit log see.
   */
  adminTrustProxy: false | string[];
  port: number;
  gatewayPort: number;
  adminPort: number;
  /** Interface the admin listens on: 127.0.0.1 unless ADMIN_HOST says otherwise. */
  adminHost: string;
  /** Origin staff open the admin at; its host may equal the shop's, its origin may not. */
  adminUrl: URL;
  /** SMTP server for outgoing mail (smtp:// or smtps://); without it mail goes to the log. */
  smtpUrl: string | undefined;
  mailFrom: string;
  sessions: Record<'customer' | 'staff', SessionTimeouts>;
  /** argon2id cost for new password hashes; never below OWASP's 19 MiB, 2 passes, 1 lane. */
  passwordHashing: { memoryKiB: number; iterations: number; parallelism: number };
  /** Password hashes computed at once; more wait in a queue of bounded length. */
  hashConcurrency: number;
  databaseUrl: string;
  publicUrl: URL;
  gatewayUrl: URL;
  paymentProvider: 'sandbox' | 'stripe';
  imageHosts: string[];
  currency: string;
  maxQuantity: number;
  /** Minutes an order waits for its payment before it expires and its stock is released. */
  paymentTimeoutMinutes: number;
  dataDir: string;
  logLevel: string;
  stripeSecretKey: string | undefined;
  stripeWebhookSecret: string | undefined;
}

/** How long a session lasts without requests (idle) and at most (absolute). */
export interface SessionTimeouts {
  idleMinutes: number;
  absoluteMinutes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the configuration. Throws ConfigError naming the first bad variable, so
 * the shop stops at start instead of running with a value it cannot honour.
 */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (nodeEnv !== 'development' && nodeEnv !== 'production' && nodeEnv !== 'test') {
    throw new ConfigError(`NODE_ENV must be development, production or test, not "${nodeEnv}"`);
  }

  const paymentProvider = env.PAYMENT_PROVIDER ?? 'sandbox';
  if (paymentProvider !== 'sandbox' && paymentProvider !== 'stripe') {
    throw new ConfigError(`PAYMENT_PROVIDER must be sandbox or stripe, not "${paymentProvider}"`);
  }

  const port = readPort(env, 'PORT', 3000);
  const gatewayPort = readPort(env, 'GATEWAY_PORT', 3001);
  const adminPort = readPort(env, 'ADMIN_PORT', 3002);
  const config: Config = {
    env: nodeEnv,
    host: readHost(env.HOST ?? 'localhost'),
    trustProxy: readTrustProxy(env.TRUST_PROXY ?? ''),
    adminTrustProxy: readTrustProxy(env.ADMIN_TRUST_PROXY ?? ''),
    port,
    gatewayPort,
    adminPort,
    adminHost: readHost(env.ADMIN_HOST ?? '127.0.0.1'),
    adminUrl: readOrigin(env, 'ADMIN_URL', `http://localhost:${adminPort}`),
    smtpUrl: readSmtpUrl(env.SMTP_URL ?? ''),
    mailFrom: env.MAIL_FROM ?? 'Storefort <shop@localhost>',
    sessions: {
      customer: {
        idleMinutes: readInteger(env, 'CUSTOMER_SESSION_IDLE_MINUTES', 30, 1, 1440),
        absoluteMinutes: readInteger(env, 'CUSTOMER_SESSION_MAX_MINUTES', 720, 5, 43_200),
      },
      staff: {
        idleMinutes: readInteger(env, 'STAFF_SESSION_IDLE_MINUTES', 15, 1, 120),
        absoluteMinutes: readInteger(env, 'STAFF_SESSION_MAX_MINUTES', 480, 5, 1440),
      },
    },
    passwordHashing: {
      memoryKiB: readInteger(env, 'ARGON2_MEMORY_KIB', 19_456, 19_456, 1_048_576),
      iterations: readInteger(env, 'ARGON2_ITERATIONS', 2, 2, 20),
      parallelism: 1,
    },
    // Leaves a core to the event loop, so a queue full of hashes does not stall every page.
    hashConcurrency: readInteger(
      env,
      'HASH_CONCURRENCY',
      Math.max(1, availableParallelism() - 1),
      1,
      64,
    ),
    databaseUrl: loadDatabaseUrl(env),
    // Without explicit URLs the shop and gateway are reached on the ports they listen on.
    publicUrl: readOrigin(env, 'PUBLIC_URL', `http://localhost:${port}`),
    gatewayUrl: readOrigin(env, 'GATEWAY_URL', `http://127.0.0.1:${gatewayPort}`),
    paymentProvider,
    imageHosts: readImageHosts(env.IMAGE_HOSTS ?? ''),
    currency: readCurrency(env.CURRENCY ?? 'USD'),
    maxQuantity: readInteger(env, 'MAX_QUANTITY', 99, 1, 10_000),
    // Stripe Checkout Sessions live from 30 minutes to 24 hours, so the timeout stays in that range.
    paymentTimeoutMinutes: readInteger(env, 'PAYMENT_TIMEOUT_MINUTES', 30, 30, 1440),
    dataDir: env.DATA_DIR ?? './data',
    logLevel: readLogLevel(env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info')),
    stripeSecretKey: env.STRIPE_SECRET_KEY || undefined,
    stripeWebhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
  };

  checkConsistency(config);
  return config;
}

function checkConsistency(config: Config): void {
  if (config.publicUrl.hostname === config.gatewayUrl.hostname) {
    throw new ConfigError(
      `PUBLIC_URL and GATEWAY_URL share the host "${config.publicUrl.hostname}"; ` +
        'the payment page must live on another host so that shop cookies never reach it',
    );
  }
  if (config.adminUrl.origin === config.publicUrl.origin) {
    throw new ConfigError('ADMIN_URL must differ from PUBLIC_URL; the admin has its own port');
  }
  if (config.env === 'production' && !config.smtpUrl) {
    throw new ConfigError('SMTP_URL is missing; production sends account mail through SMTP');
  }
  if (config.paymentProvider === 'stripe') {
    if (!config.stripeSecretKey) throw new ConfigError('STRIPE_SECRET_KEY is missing');
    if (!config.stripeWebhookSecret) throw new ConfigError('STRIPE_WEBHOOK_SECRET is missing');
  }
  if (config.env === 'production' && config.publicUrl.protocol !== 'https:') {
    throw new ConfigError('PUBLIC_URL must use https when NODE_ENV=production');
  }
}

function readPort(env: Env, name: string, fallback: number): number {
  return readInteger(env, name, fallback, 0, 65535);
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;

  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, not "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, not ${value}`);
  }
  return value;
}

function readOrigin(env: Env, name: string, fallback: string): URL {
  const raw = env[name] || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must start with http:// or https://, not "${raw}"`);
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`${name} must be an origin with no path or query, not "${raw}"`);
  }
  return url;
}

/**
 * Reads DATABASE_URL alone. `storefort migrate` uses it, so the migration user needs no other
 * setting of the shop (SMTP, payment keys) and none of its secrets.
 */
export function loadDatabaseUrl(env: Env = process.env): string {
  return readDatabaseUrl(env.DATABASE_URL ?? `sqlite:${env.DATA_DIR ?? './data'}/shop.db`);
}

function readDatabaseUrl(raw: string): string {
  if (raw.startsWith('sqlite:') && raw.length > 'sqlite:'.length) return raw;
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    throw new ConfigError('DATABASE_URL: PostgreSQL is not supported yet; use sqlite:<path>');
  }
  throw new ConfigError(`DATABASE_URL must look like sqlite:./data/shop.db, not "${raw}"`);
}

// Names proxy-addr (Fastify's trustProxy) accepts for whole address ranges.
const proxyRangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Reads TRUST_PROXY: empty trusts no proxy, and a comma-separated list names proxy addresses
 * or CIDR ranges. Only trusted proxies' forwarded addresses reach rate limits and security
 * events, and any other X-Forwarded-For is ignored. Hop counts are not offered because Fastify
 * 5.12 trusts no proxy when given a number.
 */
function readTrustProxy(raw: string): false | string[] {
  const text = raw.trim();
  if (text === '') return false;

  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const isRange = prefix === undefined || /^\d{1,3}$/.test(prefix);
    if (proxyRangeNames.has(entry) || (isIP(address) !== 0 && isRange)) continue;
    throw new ConfigError(
      `TRUST_PROXY entry "${entry}" is not an address, CIDR range or loopback; ` +
        'example: TRUST_PROXY=10.0.0.0/8,127.0.0.1',
    );
  }
  return entries;
}

function readHost(raw: string): string {
  if (isIP(raw) !== 0 || hostnamePattern.test(raw.toLowerCase())) return raw;
  throw new ConfigError(`HOST must be a host name or IP address such as 0.0.0.0, not "${raw}"`);
}

const hostnamePattern =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function readImageHosts(raw: string): string[] {
  const hosts = raw
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== '');

  for (const host of hosts) {
    if (!hostnamePattern.test(host)) {
      throw new ConfigError(
        `IMAGE_HOSTS entry "${host}" is not a host name (example: cdn.shopify.com)`,
      );
    }
  }
  return hosts;
}

// Intl formats any three letters as a currency, so its list of supported codes is the check.
const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

function readCurrency(raw: string): string {
  const code = raw.toUpperCase();
  if (!knownCurrencies.has(code) || currencyExponent(code) === undefined) {
    throw new ConfigError(`CURRENCY must be an ISO 4217 code such as USD, not "${raw}"`);
  }
  return code;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readLogLevel(raw: string): string {
  if (!logLevels.includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}, not "${raw}"`);
  }
  return raw;
}

function readSmtpUrl(raw: string): string | undefined {
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      'SMTP_URL is not a valid URL (example: smtp://user:pass@mail.example:587)',
    );
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError('SMTP_URL must start with smtp:// or smtps://');
  }
  return raw;
}
