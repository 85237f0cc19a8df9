import type { FastifyInstance, FastifyRequest } from 'fastify';

// PLACEHOLDER: the auth-core helper replaces this file (see /work/notes/contracts.md).

export interface CsrfOptions {
  /** deriveKey(secrets, 'csrf') of the app. */
  key: Buffer;
  /** The value a token is bound to: the session hash, else an anonymous cookie's hash. */
  bindingOf(request: FastifyRequest): string | null;
}

export function registerCsrfCheck(_app: FastifyInstance, _options: CsrfOptions): void {}

export function csrfToken(_key: Buffer, _binding: string): string {
  return '';
}
