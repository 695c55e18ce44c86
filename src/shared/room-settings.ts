// What a valid change to a room's settings is (slow mode, listing in the directory, its title there), as a
// moderator's `settings` packet or as a body sent to the admin API, and the room's settings after it. The room and
// the browser check the same rules.

import { fail, ok, optionalWholeNumber, type Parsed } from "./fields";
import { DEFAULT_LIMITS, type RoomSettings, type SettingsChange } from "./protocol";
import { validateText } from "./text-rules";

/** The longest slow mode: one chat an hour. */
export const MAX_SLOW_MODE_SECONDS = 3600;
/** A title's length in characters, after trimming. */
export const MAX_TITLE_CHARS = 64;

const SETTING_FIELDS = ["slowModeSeconds", "listed", "title"] as const satisfies readonly (keyof RoomSettings)[];

/** A title is one line of text: a text's rules (text-rules.ts), without its tabs and line breaks. */
export function validateTitle(raw: unknown): Parsed<string> {
  const title = validateText(raw, { ...DEFAULT_LIMITS, maxMessageChars: MAX_TITLE_CHARS }, "title");
  if (!title.ok) return title;
  return /[\t\n]/.test(title.value) ? fail("invalid_text", "title must be one line, without tabs") : title;
}

/** The change a packet (or an admin API body) asks for: the fields it gives, at least one; others are ignored. */
export function parseSettingsChange(packet: Record<string, unknown>): Parsed<SettingsChange> {
  const change: SettingsChange = {};
  const slowMode = optionalWholeNumber(packet, "slowModeSeconds", 0, MAX_SLOW_MODE_SECONDS);
  if (!slowMode.ok) return slowMode;
  if (slowMode.value !== undefined) change.slowModeSeconds = slowMode.value;
  if (packet.listed !== undefined) {
    if (typeof packet.listed !== "boolean") return fail("invalid_field", "listed must be true or false");
    change.listed = packet.listed;
  }
  if (packet.title !== undefined) {
    const title = validateTitle(packet.title);
    if (!title.ok) return title;
    change.title = title.value;
  }
  if (Object.keys(change).length === 0)
    return fail("invalid_field", `a settings change gives at least one of ${SETTING_FIELDS.join(", ")}`);
  return ok(change);
}

/** The settings after `change`, and which fields it changed. */
export function applySettings(
  settings: RoomSettings,
  change: SettingsChange,
): { settings: RoomSettings; changed: (keyof RoomSettings)[] } {
  const after: RoomSettings = { ...settings, ...change };
  const changed = SETTING_FIELDS.filter((field) => after[field] !== settings[field]);
  return { settings: after, changed };
}
