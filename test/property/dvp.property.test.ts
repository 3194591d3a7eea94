/*
 * SettlementEngine against a model, over random sequences of acts by random actors (fast-check).
 *
 * Actors: enterprise Y (holds the whole fixture bill at the start), bank A, bank B, the finance company and the
 * central bank, on the tradingPlatform fixture (reset by loadFixture for every sequence). Acts:
 *  - propose a discount, rediscount, central-bank rediscount, swap or pledge repo of a random part of a random
 *    holding, the seller or the buyer making it (now and then a wrong price, a wrong party, a stale value day or a
 *    reused nonce);
 *  - accept (one or a batch), reject, withdraw, clear, reclaim, by the entitled party or now and then by another;
 *  - settle signed orders (submitted by the maker, the taker, the agent or an outsider to them; now and then with
 *    a signature by the wrong key), netted batches of signed orders, replays of settled orders;
 *  - close and default repos; cancel nonces and raise nonce floors;
 *  - advance time (seconds, a day, to just before / at / after a proposal's deadline or a repo's closing time),
 *    always within the bill's life;
 *  - suspend / reinstate a party's KYC (by the bank that verified it), freeze / unfreeze a currency account (the
 *    engine's too), mint and burn.
 * The model predicts whether each act succeeds; the chain must agree, and a refused act must change nothing.
 *
 * Checked after every step (SECURITY-CHECKLIST invariants):
 *  (1) the currency's total supply equals the sum of all balances (the engine's included) and changes only by mint
 *      and burn; every balance equals the model's, so every settlement moved exactly its legs;
 *  (2) the engine holds at least escrowed(currency), and escrowed equals the open cash escrows plus refunds owed;
 *  (3) the bill's ranges never overlap, cover exactly 1..FACE, have a known non-zero holder, and equal the model's
 *      (Escrowed and Pledged ranges name the engine as counterparty);
 *  (4) both legs or neither: the whole state equals the model after each act, a refused act changed nothing;
 *  (5) terminal statuses stick and every trade settles at most once (TradeSettled never repeats an id);
 *  (6) at the end of each sequence: after the last deadline every open proposal is cleared and every maker gets
 *      its leg back (a refund the token refused is reclaimed once the engine is unfrozen and the maker reinstated);
 *  (7) whoever received a range was verified in the registry at that block;
 *  (10) nonces only get used, never unused (isNonceUsed and nonceFloor equal the model);
 *  (11) every priced settlement (TradeSettled) carries the amount of the TypeScript formula.
 *
 * `npm test` runs 100 sequences of 8 to 12 acts; FC_LONG=1 runs 1,000 (FC_RUNS overrides either).
 */
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ZeroHash } from "ethers";
import type { ContractTransactionReceipt, ContractTransactionResponse, TypedDataDomain } from "ethers";
import type { BillLedger, DigitalCurrency, IdentityRegistry, SettlementEngine } from "../../typechain-types";
import { RangeState, cstDayOf, startOfCstDay } from "../../tasks/lib/bills";
import { entityIdOf } from "../../tasks/lib/identity";
import {
  TERMS_TYPES,
  TradeKind,
  TradeStatus,
  billLeg,
  discountProceeds,
  isBusinessDay,
  repoRepayment,
  rollForward,
  termsFromResult,
  tokenLeg,
  type Leg,
  type SignedOrder,
  type Terms,
} from "../../tasks/lib/dvp";
import { CODES } from "../fixtures/platform";
import { FINANCE_CO_CODE } from "../fixtures/bills";
import { FACE, tradingPlatform, tradeRecord } from "../fixtures/dvp";

const LONG = process.env.FC_LONG === "1";
const RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : LONG ? 1_000 : 100;
const MIN_ACTS = 8;
const MAX_ACTS = 12;
/** Explicit gas, so that a refused transaction is mined like any other (no estimate in a different block). */
const GAS = { gasLimit: 6_000_000 };
const NO_MARKS = new Map<number, 1 | 2>();
/** Nonces drawn from this small pool collide on purpose. */
const NONCE_POOL = 6n;

const ACTORS = ["enterpriseY", "bankA", "bankB", "financeCo", "centralBank"] as const;
type Actor = (typeof ACTORS)[number];
/** Every currency holder: the actors, enterprise X (funded by the fixture, never acts) and the engine. */
const HOLDERS = [...ACTORS, "enterpriseX", "engine"] as const;
type Holder = (typeof HOLDERS)[number];
type Account = Actor | "engine";

const LENDERS: readonly Actor[] = ["bankA", "bankB", "financeCo"];
const INSTITUTIONS: readonly Actor[] = ["bankA", "bankB", "financeCo", "centralBank"];

/** Who may sell (deliver the bill) and buy in each kind the test trades. */
const RULES = {
  [TradeKind.Discount]: { sellers: ["enterpriseY"] as readonly Actor[], buyers: LENDERS },
  [TradeKind.Rediscount]: { sellers: LENDERS, buyers: LENDERS },
  [TradeKind.CentralBankRediscount]: { sellers: LENDERS, buyers: ["centralBank"] as readonly Actor[] },
  // A bill swap between an enterprise and an institution is refused (discount only); wrongParty tries it.
  [TradeKind.Swap]: { sellers: INSTITUTIONS, buyers: INSTITUTIONS },
  [TradeKind.PledgeRepo]: { sellers: INSTITUTIONS, buyers: INSTITUTIONS },
} as const;
type TradedKind = keyof typeof RULES;
const TRADED_KINDS = [
  TradeKind.Discount,
  TradeKind.Rediscount,
  TradeKind.CentralBankRediscount,
  TradeKind.Swap,
  TradeKind.PledgeRepo,
] as const satisfies readonly TradedKind[];

/** The bank that verified each actor (and so may suspend and reinstate it). */
const PROVIDER: Record<Actor, Actor> = {
  enterpriseY: "bankB",
  bankA: "bankB",
  bankB: "bankA",
  financeCo: "bankA",
  centralBank: "bankA",
};
const CODE: Record<Actor, string> = {
  enterpriseY: CODES.enterpriseY,
  bankA: CODES.bankA,
  bankB: CODES.bankB,
  financeCo: FINANCE_CO_CODE,
  centralBank: CODES.centralBank,
};

// ---------------------------------------------------------------------------------------------------------------
// Model

interface RangeModel {
  start: bigint;
  end: bigint;
  holder: Actor;
  state: RangeState;
}

interface TradeModel {
  id: string;
  terms: Terms;
  status: TradeStatus;
  refundOwed: bigint;
  /** Settled from signed orders (kept for replays). */
  signed?: SignedOrder;
}

interface Model {
  /** Timestamp of the latest block; the next transaction is mined one second later. */
  now: bigint;
  balance: Record<Holder, bigint>;
  supply: bigint;
  escrowed: bigint;
  frozen: Record<Account, boolean>;
  verified: Record<Actor, boolean>;
  ranges: RangeModel[];
  /** Proposals and repos (the engine keeps a record of them) and signed non-repo trades (no record: status None). */
  trades: TradeModel[];
  nonces: Record<Actor, bigint[]>;
  floor: Record<Actor, bigint>;
}

/** The fixture's fixed facts. */
interface World {
  engine: SettlementEngine;
  ledger: BillLedger;
  currency: DigitalCurrency;
  registry: IdentityRegistry;
  signer: Record<Actor | "admin" | "regulator" | "outsider", HardhatEthersSigner>;
  address: Record<Holder, string>;
  actorAt: Map<string, Actor>;
  engineAddress: string;
  ledgerAddress: string;
  currencyAddress: string;
  domain: TypedDataDomain;
  billId: bigint;
  maturityDay: number;
  initial: Omit<Model, "now">;
  /** The chain as the fixture leaves it. */
  start: Snapshot;
}

class Refused extends Error {}
function refuse(why: string): never {
  throw new Refused(why);
}

const txTime = (m: Model) => m.now + 1n;
const today = (m: Model) => BigInt(cstDayOf(txTime(m)));
const isRepo = (kind: TradeKind) => kind === TradeKind.PledgeRepo || kind === TradeKind.OutrightRepo;
const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));

/** The terms of every trade id the test computed: the engine shows a trade's record to whoever gives its terms. */
const termsById = new Map<string, Terms>();

function tradeIdOf(w: World, terms: Terms): string {
  const id = hre.ethers.TypedDataEncoder.hash(w.domain, TERMS_TYPES, terms);
  termsById.set(id, terms);
  return id;
}

function actorOf(w: World, address: string): Actor {
  return w.actorAt.get(address) ?? refuse(`${address} is no actor`);
}

function isNonceUsed(m: Model, who: Actor, nonce: bigint): boolean {
  return nonce < m.floor[who] || m.nonces[who].includes(nonce);
}

function useNonce(m: Model, who: Actor, nonce: bigint): void {
  if (isNonceUsed(m, who, nonce)) refuse(`nonce ${nonce} of ${who} used`);
  m.nonces[who].push(nonce);
}

/** A currency transfer (the engine, a system account, is always verified as spender). */
function moveCash(m: Model, from: Holder, to: Holder, amount: bigint): void {
  for (const x of [from, to]) if (x !== "engine" && x !== "enterpriseX" && !m.verified[x]) refuse(`${x} unverified`);
  if (from !== "enterpriseX" && m.frozen[from]) refuse(`${from} frozen`);
  if (m.balance[from] < amount) refuse(`${from} holds ${m.balance[from]} < ${amount}`);
  m.balance[from] -= amount;
  m.balance[to] += amount;
}

/** The ledger's tradeRange: checks holder and state, takes the first `amount` units, gives them a holder/state. */
function moveRange(
  w: World,
  m: Model,
  leg: Leg,
  holder: Actor,
  state: RangeState,
  newHolder: Actor,
  newState: RangeState,
): void {
  const i = m.ranges.findIndex((r) => r.start === leg.start);
  if (i < 0) refuse(`no range at ${leg.start}`);
  const range = m.ranges[i];
  if (range.holder !== holder) refuse(`range ${leg.start} held by ${range.holder}, not ${holder}`);
  if (range.state !== state) refuse(`range ${leg.start} is ${RangeState[range.state]}, not ${RangeState[state]}`);
  const release = newHolder === holder && newState === RangeState.Circulating;
  if (!release && state !== RangeState.Pledged && txTime(m) >= BigInt(startOfCstDay(w.maturityDay))) {
    refuse("bill matured");
  }
  const size = range.end - range.start + 1n;
  if (leg.amount === 0n || leg.amount > size) refuse(`amount ${leg.amount} of a range of ${size}`);
  if (leg.amount < size) {
    if (state !== RangeState.Circulating) refuse("not splittable in this state");
    m.ranges.splice(i + 1, 0, { ...range, start: range.start + leg.amount });
    range.end = range.start + leg.amount - 1n;
  }
  if (newHolder !== holder && !m.verified[newHolder]) refuse(`new holder ${newHolder} unverified`);
  range.holder = newHolder;
  range.state = newState;
}

const sellerKinds = (kind: TradeKind) => RULES[kind as TradedKind];

/** The engine's _checkTerms, written from the spec with the TypeScript pricing. */
function checkTerms(w: World, m: Model, t: Terms): void {
  if (txTime(m) >= t.deadline) refuse("expired");
  const maker = actorOf(w, t.maker);
  const taker = actorOf(w, t.taker);
  if (maker === taker) refuse("self-trade");
  if (!m.verified[maker]) refuse(`maker ${maker} unverified`);
  if (!m.verified[taker]) refuse(`taker ${taker} unverified`);
  if (t.makerLeg.amount === 0n || t.takerLeg.amount === 0n) refuse("empty leg");
  const makerBill = t.makerLeg.asset === w.ledgerAddress;
  const [seller, buyer] = makerBill ? [maker, taker] : [taker, maker];
  const rules = sellerKinds(t.kind);
  if (t.kind === TradeKind.Swap) {
    // Any verified enterprise or institution (every actor here)...
    // A bill between an enterprise and an institution changes hands by discount only.
    if ((maker === "enterpriseY") !== (taker === "enterpriseY")) refuse("bill swap between enterprise and institution");
    return;
  }
  if (!rules.sellers.includes(seller) || !rules.buyers.includes(buyer)) refuse(`${seller} → ${buyer}: party kind`);
  const [bill, cash] = makerBill ? [t.makerLeg, t.takerLeg] : [t.takerLeg, t.makerLeg];
  const maturity = BigInt(w.maturityDay);
  if (t.kind === TradeKind.PledgeRepo) {
    if (t.endDay <= t.valueDay || !isBusinessDay(Number(t.endDay), NO_MARKS)) refuse("repo dates");
    if (t.endDay >= maturity) refuse("repo ends after maturity");
    if (t.closingAmount !== repoRepayment(cash.amount, t.rate, t.endDay - t.valueDay)) refuse("repo price");
    return;
  }
  if (maturity <= t.valueDay) refuse("matured");
  const days = BigInt(rollForward(w.maturityDay, NO_MARKS)) - t.valueDay;
  if (cash.amount !== discountProceeds(bill.amount, t.rate, days)) refuse("price");
}

/** Delivers `leg` (a trade's) from `from` to `to`; `escrowed`: out of the engine. Returns a cash flow if asked. */
function deliver(
  w: World,
  m: Model,
  t: Terms,
  leg: Leg,
  from: Actor,
  to: Actor,
  escrowed: boolean,
  flows?: Flow[],
): void {
  if (leg.asset === w.ledgerAddress) {
    const state = escrowed ? RangeState.Escrowed : RangeState.Circulating;
    if (t.kind === TradeKind.PledgeRepo) moveRange(w, m, leg, from, state, from, RangeState.Pledged);
    else moveRange(w, m, leg, from, state, to, RangeState.Circulating);
  } else if (escrowed) {
    // The maker's escrowed money is still the maker's: a freeze of its account holds it (finding 12).
    if (m.frozen[from]) refuse(`${from} frozen: its escrow stays`);
    m.escrowed -= leg.amount;
    moveCash(m, "engine", to, leg.amount);
  } else if (flows) {
    addFlow(flows, from, to, leg.amount);
  } else {
    moveCash(m, from, to, leg.amount);
  }
}

interface Flow {
  from: Actor;
  to: Actor;
  amount: bigint;
  /** Both parties paid into it: the other payer makes a transfer of zero, for its own checks (finding 8). */
  twoWay?: boolean;
}

/** The batch's netting (one token here): movements between the same two parties are summed or offset. */
function addFlow(flows: Flow[], from: Actor, to: Actor, amount: bigint): void {
  for (const f of flows) {
    if (f.from === from && f.to === to) {
      f.amount += amount;
      return;
    }
    if (f.from === to && f.to === from) {
      f.twoWay = true;
      if (f.amount >= amount) f.amount -= amount;
      else Object.assign(f, { from, to, amount: amount - f.amount });
      return;
    }
  }
  flows.push({ from, to, amount });
}

function tradeOf(m: Model, id: string): TradeModel | undefined {
  return m.trades.find((t) => t.id === id);
}

function propose(w: World, m: Model, t: Terms, caller: Actor): void {
  if (actorOf(w, t.maker) !== caller) refuse("caller is not the maker");
  if (t.valueDay < today(m)) refuse("value day passed");
  checkTerms(w, m, t);
  const maker = actorOf(w, t.maker);
  useNonce(m, maker, t.nonce);
  const id = tradeIdOf(w, t);
  if (t.makerLeg.asset === w.ledgerAddress) {
    moveRange(w, m, t.makerLeg, maker, RangeState.Circulating, maker, RangeState.Escrowed);
  } else {
    moveCash(m, maker, "engine", t.makerLeg.amount);
    m.escrowed += t.makerLeg.amount;
  }
  m.trades.push({ id, terms: t, status: TradeStatus.Proposed, refundOwed: 0n });
}

function proposed(w: World, m: Model, t: Terms): TradeModel {
  const trade = tradeOf(m, tradeIdOf(w, t));
  if (trade?.status !== TradeStatus.Proposed) refuse(`status ${TradeStatus[trade?.status ?? 0]}`);
  return trade;
}

function accept(w: World, m: Model, t: Terms, caller: Actor): void {
  const trade = proposed(w, m, t);
  const [maker, taker] = [actorOf(w, t.maker), actorOf(w, t.taker)];
  if (caller !== taker) refuse("caller is not the taker");
  if (t.valueDay !== today(m)) refuse("not the value day");
  checkTerms(w, m, t);
  trade.status = isRepo(t.kind) ? TradeStatus.RepoOpen : TradeStatus.Settled;
  deliver(w, m, t, t.makerLeg, maker, taker, true);
  deliver(w, m, t, t.takerLeg, taker, maker, false);
}

function end(w: World, m: Model, t: Terms, caller: Actor | "outsider", how: TradeStatus): void {
  const trade = proposed(w, m, t);
  const maker = actorOf(w, t.maker);
  if (how === TradeStatus.Rejected && caller !== actorOf(w, t.taker)) refuse("caller is not the taker");
  if (how === TradeStatus.Withdrawn && caller !== maker) refuse("caller is not the maker");
  if (how === TradeStatus.Cleared && txTime(m) < t.deadline) refuse("pending");
  trade.status = how;
  if (t.makerLeg.asset === w.ledgerAddress) {
    moveRange(w, m, t.makerLeg, maker, RangeState.Escrowed, maker, RangeState.Circulating);
  } else if (m.verified[maker]) {
    moveCash(m, "engine", maker, t.makerLeg.amount);
    m.escrowed -= t.makerLeg.amount;
  } else {
    trade.refundOwed = t.makerLeg.amount;
  }
}

function reclaim(w: World, m: Model, t: Terms, caller: Actor): void {
  const trade = tradeOf(m, tradeIdOf(w, t));
  // A closed repo owes its lender the repayment it could not take; an ended proposal owes its maker.
  const owedTo = trade?.status === TradeStatus.RepoClosed ? repoParties(w, t).lender : actorOf(w, t.maker);
  if (caller !== owedTo) refuse(`caller is not ${owedTo}`);
  if (trade === undefined || trade.refundOwed === 0n) refuse("nothing owed");
  const owed = trade.refundOwed;
  trade.refundOwed = 0n;
  m.escrowed -= owed;
  moveCash(m, "engine", caller, owed);
}

/** A signed order; with `flows`, a batch member whose cash legs are netted. */
function settleSigned(w: World, m: Model, o: SignedOrder, caller: Actor | "admin", bad: SigFault, flows?: Flow[]) {
  const t = o.terms;
  if (t.valueDay !== today(m)) refuse("not the value day");
  checkTerms(w, m, t);
  const [maker, taker] = [actorOf(w, t.maker), actorOf(w, t.taker)];
  useNonce(m, maker, t.nonce);
  if (caller !== maker && bad === "maker") refuse("bad maker signature");
  if (caller !== taker) {
    if (bad === "taker") refuse("bad taker signature");
    useNonce(m, taker, t.nonce);
  }
  const id = tradeIdOf(w, t);
  m.trades.push({
    id,
    terms: t,
    status: isRepo(t.kind) ? TradeStatus.RepoOpen : TradeStatus.None,
    refundOwed: 0n,
    signed: o,
  });
  deliver(w, m, t, t.makerLeg, maker, taker, false, flows);
  deliver(w, m, t, t.takerLeg, taker, maker, false, flows);
}

function settle(w: World, m: Model, o: SignedOrder, caller: Actor | "admin", bad: SigFault): void {
  const parties = [actorOf(w, o.terms.maker), actorOf(w, o.terms.taker)];
  if (caller !== "admin" && !parties.includes(caller)) refuse("no agent role");
  settleSigned(w, m, o, caller, bad);
}

function settleBatch(w: World, m: Model, orders: SignedOrder[], bads: SigFault[], caller: Actor | "admin"): void {
  const flows: Flow[] = [];
  orders.forEach((o, i) => {
    const parties = [actorOf(w, o.terms.maker), actorOf(w, o.terms.taker)];
    if (caller !== "admin" && !parties.includes(caller)) refuse("no agent role");
    settleSigned(w, m, o, caller, bads[i], flows);
  });
  for (const f of flows) {
    moveCash(m, f.from, f.to, f.amount);
    if (f.twoWay) moveCash(m, f.to, f.from, 0n);
  }
}

function repoParties(w: World, t: Terms): { borrower: Actor; lender: Actor; bill: Leg; closing: bigint } {
  const makerBill = t.makerLeg.asset === w.ledgerAddress;
  const [maker, taker] = [actorOf(w, t.maker), actorOf(w, t.taker)];
  return makerBill
    ? { borrower: maker, lender: taker, bill: t.makerLeg, closing: t.closingAmount }
    : { borrower: taker, lender: maker, bill: t.takerLeg, closing: t.closingAmount };
}

function closeRepo(w: World, m: Model, t: Terms, caller: Actor, close: boolean): void {
  const trade = tradeOf(m, tradeIdOf(w, t));
  if (trade?.status !== TradeStatus.RepoOpen) refuse("not an open repo");
  const { borrower, lender, bill, closing } = repoParties(w, t);
  const closingTime = BigInt(startOfCstDay(Number(t.endDay) + 1));
  if (close) {
    if (caller !== borrower) refuse("caller is not the borrower");
    // Late, the borrower may still close while its lender could not default (finding 3).
    if (txTime(m) >= closingTime && m.verified[lender]) refuse("closing time passed");
    // The tender goes into the engine; the pledge is released; the lender is paid, or the repayment is kept for it.
    moveCash(m, borrower, "engine", closing);
    trade.status = TradeStatus.RepoClosed;
    moveRange(w, m, bill, borrower, RangeState.Pledged, borrower, RangeState.Circulating);
    if (m.verified[lender]) moveCash(m, "engine", lender, closing);
    else {
      trade.refundOwed = closing;
      m.escrowed += closing;
    }
  } else {
    if (caller !== lender) refuse("caller is not the lender");
    if (txTime(m) < closingTime) refuse("closing time not reached");
    trade.status = TradeStatus.RepoDefaulted;
    moveRange(w, m, bill, borrower, RangeState.Pledged, lender, RangeState.Circulating);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Acts: generated up front, resolved against the model when they run

type SigFault = "none" | "maker" | "taker";

interface TradeSpec {
  kind: TradedKind;
  seller: number;
  buyer: number;
  sellerMakes: boolean;
  range: number;
  /** 0: one unit, 1: the whole holding, 2: a fraction of it, 3: one unit more than the holding. */
  part: number;
  frac: number;
  rate: bigint;
  price: bigint;
  tweak: bigint;
  nonce: bigint;
  window: number;
  valueOffset: number;
  repoDays: number;
  wrongParty: boolean;
}

/** Who acts: the entitled party, or (`right` false) the actor at `any`. */
interface Who {
  right: boolean;
  any: number;
}

type Act =
  | { t: "propose"; spec: TradeSpec }
  | {
      t: "accept" | "reject" | "withdraw" | "clear" | "reclaim" | "closeRepo" | "defaultRepo";
      pick: number;
      who: Who;
      stale: boolean;
    }
  | { t: "acceptBatch"; picks: number[] }
  | { t: "settle"; spec: TradeSpec; submitter: number; bad: SigFault }
  | { t: "batch"; specs: TradeSpec[]; bads: SigFault[]; agent: boolean }
  | { t: "replay"; pick: number; submitter: number }
  | { t: "cancelNonce"; actor: number; nonce: bigint }
  | { t: "raiseFloor"; actor: number; floor: bigint }
  | { t: "advance"; how: "by" | "nextDay" | "deadline" | "repoEnd"; seconds: bigint; pick: number; delta: bigint }
  | { t: "kyc"; actor: number; wrong: boolean }
  | { t: "freeze"; target: number; wrong: boolean }
  | { t: "mint"; to: number; amount: bigint }
  | { t: "burn"; amount: bigint };

const weighted = <T>(...pairs: [fc.Arbitrary<T>, number][]) =>
  fc.oneof(...pairs.map(([arbitrary, weight]) => ({ arbitrary, weight })));
const rarely = weighted([fc.constant(false), 6], [fc.constant(true), 1]);

const tradeSpec: fc.Arbitrary<TradeSpec> = fc.record({
  kind: weighted<TradedKind>(
    [fc.constant(TradeKind.Discount), 3],
    [fc.constant(TradeKind.Rediscount), 2],
    [fc.constant(TradeKind.CentralBankRediscount), 1],
    [fc.constant(TradeKind.Swap), 2],
    [fc.constant(TradeKind.PledgeRepo), 2],
  ),
  seller: fc.nat(),
  buyer: fc.nat(),
  sellerMakes: fc.boolean(),
  range: fc.nat(),
  part: weighted([fc.constant(0), 1], [fc.constant(1), 2], [fc.constant(2), 6], [fc.constant(3), 1]),
  frac: fc.double({ min: 0, max: 1, noNaN: true }),
  rate: weighted([fc.bigInt(1n, 200_000n), 5], [fc.constantFrom(1n, 25_000n), 1]),
  price: fc.bigInt(0n, 1n << 64n),
  tweak: weighted([fc.constant(0n), 10], [fc.constantFrom(-1n, 1n), 1]),
  nonce: weighted([fc.bigInt(0n, NONCE_POOL - 1n), 1], [fc.bigInt(NONCE_POOL, 1n << 64n), 4]),
  window: fc.integer({ min: 30, max: 7_200 }),
  valueOffset: weighted([fc.constant(0), 24], [fc.constantFrom(-1, 1), 1]),
  repoDays: fc.integer({ min: 1, max: 6 }),
  wrongParty: weighted([fc.constant(false), 14], [fc.constant(true), 1]),
});

const who: fc.Arbitrary<Who> = fc.record({
  right: weighted([fc.constant(true), 6], [fc.constant(false), 1]),
  any: fc.nat(),
});
const sigFault = weighted<SigFault>([fc.constant("none"), 10], [fc.constantFrom("maker", "taker"), 1]);
const onTrade = (t: "accept" | "reject" | "withdraw" | "clear" | "reclaim" | "closeRepo" | "defaultRepo") =>
  fc.record({ t: fc.constant(t), pick: fc.nat(), who, stale: rarely });

const ACT: fc.Arbitrary<Act> = weighted<Act>(
  [fc.record({ t: fc.constant("propose" as const), spec: tradeSpec }), 8],
  [onTrade("accept"), 7],
  [fc.record({ t: fc.constant("acceptBatch" as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }), 1],
  [onTrade("reject"), 1],
  [onTrade("withdraw"), 1],
  [onTrade("clear"), 1],
  [onTrade("reclaim"), 1],
  [onTrade("closeRepo"), 2],
  [onTrade("defaultRepo"), 1],
  [fc.record({ t: fc.constant("settle" as const), spec: tradeSpec, submitter: fc.nat({ max: 9 }), bad: sigFault }), 5],
  [
    fc.record({
      t: fc.constant("batch" as const),
      specs: fc.array(tradeSpec, { minLength: 1, maxLength: 3 }),
      bads: fc.array(sigFault, { minLength: 3, maxLength: 3 }),
      agent: weighted([fc.constant(true), 2], [fc.constant(false), 1]),
    }),
    2,
  ],
  [fc.record({ t: fc.constant("replay" as const), pick: fc.nat(), submitter: fc.nat({ max: 9 }) }), 1],
  [fc.record({ t: fc.constant("cancelNonce" as const), actor: fc.nat(), nonce: fc.bigInt(0n, NONCE_POOL - 1n) }), 1],
  [fc.record({ t: fc.constant("raiseFloor" as const), actor: fc.nat(), floor: fc.bigInt(0n, 3n) }), 1],
  [
    fc.record({
      t: fc.constant("advance" as const),
      how: weighted<"by" | "nextDay" | "deadline" | "repoEnd">(
        [fc.constant("by"), 2],
        [fc.constant("nextDay"), 1],
        [fc.constant("deadline"), 2],
        [fc.constant("repoEnd"), 2],
      ),
      seconds: weighted([fc.bigInt(1n, 120n), 3], [fc.constantFrom(3_600n, 86_400n), 1]),
      pick: fc.nat(),
      delta: fc.constantFrom(-1n, 0n, 1n),
    }),
    3,
  ],
  [fc.record({ t: fc.constant("kyc" as const), actor: fc.nat(), wrong: rarely }), 1],
  [fc.record({ t: fc.constant("freeze" as const), target: fc.nat(), wrong: rarely }), 1],
  [fc.record({ t: fc.constant("mint" as const), to: fc.nat(), amount: fc.bigInt(1n, 100_000_000n) }), 1],
  [fc.record({ t: fc.constant("burn" as const), amount: fc.bigInt(1n, 100_000_000n) }), 1],
);

/** Terms from a spec, against the model as it stands. */
function buildTerms(w: World, m: Model, s: TradeSpec): Terms {
  const holds = (a: Actor) => m.ranges.some((r) => r.holder === a && r.state === RangeState.Circulating);
  // A kind whose sellers hold nothing falls back to the first kind whose sellers hold something.
  const kind =
    s.wrongParty || RULES[s.kind].sellers.some(holds)
      ? s.kind
      : (TRADED_KINDS.find((k) => RULES[k].sellers.some(holds)) ?? s.kind);
  const rules = RULES[kind];
  let seller: Actor;
  let buyer: Actor;
  if (s.wrongParty) {
    seller = ACTORS[s.seller % ACTORS.length];
    buyer = ACTORS[s.buyer % ACTORS.length];
  } else {
    const holding = rules.sellers.filter(holds);
    const sellers = holding.length > 0 ? holding : rules.sellers;
    seller = sellers[s.seller % sellers.length];
    const buyers = rules.buyers.filter((a) => a !== seller);
    buyer = buyers[s.buyer % buyers.length];
  }
  const own = m.ranges.filter((r) => r.holder === seller && r.state === RangeState.Circulating);
  const range = (own.length > 0 ? own : m.ranges)[s.range % (own.length > 0 ? own : m.ranges).length];
  const size = range.end - range.start + 1n;
  const units = [1n, size, 1n + BigInt(Math.floor(Number(size - 1n) * s.frac * s.frac)), size + 1n][s.part];
  const day = today(m);
  const valueDay = day + BigInt(s.valueOffset);
  let cash = 1n + (s.price % 50_000_000n);
  let rate = 0n;
  let endDay = 0n;
  let closingAmount = 0n;
  if (kind === TradeKind.PledgeRepo) {
    rate = s.rate;
    endDay = BigInt(rollForward(Number(day) + s.repoDays, NO_MARKS));
    closingAmount = endDay > valueDay ? repoRepayment(cash, rate, endDay - valueDay) + s.tweak : 1n;
  } else if (kind !== TradeKind.Swap) {
    rate = s.rate;
    const days = BigInt(rollForward(w.maturityDay, NO_MARKS)) - valueDay;
    cash = discountProceeds(units, rate, days) + s.tweak;
  }
  if (cash < 0n) cash = 0n;
  const bill = billLeg(w.ledgerAddress, w.billId, range.start, units);
  const money = tokenLeg(w.currencyAddress, cash);
  const [maker, taker] = s.sellerMakes ? [seller, buyer] : [buyer, seller];
  return {
    kind,
    maker: w.address[maker],
    taker: w.address[taker],
    makerLeg: s.sellerMakes ? bill : money,
    takerLeg: s.sellerMakes ? money : bill,
    rate,
    valueDay,
    endDay,
    closingAmount,
    deadline: txTime(m) + BigInt(s.window),
    nonce: s.nonce,
    confidential: ZeroHash,
  };
}

async function signOrder(w: World, t: Terms, bad: SigFault): Promise<SignedOrder> {
  const [maker, taker] = [actorOf(w, t.maker), actorOf(w, t.taker)];
  // A fault: the order carries a signature by the other party's key.
  const makerKey = w.signer[bad === "maker" ? taker : maker];
  const takerKey = w.signer[bad === "taker" ? maker : taker];
  return {
    terms: t,
    makerSignature: await makerKey.signTypedData(w.domain, TERMS_TYPES, t),
    takerSignature: await takerKey.signTypedData(w.domain, TERMS_TYPES, t),
  };
}

/** An act resolved: what the model does, what the chain is sent, what to re-read. */
interface Plan {
  label: string;
  simulate?: (m: Model) => void;
  send?: () => Promise<ContractTransactionResponse>;
  /** A time advance: mines an empty block at this timestamp. */
  advanceTo?: bigint;
  trades: string[];
  nonces: [Actor, bigint][];
  standing?: boolean;
}

function submitterOf(n: number, t: Terms, w: World): Actor | "admin" {
  // 0-3: the maker, 4-6: the taker, 7-8: the agent, 9: another actor (no agent role).
  if (n <= 3) return actorOf(w, t.maker);
  if (n <= 6) return actorOf(w, t.taker);
  if (n <= 8) return "admin";
  return ACTORS.find((a) => w.address[a] !== t.maker && w.address[a] !== t.taker)!;
}

async function plan(w: World, m: Model, act: Act): Promise<Plan | null> {
  const engine = (who: Actor | "admin" | "outsider") => w.engine.connect(w.signer[who]);
  switch (act.t) {
    case "propose": {
      const t = buildTerms(w, m, act.spec);
      const maker = actorOf(w, t.maker);
      return {
        label: `propose ${TradeKind[t.kind]} by ${maker} to ${actorOf(w, t.taker)} ${jsonOf([t.makerLeg.amount, t.takerLeg.amount, t.nonce])}`,
        simulate: (s) => propose(w, s, t, maker),
        send: () => engine(maker).propose(t, GAS),
        trades: [tradeIdOf(w, t)],
        nonces: [[maker, t.nonce]],
      };
    }
    case "accept":
    case "reject":
    case "withdraw":
    case "clear":
    case "reclaim":
    case "closeRepo":
    case "defaultRepo": {
      const wanted = {
        accept: [TradeStatus.Proposed],
        reject: [TradeStatus.Proposed],
        withdraw: [TradeStatus.Proposed],
        clear: [TradeStatus.Proposed],
        reclaim: [TradeStatus.Rejected, TradeStatus.Withdrawn, TradeStatus.Cleared],
        closeRepo: [TradeStatus.RepoOpen],
        defaultRepo: [TradeStatus.RepoOpen],
      }[act.t];
      const fitting = m.trades.filter((x) => (act.t === "reclaim" ? x.refundOwed > 0n : wanted.includes(x.status)));
      const pool = act.stale ? m.trades : fitting;
      if (pool.length === 0) return null;
      const trade = pool[act.pick % pool.length];
      const t = trade.terms;
      const repo = isRepo(t.kind) ? repoParties(w, t) : null;
      const entitled: Actor | "outsider" =
        act.t === "accept" || act.t === "reject"
          ? actorOf(w, t.taker)
          : act.t === "closeRepo"
            ? (repo?.borrower ?? actorOf(w, t.taker))
            : act.t === "defaultRepo"
              ? (repo?.lender ?? actorOf(w, t.maker))
              : act.t === "clear"
                ? "outsider"
                : actorOf(w, t.maker);
      const caller = act.who.right ? entitled : ACTORS[act.who.any % ACTORS.length];
      const c = engine(caller);
      const label = `${act.t} ${TradeKind[t.kind]} ${trade.id.slice(0, 10)} (${TradeStatus[trade.status]}) by ${caller}`;
      const base = { label, trades: [trade.id], nonces: [] as [Actor, bigint][] };
      const asActor = (): Actor => (caller === "outsider" ? refuse("outsider") : caller);
      switch (act.t) {
        case "accept":
          return { ...base, simulate: (s) => accept(w, s, t, asActor()), send: () => c.accept(t, GAS) };
        case "reject":
          return { ...base, simulate: (s) => end(w, s, t, caller, TradeStatus.Rejected), send: () => c.reject(t, GAS) };
        case "withdraw":
          return {
            ...base,
            simulate: (s) => end(w, s, t, caller, TradeStatus.Withdrawn),
            send: () => c.withdraw(t, GAS),
          };
        case "clear":
          return { ...base, simulate: (s) => end(w, s, t, caller, TradeStatus.Cleared), send: () => c.clear(t, GAS) };
        case "reclaim":
          return { ...base, simulate: (s) => reclaim(w, s, t, asActor()), send: () => c.reclaim(t, GAS) };
        case "closeRepo":
          return { ...base, simulate: (s) => closeRepo(w, s, t, asActor(), true), send: () => c.closeRepo(t, GAS) };
        case "defaultRepo":
          return { ...base, simulate: (s) => closeRepo(w, s, t, asActor(), false), send: () => c.defaultRepo(t, GAS) };
      }
      return null;
    }
    case "acceptBatch": {
      const open = m.trades.filter((x) => x.status === TradeStatus.Proposed);
      if (open.length === 0) return null;
      const first = open[act.picks[0] % open.length];
      const same = open.filter((x) => x.terms.taker === first.terms.taker);
      const chosen = [first, ...act.picks.slice(1).map((p) => same[p % same.length])];
      const caller = actorOf(w, first.terms.taker);
      const terms = chosen.map((x) => x.terms);
      return {
        label: `acceptBatch of ${chosen.length} by ${caller}`,
        simulate: (s) => terms.forEach((t) => accept(w, s, t, caller)),
        send: () => engine(caller).acceptBatch(terms, GAS),
        trades: chosen.map((x) => x.id),
        nonces: [],
      };
    }
    case "settle": {
      const t = buildTerms(w, m, act.spec);
      const order = await signOrder(w, t, act.bad);
      const caller = submitterOf(act.submitter, t, w);
      return {
        label: `settle ${TradeKind[t.kind]} ${actorOf(w, t.maker)} → ${actorOf(w, t.taker)} by ${caller} (sig fault: ${act.bad}) ${jsonOf([t.makerLeg.amount, t.takerLeg.amount, t.nonce])}`,
        simulate: (s) => settle(w, s, order, caller, act.bad),
        send: () => engine(caller).settle(order, GAS),
        trades: [tradeIdOf(w, t)],
        nonces: [
          [actorOf(w, t.maker), t.nonce],
          [actorOf(w, t.taker), t.nonce],
        ],
      };
    }
    case "batch": {
      // Each order is built against the model as the orders before it would leave it.
      const scratch = structuredClone(m);
      const orders: SignedOrder[] = [];
      const first = buildTerms(w, scratch, act.specs[0]);
      const caller: Actor | "admin" = act.agent ? "admin" : actorOf(w, first.maker);
      for (const [i, spec] of act.specs.entries()) {
        const t = i === 0 ? first : buildTerms(w, scratch, spec);
        orders.push(await signOrder(w, t, act.bads[i]));
        try {
          const next = structuredClone(scratch);
          settleSigned(w, next, orders[i], caller, act.bads[i], []);
          Object.assign(scratch, next);
        } catch (e) {
          if (!(e instanceof Refused)) throw e;
        }
      }
      const bads = act.bads.slice(0, orders.length);
      return {
        label: `settleBatch of ${orders.length} by ${caller}: ${orders.map((o) => `${TradeKind[o.terms.kind]} ${actorOf(w, o.terms.maker)} → ${actorOf(w, o.terms.taker)}`).join(", ")}`,
        simulate: (s) => settleBatch(w, s, orders, bads, caller),
        send: () => engine(caller).settleBatch(orders, GAS),
        trades: orders.map((o) => tradeIdOf(w, o.terms)),
        nonces: orders.flatMap((o) => [
          [actorOf(w, o.terms.maker), o.terms.nonce] as [Actor, bigint],
          [actorOf(w, o.terms.taker), o.terms.nonce] as [Actor, bigint],
        ]),
      };
    }
    case "replay": {
      const done = m.trades.filter((x) => x.signed !== undefined);
      if (done.length === 0) return null;
      const trade = done[act.pick % done.length];
      const order = trade.signed!;
      const caller = submitterOf(act.submitter, order.terms, w);
      return {
        label: `replay of settled order ${trade.id.slice(0, 10)} by ${caller}`,
        simulate: (s) => settle(w, s, order, caller, "none"),
        send: () => engine(caller).settle(order, GAS),
        trades: [trade.id],
        nonces: [[actorOf(w, order.terms.maker), order.terms.nonce]],
      };
    }
    case "cancelNonce": {
      const actor = ACTORS[act.actor % ACTORS.length];
      return {
        label: `cancelNonce(${act.nonce}) by ${actor}`,
        simulate: (s) => useNonce(s, actor, act.nonce),
        send: () => engine(actor).cancelNonce(act.nonce, GAS),
        trades: [],
        nonces: [[actor, act.nonce]],
      };
    }
    case "raiseFloor": {
      const actor = ACTORS[act.actor % ACTORS.length];
      return {
        label: `raiseNonceFloor(${act.floor}) by ${actor}`,
        simulate: (s) => {
          if (act.floor <= s.floor[actor]) refuse("floor not raised");
          s.floor[actor] = act.floor;
        },
        send: () => engine(actor).raiseNonceFloor(act.floor, GAS),
        trades: [],
        nonces: Array.from({ length: Number(NONCE_POOL) }, (_, n) => [actor, BigInt(n)] as [Actor, bigint]),
      };
    }
    case "advance": {
      const maturityStart = BigInt(startOfCstDay(w.maturityDay));
      let target: bigint | undefined;
      if (act.how === "by") target = m.now + act.seconds;
      else if (act.how === "nextDay") target = BigInt(startOfCstDay(Number(today(m)) + 1)) + (act.seconds % 600n);
      else if (act.how === "deadline") {
        const open = m.trades.filter((x) => x.status === TradeStatus.Proposed);
        // The next transaction then lands one second before, at, or one second after the deadline.
        if (open.length > 0) target = open[act.pick % open.length].terms.deadline + act.delta - 1n;
      } else {
        const repos = m.trades.filter((x) => x.status === TradeStatus.RepoOpen);
        if (repos.length > 0) {
          const t = repos[act.pick % repos.length].terms;
          target = BigInt(startOfCstDay(Number(t.endDay) + 1)) + act.delta - 1n;
        }
      }
      // Time stays within the bill's life (two days to spare).
      if (target === undefined || target <= m.now || target >= maturityStart - 2n * 86_400n) return null;
      return {
        label: `advance to ${target} (+${target - m.now} s, ${act.how})`,
        advanceTo: target,
        trades: [],
        nonces: [],
      };
    }
    case "kyc": {
      const actor = ACTORS[act.actor % ACTORS.length];
      const suspend = m.verified[actor] !== act.wrong;
      const registry = w.registry.connect(w.signer[PROVIDER[actor]]);
      const id = entityIdOf(CODE[actor]);
      return {
        label: `${suspend ? "suspend" : "reinstate"} ${actor} by ${PROVIDER[actor]}`,
        simulate: (s) => {
          if (s.verified[actor] !== suspend) refuse(suspend ? "already suspended" : "not suspended");
          s.verified[actor] = !suspend;
        },
        send: () => (suspend ? registry.suspendEntity(id, GAS) : registry.reinstateEntity(id, GAS)),
        trades: [],
        nonces: [],
        standing: true,
      };
    }
    case "freeze": {
      const accounts: Account[] = [...ACTORS, "engine"];
      const target = accounts[act.target % accounts.length];
      const freeze = !m.frozen[target] !== act.wrong;
      const currency = w.currency.connect(w.signer.regulator);
      const address = w.address[target];
      return {
        label: `${freeze ? "freeze" : "unfreeze"} ${target}'s currency account`,
        simulate: (s) => {
          // The engine's account holds everyone's escrow: it cannot be frozen (finding 12).
          if (target === "engine" && freeze) refuse("a platform contract's account");
          if (s.frozen[target] === freeze) refuse(freeze ? "already frozen" : "not frozen");
          s.frozen[target] = freeze;
        },
        send: () => (freeze ? currency.freezeAccount(address, GAS) : currency.unfreezeAccount(address, GAS)),
        trades: [],
        nonces: [],
        standing: true,
      };
    }
    case "mint": {
      const to = ACTORS[act.to % ACTORS.length];
      return {
        label: `mint ${act.amount} to ${to}`,
        simulate: (s) => {
          if (!s.verified[to]) refuse(`${to} unverified`);
          s.balance[to] += act.amount;
          s.supply += act.amount;
        },
        send: () => w.currency.connect(w.signer.centralBank).mint(w.address[to], act.amount, GAS),
        trades: [],
        nonces: [],
      };
    }
    case "burn": {
      return {
        label: `burn ${act.amount} by the central bank`,
        simulate: (s) => {
          moveCash(s, "centralBank", "enterpriseX", 0n); // the burner's own checks: verified, not frozen
          if (s.balance.centralBank < act.amount) refuse("balance");
          s.balance.centralBank -= act.amount;
          s.supply -= act.amount;
        },
        send: () => w.currency.connect(w.signer.centralBank).burn(act.amount, GAS),
        trades: [],
        nonces: [],
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Chain reads and checks

interface ChainRange {
  start: bigint;
  end: bigint;
  holder: string;
  state: number;
  counterparty: string;
}

interface Snapshot {
  block: number;
  timestamp: bigint;
  balances: bigint[];
  supply: bigint;
  escrowed: bigint;
  ranges: ChainRange[];
}

async function readChain(w: World): Promise<Snapshot> {
  const block = (await hre.ethers.provider.getBlock("latest"))!;
  const blockTag = block.number;
  const [balances, supply, escrowed, [page, next]] = await Promise.all([
    Promise.all(HOLDERS.map((h) => w.currency.balanceOf(w.address[h], { blockTag }))),
    w.currency.totalSupply({ blockTag }),
    w.engine.escrowed(w.currencyAddress, { blockTag }),
    w.ledger.rangesOfBill(w.billId, 1n, 10_000n, { blockTag }),
  ]);
  expect(next, "rangesOfBill lists every range in one page").to.equal(0n);
  const ranges = page.map((r) => ({
    start: r.start,
    end: r.end,
    holder: r.holder,
    state: Number(r.state),
    counterparty: r.counterparty,
  }));
  return { block: block.number, timestamp: BigInt(block.timestamp), balances, supply, escrowed, ranges };
}

const snapshotText = (s: Snapshot) => jsonOf([s.balances, s.supply, s.escrowed, s.ranges]);

/** What the model says escrowed(currency) is: open cash escrows plus refunds owed. */
function openEscrows(w: World, m: Model): bigint {
  return m.trades.reduce(
    (sum, x) =>
      sum +
      x.refundOwed +
      (x.status === TradeStatus.Proposed && x.terms.makerLeg.asset === w.currencyAddress
        ? x.terms.makerLeg.amount
        : 0n),
    0n,
  );
}

interface Run {
  w: World;
  m: Model;
  last: Snapshot;
  log: string[];
  /** Ids a TradeSettled event named. */
  settled: Set<string>;
}

async function checkStep(run: Run, p: Plan, refused: boolean, receipt: ContractTransactionReceipt | null) {
  const { w, m } = run;
  const before = run.last;
  const after = await readChain(w);
  const at = `after ${p.label}`;
  expect(after.timestamp, `${at}: block time`).to.equal(m.now);

  // (4) A refused act changes nothing.
  if (refused) expect(snapshotText(after), `${at}: a refused act changed the state`).to.equal(snapshotText(before));

  // (1) Conservation: supply = sum of all balances (engine included) = the model's; each balance = the model's.
  const total = after.balances.reduce((a, b) => a + b, 0n);
  expect(total, `${at}: total supply vs the sum of balances`).to.equal(after.supply);
  expect(after.supply, `${at}: total supply (changes only by mint and burn)`).to.equal(m.supply);
  HOLDERS.forEach((h, i) => expect(after.balances[i], `${at}: ${h}'s balance`).to.equal(m.balance[h]));

  // (2) Solvency: the engine holds at least what it escrows; escrowed = open cash escrows + refunds owed.
  const engineBalance = after.balances[HOLDERS.indexOf("engine")];
  expect(engineBalance >= after.escrowed, `${at}: engine holds ${engineBalance} < escrowed ${after.escrowed}`).to.equal(
    true,
  );
  expect(after.escrowed, `${at}: escrowed(currency)`).to.equal(m.escrowed);
  expect(m.escrowed, `${at}: model escrowed vs its open escrows`).to.equal(openEscrows(w, m));

  // (3) One holder per unit: contiguous ranges covering 1..FACE, known holders, the engine as counterparty of
  // escrowed and pledged ranges; equal to the model.
  let next = 1n;
  for (const r of after.ranges) {
    expect(r.start, `${at}: range start`).to.equal(next);
    expect(r.end >= r.start, `${at}: range [${r.start}, ${r.end}]`).to.equal(true);
    expect(w.actorAt.has(r.holder), `${at}: unknown holder ${r.holder}`).to.equal(true);
    const held = r.state === RangeState.Escrowed || r.state === RangeState.Pledged;
    expect(r.counterparty, `${at}: counterparty of range ${r.start}`).to.equal(
      held ? w.engineAddress : hre.ethers.ZeroAddress,
    );
    next = r.end + 1n;
  }
  expect(next - 1n, `${at}: last unit`).to.equal(FACE);
  const chainRanges = after.ranges.map((r) => `${r.start}-${r.end}:${actorOf(w, r.holder)}:${RangeState[r.state]}`);
  const modelRanges = m.ranges.map((r) => `${r.start}-${r.end}:${r.holder}:${RangeState[r.state]}`);
  expect(chainRanges, `${at}: ranges vs model`).to.deep.equal(modelRanges);

  // (7) Eligibility: whoever received a range was verified at this block.
  const blockTag = after.block;
  for (const r of after.ranges) {
    const was = before.ranges.find((o) => o.start <= r.start && r.start <= o.end);
    if (was !== undefined && was.holder !== r.holder) {
      expect(await w.registry.isVerified(r.holder, { blockTag }), `${at}: ${r.holder} received unverified`).to.equal(
        true,
      );
    }
  }

  // (4, 5, 10) The trades and nonces the act touched, and the standings it changed, equal the model.
  await checkTrades(run, p.trades, at);
  await checkNonces(run, p.nonces, at);
  if (p.standing) await checkStandings(run, at);

  // (5, 11) Each TradeSettled names a trade never settled before, at the price of the TypeScript formula.
  if (receipt !== null) {
    for (const log of receipt.logs) {
      if (log.address !== w.engineAddress) continue;
      const parsed = w.engine.interface.parseLog(log);
      if (parsed?.name !== "TradeSettled") continue;
      const id = parsed.args.tradeId as string;
      expect(run.settled.has(id), `${at}: trade ${id} settled twice`).to.equal(false);
      run.settled.add(id);
      checkPrice(w, termsFromResult(parsed.args.terms), at);
    }
  }
  run.last = after;
}

/** (11) A settled priced trade carries the TypeScript formula's amount. */
function checkPrice(w: World, t: Terms, at: string): void {
  const makerBill = t.makerLeg.asset === w.ledgerAddress;
  const [bill, cash] = makerBill ? [t.makerLeg, t.takerLeg] : [t.takerLeg, t.makerLeg];
  if (t.kind === TradeKind.PledgeRepo) {
    expect(t.closingAmount, `${at}: repo repayment`).to.equal(
      repoRepayment(cash.amount, t.rate, t.endDay - t.valueDay),
    );
  } else if (t.kind !== TradeKind.Swap) {
    const days = BigInt(rollForward(w.maturityDay, NO_MARKS)) - t.valueDay;
    expect(cash.amount, `${at}: discount proceeds`).to.equal(discountProceeds(bill.amount, t.rate, days));
  }
}

async function checkTrades(run: Run, ids: string[], at: string): Promise<void> {
  const { w, m } = run;
  const records = await Promise.all(ids.map((id) => tradeRecord(w.engine, termsById.get(id)!)));
  ids.forEach((id, i) => {
    const trade = tradeOf(m, id);
    const [status, owed] = records[i];
    expect(TradeStatus[Number(status)], `${at}: status of ${id.slice(0, 10)}`).to.equal(
      TradeStatus[trade?.status ?? TradeStatus.None],
    );
    expect(owed, `${at}: refund owed on ${id.slice(0, 10)}`).to.equal(trade?.refundOwed ?? 0n);
  });
}

async function checkNonces(run: Run, nonces: [Actor, bigint][], at: string): Promise<void> {
  const { w, m } = run;
  const used = await Promise.all(nonces.map(([a, n]) => w.engine.isNonceUsed(w.address[a], n)));
  nonces.forEach(([a, n], i) => expect(used[i], `${at}: isNonceUsed(${a}, ${n})`).to.equal(isNonceUsed(m, a, n)));
}

async function checkStandings(run: Run, at: string): Promise<void> {
  const { w, m } = run;
  const accounts: Account[] = [...ACTORS, "engine"];
  const [verified, frozen] = await Promise.all([
    Promise.all(ACTORS.map((a) => w.registry.isVerified(w.address[a]))),
    Promise.all(accounts.map((a) => w.currency.isAccountFrozen(w.address[a]))),
  ]);
  ACTORS.forEach((a, i) => expect(verified[i], `${at}: ${a} verified`).to.equal(m.verified[a]));
  accounts.forEach((a, i) => expect(frozen[i], `${at}: ${a} frozen`).to.equal(m.frozen[a]));
}

/** Runs one act: the model predicts, the chain must agree; then every invariant is checked. */
async function step(run: Run, act: Act | Plan, mustSucceed = false): Promise<boolean> {
  const p = "label" in act ? act : await plan(run.w, run.m, act);
  if (p === null) return false;
  if (p.advanceTo !== undefined) {
    await time.increaseTo(p.advanceTo);
    run.m.now = p.advanceTo;
    run.log.push(p.label);
    await checkStep(run, p, true, null);
    return true;
  }
  const next = structuredClone(run.m);
  let predicted = true;
  let why = "";
  try {
    p.simulate!(next);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    predicted = false;
    why = e.message;
  }
  await time.setNextBlockTimestamp(run.m.now + 1n);
  let receipt: ContractTransactionReceipt | null = null;
  let error = "";
  try {
    receipt = await (await p.send!()).wait();
  } catch (e) {
    error = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  }
  const ok = receipt !== null && receipt.status === 1;
  run.log.push(`${p.label}: ${ok ? "ok" : `refused (${error})`}${predicted === ok ? "" : " <-- model disagrees"}`);
  expect(
    ok,
    `${p.label}: the chain ${ok ? "accepted it" : `refused it (${error})`}, the model predicted ${predicted ? "success" : `refusal (${why})`}`,
  ).to.equal(predicted);
  if (mustSucceed) expect(ok, `${p.label} must succeed`).to.equal(true);
  // A refused transaction is mined too (explicit gas: no estimate), one second after the last block.
  const minedAt = run.m.now + 1n;
  if (ok) run.m = next;
  run.m.now = minedAt;
  await checkStep(run, p, !ok, ok ? receipt : null);
  return ok;
}

/**
 * (6) Recoverability: once the last deadline has passed, anyone clears every open proposal and every maker gets its
 * leg back (a cash refund the token refused is reclaimed once the engine is unfrozen and the maker reinstated).
 * Then the full state (every trade, every nonce, every standing) equals the model.
 */
async function finish(run: Run): Promise<void> {
  const { w } = run;
  const open = run.m.trades.filter((x) => x.status === TradeStatus.Proposed);
  if (open.length > 0) {
    const last = open.reduce((d, x) => (x.terms.deadline > d ? x.terms.deadline : d), 0n);
    if (last - 1n > run.m.now)
      await step(run, { label: `advance to the last deadline ${last}`, advanceTo: last - 1n, trades: [], nonces: [] });
  }
  const paidBack = new Map<Actor, bigint>();
  const before = Object.fromEntries(
    await Promise.all(ACTORS.map(async (a) => [a, await w.currency.balanceOf(w.address[a])] as const)),
  ) as Record<Actor, bigint>;
  for (const trade of open) {
    const t = trade.terms;
    await step(
      run,
      {
        label: `clear ${trade.id.slice(0, 10)} after its deadline`,
        simulate: (s) => end(w, s, t, "outsider", TradeStatus.Cleared),
        send: () => w.engine.connect(w.signer.outsider).clear(t, GAS),
        trades: [trade.id],
        nonces: [],
      },
      true,
    );
    const maker = actorOf(w, t.maker);
    if (t.makerLeg.asset === w.currencyAddress) paidBack.set(maker, (paidBack.get(maker) ?? 0n) + t.makerLeg.amount);
  }
  const owed = run.m.trades.filter((x) => x.refundOwed > 0n);
  for (const trade of owed) {
    // The party owed: a closed repo's lender (its repayment), else the maker (its refund).
    const maker =
      trade.status === TradeStatus.RepoClosed ? repoParties(w, trade.terms).lender : actorOf(w, trade.terms.maker);
    // A refund owed from an earlier end comes back now too (those cleared above are counted already).
    if (!open.some((x) => x.id === trade.id)) paidBack.set(maker, (paidBack.get(maker) ?? 0n) + trade.refundOwed);
    if (!run.m.verified[maker]) await step(run, { t: "kyc", actor: ACTORS.indexOf(maker), wrong: false }, true);
    const t = trade.terms;
    await step(
      run,
      {
        label: `reclaim ${trade.id.slice(0, 10)} by ${maker}`,
        simulate: (s) => reclaim(w, s, t, maker),
        send: () => w.engine.connect(w.signer[maker]).reclaim(t, GAS),
        trades: [trade.id],
        nonces: [],
      },
      true,
    );
  }
  // Every maker has its leg back: its ranges in circulation, its cash on its balance.
  for (const trade of open) {
    const t = trade.terms;
    if (t.makerLeg.asset !== w.ledgerAddress) continue;
    const r = await w.ledger.rangeAt(w.billId, t.makerLeg.start);
    expect([r.holder, Number(r.state), r.end], `range of ${trade.id.slice(0, 10)} back with its maker`).to.deep.equal([
      t.maker,
      RangeState.Circulating,
      t.makerLeg.start + t.makerLeg.amount - 1n,
    ]);
  }
  for (const a of ACTORS) {
    const now = await w.currency.balanceOf(w.address[a]);
    expect(now - before[a], `${a} got its escrowed cash back`).to.equal(paidBack.get(a) ?? 0n);
  }
  expect(await w.engine.escrowed(w.currencyAddress), "nothing left in escrow").to.equal(0n);
  expect(await w.currency.balanceOf(w.engineAddress), "the engine holds nothing").to.equal(0n);

  // The whole state equals the model: every trade, and every nonce ever used is still used.
  const ids = run.m.trades.map((x) => x.id);
  await checkTrades(run, ids, "at the end");
  const nonces = ACTORS.flatMap((a) => run.m.nonces[a].map((n) => [a, n] as [Actor, bigint]));
  await checkNonces(run, nonces, "at the end");
  for (const a of ACTORS)
    expect(await w.engine.nonceFloor(w.address[a]), `${a}'s nonce floor`).to.equal(run.m.floor[a]);
  await checkStandings(run, "at the end");
  // (5) Terminal statuses stuck: no trade the model ended is open again.
  for (const x of run.m.trades) {
    expect([TradeStatus.Proposed].includes(x.status), `trade ${x.id.slice(0, 10)} still proposed`).to.equal(false);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Set-up

let world: World | undefined;

async function freshRun(): Promise<Run> {
  const f = await loadFixture(tradingPlatform);
  if (world === undefined) {
    const { accounts, suite } = f;
    const signer = {
      ...(Object.fromEntries(ACTORS.map((a) => [a, accounts[a]])) as Record<Actor, HardhatEthersSigner>),
      admin: accounts.admin,
      regulator: accounts.regulator,
      outsider: accounts.outsider,
    };
    const address = {
      ...(Object.fromEntries(ACTORS.map((a) => [a, accounts[a].address])) as Record<Actor, string>),
      enterpriseX: accounts.enterpriseX.address,
      engine: f.engine,
    };
    const engine = suite.settlementEngine;
    const domain = await engine.eip712Domain();
    const partial = {
      engine,
      ledger: suite.billLedger,
      currency: suite.digitalCurrency,
      registry: suite.identityRegistry,
      signer,
      address,
      actorAt: new Map(ACTORS.map((a) => [address[a], a] as const)),
      engineAddress: f.engine,
      ledgerAddress: f.ledger,
      currencyAddress: f.currency,
      domain: {
        name: domain.name,
        version: domain.version,
        chainId: domain.chainId,
        verifyingContract: domain.verifyingContract,
      },
      billId: f.billId,
      maturityDay: f.maturityDay,
    };
    const balances = await Promise.all(HOLDERS.map((h) => suite.digitalCurrency.balanceOf(address[h])));
    const [page] = await suite.billLedger.rangesOfBill(f.billId, 1n, 10_000n);
    const initial: Omit<Model, "now"> = {
      balance: Object.fromEntries(HOLDERS.map((h, i) => [h, balances[i]])) as Record<Holder, bigint>,
      supply: await suite.digitalCurrency.totalSupply(),
      escrowed: 0n,
      frozen: Object.fromEntries([...ACTORS, "engine"].map((a) => [a, false])) as Record<Account, boolean>,
      verified: Object.fromEntries(ACTORS.map((a) => [a, true])) as Record<Actor, boolean>,
      ranges: page.map((r) => ({
        start: r.start,
        end: r.end,
        holder: partial.actorAt.get(r.holder)!,
        state: Number(r.state),
      })),
      trades: [],
      nonces: Object.fromEntries(ACTORS.map((a) => [a, []])) as unknown as Record<Actor, bigint[]>,
      floor: Object.fromEntries(ACTORS.map((a) => [a, 0n])) as Record<Actor, bigint>,
    };
    expect(initial.ranges).to.deep.equal([
      { start: 1n, end: FACE, holder: "enterpriseY", state: RangeState.Circulating },
    ]);
    world = { ...partial, initial, start: await readChain(partial as World) };
    const run: Run = {
      w: world,
      m: { ...structuredClone(initial), now: world.start.timestamp },
      last: world.start,
      log: [],
      settled: new Set(),
    };
    await checkStandings(run, "at the start");
  }
  const w = world;
  // Every sequence starts from the fixture's snapshot: the same block, the same state.
  const m: Model = { ...structuredClone(w.initial), now: w.start.timestamp };
  expect(await time.latest(), "the fixture's block time").to.equal(Number(m.now));
  return { w, m, last: w.start, log: [], settled: new Set() };
}

describe("SettlementEngine (property)", function () {
  it("keeps conservation, solvency, one holder per unit, atomicity, terminal states, recoverability, eligibility, nonces and prices over random acts", async function () {
    this.timeout(LONG ? 14_400_000 : 300_000);
    await fc.assert(
      fc.asyncProperty(fc.array(ACT, { minLength: MIN_ACTS, maxLength: MAX_ACTS }), async (acts) => {
        const run = await freshRun();
        try {
          for (const act of acts) await step(run, act);
          await finish(run);
        } catch (e) {
          if (e instanceof Error) e.message += `\nacts as run:\n  ${run.log.join("\n  ")}`;
          throw e;
        }
      }),
      { numRuns: RUNS },
    );
  });
});
