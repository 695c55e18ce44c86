// The room directory on the page (docs/backend.md, "Directory"): the rooms that chose to be listed, with their
// titles and how many are in each, most first, each a link that joins it; more on request. The start page (the
// lobby's, at `/`) shows it open; elsewhere it opens from the top bar. It reads `GET /api/rooms`, which wakes no
// room, each time it opens.

import type { ListedRoom } from "../shared/protocol";
import { el } from "./dom";
import { roomPath } from "./room-address";
import { isolate } from "./sentence";

/** One page of the directory, as `GET /api/rooms` answers it. */
export interface DirectoryPage {
  rooms: ListedRoom[];
  next?: string;
}

/** Reads a page of the directory: the first, or the one after `cursor`. */
export type LoadDirectory = (cursor?: string) => Promise<DirectoryPage>;

/** Rooms per page. */
const PAGE = 20;

export const loadDirectory: LoadDirectory = async (cursor) => {
  const query = new URLSearchParams({ limit: String(PAGE), ...(cursor !== undefined && { cursor }) });
  const answer = await fetch(`/api/rooms?${query}`);
  if (!answer.ok) throw new Error(`the directory answered HTTP ${answer.status}`);
  return (await answer.json()) as DirectoryPage;
};

export interface DirectoryElements {
  panel: HTMLDetailsElement;
  list: HTMLUListElement;
  status: HTMLElement;
  more: HTMLButtonElement;
}

export class DirectoryView {
  private next: string | undefined;
  /** Counts the loads: an answer to an older one than the latest is dropped. */
  private loads = 0;

  constructor(
    private readonly ui: DirectoryElements,
    /** The room this page is in: shown as the current one. */
    private readonly current: string,
    private readonly load: LoadDirectory = loadDirectory,
  ) {
    ui.panel.addEventListener("toggle", () => {
      if (ui.panel.open) void this.refresh();
    });
    ui.more.addEventListener("click", () => void this.more());
  }

  /** Opens the directory (which reads it). */
  open(): void {
    if (this.ui.panel.open) void this.refresh();
    else this.ui.panel.open = true;
  }

  /** Reads the first page again, in place of what is shown. */
  async refresh(): Promise<void> {
    await this.show(undefined, true);
  }

  private async more(): Promise<void> {
    if (this.next !== undefined) await this.show(this.next, false);
  }

  private async show(cursor: string | undefined, fresh: boolean): Promise<void> {
    const load = ++this.loads;
    const { list, status, more } = this.ui;
    status.textContent = "Loading rooms…";
    more.disabled = true;
    let page: DirectoryPage;
    try {
      page = await this.load(cursor);
    } catch {
      if (load !== this.loads) return;
      status.textContent = "The room list could not be loaded. Close and open it to try again.";
      more.disabled = false;
      return;
    }
    if (load !== this.loads) return;
    const rows = page.rooms.map((room) => this.row(room));
    if (fresh) list.replaceChildren(...rows);
    else list.append(...rows);
    this.next = page.next;
    more.hidden = page.next === undefined;
    more.disabled = false;
    status.textContent =
      list.childElementCount === 0 ? "No room is listed yet. A moderator can list a room in its settings." : "";
  }

  private row({ name, title, members }: ListedRoom): HTMLLIElement {
    const here = `${members} ${members === 1 ? "member" : "members"}`;
    const link = el("a", { className: "directory-room", attrs: { href: roomPath(name) } }, [
      el("span", { className: "directory-title", text: title, attrs: { dir: "auto" } }),
      ...(title === name ? [] : [el("span", { className: "directory-name", text: `#${name}` })]),
      el("span", { className: "directory-count", text: here }),
    ]);
    link.setAttribute("aria-label", `${isolate(title)}, #${name}, ${here}`);
    if (name === this.current) link.setAttribute("aria-current", "page");
    return el("li", {}, [link]);
  }
}
