import { isIPv6 } from 'node:net';

export interface RateLimiterOptions {
  /** Requests allowed per key in one window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /**
   * Keys tracked at once. When the table is full, the oldest window is forgotten to make room,
   * so a flood of addresses cannot grow memory or lock out clients it has not seen before.
   * Default 10,000.
   */
  maxKeys?: number;
  /** Clock in milliseconds; tests replace it. Default Date.now. */
  now?: () => number;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one request under `key` and decides whether it is within the limit. */
  take(key: string): RateLimitDecision;
}

/**
 * Creates a fixed-window counter: each key may make `limit` requests per window, counted from
 * its first request.
 *
 * NOTE: counts live in the memory of this process. Each process of a multi-process deployment
 * counts on its own, and a restart resets every count.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowMs, maxKeys = 10_000, now = Date.now } = options;
  // Insertion order is start order, because an expired window is deleted before its key is
  // counted again, so the oldest windows are always first.
  const windows = new Map<string, { startedAt: number; count: number }>();

  const retryAfter = (startedAt: number, time: number) =>
    Math.max(1, Math.ceil((startedAt + windowMs - time) / 1000));

  return {
    take(key) {
      const time = now();
      dropExpired(windows, time, windowMs);

      let window = windows.get(key);
      if (!window) {
        // Rejecting new keys here instead would let anyone with many addresses lock every
        // other client out. Forgetting the oldest window costs only that client's count.
        if (windows.size >= maxKeys) {
          const oldestKey = windows.keys().next().value;
          if (oldestKey !== undefined) windows.delete(oldestKey);
        }
        window = { startedAt: time, count: 0 };
        windows.set(key, window);
      }

      window.count += 1;
      if (window.count > limit) {
        return { allowed: false, retryAfterSeconds: retryAfter(window.startedAt, time) };
      }
      return { allowed: true };
    },
  };
}

function dropExpired(
  windows: Map<string, { startedAt: number }>,
  time: number,
  windowMs: number,
): void {
  for (const [key, window] of windows) {
    if (time - window.startedAt < windowMs) return;
    windows.delete(key);
  }
}

/**
 * Returns the rate-limit key for a client address. IPv4 addresses (also IPv4-mapped IPv6) are
 * used whole. IPv6 addresses are cut to their /64 network, because one host usually controls a
 * whole /64 and could otherwise use a fresh address for every request.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(ip)) return ip;

  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

/** Expands an IPv6 address to its eight 16-bit groups, lowercase and without leading zeros. */
function expandIPv6(ip: string): string[] {
  const address = ip.split('%')[0] ?? ip;
  const [head = '', tail] = address.split('::');
  const toGroups = (part: string) => (part === '' ? [] : part.split(':').flatMap(ipv4AsGroups));

  const headGroups = toGroups(head);
  const tailGroups = tail === undefined ? [] : toGroups(tail);
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) =>
    Number.parseInt(group, 16).toString(16),
  );
}

/** Converts a trailing dotted IPv4 part (`::ffff:1.2.3.4`) to its two 16-bit groups. */
function ipv4AsGroups(group: string): string[] {
  if (!group.includes('.')) return [group];

  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
