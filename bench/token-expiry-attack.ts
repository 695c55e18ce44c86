// The fault suite's attack on a token's life (issue 20, 9): a member whose token is about to expire keeps chatting
// past its end, another stays silent past it, and an app on the JS client that can get new tokens chats on through
// several expiries, while honest members chat. The room must close both members at their token's end (4010) and
// take no chat after it; the app must lose nothing, repeat nothing and never be seen disconnected; the honest
// members must not notice (token-attacks.test.ts checks it).

// The package entry, as an app imports it (built into sdk/ by npm install and npm run build:sdk).
import { type ConnectionStatus, RoomConnection, webSocketFactory } from "edge-chat-rooms/client";
import { SignJWT } from "jose";
import WebSocket from "ws";
import type { DevServer } from "../tools/dev-server.ts";
import { measurements, stream, waitFor } from "./lib/checks.ts";
import { closeAll, joinAll, LoadClient, nextAddress, Tracker } from "./lib/load.ts";
import { quantiles, sleep } from "./lib/stats.ts";

/** The clock skew the Worker and the room allow on `exp` (identity.ts): a token ends that long after its `exp`. */
export const SKEW_S = 60;
/** How long each short token lasts from when it is signed, about (whole seconds of `exp`). */
export const LIFE_S = 5;
/** How long the app and the honest members chat. */
export const RUN_MS = 18_000;
/** How long past its token's end a member is waited for before it counts as never closed (and is dropped). */
const GIVE_UP_MS = 10_000;

const sign = (claims: Record<string, unknown>, secret: string, exp: number) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));

/** A token that ends LIFE_S seconds from now or a little sooner (its `exp` lies in the past, within the skew), with when. */
async function shortToken(secret: string, sub: string): Promise<{ token: string; endsAt: number }> {
  const exp = Math.floor(Date.now() / 1000) - SKEW_S + LIFE_S;
  return { token: await sign({ sub, name: sub }, secret, exp), endsAt: (exp + SKEW_S) * 1000 };
}

export interface Outlaw {
  code: number;
  closedAt: number;
  sent: number;
  /** Chats it sent once its token had ended. */
  sentAfterEnd: number;
  /** Its own chats the room echoed with a time at or after its token's end: chats the room took. */
  takenAfterEnd: number;
}

/**
 * A member on a short token who joins, then chats every `chatEveryMs` (or never) until the room closes it; a chatting
 * one steps up to a chat every 5 ms from 20 ms before its token's end, to slip one in before the alarm rings.
 */
function outlaw(url: string, endsAt: number, chatEveryMs?: number): Promise<Outlaw> {
  const ws = new WebSocket(url, { perMessageDeflate: false, headers: { "CF-Connecting-IP": nextAddress() } });
  const result: Outlaw = { code: 0, closedAt: NaN, sent: 0, sentAfterEnd: 0, takenAfterEnd: 0 };
  let id = 0;
  let chatting: ReturnType<typeof setInterval> | undefined;
  let volley: ReturnType<typeof setInterval> | undefined;
  const chat = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type: "chat", text: `outlaw ${++result.sent}` }));
    if (Date.now() >= endsAt) result.sentAfterEnd++;
  };
  ws.on("open", () => ws.send(JSON.stringify({ type: "join", name: "x" })));
  // A room that never closes it would keep the suite waiting: past this, it is dropped, and fails the check (1006).
  const giveUp = setTimeout(() => ws.terminate(), endsAt + GIVE_UP_MS - Date.now());
  ws.on("message", (data: Buffer) => {
    let packet: Record<string, any>;
    try {
      packet = JSON.parse(data.toString("utf8"));
    } catch {
      return;
    }
    if (packet.type === "welcome" && chatEveryMs !== undefined) {
      id = packet.id;
      chatting = setInterval(chat, chatEveryMs);
      setTimeout(() => (volley = setInterval(chat, 5)), endsAt - 20 - Date.now());
    }
    if (packet.type === "chat" && packet.sender.id === id && packet.ts >= endsAt) result.takenAfterEnd++;
  });
  return new Promise((resolve) =>
    ws.on("close", (code) => {
      clearInterval(chatting);
      clearInterval(volley);
      clearTimeout(giveUp);
      Object.assign(result, { code, closedAt: Date.now() });
      resolve(result);
    }),
  );
}

/** An app on the JS client that gets a new short token whenever it needs one, and chats every 200 ms. */
function app(url: string, secret: string) {
  const address = nextAddress();
  // Its own client address, as every simulated client has.
  const AddressedSocket = class extends WebSocket {
    constructor(target: string) {
      super(target, { perMessageDeflate: false, headers: { "CF-Connecting-IP": address } });
    }
  };
  const seen = {
    tokens: 0,
    statusesAfterOnline: [] as ConnectionStatus[],
    online: false,
    seqs: [] as number[],
    own: new Map<string, number>(),
    sent: 0,
  };
  const connection = new RoomConnection({
    url,
    name: "app",
    token: async () => {
      seen.tokens++;
      return (await shortToken(secret, "app")).token;
    },
    createSocket: webSocketFactory(AddressedSocket),
    onEvent(event) {
      if (event.type === "status") {
        if (seen.online) seen.statusesAfterOnline.push(event.status);
        seen.online ||= event.status.state === "online";
      }
      if (event.type === "messages" && event.origin !== "recent") {
        for (const message of event.messages) {
          seen.seqs.push(message.seq);
          if (message.sender.name === "app") seen.own.set(message.text, (seen.own.get(message.text) ?? 0) + 1);
        }
      }
    },
  });
  let chatting: ReturnType<typeof setInterval> | undefined;
  return {
    seen,
    start() {
      connection.open();
      chatting = setInterval(() => seen.online && connection.sendChat(`app ${++seen.sent}`), 200);
    },
    stopChatting: () => clearInterval(chatting),
    close: () => connection.close(),
  };
}

export interface ExpiredTokens {
  /** The member chatting past its token's end, and the silent one: how they were closed, when, after the end. */
  talker: Outlaw & { closedAfterEndMs: number; heardAfterEnd: number };
  silent: Outlaw & { closedAfterEndMs: number };
  app: {
    tokens: number;
    statusesAfterOnline: string[];
    sent: number;
    /** Its own chats delivered, and whether each once. */
    delivered: number;
    ownOnce: boolean;
    /** The seqs of every message it received, sorted. */
    seqs: number[];
  };
  sent: number;
  honestDelivered: number[];
  duplicates: number;
  reordered: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export async function expiredTokens(server: DevServer, secret: string): Promise<ExpiredTokens> {
  console.log(
    `\n[tokens] tokens that end (${LIFE_S} s each): a member chats on past its token's end (every 100 ms, every 5 ms around the end), another stays silent, ` +
      `an app on the JS client with a token callback chats every 200 ms through several ends; 4 honest members chat at 10 msg/s`,
  );
  const room = `${server.wsUrl}/rooms/expiry`;
  const tracker = new Tracker();
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;
  const honest = await Promise.all(
    ["ann", "ben", "cy", "di"].map(
      async (name) =>
        new LoadClient({ url: `${room}?token=${await sign({ sub: name, name }, secret, inAnHour)}`, name, tracker }),
    ),
  );
  await joinAll(honest, 4);
  let outlawHeardAfterEnd = 0;
  const chatty = await shortToken(secret, "outlaw");
  for (const client of honest) {
    client.onPacket = (packet) => {
      if (packet.type === "chat" && packet.sender.name === "outlaw" && packet.ts >= chatty.endsAt)
        outlawHeardAfterEnd++;
    };
  }
  const silentToken = await shortToken(secret, "silent");
  const talker = outlaw(`${room}?token=${chatty.token}`, chatty.endsAt, 100);
  const silent = outlaw(`${room}?token=${silentToken.token}`, silentToken.endsAt);
  const sdk = app(room, secret);
  sdk.start();
  const senders = honest.map((c) => tracker.addSender(c, (10 * RUN_MS) / 1000 / honest.length, honest.length));
  const streaming = stream(tracker, senders, 10);
  await sleep(RUN_MS);
  await streaming.stop();
  sdk.stopChatting();
  const [talked, stayedSilent] = await Promise.all([talker, silent]);
  await waitFor(() => honest.every((c) => c.delivered === tracker.sent) && sdk.seen.own.size === sdk.seen.sent, 10_000);

  const { seen } = sdk;
  const seqs = [...seen.seqs].sort((a, b) => a - b);
  const [h50, h99, hmax] = quantiles(tracker.latencies.values(), [0.5, 0.99, 1]) as [number, number, number];
  const result: ExpiredTokens = {
    talker: {
      ...talked,
      closedAfterEndMs: talked.closedAt - chatty.endsAt,
      heardAfterEnd: outlawHeardAfterEnd,
    },
    silent: { ...stayedSilent, closedAfterEndMs: stayedSilent.closedAt - silentToken.endsAt },
    app: {
      tokens: seen.tokens,
      statusesAfterOnline: seen.statusesAfterOnline.map((s) => s.state),
      sent: seen.sent,
      delivered: seen.own.size,
      ownOnce: [...seen.own.values()].every((n) => n === 1),
      seqs,
    },
    sent: tracker.sent,
    honestDelivered: honest.map((c) => c.delivered),
    duplicates: tracker.duplicates,
    reordered: tracker.reordered,
    latencyMs: { p50: h50, p99: h99, max: hmax },
  };
  measurements.tokenExpiry = {
    chatting: {
      code: talked.code,
      closedAfterEndMs: result.talker.closedAfterEndMs,
      sent: talked.sent,
      sentAfterEnd: talked.sentAfterEnd,
      takenAfterEnd: talked.takenAfterEnd + outlawHeardAfterEnd,
    },
    silent: { code: stayedSilent.code, closedAfterEndMs: result.silent.closedAfterEndMs },
    app: {
      tokens: seen.tokens,
      statusesAfterOnline: seen.statusesAfterOnline.length,
      sent: seen.sent,
      delivered: seen.own.size,
      messages: seqs.length,
    },
    honest: { sent: tracker.sent, latencyMs: { p50: h50, p99: h99, max: hmax } },
  };
  sdk.close();
  await closeAll(honest);
  return result;
}
