// The chat page: finds its room in the address, asks for a name (unless a token gives it), and wires the room
// connection to the views.

import { DEFAULT_LIMITS, type Departure, type Member, type ModerationPacket } from "../shared/protocol";
import { BanDialog } from "./ban-dialog";
import { Composer } from "./composer";
import { RoomConnection } from "./connection";
import type { ConnectionEvent, PresencePacket } from "./connection-events";
import { byId } from "./dom";
import { MemberList } from "./member-list";
import { MessageList } from "./message-list";
import { NameDialog } from "./name-dialog";
import { roomFromPath, roomSocketUrl } from "./room-address";
import { setUpRoomControls } from "./room-controls";
import { asSentence } from "./sentence";
import { browserSocket } from "./socket";
import { StatusView } from "./status-view";
import { readClaims, takeToken, withToken } from "./token";

const NAME_KEY = "edge-chat-rooms.name";
const room = roomFromPath(location.pathname);
const token = takeToken({ location, history, storage: sessionStorage });
/** Read, not verified: the room verifies the token, and a claim it refuses gets nothing done. */
const claims = token ? readClaims(token) : {};
const moderate = claims.role === "moderator" ? (packet: ModerationPacket) => void connection?.moderate(packet) : undefined;
/** The default limits are good enough to check a name before the room has told us its own. */
let limits = DEFAULT_LIMITS;
let self: Member | undefined;
/** Every id this page has had in the room: a rejoin gets a new one, and our old messages stay ours. */
const ownIds = new Set<number>();

const nameDialog = new NameDialog({
  dialog: byId<HTMLDialogElement>("name-dialog"),
  form: byId<HTMLFormElement>("name-form"),
  title: byId("name-dialog-action"),
  input: byId<HTMLInputElement>("name-input"),
  error: byId("name-error"),
  submit: byId<HTMLButtonElement>("name-submit"),
  cancel: byId<HTMLButtonElement>("name-cancel"),
});
const banDialog = moderate && new BanDialog({
  dialog: byId<HTMLDialogElement>("ban-dialog"),
  title: byId("ban-dialog-title"),
  summary: byId("ban-dialog-summary"),
  list: byId<HTMLUListElement>("ban-dialog-list"),
  confirm: byId<HTMLButtonElement>("ban-confirm"),
  cancel: byId<HTMLButtonElement>("ban-cancel"),
}, moderate);
const members = new MemberList(
  byId<HTMLUListElement>("member-list"), [byId("member-count"), byId("member-count-toggle")],
  moderate && banDialog && { send: moderate, ban: (id, choice) => banDialog.ask(id, choice) },
);
const messages = new MessageList({
  scroller: byId("scroller"),
  list: byId<HTMLOListElement>("messages"),
  newMessages: byId<HTMLButtonElement>("new-messages"),
  loadOlder: byId<HTMLButtonElement>("load-older"),
  historyStart: byId("history-start"),
  announcer: byId("announcer"),
}, {
  isOwn: (sender) => ownIds.has(sender.id),
  wantOlder: () => connection?.loadOlder(),
  ...(moderate && { deleteMessage: (seq: number) => moderate({ type: "delete", seq }) }),
});
const composer = new Composer({
  form: byId<HTMLFormElement>("composer"),
  input: byId<HTMLTextAreaElement>("composer-input"),
  send: byId<HTMLButtonElement>("send"),
  counter: byId("composer-counter"),
  error: byId("composer-error"),
  queue: byId("composer-queue"),
}, (text) => connection?.sendChat(text));
const statusView = new StatusView(byId("status"), byId<HTMLButtonElement>("retry"), () => connection?.retryNow());
let connection: RoomConnection | undefined;
let queued = 0;

setUpRoomControls(room, () => void askNewName());
void start();

async function start(): Promise<void> {
  // With a token the room takes the name from it: a verified member has no other, and cannot rename.
  byId("rename").hidden = token !== undefined;
  const name = token ? claims.name ?? "member" : localStorage.getItem(NAME_KEY) ?? await nameDialog.ask({ mode: "join", current: "", limits });
  if (name === undefined) return;
  const url = withToken(roomSocketUrl(location, room), token);
  connection = new RoomConnection({ url, name, createSocket: browserSocket, onEvent });
  connection.open();
  // The browser knows when the network is back before any backoff timer does.
  addEventListener("online", () => connection?.retryNow());
  // A page with an open socket cannot enter the back/forward cache; leave cleanly and come back when shown again.
  addEventListener("pagehide", () => connection?.close());
  addEventListener("pageshow", (event) => event.persisted && connection?.open());
}

function onEvent(event: ConnectionEvent): void {
  switch (event.type) {
    case "status": {
      const { status } = event;
      statusView.show(status);
      composer.setOnline(status.state === "online", queued);
      if (status.state === "offline" && status.reason === "rejected") void askNameAgain(status.error.message);
      if (status.state === "offline" && status.reason === "removed") messages.notice(asSentence(status.removal.message));
      return;
    }
    case "welcome":
      self = event.self;
      ownIds.add(self.id);
      limits = event.limits;
      if (!token) localStorage.setItem(NAME_KEY, self.name);
      byId("self-name").textContent = self.name;
      byId("identity").hidden = false;
      members.reset(event.members, self.id);
      composer.enable(limits);
      if (event.reset) {
        messages.clear();
        messages.notice("The room's history was reset.");
      }
      if (!event.resumed) {
        // After the history that the welcome brings, which is delivered next.
        messages.notice(`You joined #${room} as ${isolate(self.name)}.`, event.lastSeq);
        composer.focus();
      }
      return;
    case "members":
      return members.add(event.members);
    case "messages":
      return messages.add(event.messages, event.origin);
    case "presence":
      return onPresence(event.packet);
    case "deleted":
      return messages.markDeleted(event.seq);
    case "moderated": {
      const { packet } = event;
      if (packet.type === "ban_preview") return banDialog?.preview(packet);
      if (packet.type === "unbanned") return messages.notice(`You lifted the ban on ${isolate(packet.user)}.`);
      const until = packet.until === undefined ? "until the ban is lifted" : `until ${new Date(packet.until).toLocaleString()}`;
      return messages.notice(`You banned ${isolate(packet.name ?? packet.user)} ${until}. To lift it: ${isolate(packet.user)}.`);
    }
    case "older":
      return messages.setOlder(event.more, event.loading);
    case "missing":
      return messages.missing(event.after);
    case "error":
      return composer.showError(event.error);
    case "queue":
      queued = event.size;
      return composer.showQueue(queued);
  }
}

function onJoin(member: Member): void {
  // Our own join only confirms the welcome.
  if (members.join(member) && !ownIds.has(member.id)) messages.notice(`${isolate(member.name)} joined.`);
}

function onLeave(member: Departure): void {
  members.leave(member.id);
  // The leave of our own earlier connection, noticed by the room only after we were back, is no news.
  if (ownIds.has(member.id)) return;
  const how = { kicked: "was removed by a moderator", banned: "was banned by a moderator" };
  messages.notice(`${isolate(member.name)} ${member.reason ? how[member.reason] : "left"}.`);
}

function onPresence(packet: PresencePacket): void {
  switch (packet.type) {
    case "join":
      return onJoin(packet);
    case "joins":
      return packet.members.forEach(onJoin);
    case "leave":
      return onLeave(packet);
    case "leaves":
      return packet.members.forEach(onLeave);
    case "rename":
      members.rename(packet);
      if (packet.id === self?.id) {
        self = { id: packet.id, name: packet.name };
        byId("self-name").textContent = packet.name;
        if (!token) localStorage.setItem(NAME_KEY, packet.name);
        messages.notice(`You are now known as ${isolate(packet.name)}.`);
      } else {
        messages.notice(`${isolate(packet.previous)} is now known as ${isolate(packet.name)}.`);
      }
  }
}

/** The room refused the name: ask for another and join with it. */
async function askNameAgain(reason: string): Promise<void> {
  localStorage.removeItem(NAME_KEY);
  const name = await nameDialog.ask({ mode: "join", current: "", limits, error: asSentence(reason) });
  if (name === undefined || !connection) return;
  connection.rename(name);
  connection.open();
}

/** The rename button: ask for a new name and rename without leaving. */
async function askNewName(): Promise<void> {
  if (!self) return;
  const name = await nameDialog.ask({ mode: "rename", current: self.name, limits });
  if (name !== undefined && name !== self.name) connection?.rename(name);
  composer.focus();
}

/** A name inside a sentence of ours, isolated (FSI … PDI): a right-to-left name cannot reorder the sentence. */
function isolate(name: string): string {
  return `\u2068${name}\u2069`;
}
