// A stand-in for a hibernatable WebSocket, for the room's modules in Node: it records what is sent, and keeps its
// attachment serialized, as the runtime does, so that a test can rebuild sessions from it as after an eviction.

import type { RoomSocket } from "../../../src/server/connections/session";

export class FakeSocket implements RoomSocket {
  readonly frames: string[] = [];
  private attachment: string | undefined;
  /** Set to make `send` throw, as it does on a socket that is closing. */
  broken = false;

  constructor(readonly label = "socket") {}

  send(frame: string): void {
    if (this.broken) throw new Error("send on a closing socket");
    this.frames.push(frame);
  }

  serializeAttachment(value: unknown): void {
    this.attachment = JSON.stringify(value);
  }

  deserializeAttachment(): unknown {
    return this.attachment === undefined ? null : JSON.parse(this.attachment);
  }

  /** Every frame received, parsed. */
  packets(): Record<string, unknown>[] {
    return this.frames.map((frame) => JSON.parse(frame) as Record<string, unknown>);
  }

  /** The packets received, each as its type, e.g. ["join", "chat"]. */
  types(): string[] {
    return this.packets().map((packet) => String(packet.type));
  }
}
