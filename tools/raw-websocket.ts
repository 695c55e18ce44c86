// A WebSocket client on a bare TCP socket, for what a well-behaved client library will not do: send a frame with the
// compression bit set whatever was negotiated, and leave the server's close frame unanswered. It also tells when
// the server's close frame arrived, which a library reports only once the TCP connection ends (see the lurkers
// check in bench/attacks.ts). The end-to-end tests and the fault suite's attacks use it.

import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { constants, deflateRawSync } from "node:zlib";

export interface RawOptions {
  /** The client address it claims (CF-Connecting-IP, which `wrangler dev` passes on). */
  address?: string;
  /** Offer `permessage-deflate`, as browsers and most libraries do. */
  offerDeflate?: boolean;
  /** Answer the server's close frame (an honest client); by default it is left unanswered. */
  answerClose?: boolean;
}

export interface RawSocket {
  /** The HTTP status of the upgrade: 101 if accepted. */
  status: number;
  /** The extensions the server agreed to, "" for none. */
  extensions: string;
  /** The server's close frame, with when it arrived (performance.now()); undefined until it does. */
  closeFrame: { code: number; at: number } | undefined;
  /** When the TCP connection ended (performance.now()); undefined while it is open. */
  endedAt: number | undefined;
  /** Sends a text frame; `compressed` sets the compression bit (RSV1), whatever was negotiated. */
  send(payload: Buffer | string, options?: { compressed?: boolean }): void;
  /** Sends a close frame. */
  close(code?: number): void;
  /** Ends the TCP connection without a close frame. */
  destroy(): void;
}

const now = (): number => performance.now();

/** Opens a WebSocket to `url` (ws://host:port/path); resolves once the server has answered the upgrade. */
export function openRaw(url: string, options: RawOptions = {}): Promise<RawSocket> {
  const { hostname, port, pathname } = new URL(url);
  const headers = [
    `GET ${pathname} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    "Sec-WebSocket-Version: 13",
  ];
  if (options.address) headers.push(`CF-Connecting-IP: ${options.address}`);
  if (options.offerDeflate) headers.push("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits");
  return new Promise((resolve, reject) => {
    const tcp = connect(Number(port), hostname, () => tcp.write(`${headers.join("\r\n")}\r\n\r\n`));
    let buffered: Buffer = Buffer.alloc(0);
    let raw: RawSocket | undefined;
    tcp.on("error", (error) => (raw ? undefined : reject(error)));
    tcp.on("close", () => {
      if (raw) raw.endedAt ??= now();
      else reject(new Error("connection closed before the upgrade was answered"));
    });
    tcp.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!raw) {
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString("latin1").split("\r\n");
        buffered = buffered.subarray(end + 4);
        const status = Number(head[0]!.split(" ")[1]);
        const extensions =
          head
            .find((line) => /^sec-websocket-extensions:/i.test(line))
            ?.split(":")[1]
            ?.trim() ?? "";
        raw = rawSocket(tcp, status, extensions);
        resolve(raw);
        // A refused upgrade's body is of no interest.
        if (status !== 101) return void tcp.destroy();
      }
      buffered = readFrames(buffered, (code) => {
        if (raw!.closeFrame) return;
        raw!.closeFrame = { code, at: now() };
        if (options.answerClose) raw!.close(code === 1005 ? 1000 : code);
      });
    });
  });
}

function rawSocket(tcp: Socket, status: number, extensions: string): RawSocket {
  return {
    status,
    extensions,
    closeFrame: undefined,
    endedAt: undefined,
    send(payload, { compressed = false } = {}) {
      tcp.write(frame(0x1, Buffer.from(payload), compressed));
    },
    close(code = 1000) {
      const body = Buffer.alloc(2);
      body.writeUInt16BE(code);
      tcp.write(frame(0x8, body, false));
    },
    destroy() {
      tcp.destroy();
    },
  };
}

/**
 * Reads the server's frames in `data` (unmasked, RFC 6455 5.2), telling `closed` of a close frame's code; returns
 * what is left of an incomplete frame. Other frames are skipped: what the room says is not the point here.
 */
function readFrames(data: Buffer, closed: (code: number) => void): Buffer {
  for (;;) {
    if (data.length < 2) return data;
    let length = data[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (data.length < 4) return data;
      length = data.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (data.length < 10) return data;
      length = Number(data.readBigUInt64BE(2));
      offset = 10;
    }
    if (data.length < offset + length) return data;
    const opcode = data[0]! & 0x0f;
    if (opcode === 0x8) closed(length >= 2 ? data.readUInt16BE(offset) : 1005);
    data = data.subarray(offset + length);
  }
}

/** A client frame: masked, as RFC 6455 requires of every frame a client sends. */
function frame(opcode: number, payload: Buffer, compressed: boolean): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | (compressed ? 0x40 : 0) | opcode;
  if (length < 126) head[1] = 0x80 | length;
  else if (length < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, masked]);
}

/**
 * A compression bomb: `bytes` of text deflated as permessage-deflate carries it (RFC 7692 7.2.1: raw deflate,
 * sync-flushed, without the flush's last four bytes). 31 MiB of one letter weigh about 31 KB.
 */
export function deflateBomb(bytes: number): Buffer {
  const deflated = deflateRawSync(Buffer.alloc(bytes, "x"), { finishFlush: constants.Z_SYNC_FLUSH, level: 9 });
  return deflated.subarray(0, deflated.length - 4);
}
