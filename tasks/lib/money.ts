import { ethers } from "ethers";

/** The currency has 2 decimals: one unit is one fen. */
export const CURRENCY_DECIMALS = 2;

/** "1234.56" (CNY) → 123456n (fen). Rejects more than two decimals, negatives and garbage. */
export function parseCny(text: string): bigint {
  const trimmed = text.trim().replace(/_/g, "").replace(/,/g, "");
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) {
    throw new Error(`"${text}" is not an amount in CNY with at most two decimals (e.g. 1200000.50)`);
  }
  return ethers.parseUnits(trimmed, CURRENCY_DECIMALS);
}

/** 123456n (fen) → "1,234.56". */
export function formatCny(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const whole = (abs / 100n).toLocaleString("en-US");
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${whole}.${cents}`;
}
