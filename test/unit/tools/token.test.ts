import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AccessSettings, identify } from "../../../src/server/connections/identity";
import { DEFAULT_LIMITS } from "../../../src/shared/protocol";
import { mintToken, parseTokenArgs, parseTtl, readSecret, UsageError } from "../../../tools/token.ts";

const SECRET = "secret-of-the-token-tests";
const settings: AccessSettings = {
  secret: SECRET,
  access: "token",
  limits: DEFAULT_LIMITS,
  maxTokenLifeSeconds: 86_400,
};
const connect = (token: string, room = "lobby", as = settings) =>
  identify(new URL(`https://rooms.example/rooms/${room}?token=${token}`), room, as);

/** What identify() refused with, as status and error code. */
async function refusal(answer: Awaited<ReturnType<typeof identify>>): Promise<[number, string]> {
  if (!(answer instanceof Response)) throw new Error(`expected a refusal, got ${JSON.stringify(answer)}`);
  return [answer.status, ((await answer.json()) as { error: string }).error];
}

const mintFrom = (args: string[], now?: number) =>
  mintToken({ ...parseTokenArgs(args), secret: SECRET, ...(now === undefined ? {} : { now }) });

describe("tokens the tool mints", () => {
  it("are accepted by the Worker as the user, name and role they give", async () => {
    const token = await mintFrom([
      "--sub",
      "u1",
      "--name",
      "  Alice  ",
      "--role",
      "moderator",
      "--rooms",
      "lobby, games",
    ]);
    const exp = Math.floor(Date.now() / 1000) + 3600;
    expect(await connect(token)).toEqual({ user: "u1", name: "Alice", role: "moderator", exp: expect.closeTo(exp, 0) });
    expect(await connect(token, "games")).toMatchObject({ user: "u1", name: "Alice", role: "moderator" });
  });

  it("vouch for the --state fields they carry", async () => {
    const avatar = "https://game.example/bo.png";
    const token = await mintFrom(["--sub", "u2", "--name", "Bo", "--state", JSON.stringify({ avatar })]);
    expect(await connect(token)).toMatchObject({ user: "u2", state: { avatar } });
  });

  it("admit only their rooms, and every room without --rooms", async () => {
    expect(
      await refusal(await connect(await mintFrom(["--sub", "u1", "--name", "Alice", "--rooms", "lobby"]), "games")),
    ).toEqual([403, "room_not_allowed"]);
    expect(await connect(await mintFrom(["--sub", "u2", "--name", "Bob"]), "games")).toMatchObject({
      user: "u2",
      name: "Bob",
      role: "member",
    });
  });

  it("expire after their --ttl, beyond the Worker's clock skew", async () => {
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    expect(
      await refusal(await connect(await mintFrom(["--sub", "u1", "--name", "Alice", "--ttl", "1h"], twoHoursAgo))),
    ).toEqual([401, "token_expired"]);
    expect(await connect(await mintFrom(["--sub", "u1", "--name", "Alice", "--ttl", "3h"], twoHoursAgo))).toMatchObject(
      { user: "u1" },
    );
  });

  it("are refused when their --ttl is longer than the server's MAX_TOKEN_LIFE_SECONDS", async () => {
    const token = await mintFrom(["--sub", "u1", "--name", "Alice", "--ttl", "7d"]);
    expect(await refusal(await connect(token))).toEqual([401, "invalid_token"]);
    expect(await connect(token, "lobby", { ...settings, maxTokenLifeSeconds: 7 * 86_400 })).toMatchObject({
      user: "u1",
    });
  });

  it("are signed with the secret given: another server's secret refuses them", async () => {
    const token = await mintFrom(["--sub", "u1", "--name", "Alice"]);
    expect(await refusal(await connect(token, "lobby", { ...settings, secret: "another-secret" }))).toEqual([
      401,
      "invalid_token",
    ]);
  });
});

describe("parseTtl", () => {
  it("reads seconds, minutes, hours and days, and nothing else", () => {
    expect([parseTtl("30s"), parseTtl("15m"), parseTtl("1h"), parseTtl("7d")]).toEqual([30, 900, 3600, 604_800]);
    for (const bad of ["0s", "1w", "1.5h", "h", "10", "-1h", " 1h"]) expect(() => parseTtl(bad)).toThrow(UsageError);
  });
});

describe("parseTokenArgs", () => {
  it("defaults to a member for an hour in every room, and passes --secret and --env-file on", () => {
    expect(parseTokenArgs(["--sub", "u1", "--name", "Alice"])).toEqual({
      sub: "u1",
      name: "Alice",
      role: "member",
      ttlSeconds: 3600,
    });
    expect(
      parseTokenArgs(["--sub", "u1", "--name", "Alice", "--secret", "s", "--env-file", "x.vars", "--ttl", "15m"]),
    ).toMatchObject({ secret: "s", envFile: "x.vars", ttlSeconds: 900 });
  });

  it.each([
    ["a missing sub", ["--name", "Alice"], /--sub is required/],
    ["a sub over 64 characters", ["--sub", "u".repeat(65), "--name", "Alice"], /--sub must be 1 to 64/],
    ["a missing name", ["--sub", "u1"], /--name is required/],
    [
      "a name over the limit",
      ["--sub", "u1", "--name", "a".repeat(DEFAULT_LIMITS.maxNameChars + 1)],
      /--name: name must be 1 to 32/,
    ],
    ["a name the room refuses", ["--sub", "u1", "--name", "Alice: hi"], /--name: .*":"/],
    ["a blank name", ["--sub", "u1", "--name", "   "], /--name:/],
    ["a bad role", ["--sub", "u1", "--name", "Alice", "--role", "admin"], /--role must be member or moderator/],
    ["a bad ttl", ["--sub", "u1", "--name", "Alice", "--ttl", "1y"], /--ttl/],
    ["a bad room name", ["--sub", "u1", "--name", "Alice", "--rooms", "lobby,no spaces"], /--rooms: "no spaces"/],
    ["a room of only dots", ["--sub", "u1", "--name", "Alice", "--rooms", ".."], /--rooms: "\.\."/],
    ["a state that is not JSON", ["--sub", "u1", "--name", "Alice", "--state", "{avatar}"], /--state must be JSON/],
    [
      "a state that is a list",
      ["--sub", "u1", "--name", "Alice", "--state", "[1]"],
      /--state: state must be a JSON object/,
    ],
    [
      "a state over MAX_STATE_BYTES",
      ["--sub", "u1", "--name", "Alice", "--state", JSON.stringify({ bio: "x".repeat(600) })],
      /--state: state must be at most 512 bytes/,
    ],
    ["an empty secret", ["--sub", "u1", "--name", "Alice", "--secret", ""], /--secret must not be empty/],
    ["an unknown option", ["--sub", "u1", "--name", "Alice", "--admin"], /--admin/],
    ["a stray argument", ["--sub", "u1", "--name", "Alice", "extra"], /extra/],
  ])("refuses %s", (_, args, message) => {
    expect(() => parseTokenArgs(args)).toThrow(UsageError);
    expect(() => parseTokenArgs(args)).toThrow(message);
  });
});

const dir = mkdtempSync(join(tmpdir(), "token-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readSecret", () => {
  it("reads AUTH_SECRET from a dotenv file, quoted or not, and says how to make one when there is none", () => {
    const envFile = join(dir, "plain.vars");
    writeFileSync(envFile, "AUTH_SECRET=abc123\n");
    expect(readSecret(envFile)).toBe("abc123");
    writeFileSync(envFile, "AUTH_SECRET='abc 123' # a comment\n");
    expect(readSecret(envFile)).toBe("abc 123");
    writeFileSync(envFile, "AUTH_SECRET=\n");
    expect(() => readSecret(envFile)).toThrow(/has no AUTH_SECRET[\s\S]*openssl rand -hex 32/);
    expect(() => readSecret(join(dir, "absent.vars"))).toThrow(/cannot read .*absent\.vars[\s\S]*openssl rand -hex 32/);
  });
});

describe("npm run token", () => {
  const ROOT = resolve(import.meta.dirname, "../../..");

  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        join(ROOT, "node_modules/.bin/tsx"),
        ["tools/token.ts", ...args],
        { cwd: ROOT },
        (error, stdout, stderr) => {
          done({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
    });

  it("prints only a token signed with the AUTH_SECRET of its --env-file", async () => {
    const envFile = join(dir, "quoted.vars");
    writeFileSync(envFile, `# local secrets\nOTHER=1\nAUTH_SECRET="${SECRET}"\n`);
    const { code, stdout, stderr } = await run([
      "--sub",
      "u1",
      "--name",
      "Alice",
      "--role",
      "moderator",
      "--env-file",
      envFile,
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(await connect(stdout.trim())).toMatchObject({ user: "u1", name: "Alice", role: "moderator" });
  }, 30_000);

  it("exits with code 2 and says how to make a secret when it has none", async () => {
    const envFile = join(dir, "empty.vars");
    writeFileSync(envFile, "OTHER=1\n");
    const { code, stdout, stderr } = await run(["--sub", "u1", "--name", "Alice", "--env-file", envFile]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("has no AUTH_SECRET");
    expect(stderr).toContain("openssl rand -hex 32");
  }, 30_000);

  it("exits with code 2 on a bad argument", async () => {
    const { code, stdout, stderr } = await run([
      "--sub",
      "u1",
      "--name",
      "Alice",
      "--role",
      "admin",
      "--secret",
      SECRET,
    ]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toMatch(/--role must be member or moderator[\s\S]*usage:/);
  }, 30_000);
});
