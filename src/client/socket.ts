// The socket a room connection talks through: what it needs of one, and the browser's WebSocket adapted to it.

/** What the connection needs of a WebSocket. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SocketHandlers {
  open(): void;
  message(data: string): void;
  /** The socket is gone, whether it closed (with the server's close code, if it sent one), failed to connect or errored. */
  close(code?: number): void;
}

/** Opens a socket to `url` that reports to `handlers`: the browser's WebSocket in the page, a fake in tests. */
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

/** What this module uses of a standard WebSocket: the browser's, Node's own, or the `ws` package's. */
export interface StandardWebSocket extends SocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket class, typed loosely so that `ws`'s (whose events are richer) and the DOM's both fit. */
export type WebSocketClass = new (url: string, ...rest: never[]) => object;

/** Sockets of a standard WebSocket class: the platform's by default, or one given (in Node: `ws`'s `WebSocket`). */
export function webSocketFactory(Impl?: WebSocketClass): SocketFactory {
  return (url, handlers) => {
    const socket = new (Impl ?? globalThis.WebSocket)(url) as StandardWebSocket;
    socket.onopen = () => handlers.open();
    socket.onmessage = (event) => {
      // The room speaks in text frames only.
      if (typeof event.data === "string") handlers.message(event.data);
    };
    // A failed connection fires error and then close; close alone covers both. The error still needs a listener:
    // in Node, `ws` throws an error that nobody listens for.
    socket.onerror = () => {};
    socket.onclose = (event) => handlers.close(event.code);
    return socket;
  };
}

export const browserSocket: SocketFactory = webSocketFactory();
