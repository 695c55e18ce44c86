// A message's game data (item links, match invites, coordinates), shown for what it is: a disclosure that opens on
// the JSON, indented, as text. Nothing in it is ever markup, a link or an image.

import type { GameData } from "../shared/protocol";
import { el } from "./dom";
import { dataText } from "./message-view";

export function gameData(data: GameData | undefined): HTMLElement[] {
  if (data === undefined) return [];
  return [
    el("details", { className: "game-data" }, [
      el("summary", { text: "Game data", attrs: { "data-focus": "data" } }),
      el("pre", { className: "game-data-json", text: dataText(data), attrs: { dir: "ltr" } }),
    ]),
  ];
}
