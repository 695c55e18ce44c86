// A bot for a chat room, written with the package entry `edge-chat-rooms/client` as any app would use it: it joins
// a room, answers "!echo <text>" with <text>, and rides out drops and server restarts by itself (the connection
// reconnects, resumes and delivers every message once). Run it against `npm run dev`:
//
//   npx tsx examples/echo-bot.ts ws://127.0.0.1:8787/rooms/lobby
//
// Node 20 has no WebSocket of its own, so the bot passes the `ws` package's; in a browser or Node 22+,
// `webSocketFactory()` takes the platform's.

import { type ConnectionEvent, type Member, RoomConnection, webSocketFactory } from "edge-chat-rooms/client";
import WebSocket from "ws";

export function startEchoBot(
  url: string,
  name = "echo-bot",
  onEvent?: (event: ConnectionEvent) => void,
): RoomConnection {
  let self: Member | undefined;
  const connection = new RoomConnection({
    url,
    name,
    createSocket: webSocketFactory(WebSocket),
    onEvent(event) {
      onEvent?.(event);
      if (event.type === "welcome") self = event.self;
      // "live" messages are new; the history a join brings is not asked anything.
      if (event.type !== "messages" || event.origin !== "live") return;
      for (const message of event.messages) {
        if (message.sender.id !== self?.id && message.text.startsWith("!echo "))
          connection.sendChat(message.text.slice("!echo ".length));
      }
    },
  });
  connection.open();
  return connection;
}

if (import.meta.filename === process.argv[1]) {
  const url = process.argv[2] ?? "ws://127.0.0.1:8787/rooms/lobby";
  startEchoBot(url, "echo-bot", (event) => event.type === "status" && console.log(`${url}: ${event.status.state}`));
}
