import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';

import type { Database, OutboxRow } from '../../src/db/schema.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * A browser-like client for the auth tests: it keeps every cookie the shop sets (session,
 * visitor, passkey ceremony), drops cleared ones, and sends them back.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: FastifyInstance) {}

  async request(
    method: Method,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: body as object }),
      headers: { ...(cookie ? { cookie } : {}), ...headers },
    });

    for (const set of response.cookies) {
      const cleared = set.value === '' || (set.expires && set.expires.getTime() < Date.now());
      if (cleared) this.cookies.delete(set.name);
      else this.cookies.set(set.name, set.value);
    }
    return response;
  }

  get session(): string | undefined {
    return this.cookies.get('__Host-session');
  }

  /** Logs in and fails the test unless the shop returns 200. */
  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    const response = await this.request('POST', '/api/store/auth/login', { email, password });
    if (response.statusCode !== 200) {
      throw new Error(`login failed with ${response.statusCode}: ${response.body}`);
    }
    return response;
  }
}

/** Returns the newest outbox row of `kind` sent to `to`. */
export async function latestMail(
  db: Kysely<Database>,
  to: string,
  kind: string,
): Promise<OutboxRow | undefined> {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('to_address', '=', to)
    .where('kind', '=', kind)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** Reads the link token out of a mail body. */
export function tokenIn(mail: OutboxRow | undefined): string {
  const match = /[?&]token=([A-Za-z0-9_-]{43})/.exec(mail?.body_text ?? '');
  if (!match?.[1]) throw new Error(`no link token in mail: ${mail?.body_text}`);
  return match[1];
}

export const strongPassword = 'correct horse battery staple';

/** Registers and confirms an account through the API; returns the browser that did it. */
export async function createAccount(
  app: FastifyInstance,
  db: Kysely<Database>,
  email: string,
  password = strongPassword,
): Promise<Browser> {
  const browser = new Browser(app);
  const registered = await browser.request('POST', '/api/store/auth/register', {
    email,
    password,
    name: 'Ada Lovelace',
  });
  if (registered.statusCode !== 202) throw new Error(`register failed: ${registered.body}`);

  const token = tokenIn(await latestMail(db, email, 'confirm_email'));
  const confirmed = await browser.request('POST', '/api/store/auth/confirm-email', { token });
  if (confirmed.statusCode !== 200) throw new Error(`confirm failed: ${confirmed.body}`);
  return browser;
}

/** Sends the session cookie `token` alone and returns the status of an authenticated GET. */
export async function statusWithSession(app: FastifyInstance, token: string): Promise<number> {
  const response = await app.inject({
    method: 'GET',
    url: '/api/store/auth/mfa',
    headers: { cookie: `__Host-session=${token}` },
  });
  return response.statusCode;
}
