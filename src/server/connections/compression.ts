// Why rooms take no compressed frames, and how the runtime is told so.
//
// With `permessage-deflate` a frame of 31 KB on the wire inflates to 31 MiB before the room sees it: the runtime
// inflates every message it accepts (up to 32 MiB) before any handler runs, so MAX_FRAME_BYTES would be checked too
// late, after the memory is spent. Chat packets are small; compression is not worth that. Without the extension,
// a frame whose compression bit is set anyway is refused by the runtime itself (close 1002) without being inflated.
//
// How to say no: the runtime negotiates the extension for any upgrade answered without a
// `Sec-WebSocket-Extensions` header, from the client's offer, at every hop (the Worker's answer, and under
// `wrangler dev` the proxy in front of it), and it takes an empty header for a missing one. A value that names no
// extension it knows is kept through every hop and makes each of them agree on none; the runtime never sends it on
// to the client. (The compatibility flag `no_web_socket_compression` does not do it: it strips this header, so
// any hop in front of the Worker negotiates from the client's offer again.)

/** The header that negotiates WebSocket extensions (RFC 6455, 9.1). */
export const EXTENSIONS_HEADER = "Sec-WebSocket-Extensions";

/** An extension list naming none that the runtime knows: every hop agrees on no extension. */
const NO_EXTENSIONS = "no-extensions";

/**
 * Accepts a WebSocket upgrade as a hibernatable socket of `ctx`: the server's end, and the answer that hands the
 * client's end over, uncompressed (see above).
 */
export function acceptUpgrade(ctx: DurableObjectState): { socket: WebSocket; response: Response } {
  const { 0: client, 1: server } = new WebSocketPair();
  ctx.acceptWebSocket(server);
  const response = new Response(null, {
    status: 101,
    webSocket: client,
    headers: { [EXTENSIONS_HEADER]: NO_EXTENSIONS },
  });
  return { socket: server, response };
}
