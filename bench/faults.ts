// The fault suite's own faults (faults.test.ts checks what they observe): members dropped mid-stream, the server
// killed mid-stream, garbage of every kind, a member that stops reading. Each runs against its own `wrangler dev` of
// the room and returns what honest clients observed; the attacks from the open internet are in attacks.ts, those on
// identity in token-attacks.ts, on names and joins in name-attacks.ts, on the socket itself in socket-attacks.ts.
// `npm run bench:faults` runs them all (bench/vitest.faults.config.ts). See bench/README.md.

import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { startDevServer } from "../tools/dev-server.ts";
import { captureOutput, isRun, measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LOAD_VARS, LoadClient, nextAddress, now, settle, Tracker } from "./lib/load.ts";
import { rssBytes, wranglerWorkerds } from "./lib/proc.ts";
import { type RoomSettings, roomSettings } from "./lib/room-settings.ts";
import { fmt, quantiles, sleep } from "./lib/stats.ts";

// ---------------------------------------------------------------------------------------------------------------

export interface Drops {
  survivors: number;
  dropped: number;
  sent: number;
  /** The lowest and highest seq any survivor received. */
  first: number;
  last: number;
  /** Survivors that received exactly first..last, in order. */
  inOrder: number;
  lost: number;
  duplicates: number;
  reordered: number;
  /** Survivors that heard every dropped member's leave exactly once, and no other. */
  leavesOnce: number;
}

export async function drops(config: string): Promise<Drops> {
  console.log(
    `\n[drops] 50 members, 3 senders streaming 150 msg/s for 4 s; 30% of the others terminated (no close frame) mid-stream`,
  );
  const server = await startDevServer({ config, vars: LOAD_VARS });
  try {
    const tracker = new Tracker();
    const url = `${server.wsUrl}/rooms/drops`;
    const clients = Array.from(
      { length: 50 },
      (_, i) => new LoadClient({ url, name: `d${i}`, tracker, keepSeqs: true }),
    );
    await joinAll(clients, 25);
    await settle(300);
    const senders = clients.slice(0, 3).map((c) => tracker.addSender(c, 200, clients.length));
    const others = clients.slice(3);
    const dropped = others.filter((_, i) => i % 10 < 3); // 30% of the non-senders
    const survivors = clients.filter((c) => !dropped.includes(c));
    const streaming = stream(tracker, senders, 150);
    await sleep(1500);
    for (const c of dropped) c.ws.terminate();
    const droppedAt = now();
    await streaming.stop();
    await waitFor(() => survivors.every((c) => c.delivered === tracker.sent), 15_000);
    await waitFor(() => survivors.every((c) => c.leaveIds.length >= dropped.length), 10_000);
    await settle(500);
    const leaveLatency = now() - droppedAt;

    const allSeqs = survivors.flatMap((c) => c.seqs);
    const first = Math.min(...allSeqs);
    const last = Math.max(...allSeqs);
    const droppedIds = new Set(dropped.map((c) => c.id));
    const leavesOnce = survivors.filter((c) => {
      const counts = new Map<number, number>();
      for (const id of c.leaveIds) counts.set(id, (counts.get(id) ?? 0) + 1);
      return [...droppedIds].every((id) => counts.get(id) === 1) && c.leaveIds.every((id) => droppedIds.has(id));
    }).length;
    measurements.drops = {
      members: clients.length,
      dropped: dropped.length,
      sent: tracker.sent,
      firstSeq: first,
      lastSeq: last,
      leaveAnnouncedWithinMs: Math.round(leaveLatency),
    };
    const observed: Drops = {
      survivors: survivors.length,
      dropped: dropped.length,
      sent: tracker.sent,
      first,
      last,
      inOrder: survivors.filter((c) => isRun(c.seqs, first, last)).length,
      lost: survivors.reduce((sum, c) => sum + (tracker.sent - c.delivered), 0),
      duplicates: tracker.duplicates,
      reordered: tracker.reordered,
      leavesOnce,
    };
    await closeAll(survivors);
    return observed;
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** The members of `restart`; carol leaves before the kill. */
export const RESTART_MEMBERS = ["alice", "bob", "carol", "dave"] as const;

export interface Restart {
  /** Each member's close code once the server was killed (carol's from her own leaving). */
  closeCodes: Record<string, number | undefined>;
  sentBeforeKill: number;
  /** The newest seq any member saw before the kill, and the newest the restarted room holds. */
  newestSeen: number;
  newestStored: number;
  historyLength: number;
  /** The history, paged back, runs 1..newestStored and holds every message seen before the kill with its text. */
  historyIntact: boolean;
  /** Per member, reconnecting with `since` = the last seq it saw: what its welcome brought. */
  resumes: Record<string, { since: number; got: number[]; more: boolean; sameTexts: boolean }>;
  /** The 20 messages sent after the restart reached every member as newestStored+1..newestStored+20. */
  continues: boolean;
}

export async function restart(config: string): Promise<Restart> {
  console.log(
    `\n[restart] 4 members; one leaves early; the server is killed (SIGKILL) mid-stream and restarted; all reconnect with since`,
  );
  let server = await startDevServer({ config, vars: LOAD_VARS });
  try {
    const url = `${server.wsUrl}/rooms/restart`;
    const tracker = new Tracker();
    const names = RESTART_MEMBERS;
    const clients = names.map((name) => new LoadClient({ url, name, tracker, keepSeqs: true }));
    await joinAll(clients, 4);
    const alice = clients[0]!;
    const sender = tracker.addSender(alice, 100_000, clients.length);
    // 30 messages everyone sees, then carol leaves, then a stream that the kill interrupts.
    for (let i = 0; i < 30; i++) tracker.send(sender);
    await waitFor(() => clients.every((c) => c.seqs.length === 30), 10_000);
    const carol = clients[2]!;
    await carol.close();
    const streaming = stream(tracker, [sender], 100);
    await sleep(1500);
    await server.stop({ kill: true });
    await streaming.stop();
    await sleep(200);
    const sentBeforeKill = sender.sent;
    const seen = new Map<string, { seq: number; text: string }[]>();
    for (const c of clients)
      seen.set(
        c.name,
        c.seqs.map((seq, i) => ({ seq, text: c.texts[i]! })),
      );
    const newestSeen = Math.max(...clients.map((c) => c.seqs.at(-1) ?? 0));
    const closeCodes = Object.fromEntries(clients.map((c) => [c.name, c.closeCode]));

    server = await server.restart();
    // Everyone reconnects with the last seq they saw.
    const reconnected = names.map((name) => new LoadClient({ url, name, keepSeqs: true }));
    for (const [i, c] of reconnected.entries()) await c.join({ since: seen.get(names[i]!)!.at(-1)?.seq ?? 0 });
    const newestStored = reconnected[0]!.welcome!.lastSeq;

    // The whole history, through history pages, must hold every message anyone saw, with the same text.
    const pager = reconnected[3]!;
    const history: { seq: number; text: string }[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await new Promise<{ messages: { seq: number; text: string }[]; more: boolean }>((resolve) => {
        pager.onPacket = (p) => p.type === "history" && resolve(p as never);
        pager.ws.send(
          JSON.stringify(
            before === undefined ? { type: "history", limit: 200 } : { type: "history", before, limit: 200 },
          ),
        );
      });
      history.unshift(...page.messages.map((m) => ({ seq: m.seq, text: m.text })));
      if (!page.more || page.messages.length === 0) break;
      before = page.messages[0]!.seq;
    }
    pager.onPacket = undefined;
    const byseq = new Map(history.map((m) => [m.seq, m.text]));
    const historyIntact =
      [...seen.values()].flat().every((m) => byseq.get(m.seq) === m.text) &&
      isRun(
        history.map((m) => m.seq),
        1,
        newestStored,
      );
    const resumes = Object.fromEntries(
      reconnected.map((c, i) => {
        const welcome = c.welcome!;
        return [
          names[i]!,
          {
            since: seen.get(names[i]!)!.at(-1)?.seq ?? 0,
            got: welcome.history.map((m) => m.seq),
            more: welcome.more,
            sameTexts: welcome.history.every((m) => byseq.get(m.seq) === m.text),
          },
        ];
      }),
    );

    // The conversation goes on, with seq numbers continuing, not reused.
    const tracker2 = new Tracker();
    for (const c of reconnected) c.tracker = tracker2;
    const sender2 = tracker2.addSender(reconnected[0]!, 20, reconnected.length);
    for (let i = 0; i < 20; i++) tracker2.send(sender2);
    await waitFor(() => reconnected.every((c) => c.seqs.length === 20), 10_000);
    const continues = reconnected.every((c) => isRun(c.seqs, newestStored + 1, newestStored + 20));
    measurements.restart = {
      sentBeforeKill,
      newestSeenBeforeKill: newestSeen,
      newestStored,
      historyLength: history.length,
      missedByCarol: newestStored - (seen.get("carol")!.at(-1)?.seq ?? 0),
      closeCodes,
    };
    await closeAll(reconnected);
    return {
      closeCodes,
      sentBeforeKill,
      newestSeen,
      newestStored,
      historyLength: history.length,
      historyIntact,
      resumes,
      continues,
    };
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

const NOT_UTF8 = "invalid UTF-8 in a text frame";

/** One garbage frame of kind `i % KINDS`. */
function garbage(i: number): { data: string | Buffer; binary: boolean; kind: string } {
  const kinds: (() => { data: string | Buffer; binary: boolean; kind: string })[] = [
    () => ({ data: randomBytes(1 + (i % 200)), binary: true, kind: "random bytes (binary)" }),
    () => ({ data: '{"type":"chat","text":"trunc', binary: false, kind: "truncated JSON" }),
    () => ({ data: "[".repeat(4000) + "]".repeat(4000), binary: false, kind: "deeply nested arrays" }),
    () => ({ data: `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`, binary: false, kind: "deeply nested objects" }),
    () => ({
      data: JSON.stringify({ type: "chat", text: "x".repeat(12_000) }),
      binary: false,
      kind: "huge string (> max chars)",
    }),
    () => ({ data: JSON.stringify({ type: "chat", text: 42 }), binary: false, kind: "wrong type: text number" }),
    () => ({ data: JSON.stringify({ type: 42 }), binary: false, kind: "wrong type: type number" }),
    () => ({ data: JSON.stringify([{ type: "chat", text: "hi" }]), binary: false, kind: "array packet" }),
    () => ({ data: "null", binary: false, kind: "null" }),
    () => ({ data: '{"type":"chat","text":"\\ud800"}', binary: false, kind: "lone surrogate (escaped) in text" }),
    () => ({ data: '{"type":"join","name":"\\udfff"}', binary: false, kind: "lone surrogate (escaped) in name" }),
    () => ({ data: JSON.stringify({ type: "join", name: { x: 1 } }), binary: false, kind: "wrong type: name object" }),
    () => ({
      data: '{"type":"history","before":-1,"limit":1e309}',
      binary: false,
      kind: "bad history fields",
    }),
    () => ({ data: "x".repeat(17_000 + (i % 5) * 20_000), binary: false, kind: "oversized text frame (> 16 KiB)" }),
    () => ({ data: Buffer.alloc(20_000, 0x7b), binary: true, kind: "oversized binary frame (> 16 KiB)" }),
    () => ({
      data: JSON.stringify({ type: "chat", text: "\u0000\u0007bell" }),
      binary: false,
      kind: "control characters",
    }),
    () => ({ data: JSON.stringify({ type: "nope", text: "?" }), binary: false, kind: "unknown type" }),
    () => ({ data: JSON.stringify({ type: "chat", text: `ok ${i}` }), binary: false, kind: "valid chat (flood)" }),
    () => ({ data: JSON.stringify({ type: "join", name: "again" }), binary: false, kind: "second join" }),
    () => ({ data: Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), binary: true, kind: "invalid UTF-8 (binary)" }),
  ];
  // Now and then, a text frame that is not UTF-8 at all: a WebSocket protocol error, which ends the connection.
  if (i % 997 === 500) return { data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), binary: false, kind: NOT_UTF8 };
  return kinds[i % kinds.length]!();
}

/** A hostile connection: whether it flooded, how many frames it sent, the first that must end it, how it closed. */
interface HostileConnection {
  flood: boolean;
  frames: number;
  /** It stopped short of its share because the test's frames ran out. */
  cut: boolean;
  /** A frame over MAX_FRAME_BYTES (closes with 1009), or a text frame that is not UTF-8 (a protocol error). */
  fatal: "oversized" | "not UTF-8" | undefined;
  code: number;
}

export interface Hostile {
  settings: RoomSettings;
  /** Frames a flooder sends unless the room closes it first. */
  floodShare: number;
  connections: HostileConnection[];
  closes: Record<number, number>;
  errorCodes: Record<string, number>;
  honest: { name: string; closed: boolean; delivered: number; errors: number }[];
  sent: number;
  duplicates: number;
  reordered: number;
  newcomerJoined: boolean;
  info: { memberCount: number; members: unknown[]; lastSeq: number };
  /**
   * What wrangler printed, the room's event lines (docs/operations.md) and its request lines aside: the rest is what
   * must stay readable.
   */
  log: { bytes: number; lines: number; errorLines: number; stackFrames: number; floodLines: number };
  /** The room's refusal lines by code, and its refusals as its counters have them (the admin API). */
  refusalLines: Record<string, number>;
  refusalsCounted: Record<string, number>;
  /** Lines of the output that hold a chat's text (sent by anyone): none may. */
  linesWithText: string[];
}

/** The admin token the hostile room runs with: the test reads its counters. */
const HOSTILE_ADMIN = "hostile-admin-token";

/** Texts every chat of the hostile run holds a piece of (`garbage`), besides the honest clients' own. */
const GARBAGE_TEXTS = [/\bok \d+\b/, /trunc/, /bell/, /x{16}/, /"text"/];

/** The room's event lines in wrangler's output (src/server/observability/log.ts): each a JSON object with `event`. */
function eventLines(lines: string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    if (!line.startsWith('{"event":')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Frames each flooding connection sends, as fast as it can, unless the room closes it first. */
const FLOOD_SHARE = 400;

export async function hostile(config: string): Promise<Hostile> {
  const FRAMES = 10_000;
  console.log(`\n[hostile] ${FRAMES} frames of garbage at default limits while two honest clients chat`);
  const settings = roomSettings(config);
  // With the Worker's console.log lines: the room's events (one per refusal) are among them.
  const server = await startDevServer({ config, vars: { ADMIN_TOKEN: HOSTILE_ADMIN }, logLevel: "log" });
  const output = captureOutput(server);
  try {
    const url = `${server.wsUrl}/rooms/hostile`;
    const tracker = new Tracker();
    const honest = ["ann", "ben"].map((name) => new LoadClient({ url, name, tracker, keepSeqs: true }));
    await joinAll(honest, 2);
    const senders = honest.map((c) => tracker.addSender(c, 100_000, 2));
    // 2 msg/s each, well under the default 5/s.
    const streaming = stream(tracker, senders, 4);

    let sent = 0;
    const connections: HostileConnection[] = [];
    const closes = new Map<number, number>();
    const errorCodes = new Map<string, number>();
    const kinds = new Set<string>();
    const started = now();
    while (sent < FRAMES) {
      // Many attackers, each from its own address: this test is about what the room makes of their frames.
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        maxPayload: 0,
        headers: { "CF-Connecting-IP": nextAddress() },
      });
      const joinFirst = connections.length % 2 === 1;
      // Most connections stay within the burst, so that every frame they send is parsed and answered; every
      // tenth floods past the rate limit until the room closes it.
      const flood = connections.length % 10 === 9;
      const connection: HostileConnection = { flood, frames: 0, cut: false, fatal: undefined, code: 0 };
      connections.push(connection);
      const share = flood ? FLOOD_SHARE : 9;
      await new Promise<void>((resolve) => {
        ws.on("message", (data: Buffer) => {
          try {
            const p = JSON.parse(data.toString());
            const code = p.type === "error" ? p.code : p.type === "server_message" ? p.code : undefined;
            if (code) errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
          } catch {
            // not JSON
          }
        });
        ws.on("error", () => undefined);
        ws.on("close", (code) => {
          closes.set(code, (closes.get(code) ?? 0) + 1);
          connection.code = code;
          resolve();
        });
        ws.on("open", async () => {
          if (joinFirst) ws.send(JSON.stringify({ type: "join", name: `hostile${connections.length}` }));
          // Send until closed (flood) or until this connection has sent its share, yielding now and then.
          while (ws.readyState === WebSocket.OPEN && sent < FRAMES && connection.frames < share) {
            let frame = garbage(sent);
            const bytes = Buffer.byteLength(frame.data);
            // An oversized frame closes the connection at once (1009): a flooder must live long enough to flood.
            if (flood && bytes > settings.limits.maxFrameBytes) {
              frame = { data: '{"type":"chat","text":"flood"}', binary: false, kind: "valid chat (flood)" };
            } else if (bytes > settings.limits.maxFrameBytes) connection.fatal ??= "oversized";
            else if (frame.kind === NOT_UTF8) connection.fatal ??= "not UTF-8";
            kinds.add(frame.kind);
            ws.send(frame.data, { binary: frame.binary });
            sent++;
            if (++connection.frames % 20 === 0) await sleep(1);
          }
          connection.cut = sent >= FRAMES && connection.frames < share;
          if (!flood) await sleep(30); // let the answers come back
          if (ws.readyState === WebSocket.OPEN) ws.close(1000);
        });
      });
    }
    const hostileMs = now() - started;
    // The honest clients go on a little, then stop; everything they sent must have reached both.
    await sleep(1000);
    await streaming.stop();
    await waitFor(() => honest.every((c) => c.delivered === tracker.sent), 10_000);

    // The room still works for a newcomer.
    const late = new LoadClient({ url, name: "late", keepSeqs: true });
    await late.join({ timeoutMs: 10_000 });
    const info = (await (await fetch(`${server.httpUrl}/api/rooms/hostile`)).json()) as {
      memberCount: number;
      members: unknown[];
      lastSeq: number;
    };
    await late.close();
    const counters = (await (
      await fetch(`${server.httpUrl}/api/rooms/hostile/counters`, {
        headers: { Authorization: `Bearer ${HOSTILE_ADMIN}` },
      })
    ).json()) as { objects: { counters: { refusals: Record<string, number> } }[] };
    const refusalsCounted: Record<string, number> = {};
    for (const { counters: counted } of counters.objects)
      for (const [code, n] of Object.entries(counted.refusals))
        refusalsCounted[code] = (refusalsCounted[code] ?? 0) + n;

    await sleep(500);
    const all = output.text().split("\n");
    const events = eventLines(all);
    const refusalLines: Record<string, number> = {};
    for (const event of events)
      if (event.event === "refusal" && event.room === "hostile") {
        const code = String(event.code);
        refusalLines[code] = (refusalLines[code] ?? 0) + 1;
      }
    // The honest clients' own chats (lib/load.ts: "t=<ms> s=<sender> n=<i>"); they heard the attackers' too.
    const honestTexts = new Set(honest.flatMap((c) => c.texts).filter((text) => text.startsWith("t=")));
    const linesWithText = all.filter(
      (line) => GARBAGE_TEXTS.some((pattern) => pattern.test(line)) || [...honestTexts].some((t) => line.includes(t)),
    );
    // One line of each code, as the room wrote it: what an operator's log search finds.
    const samples = new Map<unknown, string>();
    for (const line of all) {
      const code = line.match(/^\{"event":"refusal".*"code":"([a-z_]+)"/)?.[1];
      if (code && !samples.has(code)) samples.set(code, line);
    }
    console.log(
      `        log: ${events.length} event lines; refusal lines by code: ${JSON.stringify(refusalLines)}\n` +
        [...samples.values()].map((line) => `          ${line}`).join("\n"),
    );
    // What must stay readable is the rest: wrangler's own lines and the room's warnings and errors.
    const lines = all.filter((line) => !line.startsWith('{"event":') && !line.startsWith("[wrangler:info]"));
    const text = lines.join("\n");
    const log = {
      bytes: text.length,
      lines: lines.length - 1,
      errorLines: lines.filter((l) => /error/i.test(l)).length,
      stackFrames: lines.filter((l) => /^\s+at\s/.test(l)).length,
      floodLines: lines.filter((l) =>
        /room: closed (?:member \d+|a connection that has not joined) for flooding/.test(l),
      ).length,
    };
    const [p50, p99, max] = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]);
    measurements.hostile = {
      framesSent: sent,
      connections: connections.length,
      flooders: connections.filter((c) => c.flood).length,
      oversized: connections.filter((c) => c.fatal === "oversized").length,
      hostileMs: Math.round(hostileMs),
      closes: Object.fromEntries(closes),
      errors: Object.fromEntries(errorCodes),
      garbageKinds: [...kinds],
      honest: { sent: tracker.sent, latencyMs: { p50, p99, max } },
      log: { ...log, sample: text.slice(0, 2000) },
    };
    console.log(
      `        honest latency during the attack: p50 ${fmt(p50!)} ms, p99 ${fmt(p99!)} ms, max ${fmt(max!)} ms; attack took ${fmt(hostileMs / 1000)} s`,
    );
    const observed: Hostile = {
      settings,
      floodShare: FLOOD_SHARE,
      connections,
      closes: Object.fromEntries(closes),
      errorCodes: Object.fromEntries(errorCodes),
      honest: honest.map((c) => ({ name: c.name, closed: c.closed, delivered: c.delivered, errors: c.errors })),
      sent: tracker.sent,
      duplicates: tracker.duplicates,
      reordered: tracker.reordered,
      newcomerJoined: late.joined,
      info,
      log,
      refusalLines,
      refusalsCounted,
      linesWithText,
    };
    await closeAll(honest);
    return observed;
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface Slow {
  sent: number;
  othersLost: number;
  duplicates: number;
  reordered: number;
  /** The others' latency p50, p99, max before the pause and while one member is paused. */
  normal: number[];
  paused: number[];
  pauseMs: number;
  /** Messages sent while the member was paused, and the bytes of their frames: what the room holds for it. */
  sentWhilePaused: number;
  backlogBytes: number;
  /** workerd's RSS (runtime + proxy) at the pause, and at its peak while paused. */
  rssAtPause: number;
  rssPeak: number;
  slowpoke: { closed: boolean; closeCode: number | undefined; delivered: number; caughtUpMs: number };
}

export async function slow(config: string): Promise<Slow> {
  const MB = 1024 * 1024;
  const PAUSE_S = 20;
  console.log(
    `\n[slow] 20 members + 1 that stops reading; 5 senders, 200 msg/s of ~2,000-char messages; 5 s normal, ${PAUSE_S} s paused, then resumed`,
  );
  const server = await startDevServer({ config, vars: LOAD_VARS });
  try {
    const { runtime, proxy } = wranglerWorkerds(server.process.pid!);
    const url = `${server.wsUrl}/rooms/slow`;
    const tracker = new Tracker();
    tracker.padding = ` ${"p".repeat(1950)}`;
    const members = Array.from({ length: 20 }, (_, i) => new LoadClient({ url, name: `s${i}`, tracker }));
    const slowpoke = new LoadClient({ url, name: "slowpoke", tracker });
    await joinAll([...members, slowpoke], 21);
    await settle(300);
    // The size of one chat frame as the room sends it, to tell what it holds for a member that does not read.
    let frameBytes = NaN;
    members[0]!.ws.on("message", (data: Buffer) => {
      if (Number.isNaN(frameBytes) && data.length > 1950) frameBytes = data.length;
    });
    const senders = members.slice(0, 5).map((c) => tracker.addSender(c, 100_000, 21));
    const rss = () => ({ runtime: runtime ? rssBytes(runtime) : NaN, proxy: proxy ? rssBytes(proxy) : NaN });
    const total = (sample: { runtime: number; proxy: number }) => sample.runtime + sample.proxy;
    const rss0 = rss();
    const streaming = stream(tracker, senders, 200);

    await sleep(5000);
    const normal = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]);
    const mark = tracker.latencies.length;
    const slowBefore = slowpoke.delivered;
    const rssPause = rss();
    const sentAtPause = tracker.sent;
    const pausedAt = now();
    (slowpoke.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const samples: { t: number; runtimeMB: number; proxyMB: number }[] = [];
    for (let t = 0; t < PAUSE_S; t++) {
      await sleep(1000);
      const r = rss();
      samples.push({ t: t + 1, runtimeMB: r.runtime / MB, proxyMB: r.proxy / MB });
    }
    const paused = quantiles(tracker.latencies.values().subarray(mark), [0.5, 0.99, 1]);
    const slowDuringPause = slowpoke.delivered - slowBefore;
    const sentWhilePaused = tracker.sent - sentAtPause;
    (slowpoke.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const resumedAt = now();
    const pauseMs = resumedAt - pausedAt;
    await streaming.stop();
    const sent = tracker.sent;
    const caughtUp = await waitFor(() => slowpoke.closed || slowpoke.delivered === sent, 30_000);
    const caughtUpMs = caughtUp && !slowpoke.closed ? now() - resumedAt : NaN;
    await waitFor(() => members.every((c) => c.delivered === sent), 10_000);
    const rss1 = rss();

    const othersLost = members.reduce((sum, c) => sum + (sent - c.delivered), 0);
    const slowedBy = paused[1]! / normal[1]!;
    console.log(
      `        others' latency: before p50 ${fmt(normal[0]!)} / p99 ${fmt(normal[1]!)} ms; while one member is paused p50 ${fmt(paused[0]!)} / p99 ${fmt(paused[1]!)} ms (x${fmt(slowedBy, 2)})`,
    );
    const peak = samples.reduce((a, s) => (s.runtimeMB + s.proxyMB > a.runtimeMB + a.proxyMB ? s : a), samples[0]!);
    console.log(
      `        workerd RSS before ${fmt(rss0.runtime / MB)} MB runtime + ${fmt(rss0.proxy / MB)} MB proxy; ` +
        `after 5 s of normal traffic ${fmt(rssPause.runtime / MB)} + ${fmt(rssPause.proxy / MB)} MB; ` +
        `peak while paused ${fmt(peak.runtimeMB)} + ${fmt(peak.proxyMB)} MB; after ${fmt(rss1.runtime / MB)} + ${fmt(rss1.proxy / MB)} MB`,
    );
    const backlogBytes = sentWhilePaused * frameBytes;
    console.log(
      `        slow member: received ${slowDuringPause} while paused (${sentWhilePaused} sent to it, ${fmt(backlogBytes / MB)} MB), ` +
        `closed=${slowpoke.closed}${slowpoke.closed ? ` (code ${slowpoke.closeCode})` : ""}, ` +
        `after resuming received ${slowpoke.delivered}/${sent}${caughtUp ? ` in ${fmt(caughtUpMs / 1000, 2)} s` : " (did not catch up within 30 s)"}`,
    );
    measurements.slow = {
      messageChars: 1950 + 20,
      frameBytes,
      ratePerSecond: 200,
      sent,
      othersLatencyMs: {
        before: { p50: normal[0], p99: normal[1], max: normal[2] },
        paused: { p50: paused[0], p99: paused[1], max: paused[2] },
      },
      rssMB: {
        before: { runtime: rss0.runtime / MB, proxy: rss0.proxy / MB },
        atPause: { runtime: rssPause.runtime / MB, proxy: rssPause.proxy / MB },
        whilePaused: samples,
        after: { runtime: rss1.runtime / MB, proxy: rss1.proxy / MB },
      },
      slowMember: {
        receivedWhilePaused: slowDuringPause,
        closed: slowpoke.closed,
        closeCode: slowpoke.closeCode ?? null,
        receivedTotal: slowpoke.delivered,
        caughtUp,
        caughtUpMs,
      },
      pauseMs,
      sentWhilePaused,
      bytesSentToSlowWhilePaused: backlogBytes,
    };
    const observed: Slow = {
      sent,
      othersLost,
      duplicates: tracker.duplicates,
      reordered: tracker.reordered,
      normal,
      paused,
      pauseMs,
      sentWhilePaused,
      backlogBytes,
      rssAtPause: total(rssPause),
      rssPeak: Math.max(total(rssPause), (peak.runtimeMB + peak.proxyMB) * MB),
      slowpoke: {
        closed: slowpoke.closed,
        closeCode: slowpoke.closeCode,
        delivered: slowpoke.delivered,
        caughtUpMs,
      },
    };
    await closeAll([...members, slowpoke]);
    return observed;
  } finally {
    await server.dispose();
  }
}
