// Bidi controls confined to the text they are in. A message may use them (a right-to-left quote in a left-to-right
// sentence needs them), but what it opens must not go on reordering what is shown after it, and what it closes must
// be its own, not an embedding or isolate the page opened around it.

const EMBEDDING_OPENERS = new Set(["\u202A", "\u202B", "\u202D", "\u202E"]); // LRE RLE LRO RLO, closed by PDF
const ISOLATE_OPENERS = new Set(["\u2066", "\u2067", "\u2068"]); // LRI RLI FSI, closed by PDI
const PDF = "\u202C";
const PDI = "\u2069";
const BIDI_EXPLICIT = /[\u202A-\u202E\u2066-\u2069]/u;

/**
 * The text with its bidi controls confined to it, as UAX #9 (rules X1–X8) pairs them: a closer with no opener of
 * the text's own is dropped, and every opener left open is closed at the end, innermost first. A PDF closes only an
 * embedding opened inside the innermost open isolate; a PDI closes its isolate and every embedding opened after it.
 */
export function confineBidi(text: string): string {
  if (!BIDI_EXPLICIT.test(text)) return text;
  const open: string[] = [];
  let out = "";
  for (const char of text) {
    if (EMBEDDING_OPENERS.has(char) || ISOLATE_OPENERS.has(char)) {
      open.push(char);
    } else if (char === PDF) {
      if (open.length === 0 || !EMBEDDING_OPENERS.has(open.at(-1)!)) continue;
      open.pop();
    } else if (char === PDI) {
      const isolate = open.findLastIndex((opener) => ISOLATE_OPENERS.has(opener));
      if (isolate === -1) continue;
      open.length = isolate;
    }
    out += char;
  }
  for (let i = open.length - 1; i >= 0; i--) out += ISOLATE_OPENERS.has(open[i]!) ? PDI : PDF;
  return out;
}
