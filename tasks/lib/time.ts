const DAY = 24n * 60n * 60n;

/** "+365d" (days from `now`) or an ISO date/time → unix seconds. */
export function parseExpiry(text: string, now: bigint): bigint {
  const relative = /^\+(\d+)d$/.exec(text.trim());
  if (relative) return now + BigInt(relative[1]) * DAY;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`"${text}" is neither an ISO date (2027-12-31) nor +<days>d`);
  return BigInt(Math.floor(ms / 1000));
}
