// The room's log lines: one JSON object per notable event, on one line, which Workers Logs (`[observability]` in
// wrangler.toml) indexes by its fields. Each event has a fixed set of fields, and none of them can carry what a
// member said or holds: no message text, no name, no token, no resume key, no address, no webhook secret. Codes and
// numbers only; a failure's error is cut short, for a database or network error names no payload. The events and
// their fields are listed in docs/operations.md.

/** What each event says besides its `event`, `room` and `object`. */
export interface EventFields {
  /** An error the room or a shard answered a client with (a packet, or an HTTP refusal of an upgrade). */
  refusal: { code: string; for: string; status?: number };
  /** A connection ended, by the code that ended it. */
  close: { code: number };
  /** A moderation action carried out, by a moderator in the room or the admin API. */
  moderation: { action: string; by: "moderator" | "admin" };
  /** A hub started placing connections on one of its shards: the first there since the hub started or it emptied. */
  "shard.placed": { shard: number };
  /** Storage work nothing waited for failed (it is logged, never lost: upkeep.ts). */
  "upkeep.failed": { error: string };
  /** The object was created: a first request, or one after it was evicted from memory. */
  "room.woke": Record<string, never>;
}

export type EventName = keyof EventFields;

/** Where a line comes from: a room's hub or one of its shards, or the Worker in front of them. */
export interface Origin {
  room: string;
  object: string;
}

/** The longest error a line keeps: enough to tell a failure, too short to carry a batch of anything. */
const MAX_ERROR_CHARS = 200;

/** Writes one event's line. */
export function logEvent<Event extends EventName>(event: Event, origin: Origin, fields: EventFields[Event]): void {
  console.log(JSON.stringify({ event, room: origin.room, object: origin.object, ...fields }));
}

/** A failure as `upkeep.failed` keeps it: its name and message, cut short, never its stack or any payload. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

/**
 * What a refusal names as the packet it answers: a packet type is a word of the protocol, checked before it is
 * logged, for a client chooses what it sends; anything else is "frame".
 */
export function packetLabel(type: unknown): string {
  return typeof type === "string" && type.length <= 32 && /^[a-z_]+$/.test(type) ? type : "frame";
}
