// Who the moderation tools' tests put in a room: members with or without a token, moderators, and the admin API.

import { SELF } from "cloudflare:test";
import { type Client, connect, token } from "../client";

/** Joins `room` with a token for these claims (or anonymously, as `anonName`), from `address` if given. */
export async function member(
  room: string,
  claims?: { sub: string; name: string; role?: string },
  address?: string,
  anonName = "anon",
) {
  const query = claims ? `?token=${await token(claims)}` : "";
  const client = await connect(`/rooms/${room}${query}`, address);
  client.send({ type: "join", name: claims?.name ?? anonName });
  const welcome = await client.nextOfType("welcome");
  return { client, welcome, id: welcome.id as number };
}

export const moderatorOf = (room: string, sub = "mod-1") =>
  member(room, { sub, name: `Mod ${sub}`, role: "moderator" });

/** Sends a chat and resolves with its seq, once its sender hears it. */
export async function say(client: Client, text: string): Promise<number> {
  client.send({ type: "chat", text });
  return (await client.next((p) => p.type === "chat" && p.text === text)).seq as number;
}

const BEARER = { Authorization: "Bearer admin-token-of-the-worker-pool" };

/** A request of the admin API (ADMIN_TOKEN of this pool: vitest.config.ts) to `/api/rooms/<room>/<route>`. */
export const admin = (room: string, route: string, method = "GET", body?: unknown) =>
  SELF.fetch(`http://rooms.test/api/rooms/${room}/${route}`, {
    method,
    headers: { ...BEARER, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
