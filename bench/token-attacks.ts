// The fault suite's attack on identity (issue 9): a storm of upgrades with forged, expired and missing tokens against
// a server that admits only verified members, while honest members chat. The Worker must refuse every one of them
// before any room is reached; the honest members must not notice (token-attacks.test.ts checks it). Then, on the
// same server, tokens that end while their connections are open (token-expiry-attack.ts).

import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { type DevServer, startDevServer } from "../tools/dev-server.ts";
import { roomFiles } from "./attacks.ts";
import { measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LOAD_VARS, LoadClient, nextAddress, now, settle, Tracker } from "./lib/load.ts";
import { quantiles } from "./lib/stats.ts";

const ATTEMPTS = 3000;
const CONCURRENCY = 50;

type Forgery = { kind: string; expect: "invalid_token" | "token_expired"; token: () => Promise<string | undefined> };

const sign = (claims: Record<string, unknown>, secret: string, expiresAt: number, alg = "HS256") =>
  new SignJWT(claims).setProtectedHeader({ alg }).setExpirationTime(expiresAt).sign(new TextEncoder().encode(secret));

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Every way a token can be wrong, each with the refusal it must get. */
function forgeries(secret: string): Forgery[] {
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
  return [
    {
      kind: "another secret",
      expect: "invalid_token",
      token: () => sign({ sub: "x", name: "Forger" }, "not-the-secret", inAnHour()),
    },
    {
      kind: "alg none",
      expect: "invalid_token",
      token: async () => `${base64url({ alg: "none" })}.${base64url({ sub: "x", name: "Admin", exp: inAnHour() })}.`,
    },
    { kind: "garbage", expect: "invalid_token", token: async () => randomBytes(40).toString("base64url") },
    // The right secret under another algorithm: the Worker takes HS256 only.
    {
      kind: "HS512",
      expect: "invalid_token",
      token: () => sign({ sub: "x", name: "Other" }, secret, inAnHour(), "HS512"),
    },
    {
      kind: "tampered claims",
      expect: "invalid_token",
      token: async () => {
        const [header, , signature] = (await sign({ sub: "x", name: "Member" }, secret, inAnHour())).split(".");
        return `${header}.${base64url({ sub: "x", name: "Member", role: "moderator", exp: inAnHour() })}.${signature}`;
      },
    },
    {
      kind: "expired an hour ago",
      expect: "token_expired",
      token: () => sign({ sub: "x", name: "Late" }, secret, Math.floor(Date.now() / 1000) - 3600),
    },
    { kind: "no token", expect: "invalid_token", token: async () => undefined },
  ];
}

/** One upgrade from its own address: the HTTP status and error it got, and how long that took. */
function attempt(url: string): Promise<{ status: number; error?: string; ms: number }> {
  const started = now();
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers: { "CF-Connecting-IP": nextAddress() } });
    ws.on("open", () => {
      ws.terminate();
      resolve({ status: 101, ms: now() - started });
    });
    ws.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk));
      response.on("end", () => {
        let error: string | undefined;
        try {
          error = (JSON.parse(body) as { error?: string }).error;
        } catch {
          // Not JSON: counted as a wrong answer below.
        }
        resolve({ status: response.statusCode ?? 0, error, ms: now() - started });
      });
    });
    ws.on("error", () => resolve({ status: 0, ms: now() - started }));
  });
}

/** The server of the token attacks: tokens required, signed with a secret of its own. */
export interface TokenServer {
  server: DevServer;
  secret: string;
}

export async function startTokenServer(config: string): Promise<TokenServer> {
  const secret = randomBytes(32).toString("hex");
  const server = await startDevServer({ config, vars: { ...LOAD_VARS, AUTH_SECRET: secret, ROOM_ACCESS: "token" } });
  return { server, secret };
}

export interface TokenStorm {
  attempts: number;
  stormMs: number;
  /** Refusals that were not a 401 with the error the token deserved. */
  wrong: string[];
  refusalMs: { p50: number; p99: number };
  /** What the honest room counts, and the rooms' databases before and after the storm. */
  connections: number;
  databases: { before: number; after: number };
  sent: number;
  honest: { delivered: number; errors: number }[];
  duplicates: number;
  reordered: number;
  /** Joins or leaves the honest members heard. */
  presence: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export async function tokenStorm({ server, secret }: TokenServer): Promise<TokenStorm> {
  console.log(
    `\n[tokens] ${ATTEMPTS} upgrades with forged (another secret, alg none, HS512, tampered, garbage), expired or no tokens (${CONCURRENCY} at once, each from its own address), ` +
      "half to the room where 4 verified members chat at 10 msg/s, half to rooms of their own",
  );
  const room = `${server.wsUrl}/rooms/tokens`;
  const tracker = new Tracker();
  const honest = await Promise.all(
    ["ann", "ben", "cy", "di"].map(
      async (name) =>
        new LoadClient({
          url: `${room}?token=${await sign({ sub: name, name }, secret, Math.floor(Date.now() / 1000) + 3600)}`,
          name,
          tracker,
          keepSeqs: true,
        }),
    ),
  );
  await joinAll(honest, 4);
  // Their own joins are announced to each other: those must have arrived before anyone else's would count.
  await settle(300);
  let presence = 0;
  for (const client of honest) {
    client.onPacket = (packet) => {
      if (/^(join|joins|leave|leaves)$/.test(packet.type)) presence++;
    };
  }
  const filesBefore = roomFiles(server.persistTo).databases;
  const senders = honest.map((c) => tracker.addSender(c, 1000, honest.length));
  const streaming = stream(tracker, senders, 10);

  const kinds = forgeries(secret);
  const wrong: string[] = [];
  const latencies: number[] = [];
  const started = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ATTEMPTS) {
        const i = next++;
        const forgery = kinds[i % kinds.length]!;
        const token = await forgery.token();
        const target = i % 2 === 0 ? room : `${server.wsUrl}/rooms/storm-${i}`;
        const result = await attempt(token === undefined ? target : `${target}?token=${token}`);
        latencies.push(result.ms);
        if (result.status !== 401 || result.error !== forgery.expect)
          wrong.push(`${forgery.kind}: ${result.status} ${result.error ?? ""}`);
      }
    }),
  );
  const stormMs = now() - started;
  await streaming.stop();
  await waitFor(() => honest.every((c) => c.delivered === tracker.sent), 10_000);

  const info = (await (await fetch(`${server.httpUrl}/api/rooms/tokens`)).json()) as { connections: number };
  const [p50, p99] = quantiles(latencies, [0.5, 0.99]) as [number, number];
  const [h50, h99, hmax] = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]) as [number, number, number];
  measurements.tokens = {
    attempts: ATTEMPTS,
    stormMs,
    refusedPerSecond: ATTEMPTS / (stormMs / 1000),
    wrong: wrong.length,
    refusalLatencyMs: { p50, p99 },
    honest: { sent: tracker.sent, latencyMs: { p50: h50, p99: h99, max: hmax } },
  };
  const observed: TokenStorm = {
    attempts: ATTEMPTS,
    stormMs,
    wrong,
    refusalMs: { p50, p99 },
    connections: info.connections,
    databases: { before: filesBefore, after: roomFiles(server.persistTo).databases },
    sent: tracker.sent,
    honest: honest.map((c) => ({ delivered: c.delivered, errors: c.errors })),
    duplicates: tracker.duplicates,
    reordered: tracker.reordered,
    presence,
    latencyMs: { p50: h50, p99: h99, max: hmax },
  };
  // Closing them now is heard by the others: what they heard is counted above.
  await closeAll(honest);
  return observed;
}
