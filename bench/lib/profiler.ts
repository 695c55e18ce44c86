// A CPU profile of the Worker's isolate under `wrangler dev`, through wrangler's inspector port: every Durable
// Object of the server runs in that one isolate, so the profile sees them all, and `attribute` tells them apart.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import type { DevServer } from "../../tools/dev-server.ts";

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Starts sampling the server's isolate every 200 µs; `stop` ends it and returns the profile. */
export async function startProfiler(server: DevServer): Promise<{ stop(): Promise<Profile> }> {
  const args = server.process.spawnargs;
  const inspectorPort = args[args.indexOf("--inspector-port") + 1];
  // Wrangler's inspector proxy lists the Worker once it has run; the startup probe has run it already.
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const inspector = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    inspector.once("open", resolve);
    inspector.once("error", reject);
  });
  let nextId = 0;
  const pending = new Map<number, (result: any) => void>();
  inspector.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? message.error);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<any>((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      inspector.send(JSON.stringify({ id, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  await call("Profiler.start");
  return {
    async stop() {
      const { profile } = (await call("Profiler.stop")) as { profile: Profile };
      inspector.close();
      return profile;
    },
  };
}

/**
 * The bundle `wrangler dev` serves from `dir` (a snapshot), as line ranges per source file: esbuild marks where
 * each module starts (`// src/server/shards/shard.ts`).
 */
export function bundleModules(dir: string): (line: number) => string | undefined {
  const tmp = join(dir, ".wrangler", "tmp");
  const newest = readdirSync(tmp)
    .filter((name) => name.startsWith("dev-"))
    .map((name) => join(tmp, name, "index.js"))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) throw new Error(`no bundle under ${tmp}`);
  const starts: [number, string][] = [];
  readFileSync(newest, "utf8")
    .split("\n")
    .forEach((text, line) => {
      const marker = /^\/\/ (src\/\S+\.ts)$/.exec(text);
      if (marker) starts.push([line, marker[1]!]);
    });
  return (line) => {
    let module: string | undefined;
    for (const [start, name] of starts) if (start <= line) module = name;
    return module;
  };
}

/**
 * Self time of the profile, in ms, per owner: each sample goes to the owner of the nearest frame on its stack whose
 * module has one (`owners`: module → owner); samples with none go to "other" (the runtime outside our code, GC).
 */
export function attribute(
  profile: Profile,
  moduleAt: (line: number) => string | undefined,
  owners: Record<string, string>,
): Record<string, number> {
  const parent = new Map<number, ProfileNode>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const ownerOf = new Map<number, string>();
  const owner = (node: ProfileNode): string => {
    const known = ownerOf.get(node.id);
    if (known) return known;
    const module = node.callFrame.url ? moduleAt(node.callFrame.lineNumber) : undefined;
    const up = parent.get(node.id);
    const found = (module && owners[module]) ?? (up ? owner(up) : "other");
    ownerOf.set(node.id, found);
    return found;
  };
  const totals: Record<string, number> = {};
  profile.samples.forEach((id, index) => {
    const node = byId.get(id)!;
    if (["(idle)", "(program)", "(garbage collector)"].includes(node.callFrame.functionName)) return;
    const key = owner(node);
    totals[key] = (totals[key] ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000;
  });
  return totals;
}
