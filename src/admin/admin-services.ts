import type { FastifyReply, FastifyRequest } from 'fastify';

import { createPasswordHasher, type PasswordHasher } from '../auth/passwords.js';
import { deriveKey } from '../server/secrets.js';
import { adminFormToken } from './admin-csrf.js';
import type { AdminDeps } from './app.js';
import type { AdminChrome } from './pages/layout.js';
import type { StaffAuthDeps } from './staff-auth.service.js';
import { auditKeyOf } from './staff-context.js';

/** The relying party of staff passkeys: the admin's own origin, never the shop's. */
export interface RelyingParty {
  rpID: string;
  origin: string;
  rpName: string;
}

/** Everything the admin's routes share, built once by buildAdminApp. */
export interface AdminServices {
  deps: AdminDeps;
  hasher: PasswordHasher;
  auth: StaffAuthDeps;
  rp: RelyingParty;
  /** Whether the passkeys client bundle is built; without it the passkey forms are left out. */
  passkeysBundle: boolean;
  /** deriveKey(secrets, 'totp-seal'). */
  totpSealKey: Buffer;
  /** The page frame data of a request, with a CSRF token for its forms. */
  chrome(request: FastifyRequest, reply: FastifyReply): AdminChrome;
}

export function createAdminServices(deps: AdminDeps): AdminServices {
  const hasher = createPasswordHasher(deps.config.passwordHashing, deps.config.hashConcurrency);
  const totpSealKey = deriveKey(deps.secrets, 'totp-seal');

  return {
    deps,
    hasher,
    totpSealKey,
    auth: {
      db: deps.db.kysely,
      hasher,
      auditKey: auditKeyOf(deps.secrets),
      totpSealKey,
      deviceKey: deriveKey(deps.secrets, 'device-cookie'),
      timeouts: deps.config.sessions.staff,
    },
    rp: {
      rpID: deps.config.adminUrl.hostname,
      origin: deps.config.adminUrl.origin,
      rpName: 'Storefort admin',
    },
    passkeysBundle: deps.assets['passkeys.js'] !== undefined,
    chrome: (request, reply) => ({
      assets: deps.assets,
      staff: request.staff,
      active: request.account?.stage === 'active',
      csrfToken: adminFormToken(request, reply, deps.secrets),
    }),
  };
}
