// The fault suite's attacks on the socket itself (issue 20), each against its own `wrangler dev` at the default
// settings while two honest members chat: compression bombs, and sockets that never answer the room's close.
// socket-attacks.test.ts checks what they observe. The attackers use the raw client (tools/raw-websocket.ts), which
// does what a client library will not.

import { type DevServer, startDevServer } from "../tools/dev-server.ts";
import { deflateBomb, openRaw, type RawSocket } from "../tools/raw-websocket.ts";
import { measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LoadClient, nextAddress, now, Tracker } from "./lib/load.ts";
import { rssBytes, wranglerWorkerds } from "./lib/proc.ts";
import { type RoomSettings, roomSettings } from "./lib/room-settings.ts";
import { fmt, quantiles, sleep } from "./lib/stats.ts";

const MB = 1024 * 1024;

/** What the two honest members observed: nothing lost, nothing refused, and their round trips. */
export interface HonestPair {
  sent: number;
  stayed: boolean;
  delivered: number[];
  errors: number[];
  duplicates: number;
  reordered: number;
  p50: number;
  p99: number;
  max: number;
}

/** Two members chatting at 4 msg/s in `room`; `stop` ends their chat and tells what they observed. */
async function honestMembers(server: DevServer, room: string) {
  const tracker = new Tracker();
  const honest = ["ann", "ben"].map((name) => new LoadClient({ url: `${server.wsUrl}/rooms/${room}`, name, tracker }));
  await joinAll(honest, 2);
  const streaming = stream(
    tracker,
    honest.map((c) => tracker.addSender(c, 1000, 2)),
    4,
  );
  return {
    async stop(): Promise<HonestPair> {
      await streaming.stop();
      await waitFor(() => honest.every((c) => c.delivered === tracker.sent), 10_000);
      const [p50, p99, max] = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]) as [number, number, number];
      const figures = {
        sent: tracker.sent,
        stayed: honest.every((c) => !c.closed),
        delivered: honest.map((c) => c.delivered),
        errors: honest.map((c) => c.errors),
        duplicates: tracker.duplicates,
        reordered: tracker.reordered,
        p50,
        p99,
        max,
      };
      await closeAll(honest);
      return figures;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

export interface Compression {
  bombs: number;
  bombBytes: number;
  inflatesTo: number;
  negotiated: number;
  /** Upgrades refused (429), and the bombs' connections by close code. */
  refused: number;
  closes: Record<number, number>;
  /** workerd's RSS, runtime and proxy, before the attack, at its peak, after. */
  rss: Record<"before" | "peak" | "after", { runtime: number; proxy: number }>;
  honest: HonestPair;
}

export async function compression(config: string): Promise<Compression> {
  const ATTACKERS = 20;
  const BOMBS_EACH = 10;
  const INFLATED = 31 * MB;
  const bomb = deflateBomb(INFLATED);
  console.log(
    `\n[compression] ${ATTACKERS} attackers, each from its own address, send ${BOMBS_EACH} frames of ${fmt(bomb.length / 1024)} KB ` +
      `that inflate to ${INFLATED / MB} MiB (compression bit set, offered or not), one a second, each on a new connection`,
  );
  const server = await startDevServer({ config });
  try {
    const { runtime, proxy } = wranglerWorkerds(server.process.pid!);
    const rss = () => ({ runtime: runtime ? rssBytes(runtime) : NaN, proxy: proxy ? rssBytes(proxy) : NaN });
    const total = ({ runtime, proxy }: { runtime: number; proxy: number }) => runtime + proxy;
    const honest = await honestMembers(server, "bombed");
    await sleep(1000);
    const before = rss();
    let peak = before;
    const sampler = setInterval(() => {
      const sample = rss();
      if (total(sample) > total(peak)) peak = sample;
    }, 100);
    const url = `${server.wsUrl}/rooms/bombed`;
    const closes = new Map<number, number>();
    let bombs = 0;
    let negotiated = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: ATTACKERS }, async () => {
        const address = nextAddress();
        for (let i = 0; i < BOMBS_EACH; i++) {
          const started = now();
          const raw = await openRaw(url, { address, offerDeflate: true, answerClose: true });
          if (raw.status === 101) {
            if (raw.extensions.includes("permessage-deflate")) negotiated++;
            raw.send(bomb, { compressed: true });
            bombs++;
            await waitFor(() => raw.closeFrame !== undefined || raw.endedAt !== undefined, 10_000);
            const code = raw.closeFrame?.code ?? 1006;
            closes.set(code, (closes.get(code) ?? 0) + 1);
            raw.destroy();
          } else refused++;
          await sleep(started + 1000 - now());
        }
      }),
    );
    clearInterval(sampler);
    const figures = await honest.stop();
    const after = rss();
    console.log(
      `        honest round trip during the attack: p50 ${fmt(figures.p50)} ms, p99 ${fmt(figures.p99)} ms, max ${fmt(figures.max)} ms`,
    );
    measurements.compression = {
      attackers: ATTACKERS,
      bombsEach: BOMBS_EACH,
      bombBytes: bomb.length,
      inflatesTo: INFLATED,
      bombs,
      negotiated,
      refused,
      closes: Object.fromEntries(closes),
      rssMB: Object.fromEntries(
        Object.entries({ before, peak, after }).map(([when, sample]) => [
          when,
          { runtime: sample.runtime / MB, proxy: sample.proxy / MB },
        ]),
      ),
      honest: { sent: figures.sent, latencyMs: { p50: figures.p50, p99: figures.p99, max: figures.max } },
    };
    return {
      bombs,
      bombBytes: bomb.length,
      inflatesTo: INFLATED,
      negotiated,
      refused,
      closes: Object.fromEntries(closes),
      rss: { before, peak, after },
      honest: figures,
    };
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface Unanswered {
  settings: RoomSettings;
  rounds: { accepted: number; refused: number }[];
  /** Connections the address was let open in all, those still open after the rounds, those the room closed (4008). */
  accepted: number;
  held: number;
  closedByRoom: number;
  /** The status another address got, and whether the address connected again once it answered its closes. */
  otherStatus: number;
  reopened: boolean;
  reopenStatus: number | undefined;
  honest: HonestPair;
}

export async function unanswered(config: string): Promise<Unanswered> {
  const ROUNDS = 3;
  const settings = roomSettings(config);
  // As many as one address may hold, every round.
  const PER_ROUND = settings.maxConnectionsPerAddress;
  const timeout = settings.joinTimeoutMs;
  console.log(
    `\n[unanswered] one address opens ${PER_ROUND} connections that never join and never answer the room's close, ` +
      `${ROUNDS} rounds of the join timeout (${timeout / 1000} s); MAX_CONNECTIONS_PER_ADDRESS is ${PER_ROUND}`,
  );
  const server = await startDevServer({ config });
  try {
    const honest = await honestMembers(server, "unanswered");
    const url = `${server.wsUrl}/rooms/unanswered`;
    const address = nextAddress();
    const sockets: RawSocket[] = [];
    const rounds: { accepted: number; refused: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let accepted = 0;
      let refused = 0;
      for (let i = 0; i < PER_ROUND; i++) {
        const raw = await openRaw(url, { address });
        if (raw.status === 101) {
          sockets.push(raw);
          accepted++;
        } else refused++;
      }
      rounds.push({ accepted, refused });
      // Past the join timeout (and a tenth more) the room has closed them all; they answer nothing.
      await sleep(1.1 * timeout);
    }
    const held = sockets.filter((raw) => raw.endedAt === undefined).length;
    const closedByRoom = sockets.filter((raw) => raw.closeFrame?.code === 4008).length;
    const other = await openRaw(url, { address: nextAddress() });
    other.destroy();
    console.log(
      `        rounds: ${rounds.map((r, i) => `${i + 1}: ${r.accepted} accepted, ${r.refused} refused`).join("; ")}`,
    );
    // Answered at last: the runtime reports them gone, and the address may connect again.
    for (const raw of sockets) raw.close(1000);
    let again: RawSocket | undefined;
    const reopened = await (async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        again = await openRaw(url, { address });
        again.destroy();
        if (again.status === 101) return true;
        await sleep(500);
      }
      return false;
    })();
    const figures = await honest.stop();
    measurements.unanswered = {
      rounds,
      accepted: sockets.length,
      heldAfterRounds: held,
      closedByRoom,
      honest: { sent: figures.sent, latencyMs: { p50: figures.p50, p99: figures.p99, max: figures.max } },
    };
    for (const raw of sockets) raw.destroy();
    return {
      settings,
      rounds,
      accepted: sockets.length,
      held,
      closedByRoom,
      otherStatus: other.status,
      reopened,
      reopenStatus: again?.status,
      honest: figures,
    };
  } finally {
    await server.dispose();
  }
}
