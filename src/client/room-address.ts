// Which room a page is for, and the addresses that lead to it: the page itself (the link to share) and its
// WebSocket. The Worker serves this page at `/` (the lobby) and at `/rooms/<name>`.

import { DEFAULT_ROOM, isRoomName } from "../shared/protocol";

export function roomFromPath(pathname: string): string {
  const match = /^\/rooms\/([^/]+)\/?$/.exec(pathname);
  return match?.[1] && isRoomName(match[1]) ? match[1] : DEFAULT_ROOM;
}

export const roomPath = (room: string): string => `/rooms/${room}`;

export function roomLink(origin: string, room: string): string {
  return origin + roomPath(room);
}

export function roomSocketUrl(location: { protocol: string; host: string }, room: string): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${roomPath(room)}`;
}
