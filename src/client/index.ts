// The package entry `edge-chat-rooms/client`: the room connection for any JavaScript app (a web game, a React page,
// a Node bot), with no DOM. Give it a socket factory: `webSocketFactory()` uses the platform's WebSocket (browsers,
// Deno, Node 22+); in Node 20, pass one, e.g. `webSocketFactory(WebSocket)` with `import WebSocket from "ws"`.
// Guide: docs/client-sdk.md.

export { dataProblem, isReaction, MAX_DATA_DEPTH, REACTION_RULE } from "../shared/message-changes";
export {
  type ChatMessage,
  DEFAULT_LIMITS,
  DEFAULT_ROOM,
  DEFAULT_ROOM_SETTINGS,
  type Departure,
  type GameData,
  isRoomName,
  type Limits,
  type ListedRoom,
  type Member,
  type MemberState,
  type ModerationPacket,
  type MuteState,
  type PresenceMode,
  type ProtocolError,
  QUOTE_CHARS,
  type Quote,
  type Reaction,
  type RoomSettings,
  type RosterMember,
  type Sender,
  type SystemSender,
} from "../shared/protocol";
export { validateName, validateText } from "../shared/text-rules";
export { type BackoffPolicy, DEFAULT_BACKOFF } from "./backoff";
export { type ChatOptions, type ConnectionOptions, RoomConnection } from "./connection";
export type { ConnectionEvent, ConnectionStatus, MessageOrigin, PresencePacket } from "./connection-events";
export type { MessageChange } from "./message-model";
export type { ModeratorPacket, MuteOptions } from "./moderation-actions";
export { Refusal, refusedForGood } from "./refusal";
export type { Removal } from "./removal";
export { roomSocketUrl } from "./room-address";
export {
  type SocketFactory,
  type SocketHandlers,
  type SocketLike,
  type StandardWebSocket,
  type WebSocketClass,
  webSocketFactory,
} from "./socket";
export { withToken } from "./token";
export type { TokenProvider } from "./token-refresh";
