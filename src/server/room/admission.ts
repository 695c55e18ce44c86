// What a room checks of a connection the Worker let through, before accepting it: what only the room can know, its
// connections per address and its bans. (What the Worker checks first, to spare the room, is in front-door/upgrade-checks.ts.)

import { IDENTITY_HEADER, type Identity } from "../connections/identity";
import { clientAddress, refusal } from "../connections/requests";
import type { Newcomer, RoomSocket } from "../connections/session";
import type { Sessions } from "../connections/sessions";
import type { BanList } from "../moderation/ban-list";

/** What a refused connection is told to wait, in seconds. */
const RETRY_AFTER_SECONDS = "10";

/** What the room checks a newcomer against: the connections it holds per address, and its bans. */
export interface AdmissionRules {
  sessions: Sessions<RoomSocket>;
  bans: BanList;
  maxConnectionsPerAddress: number;
}

/** A connection the room does not take: the answer, and its code (for the room's counters and log). */
export interface Refused {
  refused: Response;
  code: "too_many_connections" | "banned";
}

/**
 * The newcomer a request brings, or the refusal to answer it with: 429 if its address holds too many connections,
 * 403 if banned.
 */
export async function admit(request: Request, rules: AdmissionRules, now: number): Promise<Newcomer | Refused> {
  const address = clientAddress(request);
  const { maxConnectionsPerAddress } = rules;
  if (address !== undefined && rules.sessions.connectionsFrom(address) >= maxConnectionsPerAddress) {
    // When one of them closes is not known here: a retry after a while, as for the Worker's own 429 (front-door/upgrade-checks.ts).
    const code = "too_many_connections";
    const message = `at most ${maxConnectionsPerAddress} connections to a room from one address`;
    return { code, refused: refusal(429, { error: code, message }, { "Retry-After": RETRY_AFTER_SECONDS }) };
  }
  // Only the Worker sets this header: it removes whatever a client sent in it.
  const header = request.headers.get(IDENTITY_HEADER);
  const identity = header ? (JSON.parse(header) as Identity) : undefined;
  const newcomer: Newcomer = { address, identity };
  const ban = await rules.bans.refusing(newcomer, now);
  if (ban) {
    const until =
      ban.until === undefined ? "until a moderator lifts the ban" : `until ${new Date(ban.until).toISOString()}`;
    return {
      code: "banned",
      refused: refusal(403, { error: "banned", message: `you are banned from this room ${until}` }),
    };
  }
  return newcomer;
}
