// What a listed room tells the directory (directory/directory.ts): that it is listed, with its title and member
// count; its count as it changes, at most once per DIRECTORY_REPORT_MS (a change within that time is told when it
// ends, by the room's alarm, so the last count always arrives); its count again whenever its alarm rings for
// anything; and that it is no longer listed (unlisted, or wiped). A room that is not listed tells nothing, and a
// shard never tells anything: its hub counts the room's members, its shards' included. Nothing here rings the alarm
// to say that nothing changed: the directory trusts the last report, and an idle room sleeps.
//
// Chat never waits for it: every report is a call the room does not await (`waitUntil`); a failed one is logged, and
// made again by the room's alarm DIRECTORY_REPORT_MS later (or by a change before that).

import type { Departure, RoomSettings, RosterMember } from "../../shared/protocol";
import type { PresenceWatcher } from "./outbox";

/** A listed room tells the directory its count at most once per this many ms. */
export const DIRECTORY_REPORT_MS = 5000;

/** The directory as a room calls it. */
export interface DirectoryStub {
  report(room: { name: string; title: string; members: number }, at: number): Promise<void>;
  remove(name: string): Promise<void>;
}

/** What the reports need of the room. */
export interface ReportingRoom {
  name: string;
  directory(): DirectoryStub;
  settings(): RoomSettings;
  /** How many members the room has, on its shards too. */
  members(): number;
  waitUntil(work: Promise<unknown>): void;
  /** The room's alarm must ring by `at` (upkeep.ts). */
  ringBy(at: number): void;
}

export class DirectoryReports implements PresenceWatcher {
  private lastAt = -Infinity;
  /** The count last told; undefined before the first report of this object's life. */
  private told: number | undefined;
  /** When a count not yet told is to be; undefined while none waits. */
  private dueAt: number | undefined;
  /** One stub for the room's life: calls through one stub arrive in the order they were made. */
  private stub: DirectoryStub | undefined;

  constructor(private readonly room: ReportingRoom) {}

  joined(_members: readonly RosterMember[]): void {
    this.countChanged(Date.now());
  }

  left(_members: readonly Departure[]): void {
    this.countChanged(Date.now());
  }

  /** When the alarm must ring for a count not yet told; undefined: it need not. */
  get due(): number | undefined {
    return this.dueAt;
  }

  /** The alarm rang: a listed room tells its count, whether it waited or not; an unlisted one a failed removal again. */
  rang(now: number): void {
    if (this.room.settings().listed) this.tell(now);
    else if (this.dueAt !== undefined) this.remove();
  }

  /** The room's settings changed from `before`: a listed room is told at once (its title may be new), or removed. */
  settingsChanged(before: RoomSettings, now: number): void {
    if (this.room.settings().listed) this.tell(now);
    else if (before.listed) this.remove();
  }

  /** The room was wiped (its settings with it): a room that was listed is no longer. */
  wiped(before: RoomSettings): void {
    if (before.listed) this.remove();
  }

  private countChanged(now: number): void {
    if (!this.room.settings().listed || this.dueAt !== undefined) return;
    if (this.room.members() === this.told) return;
    if (now >= this.lastAt + DIRECTORY_REPORT_MS) return this.tell(now);
    this.dueAt = this.lastAt + DIRECTORY_REPORT_MS;
    this.room.ringBy(this.dueAt);
  }

  private tell(now: number): void {
    const { name } = this.room;
    const members = this.room.members();
    this.lastAt = now;
    this.told = members;
    this.dueAt = undefined;
    const title = this.room.settings().title ?? name;
    this.call((directory) => directory.report({ name, title, members }, now));
  }

  private remove(): void {
    this.told = undefined;
    this.dueAt = undefined;
    this.call((directory) => directory.remove(this.room.name));
  }

  private call(work: (directory: DirectoryStub) => Promise<void>): void {
    this.stub ??= this.room.directory();
    const call = work(this.stub).catch((error: unknown) => {
      console.error(`room: the directory was not told: ${String(error)}`);
      // A broken stub stays broken: the next call gets a new one.
      this.stub = undefined;
      // No timer would make it good: the alarm does, unless a newer report is due already.
      if (this.dueAt !== undefined) return;
      this.dueAt = Date.now() + DIRECTORY_REPORT_MS;
      this.room.ringBy(this.dueAt);
    });
    this.room.waitUntil(call);
  }
}
