/*
 * BillLedger against a model, over random sequences of acts by random actors (fast-check, fc.commands).
 *
 * Acts: issue (face 1..10^6 units, splittable or not, now and then not transferable, a wrong party or a maturity of
 * today), presentForAcceptance / presentForReceipt, endorse (random endorsee, random part of a holding), pledge,
 * requestGuarantee, sign / reject / withdraw / clear of any pending application, releasePledge, freeze / unfreeze
 * (by the regulator, now and then by someone else), pause / unpause, suspend / reinstate of an enterprise by its
 * KYC provider, and time advances (a few seconds, days, or to just before, at or after an answer deadline or a
 * maturity). Each act names its range by a pick resolved against the model when it runs, so most acts hit a range
 * in the state they need and some deliberately do not; the model predicts success or the exact custom error with
 * its arguments.
 *
 * After every step (checklist invariants 3, 5, 7, 8, 9 for the bill side):
 *  - every bill's ranges (rangesOfBill) are contiguous, never overlap and cover exactly 1..face; no zero holder;
 *  - every holder is a known actor, and a holder that changed was verified in the registry at that block;
 *  - the chain equals the model: per range, its end, holder, state, prior state, pending act, deadline,
 *    counterparty, no-recourse mark and liability-chain commitment; each enterprise's rangesOf; the bill count, the
 *    pause flag and each enterprise's standing;
 *  - a refused act changes nothing.
 *
 * Each sequence starts from three bills: #1 circulating with enterprise Y (the circulatingBill fixture), #2 accepted
 * and not yet received, #3 issued and not splittable. `npm test` runs 20 sequences of up to 25 acts; FC_LONG=1
 * runs 300.
 */
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BillLedger, IdentityRegistry } from "../../typechain-types";
import { EntityKind, EntityStatus, entityIdOf } from "../../tasks/lib/identity";
import {
  Act as ActKind,
  BillType,
  LinkKind,
  RangeState,
  cstDayOf,
  issueBill,
  startOfCstDay,
} from "../../tasks/lib/bills";
import { CODES, asRegulator } from "../fixtures/platform";
import { ENTERPRISE_Z_CODE, circulatingBill } from "../fixtures/bills";
import type { BillFixture } from "../fixtures/bills";
import { assertModelRuns, jsonText, sendNextAct } from "./harness";
import type { PlannedSend, Refusal as PredictedRefusal } from "./harness";

const LONG = Boolean(process.env.FC_LONG);
const RUNS = LONG ? 300 : 20;
const MAX_ACTS = 25;
/** Ranges examined per rangesOf page when the listing is also walked in small pages. */
const PAGE_RANGES = 3;

/** Every wallet an act may come from or name. Only enterprises can hold bills. */
const ACTORS = [
  "enterpriseX",
  "enterpriseY",
  "enterpriseZ",
  "bankA",
  "bankB",
  "financeCo",
  "centralBank",
  "regulator",
  "outsider",
] as const;
type Actor = (typeof ACTORS)[number];
const ENTERPRISES = ["enterpriseX", "enterpriseY", "enterpriseZ"] as const;
type Enterprise = (typeof ENTERPRISES)[number];

const KIND: Record<Actor, EntityKind> = {
  enterpriseX: EntityKind.Enterprise,
  enterpriseY: EntityKind.Enterprise,
  enterpriseZ: EntityKind.Enterprise,
  bankA: EntityKind.Bank,
  bankB: EntityKind.Bank,
  financeCo: EntityKind.FinanceCompany,
  centralBank: EntityKind.CentralBank,
  regulator: EntityKind.Regulator,
  outsider: EntityKind.None,
};

const ENTITY_ID: Record<Enterprise, string> = {
  enterpriseX: entityIdOf(CODES.enterpriseX),
  enterpriseY: entityIdOf(CODES.enterpriseY),
  enterpriseZ: entityIdOf(ENTERPRISE_Z_CODE),
};

const ZERO = hre.ethers.ZeroAddress;
const MASK_96 = (1n << 96n) - 1n;
const coder = hre.ethers.AbiCoder.defaultAbiCoder();

// ---------------------------------------------------------------------------------------------------------------
// Model

interface RangeModel {
  start: bigint;
  end: bigint;
  holder: Actor;
  state: RangeState;
  priorState: RangeState;
  pendingAct: ActKind;
  noRecourse: boolean;
  deadline: bigint;
  counterparty: Actor | null;
  chain: bigint;
}

interface BillModel {
  id: bigint;
  billType: BillType;
  drawer: Actor;
  acceptor: Actor;
  payee: Actor;
  face: bigint;
  issueDay: number;
  maturityDay: number;
  notTransferable: boolean;
  splittable: boolean;
  /** In unit order. */
  ranges: RangeModel[];
}

interface Standing {
  status: EntityStatus;
  expiresAt: bigint;
}

interface Model {
  /** Timestamp of the latest block. */
  now: bigint;
  paused: boolean;
  answerWindow: bigint;
  maxTenorMonths: number;
  bills: BillModel[];
  /** The registry standing of every actor's wallet (the outsider's never verifies). */
  standing: Record<Actor, Standing>;
  provider: Record<Enterprise, Actor>;
}

function kindIfVerified(m: Model, actor: Actor, t: bigint): EntityKind {
  const s = m.standing[actor];
  return s.status === EntityStatus.Active && t < s.expiresAt ? KIND[actor] : EntityKind.None;
}

function acceptorKind(type: BillType): EntityKind {
  if (type === BillType.BankAcceptance) return EntityKind.Bank;
  if (type === BillType.FinanceCompanyAcceptance) return EntityKind.FinanceCompany;
  return EntityKind.Enterprise;
}

function genesis(billId: bigint): bigint {
  return BigInt(hre.ethers.keccak256(coder.encode(["string", "uint256"], ["bill-dvp:chain", billId]))) & MASK_96;
}

function nextChain(chain: bigint, kind: LinkKind, party: string, noRecourse: boolean): bigint {
  const encoded = coder.encode(["uint96", "uint8", "address", "bool"], [chain, kind, party, noRecourse]);
  return BigInt(hre.ethers.keccak256(encoded)) & MASK_96;
}

function rangeAt(bill: BillModel, start: bigint): RangeModel | undefined {
  return bill.ranges.find((r) => r.start === start);
}

/** Cuts `range` so it keeps its first `amount` units; the rest becomes a new range with the same standing. */
function split(bill: BillModel, range: RangeModel, amount: bigint): void {
  if (amount === range.end - range.start + 1n) return;
  const rest: RangeModel = { ...range, start: range.start + amount };
  range.end = range.start + amount - 1n;
  bill.ranges.splice(bill.ranges.indexOf(range) + 1, 0, rest);
}

/** What applicationTerms returns for the range at `start`: the hash of its pending application, or zero. */
function termsOf(r: Pick<Real, "address">, billId: bigint, start: bigint, range: RangeModel | undefined): string {
  if (range?.state !== RangeState.Locked) return hre.ethers.ZeroHash;
  const encoded = coder.encode(
    ["uint256", "uint48", "uint48", "uint8", "address", "address", "bool", "uint40"],
    [
      billId,
      start,
      range.end,
      range.pendingAct,
      r.address[range.holder],
      range.counterparty === null ? ZERO : r.address[range.counterparty],
      range.noRecourse,
      range.deadline,
    ],
  );
  return hre.ethers.keccak256(encoded);
}

/** The pending application ends without effect. */
function endApplication(range: RangeModel): void {
  range.state = range.priorState;
  range.priorState = RangeState.None;
  range.pendingAct = ActKind.None;
  range.noRecourse = false;
  range.deadline = 0n;
  range.counterparty = null;
}

// ---------------------------------------------------------------------------------------------------------------
// Chain

interface Real {
  ledger: BillLedger;
  registry: IdentityRegistry;
  signer: Record<Actor | "pauser" | "admin", HardhatEthersSigner>;
  address: Record<Actor, string>;
  actorAt: Map<string, Actor>;
  roles: { REGULATOR_ROLE: string };
  last: Snapshot;
  log: string[];
}

interface ChainRange {
  start: bigint;
  end: bigint;
  holder: string;
  text: string;
}

interface Snapshot {
  block: number;
  timestamp: bigint;
  paused: boolean;
  billCount: bigint;
  /** Per bill, in id order: its ranges and the `next` cursor of one big page. */
  ranges: ChainRange[][];
  next: bigint[];
  /** Per enterprise: "billId/start" of every range rangesOf lists in one big page, and that page's nextCursor. */
  listed: Record<Enterprise, string[]>;
  listedNext: Record<Enterprise, bigint>;
  /** Per enterprise: rangesOf walked from cursor 0 in pages of PAGE_RANGES ranges. */
  walked: Record<Enterprise, ListedPage[]>;
  verified: Record<Enterprise, boolean>;
}

interface ListedPage {
  /** "billId/start" of each range listed. */
  page: string[];
  nextCursor: bigint;
}

type RangeResult = Awaited<ReturnType<BillLedger["rangeAt"]>>;

const listedText = (page: RangeResult[]) => page.map((x) => `${x.billId}/${x.start}`);

/** `holder`'s rangesOf pages of PAGE_RANGES ranges, from cursor 0 until nextCursor is 0. */
async function walkRangesOf(ledger: BillLedger, holder: string, blockTag: number): Promise<ListedPage[]> {
  const pages: ListedPage[] = [];
  let cursor = 0n;
  do {
    const [page, nextCursor] = await asRegulator(ledger).rangesOf(holder, cursor, PAGE_RANGES, { blockTag });
    pages.push({ page: listedText(page), nextCursor });
    expect(pages.length, "rangesOf pages").to.be.lessThan(10_000);
    cursor = nextCursor;
  } while (cursor !== 0n);
  return pages;
}

function chainRange(r: RangeResult): ChainRange {
  const text = [
    r.start,
    r.end,
    r.holder,
    r.state,
    r.priorState,
    r.pendingAct,
    r.noRecourse,
    r.deadline,
    r.counterparty,
    r.chain,
  ].join("/");
  return { start: r.start, end: r.end, holder: r.holder, text };
}

function modelText(r: Real, range: RangeModel): string {
  return [
    range.start,
    range.end,
    r.address[range.holder],
    range.state,
    range.priorState,
    range.pendingAct,
    range.noRecourse,
    range.deadline,
    range.counterparty === null ? ZERO : r.address[range.counterparty],
    range.chain,
  ].join("/");
}

async function readChain(r: Pick<Real, "ledger" | "registry" | "address">): Promise<Snapshot> {
  const block = (await hre.ethers.provider.getBlock("latest"))!;
  const blockTag = block.number;
  const billCount = await r.ledger.billCount({ blockTag });
  const ids = Array.from({ length: Number(billCount) }, (_, i) => BigInt(i + 1));
  const [paused, pages, listed, walked, verified] = await Promise.all([
    r.ledger.paused({ blockTag }),
    Promise.all(ids.map((id) => asRegulator(r.ledger).rangesOfBill(id, 1n, 10_000n, { blockTag }))),
    Promise.all(ENTERPRISES.map((e) => asRegulator(r.ledger).rangesOf(r.address[e], 0n, 10_000n, { blockTag }))),
    Promise.all(ENTERPRISES.map((e) => walkRangesOf(r.ledger, r.address[e], blockTag))),
    Promise.all(ENTERPRISES.map((e) => r.registry.isVerified(r.address[e], { blockTag }))),
  ]);
  const byEnterprise = <T>(values: T[]) =>
    Object.fromEntries(ENTERPRISES.map((e, i) => [e, values[i]])) as Record<Enterprise, T>;
  return {
    block: block.number,
    timestamp: BigInt(block.timestamp),
    paused,
    billCount,
    ranges: pages.map(([page]) => page.map(chainRange)),
    next: pages.map(([, next]) => next),
    listed: byEnterprise(listed.map(([page]) => listedText(page))),
    listedNext: byEnterprise(listed.map(([, nextCursor]) => nextCursor)),
    walked: byEnterprise(walked),
    verified: byEnterprise(verified),
  };
}

function snapshotText(s: Snapshot): string {
  return JSON.stringify([s.paused, String(s.billCount), s.ranges.map((rs) => rs.map((x) => x.text))]);
}

/** Checks the invariants on the step that produced the latest block, and the chain against the model. */
async function verifyStep(m: Model, r: Real, refused: boolean): Promise<void> {
  const before = r.last;
  const after = await readChain(r);
  expect(after.timestamp, "block time").to.equal(m.now);

  // A refused act changes nothing.
  if (refused) expect(snapshotText(after), "ledger state after a refused act").to.equal(snapshotText(before));

  expect(after.billCount, "billCount").to.equal(BigInt(m.bills.length));
  expect(after.paused, "paused").to.equal(m.paused);

  const changedHolders = new Set<string>();
  m.bills.forEach((bill, i) => {
    const ranges = after.ranges[i];
    const label = `bill ${bill.id}`;
    // One holder per unit: contiguous, non-overlapping ranges covering exactly 1..face, no zero holder.
    expect(after.next[i], `${label}: rangesOfBill next`).to.equal(0n);
    expect(ranges.length, `${label}: ranges`).to.be.greaterThan(0);
    let expected = 1n;
    for (const range of ranges) {
      expect(range.start, `${label}: range start`).to.equal(expected);
      expect(range.end >= range.start, `${label}: range [${range.start}, ${range.end}]`).to.equal(true);
      expect(r.actorAt.has(range.holder), `${label}: unknown holder ${range.holder}`).to.equal(true);
      expected = range.end + 1n;
    }
    expect(expected - 1n, `${label}: last unit`).to.equal(bill.face);

    // Holders that changed in this step (or the drawer of a new bill).
    const old = before.ranges[i];
    for (const range of ranges) {
      const was = old?.find((o) => o.start <= range.start && range.start <= o.end);
      if (was === undefined || was.holder !== range.holder) changedHolders.add(range.holder);
    }

    // The chain equals the model.
    const actual = ranges.map((x) => x.text);
    const model = bill.ranges.map((x) => modelText(r, x));
    if (actual.join() !== model.join()) expect(actual, `${label}: ranges vs model`).to.deep.equal(model);
  });

  // Eligibility: whoever received was verified in the registry at that block.
  const blockTag = after.block;
  for (const holder of changedHolders) {
    expect(await r.registry.isVerified(holder, { blockTag }), `${holder} received while unverified`).to.equal(true);
  }

  // Every range of the ledger in bill and unit order, whoever holds it, with its rangesOf cursor key.
  const all = m.bills.flatMap((bill) =>
    bill.ranges.map((range) => ({ range, text: `${bill.id}/${range.start}`, key: (bill.id << 48n) | range.start })),
  );
  for (const e of ENTERPRISES) {
    const listedIn = (part: typeof all) =>
      part.filter((x) => x.range.holder === e && x.range.state !== RangeState.Redeemed).map((x) => x.text);
    expect(after.listed[e], `rangesOf(${e}, 0, 10000)`).to.deep.equal(listedIn(all));
    expect(after.listedNext[e], `rangesOf(${e}, 0, 10000) nextCursor`).to.equal(0n);
    // Each small page examines the next PAGE_RANGES ranges, held or not, and points at the first one it did not.
    const pages: ListedPage[] = [];
    for (let i = 0; i < all.length; i += PAGE_RANGES) {
      const nextCursor = i + PAGE_RANGES < all.length ? all[i + PAGE_RANGES].key : 0n;
      pages.push({ page: listedIn(all.slice(i, i + PAGE_RANGES)), nextCursor });
    }
    expect(after.walked[e], `rangesOf(${e}) in pages of ${PAGE_RANGES}`).to.deep.equal(pages);
    expect(after.verified[e], `registry.isVerified(${e})`).to.equal(kindIfVerified(m, e, m.now) !== EntityKind.None);
  }

  r.last = after;
}

// ---------------------------------------------------------------------------------------------------------------
// Picks: resolved against the model when the act runs

/** A range: `index` among the ranges in the state the act wants (any range if `any` or none is), + `offset`. */
interface RangePick {
  index: number;
  any: boolean;
  offset: bigint;
}

const rangePick: fc.Arbitrary<RangePick> = fc.record({
  index: fc.nat(),
  any: fc.oneof({ arbitrary: fc.constant(false), weight: 6 }, { arbitrary: fc.constant(true), weight: 1 }),
  offset: fc.oneof({ arbitrary: fc.constant(0n), weight: 12 }, { arbitrary: fc.constant(1n), weight: 1 }),
});

interface Resolved {
  bill: BillModel;
  start: bigint;
  range: RangeModel | undefined;
}

function resolveRange(m: Model, pick: RangePick, wanted: (r: RangeModel) => boolean): Resolved {
  const all = m.bills.flatMap((bill) => bill.ranges.map((range) => ({ bill, range })));
  const preferred = all.filter(({ range }) => wanted(range));
  const pool = pick.any || preferred.length === 0 ? all : preferred;
  const { bill, range } = pool[pick.index % pool.length];
  const start = range.start + pick.offset;
  return { bill, start, range: rangeAt(bill, start) };
}

function resolveBill(m: Model, index: number, wanted: (b: BillModel) => boolean): BillModel {
  const preferred = m.bills.filter(wanted);
  const pool = preferred.length === 0 ? m.bills : preferred;
  return pool[index % pool.length];
}

/** The caller: whoever the act needs ("entitled") or a given actor. */
type Who = { entitled: true } | { entitled: false; actor: Actor };

const actor: fc.Arbitrary<Actor> = fc.oneof(
  { arbitrary: fc.constantFrom<Actor>(...ENTERPRISES), weight: 6 },
  { arbitrary: fc.constantFrom<Actor>("bankA", "bankB", "financeCo", "centralBank"), weight: 3 },
  { arbitrary: fc.constantFrom<Actor>("regulator", "outsider"), weight: 1 },
);
const enterpriseMostly: fc.Arbitrary<Actor> = fc.oneof(
  { arbitrary: fc.constantFrom<Actor>(...ENTERPRISES), weight: 8 },
  { arbitrary: actor, weight: 1 },
);
const who: fc.Arbitrary<Who> = fc.oneof(
  { arbitrary: fc.constant<Who>({ entitled: true }), weight: 6 },
  { arbitrary: actor.map((a): Who => ({ entitled: false, actor: a })), weight: 1 },
);

function callerOf(w: Who, entitled: Actor | null | undefined): Actor {
  if (!w.entitled) return w.actor;
  return entitled ?? "outsider";
}

/** How many units of a holding an act takes. */
type AmountSpec = { kind: "whole" } | { kind: "part"; permille: number } | { kind: "zero" } | { kind: "over" };

const amountSpec: fc.Arbitrary<AmountSpec> = fc.oneof(
  { arbitrary: fc.constant<AmountSpec>({ kind: "whole" }), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 999 }).map((p): AmountSpec => ({ kind: "part", permille: p })), weight: 5 },
  { arbitrary: fc.constant<AmountSpec>({ kind: "zero" }), weight: 1 },
  { arbitrary: fc.constant<AmountSpec>({ kind: "over" }), weight: 1 },
);

function resolveAmount(spec: AmountSpec, range: RangeModel | undefined): bigint {
  const size = range ? range.end - range.start + 1n : 1n;
  switch (spec.kind) {
    case "whole":
      return size;
    case "part": {
      const part = (size * BigInt(spec.permille)) / 1000n;
      return part > 0n ? part : 1n;
    }
    case "zero":
      return 0n;
    case "over":
      return size + 1n;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Acts

type Refusal = PredictedRefusal<"ledger" | "registry">;

interface Plan extends PlannedSend<"ledger" | "registry"> {
  /** Applied to the model when the act succeeds. */
  apply?: () => void;
}

const billError = (name: string, ...args: unknown[]): Refusal => ({ contract: "ledger", name, args });

/** Why `_checkParty` refuses `actor` at `t`, if it does. */
function partyRefusal(m: Model, r: Real, a: Actor, t: bigint): Refusal | undefined {
  const kind = kindIfVerified(m, a, t);
  if (kind === EntityKind.None) return billError("BillUnverifiedParty", r.address[a]);
  if (kind === EntityKind.Regulator) return billError("BillRegulatorParty", r.address[a]);
  return undefined;
}

function kindRefusal(m: Model, r: Real, a: Actor, t: bigint, expected: EntityKind): Refusal | undefined {
  return kindIfVerified(m, a, t) === expected ? undefined : billError("BillWrongPartyKind", r.address[a], expected);
}

/** Why `_apply` refuses, if it does: range, holder, state, amount. */
function applyRefusal(
  at: Resolved,
  caller: Actor,
  r: Real,
  required: RangeState,
  amount: bigint,
  splittable: boolean,
): Refusal | undefined {
  const { bill, start, range } = at;
  if (range === undefined) return billError("BillUnknownRange", bill.id, start);
  if (range.holder !== caller) return billError("BillNotEntitled", bill.id, start, r.address[caller]);
  if (range.state !== required) return billError("BillWrongState", bill.id, start, range.state, required);
  return amountRefusal(bill, range, amount, splittable);
}

function amountRefusal(bill: BillModel, range: RangeModel, amount: bigint, splittable: boolean) {
  const size = range.end - range.start + 1n;
  if (amount === 0n || amount > size) return billError("BillInvalidAmount", bill.id, range.start, range.end, amount);
  if (amount < size && !splittable) return billError("BillNotSplittable", bill.id);
  return undefined;
}

/** Locks the first `amount` units of the range for `act`, answered by `counterparty`. */
function lock(
  m: Model,
  at: Resolved,
  amount: bigint,
  act: ActKind,
  counterparty: Actor,
  noRecourse: boolean,
  t: bigint,
): void {
  const range = at.range!;
  split(at.bill, range, amount);
  range.priorState = range.state;
  range.state = RangeState.Locked;
  range.pendingAct = act;
  range.noRecourse = noRecourse;
  range.deadline = t + m.answerWindow;
  range.counterparty = counterparty;
}

function maturityStart(bill: BillModel): bigint {
  return BigInt(startOfCstDay(bill.maturityDay));
}

abstract class Step implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }

  protected abstract plan(m: Model, r: Real, t: bigint): Plan;

  async run(m: Model, r: Real): Promise<void> {
    const { p, t } = await sendNextAct(
      m.now,
      (at) => this.plan(m, r, at),
      { ledger: r.ledger, registry: r.registry },
      r.log,
    );
    if (!p.refusal) p.apply?.();
    m.now = t;
    await verifyStep(m, r, p.refusal !== undefined);
  }

  abstract toString(): string;
}

interface IssueSpec {
  drawer: Actor;
  billType: BillType;
  /** Whether the acceptor is picked to match the bill type, and the pick. */
  matchingAcceptor: boolean;
  acceptorIndex: number;
  anyAcceptor: Actor;
  payee: Actor;
  face: bigint;
  /** Maturity in days after the issue day (0 is refused). */
  maturityDays: number;
  notTransferable: boolean;
  splittable: boolean;
}

const ACCEPTORS: Record<BillType, Actor[]> = {
  [BillType.None]: ["bankA"],
  [BillType.BankAcceptance]: ["bankA", "bankB"],
  [BillType.FinanceCompanyAcceptance]: ["financeCo"],
  [BillType.CommercialAcceptance]: [...ENTERPRISES],
};

class Issue extends Step {
  constructor(readonly spec: IssueSpec) {
    super();
  }
  protected plan(m: Model, r: Real, t: bigint): Plan {
    const s = this.spec;
    const acceptor = s.matchingAcceptor
      ? ACCEPTORS[s.billType][s.acceptorIndex % ACCEPTORS[s.billType].length]
      : s.anyAcceptor;
    const today = cstDayOf(t);
    const maturityDay = today + s.maturityDays;
    // The tenor cap (at least 6 months, so at least 181 days) is never reached: its edges are the unit tests'.
    expect(m.maxTenorMonths, "tenor cap in months").to.be.at.least(6);
    expect(s.maturityDays).to.be.lessThan(181);
    let refusal: Refusal | undefined;
    if (m.paused) refusal = billError("BillPaused");
    else {
      refusal =
        partyRefusal(m, r, s.drawer, t) ??
        partyRefusal(m, r, acceptor, t) ??
        kindRefusal(m, r, s.drawer, t, EntityKind.Enterprise) ??
        kindRefusal(m, r, acceptor, t, acceptorKind(s.billType)) ??
        partyRefusal(m, r, s.payee, t) ??
        kindRefusal(m, r, s.payee, t, EntityKind.Enterprise);
      if (!refusal && maturityDay <= today) refusal = billError("BillMaturityNotInFuture", maturityDay, today);
    }
    const id = BigInt(m.bills.length + 1);
    return {
      label: `issue(#${id} by ${s.drawer}, type ${s.billType}, acceptor ${acceptor}, payee ${s.payee}, face ${s.face}, day ${maturityDay}${s.splittable ? "" : ", whole"}${s.notTransferable ? ", not transferable" : ""})`,
      refusal,
      send: () =>
        r.ledger.connect(r.signer[s.drawer]).issue({
          billType: s.billType,
          acceptor: r.address[acceptor],
          payee: r.address[s.payee],
          face: s.face,
          maturityDay,
          tradeHash: hre.ethers.id(`trade ${id}`),
          notTransferable: s.notTransferable,
          splittable: s.splittable,
        }),
      apply: () => {
        m.bills.push({
          id,
          billType: s.billType,
          drawer: s.drawer,
          acceptor,
          payee: s.payee,
          face: s.face,
          issueDay: today,
          maturityDay,
          notTransferable: s.notTransferable,
          splittable: s.splittable,
          ranges: [
            {
              start: 1n,
              end: s.face,
              holder: s.drawer,
              state: RangeState.Issued,
              priorState: RangeState.None,
              pendingAct: ActKind.None,
              noRecourse: false,
              deadline: 0n,
              counterparty: null,
              chain: genesis(id),
            },
          ],
        });
      },
    };
  }
  toString(): string {
    return `issue(${jsonText(this.spec)})`;
  }
}

/** The drawer presents its whole bill for acceptance (to the acceptor) or for receipt (to the payee). */
class Present extends Step {
  constructor(
    readonly forReceipt: boolean,
    readonly billIndex: number,
    readonly who: Who,
  ) {
    super();
  }
  protected plan(m: Model, r: Real, t: bigint): Plan {
    const required = this.forReceipt ? RangeState.Accepted : RangeState.Issued;
    const bill = resolveBill(m, this.billIndex, (b) => b.ranges[0].state === required);
    const caller = callerOf(this.who, bill.drawer);
    const counterparty = this.forReceipt ? bill.payee : bill.acceptor;
    const at: Resolved = { bill, start: 1n, range: rangeAt(bill, 1n) };
    let refusal: Refusal | undefined;
    if (m.paused) refusal = billError("BillPaused");
    else {
      refusal = partyRefusal(m, r, caller, t) ?? partyRefusal(m, r, counterparty, t);
      if (!refusal && !this.forReceipt) refusal = kindRefusal(m, r, counterparty, t, acceptorKind(bill.billType));
      refusal ??= applyRefusal(at, caller, r, required, bill.face, false);
    }
    const name = this.forReceipt ? "presentForReceipt" : "presentForAcceptance";
    const byCaller = r.ledger.connect(r.signer[caller]);
    return {
      label: `${name}(#${bill.id}) by ${caller}`,
      refusal,
      send: () => (this.forReceipt ? byCaller.presentForReceipt(bill.id) : byCaller.presentForAcceptance(bill.id)),
      apply: () =>
        lock(m, at, bill.face, this.forReceipt ? ActKind.Receipt : ActKind.Acceptance, counterparty, false, t),
    };
  }
  toString(): string {
    return `${this.forReceipt ? "presentForReceipt" : "presentForAcceptance"}(bill ${this.billIndex}, ${JSON.stringify(this.who)})`;
  }
}

/** The holder applies to endorse, pledge or have guaranteed the first part of a holding. */
class Apply extends Step {
  constructor(
    readonly act: ActKind.Endorsement | ActKind.Pledge | ActKind.Guarantee,
    readonly pick: RangePick,
    readonly who: Who,
    readonly amount: AmountSpec,
    readonly party: Actor,
    readonly noRecourse: boolean,
  ) {
    super();
  }
  protected plan(m: Model, r: Real, t: bigint): Plan {
    const at = resolveRange(m, this.pick, (x) => x.state === RangeState.Circulating);
    const { bill, start, range } = at;
    const caller = callerOf(this.who, range?.holder);
    const amount = resolveAmount(this.amount, range);
    const party = this.party;
    const endorsement = this.act === ActKind.Endorsement;
    const noRecourse = endorsement && this.noRecourse;
    let refusal: Refusal | undefined;
    if (this.act !== ActKind.Guarantee && bill.notTransferable) refusal = billError("BillNotTransferable", bill.id);
    else if (this.act !== ActKind.Guarantee && t >= maturityStart(bill)) {
      refusal = billError("BillMatured", bill.id, bill.maturityDay);
    } else if (party === caller) refusal = billError("BillInvalidParty", r.address[party]);
    else if (m.paused) refusal = billError("BillPaused");
    else {
      refusal = partyRefusal(m, r, caller, t) ?? partyRefusal(m, r, party, t);
      if (!refusal && endorsement) refusal = kindRefusal(m, r, party, t, EntityKind.Enterprise);
      refusal ??= applyRefusal(at, caller, r, RangeState.Circulating, amount, bill.splittable);
    }
    const byCaller = r.ledger.connect(r.signer[caller]);
    const to = r.address[party];
    const name = ActKind[this.act];
    return {
      label: `${name}(#${bill.id}@${start}, ${amount} units, to ${party}${noRecourse ? ", no recourse" : ""}) by ${caller}`,
      refusal,
      send: () =>
        this.act === ActKind.Endorsement
          ? byCaller.endorse(bill.id, start, amount, to, noRecourse)
          : this.act === ActKind.Pledge
            ? byCaller.pledge(bill.id, start, amount, to)
            : byCaller.requestGuarantee(bill.id, start, amount, to),
      apply: () => lock(m, at, amount, this.act, party, noRecourse, t),
    };
  }
  toString(): string {
    return `${ActKind[this.act]}(${jsonText([this.pick, this.who, this.amount, this.party, this.noRecourse])})`;
  }
}

type Answer = "sign" | "reject" | "withdraw" | "clear";

/** The counterparty signs or rejects, the applicant withdraws, or anyone clears a pending application. */
class AnswerStep extends Step {
  constructor(
    readonly answer: Answer,
    readonly pick: RangePick,
    readonly who: Who,
  ) {
    super();
  }
  protected plan(m: Model, r: Real, t: bigint): Plan {
    const at = resolveRange(m, this.pick, (x) => x.state === RangeState.Locked);
    const { bill, start, range } = at;
    const entitled = this.answer === "withdraw" ? range?.holder : range?.counterparty;
    const caller = this.answer === "clear" && this.who.entitled ? "outsider" : callerOf(this.who, entitled);
    let refusal: Refusal | undefined;
    if (this.answer === "sign" && m.paused) refusal = billError("BillPaused");
    else if (range === undefined) refusal = billError("BillUnknownRange", bill.id, start);
    else if (range.state !== RangeState.Locked) {
      refusal = billError("BillWrongState", bill.id, start, range.state, RangeState.Locked);
    } else if (this.answer === "clear") {
      if (t < range.deadline) refusal = billError("BillApplicationPending", bill.id, start, range.deadline);
    } else if (caller !== entitled) refusal = billError("BillNotEntitled", bill.id, start, r.address[caller]);
    else if (this.answer === "sign") refusal = this.signRefusal(m, r, t, bill, range);
    const byCaller = r.ledger.connect(r.signer[caller]);
    return {
      label: `${this.answer}(#${bill.id}@${start}${range ? ` ${ActKind[range.pendingAct]}` : ""}) by ${caller}`,
      refusal,
      send: async () => {
        if (this.answer !== "sign") return byCaller[this.answer](bill.id, start);
        // The counterparty signs the terms it reads; they must be the ones the model predicts.
        const terms = await asRegulator(r.ledger).applicationTerms(bill.id, start);
        expect(terms, `applicationTerms(#${bill.id}@${start})`).to.equal(termsOf(r, bill.id, start, range));
        return byCaller.sign(bill.id, start, terms);
      },
      apply: () => (this.answer === "sign" ? this.signed(r, range!) : endApplication(range!)),
    };
  }

  private signRefusal(m: Model, r: Real, t: bigint, bill: BillModel, range: RangeModel): Refusal | undefined {
    if (t >= range.deadline) return billError("BillApplicationExpired", bill.id, range.start, range.deadline);
    const counterparty = range.counterparty!;
    const refusal = partyRefusal(m, r, range.holder, t) ?? partyRefusal(m, r, counterparty, t);
    if (refusal) return refusal;
    if (range.pendingAct === ActKind.Acceptance) {
      return kindRefusal(m, r, counterparty, t, acceptorKind(bill.billType));
    }
    if (range.pendingAct === ActKind.Receipt) return kindRefusal(m, r, counterparty, t, EntityKind.Enterprise);
    if (range.pendingAct === ActKind.Endorsement || range.pendingAct === ActKind.Pledge) {
      if (t >= maturityStart(bill)) return billError("BillMatured", bill.id, bill.maturityDay);
    }
    if (range.pendingAct === ActKind.Endorsement) return kindRefusal(m, r, counterparty, t, EntityKind.Enterprise);
    return undefined;
  }

  private signed(r: Real, range: RangeModel): void {
    const counterparty = range.counterparty!;
    const act = range.pendingAct;
    let next = RangeState.Circulating;
    if (act === ActKind.Acceptance) next = RangeState.Accepted;
    else if (act === ActKind.Receipt) range.holder = counterparty;
    else if (act === ActKind.Endorsement) {
      range.chain = nextChain(range.chain, LinkKind.Endorsement, r.address[range.holder], range.noRecourse);
      range.holder = counterparty;
    } else if (act === ActKind.Pledge) next = RangeState.Pledged;
    else {
      range.chain = nextChain(range.chain, LinkKind.Guarantee, r.address[counterparty], false);
      next = range.priorState;
    }
    endApplication(range);
    range.state = next;
    if (act === ActKind.Pledge) range.counterparty = counterparty;
  }

  toString(): string {
    return `${this.answer}(${jsonText([this.pick, this.who])})`;
  }
}

/** The creditor releases a pledge. */
class Release extends Step {
  constructor(
    readonly pick: RangePick,
    readonly who: Who,
  ) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const at = resolveRange(m, this.pick, (x) => x.state === RangeState.Pledged);
    const { bill, start, range } = at;
    const caller = callerOf(this.who, range?.counterparty);
    let refusal: Refusal | undefined;
    if (range === undefined) refusal = billError("BillUnknownRange", bill.id, start);
    else if (range.state !== RangeState.Pledged) {
      refusal = billError("BillWrongState", bill.id, start, range.state, RangeState.Pledged);
    } else if (caller !== range.counterparty) refusal = billError("BillNotEntitled", bill.id, start, r.address[caller]);
    return {
      label: `releasePledge(#${bill.id}@${start}) by ${caller}`,
      refusal,
      send: () => r.ledger.connect(r.signer[caller]).releasePledge(bill.id, start),
      apply: () => {
        range!.counterparty = null;
        range!.state = RangeState.Circulating;
      },
    };
  }
  toString(): string {
    return `releasePledge(${jsonText([this.pick, this.who])})`;
  }
}

/** The regulator (or, refused, anyone else) freezes the first part of a range or lifts a freeze. */
class Freeze extends Step {
  constructor(
    readonly unfreeze: boolean,
    readonly pick: RangePick,
    readonly who: Who,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const at = resolveRange(m, this.pick, (x) =>
      this.unfreeze ? x.state === RangeState.Frozen : x.state !== RangeState.Frozen,
    );
    const { bill, start, range } = at;
    const caller = callerOf(this.who, "regulator");
    const amount = resolveAmount(this.amount, range);
    // A locked range is first returned to the state its application started from.
    const from = range?.state === RangeState.Locked ? range.priorState : range?.state;
    let refusal: Refusal | undefined;
    if (caller !== "regulator") {
      refusal = billError("AccessControlUnauthorizedAccount", r.address[caller], r.roles.REGULATOR_ROLE);
    } else if (range === undefined) refusal = billError("BillUnknownRange", bill.id, start);
    else if (this.unfreeze) {
      if (range.state !== RangeState.Frozen) {
        refusal = billError("BillWrongState", bill.id, start, range.state, RangeState.Frozen);
      }
    } else if (range.state === RangeState.Frozen || range.state === RangeState.Redeemed) {
      refusal = billError("BillWrongState", bill.id, start, range.state, RangeState.Circulating);
    } else {
      // Only circulating and pledged holdings split: issued and accepted bills move as a whole until the payee
      // receives them (and, in the ledger, presented or dishonoured ranges keep their presentment whole).
      const divisible = bill.splittable && (from === RangeState.Circulating || from === RangeState.Pledged);
      refusal = amountRefusal(bill, range, amount, divisible);
    }
    const byCaller = r.ledger.connect(r.signer[caller]);
    return {
      label: this.unfreeze
        ? `unfreeze(#${bill.id}@${start}) by ${caller}`
        : `freeze(#${bill.id}@${start}, ${amount} units) by ${caller}`,
      refusal,
      send: () => (this.unfreeze ? byCaller.unfreeze(bill.id, start) : byCaller.freeze(bill.id, start, amount)),
      apply: () => {
        const x = range!;
        if (this.unfreeze) {
          x.state = x.priorState;
          x.priorState = RangeState.None;
          return;
        }
        if (x.state === RangeState.Locked) endApplication(x);
        split(bill, x, amount);
        x.priorState = x.state;
        x.state = RangeState.Frozen;
      },
    };
  }
  toString(): string {
    return `${this.unfreeze ? "unfreeze" : "freeze"}(${jsonText([this.pick, this.who, this.amount])})`;
  }
}

class Pause extends Step {
  constructor(readonly pause: boolean) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const byPauser = r.ledger.connect(r.signer.pauser);
    let refusal: Refusal | undefined;
    if (this.pause && m.paused) refusal = billError("BillPaused");
    if (!this.pause && !m.paused) refusal = billError("BillNotPaused");
    return {
      label: this.toString(),
      refusal,
      send: () => (this.pause ? byPauser.pause() : byPauser.unpause()),
      apply: () => {
        m.paused = this.pause;
      },
    };
  }
  toString(): string {
    return this.pause ? "pause()" : "unpause()";
  }
}

/**
 * The KYC provider of an enterprise suspends or reinstates it; mostly an enterprise in the status the act needs
 * (resolved when it runs), now and then any, which the registry may refuse.
 */
class SetStanding extends Step {
  constructor(
    readonly suspend: boolean,
    readonly index: number,
    readonly any: boolean,
  ) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const from = this.suspend ? EntityStatus.Active : EntityStatus.Suspended;
    const matching = ENTERPRISES.filter((e) => m.standing[e].status === from);
    const pool = this.any || matching.length === 0 ? ENTERPRISES : matching;
    const enterprise = pool[this.index % pool.length];
    const standing = m.standing[enterprise];
    const id = ENTITY_ID[enterprise];
    const byProvider = r.registry.connect(r.signer[m.provider[enterprise]]);
    return {
      label: `${this.suspend ? "suspend" : "reinstate"}(${enterprise})`,
      refusal:
        standing.status === from
          ? undefined
          : { contract: "registry", name: "IdentityWrongStatus", args: [id, standing.status] },
      send: () => (this.suspend ? byProvider.suspendEntity(id) : byProvider.reinstateEntity(id)),
      apply: () => {
        standing.status = this.suspend ? EntityStatus.Suspended : EntityStatus.Active;
      },
    };
  }
  toString(): string {
    return `${this.suspend ? "suspend" : "reinstate"}(${this.index}${this.any ? ", any" : ""})`;
  }
}

/** Time passes: `seconds`, or up to `delta` s around a pending deadline or a maturity (the next act lands there). */
type Advance =
  | { kind: "by"; seconds: bigint }
  | { kind: "deadline"; pick: RangePick; delta: bigint }
  | { kind: "maturity"; index: number; delta: bigint };

class AdvanceTime implements fc.AsyncCommand<Model, Real> {
  constructor(readonly advance: Advance) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const a = this.advance;
    let target = m.now + 1n;
    if (a.kind === "by") target = m.now + a.seconds;
    else if (a.kind === "deadline") {
      const { range } = resolveRange(m, a.pick, (x) => x.state === RangeState.Locked);
      if (range?.state === RangeState.Locked) target = range.deadline + a.delta - 1n;
    } else {
      target = maturityStart(resolveBill(m, a.index, () => true)) + a.delta - 1n;
    }
    if (target <= m.now) target = m.now + 1n;
    await time.increaseTo(target);
    m.now = target;
    r.log.push(`${this.toString()} -> @${m.now}`);
    await verifyStep(m, r, false);
  }
  toString(): string {
    return `advance(${jsonText(this.advance)})`;
  }
}

const DAY = 86_400n;
const delta = fc.constantFrom(-1n, 0n, 1n);

const issueSpec: fc.Arbitrary<IssueSpec> = fc.record({
  drawer: fc.oneof({ arbitrary: fc.constantFrom<Actor>(...ENTERPRISES), weight: 9 }, { arbitrary: actor, weight: 1 }),
  billType: fc.constantFrom(BillType.BankAcceptance, BillType.FinanceCompanyAcceptance, BillType.CommercialAcceptance),
  matchingAcceptor: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
  acceptorIndex: fc.nat(),
  anyAcceptor: actor,
  payee: enterpriseMostly,
  face: fc.oneof({ arbitrary: fc.bigInt(1n, 10n), weight: 1 }, { arbitrary: fc.bigInt(1n, 1_000_000n), weight: 4 }),
  maturityDays: fc.oneof(
    { arbitrary: fc.constant(0), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 150 }), weight: 9 },
  ),
  notTransferable: fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 }),
  splittable: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
});

const applyAct = (act: ActKind.Endorsement | ActKind.Pledge | ActKind.Guarantee, party: fc.Arbitrary<Actor>) =>
  fc
    .tuple(rangePick, who, amountSpec, party, fc.boolean())
    .map(([pick, w, amount, p, noRecourse]) => new Apply(act, pick, w, amount, p, noRecourse));

const answer = (kind: Answer) => fc.tuple(rangePick, who).map(([pick, w]) => new AnswerStep(kind, pick, w));

const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, { arbitrary: fc.constant(true), weight: 1 });

const ACTS: fc.Arbitrary<fc.AsyncCommand<Model, Real>> = fc.oneof(
  { arbitrary: issueSpec.map((s) => new Issue(s)), weight: 3 },
  { arbitrary: fc.tuple(fc.nat(), who).map(([i, w]) => new Present(false, i, w)), weight: 3 },
  { arbitrary: fc.tuple(fc.nat(), who).map(([i, w]) => new Present(true, i, w)), weight: 3 },
  { arbitrary: applyAct(ActKind.Endorsement, enterpriseMostly), weight: 7 },
  { arbitrary: applyAct(ActKind.Pledge, actor), weight: 3 },
  { arbitrary: applyAct(ActKind.Guarantee, actor), weight: 2 },
  { arbitrary: answer("sign"), weight: 9 },
  { arbitrary: answer("reject"), weight: 2 },
  { arbitrary: answer("withdraw"), weight: 2 },
  { arbitrary: answer("clear"), weight: 2 },
  { arbitrary: fc.tuple(rangePick, who).map(([pick, w]) => new Release(pick, w)), weight: 2 },
  {
    arbitrary: fc.tuple(rangePick, who, amountSpec).map(([pick, w, amount]) => new Freeze(false, pick, w, amount)),
    weight: 2,
  },
  {
    arbitrary: fc.tuple(rangePick, who, amountSpec).map(([pick, w, amount]) => new Freeze(true, pick, w, amount)),
    weight: 2,
  },
  { arbitrary: fc.constant(null).map(() => new Pause(true)), weight: 1 },
  { arbitrary: fc.constant(null).map(() => new Pause(false)), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.boolean(), fc.nat(), rarely)
      .map(([suspend, index, any]) => new SetStanding(suspend, index, any)),
    weight: 2,
  },
  {
    arbitrary: fc
      .oneof(
        { arbitrary: fc.bigInt(1n, 100n), weight: 4 },
        { arbitrary: fc.constantFrom(3_600n, DAY), weight: 2 },
        { arbitrary: fc.constantFrom(10n * DAY, 30n * DAY), weight: 1 },
      )
      .map((seconds) => new AdvanceTime({ kind: "by", seconds })),
    weight: 2,
  },
  {
    arbitrary: fc.tuple(rangePick, delta).map(([pick, d]) => new AdvanceTime({ kind: "deadline", pick, delta: d })),
    weight: 2,
  },
  {
    arbitrary: fc.tuple(fc.nat(), delta).map(([index, d]) => new AdvanceTime({ kind: "maturity", index, delta: d })),
    weight: 1,
  },
);

// ---------------------------------------------------------------------------------------------------------------
// Set-up

/**
 * A bill in each early state to start from: #1 circulating with enterprise Y (the fixture's), #2 a commercial
 * acceptance bill X drew on Z, accepted, payable to Y, #3 a finance-company bill Y drew, issued, not splittable.
 */
async function billsInEveryState(): Promise<BillFixture> {
  const fixture = await loadFixture(circulatingBill);
  const { accounts, suite } = fixture;
  const ledger = suite.billLedger;
  const { enterpriseX, enterpriseY, enterpriseZ, financeCo } = accounts;
  const maturityDay = cstDayOf(await time.latest()) + 60;
  const { billId: accepted } = await issueBill(ledger.connect(enterpriseX), {
    billType: BillType.CommercialAcceptance,
    acceptor: enterpriseZ.address,
    payee: enterpriseY.address,
    face: 500_000n,
    maturityDay,
    tradeBackground: "supply contract SC-2",
  });
  await (await ledger.connect(enterpriseX).presentForAcceptance(accepted)).wait();
  await (
    await ledger
      .connect(enterpriseZ)
      .sign(accepted, 1n, await ledger.connect(enterpriseZ).applicationTerms(accepted, 1n))
  ).wait();
  await issueBill(ledger.connect(enterpriseY), {
    billType: BillType.FinanceCompanyAcceptance,
    acceptor: financeCo.address,
    payee: enterpriseZ.address,
    face: 1_000n,
    maturityDay: maturityDay + 30,
    tradeBackground: "supply contract SC-3",
    splittable: false,
  });
  return fixture;
}

async function freshRun(): Promise<{ model: Model; real: Real }> {
  const { accounts, suite } = await loadFixture(billsInEveryState);
  const ledger = suite.billLedger;
  const registry = suite.identityRegistry;
  const signer = {
    ...(Object.fromEntries(ACTORS.map((a) => [a, accounts[a]])) as Record<Actor, HardhatEthersSigner>),
    pauser: accounts.pauser,
    admin: accounts.admin,
  };
  const address = Object.fromEntries(ACTORS.map((a) => [a, accounts[a].address])) as Record<Actor, string>;
  const actorAt = new Map(ACTORS.map((a) => [address[a], a] as const));
  const of = (wallet: string): Actor => {
    const found = actorAt.get(wallet);
    if (found === undefined) throw new Error(`unknown wallet ${wallet}`);
    return found;
  };

  const standing = {} as Record<Actor, Standing>;
  for (const a of ACTORS) {
    const credential = await asRegulator(registry).credentialOf(address[a]);
    standing[a] = { status: Number(credential.status), expiresAt: credential.expiresAt };
  }
  const provider = {} as Record<Enterprise, Actor>;
  for (const e of ENTERPRISES) provider[e] = of((await asRegulator(registry).entity(ENTITY_ID[e])).provider);

  const settings = await ledger.settings();
  const bills: BillModel[] = [];
  for (let id = 1n; id <= (await ledger.billCount()); id++) {
    const b = await asRegulator(ledger).bill(id, 0);
    const [page] = await asRegulator(ledger).rangesOfBill(id, 1n, 10_000n);
    bills.push({
      id,
      billType: Number(b.billType),
      drawer: of(b.drawer),
      acceptor: of(b.acceptor),
      payee: of(b.payee),
      face: b.face,
      issueDay: Number(b.issueDay),
      maturityDay: Number(b.maturityDay),
      notTransferable: b.notTransferable,
      splittable: b.splittable,
      ranges: page.map((x) => ({
        start: x.start,
        end: x.end,
        holder: of(x.holder),
        state: Number(x.state),
        priorState: Number(x.priorState),
        pendingAct: Number(x.pendingAct),
        noRecourse: x.noRecourse,
        deadline: x.deadline,
        counterparty: x.counterparty === ZERO ? null : of(x.counterparty),
        chain: x.chain,
      })),
    });
  }
  const partial = { ledger, registry, address };
  const last = await readChain(partial);
  const model: Model = {
    now: last.timestamp,
    paused: last.paused,
    answerWindow: settings.answerWindow,
    maxTenorMonths: Number(settings.maxTenorMonths),
    bills,
    standing,
    provider,
  };
  const real: Real = {
    ...partial,
    signer,
    actorAt,
    roles: { REGULATOR_ROLE: await ledger.REGULATOR_ROLE() },
    last,
    log: [],
  };
  // The fixture bill's chain is its genesis: the endorsement-free start the model computes too.
  expect(bills[0].ranges[0].chain).to.equal(genesis(1n));
  return { model, real };
}

// ---------------------------------------------------------------------------------------------------------------

describe("BillLedger (property)", function () {
  it("keeps one holder per unit, verified holders and the model's ranges over random acts", async function () {
    this.timeout(LONG ? 7_200_000 : 180_000);
    await assertModelRuns(ACTS, freshRun, { maxCommands: MAX_ACTS, numRuns: RUNS });
  });
});
