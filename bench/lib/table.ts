// The benchmark's tables: rows of named cells, printed as aligned columns (`npm run bench`'s summary and ratios) or
// as Markdown (the megaroom's, as bench/README.md keeps them).

/** One row: a cell per column, the columns in the order of the first row's keys. */
export type Row = Record<string, string>;

/** Aligned columns: the first two (what and where) left-aligned, the figures right-aligned. */
export function table(rows: Row[]): string {
  if (rows.length === 0) return "";
  const keys = Object.keys(rows[0]!);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => (r[k] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join("  ");
  return [
    line(keys),
    line(width.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(keys.map((k) => r[k] ?? ""))),
  ].join("\n");
}

/** A Markdown table, ready to paste into bench/README.md. */
export function markdownTable(rows: Row[]): string {
  if (rows.length === 0) return "";
  const keys = Object.keys(rows[0]!);
  return [
    keys.join(" | "),
    keys.map(() => "---").join("|"),
    ...rows.map((r) => keys.map((k) => r[k] ?? "").join(" | ")),
  ].join("\n");
}
