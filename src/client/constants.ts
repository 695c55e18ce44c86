// The numbers of the clients' connection rules (clients/spec), written once. The JavaScript client reads them here;
// tools/client-constants.ts writes them, with the room's close codes (../shared/close-codes.ts), into
// clients/spec/constants.json, which both spec runners check their client against, and into the Godot addon's
// constants.gd. test/unit/tools/client-constants.test.ts fails while a written copy is stale (`npm run gen:clients`).

export const CLIENT_CONSTANTS = {
  /** Reconnect delays (backoff.ts): the first retry's ceiling, the cap, and the failed attempts before giving up. */
  backoff: { baseMs: 500, maxMs: 30_000, maxAttempts: 30 },
  /** How often to ping the room while joined. */
  pingIntervalMs: 25_000,
  /** How long an answer (the welcome, a pong, a history or members page, a token) may take before it is lost. */
  answerTimeoutMs: 10_000,
  /** How long after a refusal that names no chat an unechoed chat counts as refused (send-queue.ts). */
  refusalCheckMs: 1000,
  /** How many tokens short of the room's burst sending keeps (send-queue.ts). */
  burstMargin: 1,
  /** The largest frame a Godot socket takes by default (64 KiB, a ring buffer that holds one byte less). */
  godotMaxFrameBytes: 65_535,
  /** A chat's client id (chat-id.ts): this many characters of the alphabet, 64 of them, so one random byte picks one. */
  cid: { alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", length: 16 },
} as const;
