// A free name to offer when the room refused one as taken: the refused name with a number (`Ann 2`, `Ann 3`…),
// as the room itself renames a guest, skipping the names of the members online now.

import { guestName, nameKey } from "../shared/names";

/**
 * Asks the room who is there (GET /api/rooms/<room>: its first page of members, as many as it lists at once); a room
 * that does not say still gets a suggestion.
 */
export async function freeName(room: string, taken: string, maxChars: number): Promise<string> {
  const keys = new Set([nameKey(taken)]);
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(room)}?limit=1000`);
    const info = (await response.json()) as { members?: { name: string }[] };
    for (const member of info.members ?? []) keys.add(nameKey(member.name));
  } catch {
    // Unknown members: the suggestion may be taken too, and then the room says so.
  }
  return guestName(taken, maxChars, (name) => keys.has(nameKey(name)));
}
