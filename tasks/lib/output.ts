/** Plain-text tables and JSON for the command line. */

export type Row = Record<string, string | number | bigint | boolean | undefined>;

function cell(value: Row[string]): string {
  return value === undefined ? "-" : String(value);
}

/** Renders rows as an aligned table with a header line. */
export function table(rows: Row[]): string {
  if (rows.length === 0) return "(nothing)";
  const columns = Object.keys(rows[0]);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join("\n");
}

/** JSON with bigints as decimal strings. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}
