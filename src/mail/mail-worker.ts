import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import type { Config } from '../server/config.js';
import type { FastifyBaseLogger } from 'fastify';

// PLACEHOLDER: the customer-accounts helper replaces this file (see /work/notes/contracts.md).

export interface MailWorker {
  stop(): Promise<void>;
}

export function startMailWorker(_deps: {
  db: Kysely<Database>;
  config: Config;
  log: FastifyBaseLogger;
}): MailWorker {
  return { stop: async () => {} };
}
