// Who a connection is, when the game's backend says so: an HS256 JWT signed with AUTH_SECRET, passed as `?token=`
// on the WebSocket URL (browsers cannot set headers on a WebSocket). The Worker verifies it with `jose`, before any
// room is reached, and hands the room the verified identity in a header of its own that no client can set: the
// Worker removes it from every request first, and a room is reachable only through the Worker.
// With no AUTH_SECRET, tokens are ignored and every room is open, as before.

import { errors, jwtVerify } from "jose";
import { stateProblem } from "../../shared/member-state";
import { endsLikeGuest, GUEST_MARK } from "../../shared/names";
import type { Limits, MemberState } from "../../shared/protocol";
import { validateName } from "../../shared/text-rules";
import { refusal } from "./requests";

export interface Identity {
  /** The stable user id (`sub`). */
  user: string;
  /** The display name the token gives. */
  name: string;
  role: "member" | "moderator";
  /**
   * The token's `exp`, in seconds since the epoch: the room closes the connection once it has passed (token-expiry.ts),
   * so that a connection lives no longer than its token.
   */
  exp: number;
  /**
   * Fields of the member's state that the game's backend vouches for (the token's `state` claim: an avatar URL, a
   * team, a rank): shown over the member's own fields, and the member cannot change them (shared/member-state.ts).
   */
  state?: MemberState;
}

/** The header that carries a verified identity from the Worker to a room. */
export const IDENTITY_HEADER = "X-Edge-Chat-Identity";

/** Clock skew allowed on `exp` and `iat`, between the backend that signs tokens and this server. */
export const CLOCK_TOLERANCE_SECONDS = 60;

export interface AccessSettings {
  secret: string | undefined;
  /** "open": tokens optional; "token": every connection needs one. */
  access: "open" | "token";
  limits: Limits;
  /** The longest a token may live from now (MAX_TOKEN_LIFE_SECONDS): a leaked token is good for no longer. */
  maxTokenLifeSeconds: number;
}

/** The identity a request proves (undefined: anonymous), or the refusal to answer it with. */
export async function identify(
  url: URL,
  room: string,
  settings: AccessSettings,
): Promise<Identity | undefined | Response> {
  const token = url.searchParams.get("token");
  if (settings.secret === undefined) return undefined;
  if (token === null) {
    return settings.access === "token"
      ? invalid("this server admits only connections with a token (?token=…)")
      : undefined;
  }
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, await verifyingKey(settings.secret), {
      algorithms: ["HS256"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "sub"],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      return refusal(401, { error: "token_expired", message: "the token has expired; get a new one" });
    }
    return invalid("the token is not valid");
  }
  const { sub, name, role = "member", rooms, iat, state } = claims;
  // jose checked that `exp` is a number, and `iat` if present; it bounds neither in the future.
  const exp = claims.exp as number;
  const now = Math.floor(Date.now() / 1000);
  if (typeof iat === "number" && iat > now + CLOCK_TOLERANCE_SECONDS)
    return invalid("the token's iat is in the future");
  if (exp > now + settings.maxTokenLifeSeconds + CLOCK_TOLERANCE_SECONDS) {
    return invalid(`the token's exp is more than ${settings.maxTokenLifeSeconds} s away (MAX_TOKEN_LIFE_SECONDS)`);
  }
  if (typeof sub !== "string" || sub.length < 1 || sub.length > 64)
    return invalid("the token's sub must be 1 to 64 characters");
  const validName = validateName(name, settings.limits);
  if (!validName.ok) return invalid(`the token's name: ${validName.error.message}`);
  // The tutorial dialect marks guests after their names: a verified name that ends so would pass for a guest's.
  if (endsLikeGuest(validName.value))
    return invalid(`the token's name must not end with "${GUEST_MARK.trim()}", which marks guests`);
  if (role !== "member" && role !== "moderator") return invalid("the token's role must be member or moderator");
  if (rooms !== undefined && !(Array.isArray(rooms) && rooms.every((r) => typeof r === "string"))) {
    return invalid("the token's rooms must be a list of room names");
  }
  if (rooms !== undefined && !rooms.includes(room)) {
    return refusal(403, { error: "room_not_allowed", message: `the token does not admit room ${room}` });
  }
  const stateWrong = state === undefined ? undefined : stateProblem(state, settings.limits);
  if (stateWrong !== undefined) return invalid(`the token's ${stateWrong}`);
  const identity: Identity = { user: sub, name: validName.value, role, exp };
  if (state !== undefined && Object.keys(state as MemberState).length > 0) identity.state = state as MemberState;
  return identity;
}

const invalid = (message: string): Response => refusal(401, { error: "invalid_token", message });

/**
 * The secret as a key, imported once per isolate rather than once per token: a storm of joins (or of forged tokens)
 * then costs one HMAC per token and nothing more.
 */
let imported: { secret: string; key: Promise<CryptoKey> } | undefined;
function verifyingKey(secret: string): Promise<CryptoKey> {
  if (imported?.secret !== secret) {
    const key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    imported = { secret, key };
  }
  return imported.key;
}

/**
 * When a connection of this identity ends: the token's `exp` past the clock skew the Worker allows, which is when
 * the Worker starts refusing the same token. So a connection the Worker admits is never closed by the room at once.
 */
export const expiresAt = (identity: Identity): number => (identity.exp + CLOCK_TOLERANCE_SECONDS) * 1000;
