import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/server/front-door/worker";
import { connect, joinNative, token, uniqueRoom, UPGRADE as upgrade } from "../client";

describe("routing", () => {
  it("joins the lobby from a WebSocket on / and a named room from /rooms/<name>", async () => {
    const lobby = await SELF.fetch("http://rooms.test/", { headers: upgrade });
    expect(lobby.status).toBe(101);
    lobby.webSocket!.accept();
    lobby.webSocket!.send(JSON.stringify({ type: "join", name: "in-lobby" }));
    await expect
      .poll(async () => await (await SELF.fetch("http://rooms.test/api/rooms/lobby")).json())
      .toMatchObject({
        room: "lobby",
        members: expect.arrayContaining([expect.objectContaining({ name: "in-lobby" })]),
      });
    lobby.webSocket!.close(1000);
  });

  it.each([
    "/rooms/",
    "/rooms/has%20space",
    "/rooms/a/b",
    `/rooms/${"x".repeat(65)}`,
    "/api/rooms/bad!name",
    "/rooms/...",
    "/api/rooms/....",
  ])("refuses the invalid room name in %s with 400 and a reason", async (path) => {
    const response = await SELF.fetch(`http://rooms.test${path}`, { headers: upgrade });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: "invalid_room_name",
      message: expect.stringContaining("1 to 64"),
    });
  });

  it("refuses in the Worker an upgrade that is not a GET, or has no valid key, before any room sees it", async () => {
    // Called directly: the runtime's own fetch sends any request with `Upgrade: websocket` as a GET.
    const post = await worker.fetch(
      new Request("http://rooms.test/rooms/games", { method: "POST", headers: upgrade }),
      env,
    );
    expect(post.status).toBe(405);
    expect(post.headers.get("Allow")).toBe("GET");
    expect(await post.json()).toMatchObject({ error: "method_not_allowed" });
    for (const key of [undefined, "", "short", "dGhlIHNhbXBsZSBub25jZQ=!"]) {
      const headers: Record<string, string> = { Upgrade: "websocket" };
      if (key !== undefined) headers["Sec-WebSocket-Key"] = key;
      const response = await SELF.fetch("http://rooms.test/rooms/games", { headers });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "bad_upgrade" });
    }
  });

  // The worker pool runs with ALLOWED_ORIGINS = "https://games.example".
  it("lets in game clients (no Origin), its own pages and allowed sites, and refuses other sites' pages with 403", async () => {
    const withOrigin = (origin?: string) =>
      SELF.fetch("http://rooms.test/rooms/origins", { headers: origin ? { ...upgrade, Origin: origin } : upgrade });
    for (const origin of [undefined, "http://rooms.test", "https://games.example"]) {
      const response = await withOrigin(origin);
      expect(response.status).toBe(101);
      response.webSocket!.accept();
      response.webSocket!.close(1000);
    }
    const refused = await withOrigin("https://evil.example");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "origin_not_allowed" });
  });

  it("answers a plain request to a WebSocket route with 426", async () => {
    for (const path of ["/", "/rooms/games"]) {
      const response = await SELF.fetch(`http://rooms.test${path}`);
      expect(response.status).toBe(426);
      expect(response.headers.get("Upgrade")).toBe("websocket");
      expect(await response.json()).toMatchObject({ error: "upgrade_required" });
    }
  });

  it("serves the chat page to a browser opening a room's address", async () => {
    for (const path of ["/", "/rooms/games"]) {
      const response = await SELF.fetch(`http://rooms.test${path}`, { headers: { Accept: "text/html,*/*" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toContain("text/html");
      expect(await response.text()).toContain("<html");
    }
  });

  it("reports a room's members, how many type, and its last sequence number as JSON", async () => {
    const room = uniqueRoom("api");
    const { client, welcome } = await joinNative(room, "ann");
    client.send({ type: "chat", text: "hi" });
    await client.nextOfType("chat");
    const bo = await joinNative(room, "bo");
    bo.client.send({ type: "typing" });
    // An answer to bo comes after its typing was taken.
    bo.client.send({ type: "members" });
    await bo.client.nextOfType("members");
    const response = await SELF.fetch(`http://rooms.test/api/rooms/${room}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      room,
      memberCount: 2,
      members: [
        { id: welcome.id, name: "ann", guest: true },
        { id: bo.welcome.id, name: "bo", guest: true },
      ],
      typing: 1,
      lastSeq: 1,
      settings: { slowModeSeconds: 0, listed: false },
      connections: 2,
    });
    expect((await SELF.fetch(`http://rooms.test/api/rooms/${room}`, { method: "POST" })).status).toBe(405);
    // A page of one: ann, then bo after her, then none after bo.
    const page = async (query: string) =>
      await (await SELF.fetch(`http://rooms.test/api/rooms/${room}${query}`)).json();
    expect(await page("?limit=1")).toMatchObject({ memberCount: 2, members: [{ name: "ann" }], next: welcome.id });
    expect(await page(`?limit=1&after=${welcome.id}`)).toMatchObject({ members: [{ name: "bo" }] });
    expect(await page(`?limit=1&after=${welcome.id}`)).not.toHaveProperty("next");
    expect(await page(`?after=${bo.welcome.id}`)).toMatchObject({ memberCount: 2, members: [] });
    // A page the room could not make is refused before the room is asked.
    for (const query of ["?limit=0", "?limit=1001", "?limit=ten", "?after=-1", "?after=1.5", "?limit="]) {
      const refused = await SELF.fetch(`http://rooms.test/api/rooms/${room}${query}`);
      expect(refused.status, query).toBe(400);
      expect(await refused.json()).toMatchObject({ error: "invalid_field" });
    }
  });

  it("falls through to the static assets for everything else: files they hold, and their 404", async () => {
    // Served by the assets, as they are in static/: their type and their own cache headers, not the Worker's.
    const style = await SELF.fetch("http://rooms.test/style.css");
    expect(style.status).toBe(200);
    expect(style.headers.get("Content-Type")).toMatch(/^text\/css/);
    expect(style.headers.get("ETag")).toMatch(/^"[0-9a-f]+"$/);
    const css = await style.text();
    expect(css.startsWith("/* edge chat rooms: one page, light and dark")).toBe(true);
    expect(css).toContain("color-scheme: light dark;");
    const icon = await SELF.fetch("http://rooms.test/favicon.svg");
    expect(icon.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // A browser opening a room's address gets the chat page.
    const page = await SELF.fetch("http://rooms.test/rooms/some-room", { headers: { Accept: "text/html" } });
    expect(page.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("<title>edge chat rooms</title>");
    // A file they do not hold: their 404, empty, not one of the Worker's JSON refusals.
    const missing = await SELF.fetch("http://rooms.test/no-such-file.txt");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("Content-Type")).toBeNull();
    expect(await missing.text()).toBe("");
  });
});

describe("a bad setting", () => {
  it.each([
    ["an upgrade", "/rooms/games", upgrade],
    ["a room's info", "/api/rooms/games", {}],
    ["an admin action", "/api/rooms/games/kick", { Authorization: "Bearer admin-token-of-the-worker-pool" }],
  ])("answers %s at once with a JSON 503 naming the setting", async (_, path, headers) => {
    for (const [setting, vars] of [
      ["HISTORY_RETAINED", { HISTORY_RETAINED: "lots" }],
      ["MAX_FRAME_BYTES", { MAX_FRAME_BYTES: "-1" }],
      ["ROOM_ACCESS", { ROOM_ACCESS: "closed" }],
      ["WEBHOOK_URL", { WEBHOOK_URL: "backend.example/hooks" }],
      // Webhooks need their secret: a room never sends unsigned events.
      ["WEBHOOK_SECRET", { WEBHOOK_URL: "https://backend.example/hooks" }],
    ] as const) {
      const misconfigured = { ...env, ...vars } as typeof env;
      const method = path.endsWith("/kick") ? "POST" : "GET";
      const response = await worker.fetch(
        new Request(`http://rooms.test${path}`, { method, headers, body: method === "POST" ? "{}" : null }),
        misconfigured,
      );
      expect(response.status, `${setting} on ${path}`).toBe(503);
      expect(await response.json()).toMatchObject({ error: "bad_setting", message: expect.stringContaining(setting) });
    }
  });
});

describe("a room's info", () => {
  it("lists a token-only room's members to a caller with a token for it or the admin token, and counts them for anyone", async () => {
    const room = uniqueRoom("private-info");
    const alice = await connect(`/rooms/${room}?token=${await token({ sub: "u-alice", name: "Alice" })}`);
    alice.send({ type: "join", name: "Alice" });
    await alice.nextOfType("welcome");
    const tokenOnly = { ...env, ROOM_ACCESS: "token" } as typeof env;
    const info = async (query = "", headers: Record<string, string> = {}) =>
      (
        await worker.fetch(new Request(`http://rooms.test/api/rooms/${room}${query}`, { headers }), tokenOnly)
      ).json() as Promise<Record<string, unknown>>;

    const anyone = await info();
    expect(anyone).toMatchObject({ room, memberCount: 1, connections: 1 });
    expect(anyone).not.toHaveProperty("members");
    expect(JSON.stringify(anyone)).not.toMatch(/Alice|u-alice/);
    for (const refused of [
      `?token=forged`,
      `?token=${await token({ sub: "u-bob", name: "Bob", rooms: ["elsewhere"] })}`,
    ]) {
      expect(await info(refused)).not.toHaveProperty("members");
    }
    expect(await info("", { Authorization: "Bearer not-the-admin-token" })).not.toHaveProperty("members");

    const member = { members: [expect.objectContaining({ name: "Alice", user: "u-alice" })] };
    expect(await info(`?token=${await token({ sub: "u-bob", name: "Bob" })}`)).toMatchObject(member);
    expect(await info("", { Authorization: `Bearer ${await token({ sub: "u-bob", name: "Bob" })}` })).toMatchObject(
      member,
    );
    expect(await info("", { Authorization: "Bearer admin-token-of-the-worker-pool" })).toMatchObject(member);
    // A room anyone may join shows its members to anyone.
    expect(await (await SELF.fetch(`http://rooms.test/api/rooms/${room}`)).json()).toMatchObject({
      memberCount: 1,
      ...member,
    });
    alice.socket.close(1000);
  });
});
