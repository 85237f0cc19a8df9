import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';

import type { Database, Realm } from '../db/schema.js';
import type { Config } from '../server/config.js';

const minuteMs = 60_000;

export interface AuthSweeper {
  stop(): Promise<void>;
}

/**
 * Deletes sessions past their absolute end or idle timeout, emailed links past their expiry
 * and expired passkey challenges. Requests already reject all of these; the sweep keeps dead
 * rows from piling up for accounts that never come back.
 */
export async function sweepExpiredAuthRows(
  db: Kysely<Database>,
  sessions: Config['sessions'],
  now: Date = new Date(),
): Promise<number> {
  const nowIso = now.toISOString();
  let deleted = 0;

  const absolute = await db
    .deleteFrom('sessions')
    .where('expires_at', '<=', nowIso)
    .executeTakeFirst();
  deleted += Number(absolute.numDeletedRows);

  for (const realm of ['customer', 'staff'] as Realm[]) {
    const idleSince = new Date(now.getTime() - sessions[realm].idleMinutes * minuteMs);
    const idle = await db
      .deleteFrom('sessions')
      .where('realm', '=', realm)
      .where('last_seen_at', '<=', idleSince.toISOString())
      .executeTakeFirst();
    deleted += Number(idle.numDeletedRows);
  }

  const links = await db
    .deleteFrom('auth_links')
    .where('expires_at', '<=', nowIso)
    .executeTakeFirst();
  const challenges = await db
    .deleteFrom('auth_challenges')
    .where('expires_at', '<=', nowIso)
    .executeTakeFirst();
  return deleted + Number(links.numDeletedRows) + Number(challenges.numDeletedRows);
}

/** Runs sweepExpiredAuthRows every `intervalMs` (a minute by default) until stopped. */
export function startAuthSweeper(
  deps: { db: Kysely<Database>; config: Config; log: FastifyBaseLogger },
  intervalMs = minuteMs,
): AuthSweeper {
  const log = deps.log.child({ task: 'auth-sweep' });
  let running: Promise<unknown> | undefined;

  const sweep = () => {
    if (running) return;
    running = sweepExpiredAuthRows(deps.db, deps.config.sessions)
      .catch((error: unknown) => log.error({ err: error }, 'sweep of expired sessions failed'))
      .finally(() => {
        running = undefined;
      });
  };

  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  sweep();

  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
