import { ethers } from "ethers";
import type { Signer, TypedDataDomain } from "ethers";
import type { SettlementEngine } from "../../typechain-types";
import type { ISettlementEngine } from "../../typechain-types/contracts/settlement/SettlementEngine";
import { mined } from "./bills";

/** Mirrors `ISettlementEngine.TradeKind`. */
export enum TradeKind {
  None = 0,
  Swap = 1,
  FreeOfPayment = 2,
  Discount = 3,
  Rediscount = 4,
  CentralBankRediscount = 5,
  OutrightSale = 6,
  PledgeRepo = 7,
  OutrightRepo = 8,
}

/** Mirrors `ISettlementEngine.TradeStatus`. */
export enum TradeStatus {
  None = 0,
  Proposed = 1,
  Settled = 2,
  Rejected = 3,
  Withdrawn = 4,
  Cleared = 5,
  RepoOpen = 6,
  RepoClosed = 7,
  RepoDefaulted = 8,
  RepoTendered = 9,
}

/** One side of a trade: a bill range (asset = the ledger) or a token amount; all zero for an empty leg. */
export interface Leg {
  asset: string;
  billId: bigint;
  start: bigint;
  amount: bigint;
}

/** The terms of a trade, as the engine hashes them (EIP-712). */
export interface Terms {
  kind: TradeKind;
  maker: string;
  taker: string;
  makerLeg: Leg;
  takerLeg: Leg;
  rate: bigint;
  valueDay: bigint;
  endDay: bigint;
  closingAmount: bigint;
  deadline: bigint;
  nonce: bigint;
  /** Commitment to the trade's sealed envelope (keccak256(salt ‖ payload)); ZeroHash if there is none. */
  confidential: string;
}

/** Terms with signatures ("0x" where the submitting party signs by sending). */
export interface SignedOrder {
  terms: Terms;
  makerSignature: string;
  takerSignature: string;
}

export const EMPTY_LEG: Leg = { asset: ethers.ZeroAddress, billId: 0n, start: 0n, amount: 0n };

/** Rates are yearly in millionths: 1 = 0.01 bp. */
export const RATE_SCALE = 1_000_000n;
const DAY_BASIS = 360n;

export const TERMS_TYPES = {
  Terms: [
    { name: "kind", type: "uint8" },
    { name: "maker", type: "address" },
    { name: "taker", type: "address" },
    { name: "makerLeg", type: "Leg" },
    { name: "takerLeg", type: "Leg" },
    { name: "rate", type: "uint32" },
    { name: "valueDay", type: "uint32" },
    { name: "endDay", type: "uint32" },
    { name: "closingAmount", type: "uint128" },
    { name: "deadline", type: "uint40" },
    { name: "nonce", type: "uint256" },
    { name: "confidential", type: "bytes32" },
  ],
  Leg: [
    { name: "asset", type: "address" },
    { name: "billId", type: "uint256" },
    { name: "start", type: "uint48" },
    { name: "amount", type: "uint128" },
  ],
};

/** Parses a rate written as a percentage ("2.35%" or "2.35") into millionths per year. */
export function parseRate(text: string): bigint {
  const match = /^\s*(\d+)(?:\.(\d{1,4}))?\s*%?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a yearly rate in percent with at most 4 decimals, e.g. 2.35%`);
  return BigInt(match[1]) * 10_000n + BigInt((match[2] ?? "").padEnd(4, "0"));
}

/** Millionths per year → "2.3500%". */
export function formatRate(rate: bigint): string {
  return `${rate / 10_000n}.${(rate % 10_000n).toString().padStart(4, "0")}%`;
}

/**
 * Discount proceeds, written independently of the Solidity library: interest = face × rate × days / 360 rounded
 * down, proceeds = face − interest (the buyer never pays a unit less than the exact amount).
 */
export function discountProceeds(face: bigint, rate: bigint, days: bigint): bigint {
  if (days <= 0n) throw new Error("the settlement date must be before maturity");
  if (rate * days >= DAY_BASIS * RATE_SCALE) throw new Error("the rate would take the whole face");
  return face - (face * rate * days) / (DAY_BASIS * RATE_SCALE);
}

/** Pledge-repo repayment: principal + principal × rate × days / 360 rounded up. */
export function repoRepayment(principal: bigint, rate: bigint, days: bigint): bigint {
  if (days <= 0n) throw new Error("the closing date must be after the value date");
  const interest = principal * rate * days;
  const denominator = DAY_BASIS * RATE_SCALE;
  return principal + (interest + denominator - 1n) / denominator;
}

/** Holiday marks of the business calendar: 1 = holiday, 2 = working day (mirrors `IBusinessCalendar.DayMark`). */
export type DayMarks = ReadonlyMap<number, 1 | 2>;

/** Whether CST day `day` is a business day: Monday to Friday unless a holiday, or a weekend working day. */
export function isBusinessDay(day: number, marks: DayMarks): boolean {
  const mark = marks.get(day);
  if (mark !== undefined) return mark === 2;
  const weekday = new Date(day * 86_400_000).getUTCDay(); // 0 = Sunday
  return weekday !== 0 && weekday !== 6;
}

/** The last bill date, 9999-12-31 (mirrors `BillCalendar.MAX_DAY`). */
export const MAX_DAY = 2_932_896;

/** `day`, or the next business day (at most 31 days on, and not after `MAX_DAY`). */
export function rollForward(day: number, marks: DayMarks): number {
  for (let d = day; d <= day + 31 && d <= MAX_DAY; d++) if (isBusinessDay(d, marks)) return d;
  throw new Error(`no business day within 31 days of day ${day}`);
}

/** The engine's EIP-712 domain. */
export async function engineDomain(engine: SettlementEngine): Promise<TypedDataDomain> {
  const domain = await engine.eip712Domain();
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}

/** The trade id: the EIP-712 digest of the terms under the engine's domain. */
export async function tradeIdOf(engine: SettlementEngine, terms: Terms): Promise<string> {
  return ethers.TypedDataEncoder.hash(await engineDomain(engine), TERMS_TYPES, terms);
}

/** Signs `terms` for the engine as `signer` (EIP-712). */
export async function signTerms(engine: SettlementEngine, signer: Signer, terms: Terms): Promise<string> {
  return signer.signTypedData(await engineDomain(engine), TERMS_TYPES, terms);
}

/** A bill leg of `units` units of `billId` from `start`. */
export function billLeg(ledger: string, billId: bigint, start: bigint, units: bigint): Leg {
  return { asset: ledger, billId, start, amount: units };
}

/** A token leg of `amount`. */
export function tokenLeg(token: string, amount: bigint): Leg {
  return { asset: token, billId: 0n, start: 0n, amount };
}

/** A fresh nonce: random 64 bits, so two orders of one signer never collide by chance. */
export function freshNonce(): bigint {
  return BigInt(ethers.hexlify(ethers.randomBytes(8)));
}

/** Converts typechain struct output (a Result) back into plain terms. */
export function termsFromResult(r: ISettlementEngine.TermsStructOutput): Terms {
  const leg = (l: ISettlementEngine.LegStructOutput): Leg => ({
    asset: l.asset,
    billId: l.billId,
    start: l.start,
    amount: l.amount,
  });
  return {
    kind: Number(r.kind) as TradeKind,
    maker: r.maker,
    taker: r.taker,
    makerLeg: leg(r.makerLeg),
    takerLeg: leg(r.takerLeg),
    rate: r.rate,
    valueDay: r.valueDay,
    endDay: r.endDay,
    closingAmount: r.closingAmount,
    deadline: r.deadline,
    nonce: r.nonce,
    confidential: r.confidential,
  };
}

/** The terms of a trade, from its `TradeProposed` or `TradeSettled` event. */
export async function findTerms(engine: SettlementEngine, id: string): Promise<Terms> {
  const proposed = await engine.queryFilter(engine.filters.TradeProposed(id));
  if (proposed.length > 0) return termsFromResult(proposed[0].args.terms);
  const settled = await engine.queryFilter(engine.filters.TradeSettled(id));
  if (settled.length > 0) return termsFromResult(settled[0].args.terms);
  throw new Error(`no trade ${id} was proposed or settled on this engine`);
}

/** Proposes `terms`; returns the trade id. */
export async function propose(engine: SettlementEngine, terms: Terms): Promise<string> {
  await mined(engine.propose(terms));
  return tradeIdOf(engine, terms);
}

/** JSON with bigints as decimal strings (signed orders travel as files). */
export function orderToJson(order: SignedOrder): string {
  return JSON.stringify(order, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/**
 * Reads a signed order written by `orderToJson`, field by field: a field missing or of the wrong form is refused in
 * one line naming it (`source` names the file). Signatures are hex, "0x" where a party has not signed.
 */
export function orderFromJson(text: string, source = "the order"): SignedOrder {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const why = text.trim() === "" ? "it is empty" : (error as Error).message;
    throw new Error(`${source} is not a whole JSON order (cut short, or not an order file?): ${why}`, {
      cause: error,
    });
  }
  const field = (path: string): unknown => {
    let value: unknown = raw;
    for (const key of path.split(".")) {
      value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
    }
    if (value === undefined || value === null) throw new Error(`${source} lacks the field ${path}`);
    return value;
  };
  const whole = (path: string): bigint => {
    const value = field(path);
    if ((typeof value !== "string" && typeof value !== "number") || !/^\d+$/.test(String(value))) {
      throw new Error(`${source}: ${path} is ${JSON.stringify(value)}, not a whole number`);
    }
    return BigInt(value);
  };
  const address = (path: string): string => {
    const value = field(path);
    if (typeof value !== "string" || !ethers.isAddress(value)) {
      throw new Error(`${source}: ${path} is ${JSON.stringify(value)}, not an address`);
    }
    return ethers.getAddress(value);
  };
  const hex = (path: string, bytes?: number): string => {
    const value = field(path);
    if (typeof value !== "string" || !ethers.isHexString(value, bytes)) {
      throw new Error(`${source}: ${path} is ${JSON.stringify(value)}, not ${bytes ? `${bytes} bytes of` : ""} hex`);
    }
    return value;
  };
  const leg = (path: string): Leg => ({
    asset: address(`${path}.asset`),
    billId: whole(`${path}.billId`),
    start: whole(`${path}.start`),
    amount: whole(`${path}.amount`),
  });
  const kind = Number(whole("terms.kind"));
  if (TradeKind[kind] === undefined || kind === TradeKind.None) {
    throw new Error(`${source}: terms.kind ${kind} is not a trade kind`);
  }
  return {
    terms: {
      kind: kind as TradeKind,
      maker: address("terms.maker"),
      taker: address("terms.taker"),
      makerLeg: leg("terms.makerLeg"),
      takerLeg: leg("terms.takerLeg"),
      rate: whole("terms.rate"),
      valueDay: whole("terms.valueDay"),
      endDay: whole("terms.endDay"),
      closingAmount: whole("terms.closingAmount"),
      deadline: whole("terms.deadline"),
      nonce: whole("terms.nonce"),
      confidential: hex("terms.confidential", 32),
    },
    makerSignature: hex("makerSignature"),
    takerSignature: hex("takerSignature"),
  };
}
