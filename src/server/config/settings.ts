// Room settings, read from `[vars]` in wrangler.toml (or `--var` on the command line). Every setting has a
// default; a value that is set but is not a positive whole number (or 0, for the one setting where 0 means "no
// limit") stops the room with a message naming it, because a typo that silently fell back to a default would be
// worse.

import { blockedEntryProblem } from "../../shared/blocked-words";
import { DEFAULT_LIMITS, type Limits } from "../../shared/protocol";
import { minServerFrameBytes } from "../../shared/validation";
import { readWebhookSettings, type WebhookSettings, type WebhookVars } from "./webhook-settings";

export interface RoomSettings {
  limits: Limits;
  /** Messages kept per room; older ones are pruned as new ones arrive. */
  historyRetained: number;
  /** Messages sent to a client that joins without `since`. */
  historyOnJoin: number;
  /** What one page of history (a welcome's included) may weigh in bytes, about. */
  historyPageMaxBytes: number;
  /** Refused frames within one second, past the rate limit, after which the connection is closed (code 1008). */
  floodCloseAfter: number;
  /** How long history is kept, at most. */
  historyMaxAgeMs: number;
  /** How long a connection may stay without joining. */
  joinTimeoutMs: number;
  /** How long a member that pings to keep alive may go unheard before it is dropped. */
  silenceMs: number;
  /** What the whole room takes in, shared fairly among its senders once it is reached (room-budget.ts). */
  roomBudget: { messagesPerSecond: number; bytesPerSecond: number };
  /** Joins the room accepts per second, with a burst of five seconds' worth. */
  roomJoinsPerSecond: number;
  /** Open connections to one room from one client address. */
  maxConnectionsPerAddress: number;
  /** Connections one object of a room holds; past it, the room opens shards (docs/scaling.md). */
  shardCapacity: number;
  /** How far in the future a token's `exp` may be (identity.ts): the longest a token, and so a connection, lives. */
  maxTokenLifeSeconds: number;
  /** Where the room sends its events, and how it signs them; undefined: webhooks are off (webhook-settings.ts). */
  webhook: WebhookSettings | undefined;
  /** BLOCKED_WORDS: words and phrases every room refuses (shared/blocked-words.ts), besides the room's own. */
  blockedWords: string[];
}

const DEFAULTS = {
  MAX_NAME_CHARS: DEFAULT_LIMITS.maxNameChars,
  MAX_MESSAGE_CHARS: DEFAULT_LIMITS.maxMessageChars,
  MAX_FRAME_BYTES: DEFAULT_LIMITS.maxFrameBytes,
  MAX_SERVER_FRAME_BYTES: DEFAULT_LIMITS.maxServerFrameBytes,
  RATE_LIMIT_BURST: DEFAULT_LIMITS.rateLimitBurst,
  RATE_LIMIT_PER_SECOND: DEFAULT_LIMITS.rateLimitPerSecond,
  RATE_LIMIT_BYTES_PER_TOKEN: DEFAULT_LIMITS.rateLimitBytesPerToken,
  HISTORY_PAGE_MAX: DEFAULT_LIMITS.historyPageMax,
  MEMBERS_PAGE_MAX: DEFAULT_LIMITS.membersPageMax,
  MAX_DATA_BYTES: DEFAULT_LIMITS.maxDataBytes,
  MAX_REACTIONS_PER_MESSAGE: DEFAULT_LIMITS.maxReactionsPerMessage,
  EDIT_WINDOW_SECONDS: DEFAULT_LIMITS.editWindowSeconds,
  MAX_STATE_BYTES: DEFAULT_LIMITS.maxStateBytes,
  TYPING_MAX_MEMBERS: DEFAULT_LIMITS.typingMaxMembers,
  PRESENCE_LIST_MAX: DEFAULT_LIMITS.presenceListMax,
  HISTORY_RETAINED: 1000,
  HISTORY_ON_JOIN: 50,
  HISTORY_PAGE_MAX_BYTES: 256 * 1024,
  FLOOD_CLOSE_AFTER: 50,
  HISTORY_MAX_AGE_DAYS: 30,
  JOIN_TIMEOUT_SECONDS: 10,
  MEMBER_SILENCE_SECONDS: 120,
  ROOM_MESSAGES_PER_SECOND: 200,
  ROOM_BYTES_PER_SECOND: 256 * 1024,
  ROOM_JOINS_PER_SECOND: 20,
  MAX_CONNECTIONS_PER_ADDRESS: 20,
  SHARD_CAPACITY: 5000,
  MAX_TOKEN_LIFE_SECONDS: 24 * 60 * 60,
  WEBHOOK_BACKLOG_MAX: 10_000,
} as const;

export type SettingName = keyof typeof DEFAULTS;

/** The largest MAX_STATE_BYTES a room takes (see readSettings). */
export const MAX_STATE_BYTES_CEILING = 4096;

/** The settings where 0 is a value of its own: no limit. */
const ZERO_MEANS_NONE: ReadonlySet<SettingName> = new Set(["EDIT_WINDOW_SECONDS"]);

export function readSettings(
  vars: Partial<Record<SettingName, unknown>> & WebhookVars & { BLOCKED_WORDS?: unknown },
): RoomSettings {
  const read = (name: SettingName): number => {
    const raw = vars[name];
    if (raw === undefined || raw === "") return DEFAULTS[name];
    const value = typeof raw === "number" ? raw : Number(raw);
    if (!Number.isSafeInteger(value) || value < (ZERO_MEANS_NONE.has(name) ? 0 : 1)) {
      const what = ZERO_MEANS_NONE.has(name) ? "a whole number (0: no limit)" : "a positive whole number";
      throw new Error(`setting ${name} must be ${what}, not ${JSON.stringify(raw)}`);
    }
    return value;
  };
  const settings: RoomSettings = {
    limits: {
      maxNameChars: read("MAX_NAME_CHARS"),
      maxMessageChars: read("MAX_MESSAGE_CHARS"),
      maxFrameBytes: read("MAX_FRAME_BYTES"),
      maxServerFrameBytes: read("MAX_SERVER_FRAME_BYTES"),
      rateLimitBurst: read("RATE_LIMIT_BURST"),
      rateLimitPerSecond: read("RATE_LIMIT_PER_SECOND"),
      rateLimitBytesPerToken: read("RATE_LIMIT_BYTES_PER_TOKEN"),
      historyPageMax: read("HISTORY_PAGE_MAX"),
      membersPageMax: read("MEMBERS_PAGE_MAX"),
      maxDataBytes: read("MAX_DATA_BYTES"),
      maxReactionsPerMessage: read("MAX_REACTIONS_PER_MESSAGE"),
      editWindowSeconds: read("EDIT_WINDOW_SECONDS"),
      maxStateBytes: read("MAX_STATE_BYTES"),
      // How often signals may come are the protocol's own numbers: both clients pace themselves by them.
      stateIntervalMs: DEFAULT_LIMITS.stateIntervalMs,
      typingIntervalMs: DEFAULT_LIMITS.typingIntervalMs,
      typingTimeoutMs: DEFAULT_LIMITS.typingTimeoutMs,
      typingMaxMembers: read("TYPING_MAX_MEMBERS"),
      presenceListMax: read("PRESENCE_LIST_MAX"),
      presenceSummaryMs: DEFAULT_LIMITS.presenceSummaryMs,
    },
    historyRetained: read("HISTORY_RETAINED"),
    historyOnJoin: read("HISTORY_ON_JOIN"),
    historyPageMaxBytes: read("HISTORY_PAGE_MAX_BYTES"),
    floodCloseAfter: read("FLOOD_CLOSE_AFTER"),
    historyMaxAgeMs: read("HISTORY_MAX_AGE_DAYS") * 24 * 60 * 60 * 1000,
    joinTimeoutMs: read("JOIN_TIMEOUT_SECONDS") * 1000,
    silenceMs: read("MEMBER_SILENCE_SECONDS") * 1000,
    roomBudget: { messagesPerSecond: read("ROOM_MESSAGES_PER_SECOND"), bytesPerSecond: read("ROOM_BYTES_PER_SECOND") },
    roomJoinsPerSecond: read("ROOM_JOINS_PER_SECOND"),
    maxConnectionsPerAddress: read("MAX_CONNECTIONS_PER_ADDRESS"),
    shardCapacity: read("SHARD_CAPACITY"),
    maxTokenLifeSeconds: read("MAX_TOKEN_LIFE_SECONDS"),
    webhook: readWebhookSettings(vars, read("WEBHOOK_BACKLOG_MAX")),
    blockedWords: readBlockedWords(vars.BLOCKED_WORDS),
  };
  const { maxFrameBytes, rateLimitBytesPerToken, rateLimitBurst } = settings.limits;
  if (Math.ceil(maxFrameBytes / rateLimitBytesPerToken) > rateLimitBurst) {
    // Such a frame could never be afforded: the client would wait forever, the room refuse forever.
    throw new Error(
      "settings: a frame of MAX_FRAME_BYTES must cost at most RATE_LIMIT_BURST tokens (raise RATE_LIMIT_BYTES_PER_TOKEN)",
    );
  }
  if (settings.limits.maxStateBytes > MAX_STATE_BYTES_CEILING) {
    // A member's state rides in its socket's attachment (16 KiB at most, with the rest of its session) and in every
    // list of members: kept small on purpose.
    throw new Error(`settings: MAX_STATE_BYTES must be at most ${MAX_STATE_BYTES_CEILING}`);
  }
  const floor = minServerFrameBytes(settings.limits);
  if (settings.limits.maxServerFrameBytes < floor) {
    // The room could not send a message of the longest length in one frame.
    throw new Error(
      `settings: MAX_SERVER_FRAME_BYTES must be at least ${floor} for messages of MAX_MESSAGE_CHARS and names of MAX_NAME_CHARS, with MAX_DATA_BYTES of data, a quote and MAX_REACTIONS_PER_MESSAGE reactions`,
    );
  }
  return settings;
}

/** BLOCKED_WORDS: comma-separated words or phrases (empty ones skipped), each as the admin API's list takes it. */
function readBlockedWords(raw: unknown): string[] {
  if (raw === undefined || raw === "") return [];
  if (typeof raw !== "string") throw new Error("setting BLOCKED_WORDS must be a comma-separated list of words");
  const words = raw.split(",").filter((word) => word.trim() !== "");
  for (const word of words) {
    const problem = blockedEntryProblem(word);
    if (problem !== undefined) throw new Error(`setting BLOCKED_WORDS: ${problem}`);
  }
  return words.map((word) => word.trim());
}
