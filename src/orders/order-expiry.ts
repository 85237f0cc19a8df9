import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import type { Config } from '../server/config.js';
import type { ServiceContext } from '../server/context.js';
import type { Secrets } from '../server/secrets.js';
import { endUnpaidOrder } from './order.service.js';

/**
 * Minutes a pending order is kept past its payment deadline before it expires. They cover a
 * success webhook still in flight from a payment made just before the deadline.
 */
export const expiryGraceMinutes = 5;

/** Orders one sweep at the start of a checkout expires at most, so checkout stays quick. */
export const checkoutSweepLimit = 10;

/** Orders the timer expires per batch; it runs batches until one comes back short. */
const timerBatchSize = 100;

/** Batches one timer run takes at most, so a backlog is worked off over several minutes. */
const timerMaxBatches = 10;

const minuteMs = 60_000;

/**
 * Returns the instant after which the payment provider must refuse to take the payment of an
 * order placed at `placedAt`: PAYMENT_TIMEOUT_MINUTES later.
 */
export function paymentDeadline(config: Config, placedAt: Date): Date {
  return new Date(placedAt.getTime() + config.paymentTimeoutMinutes * minuteMs);
}

/**
 * Expires up to `limit` orders (oldest first) that are still pending_payment after their
 * payment deadline plus the grace period, and returns how many it expired. Each becomes
 * payment_expired and releases its stock exactly once, through the same conditional update as
 * a failed payment, so a webhook or another sweep racing with this one cannot release it twice.
 */
export async function expireUnpaidOrders(
  ctx: ServiceContext,
  options: { limit: number; now?: Date },
): Promise<number> {
  const now = options.now ?? new Date();
  const placedBefore = new Date(
    now.getTime() - (ctx.config.paymentTimeoutMinutes + expiryGraceMinutes) * minuteMs,
  );

  // Served by orders_status_created_idx; created_at is ISO 8601 UTC, so text order is time order.
  const due = await ctx.db
    .selectFrom('orders')
    .select('id')
    .where('status', '=', 'pending_payment')
    .where('created_at', '<', placedBefore.toISOString())
    .orderBy('created_at')
    .limit(options.limit)
    .execute();

  let expired = 0;
  for (const { id } of due) {
    if (!(await endUnpaidOrder(ctx.db, id, 'payment_expired'))) continue;
    expired += 1;
    ctx.log.info({ orderId: id }, 'unpaid order expired; stock released');
  }
  return expired;
}

/**
 * Runs a small expiry sweep before a checkout. A failure is logged and does not stop the
 * checkout, because the timer sweeps again within a minute.
 */
export async function expireBeforeCheckout(ctx: ServiceContext): Promise<void> {
  try {
    await expireUnpaidOrders(ctx, { limit: checkoutSweepLimit });
  } catch (error) {
    ctx.log.error({ err: error }, 'order expiry before checkout failed');
  }
}

export interface ExpiryTimer {
  /** Stops the timer and waits for a sweep in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Sweeps expired orders at once and then every `intervalMs` (default one minute). The timer is
 * unref'd, so it never keeps the process alive, and a sweep never starts while the last one
 * runs. Errors are logged at error level and the next tick tries again.
 */
export function startExpiryTimer(
  deps: { db: Kysely<Database>; config: Config; secrets: Secrets; log: FastifyBaseLogger },
  intervalMs = minuteMs,
): ExpiryTimer {
  const ctx: ServiceContext = {
    db: deps.db,
    config: deps.config,
    secrets: deps.secrets,
    log: deps.log.child({ task: 'order-expiry' }),
    // No client requested this work: no request id, address or visitor, and no rate limit.
    requestId: 'order-expiry',
    ip: '',
    visitorHash: null,
    customerId: null,
  };

  let running: Promise<void> | undefined;
  const sweep = () => {
    if (running) return;
    running = sweepInBatches(ctx)
      .catch((error: unknown) => ctx.log.error({ err: error }, 'order expiry sweep failed'))
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

async function sweepInBatches(ctx: ServiceContext): Promise<void> {
  for (let batch = 0; batch < timerMaxBatches; batch += 1) {
    const expired = await expireUnpaidOrders(ctx, { limit: timerBatchSize });
    if (expired < timerBatchSize) return;
  }
}
