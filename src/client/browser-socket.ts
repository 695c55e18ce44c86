// The browser's WebSocket, adapted to what the connection expects.

import type { SocketFactory } from "./connection";

export const browserSocket: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.open();
  socket.onmessage = (event) => {
    // The room speaks in text frames only.
    if (typeof event.data === "string") handlers.message(event.data);
  };
  // A failed connection fires error and then close; close alone covers both.
  socket.onclose = () => handlers.close();
  return socket;
};
