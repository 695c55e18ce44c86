// The chat page: finds its room in the address, asks for a name (unless a token gives it), and wires the room
// connection to the views.

import { DEFAULT_LIMITS, type Member, type ProtocolError } from "../shared/protocol";
import { BanDialog } from "./ban-dialog";
import { Composer } from "./composer";
import { RoomConnection } from "./connection";
import type { ConnectionEvent } from "./connection-events";
import { byId } from "./dom";
import { LiveView } from "./live-view";
import { MemberList } from "./member-list";
import { MemberPager } from "./member-pager";
import { MessageList } from "./message-list";
import type { ModeratorPacket } from "./moderation-actions";
import { moderationNotice } from "./moderation-notices";
import { NameDialog } from "./name-dialog";
import { freeName } from "./name-suggestion";
import { OwnMemberships } from "./own-memberships";
import { PendingList } from "./pending-list";
import { presenceNotices } from "./presence-notices";
import { Refusal, refusedForGood } from "./refusal";
import { ReplyBar } from "./reply-quote";
import { roomFromPath, roomSocketUrl } from "./room-address";
import { setUpRoomControls } from "./room-controls";
import { RulesView } from "./rules-view";
import { asSentence, isolate } from "./sentence";
import { moderatorSettingsControls } from "./settings-controls";
import { browserSocket } from "./socket";
import { StatusView } from "./status-view";
import { readClaims, takeToken, withToken } from "./token";

const NAME_KEY = "edge-chat-rooms.name";
const room = roomFromPath(location.pathname);
const token = takeToken({ location, history, storage: sessionStorage });
/** Read, not verified: the room verifies the token, and a claim it refuses gets nothing done. */
const claims = token ? readClaims(token) : {};
const moderate =
  claims.role === "moderator" ? (packet: ModeratorPacket) => void connection?.moderate(packet) : undefined;
/** The default limits are good enough to check a name before the room has told us its own. */
let limits = DEFAULT_LIMITS;
let self: Member | undefined;
/** The name the page last asked the room for: the one to keep in the dialog if the room refuses it. */
let joinName = "";
/** Every id this tab has had in the room (a rejoin or a reload gets a new one), and our verified user. */
const own = new OwnMemberships(room, claims.sub);

const nameDialog = new NameDialog({
  dialog: byId<HTMLDialogElement>("name-dialog"),
  form: byId<HTMLFormElement>("name-form"),
  title: byId("name-dialog-action"),
  input: byId<HTMLInputElement>("name-input"),
  error: byId("name-error"),
  suggestion: byId("name-suggestion"),
  submit: byId<HTMLButtonElement>("name-submit"),
  cancel: byId<HTMLButtonElement>("name-cancel"),
});
const banDialog =
  moderate &&
  new BanDialog(
    {
      dialog: byId<HTMLDialogElement>("ban-dialog"),
      title: byId("ban-dialog-title"),
      summary: byId("ban-dialog-summary"),
      list: byId<HTMLUListElement>("ban-dialog-list"),
      confirm: byId<HTMLButtonElement>("ban-confirm"),
      cancel: byId<HTMLButtonElement>("ban-cancel"),
    },
    moderate,
  );
const members = new MemberList(
  {
    panel: byId("members"),
    list: byId<HTMLUListElement>("member-list"),
    counts: [byId("member-count"), byId("member-count-toggle")],
    staleNote: byId("members-stale"),
    nearNote: byId("members-near"),
  },
  moderate && banDialog && { send: moderate, ban: (id, choice) => banDialog.ask(id, choice) },
);
const pager = new MemberPager(
  {
    toggle: byId<HTMLButtonElement>("members-all"),
    panel: byId("members-pages"),
    list: byId<HTMLUListElement>("members-pages-list"),
    more: byId<HTMLButtonElement>("members-more"),
  },
  (fromStart) => connection?.loadMembers({ fromStart }) ?? false,
);
const messages = new MessageList(
  {
    scroller: byId("scroller"),
    list: byId<HTMLOListElement>("messages"),
    newMessages: byId<HTMLButtonElement>("new-messages"),
    loadOlder: byId<HTMLButtonElement>("load-older"),
    historyStart: byId("history-start"),
    announcer: byId("announcer"),
    jumpStatus: byId("jump-status"),
  },
  {
    isOwn: (sender) => own.isOwn(sender),
    selfName: () => self?.name,
    limits: () => limits,
    canAct: () => self !== undefined,
    wantOlder: () => connection?.loadOlder(),
    reactedByMe: (seq, reaction) => connection?.reactedByMe(seq, reaction) ?? false,
    react: (seq, reaction) => connection?.react(seq, reaction),
    unreact: (seq, reaction) => connection?.unreact(seq, reaction),
    edit: (seq, text) => connection?.edit(seq, text),
    deleteOwn: (seq) => connection?.deleteMessage(seq),
    ...(moderate && { deleteAny: (seq: number) => moderate({ type: "delete", seq }) }),
    reply: (message) => {
      replyBar.set(message);
      composer.focus();
    },
    refuse: (reason) => composer.showError({ code: "invalid_field", message: reason }),
  },
);
const replyBar = new ReplyBar(
  { bar: byId("reply-bar"), name: byId("reply-name"), text: byId("reply-text"), cancel: byId("reply-cancel") },
  () => composer.focus(),
);
const pending = new PendingList(byId<HTMLOListElement>("pending-messages"), (sender) => own.isMembership(sender.id));
const composer = new Composer(
  {
    form: byId<HTMLFormElement>("composer"),
    input: byId<HTMLTextAreaElement>("composer-input"),
    send: byId<HTMLButtonElement>("send"),
    counter: byId("composer-counter"),
    error: byId("composer-error"),
    queue: byId("composer-queue"),
    rule: byId("composer-rule"),
  },
  (text) => {
    const replyTo = replyBar.replyTo;
    // Once the room took it, slow mode's wait starts; refused for good, the text goes back in the box.
    connection?.sendChat(text, replyTo === undefined ? undefined : { replyTo }).then(
      () => rules.sent(),
      (error: unknown) => {
        if (!(error instanceof Refusal)) return;
        pending.refused(text);
        composer.restore(text);
      },
    );
    // The chat ends our typing for everyone; the connection sends no stop after it.
    connection?.typing(false);
    replyBar.clear();
    pending.add(text);
    messages.scrollToBottom();
  },
  { escape: () => replyBar.clear(), upWhenEmpty: () => messages.rows.editLast() },
);
const rules = new RulesView({ composer, notice: (text) => messages.notice(text), isModerator: moderate !== undefined });
const onPresence = presenceNotices({
  members,
  notice: (text) => messages.notice(text),
  isMembership: (id) => own.isMembership(id),
  selfId: () => self?.id,
  renamedSelf: (member) => {
    self = member;
    byId("self-name").textContent = member.name;
    if (!token) localStorage.setItem(NAME_KEY, member.name);
  },
  listed: () => connection?.members ?? [],
});
const live = new LiveView(
  {
    hereCount: byId("here-count"),
    typingLine: byId("typing-line"),
    statusForm: byId<HTMLFormElement>("status-form"),
    statusInput: byId<HTMLInputElement>("status-input"),
    composerInput: byId<HTMLTextAreaElement>("composer-input"),
  },
  {
    typing: (on) => connection?.typing(on),
    setStatus: (status) => connection?.setState(status === "" ? {} : { status }),
  },
);
/** A moderator's controls for the room's settings (slow mode, listing, title). */
const settingsControls = moderate && moderatorSettingsControls((change) => connection?.setSettings(change));
const statusView = new StatusView(byId("status"), byId<HTMLButtonElement>("retry"), () => connection?.retryNow());
let connection: RoomConnection | undefined;
let queued = 0;

setUpRoomControls(room, () => void askNewName());
void start();

async function start(): Promise<void> {
  // With a token the room takes the name from it: a verified member has no other, and cannot rename.
  byId("rename").hidden = token !== undefined;
  const name = token
    ? (claims.name ?? "member")
    : (localStorage.getItem(NAME_KEY) ?? (await nameDialog.ask({ mode: "join", current: "", limits })));
  if (name === undefined) return;
  joinName = name;
  const url = withToken(roomSocketUrl(location, room), token);
  connection = new RoomConnection({ url, name, createSocket: browserSocket, onEvent });
  connection.open();
  // The browser knows when the network is back before any backoff timer does, and a user who comes back to the
  // tab wants the room now, not after a backoff delay that grew while nobody looked.
  addEventListener("online", retrySoon);
  addEventListener("focus", retrySoon);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && retrySoon());
  // A page with an open socket cannot enter the back/forward cache; leave cleanly and come back when shown again.
  // Deletes still in their undo window go first: the reader left without taking them back.
  addEventListener("pagehide", () => {
    messages.rows.flush();
    connection?.close();
  });
  addEventListener("pageshow", (event) => event.persisted && connection?.open());
}

function onEvent(event: ConnectionEvent): void {
  switch (event.type) {
    case "status": {
      const { status } = event;
      const removed = status.state === "offline" && status.reason === "removed";
      statusView.show(status);
      composer.setOnline(status.state === "online", queued);
      members.setStale(status.state !== "online");
      pending.setState(status.state === "online" ? "sending" : removed ? "stopped" : "waiting");
      if (status.state === "offline" && status.reason === "rejected") void askNameAgain(status.error);
      if (status.state === "offline" && status.reason === "removed") {
        messages.notice(asSentence(status.removal.message));
        composer.disableFor(status.removal);
      }
      return;
    }
    case "welcome":
      self = event.self;
      own.add(self.id);
      limits = event.limits;
      if (!token) localStorage.setItem(NAME_KEY, self.name);
      byId("self-name").textContent = self.name;
      byId("identity").hidden = false;
      members.reset(event.members, self.id);
      members.setCount(event.memberCount, event.presence);
      pager.presence(event.presence);
      live.welcome(event.members.find((member) => member.id === event.self.id));
      live.count(event.memberCount);
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
    case "membersPage":
      return pager.page(event.members, event.more);
    case "messages":
      messages.add(event.messages, event.origin);
      return pending.confirm(event.messages);
    case "presence":
      live.count(connection?.memberCount ?? 0);
      members.setCount(connection?.memberCount ?? 0, connection?.presence ?? "list");
      pager.presence(connection?.presence ?? "list");
      return onPresence(event.packet);
    case "typing":
      return live.typers(event.typers);
    case "state":
      return members.update(event.member);
    case "deleted":
      replyBar.originalDeleted(event.seq);
      return messages.markDeleted(event.seq);
    case "changed":
      if (event.message.deleted) replyBar.originalDeleted(event.message.seq);
      return messages.update(event.message);
    case "moderated": {
      const { packet } = event;
      if (packet.type === "ban_preview") return banDialog?.preview(packet);
      if (packet.type === "muted" || packet.type === "unmuted") members.mutedAnswer(packet);
      return messages.notice(moderationNotice(packet));
    }
    case "settings":
      rules.settings(event.settings);
      return settingsControls?.show(event.settings);
    case "muted":
      return rules.muted(event.muted);
    case "older":
      return messages.setOlder(event.more, event.loading);
    case "missing":
      return messages.missing(event.after);
    case "error": {
      if (event.error.for === "settings") return settingsControls?.refused(event.error.message);
      // What waited for the room's answer (an edit, a delete) shows as it is; a "not now" is sent again by itself.
      const refused = event.error.for;
      if (refusedForGood(event.error) && (refused === undefined || refused === "edit" || refused === "delete"))
        messages.rows.refused();
      rules.refused(event.error);
      return composer.showError(event.error);
    }
    case "queue":
      queued = event.size;
      return composer.showQueue(queued);
  }
}

/** Only a connection waiting to try again is hurried: after a kick, "try now" would mean "rejoin", the user's call. */
function retrySoon(): void {
  const status = connection?.status;
  if (status?.state === "reconnecting" || (status?.state === "offline" && status.reason === "gave_up"))
    connection?.retryNow();
}

/** The room refused the name: ask again, with the name still typed to edit, and join with the answer. */
async function askNameAgain(error: ProtocolError): Promise<void> {
  localStorage.removeItem(NAME_KEY);
  const taken = error.code === "name_taken";
  const name = await nameDialog.ask({
    mode: "join",
    current: joinName,
    limits,
    error: taken ? `Someone here is already called ${isolate(joinName)}.` : asSentence(error.message),
    ...(taken && { suggestion: await freeName(room, joinName, limits.maxNameChars) }),
  });
  if (name === undefined || !connection) return;
  joinName = name;
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
