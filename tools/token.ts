// Mints a member token for local development: what a game's backend does in production, signed with the same
// AUTH_SECRET the local Worker reads from .dev.vars, so a developer can connect as a verified user or a moderator.
//
//   npm run token -- --sub u1 --name Alice --role moderator --rooms lobby --ttl 1h
//   npm run token -- --sub u2 --name Bo --state '{"avatar":"https://game.example/bo.png"}'
//
// The claims are checked by the rules the Worker's identify() applies, so a token this prints is one the Worker
// accepts, and a mistake is told here rather than as a bare 401 at connect time.

import { readFileSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, parseEnv } from "node:util";
import { SignJWT } from "jose";
import { stateProblem } from "../src/shared/member-state.ts";
import { DEFAULT_LIMITS, isRoomName, type MemberState, ROOM_NAME_RULE } from "../src/shared/protocol.ts";
import { validateName } from "../src/shared/validation.ts";

export type Role = "member" | "moderator";

export interface MintOptions {
  secret: string;
  sub: string;
  name: string;
  role: Role;
  /** The rooms the token admits; undefined: every room. */
  rooms?: string[];
  /** State fields the token vouches for (docs/auth.md): the member cannot change them. */
  state?: MemberState;
  ttlSeconds: number;
  /** Milliseconds since the epoch, as Date.now(): the token's `iat`, from which `exp` counts. */
  now?: number;
}

/** What the command line asks for: the claims, checked, and where the secret comes from. */
export interface TokenRequest extends Omit<MintOptions, "secret" | "now"> {
  secret?: string;
  envFile?: string;
}

/** A mistake in the command line or a missing secret: told on stderr with exit code 2. */
export class UsageError extends Error {}

const USAGE = `usage: npm run token -- --sub <id> --name <name> [--role member|moderator] [--rooms a,b]
                      [--state <JSON object>] [--ttl 1h] [--secret <s> | --env-file <path>]`;

const CREATE_DEV_VARS = `echo "AUTH_SECRET=$(openssl rand -hex 32)" > .dev.vars`;
const PROJECT_ROOT = resolve(import.meta.dirname, "..");
const TTL = /^([1-9][0-9]*)([smhd])$/;
const TTL_UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** An HS256 JWT with the claims the Worker's identify() reads. */
export async function mintToken({
  secret,
  sub,
  name,
  role,
  rooms,
  state,
  ttlSeconds,
  now = Date.now(),
}: MintOptions): Promise<string> {
  const issuedAt = Math.floor(now / 1000);
  return new SignJWT({
    name,
    role,
    ...(rooms === undefined ? {} : { rooms }),
    ...(state === undefined ? {} : { state }),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** `30s`, `15m`, `1h`, `7d` in seconds. */
export function parseTtl(ttl: string): number {
  const match = TTL.exec(ttl);
  if (!match)
    throw new UsageError(
      `--ttl must be a whole number with s, m, h or d (30s, 15m, 1h, 7d), not ${JSON.stringify(ttl)}`,
    );
  return Number(match[1]) * TTL_UNIT_SECONDS[match[2] as keyof typeof TTL_UNIT_SECONDS];
}

const OPTIONS = {
  sub: { type: "string" },
  name: { type: "string" },
  role: { type: "string", default: "member" },
  rooms: { type: "string" },
  state: { type: "string" },
  ttl: { type: "string", default: "1h" },
  secret: { type: "string" },
  "env-file": { type: "string" },
} as const;

function readOptions(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs says what is wrong (an unknown option, a missing value) in a TypeError of its own.
    throw new UsageError((error as Error).message);
  }
}

/** The command line's arguments (after the script), checked by the rules identify() applies to the claims. */
export function parseTokenArgs(args: string[]): TokenRequest {
  const values = readOptions(args);
  const { sub, role } = values;
  if (sub === undefined) throw new UsageError("--sub is required: the user id");
  // Counted as identify() counts it: in UTF-16 units.
  if (sub.length < 1 || sub.length > 64) throw new UsageError("--sub must be 1 to 64 characters");
  if (values.name === undefined) throw new UsageError("--name is required: the display name");
  // Normalized as the Worker normalizes it, so the token carries the name members will see.
  const name = validateName(values.name, DEFAULT_LIMITS);
  if (!name.ok) throw new UsageError(`--name: ${name.error.message}`);
  if (role !== "member" && role !== "moderator")
    throw new UsageError(`--role must be member or moderator, not ${JSON.stringify(role)}`);
  const request: TokenRequest = { sub, name: name.value, role, ttlSeconds: parseTtl(values.ttl) };
  if (values.rooms !== undefined) {
    request.rooms = values.rooms.split(",").map((room) => room.trim());
    const bad = request.rooms.find((room) => !isRoomName(room));
    if (bad !== undefined)
      throw new UsageError(`--rooms: ${JSON.stringify(bad)} is not a room name (${ROOM_NAME_RULE})`);
  }
  if (values.state !== undefined) request.state = parseState(values.state);
  // An empty secret would sign with an empty key, which no Worker should share.
  if (values.secret === "") throw new UsageError("--secret must not be empty");
  if (values.secret !== undefined) request.secret = values.secret;
  if (values["env-file"] !== undefined) request.envFile = values["env-file"];
  return request;
}

/** `--state`: a JSON object within the default MAX_STATE_BYTES, as identify() checks the claim. */
function parseState(json: string): MemberState {
  let state: unknown;
  try {
    state = JSON.parse(json);
  } catch {
    throw new UsageError(`--state must be JSON, not ${JSON.stringify(json)}`);
  }
  const problem = stateProblem(state, DEFAULT_LIMITS);
  if (problem !== undefined) throw new UsageError(`--state: ${problem}`);
  return state as MemberState;
}

/** AUTH_SECRET from a dotenv file (as wrangler reads .dev.vars); the project's .dev.vars by default. */
export function readSecret(envFile = join(PROJECT_ROOT, ".dev.vars")): string {
  let content: string;
  try {
    content = readFileSync(envFile, "utf8");
  } catch {
    throw new UsageError(
      `cannot read ${envFile}; create it in the project root with\n  ${CREATE_DEV_VARS}\nor pass --secret`,
    );
  }
  const secret = parseEnv(content).AUTH_SECRET;
  if (!secret)
    throw new UsageError(`${envFile} has no AUTH_SECRET; add one with\n  ${CREATE_DEV_VARS}\nor pass --secret`);
  return secret;
}

async function main(): Promise<void> {
  try {
    const { secret, envFile, ...claims } = parseTokenArgs(process.argv.slice(2));
    process.stdout.write(`${await mintToken({ ...claims, secret: secret ?? readSecret(envFile) })}\n`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`token: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  }
}

// Only as a command: tests import the functions above.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  await main();
}
