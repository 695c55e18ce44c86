import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { webhookSink } from "./test/support/webhook-sink.ts";

/** The tests of summary presence, which run in pools of their own (a tiny PRESENCE_LIST_MAX). */
const PRESENCE_TESTS = "test/worker/presence/**/*.test.ts";

/** The tests of joins admitted where they land, which run in a pool of their own (shards of 20, few joins a second). */
const SHARD_JOINS_TESTS = "test/worker/shard-joins/**/*.test.ts";

/** The webhooks' own pool: its rooms send their events to a receiver in this process (test/support/webhook-sink.ts). */
const WEBHOOK_SECRET = `whsec_${btoa("the worker pool's webhook key, 32 b")}`;
const sink = webhookSink(WEBHOOK_SECRET);

/**
 * Small history settings, so tests reach every history limit (pruning and page weight included) with few messages,
 * and a member list paged past 30; short timeouts, to see connections that overstay closed; few joins per second (a
 * burst of 40), to reach that budget; an edit window, a small reaction cap and a small room for typing, to reach them; one allowed origin, to
 * test origin checks.
 */
function workerProject(
  name: string,
  settings: Record<string, number | string>,
  { include = ["test/worker/**/*.test.ts"], exclude = ["test/worker/webhooks/**"], webhooks = false } = {},
) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          ...(webhooks && {
            outboundService: (request: Request) => sink.receive(request),
            serviceBindings: { WEBHOOK_SINK: (request: Request) => sink.control(request) },
          }),
          bindings: {
            HISTORY_RETAINED: 40,
            HISTORY_ON_JOIN: 20,
            HISTORY_PAGE_MAX: 30,
            HISTORY_PAGE_MAX_BYTES: 20_000,
            MEMBERS_PAGE_MAX: 30,
            JOIN_TIMEOUT_SECONDS: 2,
            MEMBER_SILENCE_SECONDS: 2,
            ROOM_JOINS_PER_SECOND: 8,
            // An hour to edit (tests age a message past it), and few reactions per message, to reach the cap.
            EDIT_WINDOW_SECONDS: 3600,
            MAX_REACTIONS_PER_MESSAGE: 5,
            // Typing heard in rooms of at most 25, to reach that size with few joins.
            TYPING_MAX_MEMBERS: 25,
            ALLOWED_ORIGINS: "https://games.example",
            // Words every room refuses, besides its own list (test/worker/moderation/blocked-words.test.ts).
            BLOCKED_WORDS: "zonk, frobnicate the widget",
            AUTH_SECRET: "test-secret-of-the-worker-pool",
            ADMIN_TOKEN: "admin-token-of-the-worker-pool",
            PUBLISH_TOKEN: "publish-token-of-the-worker-pool",
            ...settings,
          },
        },
      }),
    ],
    // The rooms' log lines (docs/operations.md) go straight to the output: vitest's console intercept, which names the
    // test each line came from, never let the run end after a room logged a refusal as a test's last step (moderation
    // test "deletes a message", sharded: the test passed, the run hung; seen with it on, gone with it off).
    test: { name, include, exclude, testTimeout: 30_000, disableConsoleIntercept: true },
  };
}

export default defineConfig({
  test: {
    globalSetup: ["test/support/client-bundle.ts", "test/support/run-summary.ts"],
    // Two files at a time, whatever the cores: most of a test's time is waiting (on a socket, a timer, a server
    // starting), and on a machine of two cores vitest's default of one fewer than the cores runs every file in turn.
    maxWorkers: 2,
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
    projects: [
      // Units and room integration, inside workerd with the real Durable Object and its SQLite storage.
      workerProject(
        "worker",
        {},
        { exclude: ["test/worker/shards/**", SHARD_JOINS_TESTS, "test/worker/webhooks/**", PRESENCE_TESTS] },
      ),
      // The same tests on rooms of many objects: past two connections, a room sends connections to shards.
      workerProject(
        "worker-sharded",
        { SHARD_CAPACITY: 2 },
        { exclude: [SHARD_JOINS_TESTS, "test/worker/webhooks/**", PRESENCE_TESTS] },
      ),
      // Joins admitted where they land: shards large enough to hold more than their burst of joins (ten a shard),
      // and connections that may wait to join.
      workerProject(
        "worker-shard-joins",
        { SHARD_CAPACITY: 20, ROOM_JOINS_PER_SECOND: 2, JOIN_TIMEOUT_SECONDS: 30 },
        { include: [SHARD_JOINS_TESTS], exclude: [] },
      ),
      // Summary presence past four members (docs/protocol.md, "Presence in large rooms"), on one object and on shards:
      // other tests' rooms of five and more must keep hearing every join and leave.
      workerProject("worker-presence", { PRESENCE_LIST_MAX: 4 }, { include: [PRESENCE_TESTS], exclude: [] }),
      workerProject(
        "worker-presence-sharded",
        { PRESENCE_LIST_MAX: 4, SHARD_CAPACITY: 2 },
        { include: [PRESENCE_TESTS], exclude: [] },
      ),
      // Rooms with webhooks on (the others have none): their events go to a receiver in this process, which keeps
      // what it was sent; a small backlog limit, to reach it.
      workerProject(
        "worker-webhooks",
        { WEBHOOK_URL: "https://backend.test/chat-webhooks", WEBHOOK_SECRET, WEBHOOK_BACKLOG_MAX: 20 },
        { include: ["test/worker/webhooks/**/*.test.ts"], exclude: [], webhooks: true },
      ),
      {
        // Plain units that run in Node: the shared protocol, the room's modules with fake sockets, the browser client's
        // connection logic, and the layout (the client bundle holds no server code).
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      {
        // End to end, from Node and from real Chromium, against a real `wrangler dev`: each file starts its own (so
        // its settings and rooms are its own), two files at a time like the rest (the bundle is built once, above).
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
