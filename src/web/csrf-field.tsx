import type { FastifyReply, FastifyRequest } from 'fastify';

import { csrfFieldName, csrfToken } from '../auth/csrf.js';
import { ensureVisitor } from '../cart/visitor.js';
import type { ShopDeps } from '../server/app.js';
import { deriveKey, type Secrets } from '../server/secrets.js';

// HKDF runs once per set of secrets, not once per page.
const csrfKeys = new WeakMap<Secrets, Buffer>();

function csrfKeyOf(secrets: Secrets): Buffer {
  let key = csrfKeys.get(secrets);
  if (!key) {
    key = deriveKey(secrets, 'csrf');
    csrfKeys.set(secrets, key);
  }
  return key;
}

/**
 * Returns the CSRF token for the forms of the page this request renders. The token is bound to
 * the same value the CSRF check binds to: the session hash of a signed-in customer, else the
 * visitor cookie's hash. A visitor without either gets the visitor cookie here, so the token
 * posted back still matches. Call it only while rendering a page that has a POST form.
 */
export function formTokenFor(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: Pick<ShopDeps, 'secrets'>,
): string {
  const binding =
    request.account?.sessionHash ?? ensureVisitor(request, reply, deps.secrets.signingKey);
  return csrfToken(csrfKeyOf(deps.secrets), binding);
}

/** Renders the hidden `_csrf` field that every POST form of the shop carries. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={csrfFieldName} value={token} />;
}
