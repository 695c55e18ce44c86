// The fault suite's attacks from the open internet (issue 8), each against its own `wrangler dev` at the default
// settings, each printing the figures that show it is held off and returning what it observed; attacks.test.ts
// checks it.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { startDevServer } from "../tools/dev-server.ts";
import { openRaw, type RawSocket } from "../tools/raw-websocket.ts";
import { measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LoadClient, nextAddress, now, Tracker } from "./lib/load.ts";
import { rssBytes, wranglerWorkerds } from "./lib/proc.ts";
import { type RoomSettings, roomSettings, upgradeLimit } from "./lib/room-settings.ts";
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

export interface Reads {
  reads: number;
  /** Rooms looked at that reported themselves empty. */
  empty: number;
  readsMs: number;
  /** Rooms touched in all: the reads, the unjoined upgrades and the one room used. */
  rooms: number;
  files: ReturnType<typeof roomFiles>;
}

export async function reads(config: string): Promise<Reads> {
  const READS = 5000;
  const UPGRADES = 500;
  console.log(
    `\n[reads] ${READS} GETs of /api/rooms/<new name>, and ${UPGRADES} upgrades to new rooms that never join`,
  );
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
        // Each from an address of its own, as many readers would: one address is held to READ_LIMIT.
        const look = await fetch(`${server.httpUrl}/api/rooms/looked-at-${i}`, {
          headers: { "CF-Connecting-IP": nextAddress() },
        });
        const info = (await look.json()) as {
          memberCount: number;
          lastSeq: number;
        };
        if (info.memberCount === 0 && info.lastSeq === 0) empty++;
      },
    );
    const readsMs = now() - started;
    await pool(
      Array.from({ length: UPGRADES }, (_, i) => i),
      20,
      async (i) => {
        const { ws } = await open(`${server.wsUrl}/rooms/lurked-${i}`, nextAddress());
        ws?.close(1000);
      },
    );
    await sleep(2000);
    const rss1 = runtime ? rssBytes(runtime) : NaN;
    const files = roomFiles(server.persistTo);
    // Instantiated objects stay in memory until the runtime evicts them once idle (some seconds: bench/README.md).
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
    return { reads: READS, empty, readsMs, rooms: READS + UPGRADES + 1, files };
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface Crowd {
  settings: RoomSettings;
  sent: number;
  honest: { delivered: number; errors: number }[];
  duplicates: number;
  reordered: number;
  latencyMs: { p50: number; p99: number; max: number };
  offered: number;
  admitted: number;
  floodMs: number;
  roomBusy: number;
}

export async function crowd(config: string): Promise<Crowd> {
  const FLOODERS = 60;
  console.log(
    `\n[crowd] ${FLOODERS} connections, each from its own address, at 5 msg/s (their own limit) for 10 s; 2 members chat at 2 msg/s`,
  );
  const settings = roomSettings(config);
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
    const [p50, p99, max] = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]) as [number, number, number];
    const admitted = honest[0]!.chats - honest[0]!.delivered;
    const busy = flooders.reduce((sum, f) => sum + (f.errorCodes.get("room_busy") ?? 0), 0);
    measurements.crowd = {
      flooders: FLOODERS,
      offered,
      admitted,
      floodMs,
      roomBusyAnswers: busy,
      honest: { sent: tracker.sent, latencyMs: { p50, p99, max } },
    };
    const observed: Crowd = {
      settings,
      sent: tracker.sent,
      honest: honest.map((c) => ({ delivered: c.delivered, errors: c.errors })),
      duplicates: tracker.duplicates,
      reordered: tracker.reordered,
      latencyMs: { p50, p99, max },
      offered,
      admitted,
      floodMs,
      roomBusy: busy,
    };
    await closeAll([...honest, ...flooders]);
    return observed;
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

interface ChurnPhase {
  tried: number;
  refusedByWorker: number;
  joined: number;
  roomBusy: number;
  presenceFramesPerSecond: number;
  /** Joins admitted per second: each newcomer's welcome first sends the leaves waiting (outbox.ts, flushBeforeWelcome). */
  joinedPerSecond: number;
}

export interface Churn {
  settings: RoomSettings;
  upgradeLimit: ReturnType<typeof upgradeLimit>;
  seconds: number;
  one: ChurnPhase;
  many: ChurnPhase;
}

export async function churn(config: string): Promise<Churn> {
  const SECONDS = 5;
  console.log(
    `\n[churn] connect-join-terminate at 160/s for ${SECONDS} s: first from one address, then from a new address each time`,
  );
  const settings = roomSettings(config);
  const server = await startDevServer({ config });
  try {
    const url = `${server.wsUrl}/rooms/churn`;
    const observer = new LoadClient({ url, name: "observer" });
    await observer.join();
    const figures: Record<string, ChurnPhase> = {};
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
      const joinedPerSecond = joined / seconds;
      figures[phase] = { tried, refusedByWorker, joined, roomBusy, presenceFramesPerSecond, joinedPerSecond };
      console.log(
        `        ${phase}: ${tried} tried, ${refusedByWorker} refused by the Worker (429), ${joined} joined, ${roomBusy} told room_busy; the observer got ${fmt(presenceFramesPerSecond)} presence frames/s`,
      );
    }
    measurements.churn = figures;
    await observer.close();
    return {
      settings,
      upgradeLimit: upgradeLimit(config),
      seconds: SECONDS,
      one: figures["one address"]!,
      many: figures["many addresses"]!,
    };
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface HistoryAbuse {
  settings: RoomSettings;
  abusers: number;
  /** Bytes of the history pages served to the abusers, and of everything they received besides their welcomes. */
  historyBytes: number;
  bytes: number;
  pages: number;
  refused: number;
  abuseMs: number;
  sent: number;
  honestDelivered: number[];
  latencyMs: { p50: number; p99: number };
}

export async function historyAbuse(config: string): Promise<HistoryAbuse> {
  const SECONDS = 15;
  const ABUSERS = 5;
  console.log(
    `\n[history] a room of 200 messages of 2,000 chars; ${ABUSERS} connections ask for pages of 200 as fast as answers come, for ${SECONDS} s`,
  );
  const settings = roomSettings(config);
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
    let historyBytes = 0;
    let pages = 0;
    let refused = 0;
    const abusers = await Promise.all(
      Array.from({ length: ABUSERS }, async () => (await open(url, nextAddress())).ws!),
    );
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
              if (packet.type === "history") {
                pages++;
                historyBytes += data.length;
              }
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
    const [p50, p99] = quantiles(tracker.latencies.values(), [0.5, 0.99]) as [number, number];
    measurements.history = {
      messages: lastSeq,
      bytesServed: bytes,
      historyBytes,
      pages,
      refused,
      abuseMs,
      honestLatencyMs: { p50, p99 },
    };
    const observed: HistoryAbuse = {
      settings,
      abusers: ABUSERS,
      historyBytes,
      bytes,
      pages,
      refused,
      abuseMs,
      sent: tracker.sent,
      honestDelivered: honest.map((c) => c.delivered),
      latencyMs: { p50, p99 },
    };
    for (const ws of abusers) ws.terminate();
    await closeAll(honest);
    return observed;
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface Lurkers {
  settings: RoomSettings;
  addresses: number;
  /** Connections that were let in, held before their closes, refused, and addresses let in one more. */
  lurking: number;
  held: number;
  refused: number;
  extraAccepted: number;
  closedWith4008: number;
  /** When the close frames came: the earliest from its upgrade's request, the median and latest from its answer. */
  closeFrameAfterMs: { earliest: number; median: number; latest: number };
  /** What the room counts once the closes are answered. */
  after: { connections: number; members: number };
}

export async function lurkers(config: string): Promise<Lurkers> {
  const ADDRESSES = 100;
  const settings = roomSettings(config);
  // Each address fills what it may hold, and tries one more.
  const PER_ADDRESS = settings.maxConnectionsPerAddress;
  const timeout = settings.joinTimeoutMs;
  console.log(
    `\n[lurkers] ${ADDRESSES * PER_ADDRESS} connections (${PER_ADDRESS} from each of ${ADDRESSES} addresses) that never join; JOIN_TIMEOUT_SECONDS is ${timeout / 1000}`,
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
    await waitFor(() => lurking.every(({ raw }) => raw.closeFrame !== undefined), 1.5 * timeout);
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
    // The runtime reports each answered close to the room: then it stops counting the connection.
    let counted = await info();
    for (const deadline = now() + 5000; counted.connections > 1 && now() < deadline; counted = await info())
      await sleep(200);
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
    return {
      settings,
      addresses: ADDRESSES,
      lurking: lurking.length,
      held,
      refused,
      extraAccepted,
      closedWith4008,
      closeFrameAfterMs: { earliest, median, latest },
      after: { connections: counted.connections, members: counted.members.length },
    };
  } finally {
    await server.dispose();
  }
}
