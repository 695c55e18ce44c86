// The fault suite's attacks on names and joins (issue 20): anonymous members who take verified members' names
// before they arrive ("squatting"), and never-joined sockets that repeat a join the room refuses, to spend the
// room's joins per second ("join budget"). Both run at the default limits, each attacker from its own address,
// while honest members chat; the honest members must not notice.

import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { GUEST_MARK } from "../src/shared/names.ts";
import { startDevServer } from "../tools/dev-server.ts";
import { check, measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LoadClient, nextAddress, now, Tracker } from "./lib/load.ts";
import { fmt, quantiles, sleep } from "./lib/stats.ts";

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

function honestChecks(test: string, tracker: Tracker, members: LoadClient[]): { p50: number; p99: number } {
  const [p50 = NaN, p99 = NaN] = quantiles(tracker.latencies.values(), [0.5, 0.99]);
  const lost = members.reduce((sum, c) => sum + (tracker.sent - c.delivered), 0);
  check(
    test,
    "the honest members lost nothing, and their round trip p99 stayed under 100 ms",
    lost === 0 && tracker.duplicates === 0 && tracker.reordered === 0 && p99 < 100,
    `${tracker.sent} sent to ${members.length}; lost ${lost}, duplicates ${tracker.duplicates}, reordered ${tracker.reordered}; p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms`,
  );
  return { p50, p99 };
}

// ---------------------------------------------------------------------------------------------------------------

/** Names of verified members, and look-alikes an attacker takes before they come. */
const VERIFIED = [
  {
    sub: "u-mod",
    name: "moderator",
    role: "moderator",
    lookalikes: ["ｍｏｄｅｒａｔｏｒ", "Moderator", "MODERATOR\uFE0F"],
  },
  { sub: "u-alice", name: "Alice", role: "member", lookalikes: ["ALİCE", "Ａｌｉｃｅ", "alice"] },
];

export async function squatting(config: string): Promise<void> {
  const test = "squatting";
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
    check(
      test,
      "every verified member joined under its own name, whoever held a look-alike of it",
      joinedAs === VERIFIED.length,
      `${joinedAs}/${VERIFIED.length} joined as themselves in ${fmt(Math.max(...verified.map((v) => v.ms)))} ms; ${posing} squatters held a look-alike`,
    );
    await sleep(500);
    const renamed = held.filter(
      ({ squatter, id }) => squatter.count((p) => p.type === "rename" && p.id === id) === 1,
    ).length;
    check(
      test,
      "every squatter holding a look-alike was renamed, once, and heard so",
      renamed === posing,
      `${renamed}/${posing} renamed`,
    );
    const mod = verified[0]!;
    const target = held[0]!;
    mod.client.send({ type: "kick", id: target.id });
    await waitFor(() => target.squatter.closeCode !== undefined, 5000);
    check(
      test,
      "the verified moderator removed a squatter",
      target.squatter.closeCode === 4001,
      `closed with ${target.squatter.closeCode}`,
    );

    for (const { client } of verified) client.send({ type: "chat", text: "the real one" });
    await sleep(500);
    await streaming.stop();
    await waitFor(() => members.every((c) => c.delivered === tracker.sent), 10_000);
    const squatterLines = lines.filter((p) => p.type === "chat_message" && p.message.includes("password"));
    const realLines = lines.filter((p) => p.type === "chat_message" && p.message === "the real one");
    const marked = squatterLines.filter((p) => String(p.name).endsWith(GUEST_MARK)).length;
    check(
      test,
      "the tutorial reader sees every squatter's line marked as a guest's, and the verified members' unmarked",
      marked === squatterLines.length &&
        squatterLines.length === squatters.length &&
        realLines.length === VERIFIED.length &&
        realLines.every((p) => !String(p.name).endsWith(GUEST_MARK)),
      `${marked}/${squatterLines.length} squatters' lines marked; verified lines: ${realLines.map((p) => JSON.stringify(p.name)).join(", ")}`,
    );
    const honest = honestChecks(test, tracker, members);
    measurements.squatting = {
      squatters: squatters.length,
      posing,
      verifiedJoinedAsThemselves: joinedAs,
      renamed,
      markedLines: marked,
      verifiedJoinMs: verified.map((v) => Math.round(v.ms)),
      honest,
    };
    await Promise.all([...squatters, ...verified.map((v) => v.client)].map((r) => r.ws.terminate()));
    await closeAll(members);
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

const ATTACKERS = 38;
const HONEST_JOINS = 12;
const ATTACK_MS = 4000;
/** Twice what a connection's own rate limit lets through (5 a second), and below what closes it for flooding. */
const ATTACK_INTERVAL_MS = 100;

export async function joinBudget(config: string): Promise<void> {
  const test = "joinbudget";
  console.log(
    `\n[joinbudget] ${ATTACKERS} sockets that never join (each its own address) repeat a join for a taken name every ${ATTACK_INTERVAL_MS} ms ` +
      `for ${ATTACK_MS / 1000} s; meanwhile ${HONEST_JOINS} newcomers join and 3 members chat at 10 msg/s (default limits: 20 joins/s, burst 100)`,
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
    check(
      test,
      "every honest newcomer joined at its first try",
      welcomed === HONEST_JOINS,
      `${welcomed}/${HONEST_JOINS} welcomed; refused: ${
        answers
          .filter((a) => a.type !== "welcome")
          .map((a) => a.code ?? a.type)
          .join(", ") || "none"
      }`,
    );
    const refused = attackers.map((a) => a.count((p) => p.code === "name_taken"));
    const sent = Math.round((attackSeconds * 1000) / ATTACK_INTERVAL_MS);
    const perSecond = Math.max(...refused) / attackSeconds;
    // A refused join costs its frame and its answer: 5 tokens a second pay for 2.5 answers a second, after a burst of 5.
    check(
      test,
      "each attacker's refused joins were charged to its own rate limit: at most 2.5 answered a second after its burst",
      Math.max(...refused) <= 5 + 2.5 * attackSeconds + 1,
      `${ATTACKERS} attackers sent about ${sent} joins each; answered name_taken at most ${Math.max(...refused)} (${fmt(perSecond)}/s), ` +
        `rate_limited answers ${attackers.reduce((sum, a) => sum + a.count((p) => p.code === "rate_limited"), 0)}, closed for flooding ${attackers.filter((a) => a.closeCode === 1008).length}`,
    );
    const honest = honestChecks(test, tracker, members);
    measurements.joinbudget = {
      attackers: ATTACKERS,
      attackSeconds,
      joinsSentPerAttacker: sent,
      nameTakenPerAttackerMax: Math.max(...refused),
      honestJoins: HONEST_JOINS,
      welcomed,
      honest,
    };
    await Promise.all(attackers.map((a) => a.ws.terminate()));
    await closeAll(members);
  } finally {
    await server.dispose();
  }
}
