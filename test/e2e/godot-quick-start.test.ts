// The addon's README, followed to the letter by a Godot 3 developer (Debian's godot3-server, headless Godot 3.2.3):
// a fresh project with the Godot 3 folder copied in opens with no error, and the README's quick start, pasted as it
// is (only the address is the test server's), joins a room of `wrangler dev` and chats. Both blocks are read from
// the README by their markers. The Godot 4 quick start is parsed in test/unit/godot-parse.test.ts.

import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../../tools/dev-server.ts";
import { GODOT, WITHOUT_GODOT } from "../support/godot.ts";
import { ADDON_GODOT3, readmeBlock } from "../support/godot-addon.ts";
import { connect, type TestClient } from "../support/ws-client.ts";

const LOADER = resolve(import.meta.dirname, "../godot/load_addon.gd");
const PANEL_CLIENT = resolve(import.meta.dirname, "../godot/panel_client.gd");
/** The server's PUBLISH_TOKEN: the game's backend posts into the panel's room (docs/backend.md, "Publish"). */
const PUBLISH_TOKEN = "publish-token-of-the-godot-quick-start-test";
/** The README's placeholder for the server's address. */
const README_ADDRESS = "wss://chat.example.com";

/**
 * A home of its own for each run: the editor keeps script and scene thumbnails, keyed by path and time, in the
 * user's cache, and does not parse again a file it has one for. And a locale Godot knows: it reports an error for
 * the C locale of a bare CI shell.
 */
function environment(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), "godot-home-"));
  // Made here: Godot 3.2 fails to make a missing one itself, and on a project's first run it opens its log file
  // before it has made the project's user:// folder (an error that is Godot's, on any first run).
  for (const dir of ["cache", "config", "data/godot/app_userdata/fresh"])
    mkdirSync(join(home, dir), { recursive: true });
  return {
    ...process.env,
    HOME: home,
    XDG_CACHE_HOME: join(home, "cache"),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_DATA_HOME: join(home, "data"),
    LANG: "en_US.UTF-8",
    LC_ALL: "en_US.UTF-8",
  };
}

/** A fresh Godot 3 project with the addon's Godot 3 folder copied into addons/, as the README's Install says. */
function freshProject(settings = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "godot-fresh-"));
  cpSync(ADDON_GODOT3, join(dir, "addons/edge_chat_godot3"), { recursive: true });
  writeFileSync(join(dir, "project.godot"), `config_version=4\n\n[application]\n\nconfig/name="fresh"\n${settings}`);
  return dir;
}

/** Godot's stdout and stderr together (errors go to stderr), run in `env`. */
function run(args: string[], env = environment()): Promise<string> {
  return new Promise((resolveOutput, reject) => {
    execFile(
      GODOT,
      ["--no-window", ...args],
      { timeout: 60_000, env, cwd: mkdtempSync(join(tmpdir(), "godot-")) },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${String(error)}\n${stdout}${stderr}`)) : resolveOutput(stdout + stderr),
    );
  });
}

/**
 * Godot 3's editor on `project`, run until `done()` (polled) or 30 s, then a moment more for what it prints after,
 * and stopped: its stdout and stderr together.
 */
async function editUntil(project: string, env: NodeJS.ProcessEnv, done: () => boolean): Promise<string> {
  const editor = spawn(GODOT, ["--no-window", "--editor", "--path", project], {
    env,
    cwd: mkdtempSync(join(tmpdir(), "godot-")),
  });
  let output = "";
  editor.stdout.on("data", (chunk) => (output += chunk));
  editor.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolveExit) => editor.once("exit", resolveExit));
  for (const deadline = Date.now() + 30_000; !done() && Date.now() < deadline; ) await sleep(100);
  await sleep(500);
  editor.kill();
  await exited;
  return output;
}

const ADDON_FILES = [
  "chat_logic.gd",
  "constants.gd",
  "edge_chat_godot3.gd",
  "example/chat_panel.gd",
  "example/chat_panel.tscn",
  "message_model.gd",
  "moderation.gd",
  "plugin.gd",
  "roster.gd",
  "send_queue.gd",
];

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ vars: { PUBLISH_TOKEN } });
});
afterAll(async () => {
  await server?.dispose();
});

describe.skipIf(WITHOUT_GODOT)("the Godot addon's README, followed in Godot 3", () => {
  it("a fresh project with the addon opens in the editor with no error, before and after its autoload is added", async () => {
    for (const project of [freshProject(), freshProject(`\n${readmeBlock("autoload:godot3")}`)]) {
      const env = environment();
      // The editor runs until its first scan of the project is done (it then writes the project's file list), not
      // for one frame (`--quit`), which on a loaded machine ended it before the scan had read every file.
      const fileList = join(env.XDG_CONFIG_HOME!, "godot/projects/filesystem_cache6");
      const output = await editUntil(project, env, () => existsSync(fileList));
      expect(output).toContain("Godot Engine v3.");
      expect(output).not.toMatch(/ERROR|Parse Error|WARNING/);
      // The editor scanned the whole addon (its file list, written once a scan is done, holds every file), so the
      // run above had every file's errors to show.
      const scanned = readFileSync(fileList, "utf8");
      for (const file of ADDON_FILES) expect(scanned).toContain(file.split("/").at(-1));
    }
  });

  it("loads every script and scene of the addon, and instances its scenes", async () => {
    const project = freshProject(`\n${readmeBlock("autoload:godot3")}`);
    cpSync(LOADER, join(project, "load_addon.gd"));
    const output = await run([
      "--path",
      project,
      "-s",
      "res://load_addon.gd",
      "--folder=res://addons/edge_chat_godot3",
    ]);
    expect(output).not.toMatch(/ERROR|FAILED/);
    expect([...output.matchAll(/^LOADED (res:\S+)$/gm)].map(([, path]) => path).sort()).toEqual(
      ADDON_FILES.map((file) => `res://addons/edge_chat_godot3/${file}`),
    );
  });

  it("the quick start, pasted as it is, joins, chats both ways and sees a member come and go: each counted", async () => {
    const quickStart = readmeBlock("quick-start:godot3");
    expect(quickStart.split(README_ADDRESS).length).toBe(2);
    const project = freshProject(
      `\n${readmeBlock("autoload:godot3")}\n[application]\n\nrun/main_scene="res://main.tscn"\n`,
    );
    writeFileSync(join(project, "quick_start.gd"), quickStart.replace(README_ADDRESS, server.wsUrl));
    writeFileSync(
      join(project, "main.tscn"),
      '[gd_scene load_steps=2 format=2]\n\n[ext_resource path="res://quick_start.gd" type="Script" id=1]\n\n' +
        '[node name="Main" type="Node"]\nscript = ExtResource( 1 )\n',
    );

    const ann = await connect(`${server.wsUrl}/rooms/lobby`);
    ann.send({ type: "join", name: "ann" });
    await ann.next((p) => p.type === "welcome");
    let output = "";
    const godot = spawn(GODOT, ["--no-window", "--path", project], {
      env: environment(),
      cwd: mkdtempSync(join(tmpdir(), "godot-")),
    });
    godot.stdout.on("data", (chunk) => (output += chunk));
    godot.stderr.on("data", (chunk) => (output += chunk));
    let bob: TestClient | undefined;
    try {
      expect(await ann.next((p) => p.type === "chat", 30_000)).toMatchObject({
        sender: { name: "Player" },
        text: "hello from Godot",
      });
      ann.send({ type: "chat", text: "hi [b]Player[/b] 🎮" });
      await expect.poll(() => output, { timeout: 10_000 }).toContain("ann: hi [b]Player[/b] 🎮");
      bob = await connect(`${server.wsUrl}/rooms/lobby`);
      bob.send({ type: "join", name: "bob" });
      await bob.next((p) => p.type === "welcome");
      await expect.poll(() => output, { timeout: 10_000 }).toContain("bob joined");
      await bob.close();
      await expect.poll(() => output, { timeout: 10_000 }).toContain("bob left");
      // A last chat, so that anything still on its way to the game arrives before it and is counted.
      ann.send({ type: "chat", text: "bye" });
      await expect.poll(() => output, { timeout: 10_000 }).toContain("ann: bye");
    } finally {
      godot.kill();
      await ann.close();
    }
    const lines = output
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("Godot Engine v3."));
    expect(lines.filter((line) => /^\S+: /.test(line))).toEqual([
      "Player: hello from Godot",
      "ann: hi [b]Player[/b] 🎮",
      "ann: bye",
    ]);
    // The game hears of the others' joins and leaves, not of its own (it is `connected`); ann was there before.
    expect(lines.filter((line) => / (joined|left)$/.test(line))).toEqual(["bob joined", "bob left"]);
    // Nothing else: no error, no warning.
    expect(lines.length).toBe(5);
  });

  it("the example chat panel shows players' names, texts and statuses as text, and the backend's messages apart: BBCode in them is not markup", async () => {
    const project = freshProject(`\n${readmeBlock("autoload:godot3")}`);
    cpSync(PANEL_CLIENT, join(project, "panel_client.gd"));
    const room = "panel";
    const ann = await connect(`${server.wsUrl}/rooms/${room}`);
    ann.send({ type: "join", name: "[i]ann[/i]", state: { status: "[color=red]in a match[/color]" } });
    const { id } = await ann.next((p) => p.type === "welcome");
    const godot = run([
      "--path",
      project,
      "-s",
      "res://panel_client.gd",
      `--url=${server.wsUrl}`,
      `--room=${room}`,
      "--name=[b]godot[/b]",
      "--until=bye",
    ]);
    try {
      // godot's join (ann hears of her own first).
      await ann.next((p) => p.type === "join" && p.name === "[b]godot[/b]", 30_000);
      // ann types: everyone hears it in the same batch of signals as ann does, before the chats that follow.
      ann.send({ type: "typing" });
      await ann.next(
        (p) => p.type === "signals" && (p.typing as number[] | undefined)?.includes(id as number) === true,
      );
      ann.send({ type: "chat", text: "[url=https://evil.example]click[/url] [color=red]red[/color]" });
      await ann.next((p) => p.type === "chat" && String(p.text).startsWith("[url="));
      // The game's backend posts, under ann's very name: the panel shows it as the system's.
      const posted = await fetch(`${server.httpUrl}/api/rooms/${room}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${PUBLISH_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({ text: "[b]ann[/b] won the match", sender: { name: "[i]ann[/i]" } }),
      });
      expect(posted.status).toBe(201);
      ann.send({ type: "chat", text: "bye" });
      const output = await godot;
      expect(output).not.toMatch(/ERROR/);
      // The room's own notice of godot's join may come before the chats or after (joins are sent in batches).
      const shown = /^LOG (.*)$/m
        .exec(output)?.[1]
        ?.split(" | ")
        .filter((line) => line !== "[b]godot[/b] joined.");
      expect(shown).toEqual([
        "You joined #panel as [b]godot[/b].",
        "[i]ann[/i]: [url=https://evil.example]click[/url] [color=red]red[/color]",
        "[system] [i]ann[/i]: [b]ann[/b] won the match",
        "[i]ann[/i]: bye",
      ]);
      // Who is here, each with its status after its name, as text; who was typing, until ann's chat.
      expect(/^MEMBERS (.*)$/m.exec(output)?.[1]).toBe("[i]ann[/i] [color=red]in a match[/color] | [b]godot[/b]");
      expect(/^HERE (.*)$/m.exec(output)?.[1]).toBe("#panel · 2 here");
      expect(output.match(/^TYPING.*$/gm)).toEqual(["TYPING [i]ann[/i] is typing…", "TYPING "]);
    } finally {
      await ann.close();
    }
  });
});
