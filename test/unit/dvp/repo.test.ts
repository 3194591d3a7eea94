/*
 * SettlementEngine, repos. The borrower delivers the bill leg, the lender the cash leg (the principal).
 * - PledgeRepo: the borrower keeps the range, pledged in the ledger with the engine as counterparty;
 *   closingAmount = repoRepayment(principal, rate, endDay − valueDay) (principal + interest rounded up).
 * - OutrightRepo: title goes to the lender, the range Escrowed with it until closing; closingAmount quoted, rate 0.
 * The borrower closes (pays closingAmount in the cash leg's token, takes the range back) while
 * now < BillCalendar.startOf(endDay + 1); from then the lender defaults (keeps or takes the range).
 * Dates: valueDay < endDay < maturity, endDay a business day.
 *
 * The scene: the shared `tradingPlatform` at 10:00 CST of the next day; bank A bought [1, UNITS] from Y (signed
 * discount) and borrows on half of it from bank B.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { RangeState, startOfCstDay } from "../../../tasks/lib/bills";
import {
  TradeKind,
  TradeStatus,
  billLeg,
  isBusinessDay,
  repoRepayment,
  rollForward,
  signTerms,
  tokenLeg,
  tradeIdOf,
  type Terms,
} from "../../../tasks/lib/dvp";
import { chainDay, discountTerms, termsOf, type DvpFixture } from "../../fixtures/dvp";
import { expectRange, expectWrongStatus, market, rangeSummary, statusOf } from "../../fixtures/dvpScenes";

const { ZeroAddress } = hre.ethers;
const HOUR = 3_600;
const UNITS = 10_000_000n;
/** The repo takes the first half of bank A's range. */
const REPO_UNITS = UNITS / 2n;
/** A principal and rate whose interest is not a whole number of units (it rounds up). */
const PRINCIPAL = 4_999_999n;
const REPO_RATE = 23_456n;
const NO_MARKS = new Map<number, 1 | 2>();

/** Bank A holds [1, UNITS] (bought from Y), the clock at 10:00 CST. */
async function bankHolds(): Promise<DvpFixture> {
  const f = await loadFixture(market);
  const engine = f.suite.settlementEngine;
  const t = await discountTerms(f, f.accounts.enterpriseY, f.accounts.bankA, UNITS);
  const makerSignature = await signTerms(engine, f.accounts.enterpriseY, t);
  await (await engine.connect(f.accounts.bankA).settle({ terms: t, makerSignature, takerSignature: "0x" })).wait();
  return f;
}

/** The first business day at least a week after today. */
async function weekAhead(): Promise<bigint> {
  return BigInt(rollForward(Number(await chainDay()) + 7, NO_MARKS));
}

interface RepoOptions {
  kind?: TradeKind.PledgeRepo | TradeKind.OutrightRepo;
  lenderMakes?: boolean;
  endDay?: bigint;
  rate?: bigint;
  closingAmount?: bigint;
}

/** Repo terms: bank A borrows PRINCIPAL from bank B on [1, REPO_UNITS]; closingAmount by the formula (pledge) or
 * PRINCIPAL + 5,000 (outright) unless given. */
async function repoTerms(f: DvpFixture, o: RepoOptions = {}): Promise<Terms> {
  const { bankA, bankB } = f.accounts;
  const kind = o.kind ?? TradeKind.PledgeRepo;
  const valueDay = await chainDay();
  const endDay = o.endDay ?? (await weekAhead());
  const rate = o.rate ?? (kind === TradeKind.PledgeRepo ? REPO_RATE : 0n);
  const closingAmount =
    o.closingAmount ??
    (kind === TradeKind.PledgeRepo ? repoRepayment(PRINCIPAL, rate, endDay - valueDay) : PRINCIPAL + 5_000n);
  const bill = billLeg(f.ledger, f.billId, 1n, REPO_UNITS);
  const cash = tokenLeg(f.currency, PRINCIPAL);
  const extra = { rate, endDay, closingAmount };
  return o.lenderMakes
    ? termsOf(kind, bankB, bankA, cash, bill, extra)
    : termsOf(kind, bankA, bankB, bill, cash, extra);
}

/** Opens the repo two-phase (maker proposes, taker accepts). */
async function openTwoPhase(f: DvpFixture, t: Terms) {
  const engine = f.suite.settlementEngine;
  const maker = t.maker === f.accounts.bankA.address ? f.accounts.bankA : f.accounts.bankB;
  const taker = maker === f.accounts.bankA ? f.accounts.bankB : f.accounts.bankA;
  await (await engine.connect(maker).propose(t)).wait();
  return engine.connect(taker).accept(t);
}

/** Bank A's repo with bank B (options as for `repoTerms`), opened two-phase. */
async function openRepo(o: RepoOptions = {}) {
  const f = await loadFixture(bankHolds);
  const t = await repoTerms(f, o);
  await (await openTwoPhase(f, t)).wait();
  return { f, engine: f.suite.settlementEngine, t, bankA: f.accounts.bankA, bankB: f.accounts.bankB };
}

/** 00:00:00 CST of the day after endDay: the closing deadline. */
const closingDeadline = (t: Terms) => BigInt(startOfCstDay(Number(t.endDay) + 1));

describe("SettlementEngine: repos", function () {
  describe("PledgeRepo", function () {
    it("opening two-phase (borrower proposes): escrow, then pledged in place with the engine, principal paid", async function () {
      const f = await loadFixture(bankHolds);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await repoTerms(f);
      await (await engine.connect(bankA).propose(t)).wait();
      await expectRange(f, 1n, {
        end: REPO_UNITS,
        holder: bankA.address,
        state: RangeState.Escrowed,
        counterparty: f.engine,
      });
      const tx = engine.connect(bankB).accept(t);
      await expect(tx).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankB, bankA, engine],
        [-PRINCIPAL, PRINCIPAL, 0n],
      );
      await expect(tx).to.not.emit(f.suite.billLedger, "Endorsed");
      await expectRange(f, 1n, {
        end: REPO_UNITS,
        holder: bankA.address,
        state: RangeState.Pledged,
        counterparty: f.engine,
      });
      await expectRange(f, REPO_UNITS + 1n, { end: UNITS, holder: bankA.address, state: RangeState.Circulating });
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoOpen);
    });

    it("opening two-phase (lender proposes): the principal waits in escrow, the circulating range is pledged at accept", async function () {
      const f = await loadFixture(bankHolds);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await repoTerms(f, { lenderMakes: true });
      await (await engine.connect(bankB).propose(t)).wait();
      expect(await engine.escrowed(f.currency)).to.equal(PRINCIPAL);
      await expect(engine.connect(bankA).accept(t)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [engine, bankA],
        [-PRINCIPAL, PRINCIPAL],
      );
      expect(await engine.escrowed(f.currency)).to.equal(0n);
      expect((await rangeSummary(f, 1n)).state).to.equal(RangeState.Pledged);
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoOpen);
    });

    it("opening signed (lender submits with the borrower's signature) records the repo as open", async function () {
      const f = await loadFixture(bankHolds);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await repoTerms(f);
      const makerSignature = await signTerms(engine, bankA, t);
      await expect(
        engine.connect(bankB).settle({ terms: t, makerSignature, takerSignature: "0x" }),
      ).to.changeTokenBalances(f.suite.digitalCurrency, [bankB, bankA], [-PRINCIPAL, PRINCIPAL]);
      await expectRange(f, 1n, {
        end: REPO_UNITS,
        holder: bankA.address,
        state: RangeState.Pledged,
        counterparty: f.engine,
      });
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoOpen);
    });

    it("closingAmount is the independent repoRepayment (rounded up) and the engine's view agrees", async function () {
      const f = await loadFixture(bankHolds);
      const t = await repoTerms(f);
      const days = t.endDay - t.valueDay;
      const exact = PRINCIPAL * REPO_RATE * days;
      expect(exact % 360_000_000n).to.not.equal(0n); // the interest is fractional: rounding is exercised
      expect(t.closingAmount).to.equal(PRINCIPAL + exact / 360_000_000n + 1n);
      expect(await f.suite.settlementEngine.repoRepayment(PRINCIPAL, REPO_RATE, t.valueDay, t.endDay)).to.equal(
        t.closingAmount,
      );
    });

    it("closeRepo by the borrower at the last second of endDay pays closingAmount and releases the range", async function () {
      const { f, engine, t, bankA, bankB } = await openRepo();
      await time.setNextBlockTimestamp(closingDeadline(t) - 1n);
      const tx = engine.connect(bankA).closeRepo(t);
      await expect(tx).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, bankB, engine],
        [-t.closingAmount, t.closingAmount, 0n],
      );
      await expect(tx)
        .to.emit(engine, "RepoClosed")
        .withArgs(await tradeIdOf(engine, t), bankA.address, t.closingAmount);
      await expectRange(f, 1n, { end: REPO_UNITS, holder: bankA.address, state: RangeState.Circulating });
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoClosed);
    });

    it("closeRepo at any gas limit closes and pays, or reverts (TradeOutOfGas): no tender or payment left waiting for want of gas", async function () {
      const { engine, t, bankA } = await openRepo();
      const enough = await engine.connect(bankA).closeRepo.estimateGas(t);
      const seen = new Set<string>();
      for (let gasLimit = enough; gasLimit > enough - 60_000n; gasLimit -= 1_500n) {
        const snapshot = await takeSnapshot();
        const error = await engine
          .connect(bankA)
          .closeRepo(t, { gasLimit })
          .then((tx) => tx.wait())
          .then(
            () => undefined,
            (e: Error) => e.message,
          );
        const [status, owed] = await engine.tradeOf(t);
        const outcome = `${TradeStatus[Number(status)]}${owed === 0n ? "" : ", repayment held"}`;
        seen.add(error === undefined ? outcome : `reverted ${/TradeOutOfGas|out of gas/.exec(error)?.[0] ?? error}`);
        await snapshot.restore();
      }
      expect([...seen].sort(), `outcomes from ${enough} gas down`).to.satisfy((outcomes: string[]) =>
        outcomes.every((o) => o === "RepoClosed" || o.startsWith("reverted")),
      );
      expect(seen.has("RepoClosed"), "the estimate closes it").to.equal(true);
      expect(seen.has("reverted TradeOutOfGas"), "a starved return is refused by name").to.equal(true);
    });

    it("closeRepo from 00:00 CST of endDay + 1 is refused with TradeRepoClosing(deadline)", async function () {
      const { f, engine, t, bankA } = await openRepo();
      await time.setNextBlockTimestamp(closingDeadline(t));
      await expect(engine.connect(bankA).closeRepo(t))
        .to.be.revertedWithCustomError(engine, "TradeRepoClosing")
        .withArgs(closingDeadline(t));
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoOpen);
    });

    it("defaultRepo is refused before the deadline (TradeRepoClosing) and from it gives the lender the range (Endorsed)", async function () {
      const { f, engine, t, bankA, bankB } = await openRepo();
      await expect(engine.connect(bankB).defaultRepo(t))
        .to.be.revertedWithCustomError(engine, "TradeRepoClosing")
        .withArgs(closingDeadline(t));
      await time.setNextBlockTimestamp(closingDeadline(t) - 1n);
      await expect(engine.connect(bankB).defaultRepo(t))
        .to.be.revertedWithCustomError(engine, "TradeRepoClosing")
        .withArgs(closingDeadline(t));
      await time.setNextBlockTimestamp(closingDeadline(t));
      const tx = engine.connect(bankB).defaultRepo(t);
      await expect(tx)
        .to.emit(f.suite.billLedger, "Endorsed")
        .withArgs(f.billId, 1n, bankA.address, bankB.address, false);
      await expect(tx)
        .to.emit(engine, "RepoDefaulted")
        .withArgs(await tradeIdOf(engine, t), bankB.address);
      await expect(tx).to.changeTokenBalances(f.suite.digitalCurrency, [bankA, bankB], [0n, 0n]);
      await expectRange(f, 1n, { end: REPO_UNITS, holder: bankB.address, state: RangeState.Circulating });
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoDefaulted);
    });

    it("a default is still possible after the bill's maturity (a pledge is realised)", async function () {
      const { f, engine, t, bankB } = await openRepo();
      await time.increaseTo(startOfCstDay(f.maturityDay) + HOUR);
      await (await engine.connect(bankB).defaultRepo(t)).wait();
      expect((await rangeSummary(f, 1n)).holder).to.equal(bankB.address);
    });

    it("a repo's pledged range cannot be frozen in part (BillNotSplittable): the engine addresses it whole", async function () {
      const { f } = await openRepo();
      const { regulator } = f.accounts;
      await expect(f.suite.billLedger.connect(regulator).freeze(f.billId, 1n, REPO_UNITS / 2n))
        .to.be.revertedWithCustomError(f.suite.billLedger, "BillNotSplittable")
        .withArgs(f.billId);
    });

    it("closing a pledge repo whose whole range is frozen releases the pledge and keeps the freeze", async function () {
      const { f, engine, t, bankA } = await openRepo();
      const { regulator } = f.accounts;
      await (await f.suite.billLedger.connect(regulator).freeze(f.billId, 1n, REPO_UNITS)).wait();
      await (await engine.connect(bankA).closeRepo(t)).wait();
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoClosed);
      const frozen = await f.suite.billLedger.rangeAt(f.billId, 1n);
      expect([Number(frozen.state), Number(frozen.priorState), frozen.counterparty]).to.deep.equal([
        RangeState.Frozen,
        RangeState.Circulating,
        ZeroAddress,
      ]);
      await (await f.suite.billLedger.connect(regulator).unfreeze(f.billId, 1n)).wait();
      await expectRange(f, 1n, { end: REPO_UNITS, holder: bankA.address, state: RangeState.Circulating });
    });

    it("only the borrower closes and only the lender defaults (TradeNotEntitled), also when the lender made the repo", async function () {
      const { f, engine, t, bankA, bankB } = await openRepo({ lenderMakes: true });
      const { outsider, admin } = f.accounts;
      const id = await tradeIdOf(engine, t);
      for (const caller of [bankB, outsider, admin]) {
        await expect(engine.connect(caller).closeRepo(t))
          .to.be.revertedWithCustomError(engine, "TradeNotEntitled")
          .withArgs(id, caller.address);
      }
      await time.increaseTo(closingDeadline(t));
      for (const caller of [bankA, outsider, admin]) {
        await expect(engine.connect(caller).defaultRepo(t))
          .to.be.revertedWithCustomError(engine, "TradeNotEntitled")
          .withArgs(id, caller.address);
      }
      await (await engine.connect(bankB).defaultRepo(t)).wait();
      expect((await rangeSummary(f, 1n)).holder).to.equal(bankB.address);
    });

    it("the borrower (taker of a lender-made repo) closes it", async function () {
      const { f, engine, t, bankA, bankB } = await openRepo({ lenderMakes: true });
      await expect(engine.connect(bankA).closeRepo(t)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, bankB],
        [-t.closingAmount, t.closingAmount],
      );
      expect((await rangeSummary(f, 1n)).state).to.equal(RangeState.Circulating);
    });

    it("closing or defaulting a repo that is not open: TradeWrongStatus(id, status, RepoOpen)", async function () {
      const f = await loadFixture(bankHolds);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await repoTerms(f);
      const id = await tradeIdOf(engine, t);
      const notOpen = (tx: Promise<unknown>, status: TradeStatus) =>
        expectWrongStatus(engine, tx, id, status, TradeStatus.RepoOpen);
      await notOpen(engine.connect(bankA).closeRepo(t), TradeStatus.None);
      await (await engine.connect(bankA).propose(t)).wait();
      await notOpen(engine.connect(bankA).closeRepo(t), TradeStatus.Proposed);
      await (await engine.connect(bankB).accept(t)).wait();
      await (await engine.connect(bankA).closeRepo(t)).wait();
      await notOpen(engine.connect(bankA).closeRepo(t), TradeStatus.RepoClosed);
      await time.increaseTo(closingDeadline(t));
      await notOpen(engine.connect(bankB).defaultRepo(t), TradeStatus.RepoClosed);
    });

    it("a closingAmount one unit off either way is refused with TradePriceMismatch(expected, given)", async function () {
      const f = await loadFixture(bankHolds);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const right = await repoTerms(f);
      for (const given of [right.closingAmount - 1n, right.closingAmount + 1n]) {
        const t = { ...right, closingAmount: given };
        await expect(engine.connect(bankA).propose(t))
          .to.be.revertedWithCustomError(engine, "TradePriceMismatch")
          .withArgs(right.closingAmount, given);
        await expect(
          engine
            .connect(bankB)
            .settle({ terms: t, makerSignature: await signTerms(engine, bankA, t), takerSignature: "0x" }),
        )
          .to.be.revertedWithCustomError(engine, "TradePriceMismatch")
          .withArgs(right.closingAmount, given);
      }
    });
  });

  describe("OutrightRepo", function () {
    it("opening moves title to the lender, Escrowed with the engine; closing brings it back to the borrower", async function () {
      const f = await loadFixture(bankHolds);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await repoTerms(f, { kind: TradeKind.OutrightRepo });
      const open = openTwoPhase(f, t);
      await expect(open).to.changeTokenBalances(f.suite.digitalCurrency, [bankB, bankA], [-PRINCIPAL, PRINCIPAL]);
      await expect(open)
        .to.emit(f.suite.billLedger, "Endorsed")
        .withArgs(f.billId, 1n, bankA.address, bankB.address, false);
      await expectRange(f, 1n, {
        end: REPO_UNITS,
        holder: bankB.address,
        state: RangeState.Escrowed,
        counterparty: f.engine,
      });
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoOpen);

      await time.setNextBlockTimestamp(closingDeadline(t) - 1n);
      const close = engine.connect(bankA).closeRepo(t);
      await expect(close).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, bankB],
        [-t.closingAmount, t.closingAmount],
      );
      await expect(close)
        .to.emit(f.suite.billLedger, "Endorsed")
        .withArgs(f.billId, 1n, bankB.address, bankA.address, false);
      await expectRange(f, 1n, { end: REPO_UNITS, holder: bankA.address, state: RangeState.Circulating });
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoClosed);
    });

    it("the lender cannot move the escrowed range while the repo is open", async function () {
      const { f, engine, bankA, bankB } = await openRepo({ kind: TradeKind.OutrightRepo });
      const resale = await termsOf(TradeKind.FreeOfPayment, bankB, bankA, billLeg(f.ledger, f.billId, 1n, REPO_UNITS));
      await expect(engine.connect(bankB).propose(resale))
        .to.be.revertedWithCustomError(f.suite.billLedger, "BillWrongState")
        .withArgs(f.billId, 1n, RangeState.Escrowed, RangeState.Circulating);
    });

    it("default leaves the range Circulating with the lender", async function () {
      const { f, engine, t, bankB } = await openRepo({ kind: TradeKind.OutrightRepo });
      await time.setNextBlockTimestamp(closingDeadline(t));
      const tx = engine.connect(bankB).defaultRepo(t);
      await expect(tx)
        .to.emit(engine, "RepoDefaulted")
        .withArgs(await tradeIdOf(engine, t), bankB.address);
      await expect(tx).to.not.emit(f.suite.billLedger, "Endorsed");
      await expectRange(f, 1n, { end: REPO_UNITS, holder: bankB.address, state: RangeState.Circulating });
      expect(await statusOf(f, t)).to.equal(TradeStatus.RepoDefaulted);
    });

    it("a rate, or a zero closingAmount, is refused with TradeInvalidTerms", async function () {
      const f = await loadFixture(bankHolds);
      const { bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      for (const o of [{ rate: 1n }, { closingAmount: 0n }]) {
        const t = await repoTerms(f, { kind: TradeKind.OutrightRepo, ...o });
        await expect(engine.connect(bankA).propose(t)).to.be.revertedWithCustomError(engine, "TradeInvalidTerms");
      }
    });
  });

  describe("repo dates", function () {
    /** The first Saturday after today + 3. */
    async function aSaturday(): Promise<bigint> {
      let day = Number(await chainDay()) + 3;
      while (new Date(day * 86_400_000).getUTCDay() !== 6) day++;
      return BigInt(day);
    }

    for (const kind of [TradeKind.PledgeRepo, TradeKind.OutrightRepo] as const) {
      const name = TradeKind[kind];
      it(`${name}: endDay on or before valueDay is refused with TradeInvalidTerms`, async function () {
        const f = await loadFixture(bankHolds);
        const today = await chainDay();
        for (const endDay of [today, today - 1n]) {
          const t = await repoTerms(f, { kind, endDay, closingAmount: PRINCIPAL + 1n });
          await expect(f.suite.settlementEngine.connect(f.accounts.bankA).propose(t)).to.be.revertedWithCustomError(
            f.suite.settlementEngine,
            "TradeInvalidTerms",
          );
        }
      });

      it(`${name}: endDay on a weekend or on a weekday marked a holiday is refused with TradeInvalidTerms`, async function () {
        const f = await loadFixture(bankHolds);
        const engine = f.suite.settlementEngine;
        const saturday = await aSaturday();
        for (const endDay of [saturday, saturday + 1n]) {
          const t = await repoTerms(f, { kind, endDay });
          await expect(engine.connect(f.accounts.bankA).propose(t)).to.be.revertedWithCustomError(
            engine,
            "TradeInvalidTerms",
          );
        }
        const monday = saturday + 2n;
        expect(isBusinessDay(Number(monday), NO_MARKS)).to.equal(true);
        const t = await repoTerms(f, { kind, endDay: monday });
        await (await f.suite.businessCalendar.connect(f.accounts.admin).markDays([monday], 1)).wait();
        await expect(engine.connect(f.accounts.bankA).propose(t)).to.be.revertedWithCustomError(
          engine,
          "TradeInvalidTerms",
        );
        await (await f.suite.businessCalendar.connect(f.accounts.admin).markDays([saturday], 2)).wait();
        const workingSaturday = await repoTerms(f, { kind, endDay: saturday });
        await (await engine.connect(f.accounts.bankA).propose(workingSaturday)).wait();
        expect(await statusOf(f, workingSaturday)).to.equal(TradeStatus.Proposed);
      });

      it(`${name}: endDay on or after maturity is refused with TradeBillMatured; the last business day before is fine`, async function () {
        const f = await loadFixture(bankHolds);
        const engine = f.suite.settlementEngine;
        const maturity = BigInt(f.maturityDay);
        for (const endDay of [
          BigInt(rollForward(f.maturityDay, NO_MARKS)),
          BigInt(rollForward(f.maturityDay + 1, NO_MARKS)),
        ]) {
          const t = await repoTerms(f, { kind, endDay });
          await expect(engine.connect(f.accounts.bankA).propose(t))
            .to.be.revertedWithCustomError(engine, "TradeBillMatured")
            .withArgs(f.billId, maturity);
        }
        let last = f.maturityDay - 1;
        while (!isBusinessDay(last, NO_MARKS)) last--;
        const t = await repoTerms(f, { kind, endDay: BigInt(last) });
        await (await engine.connect(f.accounts.bankA).propose(t)).wait();
        await (await engine.connect(f.accounts.bankB).accept(t)).wait();
        expect(await statusOf(f, t)).to.equal(TradeStatus.RepoOpen);
      });
    }
  });

  describe("repo parties", function () {
    it("an enterprise may not borrow on a repo: TradeWrongPartyKind(Y, Enterprise)", async function () {
      const f = await loadFixture(bankHolds);
      const { enterpriseY: y, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const base = await repoTerms(f);
      const t: Terms = {
        ...base,
        maker: y.address,
        taker: bankB.address,
        makerLeg: billLeg(f.ledger, f.billId, UNITS + 1n, 1_000n),
      };
      await expect(engine.connect(y).propose(t))
        .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
        .withArgs(y.address, 1);
    });
  });
});
