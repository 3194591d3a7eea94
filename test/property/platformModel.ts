/*
 * The model of the whole platform for test/property/platform.property.test.ts: registry standings, the digital
 * currency and a listed foreign token, the bill ledger with every range's liability chain, presentments and
 * recourse claims, and the settlement engine's trades.
 *
 * Every act is simulated on a copy of the model (`Sim`): it either completes, and the copy is the state the chain
 * must reach, or throws `Refused` with the custom error the chain must raise (`error`; undefined where the model
 * only predicts that the act is refused). An act may also be declared `lenient`: the rules leave open whether it is
 * refused, so either outcome is accepted.
 *
 * The contracts are modelled as the SECURITY-CHECKLIST rules 1-9 of the platform test's header say they must behave
 * (the intended rules). A rule listed in `baseRules` is modelled as the contracts on this branch implement it
 * instead, so that the rest of the model can be checked against them while the rule is being fixed.
 */
import { ethers } from "ethers";
import { Act as LedgerAct, BillType, LinkKind, RangeState, cstDayOf, startOfCstDay } from "../../tasks/lib/bills";
import { EntityKind, EntityStatus } from "../../tasks/lib/identity";
import {
  TERMS_TYPES,
  TradeKind,
  TradeStatus,
  discountProceeds,
  isBusinessDay,
  repoRepayment,
  rollForward,
  type Leg,
  type Terms,
} from "../../tasks/lib/dvp";
import { WALLETS, type SceneBill, type SceneLink, type WalletName } from "../fixtures/platformScene";

export { WALLETS, type WalletName };

// ---------------------------------------------------------------------------------------------------------------
// The cast

export type Entity = "X" | "Y" | "Z" | "W" | "A" | "B" | "F" | "C" | "R";
export const ENTITIES: readonly Entity[] = ["X", "Y", "Z", "W", "A", "B", "F", "C"];
/** Who acts: a trading wallet, the regulator, the pauser, the admin (also the settlement agent), an outsider. */
export type Actor = WalletName | "regulator" | "pauser" | "admin" | "outsider";
/** Who holds money: the trading wallets and the two platform contracts. */
export const HOLDERS = [...WALLETS, "engine", "payments"] as const;
export type Holder = (typeof HOLDERS)[number];
/** The counterparty of a range: a wallet, or the engine (escrow, repo pledge). */
export type Party = WalletName | "engine";

export const ENTITY_OF: Record<WalletName, Entity> = {
  X: "X",
  X2: "X",
  Y: "Y",
  Y2: "Y",
  Z: "Z",
  W: "W",
  A: "A",
  A2: "A",
  B: "B",
  F: "F",
  C: "C",
};
export const KIND_OF: Record<Entity, EntityKind> = {
  X: EntityKind.Enterprise,
  Y: EntityKind.Enterprise,
  Z: EntityKind.Enterprise,
  W: EntityKind.Enterprise,
  A: EntityKind.Bank,
  B: EntityKind.Bank,
  F: EntityKind.FinanceCompany,
  C: EntityKind.CentralBank,
  R: EntityKind.Regulator,
};
/** The bank whose KYC verified each entity: it alone renews, suspends and reinstates it. */
export const PROVIDER_OF: Record<Entity, WalletName> = {
  X: "A",
  Y: "B",
  Z: "B",
  W: "A",
  A: "B",
  B: "A",
  F: "A",
  C: "A",
  R: "A",
};
export const ENTERPRISES: readonly WalletName[] = ["X", "X2", "Y", "Y2", "Z", "W"];
export const LENDERS: readonly WalletName[] = ["A", "A2", "B", "F"];
export const INSTITUTIONS: readonly WalletName[] = ["A", "A2", "B", "F", "C"];

export const DAY = 86_400n;
/** The ledger's settings in the fixture. */
export const ANSWER_WINDOW = 10n * DAY;
export const PRESENTATION_DAYS = 10;
export const RECOURSE_BPS = 435n;
export const MAX_UINT = ethers.MaxUint256;
const NO_MARKS = new Map<number, 1 | 2>();

// ---------------------------------------------------------------------------------------------------------------
// State

/** A link of a range's liability chain (endorsee: whom an endorsement went to). */
export type Link = SceneLink;

export interface Presentment {
  presentedAt: bigint;
  answerBy: bigint;
  late: boolean;
}

export interface RangeModel {
  start: bigint;
  end: bigint;
  holder: WalletName;
  state: RangeState;
  priorState: RangeState;
  pendingAct: LedgerAct;
  noRecourse: boolean;
  deadline: bigint;
  counterparty: Party | null;
  links: Link[];
  /** The acceptor paid recourse: the chain commitment is zero. */
  zeroChain: boolean;
  presentment?: Presentment;
  /** Dishonoured by its holder for the acceptor's bankruptcy; `late`: on or after the presentation period's end. */
  bankruptcy?: { late: boolean; day: number };
  /** The pending recourse claim and the links the range keeps once it is paid ("zero": the acceptor pays). */
  claim?: { target: WalletName; keep: number | "zero" };
}

export interface BillModel extends SceneBill {
  splittable: boolean;
  ranges: RangeModel[];
}

export interface TradeModel {
  id: string;
  terms: Terms;
  status: TradeStatus;
  refundOwed: bigint;
  signed: boolean;
}

export interface Money {
  balance: Record<Holder, bigint>;
  supply: bigint;
}

export interface Model {
  /** Timestamp of the latest block. */
  now: bigint;
  entities: Record<Entity, { status: EntityStatus; expiresAt: bigint }>;
  cash: Money & {
    paused: boolean;
    frozen: Record<Holder, boolean>;
    frozenAmount: Record<Holder, bigint>;
    allowance: Record<WalletName, { engine: bigint; payments: bigint }>;
  };
  token: Money & { allowance: Record<WalletName, bigint> };
  ledgerPaused: boolean;
  enginePaused: boolean;
  listed: boolean;
  bankrupt: Partial<Record<WalletName, boolean>>;
  bills: BillModel[];
  trades: TradeModel[];
  escrow: { cash: bigint; token: bigint };
}

/** The fixed facts of the deployment. */
export interface World {
  address: Record<WalletName | "regulator" | "pauser" | "admin" | "outsider" | "engine" | "payments", string>;
  walletAt: Map<string, WalletName>;
  ledger: string;
  currency: string;
  token: string;
  engine: string;
  payments: string;
  domain: ethers.TypedDataDomain;
}

// ---------------------------------------------------------------------------------------------------------------
// Simulation context

export class Refused extends Error {
  constructor(
    why: string,
    readonly error: string | undefined,
  ) {
    super(why);
  }
}

/** One act's simulation: the model copy it changes, the rules it applies, what it learnt. */
export class Sim {
  /** Set when the rules leave the act's outcome open: a refusal (with any error) is accepted too. */
  lenientWhy: string | undefined;
  /** Set where a rule decides the act and the fix may refuse it with an error of its own choosing. */
  unnamed = false;
  /** The rules (1-9, and their parts: "2b") whose intended behaviour decided this act. */
  readonly rulesUsed = new Set<string>();

  constructor(
    readonly w: World,
    readonly m: Model,
    /** Rules modelled as the contracts on this branch implement them. */
    readonly baseRules: ReadonlySet<string>,
    /** The act's block time. */
    readonly t: bigint,
  ) {}

  /** Whether rule `k` ("2", or one of its parts, "2b") is modelled as intended. */
  intended(k: string): boolean {
    return !this.baseRules.has(k) && !this.baseRules.has(k.replace(/[a-z]$/, ""));
  }

  lenient(why: string): void {
    this.lenientWhy ??= why;
  }

  get today(): number {
    return cstDayOf(this.t);
  }
}

/** Refuses the act with `error` (undefined: any error); after `lenient` the error is not predicted. */
export function refuse(s: Sim, error: string | undefined, why: string): never {
  throw new Refused(why, s.lenientWhy === undefined && !s.unnamed ? error : undefined);
}

/** Refuses the act because intended rule `k` says so; any error. */
function refuseByRule(s: Sim, k: string, why: string): never {
  s.rulesUsed.add(k);
  throw new Refused(`rule ${k}: ${why}`, undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// Identity

export type Subject = WalletName | "regulator" | "outsider" | "engine" | "payments" | "admin" | "pauser";

/** The registry's kind of `who` at the act's time if verified, else None. */
export function kindOf(s: Sim, who: Subject): EntityKind {
  if (who === "engine" || who === "payments") return EntityKind.System;
  if (who === "outsider" || who === "admin" || who === "pauser") return EntityKind.None;
  const entity: Entity = who === "regulator" ? "R" : ENTITY_OF[who];
  const e = entity === "R" ? { status: EntityStatus.Active, expiresAt: 1n << 60n } : s.m.entities[entity];
  return e.status === EntityStatus.Active && s.t < e.expiresAt ? KIND_OF[entity] : EntityKind.None;
}

export function verified(s: Sim, who: Subject): boolean {
  return kindOf(s, who) !== EntityKind.None;
}

/**
 * Whether two wallets are the same party: the same entity (rule 5: "5a" for the party rules of acts, "5b" for
 * liability), or on this branch the same wallet.
 */
function sameParty(s: Sim, a: WalletName, b: WalletName, rule: "5a" | "5b"): boolean {
  if (a === b) return true;
  if (ENTITY_OF[a] !== ENTITY_OF[b]) return false;
  if (!s.intended(rule)) return false;
  s.rulesUsed.add(rule);
  return true;
}

function sameEntity(a: WalletName, b: WalletName): boolean {
  return ENTITY_OF[a] === ENTITY_OF[b];
}

// ---------------------------------------------------------------------------------------------------------------
// Money

type TokenName = "cash" | "token";

/** The currency's `_update` (pause, KYC of both sides, account freeze, balance, frozen amount). */
function cashUpdate(s: Sim, from: Holder, to: Holder, value: bigint): void {
  const c = s.m.cash;
  if (c.paused) refuse(s, "CurrencyPaused", "currency paused");
  for (const x of [from, to]) {
    const kind = kindOf(s, x);
    if (kind === EntityKind.None) refuse(s, "CurrencyUnverifiedAccount", `${x} unverified`);
    if (kind === EntityKind.Regulator) refuse(s, "CurrencyRegulatorAccount", `${x} regulator`);
  }
  if (c.frozen[from]) refuse(s, "CurrencyAccountFrozen", `${from}'s account frozen`);
  if (value > c.balance[from]) refuse(s, "ERC20InsufficientBalance", `${from} holds ${c.balance[from]} < ${value}`);
  const available = c.balance[from] > c.frozenAmount[from] ? c.balance[from] - c.frozenAmount[from] : 0n;
  if (value > available) refuse(s, "CurrencyInsufficientAvailableBalance", `${from} has ${available} free < ${value}`);
  c.balance[from] -= value;
  c.balance[to] += value;
}

function tokenTransfer(s: Sim, from: Holder, to: Holder, value: bigint): void {
  const k = s.m.token;
  if (value > k.balance[from]) refuse(s, "ERC20InsufficientBalance", `${from} holds ${k.balance[from]} tokens`);
  k.balance[from] -= value;
  k.balance[to] += value;
}

/** `spender` pulls `value` from `owner` to `to` (transferFrom): allowance first, then the transfer. */
function pull(s: Sim, token: TokenName, owner: WalletName, spender: "engine" | "payments", to: Holder, value: bigint) {
  if (token === "cash") {
    const a = s.m.cash.allowance[owner];
    if (a[spender] < value) refuse(s, "ERC20InsufficientAllowance", `${owner}'s allowance to ${spender}`);
    if (a[spender] !== MAX_UINT) a[spender] -= value;
    cashUpdate(s, owner, to, value);
  } else {
    const a = s.m.token.allowance;
    if (a[owner] < value) refuse(s, "ERC20InsufficientAllowance", `${owner}'s token allowance`);
    if (a[owner] !== MAX_UINT) a[owner] -= value;
    tokenTransfer(s, owner, to, value);
  }
}

/** The engine's `_pay`: out of the engine, or from `from` by the engine's allowance. */
function enginePay(s: Sim, token: TokenName, from: WalletName | "engine", to: Holder, value: bigint): void {
  if (from === "engine") {
    if (token === "cash") cashUpdate(s, "engine", to, value);
    else tokenTransfer(s, "engine", to, value);
  } else {
    pull(s, token, from, "engine", to, value);
  }
}

/**
 * A call the engine tolerates failing (a range's return, a trySafeTransfer): `act` is tried on a copy first; if it
 * would be refused nothing changes and the answer is false, else it runs on the model.
 */
function attempt(s: Sim, act: (sim: Sim) => void): boolean {
  const probe = new Sim(s.w, structuredClone(s.m), s.baseRules, s.t);
  try {
    act(probe);
  } catch (e) {
    if (e instanceof Refused) return false;
    throw e;
  }
  act(s);
  return true;
}

/** The engine pays `value` of `token` out of escrow to `to` if the token lets it (trySafeTransfer). */
function tryEscrowPay(s: Sim, token: TokenName, to: Holder, value: bigint): boolean {
  return attempt(s, (sim) => {
    enginePay(sim, token, "engine", to, value);
    sim.m.escrow[token] -= value;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Ledger

export function billOf(m: Model, id: bigint): BillModel {
  const bill = m.bills.find((b) => b.id === id);
  if (bill === undefined) throw new Error(`no bill ${id} in the model`);
  return bill;
}

export function rangeAt(bill: BillModel, start: bigint): RangeModel | undefined {
  return bill.ranges.find((r) => r.start === start);
}

function maturityStart(bill: BillModel): bigint {
  return BigInt(startOfCstDay(bill.maturityDay));
}

function checkNotMatured(s: Sim, bill: BillModel): void {
  if (s.t >= maturityStart(bill)) refuse(s, "BillMatured", `bill ${bill.id} matured`);
}

/** The ledger's `_checkParty`: verified and not a regulator wallet. */
function checkLedgerParty(s: Sim, who: Subject): EntityKind {
  const kind = kindOf(s, who);
  if (kind === EntityKind.None) refuse(s, "BillUnverifiedParty", `${who} unverified`);
  if (kind === EntityKind.Regulator) refuse(s, "BillRegulatorParty", `${who} is a regulator wallet`);
  return kind;
}

function acceptorKind(type: BillType): EntityKind {
  if (type === BillType.BankAcceptance) return EntityKind.Bank;
  if (type === BillType.FinanceCompanyAcceptance) return EntityKind.FinanceCompany;
  return EntityKind.Enterprise;
}

/** Splits `range` so that it keeps its first `amount` units. */
function takePart(s: Sim, bill: BillModel, range: RangeModel, amount: bigint, splittable: boolean): void {
  const size = range.end - range.start + 1n;
  if (amount === 0n || amount > size) refuse(s, "BillInvalidAmount", `${amount} of a range of ${size}`);
  if (amount === size) return;
  if (!splittable) refuse(s, "BillNotSplittable", `bill ${bill.id} range ${range.start} moves whole`);
  const rest: RangeModel = structuredClone({ ...range, start: range.start + amount });
  delete rest.presentment;
  delete rest.claim;
  delete rest.bankruptcy;
  range.end = range.start + amount - 1n;
  bill.ranges.splice(bill.ranges.indexOf(range) + 1, 0, rest);
}

function rangeOrRefuse(s: Sim, bill: BillModel, start: bigint): RangeModel {
  return rangeAt(bill, start) ?? refuse(s, "BillUnknownRange", `no range ${bill.id}/${start}`);
}

function checkState(s: Sim, range: RangeModel, expected: RangeState): void {
  if (range.state !== expected) {
    refuse(s, "BillWrongState", `range ${range.start} is ${RangeState[range.state]}, not ${RangeState[expected]}`);
  }
}

function openGate(s: Sim): void {
  if (s.m.ledgerPaused) refuse(s, "BillPaused", "ledger paused");
}

/** The ledger's `_apply`: the holder locks the first `amount` units of its holding for `act`. */
function applyAct(
  s: Sim,
  bill: BillModel,
  start: bigint,
  amount: bigint,
  caller: Actor,
  required: RangeState,
  act: LedgerAct,
  counterparty: WalletName,
  noRecourse: boolean,
  splittable: boolean,
): void {
  const range = rangeOrRefuse(s, bill, start);
  if (range.holder !== caller) refuse(s, "BillNotEntitled", `${caller} does not hold ${bill.id}/${start}`);
  checkState(s, range, required);
  takePart(s, bill, range, amount, splittable);
  Object.assign(range, {
    priorState: required,
    state: RangeState.Locked,
    pendingAct: act,
    noRecourse,
    deadline: s.t + ANSWER_WINDOW,
    counterparty,
  });
}

function endApplication(range: RangeModel): void {
  Object.assign(range, {
    state: range.priorState,
    priorState: RangeState.None,
    pendingAct: LedgerAct.None,
    noRecourse: false,
    deadline: 0n,
    counterparty: null,
  });
}

/** Rule 7: acceptance and receipt are neither applied for nor signed from the maturity day. */
function checkActBeforeMaturity(s: Sim, bill: BillModel, what: string): void {
  if (s.t < maturityStart(bill)) return;
  const rule = what.startsWith("signing") ? "7b" : "7a";
  if (s.intended(rule)) refuseByRule(s, rule, `${what} of bill ${bill.id} on or after its maturity`);
}

export function presentForAcceptance(s: Sim, billId: bigint, caller: Actor): void {
  const bill = billOf(s.m, billId);
  checkActBeforeMaturity(s, bill, "acceptance");
  openGate(s);
  checkLedgerParty(s, caller as Subject);
  checkLedgerParty(s, bill.acceptor);
  if (kindOf(s, bill.acceptor) !== acceptorKind(bill.type)) refuse(s, "BillWrongPartyKind", "acceptor kind");
  applyAct(s, bill, 1n, bill.face, caller, RangeState.Issued, LedgerAct.Acceptance, bill.acceptor, false, false);
}

export function presentForReceipt(s: Sim, billId: bigint, caller: Actor): void {
  const bill = billOf(s.m, billId);
  checkActBeforeMaturity(s, bill, "receipt");
  openGate(s);
  checkLedgerParty(s, caller as Subject);
  checkLedgerParty(s, bill.payee);
  applyAct(s, bill, 1n, bill.face, caller, RangeState.Accepted, LedgerAct.Receipt, bill.payee, false, false);
}

/** The ledger's `_checkCounterparty`, by entity under rule 5. */
function checkCounterparty(s: Sim, counterparty: WalletName, caller: Actor): void {
  if (counterparty === caller) refuse(s, "BillInvalidParty", `${counterparty} is the applicant`);
  if (caller in ENTITY_OF && sameParty(s, counterparty, caller as WalletName, "5a")) {
    refuseByRule(s, "5a", `${counterparty} is the applicant's own entity`);
  }
}

/** An application's parties, as the ledger checks them: counterparty rule, pause, both verified; its kind. */
function checkApplicants(s: Sim, counterparty: WalletName, caller: Actor): EntityKind {
  checkCounterparty(s, counterparty, caller);
  openGate(s);
  checkLedgerParty(s, caller as Subject);
  return checkLedgerParty(s, counterparty);
}

export function endorse(
  s: Sim,
  billId: bigint,
  start: bigint,
  amount: bigint,
  endorsee: WalletName,
  noRecourse: boolean,
  caller: Actor,
): void {
  const bill = billOf(s.m, billId);
  if (bill.notTransferable) refuse(s, "BillNotTransferable", "drawer's not-transferable mark");
  checkNotMatured(s, bill);
  const kind = checkApplicants(s, endorsee, caller);
  if (kind !== EntityKind.Enterprise) refuse(s, "BillWrongPartyKind", `${endorsee} is no enterprise`);
  applyAct(
    s,
    bill,
    start,
    amount,
    caller,
    RangeState.Circulating,
    LedgerAct.Endorsement,
    endorsee,
    noRecourse,
    bill.splittable,
  );
}

export function pledge(s: Sim, billId: bigint, start: bigint, amount: bigint, creditor: WalletName, caller: Actor) {
  const bill = billOf(s.m, billId);
  if (bill.notTransferable) refuse(s, "BillNotTransferable", "drawer's not-transferable mark");
  checkNotMatured(s, bill);
  checkApplicants(s, creditor, caller);
  applyAct(s, bill, start, amount, caller, RangeState.Circulating, LedgerAct.Pledge, creditor, false, bill.splittable);
}

export function requestGuarantee(
  s: Sim,
  billId: bigint,
  start: bigint,
  amount: bigint,
  guarantor: WalletName,
  caller: Actor,
): void {
  const bill = billOf(s.m, billId);
  checkApplicants(s, guarantor, caller);
  applyAct(
    s,
    bill,
    start,
    amount,
    caller,
    RangeState.Circulating,
    LedgerAct.Guarantee,
    guarantor,
    false,
    bill.splittable,
  );
}

export function sign(s: Sim, billId: bigint, start: bigint, caller: Actor): void {
  const bill = billOf(s.m, billId);
  const range = rangeAt(bill, start);
  if (range?.state === RangeState.Locked && range.pendingAct === LedgerAct.Acceptance) {
    checkActBeforeMaturity(s, bill, "signing acceptance");
  }
  if (range?.state === RangeState.Locked && range.pendingAct === LedgerAct.Receipt) {
    checkActBeforeMaturity(s, bill, "signing receipt");
  }
  openGate(s);
  const r = rangeOrRefuse(s, bill, start);
  checkState(s, r, RangeState.Locked);
  if (r.counterparty !== caller) refuse(s, "BillNotEntitled", `${caller} is not the counterparty`);
  if (s.t >= r.deadline) refuse(s, "BillApplicationExpired", "answer deadline passed");
  const counterparty = r.counterparty as WalletName;
  checkLedgerParty(s, r.holder);
  const kind = checkLedgerParty(s, counterparty);
  let next = RangeState.Circulating;
  switch (r.pendingAct) {
    case LedgerAct.Acceptance:
      if (kind !== acceptorKind(bill.type)) refuse(s, "BillWrongPartyKind", "acceptor kind");
      next = RangeState.Accepted;
      break;
    case LedgerAct.Receipt:
      if (kind !== EntityKind.Enterprise) refuse(s, "BillWrongPartyKind", "payee kind");
      r.holder = counterparty;
      break;
    case LedgerAct.Endorsement:
      checkNotMatured(s, bill);
      if (kind !== EntityKind.Enterprise) refuse(s, "BillWrongPartyKind", "endorsee kind");
      r.links.push({ kind: "endorsement", party: r.holder, noRecourse: r.noRecourse, endorsee: counterparty });
      r.holder = counterparty;
      break;
    case LedgerAct.Pledge:
      checkNotMatured(s, bill);
      next = RangeState.Pledged;
      break;
    default:
      r.links.push({ kind: "guarantee", party: counterparty, noRecourse: false });
      next = r.priorState;
  }
  const keep = r.pendingAct === LedgerAct.Pledge;
  endApplication(r);
  r.state = next;
  if (keep) r.counterparty = counterparty;
}

export function endLedgerApplication(
  s: Sim,
  billId: bigint,
  start: bigint,
  caller: Actor,
  how: "reject" | "withdraw" | "clear",
): void {
  const bill = billOf(s.m, billId);
  const r = rangeOrRefuse(s, bill, start);
  checkState(s, r, RangeState.Locked);
  if (how === "reject" && r.counterparty !== caller) refuse(s, "BillNotEntitled", "not the counterparty");
  if (how === "withdraw" && r.holder !== caller) refuse(s, "BillNotEntitled", "not the applicant");
  if (how === "clear" && s.t < r.deadline) refuse(s, "BillApplicationPending", "deadline not reached");
  endApplication(r);
}

export function releasePledge(s: Sim, billId: bigint, start: bigint, caller: Actor): void {
  const r = rangeOrRefuse(s, billOf(s.m, billId), start);
  checkState(s, r, RangeState.Pledged);
  if (r.counterparty !== caller) refuse(s, "BillNotEntitled", "not the creditor");
  r.counterparty = null;
  r.state = RangeState.Circulating;
}

export function freezeRange(s: Sim, billId: bigint, start: bigint, amount: bigint, caller: Actor): void {
  if (caller !== "regulator") refuse(s, "AccessControlUnauthorizedAccount", "not the regulator");
  const bill = billOf(s.m, billId);
  const r = rangeOrRefuse(s, bill, start);
  if (r.state === RangeState.Frozen || r.state === RangeState.Redeemed) {
    refuse(s, "BillWrongState", `range is ${RangeState[r.state]}`);
  }
  if (r.state === RangeState.Locked) endApplication(r);
  const state = r.state;
  const divisible =
    bill.splittable &&
    (state === RangeState.Circulating || (state === RangeState.Pledged && r.counterparty !== "engine"));
  takePart(s, bill, r, amount, divisible);
  r.priorState = state;
  r.state = RangeState.Frozen;
}

export function unfreezeRange(s: Sim, billId: bigint, start: bigint, caller: Actor): void {
  if (caller !== "regulator") refuse(s, "AccessControlUnauthorizedAccount", "not the regulator");
  const r = rangeOrRefuse(s, billOf(s.m, billId), start);
  checkState(s, r, RangeState.Frozen);
  r.state = r.priorState;
  r.priorState = RangeState.None;
}

/** The ledger's `settleRange` (payments' operator entry). */
function settleRange(s: Sim, r: RangeModel, state: RangeState, newHolder: WalletName, newState: RangeState): void {
  openGate(s);
  checkState(s, r, state);
  if (newHolder !== r.holder) checkLedgerParty(s, newHolder);
  r.holder = newHolder;
  r.state = newState;
}

/**
 * The ledger's `tradeRange` (the engine's operator entry), with rule 1: a bill the drawer marked not transferable
 * is neither moved to another holder nor pledged (escrow in place and releases may happen).
 */
function tradeRange(
  s: Sim,
  leg: Leg,
  holder: WalletName,
  state: RangeState,
  newHolder: WalletName,
  newState: RangeState,
): void {
  const bill = billOf(s.m, leg.billId);
  const release = newHolder === holder && newState === RangeState.Circulating;
  if (bill.notTransferable && (newHolder !== holder || newState === RangeState.Pledged) && s.intended("1")) {
    refuseByRule(s, "1", `bill ${bill.id} is not transferable: no ${newHolder !== holder ? "transfer" : "pledge"}`);
  }
  const r = rangeOrRefuse(s, bill, leg.start);
  if (r.holder !== holder) refuse(s, "BillNotEntitled", `range held by ${r.holder}, not ${holder}`);
  if (s.m.ledgerPaused && !release) refuse(s, "BillPaused", "ledger paused");
  if (release && r.state === RangeState.Frozen && r.priorState === state) {
    r.priorState = RangeState.Circulating;
    r.counterparty = null;
    return;
  }
  checkState(s, r, state);
  if (!release && state !== RangeState.Pledged) checkNotMatured(s, bill);
  takePart(s, bill, r, leg.amount, state === RangeState.Circulating && bill.splittable);
  if (newHolder !== holder) {
    checkLedgerParty(s, newHolder);
    r.links.push({ kind: "endorsement", party: holder, noRecourse: false, endorsee: newHolder });
    r.holder = newHolder;
  }
  r.state = newState;
  r.counterparty = newState === RangeState.Escrowed || newState === RangeState.Pledged ? "engine" : null;
}

export function setLedgerPaused(s: Sim, paused: boolean, caller: Actor): void {
  if (caller !== "pauser") refuse(s, "AccessControlUnauthorizedAccount", "not the pauser");
  if (paused && s.m.ledgerPaused) refuse(s, "BillPaused", "already paused");
  if (!paused && !s.m.ledgerPaused) refuse(s, "BillNotPaused", "not paused");
  s.m.ledgerPaused = paused;
}

export function setBankrupt(s: Sim, acceptor: WalletName, bankrupt: boolean, caller: Actor): void {
  if (caller !== "admin") refuse(s, "AccessControlUnauthorizedAccount", "not the admin");
  s.m.bankrupt[acceptor] = bankrupt;
}

// ---------------------------------------------------------------------------------------------------------------
// Payments

function paymentRange(s: Sim, billId: bigint, start: bigint): { bill: BillModel; r: RangeModel } {
  const bill = billOf(s.m, billId);
  return { bill, r: rangeOrRefuse(s, bill, start) };
}

export function presentForPayment(s: Sim, billId: bigint, start: bigint, caller: Actor): void {
  const { bill, r } = paymentRange(s, billId, start);
  if (r.holder !== caller) refuse(s, "PaymentNotEntitled", `${caller} does not hold the range`);
  if (s.today < bill.maturityDay) refuse(s, "PaymentNotMatured", "before maturity");
  const late = s.today >= bill.maturityDay + PRESENTATION_DAYS;
  // Rule 3: the acceptor (its entity) presenting its own bill settles it without a claim.
  const own = sameEntity(r.holder, bill.acceptor);
  if (own && s.intended("3a")) {
    s.rulesUsed.add("3a");
    settleRange(s, r, RangeState.Circulating, r.holder, RangeState.Redeemed);
    return;
  }
  settleRange(s, r, RangeState.Circulating, r.holder, RangeState.Presented);
  r.presentment = { presentedAt: s.t, answerBy: s.t + ANSWER_WINDOW, late };
}

function checkAcceptorCaller(s: Sim, bill: BillModel, caller: Actor): void {
  if (caller !== bill.acceptor) refuse(s, "PaymentNotEntitled", `${caller} is not the acceptor`);
}

export function pay(s: Sim, billId: bigint, start: bigint, caller: Actor): void {
  const bill = billOf(s.m, billId);
  checkAcceptorCaller(s, bill, caller);
  const r = rangeOrRefuse(s, bill, start);
  const amount = r.end - r.start + 1n;
  const holder = r.holder;
  settleRange(s, r, RangeState.Presented, holder, RangeState.Redeemed);
  pull(s, "cash", bill.acceptor, "payments", holder, amount);
}

export function dishonour(s: Sim, billId: bigint, start: bigint, reason: number, caller: Actor): void {
  const bill = billOf(s.m, billId);
  checkAcceptorCaller(s, bill, caller);
  if (reason === 0 || reason === 255) refuse(s, "PaymentInvalidReason", `reason ${reason}`);
  const r = rangeOrRefuse(s, bill, start);
  settleRange(s, r, RangeState.Presented, r.holder, RangeState.Dishonoured);
}

export function declareDishonoured(s: Sim, billId: bigint, start: bigint, caller: Actor): void {
  const { r } = paymentRange(s, billId, start);
  if (r.holder !== caller) refuse(s, "PaymentNotEntitled", `${caller} does not hold the range`);
  const answerBy = r.presentment?.answerBy ?? 0n;
  if (s.t < answerBy) refuse(s, "PaymentAnswerPending", "the acceptor may still answer");
  settleRange(s, r, RangeState.Presented, r.holder, RangeState.Dishonoured);
}

export function dishonourForBankruptcy(s: Sim, billId: bigint, start: bigint, caller: Actor): void {
  const bill = billOf(s.m, billId);
  if (!s.m.bankrupt[bill.acceptor]) refuse(s, "PaymentAcceptorNotBankrupt", `${bill.acceptor} not bankrupt`);
  const r = rangeOrRefuse(s, bill, start);
  if (r.holder !== caller) refuse(s, "PaymentNotEntitled", `${caller} does not hold the range`);
  if (sameEntity(r.holder, bill.acceptor) && s.intended("3b")) {
    s.lenient("rule 3: the acceptor's own entity treats its bill as dishonoured");
  }
  settleRange(s, r, RangeState.Circulating, r.holder, RangeState.Dishonoured);
  r.bankruptcy = { late: s.today >= bill.maturityDay + PRESENTATION_DAYS, day: s.today };
  // As fixed (rule 4), the dishonour is recorded as a presentment, late from the end of the presentation period.
  if (s.intended("4")) r.presentment = { presentedAt: s.t, answerBy: s.t, late: r.bankruptcy.late };
}

/**
 * Whom the holder of a dishonoured range may claim from, and what the range keeps once `target` paid: the links
 * before the target's liable appearance, all of them for the drawer's empty chain (0), or a zero chain when the
 * acceptor pays. Intended rules: 3 (an acceptor holding its own bill has no recourse), 4 (a late holder keeps
 * recourse against the drawer and the acceptor only, whichever way the range was dishonoured), 5 (parties compared
 * as entities), 6 (a not-transferable endorsement still binds the endorser to its direct endorsee).
 */
export function liability(
  s: Sim,
  bill: BillModel,
  r: RangeModel,
  target: WalletName,
): { liable: false; why: string } | { liable: true; keep: number | "zero"; lenient?: string } {
  const holder = r.holder;
  const same = (a: WalletName, b: WalletName) => sameParty(s, a, b, "5b");
  if (same(target, holder)) return { liable: false, why: "the holder's own entity" };
  if (s.intended("3b") && sameEntity(holder, bill.acceptor)) {
    if (holder !== bill.acceptor || target === bill.drawer || ENTITY_OF[target] === ENTITY_OF[bill.drawer]) {
      s.rulesUsed.add("3b");
    }
    return { liable: false, why: "rule 3: the acceptor holds its own bill" };
  }
  if (same(target, bill.acceptor)) return { liable: true, keep: "zero" };
  if (same(holder, bill.drawer)) return { liable: false, why: "the drawer holding its bill claims the acceptor only" };
  if (same(target, bill.drawer)) return { liable: true, keep: 0 };
  const links = r.links;
  let limit = links.findIndex((l) => same(l.party, holder));
  if (limit < 0) limit = links.length;
  const lateByPresentment = r.presentment?.late ?? false;
  const lateByBankruptcy = r.bankruptcy?.late ?? false;
  if (lateByBankruptcy && s.intended("4")) s.rulesUsed.add("4");
  if (lateByPresentment || (lateByBankruptcy && s.intended("4"))) {
    return { liable: false, why: "late: only the drawer and the acceptor stay liable" };
  }
  for (let i = limit - 1; i >= 0; i--) {
    const l = links[i];
    if (!same(l.party, target)) continue;
    let bound = l.kind === "guarantee" || !l.noRecourse;
    if (!bound && l.endorsee !== undefined && same(l.endorsee, holder) && s.intended("6")) {
      s.rulesUsed.add("6");
      bound = true;
    }
    if (bound) {
      // Rule 4 read strictly counts the presentation period from the claim for a range dishonoured for
      // bankruptcy in time; either reading is accepted.
      const afterPeriod = s.today >= bill.maturityDay + PRESENTATION_DAYS;
      const lenient =
        r.bankruptcy !== undefined && afterPeriod && s.intended("4") ? "rule 4: claim after the period" : undefined;
      return { liable: true, keep: i, lenient };
    }
  }
  return { liable: false, why: `${target} is not liable to ${holder}` };
}

export function claimRecourse(s: Sim, billId: bigint, start: bigint, target: WalletName, caller: Actor): void {
  const { bill, r } = paymentRange(s, billId, start);
  if (r.holder !== caller) refuse(s, "PaymentNotEntitled", `${caller} does not hold the range`);
  if (r.state !== RangeState.Dishonoured) refuse(s, "PaymentNotDishonoured", `range is ${RangeState[r.state]}`);
  if (r.claim !== undefined) refuse(s, "PaymentClaimPending", "a claim is pending");
  if (target === caller) refuse(s, "PaymentNotLiable", "the holder itself");
  const verdict = liability(s, bill, r, target);
  if (!verdict.liable) {
    // The contracts on this branch may refuse with their own reasons where a rule decided.
    refuse(s, s.rulesUsed.size > 0 ? undefined : "PaymentNotLiable", verdict.why);
  }
  if (verdict.lenient !== undefined) s.lenient(verdict.lenient);
  r.claim = { target, keep: verdict.keep };
}

/** What recourse on `units` units costs at `t`: face plus interest from maturity, act/360, rounded up. */
export function recourseAmount(bill: BillModel, units: bigint, t: bigint): bigint {
  const payDay = cstDayOf(t);
  if (payDay <= bill.maturityDay) return units;
  const days = BigInt(payDay - bill.maturityDay);
  const denominator = 10_000n * 360n;
  return units + (units * RECOURSE_BPS * days + denominator - 1n) / denominator;
}

export function payRecourse(s: Sim, billId: bigint, start: bigint, caller: Actor): void {
  const { bill, r } = paymentRange(s, billId, start);
  const claim = r.claim ?? refuse(s, "PaymentNoClaim", "no claim pending");
  if (caller !== claim.target) refuse(s, "PaymentNotEntitled", `${caller} is not the target`);
  const payer = claim.target;
  const amount = recourseAmount(bill, r.end - r.start + 1n, s.t);
  const next = sameParty(s, payer, bill.acceptor, "5b") ? RangeState.Redeemed : RangeState.Dishonoured;
  const holder = r.holder;
  delete r.claim;
  settleRange(s, r, RangeState.Dishonoured, payer, next);
  if (claim.keep === "zero") {
    r.links = [];
    r.zeroChain = true;
  } else {
    r.links = r.links.slice(0, claim.keep);
  }
  pull(s, "cash", payer, "payments", holder, amount);
}

export function withdrawClaim(s: Sim, billId: bigint, start: bigint, caller: Actor): void {
  const { r } = paymentRange(s, billId, start);
  if (r.claim === undefined) refuse(s, "PaymentNoClaim", "no claim pending");
  if (r.holder !== caller) refuse(s, "PaymentNotEntitled", `${caller} does not hold the range`);
  delete r.claim;
}

// ---------------------------------------------------------------------------------------------------------------
// Engine

export function tradeIdOf(w: World, t: Terms): string {
  return ethers.TypedDataEncoder.hash(w.domain, TERMS_TYPES, t);
}

export function walletOf(w: World, address: string): WalletName {
  const n = w.walletAt.get(address);
  if (n === undefined) throw new Error(`${address} is no trading wallet`);
  return n;
}

function tokenOfLeg(w: World, leg: Leg): TokenName {
  return leg.asset === w.currency ? "cash" : "token";
}

function isBillLeg(w: World, leg: Leg): boolean {
  return leg.asset === w.ledger;
}

function isRepo(kind: TradeKind): boolean {
  return kind === TradeKind.PledgeRepo || kind === TradeKind.OutrightRepo;
}

const KIND_BIT = (k: EntityKind) => 1 << k;
const LENDER_KINDS = KIND_BIT(EntityKind.Bank) | KIND_BIT(EntityKind.FinanceCompany);
const INSTITUTION_KINDS = LENDER_KINDS | KIND_BIT(EntityKind.CentralBank);
const TRADER_KINDS = INSTITUTION_KINDS | KIND_BIT(EntityKind.Enterprise);

function checkKind(s: Sim, who: WalletName, kind: EntityKind, allowed: number): void {
  if ((allowed & KIND_BIT(kind)) === 0) refuse(s, "TradeWrongPartyKind", `${who} of kind ${EntityKind[kind]}`);
}

/** The engine's `_checkTerms`. */
export function checkTerms(s: Sim, t: Terms): void {
  const w = s.w;
  if (s.t >= t.deadline) refuse(s, "TradeExpired", "deadline passed");
  if (t.makerLeg.asset === ethers.ZeroAddress) refuse(s, "TradeInvalidLeg", "empty maker leg");
  const maker = walletOf(w, t.maker);
  const taker = walletOf(w, t.taker);
  if (maker === taker) refuse(s, "TradeInvalidParty", "self-trade");
  if (sameParty(s, maker, taker, "5a")) refuseByRule(s, "5a", `${maker} and ${taker} are one entity`);
  const makerKind = kindOf(s, maker);
  const takerKind = kindOf(s, taker);
  if (makerKind === EntityKind.None) refuse(s, "TradeUnverifiedParty", `maker ${maker} unverified`);
  if (takerKind === EntityKind.None) refuse(s, "TradeUnverifiedParty", `taker ${taker} unverified`);
  const makerBill = checkLeg(s, t.makerLeg);
  const takerBill = checkLeg(s, t.takerLeg);
  switch (t.kind) {
    case TradeKind.Swap: {
      if (t.takerLeg.asset === ethers.ZeroAddress) refuse(s, "TradeInvalidLeg", "empty taker leg");
      checkKind(s, maker, makerKind, TRADER_KINDS);
      checkKind(s, taker, takerKind, TRADER_KINDS);
      const makerEnterprise = makerKind === EntityKind.Enterprise;
      if ((makerBill || takerBill) && makerEnterprise !== (takerKind === EntityKind.Enterprise)) {
        refuse(s, "TradeWrongPartyKind", "bill swap between an enterprise and an institution");
      }
      checkNoPricing(s, t);
      return;
    }
    case TradeKind.FreeOfPayment:
      if (!makerBill) refuse(s, "TradeInvalidLeg", "FOP without a bill");
      if (t.takerLeg.asset !== ethers.ZeroAddress) refuse(s, "TradeInvalidLeg", "FOP with a taker leg");
      checkKind(s, maker, makerKind, INSTITUTION_KINDS);
      checkKind(s, taker, takerKind, INSTITUTION_KINDS);
      checkNoPricing(s, t);
      return;
    default: {
      if (makerBill === takerBill || t.takerLeg.asset === ethers.ZeroAddress) refuse(s, "TradeInvalidLeg", "legs");
      const [seller, sellerKind, buyer, buyerKind] = makerBill
        ? [maker, makerKind, taker, takerKind]
        : [taker, takerKind, maker, makerKind];
      if (t.kind === TradeKind.Discount) {
        checkKind(s, seller, sellerKind, KIND_BIT(EntityKind.Enterprise));
        checkKind(s, buyer, buyerKind, LENDER_KINDS);
      } else if (t.kind === TradeKind.Rediscount) {
        checkKind(s, seller, sellerKind, LENDER_KINDS);
        checkKind(s, buyer, buyerKind, LENDER_KINDS);
      } else if (t.kind === TradeKind.CentralBankRediscount) {
        checkKind(s, seller, sellerKind, LENDER_KINDS);
        checkKind(s, buyer, buyerKind, KIND_BIT(EntityKind.CentralBank));
      } else {
        checkKind(s, seller, sellerKind, INSTITUTION_KINDS);
        checkKind(s, buyer, buyerKind, INSTITUTION_KINDS);
      }
      checkPrice(s, t, makerBill ? t.makerLeg : t.takerLeg, makerBill ? t.takerLeg : t.makerLeg);
    }
  }
}

function checkLeg(s: Sim, leg: Leg): boolean {
  if (leg.asset === s.w.ledger) return true;
  if (leg.asset === ethers.ZeroAddress) return false;
  if (leg.asset === s.w.token && !s.m.listed) refuse(s, "TradeTokenNotListed", "foreign token delisted");
  return false;
}

function checkNoPricing(s: Sim, t: Terms): void {
  if (t.rate !== 0n || t.endDay !== 0n || t.closingAmount !== 0n) refuse(s, "TradeInvalidTerms", "pricing fields");
}

function checkPrice(s: Sim, t: Terms, billLeg: Leg, cashLeg: Leg): void {
  if (t.kind === TradeKind.OutrightSale) return checkNoPricing(s, t);
  const maturity = BigInt(billOf(s.m, billLeg.billId).maturityDay);
  if (isRepo(t.kind)) {
    if (t.endDay <= t.valueDay || !isBusinessDay(Number(t.endDay), NO_MARKS)) refuse(s, "TradeInvalidTerms", "dates");
    if (t.endDay >= maturity) refuse(s, "TradeBillMatured", "repo ends at or after maturity");
    if (t.kind === TradeKind.OutrightRepo) {
      if (t.rate !== 0n || t.closingAmount === 0n) refuse(s, "TradeInvalidTerms", "outright repo pricing");
      return;
    }
    const repayment = repoRepayment(cashLeg.amount, t.rate, t.endDay - t.valueDay);
    if (t.closingAmount !== repayment) refuse(s, "TradePriceMismatch", "repo repayment");
    return;
  }
  if (t.rate === 0n || t.endDay !== 0n || t.closingAmount !== 0n) refuse(s, "TradeInvalidTerms", "discount fields");
  if (maturity <= t.valueDay) refuse(s, "TradeBillMatured", "bill matured by the value day");
  const days = BigInt(rollForward(Number(maturity), NO_MARKS)) - t.valueDay;
  if (t.rate * days >= 360n * 1_000_000n) refuse(s, "PricingRateTooHigh", "rate");
  if (cashLeg.amount !== discountProceeds(billLeg.amount, t.rate, days)) refuse(s, "TradePriceMismatch", "proceeds");
}

export function tradeOf(m: Model, id: string): TradeModel | undefined {
  return m.trades.find((x) => x.id === id);
}

function checkEngineNotPaused(s: Sim): void {
  if (s.m.enginePaused) refuse(s, "TradeEnginePaused", "engine paused");
}

function checkValueDay(s: Sim, t: Terms): void {
  if (t.valueDay !== BigInt(s.today)) refuse(s, "TradeNotValueDay", "not the value day");
}

export function propose(s: Sim, t: Terms, caller: Actor): void {
  checkEngineNotPaused(s);
  if (t.maker !== s.w.address[caller]) refuse(s, "TradeInvalidParty", "caller is not the maker");
  if (t.valueDay < BigInt(s.today)) refuse(s, "TradeNotValueDay", "value day passed");
  checkTerms(s, t);
  const maker = walletOf(s.w, t.maker);
  const id = tradeIdOf(s.w, t);
  if (isBillLeg(s.w, t.makerLeg)) {
    if (billOf(s.m, t.makerLeg.billId).notTransferable && s.intended("1")) {
      s.lenient("rule 1: a not-transferable range may be escrowed in place or refused at once");
    }
    tradeRange(s, t.makerLeg, maker, RangeState.Circulating, maker, RangeState.Escrowed);
  } else {
    const token = tokenOfLeg(s.w, t.makerLeg);
    pull(s, token, maker, "engine", "engine", t.makerLeg.amount);
    s.m.escrow[token] += t.makerLeg.amount;
  }
  s.m.trades.push({ id, terms: t, status: TradeStatus.Proposed, refundOwed: 0n, signed: false });
}

interface Flow {
  token: TokenName;
  from: WalletName;
  to: WalletName;
  amount: bigint;
}

/** Delivers `leg` from `from` to `to` (out of escrow if `escrowed`), or adds its token movement to `flows`. */
function deliver(
  s: Sim,
  t: Terms,
  leg: Leg,
  from: WalletName,
  to: WalletName,
  escrowed: boolean,
  flows?: Flow[],
  payers?: Set<WalletName>,
): void {
  if (leg.asset === ethers.ZeroAddress) return;
  if (isBillLeg(s.w, leg)) {
    const state = escrowed ? RangeState.Escrowed : RangeState.Circulating;
    if (t.kind === TradeKind.PledgeRepo) tradeRange(s, leg, from, state, from, RangeState.Pledged);
    else if (t.kind === TradeKind.OutrightRepo) tradeRange(s, leg, from, state, to, RangeState.Escrowed);
    else tradeRange(s, leg, from, state, to, RangeState.Circulating);
    return;
  }
  const token = tokenOfLeg(s.w, leg);
  if (escrowed) {
    // Rule 9: the maker's escrowed money is still the maker's; a freeze of its account holds it in the engine.
    if (token === "cash" && s.m.cash.frozen[from] && s.intended("9")) {
      s.rulesUsed.add("9");
      refuse(s, "CurrencyAccountFrozen", `${from}'s account frozen: its escrow stays`);
    }
    s.m.escrow[token] -= leg.amount;
    enginePay(s, token, "engine", to, leg.amount);
  } else if (flows !== undefined) {
    if (token === "cash") payers?.add(from);
    addFlow(flows, token, from, to, leg.amount);
  } else {
    enginePay(s, token, from, to, leg.amount);
  }
}

/** The engine's netting: movements of one token between the same two parties are summed or offset. */
function addFlow(flows: Flow[], token: TokenName, from: WalletName, to: WalletName, amount: bigint): void {
  for (const f of flows) {
    if (f.token !== token) continue;
    if (f.from === from && f.to === to) {
      f.amount += amount;
      return;
    }
    if (f.from === to && f.to === from) {
      if (f.amount >= amount) f.amount -= amount;
      else Object.assign(f, { from, to, amount: amount - f.amount });
      return;
    }
  }
  flows.push({ token, from, to, amount });
}

function proposed(s: Sim, t: Terms): TradeModel {
  const trade = tradeOf(s.m, tradeIdOf(s.w, t));
  if (trade?.status !== TradeStatus.Proposed)
    refuse(s, "TradeWrongStatus", `status ${TradeStatus[trade?.status ?? 0]}`);
  return trade;
}

/** Rule 1: whether the trade would move or pledge a range of a bill the drawer marked not transferable. */
function movesNotTransferable(s: Sim, t: Terms): boolean {
  if (!s.intended("1")) return false;
  return [t.makerLeg, t.takerLeg].some((leg) => isBillLeg(s.w, leg) && billOf(s.m, leg.billId).notTransferable);
}

export function accept(s: Sim, t: Terms, caller: Actor): void {
  if (movesNotTransferable(s, t)) s.unnamed = true;
  checkEngineNotPaused(s);
  const trade = proposed(s, t);
  if (t.taker !== s.w.address[caller]) refuse(s, "TradeNotEntitled", "caller is not the taker");
  checkValueDay(s, t);
  checkTerms(s, t);
  trade.status = isRepo(t.kind) ? TradeStatus.RepoOpen : TradeStatus.Settled;
  const maker = walletOf(s.w, t.maker);
  const taker = walletOf(s.w, t.taker);
  deliver(s, t, t.makerLeg, maker, taker, true);
  deliver(s, t, t.takerLeg, taker, maker, false);
}

export function endTrade(s: Sim, t: Terms, caller: Actor, how: TradeStatus): void {
  const trade = proposed(s, t);
  if (how === TradeStatus.Rejected && t.taker !== s.w.address[caller]) refuse(s, "TradeNotEntitled", "not the taker");
  if (how === TradeStatus.Withdrawn && t.maker !== s.w.address[caller]) refuse(s, "TradeNotEntitled", "not the maker");
  if (how === TradeStatus.Cleared && s.t < t.deadline) refuse(s, "TradePending", "deadline not reached");
  trade.status = how;
  const maker = walletOf(s.w, t.maker);
  if (isBillLeg(s.w, t.makerLeg)) {
    tradeRange(s, t.makerLeg, maker, RangeState.Escrowed, maker, RangeState.Circulating);
    return;
  }
  const token = tokenOfLeg(s.w, t.makerLeg);
  if (!tryEscrowPay(s, token, maker, t.makerLeg.amount)) trade.refundOwed = t.makerLeg.amount;
}

/**
 * Pays what a trade owes its caller: an ended proposal's refund to its maker, a closed repo's repayment to its lender
 * (a tendered repo owes nothing until its range is back).
 */
export function reclaim(s: Sim, t: Terms, caller: Actor): void {
  const trade = tradeOf(s.m, tradeIdOf(s.w, t));
  let owedTo = walletOf(s.w, t.maker);
  let leg = t.makerLeg;
  let owed = trade?.refundOwed ?? 0n;
  const tendered = trade?.status === TradeStatus.RepoTendered;
  if (tendered || trade?.status === TradeStatus.RepoClosed) {
    const repo = repoParties(s.w, t);
    owedTo = repo.lender;
    leg = repo.cashLeg;
    if (tendered) owed = 0n;
  }
  if (owedTo !== caller) refuse(s, "TradeNotEntitled", `not ${owedTo}`);
  if (trade === undefined || owed === 0n) refuse(s, "TradeNothingOwed", "nothing owed");
  trade.refundOwed = 0n;
  const token = tokenOfLeg(s.w, leg);
  s.m.escrow[token] -= owed;
  enginePay(s, token, "engine", owedTo, owed);
}

/** One signed order (settle, or a member of settleBatch when `flows` is given). */
function settleSigned(s: Sim, t: Terms, caller: Actor, flows?: Flow[], payers?: Set<WalletName>): void {
  if (movesNotTransferable(s, t)) s.unnamed = true;
  checkValueDay(s, t);
  checkTerms(s, t);
  const maker = walletOf(s.w, t.maker);
  const taker = walletOf(s.w, t.taker);
  const id = tradeIdOf(s.w, t);
  if (tradeOf(s.m, id) !== undefined) refuse(s, "TradeNonceUsed", "order already used");
  s.m.trades.push({
    id,
    terms: t,
    status: isRepo(t.kind) ? TradeStatus.RepoOpen : TradeStatus.None,
    refundOwed: 0n,
    signed: true,
  });
  void caller;
  deliver(s, t, t.makerLeg, maker, taker, false, flows, payers);
  deliver(s, t, t.takerLeg, taker, maker, false, flows, payers);
}

export function settle(s: Sim, t: Terms, caller: Actor): void {
  checkEngineNotPaused(s);
  const party = t.maker === s.w.address[caller] || t.taker === s.w.address[caller];
  if (!party && caller !== "admin") refuse(s, "AccessControlUnauthorizedAccount", "no agent role");
  settleSigned(s, t, caller);
}

/**
 * A batch of signed orders, token legs netted. Rule 8: every payer of the currency in the batch is checked for a
 * freeze, KYC and pause, even where netting leaves it nothing to pay.
 */
export function settleBatch(s: Sim, orders: Terms[], caller: Actor): void {
  checkEngineNotPaused(s);
  if (orders.length === 0 || orders.length > 50) refuse(s, "TradeInvalidBatch", "batch size");
  const flows: Flow[] = [];
  const payers = new Set<WalletName>();
  if (s.intended("8b")) {
    for (const t of orders) {
      for (const [leg, payer] of [
        [t.makerLeg, t.maker],
        [t.takerLeg, t.taker],
      ] as const) {
        if (leg.asset === s.w.currency && s.m.cash.frozen[walletOf(s.w, payer)]) s.unnamed = true;
      }
    }
  }
  for (const t of orders) {
    const party = t.maker === s.w.address[caller] || t.taker === s.w.address[caller];
    if (caller !== "admin" && !party) refuse(s, "AccessControlUnauthorizedAccount", "no agent role");
    settleSigned(s, t, caller, flows, payers);
  }
  if (s.intended("8b")) {
    const checked = new Set(flows.filter((f) => f.token === "cash").map((f) => f.from));
    for (const p of payers) {
      if (s.m.cash.paused || !verified(s, p)) continue; // every flow's own transfer refuses these
      if (s.m.cash.frozen[p] && !checked.has(p))
        refuseByRule(s, "8b", `${p}'s account is frozen though netting spares it`);
      if (s.m.cash.frozenAmount[p] > 0n && !checked.has(p)) s.lenient("rule 8: a payer with a frozen amount netted");
    }
  }
  for (const f of flows) {
    if (f.token === "cash") pull(s, "cash", f.from, "engine", f.to, f.amount);
    else pull(s, "token", f.from, "engine", f.to, f.amount);
  }
}

export function repoParties(
  w: World,
  t: Terms,
): { borrower: WalletName; lender: WalletName; billLeg: Leg; cashLeg: Leg } {
  const makerBill = t.makerLeg.asset === w.ledger;
  const [maker, taker] = [walletOf(w, t.maker), walletOf(w, t.taker)];
  return makerBill
    ? { borrower: maker, lender: taker, billLeg: t.makerLeg, cashLeg: t.takerLeg }
    : { borrower: taker, lender: maker, billLeg: t.takerLeg, cashLeg: t.makerLeg };
}

export function closingDeadline(t: Terms): bigint {
  return BigInt(startOfCstDay(Number(t.endDay) + 1));
}

/**
 * Closes a repo (rule 2). Open: the borrower tenders the repayment into the engine before the closing deadline (or
 * later while the lender is unverified and so cannot default it) and the repo is RepoTendered, which no default can
 * end. Then, and on any later close by the borrower or the lender, the range goes back if the ledger lets it (not
 * paused, not frozen, the borrower verified) and the lender is paid; a payment the lender cannot take is owed to it
 * (reclaim). A range that cannot go back yet leaves the repo tendered.
 */
export function closeRepo(s: Sim, t: Terms, caller: Actor): void {
  const trade = tradeOf(s.m, tradeIdOf(s.w, t));
  const status = trade?.status ?? TradeStatus.None;
  const { borrower, lender, billLeg, cashLeg } = repoParties(s.w, t);
  const token = tokenOfLeg(s.w, cashLeg);
  if (status === TradeStatus.RepoOpen) {
    if (caller !== borrower) refuse(s, "TradeNotEntitled", "not the borrower");
    if (s.t >= closingDeadline(t) && verified(s, lender)) refuse(s, "TradeRepoClosing", "closing deadline passed");
    pull(s, token, borrower, "engine", "engine", t.closingAmount);
    s.m.escrow[token] += t.closingAmount;
    trade!.status = TradeStatus.RepoTendered;
    trade!.refundOwed = t.closingAmount;
    s.rulesUsed.add("2a");
  } else if (status !== TradeStatus.RepoTendered) {
    refuse(s, "TradeWrongStatus", `status ${TradeStatus[status]}`);
  } else if (caller !== borrower && caller !== lender) {
    refuse(s, "TradeNotEntitled", "neither borrower nor lender");
  }
  const [holder, state] =
    t.kind === TradeKind.PledgeRepo ? [borrower, RangeState.Pledged] : [lender, RangeState.Escrowed];
  if (!attempt(s, (p) => tradeRange(p, billLeg, holder, state, borrower, RangeState.Circulating))) {
    s.rulesUsed.add("2: the range waits");
    return;
  }
  trade!.status = TradeStatus.RepoClosed;
  if (tryEscrowPay(s, token, lender, t.closingAmount)) trade!.refundOwed = 0n;
  else s.rulesUsed.add("2: the repayment waits for its lender");
}

/**
 * The lender keeps the range of a repo not tendered in time. Rule 2: a default respects pauses and freezes: none
 * while the currency of the repayment is paused (the borrower could not tender), the ledger paused or the range
 * frozen.
 */
export function defaultRepo(s: Sim, t: Terms, caller: Actor): void {
  const trade = tradeOf(s.m, tradeIdOf(s.w, t));
  if (trade?.status !== TradeStatus.RepoOpen)
    refuse(s, "TradeWrongStatus", `status ${TradeStatus[trade?.status ?? 0]}`);
  const { borrower, lender, billLeg, cashLeg } = repoParties(s.w, t);
  if (caller !== lender) refuse(s, "TradeNotEntitled", "not the lender");
  if (s.t < closingDeadline(t)) refuse(s, "TradeRepoClosing", "closing deadline not reached");
  if (s.intended("2b")) {
    s.rulesUsed.add("2b");
    if (tokenOfLeg(s.w, cashLeg) === "cash" && s.m.cash.paused) refuse(s, "TradeRepoBlocked", "currency paused");
    if (t.kind === TradeKind.OutrightRepo) {
      const r = rangeAt(billOf(s.m, billLeg.billId), billLeg.start);
      if (s.m.ledgerPaused || r?.state !== RangeState.Escrowed) refuse(s, "TradeRepoBlocked", "range blocked");
    }
  }
  trade.status = TradeStatus.RepoDefaulted;
  if (t.kind === TradeKind.PledgeRepo) {
    tradeRange(s, billLeg, borrower, RangeState.Pledged, lender, RangeState.Circulating);
  } else {
    tradeRange(s, billLeg, lender, RangeState.Escrowed, lender, RangeState.Circulating);
  }
}

export function setEnginePaused(s: Sim, paused: boolean, caller: Actor): void {
  if (caller !== "pauser") refuse(s, "AccessControlUnauthorizedAccount", "not the pauser");
  if (paused && s.m.enginePaused) refuse(s, "TradeEnginePaused", "already paused");
  if (!paused && !s.m.enginePaused) refuse(s, "TradeEngineNotPaused", "not paused");
  s.m.enginePaused = paused;
}

export function setListed(s: Sim, listed: boolean, caller: Actor): void {
  if (caller !== "admin") refuse(s, "AccessControlUnauthorizedAccount", "not the admin");
  s.m.listed = listed;
}

// ---------------------------------------------------------------------------------------------------------------
// Currency administration

/** Rule 9: the engine's account (a system account) cannot be frozen. */
function checkFreezable(s: Sim, account: Holder): void {
  if (account === "engine" && s.intended("9")) refuseByRule(s, "9", "the engine's account cannot be frozen");
  if (account === "payments" && s.intended("9")) s.lenient("rule 9: the payments contract is a system account too");
}

export function freezeAccount(s: Sim, account: Holder, freeze: boolean, caller: Actor): void {
  if (caller !== "regulator") refuse(s, "AccessControlUnauthorizedAccount", "not the regulator");
  const c = s.m.cash;
  if (freeze) {
    if (c.frozen[account]) refuse(s, "CurrencyAccountAlreadyFrozen", "already frozen");
    checkFreezable(s, account);
  } else if (!c.frozen[account]) {
    refuse(s, "CurrencyAccountNotFrozen", "not frozen");
  }
  c.frozen[account] = freeze;
}

export function freezeAmount(s: Sim, account: Holder, amount: bigint, freeze: boolean, caller: Actor): void {
  if (caller !== "regulator") refuse(s, "AccessControlUnauthorizedAccount", "not the regulator");
  if (amount === 0n) refuse(s, "CurrencyZeroAmount", "zero");
  const c = s.m.cash;
  if (freeze) {
    checkFreezable(s, account);
    c.frozenAmount[account] += amount;
  } else {
    if (amount > c.frozenAmount[account]) refuse(s, "CurrencyUnfreezeExceedsFrozen", "more than frozen");
    c.frozenAmount[account] -= amount;
  }
}

export function setCurrencyPaused(s: Sim, paused: boolean, caller: Actor): void {
  if (caller !== "pauser") refuse(s, "AccessControlUnauthorizedAccount", "not the pauser");
  if (paused && s.m.cash.paused) refuse(s, "CurrencyPaused", "already paused");
  if (!paused && !s.m.cash.paused) refuse(s, "CurrencyNotPaused", "not paused");
  s.m.cash.paused = paused;
}

/** Rule 8: lowering or revoking an allowance always works; raising one needs both parties verified. */
export function approve(s: Sim, owner: WalletName, spender: "engine" | "payments", value: bigint): void {
  const current = s.m.cash.allowance[owner][spender];
  const lowering = value <= current;
  if (!lowering || !s.intended("8a")) {
    const kind = kindOf(s, owner);
    if (kind === EntityKind.None) refuse(s, "CurrencyUnverifiedAccount", `${owner} unverified`);
    if (kind === EntityKind.Regulator) refuse(s, "CurrencyRegulatorAccount", `${owner} regulator`);
  } else if (!verified(s, owner)) {
    s.rulesUsed.add("8a");
    if (value === current) s.lenient("rule 8: approving the same allowance again is neither lowering nor raising it");
  }
  s.m.cash.allowance[owner][spender] = value;
}

export function mint(s: Sim, to: WalletName, amount: bigint, caller: Actor): void {
  if (caller !== "C") refuse(s, "AccessControlUnauthorizedAccount", "not the issuer");
  if (amount === 0n) refuse(s, "CurrencyZeroAmount", "zero");
  const c = s.m.cash;
  if (c.paused) refuse(s, "CurrencyPaused", "currency paused");
  const kind = kindOf(s, to);
  if (kind === EntityKind.None) refuse(s, "CurrencyUnverifiedAccount", `${to} unverified`);
  if (kind === EntityKind.Regulator) refuse(s, "CurrencyRegulatorAccount", `${to} regulator`);
  c.balance[to] += amount;
  c.supply += amount;
}

// ---------------------------------------------------------------------------------------------------------------
// Registry

export type KycChange = "suspend" | "reinstate" | "revoke" | "expireSoon" | "renew";

export function changeStanding(s: Sim, entity: Entity, change: KycChange, expiresAt: bigint, caller: Actor): void {
  const e = s.m.entities[entity];
  if (change === "revoke") {
    if (caller !== "admin") refuse(s, "AccessControlUnauthorizedAccount", "not the admin");
    if (e.status === EntityStatus.Revoked) refuse(s, "IdentityWrongStatus", "already revoked");
    e.status = EntityStatus.Revoked;
    return;
  }
  if (caller !== PROVIDER_OF[entity]) refuse(s, "IdentityNotEntityProvider", "not the provider");
  if (change === "suspend") {
    if (e.status !== EntityStatus.Active) refuse(s, "IdentityWrongStatus", "not active");
    e.status = EntityStatus.Suspended;
  } else if (change === "reinstate") {
    if (e.status !== EntityStatus.Suspended) refuse(s, "IdentityWrongStatus", "not suspended");
    e.status = EntityStatus.Active;
  } else {
    if (e.status === EntityStatus.Revoked) refuse(s, "IdentityWrongStatus", "revoked");
    if (expiresAt <= s.t) refuse(s, "IdentityExpiryNotInFuture", "expiry not in the future");
    e.expiresAt = expiresAt;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Chain commitments and application terms, as the ledger computes them

const coder = ethers.AbiCoder.defaultAbiCoder();
const MASK_96 = (1n << 96n) - 1n;
const commitmentCache = new Map<string, bigint>();

export function genesis(billId: bigint): bigint {
  return BigInt(ethers.keccak256(coder.encode(["string", "uint256"], ["bill-dvp:chain", billId]))) & MASK_96;
}

export function chainOf(w: World, billId: bigint, links: Link[], zero: boolean): bigint {
  if (zero) return 0n;
  const key = `${billId}:${links.map((l) => `${l.kind[0]}${l.party}${l.noRecourse ? 1 : 0}`).join(",")}`;
  const cached = commitmentCache.get(key);
  if (cached !== undefined) return cached;
  let chain = genesis(billId);
  for (const l of links) {
    const kind = l.kind === "endorsement" ? LinkKind.Endorsement : LinkKind.Guarantee;
    const encoded = coder.encode(
      ["uint96", "uint8", "address", "bool"],
      [chain, kind, w.address[l.party], l.noRecourse],
    );
    chain = BigInt(ethers.keccak256(encoded)) & MASK_96;
  }
  commitmentCache.set(key, chain);
  return chain;
}

/** `applicationTerms` of a locked range. */
export function applicationTerms(w: World, billId: bigint, r: RangeModel): string {
  const counterparty = r.counterparty === null ? ethers.ZeroAddress : w.address[r.counterparty];
  return ethers.keccak256(
    coder.encode(
      ["uint256", "uint48", "uint48", "uint8", "address", "address", "bool", "uint40"],
      [billId, r.start, r.end, r.pendingAct, w.address[r.holder], counterparty, r.noRecourse, r.deadline],
    ),
  );
}
