// What the Worker's HTTP APIs ask of a room over RPC, for a game's backend or its operator (docs/backend.md): the
// room's info, a post of the publish API, the admin API's moderation, settings, blocked words and audit log, and
// the wipe. The room's own story, its connections', is room.ts, which extends this; these calls reach it from
// outside, without a socket, and each does what a moderator's packet would, or reads only. Like any event, a call
// that acts drops the members gone silent first (silence-sweep.ts); a read changes nothing, that included.

import { CLOSE_ROOM_DELETED } from "../../shared/close-codes";
import type { ModerationAction, RoomSettings, SettingsChange } from "../../shared/protocol";
import { type ModerationOutcome, moderate } from "../moderation/actions";
import type { AuditPage } from "../moderation/audit-log";
import type { ObjectCounters } from "../observability/room-counters";
import { INFO_MEMBERS_DEFAULT, type MembersPage, type RoomInfo, roomInfo } from "./info";
import { type Post, type Published, publish } from "./publishing";
import { RoomParts } from "./room-parts";
import { changeSettings } from "./settings-changes";

export abstract class BackendCalls extends RoomParts {
  /** What `GET /api/rooms/<name>` reports, with the page of members it asks for (the first 100, unless told). */
  info(page: MembersPage = { after: 0, limit: INFO_MEMBERS_DEFAULT }): RoomInfo {
    const now = Date.now();
    this.counts.callIn(now);
    return roomInfo(
      page,
      this.sessions,
      this.storage,
      this.shards,
      this.outbox.typingNow(now).length,
      this.roomSettings.current,
      this.webhooks?.info(now),
    );
  }

  /** A post of the publish API (`POST /api/rooms/<name>/messages`): the game's backend says something here. */
  async publish(post: Post): Promise<Published> {
    this.counts.callIn(Date.now());
    await this.woke();
    return publish(this.publishing, post, Date.now());
  }

  /** A moderation action of the admin API (`POST /api/rooms/<name>/<action>`). */
  async moderateAsAdmin(action: ModerationAction): Promise<ModerationOutcome> {
    this.counts.callIn(Date.now());
    await this.woke();
    return moderate(this.moderated, action, "admin", Date.now());
  }

  /** `POST /api/rooms/<name>/settings`: the room's settings after the change. */
  async changeSettingsAsAdmin(change: SettingsChange): Promise<RoomSettings> {
    this.counts.callIn(Date.now());
    await this.woke();
    return changeSettings(this.settingsRoom, change, "admin", Date.now());
  }

  /** `GET /api/rooms/<name>/blocked-words`: the room's own list (the server's, BLOCKED_WORDS, is not in it). Reads only. */
  blockedWords(): string[] {
    this.counts.callIn(Date.now());
    return this.blocked.list();
  }

  /** `PUT /api/rooms/<name>/blocked-words`: the room's own list from now on (valid: shared/blocked-words.ts). */
  async setBlockedWords(words: string[]): Promise<string[]> {
    this.counts.callIn(Date.now());
    await this.woke();
    this.audited({ action: "blocked_words", details: this.blocked.replace(words) }, "admin");
    return this.blocked.list();
  }

  /** `GET /api/rooms/<name>/audit`: a page of the audit log, newest first. Reads only. */
  auditPage(before: number | undefined, limit: number): AuditPage {
    this.counts.callIn(Date.now());
    return this.audit.page(before, limit);
  }

  /**
   * `GET /api/rooms/<name>/counters`: what the hub did since it started, then each of its shards with members (asked
   * now). Reads only, in memory: a room nobody joined stays without storage.
   */
  async counters(): Promise<ObjectCounters[]> {
    this.counts.callIn(Date.now());
    const shards = await this.shards.counters();
    this.schema.sql.settle();
    return [this.counts.read(this.schema.sql.databaseSize), ...shards];
  }

  /** `DELETE /api/rooms/<name>`: everyone is disconnected, and its history, bans, mutes, lists and settings are deleted. */
  async wipe(): Promise<void> {
    this.counts.callIn(Date.now());
    this.directoryReports.wiped(this.roomSettings.current);
    // What was said before the wipe is wiped too: stored now, so that it cannot be stored after.
    this.outbox.flush();
    // Nobody is left to hear of anyone's leave. The members on shards are closed by their shards, all at once.
    for (const socket of this.sessions.all())
      this.departures.closeUnannounced(socket, CLOSE_ROOM_DELETED, "the room was deleted");
    this.shards.closeAll(this.storage.shardCount, CLOSE_ROOM_DELETED, "the room was deleted");
    await this.upkeep.clearStorage();
  }
}
