// A shard admits the joins of the connections it holds against joins per second of its own (ROOM_JOINS_PER_SECOND,
// as a room of one object does), so that a crowd arriving at a large room is admitted, or told when to come back,
// where it lands: a join past its shard's budget never reaches the hub (docs/scaling.md). A join the shard lets
// through takes a token then; if the hub does not carry it out (its name is taken, say, as a room of one object
// checks before it charges), the hub says so (wire.ts, "join_refused") and the token comes back. Two joins of one
// connection in flight at once may spend two tokens for one membership: a client's own doing.

import type { ProtocolError } from "../../shared/protocol";
import { type Charges, joinsBusy } from "../limits/charges";

export class ShardJoins {
  /** Joins let through to the hub per connection, not yet carried out nor refused. */
  private readonly awaited = new Map<string, number>();

  constructor(private readonly charges: Pick<Charges<object>, "join" | "joinRefused">) {}

  /** A join from `conn` on its way to the hub: undefined if it may go, or the refusal its sender hears. */
  admit(conn: string, now: number): ProtocolError | undefined {
    const wait = this.charges.join(now);
    if (wait > 0) return joinsBusy(wait);
    this.awaited.set(conn, (this.awaited.get(conn) ?? 0) + 1);
    return undefined;
  }

  /** The hub carried a join of `conn` out: its joins in flight are answered (any other is refused as a repeat). */
  joined(conn: string): void {
    this.awaited.delete(conn);
  }

  /** The hub refused a join of `conn` (or answered another frame of an unjoined connection): a token comes back. */
  refused(conn: string, now: number): void {
    const awaited = this.awaited.get(conn);
    if (awaited === undefined) return;
    if (awaited > 1) this.awaited.set(conn, awaited - 1);
    else this.awaited.delete(conn);
    this.charges.joinRefused(now);
  }

  /** The connection is gone. */
  forget(conn: string): void {
    this.awaited.delete(conn);
  }
}
