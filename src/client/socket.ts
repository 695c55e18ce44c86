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

export const browserSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.open();
  socket.onmessage = (event) => {
    // The room speaks in text frames only.
    if (typeof event.data === "string") handlers.message(event.data);
  };
  // A failed connection fires error and then close; close alone covers both.
  socket.onclose = (event) => handlers.close(event.code);
  return socket;
};
