import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { DestinationStream } from 'pino';
import { Secret, TOTP } from 'otpauth';

import { adminCsrfKey } from '../../src/admin/admin-csrf.js';
import type { AdminLimitSettings } from '../../src/admin/admin-limits.js';
import { type AdminApp, buildAdminApp } from '../../src/admin/app.js';
import { csrfToken } from '../../src/auth/csrf.js';
import { createPasswordHasher } from '../../src/auth/passwords.js';
import { createSession, staffSessionCookie } from '../../src/auth/sessions.js';
import { type Db, openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { SessionStage, StaffRole } from '../../src/db/schema.js';
import { loadAssetManifest } from '../../src/integrity/assets.js';
import type { Config } from '../../src/server/config.js';
import { loadConfig } from '../../src/server/config.js';
import { hashToken, nowIso, randomId } from '../../src/server/ids.js';
import { loadSecrets, type Secrets } from '../../src/server/secrets.js';
import { openTestLog, withTestLogLevel } from '../support/log-files.js';
import { RecordingPaymentGateway } from '../support/payment-double.js';

export const staffPassword = 'correct horse battery staple';

export interface TestAdmin {
  app: AdminApp;
  db: Db;
  config: Config;
  secrets: Secrets;
  /** Sends a request as a browser on the admin origin would, with Host, and Origin on POSTs. */
  request(options: AdminRequest): Promise<LightMyRequestResponse>;
  /** Adds a staff member with `staffPassword` and returns the id. */
  addStaff(role: StaffRole, email?: string): Promise<string>;
  /** Opens a session directly in the table, bypassing the login pages. */
  signIn(
    staffId: string,
    options?: { stage?: SessionStage; reauthenticatedAt?: Date },
  ): Promise<string>;
  close(): Promise<void>;
}

export interface AdminRequest {
  method?: 'GET' | 'POST';
  url: string;
  /** Session token for the __Host-staff cookie. */
  session?: string;
  /** Other cookies, as a map of name to value. */
  cookies?: Record<string, string>;
  /**
   * Form fields. A valid `_csrf` for `session` is added unless `csrf` is false, or is a string
   * to send instead.
   */
  form?: Record<string, string | string[]>;
  json?: unknown;
  csrf?: false | string;
  headers?: Record<string, string>;
  /** Client address of the request. light-my-request's default is 127.0.0.1. */
  remoteAddress?: string;
}

// One hash for every test staff member, because argon2id at the minimum cost still takes an
// estimated tens of ms.
let passwordHash: Promise<string> | undefined;

/** Limits high enough that no test trips one unless it sets its own. */
const testAdminLimits: AdminLimitSettings = {
  loginAttempts: { limit: 10_000, windowMs: 60_000 },
  apiPerAddress: { limit: 10_000, windowMs: 60_000 },
  apiPerKey: { limit: 10_000, windowMs: 60_000 },
};

export interface TestAdminOptions {
  /** Limits that replace the high test limits, one by one. */
  limits?: Partial<AdminLimitSettings>;
  /** Stream for the admin's log lines. Set LOG_LEVEL in `env` too, since test apps are silent. */
  logStream?: DestinationStream;
}

export async function startTestAdmin(
  env: Record<string, string> = {},
  options: TestAdminOptions = {},
): Promise<TestAdmin> {
  const allEnv = withTestLogLevel({ NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:', ...env });
  const config = loadConfig(allEnv);
  const secrets = loadSecrets(config, allEnv);
  const db = openDatabase(config.databaseUrl);
  await migrateToLatest(db);
  const log = openTestLog('admin', options.logStream);

  const app = await buildAdminApp({
    config,
    db,
    secrets,
    payments: new RecordingPaymentGateway(),
    assets: await loadAssetManifest(),
    adminLimits: { ...testAdminLimits, ...options.limits },
    ...(log.stream ? { logStream: log.stream } : {}),
  });
  await app.ready();
  passwordHash ??= createPasswordHasher(config.passwordHashing, 1).hash(staffPassword);

  const request = (options: AdminRequest) => {
    const method = options.method ?? 'GET';
    const cookies: Record<string, string> = { ...options.cookies };
    if (options.session) cookies[staffSessionCookie] = options.session;

    const headers: Record<string, string> = {
      host: config.adminUrl.host,
      ...(method === 'POST' ? { origin: config.adminUrl.origin } : {}),
      ...options.headers,
    };
    const inject: InjectOptions = { method, url: options.url, headers, cookies };
    if (options.remoteAddress) inject.remoteAddress = options.remoteAddress;
    if (options.form) {
      const fields = new URLSearchParams();
      for (const [name, value] of Object.entries(options.form)) {
        for (const item of Array.isArray(value) ? value : [value]) fields.append(name, item);
      }
      if (typeof options.csrf === 'string') fields.set('_csrf', options.csrf);
      else if (options.csrf !== false && options.session) {
        fields.set('_csrf', csrfToken(adminCsrfKey(secrets), hashToken(options.session)));
      }
      headers['content-type'] = 'application/x-www-form-urlencoded';
      inject.payload = fields.toString();
    } else if (options.json !== undefined) {
      inject.payload = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    return app.inject(inject);
  };

  return {
    app,
    db,
    config,
    secrets,
    request,
    async addStaff(role, email = `${role}-${randomId()}@example.test`) {
      const id = randomId();
      await db.kysely
        .insertInto('staff')
        .values({
          id,
          email: email.toLowerCase(),
          name: `Test ${role}`,
          password_hash: await passwordHash!,
          role,
          created_at: nowIso(),
          updated_at: nowIso(),
          disabled_at: null,
        })
        .execute();
      return id;
    },
    async signIn(staffId, options = {}) {
      const token = await createSession(db.kysely, {
        realm: 'staff',
        accountId: staffId,
        stage: options.stage ?? 'active',
        userAgent: 'test',
        ip: '127.0.0.1',
        timeouts: config.sessions.staff,
      });
      if (options.reauthenticatedAt) {
        await db.kysely
          .updateTable('sessions')
          .set({ reauthenticated_at: options.reauthenticatedAt.toISOString() })
          .where('token_hash', '=', hashToken(token))
          .execute();
      }
      return token;
    },
    close: async () => {
      await app.close();
      await db.close();
      log.close();
    },
  };
}

/** Returns the TOTP code of a base32 secret, `stepOffset` 30-second steps from now. */
export function totpCode(secret: string, stepOffset = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + stepOffset * 30_000 });
}

/** Returns the non-empty value of a Set-Cookie header for `name` in a response, or undefined. */
export function cookieFrom(response: LightMyRequestResponse, name: string): string | undefined {
  return response.cookies.find((cookie) => cookie.name === name && cookie.value !== '')?.value;
}

/** Returns the `_csrf` value of the first form in a page, or throws when there is none. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('page has no _csrf field');
  return match[1];
}

/** Inserts a paid order of `totalMinor` USD cents with one line and returns its id. */
export async function insertPaidOrder(db: Db, totalMinor = 5000): Promise<string> {
  const id = randomId();
  await db.kysely
    .insertInto('orders')
    .values({
      id,
      visitor_hash: hashToken(randomId()),
      customer_id: null,
      cart_id: randomId(),
      email: 'shopper@example.test',
      ship_name: 'Ada Shopper',
      ship_line1: '1 Test Street',
      ship_line2: '',
      ship_city: 'Testville',
      ship_region: '',
      ship_postal_code: '12345',
      ship_country: 'US',
      shipping_method: 'standard',
      subtotal_minor: totalMinor,
      shipping_minor: 0,
      total_minor: totalMinor,
      currency: 'USD',
      status: 'paid',
      payment_provider: 'sandbox',
      payment_reference: 'test_ref',
      created_at: nowIso(),
      paid_at: nowIso(),
    })
    .execute();
  return id;
}
