// A room the test scripts, in place of the real one, for the page's side of packets a real room sends only in
// states that take long to reach (a mute ending, slow mode's wait) or that the server side builds elsewhere: the
// page is the real one (served by `wrangler dev`), its room socket is answered here (playwright's routeWebSocket),
// never reaching the server. It welcomes a join, echoes chats, and refuses the next chats as the test queues.

/// <reference lib="dom" />

import type { Page, WebSocketRoute } from "playwright-core";
import { DEFAULT_LIMITS, type ProtocolError, type RoomSettings } from "../../src/shared/protocol.ts";

type Packet = Record<string, unknown>;

export interface ScriptedRoomOptions {
  /** The welcome's settings, and its `muted`, if any. */
  settings?: RoomSettings;
  /** Members besides the joiner (id 1). */
  others?: { id: number; name: string }[];
  /** Fields the welcome has besides (a room in summary presence: `presence`, `memberCount`). */
  welcome?: Packet;
}

export class ScriptedRoom {
  /** Every packet the page sent, parsed (pings left out). */
  readonly received: Packet[] = [];
  private socket: WebSocketRoute | undefined;
  private seq = 0;
  private self = { id: 1, name: "" };
  private readonly refusals: Omit<ProtocolError, "cid" | "for">[] = [];

  private constructor(private readonly options: ScriptedRoomOptions) {}

  /** Answers page's room sockets from now on (call before it loads). */
  static async on(page: Page, options: ScriptedRoomOptions = {}): Promise<ScriptedRoom> {
    const room = new ScriptedRoom(options);
    await page.routeWebSocket(/\/rooms\//, (socket) => room.attach(socket));
    return room;
  }

  /** The next chat is refused with this, instead of echoed. */
  refuseNext(error: Omit<ProtocolError, "cid" | "for">): void {
    this.refusals.push(error);
  }

  send(packet: Packet): void {
    this.socket?.send(JSON.stringify(packet));
  }

  /** The packets of `type` the page sent. */
  sent(type: string): Packet[] {
    return this.received.filter((packet) => packet.type === type);
  }

  private attach(socket: WebSocketRoute): void {
    this.socket = socket;
    socket.onMessage((frame) => {
      if (frame === "ping") return socket.send("pong");
      const packet = JSON.parse(String(frame)) as Packet;
      this.received.push(packet);
      if (packet.type === "join") this.welcome(packet);
      if (packet.type === "chat") this.chat(packet);
    });
  }

  private welcome(join: Packet): void {
    const self = { id: 1, name: String(join.name) };
    this.self = self;
    const members = [self, ...(this.options.others ?? [])];
    this.send({
      type: "welcome",
      ...self,
      members,
      moreMembers: false,
      memberCount: members.length,
      history: [],
      more: false,
      lastSeq: this.seq,
      limits: DEFAULT_LIMITS,
      resumeKey: "scripted",
      ...(this.options.settings && { settings: this.options.settings }),
      ...this.options.welcome,
    });
  }

  private chat(chat: Packet): void {
    const refusal = this.refusals.shift();
    if (refusal) return this.send({ type: "error", ...refusal, for: "chat", cid: chat.cid });
    this.seq++;
    this.send({ type: "chat", seq: this.seq, ts: Date.now(), sender: this.self, text: chat.text, cid: chat.cid });
  }
}
