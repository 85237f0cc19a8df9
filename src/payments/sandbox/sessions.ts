import { timingSafeEqual } from 'node:crypto';

import { randomId, randomToken } from '../../server/ids.js';

/**
 * State of a payment session. `open` shows the card form, `challenge` the one-time code
 * page; `processing` covers the webhook delivery, so a second submit cannot pay again.
 * `succeeded`, `declined` and `cancelled` are final. The shop cancels an `open` or
 * `challenge` session through the API when the shopper gives up on the order.
 */
export type SessionState =
  'open' | 'challenge' | 'processing' | 'succeeded' | 'declined' | 'cancelled';

export interface NewSession {
  orderId: string;
  amount: number;
  currency: string;
  description: string;
  successUrl: string;
  cancelUrl: string;
  webhookUrl: string;
  /** Unix time in milliseconds after which the session is gone and can no longer be paid. */
  expiresAt: number;
}

export interface GatewaySession extends NewSession {
  /** 128-bit random id; it is also the payment reference the shop stores. */
  id: string;
  /** CSRF token of the hosted form, sent back in a hidden field with every POST. */
  formToken: string;
  state: SessionState;
  /** Whether the shop acknowledged the outcome's webhook with a 2xx. */
  shopNotified: boolean;
}

export interface SessionStoreOptions {
  /** Upper bound of live sessions, so a flood of API calls cannot exhaust memory; defaults to 10,000. */
  maxSessions?: number;
  now?: () => number;
}

/**
 * Payment sessions of the sandbox gateway, kept in memory only, so a restart loses every open
 * session. That is acceptable for a development sandbox and one reason it never runs in
 * production.
 */
export class SessionStore {
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.maxSessions = options.maxSessions ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Stores a new open session; returns undefined when the store is full. */
  create(input: NewSession): GatewaySession | undefined {
    this.removeExpired();
    if (this.sessions.size >= this.maxSessions) return undefined;

    const session: GatewaySession = {
      ...input,
      id: randomId(),
      formToken: randomToken(),
      state: 'open',
      shopNotified: false,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /**
   * Returns the live session with this id. Expired sessions are removed and not found, so every
   * page and form of an expired session responds with 404 and its payment can no longer be made.
   */
  get(id: string): GatewaySession | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.isExpired(session)) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /**
   * Moves the session to `to` if it is currently in one of `from`, and reports whether it did.
   * Check and update run without an await in between, so two concurrent submits of the same
   * session cannot both pass.
   */
  transition(session: GatewaySession, from: SessionState[], to: SessionState): boolean {
    if (!from.includes(session.state)) return false;
    session.state = to;
    return true;
  }

  private isExpired(session: GatewaySession): boolean {
    return session.expiresAt <= this.now();
  }

  private removeExpired(): void {
    for (const [id, session] of this.sessions) {
      if (this.isExpired(session)) this.sessions.delete(id);
    }
  }
}

/** Compares a submitted form token with the session's in constant time. */
export function isFormTokenValid(session: GatewaySession, submitted: string): boolean {
  const expected = Buffer.from(session.formToken);
  const actual = Buffer.from(submitted);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
