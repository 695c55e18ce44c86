// A token from the game's or site's backend, handed to this page in its address's fragment: `/rooms/lobby#token=…`.
// A fragment is never sent to the server, neither in the page request nor in a Referer header. The page takes it
// out of the address bar at once (so it is not copied along with a link to share) and keeps it for this tab only,
// so that a reload still has it. The room verifies it; the page only reads it, to know its name and role ahead.

const TOKEN_KEY = "edge-chat-rooms.token";

/** What the page reads of a token: unverified, for display only (the room decides who we are). */
export interface TokenClaims {
  sub?: string;
  name?: string;
  role?: string;
}

export interface TokenSources {
  location: { hash: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  storage: Pick<Storage, "getItem" | "setItem">;
}

/** The token this tab was given, now or before; undefined if none. */
export function takeToken({ location, history, storage }: TokenSources): string | undefined {
  const given = new URLSearchParams(location.hash.slice(1)).get("token");
  if (given) {
    storage.setItem(TOKEN_KEY, given);
    history.replaceState(null, "", location.pathname + location.search);
    return given;
  }
  return storage.getItem(TOKEN_KEY) ?? undefined;
}

/** The claims of a JWT's payload, or an empty set if it cannot be read. */
export function readClaims(token: string): TokenClaims {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = new TextDecoder().decode(
      Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
    );
    const claims = JSON.parse(json) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === "string" ? value : undefined);
    return { sub: text(claims.sub), name: text(claims.name), role: text(claims.role) };
  } catch {
    return {};
  }
}

/** The room's WebSocket address with the token, if there is one. */
export const withToken = (url: string, token: string | undefined): string =>
  token === undefined ? url : `${url}?token=${encodeURIComponent(token)}`;
