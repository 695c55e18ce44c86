// A message's text as nodes: plain text, with http(s) links made clickable and mentions of the reader (`@name`)
// marked. Everything is built with DOM calls from the text's pieces; nothing a member wrote is parsed as HTML.

import { nameKey } from "../shared/names";
import { el } from "./dom";

/** A web address as people paste it; trailing punctuation is trimmed off below. */
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/giu;
/** Punctuation that ends a sentence more often than an address. */
const TRAILING = /[.,;:!?'")\]}»”’]+$/u;
/** Whatever continues a word: a mention of "Ann" is not one of "Annabel". */
const WORD_GOES_ON = /^[\p{L}\p{N}\p{M}_]/u;

export function messageNodes(text: string, selfName: string | undefined): Node[] {
  const nodes: Node[] = [];
  let at = 0;
  for (const match of text.matchAll(LINK)) {
    const href = linkTarget(match[0]);
    if (!href) continue;
    nodes.push(...mentionNodes(text.slice(at, match.index), selfName), link(href.text, href.url));
    at = match.index + href.text.length;
  }
  nodes.push(...mentionNodes(text.slice(at), selfName));
  return nodes;
}

/** The address a match holds, without the sentence's punctuation after it; only http and https are links. */
function linkTarget(raw: string): { text: string; url: string } | undefined {
  let text = raw.replace(TRAILING, "");
  // "(see https://en.wikipedia.org/wiki/Foo_(bar))" keeps its own parenthesis, and leaves the sentence's.
  const closing = raw.slice(text.length).match(/^\)+/u)?.[0] ?? "";
  const opened = (text.match(/\(/gu)?.length ?? 0) - (text.match(/\)/gu)?.length ?? 0);
  text += closing.slice(0, Math.max(0, opened));
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? { text, url: url.href } : undefined;
  } catch {
    return undefined;
  }
}

function link(text: string, href: string): HTMLAnchorElement {
  // A new tab that cannot reach back into this page (noopener) nor learn which room linked it (noreferrer).
  return el("a", { text, attrs: { href, target: "_blank", rel: "noopener noreferrer" } });
}

/** `text` with each `@` + the reader's name (compared as the room compares names) marked. */
function mentionNodes(text: string, selfName: string | undefined): Node[] {
  const key = selfName === undefined ? "" : nameKey(selfName);
  if (key === "" || !text.includes("@")) return text === "" ? [] : [document.createTextNode(text)];
  const nodes: Node[] = [];
  let at = 0;
  for (let i = text.indexOf("@"); i !== -1; i = text.indexOf("@", i + 1)) {
    const end = mentionEnd(text, i + 1, key, selfName!.length);
    if (end === undefined) continue;
    if (i > at) nodes.push(document.createTextNode(text.slice(at, i)));
    nodes.push(el("mark", { className: "mention", text: text.slice(i, end) }));
    at = end;
    i = end - 1;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

/**
 * Where a mention starting at `from` ends, if the text there names the reader: the longest stretch whose key is
 * the name's and after which no word goes on. A key may be shorter or longer than the name as written (widths,
 * invisible characters), so stretches up to twice its length are tried.
 */
function mentionEnd(text: string, from: number, key: string, nameLength: number): number | undefined {
  for (let end = Math.min(text.length, from + nameLength * 2 + 2); end > from; end--) {
    if (WORD_GOES_ON.test(text.slice(end)) || nameKey(text.slice(from, end)) !== key) continue;
    // The stretch must not end in space that the key trimmed away: that space belongs to the sentence.
    if (/\s$/u.test(text.slice(from, end))) continue;
    return end;
  }
  return undefined;
}
