// The runtime's processes, read from /proc: which workerd serves a `wrangler dev`, how much memory and CPU it uses.

import { readdirSync, readFileSync } from "node:fs";

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm is in parentheses and may contain spaces.
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    return { pid, ppid: Number(fields[1]), comm };
  } catch {
    return undefined;
  }
}

/** Every descendant of `root` (children, grandchildren, …). */
export function descendants(root: number): ProcInfo[] {
  const all: ProcInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info) all.push(info);
  }
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of all) {
    const list = byParent.get(p.ppid) ?? [];
    list.push(p);
    byParent.set(p.ppid, list);
  }
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Resident memory in bytes (VmRSS), or 0 if the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const TICKS_PER_SECOND = 100;

/** User + system CPU time in milliseconds, or 0 if the process is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The workerd processes under a wrangler process. */
export function workerdPids(wranglerPid: number): number[] {
  return descendants(wranglerPid)
    .filter((p) => p.comm.startsWith("workerd"))
    .map((p) => p.pid);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/**
 * The two workerd processes of `wrangler dev` (wrangler 4): `runtime` runs the Worker and its Durable Objects (it
 * is the one started with an inspector address); `proxy` owns the public port and forwards every request and
 * WebSocket frame to it.
 */
export function wranglerWorkerds(wranglerPid: number): { runtime?: number; proxy?: number } {
  const pids = workerdPids(wranglerPid);
  const runtime = pids.find((pid) => cmdline(pid).includes("--inspector-addr")) ?? pids[pids.length - 1];
  const proxy = pids.find((pid) => pid !== runtime);
  return { runtime, proxy };
}
