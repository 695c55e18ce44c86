// The blocked-word rule (src/shared/blocked-words.ts): whole words and phrases, on the form names are compared by.

import { describe, expect, it } from "vitest";
import { blockedEntryProblem, parseBlockedWords, WordFilter, wordsOf } from "../../../src/shared/blocked-words";

describe("blocked words", () => {
  const filter = new WordFilter(["ass", "bad word", "Merde"]);

  it("matches whole words only: 'ass' is not in 'class', 'assassin' or 'bass'", () => {
    for (const text of ["ass", "you ass!", "ASS.", "(ass)", "ass-hat", "ass_hat", "1ass"]) {
      expect(filter.blocks(text), text).toBe(text !== "1ass");
    }
    for (const text of ["class", "assassin", "bass guitar", "a s s", "asses"]) {
      expect(filter.blocks(text), text).toBe(false);
    }
  });

  it("folds case, width and invisible characters as names do; keeps accents", () => {
    for (const text of ["ＡＳＳ", "a\u200Bss", "A\u00ADSS", "MERDE alors", "merde"])
      expect(filter.blocks(text), text).toBe(true);
    expect(filter.blocks("mèrde")).toBe(false);
  });

  it("matches a phrase where its words follow one another, whatever separates them", () => {
    for (const text of ["a bad word here", "BAD-word", "bad_word", "bad   word!", "bad\nword"]) {
      expect(filter.blocks(text), text).toBe(true);
    }
    for (const text of ["badword", "bad other word", "word bad", "bad words"])
      expect(filter.blocks(text), text).toBe(false);
  });

  it("blocks nothing with no entries", () => {
    expect(new WordFilter([]).blocks("anything at all")).toBe(false);
  });

  it("cuts text into runs of letters, marks and digits", () => {
    expect(wordsOf("Hello, Wörld! 42 e\u0301")).toEqual(["hello", "wörld", "42", "é"]);
  });

  it("takes lists of at most 500 entries of 1 to 64 characters that hold a word, each once", () => {
    expect(parseBlockedWords([" Foo ", "FOO", "bar baz", "bar-baz"])).toEqual({ ok: true, value: ["Foo", "bar baz"] });
    expect(parseBlockedWords(Array.from({ length: 500 }, (_, i) => `w${i}`)).ok).toBe(true);
    for (const words of [Array.from({ length: 501 }, (_, i) => `w${i}`), "foo", [1], [""], ["x".repeat(65)], ["!!!"]]) {
      expect(parseBlockedWords(words)).toMatchObject({ ok: false, error: { code: "invalid_field" } });
    }
    expect(blockedEntryProblem("x".repeat(64))).toBeUndefined();
  });
});
