// A room member for tests inside workerd: opens a WebSocket through the Worker's own fetch handler, records every
// packet, and waits for the ones a test expects (test/support/inbox.ts, shared with the Node tests' client).

import { env, runInDurableObject, SELF } from "cloudflare:test";
import { SignJWT } from "jose";
import { GUEST_MARK } from "../../src/shared/names";
import type { NativeClientPacket, TutorialClientPacket } from "../../src/shared/protocol";
import { createInbox, type Inbox } from "../support/inbox";

export type Packet = Record<string, unknown> & { type: string };

export interface Client {
  socket: WebSocket;
  /** Every packet received so far, in order. */
  received: Packet[];
  /** Text frames received that were not JSON (e.g. the `pong` keep-alive answer). */
  plain: string[];
  /** Every frame received, as its UTF-8 size in bytes. */
  frameSizes: number[];
  send(packet: unknown): void;
  /** Sends UTF-8 JSON in a binary frame, as Godot 3's client does. */
  sendBinary(packet: unknown): void;
  sendRaw(frame: string | ArrayBuffer | Uint8Array): void;
  next: Inbox<Packet>["next"];
  nextOfType(type: string, timeoutMs?: number): Promise<Packet>;
  collect: Inbox<Packet>["collect"];
  upTo: Inbox<Packet>["upTo"];
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<number>;
}

/** The headers of a WebSocket upgrade, as a WebSocket client sends them. */
export const UPGRADE = {
  Upgrade: "websocket",
  "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  "Sec-WebSocket-Version": "13",
};

/** Opens a WebSocket to `path`; `address` is the client address Cloudflare would pass on (CF-Connecting-IP). */
export async function connect(
  path = "/rooms/test",
  address?: string,
  extraHeaders: Record<string, string> = {},
): Promise<Client> {
  const headers = { ...UPGRADE, ...extraHeaders, ...(address === undefined ? {} : { "CF-Connecting-IP": address }) };
  const response = await SELF.fetch(`http://rooms.test${path}`, { headers });
  const socket = response.webSocket;
  if (!socket) throw new Error(`no WebSocket: HTTP ${response.status} ${await response.text()}`);
  socket.accept();

  const inbox = createInbox<Packet>(5000);
  const plain: string[] = [];
  const frameSizes: number[] = [];
  socket.addEventListener("message", (event) => {
    const data = typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data as ArrayBuffer);
    frameSizes.push(new TextEncoder().encode(data).byteLength);
    let packet: Packet;
    try {
      packet = JSON.parse(data) as Packet;
    } catch {
      plain.push(data);
      return;
    }
    inbox.add(packet);
  });
  const closed = new Promise<number>((resolve) => {
    socket.addEventListener("close", (event) => resolve(event.code));
  });

  const client: Client = {
    socket,
    received: inbox.received,
    plain,
    frameSizes,
    closed,
    send: (packet) => socket.send(JSON.stringify(packet)),
    sendBinary: (packet) => socket.send(new TextEncoder().encode(JSON.stringify(packet))),
    sendRaw: (frame) => socket.send(frame),
    next: inbox.next,
    nextOfType: (type, timeoutMs) => inbox.next((packet) => packet.type === type, timeoutMs),
    collect: inbox.collect,
    upTo: inbox.upTo,
  };
  return client;
}

/** A token signed with this pool's AUTH_SECRET (vitest.config.ts) unless told another secret; valid for an hour. */
export async function token(
  claims: Record<string, unknown>,
  options: { secret?: Uint8Array; expiresIn?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(options.secret ?? new TextEncoder().encode("test-secret-of-the-worker-pool"));
}

/** Connects and joins in the native dialect; resolves once the welcome arrives. */
export async function joinNative(
  room: string,
  name: string,
  since?: number,
): Promise<{ client: Client; welcome: Packet }> {
  const client = await connect(`/rooms/${room}`);
  const join: NativeClientPacket = since === undefined ? { type: "join", name } : { type: "join", name, since };
  client.send(join);
  return { client, welcome: await client.nextOfType("welcome") };
}

/**
 * How the tutorial dialect shows an anonymous member's name in this pool: the pool verifies tokens (AUTH_SECRET), so
 * an anonymous member is a guest, marked after its name.
 */
export const asGuest = (name: string) => `${name}${GUEST_MARK}`;

/** Connects and joins as the Godot tutorial client does: binary frames, `test` first, then `user_joined`. */
export async function joinTutorial(room: string, name: string): Promise<Client> {
  const client = await connect(`/rooms/${room}`);
  const hello: TutorialClientPacket[] = [
    { type: "test", test: "test message" },
    { type: "user_joined", name },
  ];
  for (const packet of hello) client.sendBinary(packet);
  await client.next((p) => p.type === "server_message" && String(p.message).startsWith(`${asGuest(name)}(#`));
  return client;
}

/** The members a packet announces as joined: one for `join`, several for `joins`, none for anything else. */
export function announcedJoins(packet: Packet): { id: number; name: string }[] {
  if (packet.type === "join") return [{ id: packet.id as number, name: packet.name as string }];
  if (packet.type === "joins") return packet.members as { id: number; name: string }[];
  return [];
}

/**
 * Every member a joined client knows of, itself included: those its welcome listed, then every join announced to it
 * (a joiner hears its own join and the later ones, never the earlier ones its welcome already listed).
 */
export function knownMemberIds({ client, welcome }: { client: Client; welcome: Packet }): number[] {
  const listed = (welcome.members as { id: number }[]).map((m) => m.id).filter((id) => id !== welcome.id);
  return [...listed, ...client.received.flatMap(announcedJoins).map((m) => m.id)].sort((a, b) => a - b);
}

/** The members a packet announces as gone: one for `leave`, several for `leaves`, none for anything else. */
export function announcedLeaves(packet: Packet): { id: number; name: string }[] {
  if (packet.type === "leave") return [{ id: packet.id as number, name: packet.name as string }];
  if (packet.type === "leaves") return packet.members as { id: number; name: string }[];
  return [];
}

/** What room `room` has written: its tables (the runtime's own, `_cf_…`, left out) and its alarm. */
export function storedBy(room: string): Promise<{ tables: string[]; alarm: number | null }> {
  return runInDurableObject(env.ROOMS.getByName(room), async (_, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      .toArray()
      .map((row) => row.name)
      .filter((name) => !name.startsWith("_cf_")),
    alarm: await state.storage.getAlarm(),
  }));
}

let markers = 0;

/**
 * Sends a chat from `sender`, and resolves with what each of `observers` received up to that chat's echo. The room
 * delivers what it announces in the order it happened (src/server/room/outbox.ts), so everything it announced before
 * it took the chat is in there: a count taken from these packets is final, with no wait for stragglers.
 */
export async function upToMarker(sender: Client, observers: Client[]): Promise<Packet[][]> {
  const text = `marker ${++markers}`;
  sender.send({ type: "chat", text });
  return Promise.all(observers.map((observer) => observer.upTo((p) => p.type === "chat" && p.text === text)));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A room name no other test uses, since all tests share the runtime's storage. */
let rooms = 0;
export const uniqueRoom = (label: string) => `${label}-${Date.now().toString(36)}-${++rooms}`;
