// CPU per delivery of the room against the durable floor behind the same front door, in many short alternating
// pairs: `npx tsx bench/cpu-pairs.ts [--pairs 16] [--seconds 2] [--rate 200] [--senders 20] [--members 100]`.
// Both servers run at once, each with one room of `--members` joined once; then, pair after pair, each server in
// turn (A B, then B A, …) takes `--seconds` of chat at `--rate` messages a second from `--senders` of its members,
// and the runtime workerd's CPU time (/proc) over that segment, up to its last delivery, is divided by the
// deliveries. A pair's two segments run seconds apart, so the machine's load, which on a shared machine moves more
// than the difference looked for, moves each pair's ratio less than it moves `npm run bench`'s rounds (each a
// minute or more, joins included). Prints each pair and the median ratio with its quartiles.

import { parseArgs } from "node:util";
import { type DevServer, startDevServer } from "../tools/dev-server.ts";
import { closeAll, joinAll, LOAD_VARS, LoadClient, now, settle } from "./lib/load.ts";
import { cpuMs, wranglerWorkerds } from "./lib/proc.ts";
import { snapshotProject } from "./lib/snapshot.ts";
import { fmt, median, quantiles, sleep } from "./lib/stats.ts";

const { values: options } = parseArgs({
  options: {
    pairs: { type: "string", default: "16" },
    seconds: { type: "string", default: "2" },
    rate: { type: "string", default: "200" },
    senders: { type: "string", default: "20" },
    members: { type: "string", default: "100" },
    "exp-config": { type: "string" },
  },
});
const pairs = Number(options.pairs);
const seconds = Number(options.seconds);
const rate = Number(options.rate);
const members = Number(options.members);
const senderCount = Math.min(members, Number(options.senders));

interface Side {
  label: string;
  server: DevServer;
  clients: LoadClient[];
  cpuPerK: number[];
}

const snapshot = snapshotProject();
const configs: [string, string][] = [
  // --exp-config: a proposed change of the room (a copy elsewhere) in place of the room as it is.
  ["ours", options["exp-config"] ?? snapshot.withoutAssets],
  ["durable-door", snapshot.durableDoor],
];
const sides: Side[] = [];
try {
  for (const [label, config] of configs) {
    const server = await startDevServer({ vars: LOAD_VARS, config });
    const url = `${server.wsUrl}/rooms/pairs`;
    const clients = Array.from({ length: members }, (_, i) => new LoadClient({ url, name: `p${i}` }));
    sides.push({ label, server, clients, cpuPerK: [] });
    await joinAll(clients, 20);
  }
  await settle(500);
  console.log(
    `cpu-pairs: ${pairs} pairs of ${seconds} s at ${rate} msg/s from ${senderCount} of ${members} members ` +
      `(${fmt(rate * members, 0)} deliveries/s)`,
  );
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) side.cpuPerK.push(await segment(side));
    const [ours, door] = sides.map((side) => side.cpuPerK.at(-1)!);
    console.log(
      `  pair ${pair + 1}: ${sides[0]!.label} ${fmt(ours!)} ms, ${sides[1]!.label} ${fmt(door!)} ms per 1,000 ` +
        `deliveries: ${fmt(ours! / door!, 3)}`,
    );
  }
  const ratios = sides[0]!.cpuPerK.map((x, i) => x / sides[1]!.cpuPerK[i]!);
  const [low, high] = quantiles(ratios, [0.25, 0.75]);
  console.log(
    `\n${sides[0]!.label} / ${sides[1]!.label}, runtime CPU per delivery: median ${fmt(median(ratios), 3)} ` +
      `(quartiles ${fmt(low!, 3)}–${fmt(high!, 3)}); CPU ms per 1,000 ` +
      `deliveries, median: ${sides.map((s) => `${s.label} ${fmt(median(s.cpuPerK))}`).join(", ")}`,
  );
} finally {
  for (const side of sides) {
    await closeAll(side.clients);
    await side.server.dispose();
  }
  snapshot.dispose();
}

/** One segment of chat on one server: the runtime's CPU ms per 1,000 deliveries. */
async function segment(side: Side): Promise<number> {
  const { runtime } = wranglerWorkerds(side.server.process.pid!);
  if (!runtime) throw new Error(`no runtime workerd for ${side.label}`);
  await sleep(300);
  const senders = side.clients.slice(0, senderCount);
  const received = () => side.clients.reduce((sum, client) => sum + client.chats, 0);
  const planned = Math.round(rate * seconds);
  const expected = received() + planned * members;
  const cpuBefore = cpuMs(runtime);
  const deliveredBefore = received();
  const started = now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(planned, Math.floor(((now() - started) * rate) / 1000) + 1);
      for (; sent < due; sent++) senders[sent % senders.length]!.sendChat(`segment message ${sent}`);
      if (sent >= planned) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  // Until every delivery arrived, or none for a second.
  let last = received();
  let lastAt = now();
  while (received() < expected && now() - lastAt < 1000) {
    await sleep(10);
    if (received() !== last) [last, lastAt] = [received(), now()];
  }
  const delivered = received() - deliveredBefore;
  if (delivered < planned * members)
    console.log(`  ${side.label}: ${planned * members - delivered} deliveries missing`);
  return ((cpuMs(runtime) - cpuBefore) / delivered) * 1000;
}
