// What a valid moderation request is: kick, ban, unban, delete, mute and unmute, as a moderator's native packet or as
// a body sent to the admin API, read into the action the room takes. A ban may be previewed (whom it would remove)
// first.

import { fail, ok, optionalWholeNumber, type Parsed, requiredWholeNumber } from "./fields";
import type { BanAim, Limits, ModerationAction, ModerationPacket } from "./protocol";
import { validateText } from "./text-rules";

/** A moderator's reason, shown to the member it removes; a ban's (or a mute's) length; a user id as tokens carry it. */
export const MAX_REASON_CHARS = 200;
export const MAX_BAN_MINUTES = 10 * 365 * 24 * 60;
const MAX_USER_CHARS = 64;

/**
 * A moderation request: the native packet's fields (`type` is kick, ban, unban, delete, mute or unmute), or an admin
 * API body for that action. Only the admin API may ban or mute a `user` by id rather than a member in the room
 * (`byUser`).
 */
export function parseModeration(
  type: ModerationPacket["type"],
  packet: Record<string, unknown>,
  limits: Limits,
  byUser = false,
): Parsed<ModerationAction> {
  if (type === "delete") {
    const seq = requiredWholeNumber(packet, "seq");
    return seq.ok ? ok({ kind: "delete", seq: seq.value }) : seq;
  }
  if (type === "unban" || type === "unmute") {
    const user = readUser(packet);
    return user.ok ? ok({ kind: type, user: user.value }) : user;
  }
  if (type === "ban") return readBan(packet, limits, byUser);
  if (type === "mute") return readMute(packet, limits, byUser);
  const reason = optionalReason(packet, limits);
  if (!reason.ok) return reason;
  if (packet.minutes !== undefined) return fail("invalid_field", "a kick has no minutes: ban for a time instead");
  const id = requiredWholeNumber(packet, "id");
  return id.ok
    ? ok({ kind: "kick", id: id.value, ...(reason.value === undefined ? {} : { reason: reason.value }) })
    : id;
}

/** The most ids a ban's `confirm` may list: more than one address may hold (MAX_CONNECTIONS_PER_ADDRESS). */
export const MAX_CONFIRM_IDS = 1000;

/** Whom a ban or a mute is aimed at: member `id`, or (the admin API only) a `user`. */
function readAim(packet: Record<string, unknown>, byUser: boolean, what: string): Parsed<BanAim> {
  if (byUser && packet.user !== undefined) {
    if (packet.id !== undefined) return fail("invalid_field", `a ${what} names an id or a user, not both`);
    const user = readUser(packet);
    return user.ok ? ok({ user: user.value }) : user;
  }
  const id = requiredWholeNumber(packet, "id");
  return id.ok ? ok({ id: id.value }) : id;
}

/** A mute: whom, for how many minutes (absent: until unmuted), and why. */
function readMute(packet: Record<string, unknown>, limits: Limits, byUser: boolean): Parsed<ModerationAction> {
  const aim = readAim(packet, byUser, "mute");
  if (!aim.ok) return aim;
  const reason = optionalReason(packet, limits);
  if (!reason.ok) return reason;
  const minutes = optionalWholeNumber(packet, "minutes", 1, MAX_BAN_MINUTES);
  if (!minutes.ok) return minutes;
  return ok({
    kind: "mute",
    ...aim.value,
    ...(reason.value === undefined ? {} : { reason: reason.value }),
    ...(minutes.value === undefined ? {} : { minutes: minutes.value }),
  });
}

/** A ban, or with `preview: true` the question of whom it would remove (nothing else may come with it). */
function readBan(packet: Record<string, unknown>, limits: Limits, byUser: boolean): Parsed<ModerationAction> {
  const aim = readAim(packet, byUser, "ban");
  if (!aim.ok) return aim;
  if (packet.preview !== undefined) {
    if (packet.preview !== true) return fail("invalid_field", "preview must be true if present");
    const extra = ["minutes", "reason", "confirm"].find((field) => packet[field] !== undefined);
    if (extra !== undefined) return fail("invalid_field", `a preview bans nothing: it takes no ${extra}`);
    return ok({ kind: "preview_ban", ...aim.value });
  }
  const reason = optionalReason(packet, limits);
  if (!reason.ok) return reason;
  const minutes = optionalWholeNumber(packet, "minutes", 1, MAX_BAN_MINUTES);
  if (!minutes.ok) return minutes;
  const confirm = optionalIds(packet, "confirm");
  if (!confirm.ok) return confirm;
  return ok({
    kind: "ban",
    ...aim.value,
    ...(reason.value === undefined ? {} : { reason: reason.value }),
    ...(minutes.value === undefined ? {} : { minutes: minutes.value }),
    ...(confirm.value === undefined ? {} : { confirm: confirm.value }),
  });
}

function optionalIds(packet: Record<string, unknown>, field: string): Parsed<number[] | undefined> {
  const raw = packet[field];
  if (raw === undefined) return ok(undefined);
  const valid =
    Array.isArray(raw) &&
    raw.length <= MAX_CONFIRM_IDS &&
    raw.every((id) => typeof id === "number" && Number.isSafeInteger(id) && id >= 1);
  return valid
    ? ok(raw as number[])
    : fail("invalid_field", `${field} must be a list of at most ${MAX_CONFIRM_IDS} member ids`);
}

function readUser(packet: Record<string, unknown>): Parsed<string> {
  const { user } = packet;
  if (typeof user !== "string" || user.length < 1 || user.length > MAX_USER_CHARS) {
    return fail("invalid_field", `user must be 1 to ${MAX_USER_CHARS} characters`);
  }
  return ok(user);
}

function optionalReason(packet: Record<string, unknown>, limits: Limits): Parsed<string | undefined> {
  if (packet.reason === undefined) return ok(undefined);
  return validateText(packet.reason, { ...limits, maxMessageChars: MAX_REASON_CHARS }, "reason");
}
