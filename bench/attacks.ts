// The fault suite's attacks from the open internet (issue 8), each against its own `wrangler dev` at the default
// settings, each printing the figures that show it is held off. faults.ts runs them with the other tests.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { startDevServer } from "../tools/dev-server.ts";
import { openRaw, type RawSocket } from "../tools/raw-websocket.ts";
import { check, measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LoadClient, nextAddress, now, Tracker } from "./lib/load.ts";
import { rssBytes, wranglerWorkerds } from "./lib/proc.ts";
import { fmt, quantiles, sleep } from "./lib/stats.ts";

const MB = 1024 * 1024;

/** Runs `task` over `items` with at most `concurrency` under way. */
async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

/**
 * The rooms' SQLite files under a `--persist-to` directory: how many (databases, and with their -wal and -shm files,
 * which come and go as the runtime opens and closes a database), what they weigh, and how many databases hold a
 * table of ours. Locally the runtime gives every object it instantiates a database, and writes a table of its own
 * into it (`__miniflare_do_name`), so files alone prove nothing; our tables' definitions, in the database or its
 * write-ahead log, do.
 */
export function roomFiles(dir: string): { files: number; databases: number; bytes: number; withOurTables: number } {
  let files = 0;
  let databases = 0;
  let bytes = 0;
  let withOurTables = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      if (!entry.isFile() || !full.includes("ChatRoom") || !/\.sqlite(-wal|-shm)?$/.test(entry.name)) continue;
      files++;
      // A -shm or -wal file may vanish as the runtime closes a database.
      bytes += statSync(full, { throwIfNoEntry: false })?.size ?? 0;
      if (!entry.name.endsWith(".sqlite")) continue;
      databases++;
      const text = [full, `${full}-wal`].map((file) => readIfThere(file)).join("");
      if (/CREATE TABLE[^(]*\bmessages\b/.test(text)) withOurTables++;
    }
  };
  walk(dir);
  return { files, databases, bytes, withOurTables };
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file).toString("latin1");
  } catch {
    return "";
  }
}

/** Opens a WebSocket from `address` and resolves once it is open (or with the HTTP status that refused it). */
function open(url: string, address: string): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers: { "CF-Connecting-IP": address } });
    ws.on("open", () => resolve({ ws }));
    ws.on("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
    });
    ws.on("error", () => resolve({ status: 0 }));
  });
}

// ---------------------------------------------------------------------------------------------------------------

export async function reads(config: string): Promise<void> {
  const test = "reads";
  const READS = 5000;
  console.log(`\n[reads] ${READS} GETs of /api/rooms/<new name>, and 500 upgrades to new rooms that never join`);
  const server = await startDevServer({ config });
  try {
    const { runtime } = wranglerWorkerds(server.process.pid!);
    const rss0 = runtime ? rssBytes(runtime) : NaN;
    // A room that was used and still keeps history, to tell what a room with data weighs on disk.
    const used = new LoadClient({ url: `${server.wsUrl}/rooms/used`, name: "user" });
    await used.join();
    used.sendChat("kept");
    await sleep(300);
    await used.close();

    const started = now();
    let empty = 0;
    await pool(
      Array.from({ length: READS }, (_, i) => i),
      20,
      async (i) => {
        const info = (await (await fetch(`${server.httpUrl}/api/rooms/looked-at-${i}`)).json()) as {
          members: unknown[];
          lastSeq: number;
        };
        if (info.members.length === 0 && info.lastSeq === 0) empty++;
      },
    );
    const readsMs = now() - started;
    await pool(
      Array.from({ length: 500 }, (_, i) => i),
      20,
      async (i) => {
        const { ws } = await open(`${server.wsUrl}/rooms/lurked-${i}`, nextAddress());
        ws?.close(1000);
      },
    );
    await sleep(2000);
    const rss1 = runtime ? rssBytes(runtime) : NaN;
    const files = roomFiles(server.persistTo);
    check(
      test,
      "every room looked at reports itself empty",
      empty === READS,
      `${empty}/${READS} in ${fmt(readsMs / 1000)} s`,
    );
    check(
      test,
      "reads and unjoined connections leave no room holding a table of ours (the one used room does)",
      files.withOurTables === 1,
      `${files.withOurTables} of ${READS + 501} rooms hold our tables; the runtime's own files: ${files.files}, ${fmt(files.bytes / MB, 2)} MB`,
    );
    // Instantiated objects stay in memory until evicted, idle, about 10 s later.
    await sleep(15_000);
    const rss2 = runtime ? rssBytes(runtime) : NaN;
    console.log(
      `        workerd runtime RSS ${fmt(rss0 / MB)} MB before, ${fmt(rss1 / MB)} MB right after, ${fmt(rss2 / MB)} MB 15 s later`,
    );
    measurements.reads = {
      reads: READS,
      readsMs,
      files: files.files,
      bytes: files.bytes,
      withOurTables: files.withOurTables,
      rssMB: { before: rss0 / MB, after: rss1 / MB, idle: rss2 / MB },
    };
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export async function crowd(config: string): Promise<void> {
  const test = "crowd";
  const FLOODERS = 60;
  console.log(
    `\n[crowd] ${FLOODERS} connections, each from its own address, at 5 msg/s (their own limit) for 10 s; 2 members chat at 2 msg/s`,
  );
  const server = await startDevServer({ config });
  try {
    const url = `${server.wsUrl}/rooms/crowd`;
    const tracker = new Tracker();
    const honest = ["ann", "ben"].map((name) => new LoadClient({ url, name, tracker, keepSeqs: true }));
    await joinAll(honest, 2);
    const flooders = Array.from({ length: FLOODERS }, (_, i) => new LoadClient({ url, name: `flooder${i}` }));
    await joinAll(flooders, 10);
    const senders = honest.map((c) => tracker.addSender(c, 20, 2));
    const streaming = stream(tracker, senders, 4);
    const started = now();
    let offered = 0;
    const flood = setInterval(() => {
      for (const flooder of flooders) flooder.sendChat(`flood ${offered++}`);
    }, 200);
    await sleep(10_000);
    await streaming.stop();
    clearInterval(flood);
    const floodMs = now() - started;
    await waitFor(() => honest.every((c) => c.delivered === tracker.sent), 10_000);
    const [p50, p99, max] = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]);
    const admitted = honest[0]!.chats - honest[0]!.delivered;
    const busy = flooders.reduce((sum, f) => sum + (f.errorCodes.get("room_busy") ?? 0), 0);
    check(
      test,
      "the honest members lost nothing and were refused nothing",
      honest.every((c) => c.delivered === tracker.sent && c.errors === 0) &&
        tracker.duplicates === 0 &&
        tracker.reordered === 0,
      `${tracker.sent} sent; delivered ${honest.map((c) => c.delivered).join(", ")}; errors ${honest.map((c) => c.errors).join(", ")}`,
    );
    check(
      test,
      "their p99 round trip stays under 100 ms",
      p99! < 100,
      `p50 ${fmt(p50!)} ms, p99 ${fmt(p99!)} ms, max ${fmt(max!)} ms`,
    );
    check(
      test,
      "the room held the flood near its budget of 200 msg/s, refusing the flooders (room_busy)",
      admitted / (floodMs / 1000) < 260 && busy > 0,
      `${offered} flood messages offered (${fmt(offered / (floodMs / 1000))}/s), ${admitted} admitted (${fmt(admitted / (floodMs / 1000))}/s); room_busy answers ${busy}`,
    );
    measurements.crowd = {
      flooders: FLOODERS,
      offered,
      admitted,
      floodMs,
      roomBusyAnswers: busy,
      honest: { sent: tracker.sent, latencyMs: { p50, p99, max } },
    };
    await closeAll([...honest, ...flooders]);
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export async function churn(config: string): Promise<void> {
  const test = "churn";
  const SECONDS = 5;
  console.log(
    `\n[churn] connect-join-terminate at 160/s for ${SECONDS} s: first from one address, then from a new address each time`,
  );
  const server = await startDevServer({ config });
  try {
    const url = `${server.wsUrl}/rooms/churn`;
    const observer = new LoadClient({ url, name: "observer" });
    await observer.join();
    const figures: Record<
      string,
      { tried: number; refusedByWorker: number; joined: number; roomBusy: number; presenceFramesPerSecond: number }
    > = {};
    for (const [phase, addressOf] of [
      ["one address", () => "198.51.100.1"],
      ["many addresses", nextAddress],
    ] as const) {
      const framesBefore = observer.frames;
      let tried = 0;
      let refusedByWorker = 0;
      let joined = 0;
      let roomBusy = 0;
      const attempts: Promise<void>[] = [];
      const started = now();
      while (now() - started < SECONDS * 1000) {
        tried++;
        attempts.push(
          (async () => {
            const { ws, status } = await open(url, addressOf());
            if (!ws) {
              if (status === 429) refusedByWorker++;
              return;
            }
            ws.on("message", (data: Buffer) => {
              const packet = JSON.parse(data.toString());
              if (packet.type === "welcome") joined++;
              if (packet.code === "room_busy") roomBusy++;
              ws.terminate();
            });
            ws.send(JSON.stringify({ type: "join", name: `churn${tried}` }));
          })(),
        );
        await sleep(1000 / 160);
      }
      await Promise.all(attempts);
      await sleep(500);
      const seconds = (now() - started) / 1000;
      const presenceFramesPerSecond = (observer.frames - framesBefore) / seconds;
      figures[phase] = { tried, refusedByWorker, joined, roomBusy, presenceFramesPerSecond };
      console.log(
        `        ${phase}: ${tried} tried, ${refusedByWorker} refused by the Worker (429), ${joined} joined, ${roomBusy} told room_busy; the observer got ${fmt(presenceFramesPerSecond)} presence frames/s`,
      );
    }
    const one = figures["one address"]!;
    const many = figures["many addresses"]!;
    check(
      test,
      "one address is refused by the Worker past 60 upgrades per 10 s",
      one.refusedByWorker > 0 && one.joined <= 120,
      `${one.refusedByWorker} of ${one.tried} refused; ${one.joined} joined`,
    );
    check(
      test,
      "many addresses are held to the room's 20 joins/s (after a burst of 100)",
      many.joined <= 100 + 20 * SECONDS + 20 && many.roomBusy > 0,
      `${many.joined} of ${many.tried} joined; ${many.roomBusy} told room_busy`,
    );
    // Joins and leaves go out in separate batches, each at most once per 50 ms window: 40 frames/s at most, and
    // fewer, as a member that leaves before its join went out is never announced.
    check(
      test,
      "a member hears at most 40 presence frames/s",
      many.presenceFramesPerSecond <= 41 && one.presenceFramesPerSecond <= 41,
      `${fmt(one.presenceFramesPerSecond)} and ${fmt(many.presenceFramesPerSecond)} frames/s`,
    );
    measurements.churn = figures;
    await observer.close();
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export async function historyAbuse(config: string): Promise<void> {
  const test = "history";
  const SECONDS = 15;
  console.log(
    `\n[history] a room of 200 messages of 2,000 chars; 5 connections ask for pages of 200 as fast as answers come, for ${SECONDS} s`,
  );
  const server = await startDevServer({ config });
  try {
    const url = `${server.wsUrl}/rooms/heavy`;
    const seeders = Array.from({ length: 20 }, (_, i) => new LoadClient({ url, name: `seed${i}` }));
    await joinAll(seeders, 10);
    for (let round = 0; round < 10; round++) {
      for (const seeder of seeders) seeder.sendChat(`${round}`.padEnd(2000, "x"));
      await sleep(300);
    }
    await sleep(500);
    const lastSeq = seeders[0]!.chats;
    await closeAll(seeders);

    const tracker = new Tracker();
    const honest = ["ann", "ben"].map((name) => new LoadClient({ url, name, tracker }));
    await joinAll(honest, 2);
    const streaming = stream(
      tracker,
      honest.map((c) => tracker.addSender(c, 30, 2)),
      4,
    );
    let bytes = 0;
    let pages = 0;
    let refused = 0;
    const abusers = await Promise.all(Array.from({ length: 5 }, async () => (await open(url, nextAddress())).ws!));
    const started = now();
    await Promise.all(
      abusers.map(
        (ws, i) =>
          new Promise<void>((resolve) => {
            // A refusal is answered once a second: one that is not leaves this greedy client waiting for an answer that
            // never comes. It stops at the end of the test's time whatever it waits for.
            setTimeout(resolve, SECONDS * 1000);
            const ask = () => {
              if (now() - started > SECONDS * 1000) return resolve();
              ws.send(JSON.stringify({ type: "history", before: lastSeq + 1, limit: 200 }));
            };
            ws.on("message", (data: Buffer) => {
              const packet = JSON.parse(data.toString());
              if (packet.type === "welcome") return ask();
              bytes += data.length;
              if (packet.type === "history") pages++;
              if (packet.code === "rate_limited") {
                refused++;
                // A greedy client: it waits just as long as it is told, then asks again.
                return void setTimeout(ask, packet.retryAfterMs);
              }
              ask();
            });
            ws.send(JSON.stringify({ type: "join", name: `abuser${i}` }));
          }),
      ),
    );
    const abuseMs = now() - started;
    await streaming.stop();
    await waitFor(() => honest.every((c) => c.delivered === tracker.sent), 10_000);
    const [p50, p99] = quantiles(tracker.latencies.values(), [0.5, 0.99]);
    check(
      test,
      "history served to the 5 abusers stays within what their rate limit pays for (< 10 MB in 15 s)",
      bytes < 10 * MB,
      `${fmt(bytes / MB, 2)} MB in ${pages} pages over ${fmt(abuseMs / 1000)} s (${fmt(bytes / MB / (abuseMs / 1000), 2)} MB/s); ${refused} rate_limited answers`,
    );
    check(
      test,
      "honest members lost nothing meanwhile",
      honest.every((c) => c.delivered === tracker.sent),
      `${tracker.sent} sent; p50 ${fmt(p50!)} ms, p99 ${fmt(p99!)} ms`,
    );
    measurements.history = {
      messages: lastSeq,
      bytesServed: bytes,
      pages,
      refused,
      abuseMs,
      honestLatencyMs: { p50, p99 },
    };
    for (const ws of abusers) ws.terminate();
    await closeAll(honest);
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export async function lurkers(config: string): Promise<void> {
  const test = "lurkers";
  const ADDRESSES = 100;
  const PER_ADDRESS = 20;
  const JOIN_TIMEOUT_SECONDS = 10;
  console.log(
    `\n[lurkers] ${ADDRESSES * PER_ADDRESS} connections (${PER_ADDRESS} from each of ${ADDRESSES} addresses) that never join; JOIN_TIMEOUT_SECONDS is ${JOIN_TIMEOUT_SECONDS}`,
  );
  const server = await startDevServer({ config });
  try {
    const url = `${server.wsUrl}/rooms/lurked`;
    const member = new LoadClient({ url, name: "member" });
    await member.join();
    // Raw sockets, which tell when the room's close frame arrives: a client library reports a close only once the
    // TCP connection ends, and the runtime ends that of a socket that never sent a frame only when it lets go of the
    // room (docs/protocol.md, closing codes). They answer the close, as any client does. The room's clock starts
    // between the upgrade's request and its answer: each close is timed from both.
    const lurking: { raw: RawSocket; requestedAt: number; openedAt: number }[] = [];
    let refused = 0;
    let extraAccepted = 0;
    // Address by address, each one's 21st right after its 20: all 20 are open then, however long the others take.
    await pool(
      Array.from({ length: ADDRESSES }, () => nextAddress()),
      3,
      async (address) => {
        await Promise.all(
          Array.from({ length: PER_ADDRESS }, async () => {
            const requestedAt = now();
            const raw = await openRaw(url, { address, answerClose: true });
            if (raw.status === 101) lurking.push({ raw, requestedAt, openedAt: now() });
            else refused++;
          }),
        );
        const extra = await openRaw(url, { address });
        if (extra.status === 101) extraAccepted++;
        extra.destroy();
      },
    );
    const info = async () =>
      (await (await fetch(`${server.httpUrl}/api/rooms/lurked`)).json()) as { connections: number; members: unknown[] };
    const held = (await info()).connections;
    await waitFor(() => lurking.every(({ raw }) => raw.closeFrame !== undefined), (JOIN_TIMEOUT_SECONDS + 5) * 1000);
    const closedWith4008 = lurking.filter(({ raw }) => raw.closeFrame?.code === 4008).length;
    const closed = lurking.filter(({ raw }) => raw.closeFrame);
    const [earliest] = quantiles(
      closed.map(({ raw, requestedAt }) => raw.closeFrame!.at - requestedAt),
      [0],
    ) as [number];
    const [median, latest] = quantiles(
      closed.map(({ raw, openedAt }) => raw.closeFrame!.at - openedAt),
      [0.5, 1],
    ) as [number, number];
    const timeout = JOIN_TIMEOUT_SECONDS * 1000;
    // The runtime reports each answered close to the room: then it stops counting the connection.
    let counted = await info();
    for (const deadline = now() + 5000; counted.connections > 1 && now() < deadline; counted = await info())
      await sleep(200);
    check(
      test,
      `a ${PER_ADDRESS + 1}st connection from an address is refused (429)`,
      extraAccepted === 0,
      `${extraAccepted} of ${ADDRESSES} addresses got a ${PER_ADDRESS + 1}st connection`,
    );
    check(
      test,
      `every connection that never joined is closed (4008) ${JOIN_TIMEOUT_SECONDS} s (± 1 s) after it opened`,
      closedWith4008 === lurking.length &&
        lurking.length === ADDRESSES * PER_ADDRESS &&
        earliest >= timeout - 1000 &&
        latest <= timeout + 1000,
      `${held} connections held at first; ${closedWith4008} of ${lurking.length} closed with 4008; the close came ` +
        `${fmt(earliest / 1000, 2)} s after the upgrade's request at the earliest, ${fmt(median / 1000, 2)} s after its answer at the median, ` +
        `${fmt(latest / 1000, 2)} s at the latest; ${refused} refused`,
    );
    check(
      test,
      "once their closes are answered, the room no longer counts them",
      counted.connections === 1 && counted.members.length === 1,
      `${counted.connections} connection(s), ${counted.members.length} member(s)`,
    );
    measurements.lurkers = {
      lurkers: lurking.length,
      held,
      extraAccepted,
      closedWith4008,
      closeFrameAfterMs: { earliest, median, latest },
      connectionsAfter: counted.connections,
    };
    for (const { raw } of lurking) raw.destroy();
    await member.close();
  } finally {
    await server.dispose();
  }
}
