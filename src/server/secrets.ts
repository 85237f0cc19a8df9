import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Config, ConfigError } from './config.js';

/** Keys the shop signs with. They never appear in a response or a log line. */
export interface Secrets {
  /** HMAC key for signed order links and the signed visitor cookie. */
  signingKey: Buffer;
  /** Shared secret between the shop and the sandbox gateway (API key and webhook signatures). */
  sandboxGatewaySecret: string;
}

type Env = Record<string, string | undefined>;

/**
 * Reads secrets from the environment (`SECRET_KEY`, `SANDBOX_GATEWAY_SECRET`). Outside
 * production a missing secret is generated once and kept in DATA_DIR with mode 0600, so the
 * shop and a separately started gateway agree on it. In production a missing one stops the shop.
 */
export function loadSecrets(config: Config, env: Env = process.env): Secrets {
  const signingKey = readSecret(config, env, 'SECRET_KEY', 'secret.key');
  // Only the sandbox uses this secret; other providers get a random value nothing can match.
  const sandboxGatewaySecret =
    config.paymentProvider === 'sandbox'
      ? readSecret(config, env, 'SANDBOX_GATEWAY_SECRET', 'sandbox-gateway.key')
      : randomBytes(32).toString('base64url');
  return { signingKey: Buffer.from(signingKey, 'utf8'), sandboxGatewaySecret };
}

/**
 * Returns the signing key the shop uses, from SECRET_KEY or the file DATA_DIR/secret.key, for
 * commands that check data the shop signed. Unlike loadSecrets it never generates a key, since
 * a new key would make every check fail, and it needs no other setting of the shop.
 */
export function readExistingSigningKey(dataDir: string, env: Env = process.env): Buffer {
  const value = env.SECRET_KEY;
  if (value) {
    if (value.length < 32) throw new ConfigError('SECRET_KEY must be at least 32 characters long');
    return Buffer.from(value, 'utf8');
  }

  const path = join(dataDir, 'secret.key');
  let mode: number;
  let content: string;
  try {
    mode = statSync(path).mode;
    content = readFileSync(path, 'utf8').trim();
  } catch {
    throw new ConfigError(
      `SECRET_KEY is not set and ${path} cannot be read; run with the SECRET_KEY the shop uses`,
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`${path} is readable by other users; run chmod 600 ${path}`);
  }
  return Buffer.from(content, 'utf8');
}

function readSecret(config: Config, env: Env, name: string, fileName: string): string {
  const value = env[name];
  if (value) {
    if (value.length < 32) throw new ConfigError(`${name} must be at least 32 characters long`);
    return value;
  }
  if (config.env === 'production') {
    throw new ConfigError(`${name} is missing; production requires it from the environment`);
  }
  if (config.env === 'test') return randomBytes(32).toString('base64url');

  const path = join(config.dataDir, fileName);
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o077;
    if (mode !== 0) {
      throw new ConfigError(`${path} is readable by other users; run chmod 600 ${path}`);
    }
    return readFileSync(path, 'utf8').trim();
  }

  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const generated = randomBytes(32).toString('base64url');
  writeFileSync(path, generated, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return generated;
}

/**
 * Derives a separate key for one purpose from SECRET_KEY (HKDF-SHA256), so that CSRF tokens,
 * sealed MFA secrets and audit hashes never share a key with each other or with signed links.
 */
export function deriveKey(secrets: Secrets, purpose: string): Buffer {
  // Derivation is cheap but not free, and a login flood calls this for every request.
  let keys = derivedKeys.get(secrets);
  if (!keys) {
    keys = new Map();
    derivedKeys.set(secrets, keys);
  }

  let key = keys.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secrets.signingKey, '', `storefort:${purpose}`, 32));
    keys.set(purpose, key);
  }
  return key;
}

const derivedKeys = new WeakMap<Secrets, Map<string, Buffer>>();
