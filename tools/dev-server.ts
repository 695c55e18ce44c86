// Starts and stops a real `wrangler dev` on a free loopback port, for end-to-end tests, browser tests and the
// benchmarks. Each server keeps its Durable Object storage in its own directory, so a restart finds its history
// and runs never see each other's rooms.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export interface DevServerOptions {
  /** Wrangler config to run, from its own directory; the project's own by default. */
  config?: string;
  /** `[vars]` to override, e.g. `{ RATE_LIMIT_BURST: 1000 }`. */
  vars?: Record<string, string | number>;
  /** Port to listen on; a free one by default. A restarted server keeps its port. */
  port?: number;
  /** Storage directory; a new temporary one by default. A restarted server keeps its storage. */
  persistTo?: string;
  /**
   * What wrangler prints: "warn" by default (warnings and errors); "log" adds the Worker's `console.log` lines, where
   * the room's events are (docs/operations.md), for a test that reads them.
   */
  logLevel?: "warn" | "log";
}

export interface DevServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  httpUrl: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  persistTo: string;
  /** The wrangler process, e.g. to measure the runtime's memory. */
  process: ChildProcess;
  /** Stops the server; `kill` sends SIGKILL, as a crash would. Storage is kept until `dispose`. */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts the same server again: same port, same storage. */
  restart(): Promise<DevServer>;
  /** Stops the server and deletes its storage. */
  dispose(): Promise<void>;
}

const PROJECT_ROOT = resolve(import.meta.dirname, "..");
const WRANGLER = join(PROJECT_ROOT, "node_modules/.bin/wrangler");

/**
 * A port nobody listens on, picked below Linux's ephemeral range (32768–60999). A port the kernel hands out for
 * `listen(0)` can be taken, between our check and wrangler's bind, by any outgoing connection the machine opens
 * (a benchmark opens thousands); a port below that range can only be taken by another deliberate listener.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isFree(port)) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once("error", () => resolveFree(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolveFree(true)));
  });
}

/** Another listener can still take a port between our check and wrangler's bind: then try again. */
const START_ATTEMPTS = 3;

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "chat-rooms-"));
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce({ ...options, persistTo });
    } catch (error) {
      if (attempt === START_ATTEMPTS || !(error instanceof PortTakenError)) throw error;
      // A restart keeps its port: give whatever holds it a moment to let go.
      if (options.port !== undefined) await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

class PortTakenError extends Error {}

async function startOnce(options: DevServerOptions & { persistTo: string }): Promise<DevServer> {
  const { persistTo } = options;
  const port = options.port ?? (await freePort());
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(await freePort()),
    "--persist-to",
    persistTo,
    "--log-level",
    options.logLevel ?? "warn",
    "--show-interactive-dev-session=false",
  ];
  if (options.config) args.push("--config", options.config);
  // SHARD_CAPACITY in the environment runs every room of the suite on shards past that many connections.
  const sharded = process.env.SHARD_CAPACITY ? { SHARD_CAPACITY: process.env.SHARD_CAPACITY } : {};
  for (const [key, value] of Object.entries({ ...sharded, ...options.vars })) args.push("--var", `${key}:${value}`);

  const child = spawn(WRANGLER, args, {
    // From the config's own directory: its [build] step then builds that copy's sources, not the project's.
    cwd: options.config ? dirname(options.config) : PROJECT_ROOT,
    detached: true, // its own process group, so stopping it also stops workerd
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));

  const httpUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(httpUrl, child);
  } catch (error) {
    killGroup(child, "SIGKILL");
    const message = `wrangler dev did not start: ${String(error)}\n${output}`;
    throw /address already in use/i.test(output) ? new PortTakenError(message) : new Error(message);
  }

  const server: DevServer = {
    port,
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    persistTo,
    process: child,
    async stop({ kill = false } = {}) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, kill ? "SIGKILL" : "SIGTERM");
      await exited;
    },
    restart: async () => {
      await server.stop();
      return startDevServer({ ...options, port, persistTo });
    },
    async dispose() {
      await server.stop();
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
  return server;
}

async function waitUntilServing(httpUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      // Any answer from the Worker means it is up; the API route touches a room, so the Durable Object is too.
      const response = await fetch(`${httpUrl}/api/rooms/startup-probe`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("timed out after 45 s");
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}
