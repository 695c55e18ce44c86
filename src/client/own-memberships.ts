// Which messages are our own, across reloads. A verified member's are its user's, whichever connection or tab
// sent them (the room puts `user` on every message of a verified sender). An anonymous member has nothing but its
// membership ids, so this tab remembers them per room in sessionStorage: a reload keeps them, another tab (another
// person, perhaps, on a shared computer) does not share them.

import type { Sender } from "../shared/protocol";

/** Enough for a long session of reconnects; the oldest go first. */
const KEEP = 200;

export class OwnMemberships {
  private readonly ids: Set<number>;
  private readonly key: string;

  /** `user`: the verified user this page joins as, if any (read from its token). */
  constructor(
    room: string,
    private readonly user: string | undefined,
    private readonly storage: Storage = sessionStorage,
  ) {
    this.key = `edge-chat-rooms.own-ids.${room}`;
    this.ids = new Set(read(storage.getItem(this.key)));
  }

  /** A welcome gave us this id. */
  add(id: number): void {
    this.ids.add(id);
    this.storage.setItem(this.key, JSON.stringify([...this.ids].slice(-KEEP)));
  }

  /** One of this tab's memberships, now or before a reload. */
  isMembership(id: number): boolean {
    return this.ids.has(id);
  }

  /** Sent by us: by one of this tab's memberships, or by our verified user from anywhere. */
  isOwn(sender: Sender): boolean {
    return (
      this.ids.has(sender.id) || (this.user !== undefined && sender.verified === true && sender.user === this.user)
    );
  }
}

function read(stored: string | null): number[] {
  try {
    const ids: unknown = JSON.parse(stored ?? "[]");
    return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id)) : [];
  } catch {
    return [];
  }
}
