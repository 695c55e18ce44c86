// What an app tells a room connection (connection.ts): where the room is, who joins, and what the connection uses
// of the world (socket, clock, randomness), each injected so that tests drive it step by step.

import { type BackoffPolicy, DEFAULT_BACKOFF } from "./backoff";
import type { ConnectionEvent } from "./connection-events";
import { CLIENT_CONSTANTS } from "./constants";
import type { SocketFactory } from "./socket";
import { type Clock, systemClock } from "./timers";
import type { TokenProvider } from "./token-refresh";

/** How often to ping the room while joined (the clients' shared numbers, constants.ts, as every default below). */
export const DEFAULT_PING_INTERVAL_MS = CLIENT_CONSTANTS.pingIntervalMs;
/** How long an answer may take before the request counts as lost. */
export const DEFAULT_ANSWER_TIMEOUT_MS = CLIENT_CONSTANTS.answerTimeoutMs;

export interface ConnectionOptions {
  /** The room's WebSocket address (without `?token=` when `token` is given). */
  url: string;
  /**
   * Gets a new token from the app's backend (token-refresh.ts): asked before each connection attempt, and the
   * connection comes straight back in, resuming, when the room closes it because its token expired (4010).
   */
  token?: TokenProvider;
  name: string;
  createSocket: SocketFactory;
  onEvent(event: ConnectionEvent): void;
  clock?: Clock;
  random?: () => number;
  backoff?: BackoffPolicy;
  /** How often to ping the room, so that a dead connection is noticed and proxies keep a live one open. */
  pingIntervalMs?: number;
  /** How long an answer (the welcome, a pong, a history page) may take before the request counts as lost. */
  answerTimeoutMs?: number;
  /** The largest frame this client takes, told to the room in the join: it cuts welcomes and pages to fit. */
  maxFrameBytes?: number;
}

/** The options a connection runs with, the defaults filled in. */
export function withDefaults(options: ConnectionOptions) {
  return {
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    answerTimeoutMs: options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS,
  };
}
