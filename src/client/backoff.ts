// How long to wait before the next reconnect attempt.

import { CLIENT_CONSTANTS } from "./constants";

export interface BackoffPolicy {
  /** The ceiling of the first retry's delay; each further attempt doubles it. */
  baseMs: number;
  /** No delay exceeds this, however many attempts have failed. */
  maxMs: number;
  /** After this many failed attempts in a row the connection gives up and reports itself offline. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { ...CLIENT_CONSTANTS.backoff };

/**
 * The delay before attempt `attempt` (1 for the first retry): exponential, capped, with "equal jitter" — a random
 * point in the upper half of the window. The jitter spreads out the clients that all lost the same server at the
 * same moment; keeping the lower half empty makes the delay still grow with every attempt.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
