import { describe, expect, it } from "vitest";
import { confineBidi } from "../../../src/shared/bidi";

const [LRE, RLE, PDF, LRO, RLO] = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E"];
const [LRI, RLI, FSI, PDI] = ["\u2066", "\u2067", "\u2068", "\u2069"];

describe("confineBidi", () => {
  it("leaves text without explicit bidi controls, and balanced ones, as they are", () => {
    expect(confineBidi("plain \u200F mark \u200E and \u061C")).toBe("plain \u200F mark \u200E and \u061C");
    const balanced = `a${RLE}b${PDF}c${RLI}d${PDI}e${LRO}f${FSI}g${PDI}${PDF}`;
    expect(confineBidi(balanced)).toBe(balanced);
  });

  it("closes what the text leaves open at its end, innermost first", () => {
    expect(confineBidi(`${RLO}gnp.exe`)).toBe(`${RLO}gnp.exe${PDF}`);
    expect(confineBidi(`${RLI}rtl ${RLE}nested`)).toBe(`${RLI}rtl ${RLE}nested${PDF}${PDI}`);
    expect(confineBidi(`${LRE}a${FSI}b${LRO}c`)).toBe(`${LRE}a${FSI}b${LRO}c${PDF}${PDI}${PDF}`);
  });

  it("drops a closer that would close what was opened around the text", () => {
    expect(confineBidi(`${PDI}${PDF}outside`)).toBe("outside");
    expect(confineBidi(`a${PDF}${PDF}b`)).toBe("ab");
    expect(confineBidi(`${RLE}a${PDF}b${PDF}`)).toBe(`${RLE}a${PDF}b`);
  });

  it("lets a PDI close its isolate and the embeddings opened after it", () => {
    expect(confineBidi(`${LRI}a${RLE}b${PDI}c`)).toBe(`${LRI}a${RLE}b${PDI}c`);
    // The PDI already closed the embedding, so the PDF after it has nothing left to close.
    expect(confineBidi(`${LRI}a${RLE}b${PDI}c${PDF}d`)).toBe(`${LRI}a${RLE}b${PDI}cd`);
  });

  it("does not let a PDF reach out of an isolate to an embedding opened before it", () => {
    expect(confineBidi(`${RLE}a${LRI}b${PDF}c`)).toBe(`${RLE}a${LRI}bc${PDI}${PDF}`);
  });

  it("keeps every character but closers, and leaves every closer closing something of the text's own", () => {
    const pieces = [LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, "x"];
    let seed = 7;
    const next = () => {
      seed = (seed * 48_271) % 2_147_483_647; // MINSTD: the same strings every run
      return seed % pieces.length;
    };
    const withoutClosers = (text: string) => text.replace(/[\u202C\u2069]/g, "");
    for (let round = 0; round < 500; round++) {
      const text = Array.from({ length: 12 }, () => pieces[next()]).join("");
      const confined = confineBidi(text);
      expect(withoutClosers(confined), JSON.stringify(text)).toBe(withoutClosers(text));
      expect(balanced(confined), JSON.stringify(text)).toBe(true);
    }
  });
});

/** Whether every PDF and PDI closes something opened in the text, and nothing is left open (UAX #9, X1–X8). */
function balanced(text: string): boolean {
  const open: string[] = [];
  for (const char of text) {
    if ([LRE, RLE, LRO, RLO, LRI, RLI, FSI].includes(char)) {
      open.push(char);
    } else if (char === PDF) {
      if (![LRE, RLE, LRO, RLO].includes(open.at(-1) ?? "")) return false;
      open.pop();
    } else if (char === PDI) {
      const isolate = open.findLastIndex((opener) => [LRI, RLI, FSI].includes(opener));
      if (isolate === -1) return false;
      open.length = isolate;
    }
  }
  return open.length === 0;
}
