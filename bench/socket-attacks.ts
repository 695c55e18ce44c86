// The fault suite's attacks on the socket itself (issue 20), each against its own `wrangler dev` at the default
// settings while two honest members chat: compression bombs, and sockets that never answer the room's close.
// faults.ts runs them with the other tests. The attackers use the raw client (tools/raw-websocket.ts), which does
// what a client library will not.

import { type DevServer, startDevServer } from "../tools/dev-server.ts";
import { deflateBomb, openRaw, type RawSocket } from "../tools/raw-websocket.ts";
import { check, measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LoadClient, nextAddress, now, Tracker } from "./lib/load.ts";
import { rssBytes, wranglerWorkerds } from "./lib/proc.ts";
import { fmt, quantiles, sleep } from "./lib/stats.ts";

const MB = 1024 * 1024;

/** Two members chatting at 4 msg/s in `room`, and what they must observe: nothing lost, a p99 under 100 ms. */
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
    /** Stops the chat and checks what the members observed; returns their round trips. */
    async stop(test: string): Promise<{ p50: number; p99: number; max: number; sent: number }> {
      await streaming.stop();
      await waitFor(() => honest.every((c) => c.delivered === tracker.sent), 10_000);
      const [p50, p99, max] = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]) as [number, number, number];
      check(
        test,
        "the honest members stayed, lost nothing and were refused nothing",
        honest.every((c) => !c.closed && c.errors === 0 && c.delivered === tracker.sent) &&
          tracker.duplicates === 0 &&
          tracker.reordered === 0,
        `${tracker.sent} sent; delivered ${honest.map((c) => c.delivered).join(", ")}; errors ${honest.map((c) => c.errors).join(", ")}`,
      );
      check(
        test,
        "their p99 round trip stays under 100 ms",
        p99 < 100,
        `p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms, max ${fmt(max)} ms`,
      );
      await closeAll(honest);
      return { p50, p99, max, sent: tracker.sent };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

export async function compression(config: string): Promise<void> {
  const test = "compression";
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
    const figures = await honest.stop(test);
    const after = rss();
    const closed = [...closes].map(([code, count]) => `${code}x${count}`).join(", ");
    check(test, "no connection negotiated compression", negotiated === 0, `${negotiated} of ${bombs} did`);
    check(
      test,
      "every bomb was refused unread by the runtime (1002), none inflated and refused as too big (1009)",
      bombs > 0 && closes.get(1002) === bombs,
      `${bombs} bombs; closes by code: ${closed}; ${refused} upgrades refused (429)`,
    );
    // What one object has in production; a bomb inflated would take a quarter of it. What is left is the cost of
    // the attackers' connections, each set up and torn down through the proxy, the Worker and the room.
    const mb = (sample: { runtime: number; proxy: number }) =>
      `${fmt(sample.runtime / MB)} + ${fmt(sample.proxy / MB)} MB`;
    check(
      test,
      "workerd's memory (runtime + proxy) grew by less than 128 MB",
      total(peak) - total(before) < 128 * MB,
      `RSS ${mb(before)} before, ${mb(peak)} at the peak, ${mb(after)} after`,
    );
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
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------

export async function unanswered(config: string): Promise<void> {
  const test = "unanswered";
  const ROUNDS = 3;
  const PER_ROUND = 20;
  const JOIN_TIMEOUT_SECONDS = 10;
  console.log(
    `\n[unanswered] one address opens ${PER_ROUND} connections that never join and never answer the room's close, ` +
      `${ROUNDS} rounds of the join timeout (${JOIN_TIMEOUT_SECONDS} s); MAX_CONNECTIONS_PER_ADDRESS is 20`,
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
      // Past the join timeout the room has closed them all; they answer nothing.
      await sleep((JOIN_TIMEOUT_SECONDS + 1) * 1000);
    }
    const held = sockets.filter((raw) => raw.endedAt === undefined).length;
    const closedByRoom = sockets.filter((raw) => raw.closeFrame?.code === 4008).length;
    const other = await openRaw(url, { address: nextAddress() });
    other.destroy();
    console.log(
      `        rounds: ${rounds.map((r, i) => `${i + 1}: ${r.accepted} accepted, ${r.refused} refused`).join("; ")}`,
    );
    check(
      test,
      "every connection the address opened was closed by the room at the join timeout (4008)",
      closedByRoom === sockets.length,
      `${closedByRoom} of ${sockets.length}`,
    );
    check(
      test,
      `the address holds at most ${PER_ROUND} sockets after ${ROUNDS} rounds: closed but unanswered ones still count`,
      held <= PER_ROUND && sockets.length <= PER_ROUND,
      `${held} still open, ${sockets.length} accepted in all`,
    );
    check(test, "another address still connects", other.status === 101, `status ${other.status}`);

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
    check(test, "once they answer, the address connects again", reopened, `status ${again?.status}`);
    const figures = await honest.stop(test);
    measurements.unanswered = {
      rounds,
      accepted: sockets.length,
      heldAfterRounds: held,
      closedByRoom,
      honest: { sent: figures.sent, latencyMs: { p50: figures.p50, p99: figures.p99, max: figures.max } },
    };
    for (const raw of sockets) raw.destroy();
  } finally {
    await server.dispose();
  }
}
