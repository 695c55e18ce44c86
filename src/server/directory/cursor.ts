// Where a page of the directory ends, as the next request names it: the last room listed, by the order pages go in
// (members, most first, then name). Opaque to callers, who hand it back as they got it: base64url of a small JSON
// array, checked on the way back in like any input.

import { isRoomName } from "../../shared/protocol";

/** The last room of a page: the next page starts after it. */
export interface Cursor {
  members: number;
  name: string;
}

export function encodeCursor({ members, name }: Cursor): string {
  return btoa(JSON.stringify([members, name]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The cursor a string stands for; undefined if it is none this directory made. */
export function decodeCursor(raw: string): Cursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(raw)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(atob(raw.replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [members, name] = value as unknown[];
  if (typeof members !== "number" || !Number.isSafeInteger(members) || members < 0) return undefined;
  if (typeof name !== "string" || !isRoomName(name)) return undefined;
  return { members, name };
}
