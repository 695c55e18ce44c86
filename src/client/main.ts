// The chat page: finds its room in the address, asks for a name, and wires the room connection to the views.

import { readConfig } from "../config";
import { isRoomName, ROOM_NAME_RULE, type Limits, type Member } from "../protocol";
import { browserSocket } from "./browser-socket";
import { Composer } from "./composer";
import { RoomConnection, type ConnectionEvent, type PresencePacket } from "./connection";
import { byId } from "./dom";
import { MemberList } from "./member-list";
import { MessageList } from "./message-list";
import { NameDialog } from "./name-dialog";
import { roomFromPath, roomLink, roomPath, roomSocketUrl } from "./room-address";
import { StatusView } from "./status-view";

const NAME_KEY = "edge-chat-rooms.name";
/** The server's default limits, good enough to check a name before the room has told us its own. */
const DEFAULT_LIMITS: Limits = readConfig({}).limits;

const room = roomFromPath(location.pathname);
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
const members = new MemberList(byId<HTMLUListElement>("member-list"), [byId("member-count"), byId("member-count-toggle")]);
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

setUpRoomControls();
void start();

async function start(): Promise<void> {
  const remembered = localStorage.getItem(NAME_KEY);
  const name = remembered ?? await nameDialog.ask({ mode: "join", current: "", limits });
  if (name === undefined) return;
  connection = new RoomConnection({ url: roomSocketUrl(location, room), name, createSocket: browserSocket, onEvent });
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
      return;
    }
    case "welcome":
      self = event.self;
      ownIds.add(self.id);
      limits = event.limits;
      localStorage.setItem(NAME_KEY, self.name);
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
        messages.notice(`You joined #${room} as ${self.name}.`, event.lastSeq);
        composer.focus();
      }
      return;
    case "messages":
      return messages.add(event.messages, event.origin);
    case "presence":
      return onPresence(event.packet);
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
  if (members.join(member) && !ownIds.has(member.id)) messages.notice(`${member.name} joined.`);
}

function onLeave(member: Member): void {
  members.leave(member.id);
  // The leave of our own earlier connection, noticed by the room only after we were back, is no news.
  if (!ownIds.has(member.id)) messages.notice(`${member.name} left.`);
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
        localStorage.setItem(NAME_KEY, packet.name);
        messages.notice(`You are now known as ${packet.name}.`);
      } else {
        messages.notice(`${packet.previous} is now known as ${packet.name}.`);
      }
  }
}

/** The room refused the name: ask for another and join with it. */
async function askNameAgain(reason: string): Promise<void> {
  localStorage.removeItem(NAME_KEY);
  const message = reason.charAt(0).toUpperCase() + reason.slice(1) + ".";
  const name = await nameDialog.ask({ mode: "join", current: "", limits, error: message });
  if (name === undefined || !connection) return;
  connection.rename(name);
  connection.open();
}

function setUpRoomControls(): void {
  document.title = `#${room} · edge chat rooms`;
  byId("room-name").textContent = room;
  byId("name-dialog-room").textContent = room;
  byId<HTMLAnchorElement>("room-link").href = roomPath(room);

  const copy = byId<HTMLButtonElement>("copy-link");
  copy.addEventListener("click", () => {
    const done = (label: string) => {
      copy.textContent = label;
      setTimeout(() => (copy.textContent = "Copy link"), 2000);
    };
    navigator.clipboard.writeText(roomLink(location.origin, room)).then(
      () => done("Copied!"),
      () => done("Copy failed: use the address bar"),
    );
  });

  const roomForm = byId<HTMLFormElement>("room-form");
  const roomInput = byId<HTMLInputElement>("room-input");
  const roomError = byId("room-error");
  roomForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted = roomInput.value.trim().replace(/^#/, "");
    if (!isRoomName(wanted)) {
      roomError.textContent = ROOM_NAME_RULE.charAt(0).toUpperCase() + ROOM_NAME_RULE.slice(1) + ".";
      roomInput.setAttribute("aria-invalid", "true");
      return;
    }
    // A room exists as soon as someone joins it, so switching and creating are the same thing.
    location.assign(roomPath(wanted));
  });
  roomInput.addEventListener("input", () => {
    roomError.textContent = "";
    roomInput.removeAttribute("aria-invalid");
  });

  byId<HTMLButtonElement>("rename").addEventListener("click", async () => {
    if (!self) return;
    const name = await nameDialog.ask({ mode: "rename", current: self.name, limits });
    if (name !== undefined && name !== self.name) connection?.rename(name);
    composer.focus();
  });

  const toggle = byId<HTMLButtonElement>("members-toggle");
  const panel = byId("members");
  const showMembers = (open: boolean) => {
    toggle.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("open", open);
  };
  toggle.addEventListener("click", () => showMembers(toggle.getAttribute("aria-expanded") !== "true"));
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !panel.classList.contains("open")) return;
    showMembers(false);
    toggle.focus();
  });
}
