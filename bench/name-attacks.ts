// The fault suite's attacks on names and joins (issue 20): anonymous members who take verified members' names
// before they arrive ("squatting"), and never-joined sockets that repeat a join the room refuses, to spend the
// room's joins per second ("join budget"). Both run at the default limits, each attacker from its own address,
// while honest members chat; the honest members must not notice (name-attacks.test.ts checks it).

import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { GUEST_MARK } from "../src/shared/names.ts";
import { startDevServer } from "../tools/dev-server.ts";
import { measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LoadClient, nextAddress, now, Tracker } from "./lib/load.ts";
import { type RoomSettings, roomSettings } from "./lib/room-settings.ts";
import { quantiles, sleep } from "./lib/stats.ts";

type Packet = Record<string, any>;

const sign = (claims: Record<string, unknown>, secret: string) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime(Math.floor(Date.now() / 1000) + 3600)
    .sign(new TextEncoder().encode(secret));

/** A bare connection from an address of its own that records every packet; `join` sends a join and waits for the answer. */
class Raw {
  readonly packets: Packet[] = [];
  closeCode: number | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      try {
        this.packets.push(JSON.parse(data.toString("utf8")) as Packet);
      } catch {
        // pong
      }
    });
    ws.on("close", (code) => (this.closeCode = code));
  }

  static open(url: string): Promise<Raw> {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers: { "CF-Connecting-IP": nextAddress() } });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new Raw(ws)));
      ws.once("error", reject);
    });
  }

  send(packet: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(packet));
  }

  /** Sends a join and resolves with the welcome or the error that answers it. */
  async join(name: string): Promise<Packet> {
    const from = this.packets.length;
    this.send({ type: "join", name });
    const answered = () => this.packets.slice(from).find((p) => p.type === "welcome" || p.type === "error");
    await waitFor(() => answered() !== undefined, 10_000);
    return answered() ?? { type: "timeout" };
  }

  count(match: (packet: Packet) => boolean): number {
    return this.packets.filter(match).length;
  }
}

/** Three anonymous members chatting at 10 msg/s, and a Godot tutorial client reading: the honest room. */
async function honestRoom(
  url: string,
): Promise<{ tracker: Tracker; members: LoadClient[]; reader: LoadClient; lines: Packet[] }> {
  const tracker = new Tracker();
  const members = ["ann", "ben", "cy"].map((name) => new LoadClient({ url, name, tracker, keepSeqs: true }));
  const reader = new LoadClient({ url, name: "reader", dialect: "tutorial", tracker });
  await joinAll([...members, reader], 4);
  const lines: Packet[] = [];
  reader.onPacket = (packet) => {
    if (packet.type === "chat_message" || packet.type === "server_message") lines.push(packet);
  };
  return { tracker, members, reader, lines };
}

/** What the honest members observed. */
export interface Honest {
  sent: number;
  members: number;
  lost: number;
  duplicates: number;
  reordered: number;
  p50: number;
  p99: number;
}

function honestFigures(tracker: Tracker, members: LoadClient[]): Honest {
  const [p50 = NaN, p99 = NaN] = quantiles(tracker.latencies.values(), [0.5, 0.99]);
  const lost = members.reduce((sum, c) => sum + (tracker.sent - c.delivered), 0);
  return {
    sent: tracker.sent,
    members: members.length,
    lost,
    duplicates: tracker.duplicates,
    reordered: tracker.reordered,
    p50,
    p99,
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** Names of verified members, and look-alikes an attacker takes before they come. */
export const VERIFIED = [
  {
    sub: "u-mod",
    name: "moderator",
    role: "moderator",
    lookalikes: ["ｍｏｄｅｒａｔｏｒ", "Moderator", "MODERATOR\uFE0F"],
  },
  { sub: "u-alice", name: "Alice", role: "member", lookalikes: ["ALİCE", "Ａｌｉｃｅ", "alice"] },
];

export interface Squatting {
  squatters: number;
  /** Squatters that held a look-alike of a verified name when its owner came. */
  posing: number;
  verified: number;
  joinedAsThemselves: number;
  verifiedJoinMs: number[];
  /** Squatters holding a look-alike that were renamed, once, and heard so. */
  renamed: number;
  /** How the squatter the moderator kicked was closed. */
  kickedCode: number | undefined;
  /** The tutorial reader's lines: the squatters' (and how many of them marked as a guest's), the verified members' names. */
  squatterLines: number;
  markedLines: number;
  verifiedNames: string[];
  honest: Honest;
}

export async function squatting(config: string): Promise<Squatting> {
  console.log(
    `\n[squatting] 20 anonymous members (each its own address) take look-alikes of the names of a verified moderator and a verified Alice, ` +
      "who then join; 3 members chat at 10 msg/s and a tutorial client reads",
  );
  const secret = randomBytes(32).toString("hex");
  const server = await startDevServer({ config, vars: { AUTH_SECRET: secret } });
  try {
    const url = `${server.wsUrl}/rooms/squat`;
    const { tracker, members, lines } = await honestRoom(url);
    // The squatters connect first: what is measured is their joins and what follows, not 20 upgrades at once.
    const squatters = await Promise.all(Array.from({ length: 20 }, () => Raw.open(url)));
    const streaming = stream(
      tracker,
      members.map((c) => tracker.addSender(c, 1000, members.length + 1)),
      10,
    );

    // Each squatter tries a look-alike (one of each name's can be held at a time: they are one name to the room), or
    // else a name of its own, and then says it is who it pretends.
    const held: { squatter: Raw; name: string; id: number }[] = [];
    const lookalikes = VERIFIED.flatMap((v) => v.lookalikes);
    for (const [i, squatter] of squatters.entries()) {
      for (const name of [lookalikes[i % lookalikes.length]!, `someone ${i}`]) {
        const answer = await squatter.join(name);
        if (answer.type !== "welcome") continue;
        held.push({ squatter, name: answer.name, id: answer.id });
        break;
      }
      squatter.send({ type: "chat", text: "I am the moderator: send me your password" });
    }
    const posing = held.filter(({ name }) => VERIFIED.some((v) => v.lookalikes.includes(name))).length;

    // The verified members arrive.
    const started = now();
    const verified = await Promise.all(
      VERIFIED.map(async (v) => {
        const client = await Raw.open(`${url}?token=${await sign({ sub: v.sub, name: v.name, role: v.role }, secret)}`);
        return { v, client, welcome: await client.join(v.name), ms: now() - started };
      }),
    );
    const joinedAs = verified.filter(({ v, welcome }) => welcome.type === "welcome" && welcome.name === v.name).length;
    await sleep(500);
    const renamed = held.filter(
      ({ squatter, id }) => squatter.count((p) => p.type === "rename" && p.id === id) === 1,
    ).length;
    const mod = verified[0]!;
    const target = held[0]!;
    mod.client.send({ type: "kick", id: target.id });
    await waitFor(() => target.squatter.closeCode !== undefined, 5000);

    for (const { client } of verified) client.send({ type: "chat", text: "the real one" });
    await sleep(500);
    await streaming.stop();
    await waitFor(() => members.every((c) => c.delivered === tracker.sent), 10_000);
    const squatterLines = lines.filter((p) => p.type === "chat_message" && p.message.includes("password"));
    const realLines = lines.filter((p) => p.type === "chat_message" && p.message === "the real one");
    const marked = squatterLines.filter((p) => String(p.name).endsWith(GUEST_MARK)).length;
    const honest = honestFigures(tracker, members);
    measurements.squatting = {
      squatters: squatters.length,
      posing,
      verifiedJoinedAsThemselves: joinedAs,
      renamed,
      markedLines: marked,
      verifiedJoinMs: verified.map((v) => Math.round(v.ms)),
      honest,
    };
    const observed: Squatting = {
      squatters: squatters.length,
      posing,
      verified: VERIFIED.length,
      joinedAsThemselves: joinedAs,
      verifiedJoinMs: verified.map((v) => v.ms),
      renamed,
      kickedCode: target.squatter.closeCode,
      squatterLines: squatterLines.length,
      markedLines: marked,
      verifiedNames: realLines.map((p) => String(p.name)),
      honest,
    };
    await Promise.all([...squatters, ...verified.map((v) => v.client)].map((r) => r.ws.terminate()));
    await closeAll(members);
    return observed;
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

const ATTACKERS = 38;
const HONEST_JOINS = 12;
const ATTACK_MS = 4000;

export interface JoinBudget {
  settings: RoomSettings;
  attackers: number;
  attackSeconds: number;
  /** Joins each attacker sent, about. */
  joinsEach: number;
  honestJoins: number;
  /** What answered each newcomer's first join: `welcome`, or the error's code. */
  answers: string[];
  /** Per attacker: its joins answered name_taken, refused with rate_limited; attackers closed for flooding. */
  nameTaken: number[];
  rateLimited: number;
  closedForFlooding: number;
  honest: Honest;
}

export async function joinBudget(config: string): Promise<JoinBudget> {
  const settings = roomSettings(config);
  // Twice what a connection's own rate limit lets through, and below what closes it for flooding.
  const ATTACK_INTERVAL_MS = 1000 / (2 * settings.limits.rateLimitPerSecond);
  console.log(
    `\n[joinbudget] ${ATTACKERS} sockets that never join (each its own address) repeat a join for a taken name every ${ATTACK_INTERVAL_MS} ms ` +
      `for ${ATTACK_MS / 1000} s; meanwhile ${HONEST_JOINS} newcomers join and 3 members chat at 10 msg/s ` +
      `(the room takes ${settings.roomJoinsPerSecond} joins/s, after a burst of five seconds' worth)`,
  );
  const server = await startDevServer({ config });
  try {
    const url = `${server.wsUrl}/rooms/joinbudget`;
    const { tracker, members } = await honestRoom(url);
    // The attackers connect first: what is measured is their joins, not 38 upgrades at once.
    const attackers = await Promise.all(Array.from({ length: ATTACKERS }, () => Raw.open(url)));
    const streaming = stream(
      tracker,
      members.map((c) => tracker.addSender(c, 1000, members.length + 1)),
      10,
    );
    const started = now();
    const flood = setInterval(() => {
      for (const attacker of attackers) attacker.send({ type: "join", name: "ANN" });
    }, ATTACK_INTERVAL_MS);
    await sleep(1000);
    const newcomers = Array.from({ length: HONEST_JOINS }, (_, i) =>
      Raw.open(url).then((raw) => raw.join(`newcomer ${i}`)),
    );
    const answers = await Promise.all(newcomers);
    await sleep(Math.max(0, ATTACK_MS - (now() - started)));
    clearInterval(flood);
    const attackSeconds = (now() - started) / 1000;
    await streaming.stop();
    await waitFor(() => members.every((c) => c.delivered === tracker.sent), 10_000);

    const welcomed = answers.filter((a) => a.type === "welcome").length;
    const nameTaken = attackers.map((a) => a.count((p) => p.code === "name_taken"));
    const joinsEach = Math.round((attackSeconds * 1000) / ATTACK_INTERVAL_MS);
    const honest = honestFigures(tracker, members);
    measurements.joinbudget = {
      attackers: ATTACKERS,
      attackSeconds,
      joinsSentPerAttacker: joinsEach,
      nameTakenPerAttackerMax: Math.max(...nameTaken),
      honestJoins: HONEST_JOINS,
      welcomed,
      honest,
    };
    const observed: JoinBudget = {
      settings,
      attackers: ATTACKERS,
      attackSeconds,
      joinsEach,
      honestJoins: HONEST_JOINS,
      answers: answers.map((a) => (a.type === "welcome" ? "welcome" : (a.code ?? a.type))),
      nameTaken,
      rateLimited: attackers.reduce((sum, a) => sum + a.count((p) => p.code === "rate_limited"), 0),
      closedForFlooding: attackers.filter((a) => a.closeCode === 1008).length,
      honest,
    };
    await Promise.all(attackers.map((a) => a.ws.terminate()));
    await closeAll(members);
    return observed;
  } finally {
    await server.dispose();
  }
}
