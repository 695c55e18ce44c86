// The room's messages (errors, rules) start in lower case, as fragments; on screen they read as sentences.

export function asSentence(fragment: string): string {
  const text = fragment.charAt(0).toUpperCase() + fragment.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** A name inside a sentence of ours, isolated (FSI … PDI): a right-to-left name cannot reorder the sentence. */
export function isolate(name: string): string {
  return `\u2068${name}\u2069`;
}
