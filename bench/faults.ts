// The fault suite: `npm run bench:faults [-- --only drops,restart,hostile,slow,reads,crowd,churn,history,lurkers,tokens,
// squatting,joinbudget,compression,unanswered]`. Each test starts its own `wrangler dev` of the room, misbehaves at it
// and checks what honest clients observe (the attacks from the open internet are in attacks.ts, the attack on
// identity in token-attacks.ts, those on names and joins in name-attacks.ts, those on the socket itself in
// socket-attacks.ts). Exits non-zero if any
// check fails; writes bench/results/faults-<timestamp>.json. See bench/README.md.

import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { startDevServer } from "../tools/dev-server.ts";
import { churn, crowd, historyAbuse, lurkers, reads } from "./attacks.ts";
import { captureOutput, check, checks, isRun, measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LOAD_VARS, LoadClient, nextAddress, now, settle, Tracker } from "./lib/load.ts";
import { rssBytes, wranglerWorkerds } from "./lib/proc.ts";
import { snapshotProject } from "./lib/snapshot.ts";
import { fmt, quantiles, sleep } from "./lib/stats.ts";
import { joinBudget, squatting } from "./name-attacks.ts";
import { compression, unanswered } from "./socket-attacks.ts";
import { tokens } from "./token-attacks.ts";

const BENCH_DIR = import.meta.dirname;
// The room as it is when the suite starts (see lib/snapshot.ts): edits to src/ meanwhile must not reload it.
const snapshot = snapshotProject();
const CONFIG = snapshot.config;

const { values: options } = parseArgs({ options: { only: { type: "string" }, out: { type: "string" } } });
const only = options.only?.split(",");

// ---------------------------------------------------------------------------------------------------------------

async function drops(): Promise<void> {
  const test = "drops";
  console.log(
    `\n[drops] 50 members, 3 senders streaming 150 msg/s for 4 s; 30% of the others terminated (no close frame) mid-stream`,
  );
  const server = await startDevServer({ config: CONFIG, vars: LOAD_VARS });
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
    const inOrder = survivors.filter((c) => isRun(c.seqs, first, last)).length;
    check(
      test,
      "every survivor received every message, in order, no gap, no duplicate",
      inOrder === survivors.length,
      `${inOrder}/${survivors.length} survivors saw seq ${first}..${last} exactly; ${tracker.sent} sent`,
    );
    const lost = survivors.reduce((sum, c) => sum + (tracker.sent - c.delivered), 0);
    check(
      test,
      "no loss, duplicate or reordering for survivors",
      lost === 0 && tracker.duplicates === 0 && tracker.reordered === 0,
      `lost ${lost}, duplicates ${tracker.duplicates}, reordered ${tracker.reordered}`,
    );
    const droppedIds = new Set(dropped.map((c) => c.id));
    const exactlyOnce = survivors.filter((c) => {
      const counts = new Map<number, number>();
      for (const id of c.leaveIds) counts.set(id, (counts.get(id) ?? 0) + 1);
      return [...droppedIds].every((id) => counts.get(id) === 1) && c.leaveIds.every((id) => droppedIds.has(id));
    }).length;
    check(
      test,
      "every dropped member's leave announced exactly once to every survivor",
      exactlyOnce === survivors.length,
      `${exactlyOnce}/${survivors.length} survivors saw exactly the ${dropped.length} leaves once each`,
    );
    measurements.drops = {
      members: clients.length,
      dropped: dropped.length,
      sent: tracker.sent,
      firstSeq: first,
      lastSeq: last,
      leaveAnnouncedWithinMs: Math.round(leaveLatency),
    };
    await closeAll(survivors);
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function restart(): Promise<void> {
  const test = "restart";
  console.log(
    `\n[restart] 4 members; one leaves early; the server is killed (SIGKILL) mid-stream and restarted; all reconnect with since`,
  );
  let server = await startDevServer({ config: CONFIG, vars: LOAD_VARS });
  try {
    const url = `${server.wsUrl}/rooms/restart`;
    const tracker = new Tracker();
    const names = ["alice", "bob", "carol", "dave"];
    let clients = names.map((name) => new LoadClient({ url, name, tracker, keepSeqs: true }));
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
    const maxSeen = Math.max(...clients.map((c) => c.seqs.at(-1) ?? 0));
    check(
      test,
      "clients saw the kill as a closed connection",
      clients.filter((c) => c !== carol).every((c) => c.closed),
      `close codes ${clients.map((c) => c.closeCode).join(", ")}`,
    );

    server = await server.restart();
    // Everyone reconnects with the last seq they saw.
    const reconnected = names.map((name) => new LoadClient({ url, name, keepSeqs: true }));
    for (const [i, c] of reconnected.entries()) await c.join({ since: seen.get(names[i]!)!.at(-1)?.seq ?? 0 });
    const lastSeq = reconnected[0]!.welcome!.lastSeq;
    check(
      test,
      "nothing any client saw before the kill is lost",
      lastSeq >= maxSeen,
      `newest seq after restart ${lastSeq}, newest seen before ${maxSeen}; ${sentBeforeKill} sent`,
    );

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
    const allSeen = [...seen.values()].flat();
    const intact =
      allSeen.every((m) => byseq.get(m.seq) === m.text) &&
      isRun(
        history.map((m) => m.seq),
        1,
        lastSeq,
      );
    check(
      test,
      "history intact: seq 1..newest without gap, every message seen before the kill with the same text",
      intact,
      `${history.length} messages in history`,
    );

    for (const [i, c] of reconnected.entries()) {
      const mine = seen.get(names[i]!)!;
      const from = mine.at(-1)?.seq ?? 0;
      const got = c.welcome!.history.map((m) => m.seq);
      const exact =
        isRun(got, from + 1, lastSeq) &&
        !c.welcome!.more &&
        c.welcome!.history.every((m) => byseq.get(m.seq) === m.text);
      check(
        test,
        `${names[i]} reconnecting with since=${from} got exactly what it missed`,
        exact,
        `got ${got.length} (${got[0] ?? "-"}..${got.at(-1) ?? "-"}), expected ${lastSeq - from} (${from + 1}..${lastSeq})`,
      );
    }

    // The conversation goes on, with seq numbers continuing, not reused.
    const tracker2 = new Tracker();
    for (const c of reconnected) c.tracker = tracker2;
    const sender2 = tracker2.addSender(reconnected[0]!, 20, reconnected.length);
    for (let i = 0; i < 20; i++) tracker2.send(sender2);
    await waitFor(() => reconnected.every((c) => c.seqs.length === 20), 10_000);
    const continues = reconnected.every((c) => isRun(c.seqs, lastSeq + 1, lastSeq + 20));
    check(
      test,
      "after restart the conversation continues with the next seq numbers, to everyone",
      continues,
      `expected ${lastSeq + 1}..${lastSeq + 20}`,
    );
    measurements.restart = {
      sentBeforeKill,
      newestSeenBeforeKill: maxSeen,
      newestStored: lastSeq,
      historyLength: history.length,
      missedByCarol: lastSeq - (seen.get("carol")!.at(-1)?.seq ?? 0),
    };
    clients = reconnected;
    await closeAll(clients);
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

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
  if (i % 997 === 500)
    return { data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), binary: false, kind: "invalid UTF-8 in a text frame" };
  return kinds[i % kinds.length]!();
}

async function hostile(): Promise<void> {
  const test = "hostile";
  const FRAMES = 10_000;
  console.log(`\n[hostile] ${FRAMES} frames of garbage at default limits while two honest clients chat`);
  const server = await startDevServer({ config: CONFIG });
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
    let connections = 0;
    const closes = new Map<number, number>();
    const errorCodes = new Map<string, number>();
    const kinds = new Set<string>();
    const started = now();
    while (sent < FRAMES) {
      connections++;
      // Many attackers, each from its own address: this test is about what the room makes of their frames.
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        maxPayload: 0,
        headers: { "CF-Connecting-IP": nextAddress() },
      });
      const joinFirst = connections % 2 === 0;
      // Most connections stay within the burst, so that every frame they send is parsed and answered; every
      // tenth floods past the rate limit until the room closes it.
      const flood = connections % 10 === 0;
      const share = flood ? 400 : 9;
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
          resolve();
        });
        ws.on("open", async () => {
          if (joinFirst) ws.send(JSON.stringify({ type: "join", name: `hostile${connections}` }));
          // Send until closed (flood) or until this connection has sent its share, yielding now and then.
          let mine = 0;
          while (ws.readyState === WebSocket.OPEN && sent < FRAMES && mine < share) {
            let frame = garbage(sent);
            // An oversized frame closes the connection at once (1009): a flooder must live long enough to flood.
            if (flood && Buffer.byteLength(frame.data) > 16 * 1024) {
              frame = { data: '{"type":"chat","text":"flood"}', binary: false, kind: "valid chat (flood)" };
            }
            kinds.add(frame.kind);
            ws.send(frame.data, { binary: frame.binary });
            sent++;
            mine++;
            if (mine % 20 === 0) await sleep(1);
          }
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

    check(
      test,
      "honest clients stayed connected",
      honest.every((c) => !c.closed),
      honest.map((c) => `${c.name} closed=${c.closed}`).join(", "),
    );
    check(
      test,
      "honest clients lost nothing (no loss, duplicate, reordering) and got no errors",
      honest.every((c) => c.delivered === tracker.sent) &&
        tracker.duplicates === 0 &&
        tracker.reordered === 0 &&
        honest.every((c) => c.errors === 0),
      `${tracker.sent} sent; delivered ${honest.map((c) => c.delivered).join(", ")}; errors ${honest.map((c) => c.errors).join(", ")}`,
    );
    const [p50, p99, max] = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]);
    const totalErrors = [...errorCodes.values()].reduce((a, b) => a + b, 0);
    check(
      test,
      "hostile client got errors",
      totalErrors > 0 && errorCodes.size >= 5,
      [...errorCodes].map(([k, v]) => `${k} ${v}`).join(", "),
    );
    check(
      test,
      "oversized frames closed with 1009",
      (closes.get(1009) ?? 0) > 0,
      `closes by code: ${[...closes].map(([k, v]) => `${k}x${v}`).join(", ")}`,
    );
    check(
      test,
      "hostile flooding closed with 1008",
      (closes.get(1008) ?? 0) > 0,
      `closes by code: ${[...closes].map(([k, v]) => `${k}x${v}`).join(", ")} over ${connections} connections`,
    );

    // The room still works for a newcomer.
    const late = new LoadClient({ url, name: "late", keepSeqs: true });
    await late.join({ timeoutMs: 10_000 });
    const info = (await (await fetch(`${server.httpUrl}/api/rooms/hostile`)).json()) as {
      members: unknown[];
      lastSeq: number;
    };
    check(
      test,
      "the room still serves: a newcomer joins, the API answers",
      late.joined && Array.isArray(info.members),
      `members ${info.members.length}, lastSeq ${info.lastSeq}`,
    );
    await late.close();

    await sleep(500);
    const log = output.text();
    const stackLines = log.split("\n").filter((l) => /^\s+at\s/.test(l)).length;
    const errorLines = log.split("\n").filter((l) => /error/i.test(l)).length;
    check(
      test,
      "logs stay readable: no flood of stack traces",
      stackLines < 20 && log.length < 64 * 1024,
      `${log.length} bytes of wrangler output, ${log.split("\n").length - 1} lines, ${errorLines} mention "error", ${stackLines} stack frames`,
    );
    const floodLines = log
      .split("\n")
      .filter((l) => /room: closed (?:member \d+|a connection that has not joined) for flooding/.test(l)).length;
    check(
      test,
      "logs name each flooder closed, once",
      floodLines === (closes.get(1008) ?? 0),
      `${floodLines} flood lines for ${closes.get(1008) ?? 0} closes with 1008`,
    );
    measurements.hostile = {
      framesSent: sent,
      connections,
      hostileMs: Math.round(hostileMs),
      closes: Object.fromEntries(closes),
      errors: Object.fromEntries(errorCodes),
      garbageKinds: [...kinds],
      honest: { sent: tracker.sent, latencyMs: { p50, p99, max } },
      log: {
        bytes: log.length,
        lines: log.split("\n").length - 1,
        stackFrames: stackLines,
        sample: log.slice(0, 2000),
      },
    };
    console.log(
      `        honest latency during the attack: p50 ${fmt(p50!)} ms, p99 ${fmt(p99!)} ms, max ${fmt(max!)} ms; attack took ${fmt(hostileMs / 1000)} s`,
    );
    await closeAll(honest);
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function slow(): Promise<void> {
  const test = "slow";
  const MB = 1024 * 1024;
  console.log(
    `\n[slow] 20 members + 1 that stops reading; 5 senders, 200 msg/s of ~2,000-char messages; 5 s normal, 20 s paused, then resumed`,
  );
  const server = await startDevServer({ config: CONFIG, vars: LOAD_VARS });
  try {
    const { runtime, proxy } = wranglerWorkerds(server.process.pid!);
    const url = `${server.wsUrl}/rooms/slow`;
    const tracker = new Tracker();
    tracker.padding = ` ${"p".repeat(1950)}`;
    const members = Array.from({ length: 20 }, (_, i) => new LoadClient({ url, name: `s${i}`, tracker }));
    const slowpoke = new LoadClient({ url, name: "slowpoke", tracker });
    await joinAll([...members, slowpoke], 21);
    await settle(300);
    const senders = members.slice(0, 5).map((c) => tracker.addSender(c, 100_000, 21));
    const rss = () => ({ runtime: runtime ? rssBytes(runtime) : NaN, proxy: proxy ? rssBytes(proxy) : NaN });
    const rss0 = rss();
    const streaming = stream(tracker, senders, 200);

    await sleep(5000);
    const normal = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]);
    const mark = tracker.latencies.length;
    const slowBefore = slowpoke.delivered;
    const rssPause = rss();
    (slowpoke.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const samples: { t: number; runtimeMB: number; proxyMB: number }[] = [];
    for (let t = 0; t < 20; t++) {
      await sleep(1000);
      const r = rss();
      samples.push({ t: t + 1, runtimeMB: r.runtime / MB, proxyMB: r.proxy / MB });
    }
    const paused = quantiles(tracker.latencies.values().subarray(mark), [0.5, 0.99, 1]);
    const slowDuringPause = slowpoke.delivered - slowBefore;
    (slowpoke.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await streaming.stop();
    const sent = tracker.sent;
    const caughtUp = await waitFor(() => slowpoke.closed || slowpoke.delivered === sent, 30_000);
    await waitFor(() => members.every((c) => c.delivered === sent), 10_000);
    const rss1 = rss();

    const othersLost = members.reduce((sum, c) => sum + (sent - c.delivered), 0);
    check(
      test,
      "the other members lost nothing",
      othersLost === 0 && tracker.duplicates === 0 && tracker.reordered === 0,
      `${sent} sent; lost ${othersLost}, duplicates ${tracker.duplicates}, reordered ${tracker.reordered}`,
    );
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
    console.log(
      `        slow member: received ${slowDuringPause} while paused, closed=${slowpoke.closed}${slowpoke.closed ? ` (code ${slowpoke.closeCode})` : ""}, ` +
        `after resuming received ${slowpoke.delivered}/${sent}${caughtUp ? "" : " (did not catch up within 30 s)"}`,
    );
    check(
      test,
      "the others are not held back by the paused member (p99 while paused <= 3x before, or <= 50 ms)",
      paused[1]! <= Math.max(3 * normal[1]!, 50),
      `x${fmt(slowedBy, 2)}`,
    );
    measurements.slow = {
      messageChars: 1950 + 20,
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
      },
      bytesSentToSlowWhilePaused: Math.round(20 * 200 * 2000),
    };
    await closeAll([...members, slowpoke]);
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

const tests: Record<string, () => Promise<void>> = {
  drops,
  restart,
  hostile,
  slow,
  reads: () => reads(CONFIG),
  crowd: () => crowd(CONFIG),
  churn: () => churn(CONFIG),
  history: () => historyAbuse(CONFIG),
  lurkers: () => lurkers(CONFIG),
  tokens: () => tokens(CONFIG),
  squatting: () => squatting(CONFIG),
  joinbudget: () => joinBudget(CONFIG),
  compression: () => compression(CONFIG),
  unanswered: () => unanswered(CONFIG),
};
const started = new Date();
for (const [name, run] of Object.entries(tests)) {
  if (only && !only.includes(name)) continue;
  const t0 = now();
  try {
    await run();
  } catch (error) {
    check(name, "test ran to the end", false, String(error instanceof Error ? error.stack : error).slice(0, 500));
  }
  console.log(`  (${name}: ${fmt((now() - t0) / 1000)} s)`);
}
snapshot.dispose();
const failed = checks.filter((c) => !c.pass);
console.log(
  `\n${checks.length - failed.length}/${checks.length} checks passed${failed.length ? `; FAILED: ${failed.map((c) => `${c.test}: ${c.check}`).join("; ")}` : ""}`,
);
const out = options.out ?? join(BENCH_DIR, "results", `faults-${started.toISOString().replace(/[:.]/g, "-")}.json`);
mkdirSync(join(out, ".."), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    { startedAt: started.toISOString(), finishedAt: new Date().toISOString(), checks, measurements },
    null,
    2,
  ),
);
console.log(`wrote ${out}`);
process.exit(failed.length ? 1 : 0);
