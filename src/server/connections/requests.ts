// Who sent a request, as far as the room may know it (its address), and how a request is refused: one JSON shape,
// with a code a program can act on and a message a person can read, wherever the refusal is made.

/**
 * The client's address as per-address limits count it: Cloudflare's CF-Connecting-IP, with an IPv6 address cut to
 * its /64 (one subscriber's network: whoever holds one has billions of addresses in it), but an IPv4-mapped one
 * (`::ffff:a.b.c.d`, or the same in hex) counted as the IPv4 address it carries: cut to a /64, every such client
 * would share one bucket and one ban. Undefined if absent, which on Cloudflare it never is; only a local test may
 * lack it.
 */
export function clientAddress(request: Request): string | undefined {
  const ip = request.headers.get("CF-Connecting-IP");
  if (ip === null || !ip.includes(":")) return ip ?? undefined;
  const groups = ipv6Groups(ip.toLowerCase());
  const mapped = ipv4Mapped(groups);
  if (mapped !== undefined) return mapped;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** An IPv6 address's eight groups, `::` expanded; a dotted IPv4 tail stays one last group. */
function ipv6Groups(ip: string): string[] {
  const [head = "", tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const dotted = right.at(-1)?.includes(".") || (right.length === 0 && left.at(-1)?.includes(".")) ? 1 : 0;
  return [...left, ...Array<string>(Math.max(0, 8 - dotted - left.length - right.length)).fill("0"), ...right];
}

/** The IPv4 address in `::ffff:a.b.c.d` or `::ffff:aabb:ccdd`; undefined for any other address. */
function ipv4Mapped(groups: string[]): string | undefined {
  const zeros = groups.slice(0, 5);
  if (!zeros.every((group) => /^0+$/.test(group)) || !/^0*ffff$/.test(groups[5] ?? "")) return undefined;
  const tail = groups.slice(6);
  if (tail.length === 1) return /^\d{1,3}(\.\d{1,3}){3}$/.test(tail[0]!) ? tail[0] : undefined;
  const [high, low] = tail.map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? Number.parseInt(group, 16) : NaN));
  if (tail.length !== 2 || Number.isNaN(high) || Number.isNaN(low)) return undefined;
  return [high! >> 8, high! & 0xff, low! >> 8, low! & 0xff].join(".");
}

/** The code of each refusal made in this isolate, until its answer is gone: what the Worker logs it by. */
const refusalCodes = new WeakMap<Response, string>();

export function refusal(
  status: number,
  body: { error: string; message: string },
  headers: Record<string, string> = {},
): Response {
  const response = Response.json(body, { status, headers });
  refusalCodes.set(response, body.error);
  return response;
}

/**
 * The code of `response` if `refusal` made it here: the Worker's own refusals (a room's reach the Worker as answers
 * of their own, and the room logs those itself).
 */
export const refusalCode = (response: Response): string | undefined => refusalCodes.get(response);
