/** Plain-text tables and JSON for the command line. */
import type { Log, LogDescription } from "ethers";

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

/** An event about a bill or a trade, its arguments as text. */
export interface HistoryEntry {
  block: number;
  event: string;
  args: Record<string, string>;
}

/** `log` as a history entry, without the arguments named in `skip`; `format` renders an argument's value. */
export function historyEntry(
  log: Log,
  parsed: LogDescription,
  skip: string[],
  format: (name: string, value: unknown) => string = (_name, value) => String(value),
): HistoryEntry {
  const args: Record<string, string> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    if (!skip.includes(input.name)) args[input.name] = format(input.name, parsed.args[i]);
  });
  return { block: log.blockNumber, event: parsed.name, args };
}

/** A history as a table: one event a row, its arguments as name=value. */
export function historyTable(history: HistoryEntry[]): string {
  return table(
    history.map((h) => ({
      block: h.block,
      event: h.event,
      details: Object.entries(h.args)
        .map(([k, v]) => `${k}=${v}`)
        .join(" "),
    })),
  );
}
