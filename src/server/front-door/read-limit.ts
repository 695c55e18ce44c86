// Reads anyone may make, a room's look and the directory, each reach an object: one address may make READ_LIMIT of
// them per period (wrangler.toml), checked by the Worker before any object is reached. Past it, a 429 says when to
// come back. The admin's reads (its bearer token) are not counted: an operator's dashboard is not a flood.

import type { Env } from "../config/env";
import { clientAddress, refusal } from "../connections/requests";

/** The refusal for a read past its address's limit, or undefined to let it through. */
export async function refuseRead(request: Request, env: Env, admin: boolean): Promise<Response | undefined> {
  const address = clientAddress(request);
  if (admin || address === undefined || !env.READ_LIMIT) return undefined;
  if ((await env.READ_LIMIT.limit({ key: address })).success) return undefined;
  return refusal(
    429,
    { error: "too_many_requests", message: "too many requests from your address; try again in a few seconds" },
    { "Retry-After": "10" },
  );
}
