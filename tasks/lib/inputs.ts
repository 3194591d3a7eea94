/**
 * Checks of what a person types on the command line, made before anything is read from or sent to the chain:
 * addresses, unified social credit codes (GB 32100-2015), calendar dates and times (China Standard Time unless a
 * zone is given). Each refusal is one line naming the option and what it should look like.
 */
import { ethers } from "ethers";

// ---------------------------------------------------------------- addresses

/** `text` as a checksummed address, or one line saying why it is not one (`option` names where it came from). */
export function parseAddress(text: string, option: string): string {
  const value = text.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
    throw new Error(`${option} "${text}" is not an address (0x and 40 hex digits)`);
  }
  if (!ethers.isAddress(value)) {
    throw new Error(
      `${option} "${text}" fails its checksum (a mistyped character, or mixed case changed): ` +
        "check it, or give it in lower case",
    );
  }
  return ethers.getAddress(value);
}

/**
 * The task options that take one address, or a comma-separated list (`wallets`), wherever they appear; `from` takes
 * an address or an account index, `who` an address or a credit code.
 */
const ADDRESS_OPTIONS = [
  "to",
  "account",
  "acceptor",
  "payee",
  "endorsee",
  "creditor",
  "guarantor",
  "target",
  "holder",
  "taker",
  "maker",
  "token",
  "wallet",
];

/** `--deployment-id` → "deploymentId": the option as a person typed it. */
export function optionName(param: string): string {
  return `--${param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Refuses, in one line, a task's arguments that cannot be right whatever the chain says: an address option that is
 * not an address, a `--code` that is not a valid unified social credit code. Called by every task before it loads
 * the platform.
 */
export function checkArgs(args: Record<string, unknown>): void {
  for (const param of ADDRESS_OPTIONS) {
    const value = args[param];
    if (typeof value === "string") parseAddress(value, optionName(param));
  }
  if (typeof args.wallets === "string") {
    for (const wallet of args.wallets.split(",")) parseAddress(wallet, "--wallets");
  }
  if (typeof args.from === "string" && args.from !== "" && !/^\d+$/.test(args.from.trim())) {
    parseAddress(args.from, "--from");
  }
  if (typeof args.who === "string" && /^0x/i.test(args.who.trim())) parseAddress(args.who, "--who");
  else if (typeof args.who === "string") parseUscc(args.who, "--who");
  if (typeof args.code === "string") parseUscc(args.code, "--code");
}

// ---------------------------------------------------------------- counts

/** A whole number greater than zero (a bill id, a first unit, a number of units or seconds), or one line. */
export function parseCount(text: string, option: string): bigint {
  if (!/^\d+$/.test(text.trim()) || BigInt(text.trim()) === 0n) {
    throw new Error(`${option} must be a whole number greater than zero, not "${text}"`);
  }
  return BigInt(text.trim());
}

// ---------------------------------------------------------------- unified social credit codes

/** The code's alphabet (GB 32100-2015): digits and the capitals without I, O, S, V and Z. */
export const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** The check character of the first 17 characters of a code: weights 3^i mod 31, check = 31 − (sum mod 31). */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new Error("a check character is computed from 17 characters");
  let sum = 0;
  let weight = 1;
  for (const char of first17) {
    const value = USCC_ALPHABET.indexOf(char);
    if (value < 0) throw new Error(`"${char}" is not a character of a unified social credit code`);
    sum += value * weight;
    weight = (weight * 3) % 31;
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/** Whether `code` (trimmed, any case) is 18 characters of the alphabet ending in its check character. */
export function isValidUscc(code: string): boolean {
  const c = code.trim().toUpperCase();
  return (
    c.length === 18 && [...c].every((ch) => USCC_ALPHABET.includes(ch)) && usccCheckCharacter(c.slice(0, 17)) === c[17]
  );
}

/** `text` upper-cased and trimmed, or one line saying what is wrong with it as a unified social credit code. */
export function parseUscc(text: string, option = "--code"): string {
  const code = text.trim().toUpperCase();
  const what = `${option} "${text}" is not a unified social credit code`;
  if (code.length !== 18) throw new Error(`${what}: it has ${code.length} characters, not 18`);
  const bad = [...code].find((ch) => !USCC_ALPHABET.includes(ch));
  if (bad !== undefined) {
    throw new Error(`${what}: "${bad}" is not in its alphabet (digits and capitals except I, O, S, V, Z)`);
  }
  const check = usccCheckCharacter(code.slice(0, 17));
  if (check !== code[17]) {
    throw new Error(`${what}: its check character is ${code[17]}, the first 17 characters give ${check} (GB 32100)`);
  }
  return code;
}

// ---------------------------------------------------------------- dates and times

const DAY = 86_400;
/** China Standard Time, UTC+8: the platform's day. */
export const CST_OFFSET_SECONDS = 8 * 3600;

/** Days since 1970-01-01 of the calendar date y-m-d, or undefined when that date does not exist. */
export function calendarDay(year: number, month: number, day: number): number | undefined {
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  if (year < 1970 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return ms / 1000 / DAY;
}

/**
 * "+365d" (days from `now`), a date ("2027-12-31": 00:00:00 China Standard Time that day) or a date and time
 * ("2027-12-31T18:00", "2027-12-31T18:00:00+08:00", "2027-12-31T10:00:00Z"; without a zone, China Standard Time)
 * → unix seconds. A date or time that does not exist (2027-02-30, 24:00) is refused.
 */
export function parseExpiry(text: string, now: bigint): bigint {
  const value = text.trim();
  const relative = /^\+(\d+)d$/.exec(value);
  if (relative) return now + BigInt(relative[1]) * BigInt(DAY);
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?)?$/.exec(value);
  if (!match) {
    throw new Error(
      `"${text}" is neither a date (2027-12-31, China Standard Time), a date and time (2027-12-31T18:00) nor +<days>d`,
    );
  }
  const [, y, mo, d, h = "0", mi = "0", s = "0", zone] = match;
  const day = calendarDay(Number(y), Number(mo), Number(d));
  if (day === undefined) throw new Error(`"${text}": ${y}-${mo}-${d} is not a date on the calendar`);
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw new Error(`"${text}": the time of day does not exist`);
  let offset = CST_OFFSET_SECONDS;
  if (zone === "Z") offset = 0;
  else if (zone !== undefined) {
    const [zh, zm] = zone.slice(1).split(":").map(Number);
    if (zh > 14 || zm > 59) throw new Error(`"${text}": ${zone} is not a time zone offset`);
    offset = (zone[0] === "-" ? -1 : 1) * (zh * 3600 + zm * 60);
  }
  return BigInt(day * DAY + Number(h) * 3600 + Number(mi) * 60 + Number(s) - offset);
}
