// The page's controls around the conversation: the room's title and link, copying the link, switching to (or
// creating) another room, the directory of listed rooms (open on the start page, `/`), the rename button, and the
// members panel's toggle on narrow screens.

import { isRoomName, ROOM_NAME_RULE } from "../shared/protocol";
import { DirectoryView } from "./directory-view";
import { byId } from "./dom";
import { roomLink, roomPath } from "./room-address";
import { asSentence } from "./sentence";

export function setUpRoomControls(room: string, onRename: () => void): void {
  document.title = `#${room} · edge chat rooms`;
  byId("room-name").textContent = room;
  byId("name-dialog-room").textContent = room;
  byId<HTMLAnchorElement>("room-link").href = roomPath(room);
  byId<HTMLButtonElement>("rename").addEventListener("click", onRename);
  setUpCopyLink(room);
  setUpRoomSwitch();
  setUpDirectory(room);
  setUpMembersToggle();
}

function setUpDirectory(room: string): void {
  const directory = new DirectoryView(
    {
      panel: byId<HTMLDetailsElement>("directory"),
      list: byId<HTMLUListElement>("directory-list"),
      status: byId("directory-status"),
      more: byId<HTMLButtonElement>("directory-more"),
    },
    room,
  );
  // The start page shows the rooms one may join.
  if (location.pathname === "/") directory.open();
}

function setUpCopyLink(room: string): void {
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
}

function setUpRoomSwitch(): void {
  const form = byId<HTMLFormElement>("room-form");
  const input = byId<HTMLInputElement>("room-input");
  const error = byId("room-error");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted = input.value.trim().replace(/^#/, "");
    if (!isRoomName(wanted)) {
      error.textContent = asSentence(ROOM_NAME_RULE);
      input.setAttribute("aria-invalid", "true");
      return;
    }
    // A room exists as soon as someone joins it, so switching and creating are the same thing.
    location.assign(roomPath(wanted));
  });
  input.addEventListener("input", () => {
    error.textContent = "";
    input.removeAttribute("aria-invalid");
  });
}

function setUpMembersToggle(): void {
  const toggle = byId<HTMLButtonElement>("members-toggle");
  const panel = byId("members");
  const show = (open: boolean) => {
    toggle.setAttribute("aria-expanded", String(open));
    panel.classList.toggle("open", open);
  };
  toggle.addEventListener("click", () => show(toggle.getAttribute("aria-expanded") !== "true"));
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !panel.classList.contains("open")) return;
    show(false);
    toggle.focus();
  });
}
