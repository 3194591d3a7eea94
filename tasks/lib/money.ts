import { ethers } from "ethers";

/** The currency has 2 decimals: one unit is one fen. */
export const CURRENCY_DECIMALS = 2;

/**
 * "1234.56" (CNY) → 123456n (fen). Rejects more than two decimals, negatives, garbage and zero: every amount a
 * person gives an act (a payment, a face, a price, a freeze) is greater than zero. `option` names where it came from.
 */
export function parseCny(text: string, option = "the amount"): bigint {
  const trimmed = text.trim().replace(/_/g, "").replace(/,/g, "");
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) {
    throw new Error(`"${text}" is not an amount in CNY with at most two decimals (e.g. 1200000.50)`);
  }
  const fen = ethers.parseUnits(trimmed, CURRENCY_DECIMALS);
  if (fen === 0n) throw new Error(`${option} must be greater than zero, not "${text}"`);
  return fen;
}

/** 123456n (fen) → "1,234.56". */
export function formatCny(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const whole = (abs / 100n).toLocaleString("en-US");
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${whole}.${cents}`;
}
