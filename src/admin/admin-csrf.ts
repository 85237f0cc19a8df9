import type { FastifyReply, FastifyRequest } from 'fastify';

import { csrfToken } from '../auth/csrf.js';
import { hashToken, randomToken } from '../server/ids.js';
import { deriveKey, type Secrets } from '../server/secrets.js';

/**
 * Cookie that binds the login form's CSRF token before a session exists. It carries no
 * authority: it only proves that the form was loaded by the browser that posts it.
 */
export const preLoginCookie = '__Host-staff-pre';

const csrfKeys = new WeakMap<Secrets, Buffer>();

/** deriveKey(secrets, 'csrf-admin'): admin tokens never validate on the shop, or back. */
export function adminCsrfKey(secrets: Secrets): Buffer {
  let key = csrfKeys.get(secrets);
  if (!key) {
    key = deriveKey(secrets, 'csrf-admin');
    csrfKeys.set(secrets, key);
  }
  return key;
}

/** The value admin CSRF tokens are bound to: the staff session, else the pre-login cookie. */
export function adminCsrfBinding(request: FastifyRequest): string | null {
  if (request.account) return request.account.sessionHash;
  const pre = request.cookies[preLoginCookie];
  return pre ? hashToken(pre) : null;
}

/**
 * Returns the token for the forms of the page being rendered, setting the pre-login cookie when
 * the browser has neither a session nor that cookie yet.
 */
export function adminFormToken(
  request: FastifyRequest,
  reply: FastifyReply,
  secrets: Secrets,
): string {
  let binding = adminCsrfBinding(request);
  if (binding === null) {
    const token = randomToken();
    reply.setCookie(preLoginCookie, token, {
      httpOnly: true,
      secure: true,
      sameSite: 'strict',
      path: '/',
    });
    binding = hashToken(token);
  }
  return csrfToken(adminCsrfKey(secrets), binding);
}
