/*
 * SettlementEngine: time edges, by line of the shared SECURITY-CHECKLIST.md.
 *
 * One convention for every deadline: a trade is valid while block.timestamp < deadline; from the deadline on it
 * has expired (TradeExpired(deadline)) and may be cleared (before it, TradePending(deadline)). The same for a
 * repo: it can be closed while block.timestamp < startOf(endDay + 1) (00:00:00 CST of the day after its closing
 * date) and defaulted from then (TradeRepoClosing(closingDeadline) otherwise). A trade settles on its valueDay
 * only, a CST calendar day [startOf(valueDay), startOf(valueDay + 1)) (TradeNotValueDay(valueDay, today)).
 * Each edge is checked at −1 s, exactly and +1 s, each point from the same state (a snapshot restored).
 *
 * Covered here:
 * 20. propose, accept, settle (signed) and clear at deadline − 1 s / deadline / + 1 s; accept and settle around
 *     the CST midnight that starts and ends the value day; closeRepo and defaultRepo around the closing deadline,
 *     for a pledge repo and an outright repo.
 * 21. The deadline and value day are checked when the answer arrives (accept, settle), not only at proposal.
 *     Acts on a bill from its maturity day are refused by the ledger (BillMatured(billId, maturityDay)) for a
 *     proposal accepted then, a proposal or signed order made then, and by the engine before any move for priced
 *     kinds (TradeBillMatured) and repos whose closing date is not before maturity; the edge is checked at
 *     startOf(maturity) − 1 s / exactly / + 1 s. Ending a proposal still returns the range after maturity.
 * 22. For the engine: nothing it holds can keep a range from presentation after maturity. An escrowed range
 *     goes back to its holder by withdraw or clear after maturity (a release) while the maker's KYC has lapsed;
 *     the lender of a defaulted outright repo (range escrowed with it) and of a defaulted pledge repo takes the
 *     range in circulation after maturity. Presentation and recourse themselves are BillPayments'
 *     (BillPayments.test.ts, line 22 there).
 */
import { expect } from "chai";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import {
  discountTerms,
  tradingPlatform,
  type DvpFixture,
  signedBy,
  businessDayAfter,
  tradeRecord,
} from "../fixtures/dvp";
import { PART, bankARepo, billProposal, partForCash } from "../fixtures/dvpScenes";
import { CODES } from "../fixtures/platform";
import { TradeKind, TradeStatus, isBusinessDay, rollForward, tradeIdOf, type Terms } from "../../tasks/lib/dvp";
import { RangeState, cstDayOf, mined, startOfCstDay } from "../../tasks/lib/bills";
import { suspendEntity } from "../../tasks/lib/identity";

const GAS = { gasLimit: 3_000_000n };

type Outcome = (tx: Promise<ContractTransactionResponse>) => Promise<unknown>;

/** Sends `act` in a block at `edge − 1`, `edge` and `edge + 1`, each from the state before; checks each outcome. */
async function atEdges(
  edge: bigint,
  act: () => Promise<ContractTransactionResponse>,
  outcomes: [Outcome, Outcome, Outcome],
): Promise<void> {
  const snapshot = await takeSnapshot();
  for (const [i, offset] of [-1n, 0n, 1n].entries()) {
    await time.setNextBlockTimestamp(edge + offset);
    try {
      await outcomes[i](act());
    } catch (error) {
      if (error instanceof Error) error.message = `[at edge ${offset >= 0n ? "+" : ""}${offset} s] ${error.message}`;
      throw error;
    }
    await snapshot.restore();
  }
}

const startOf = (day: bigint) => BigInt(startOfCstDay(Number(day)));

/** The last business day before `day`. */
function businessDayBefore(day: bigint): bigint {
  let d = Number(day) - 1;
  while (!isBusinessDay(d, new Map())) d--;
  return BigInt(d);
}

/** Swap terms: enterprise Y's range [start, start + PART) against enterprise X's money, on `valueDay`. */
function swapTerms(f: DvpFixture, start: bigint, extra: Partial<Terms> = {}): Promise<Terms> {
  return partForCash(f, TradeKind.Swap, f.accounts.enterpriseY, f.accounts.enterpriseX, start, PART, extra);
}

/**
 * Bank A bought [1, 2 PART] from enterprise Y and opened two repos with bank B as lender over its halves: a pledge
 * repo on [1, PART] and an outright repo on [PART + 1, 2 PART], both closing on `endDay`.
 */
async function openRepos(endDayOf: (f: DvpFixture, today: bigint) => bigint) {
  const f = await loadFixture(tradingPlatform);
  const engine = f.suite.settlementEngine;
  const { admin, bankA, bankB, enterpriseY } = f.accounts;
  const bought = await discountTerms(f, enterpriseY, bankA, 2n * PART);
  await mined(engine.connect(admin).settle(await signedBy(engine, bought, enterpriseY, bankA)));
  const endDay = endDayOf(f, BigInt(bought.valueDay));
  const pledge = await bankARepo(f, TradeKind.PledgeRepo, 1n, endDay);
  const outright = await bankARepo(f, TradeKind.OutrightRepo, PART + 1n, endDay);
  for (const repo of [pledge, outright]) {
    await mined(engine.connect(bankA).settle(await signedBy(engine, repo, bankA, bankB)));
  }
  return { ...f, se: engine, pledge, outright, endDay };
}

async function shortRepos() {
  return openRepos((_f, today) => businessDayAfter(today));
}

async function reposToMaturity() {
  return openRepos((f) => businessDayBefore(BigInt(f.maturityDay)));
}

async function rangeOf(f: DvpFixture, start: bigint): Promise<[string, bigint]> {
  const r = await f.suite.billLedger.rangeAt(f.billId, start);
  return [r.holder, r.state];
}

describe("SettlementEngine security: time edges", function () {
  describe("[20] deadlines: valid while now < deadline", function () {
    it("[20] propose at deadline − 1 s succeeds; at the deadline and + 1 s TradeExpired", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const terms = await discountTerms(f, f.accounts.enterpriseY, f.accounts.bankA, PART);
      const expired: Outcome = (tx) =>
        expect(tx).to.be.revertedWithCustomError(engine, "TradeExpired").withArgs(terms.deadline);
      await atEdges(terms.deadline, () => engine.connect(f.accounts.enterpriseY).propose(terms, GAS), [
        (tx) => expect(tx).to.emit(engine, "TradeProposed"),
        expired,
        expired,
      ]);
    });

    it("[20] [21] accept at deadline − 1 s settles; at the deadline and + 1 s TradeExpired, proposal kept", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      const expired: Outcome = async (tx) => {
        await expect(tx).to.be.revertedWithCustomError(engine, "TradeExpired").withArgs(terms.deadline);
        expect(await tradeRecord(engine, id)).to.deep.equal([BigInt(TradeStatus.Proposed), 0n]);
      };
      await atEdges(terms.deadline, () => engine.connect(accounts.bankA).accept(terms, GAS), [
        (tx) => expect(tx).to.emit(engine, "TradeSettled"),
        expired,
        expired,
      ]);
    });

    it("[20] [21] settle (signed) at deadline − 1 s settles; at the deadline and + 1 s TradeExpired", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const terms = await discountTerms(f, enterpriseY, bankA, PART);
      const order = await signedBy(engine, terms, enterpriseY, bankA);
      const expired: Outcome = (tx) =>
        expect(tx).to.be.revertedWithCustomError(engine, "TradeExpired").withArgs(terms.deadline);
      await atEdges(terms.deadline, () => engine.connect(admin).settle(order, GAS), [
        (tx) => expect(tx).to.emit(engine, "TradeSettled"),
        expired,
        expired,
      ]);
      await atEdges(terms.deadline, () => engine.connect(admin).settleBatch([order], GAS), [
        (tx) => expect(tx).to.emit(engine, "TradeSettled"),
        expired,
        expired,
      ]);
    });

    it("[20] clear at deadline − 1 s is TradePending; at the deadline and + 1 s it clears", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      const cleared: Outcome = (tx) =>
        expect(tx).to.emit(engine, "TradeEnded").withArgs(id, TradeStatus.Cleared, accounts.outsider.address);
      await atEdges(terms.deadline, () => engine.connect(accounts.outsider).clear(terms, GAS), [
        (tx) => expect(tx).to.be.revertedWithCustomError(engine, "TradePending").withArgs(terms.deadline),
        cleared,
        cleared,
      ]);
    });

    it("[20] withdraw and reject stay open after the deadline (they only end the proposal)", async function () {
      const p = await loadFixture(billProposal);
      const { se: engine, terms, accounts, id } = p;
      await time.increaseTo(terms.deadline + 1n);
      const snapshot = await takeSnapshot();
      await expect(engine.connect(accounts.enterpriseY).withdraw(terms))
        .to.emit(engine, "TradeEnded")
        .withArgs(id, TradeStatus.Withdrawn, accounts.enterpriseY.address);
      await snapshot.restore();
      await expect(engine.connect(accounts.bankA).reject(terms))
        .to.emit(engine, "TradeEnded")
        .withArgs(id, TradeStatus.Rejected, accounts.bankA.address);
    });
  });

  describe("[20] [21] the value day, around CST midnight", function () {
    it("[20] a trade for today: accept and settle at midnight − 1 s succeed, at midnight and + 1 s TradeNotValueDay", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, enterpriseX, enterpriseY } = f.accounts;
      const today = BigInt(cstDayOf(await time.latest()));
      const midnight = startOf(today + 1n);
      const deadline = midnight + 3600n;
      const proposed = await swapTerms(f, 1n, { deadline });
      await mined(engine.connect(enterpriseY).propose(proposed));
      const notToday: Outcome = (tx) =>
        expect(tx)
          .to.be.revertedWithCustomError(engine, "TradeNotValueDay")
          .withArgs(today, today + 1n);
      await atEdges(midnight, () => engine.connect(enterpriseX).accept(proposed, GAS), [
        (tx) => expect(tx).to.emit(engine, "TradeSettled"),
        notToday,
        notToday,
      ]);
      const signed = await signedBy(engine, await swapTerms(f, PART + 1n, { deadline }), enterpriseY, enterpriseX);
      await atEdges(midnight, () => engine.connect(admin).settle(signed, GAS), [
        (tx) => expect(tx).to.emit(engine, "TradeSettled"),
        notToday,
        notToday,
      ]);
    });

    it("[20] a trade for tomorrow: accept at midnight − 1 s is TradeNotValueDay, at midnight and + 1 s it settles", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { enterpriseX, enterpriseY } = f.accounts;
      const today = BigInt(cstDayOf(await time.latest()));
      const midnight = startOf(today + 1n);
      const proposed = await swapTerms(f, 1n, { valueDay: today + 1n, deadline: midnight + 3600n });
      await mined(engine.connect(enterpriseY).propose(proposed));
      const settled: Outcome = (tx) => expect(tx).to.emit(engine, "TradeSettled");
      await atEdges(midnight, () => engine.connect(enterpriseX).accept(proposed, GAS), [
        (tx) =>
          expect(tx)
            .to.be.revertedWithCustomError(engine, "TradeNotValueDay")
            .withArgs(today + 1n, today),
        settled,
        settled,
      ]);
    });

    it("[20] a proposal for a past value day is refused (TradeNotValueDay)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const today = BigInt(cstDayOf(await time.latest()));
      const terms = await swapTerms(f, 1n, { valueDay: today - 1n });
      await expect(engine.connect(f.accounts.enterpriseY).propose(terms))
        .to.be.revertedWithCustomError(engine, "TradeNotValueDay")
        .withArgs(today - 1n, today);
    });
  });

  describe("[21] maturity: acts on a bill from its maturity day are refused", function () {
    it("[21] accept of a swap: the day before settles at startOf(maturity) − 1 s; on maturity BillMatured at 0 and + 1 s", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const ledger = f.suite.billLedger;
      const { enterpriseX, enterpriseY } = f.accounts;
      const maturity = BigInt(f.maturityDay);
      const maturityStart = startOf(maturity);
      await time.increaseTo(maturityStart - 86_400n);
      const deadline = maturityStart + 86_400n;
      const dayBefore = await swapTerms(f, 1n, { valueDay: maturity - 1n, deadline });
      const onMaturity = await swapTerms(f, PART + 1n, { valueDay: maturity, deadline });
      await mined(engine.connect(enterpriseY).propose(dayBefore));
      await mined(engine.connect(enterpriseY).propose(onMaturity));
      const snapshot = await takeSnapshot();
      await time.setNextBlockTimestamp(maturityStart - 1n);
      await expect(engine.connect(enterpriseX).accept(dayBefore, GAS)).to.emit(engine, "TradeSettled");
      await snapshot.restore();
      for (const offset of [0n, 1n]) {
        await time.setNextBlockTimestamp(maturityStart + offset);
        await expect(engine.connect(enterpriseX).accept(onMaturity, GAS))
          .to.be.revertedWithCustomError(ledger, "BillMatured")
          .withArgs(f.billId, maturity);
        await snapshot.restore();
      }
      // Ending the proposal still returns the range after maturity.
      await time.increaseTo(maturityStart + 1n);
      await mined(engine.connect(enterpriseY).withdraw(onMaturity));
      expect(await rangeOf(f, PART + 1n)).to.deep.equal([enterpriseY.address, BigInt(RangeState.Circulating)]);
    });

    it("[21] from the maturity day a proposal or a signed order on the bill is refused by the ledger", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const ledger = f.suite.billLedger;
      const { admin, enterpriseX, enterpriseY } = f.accounts;
      const maturity = BigInt(f.maturityDay);
      await time.increaseTo(startOf(maturity));
      const proposal = await swapTerms(f, 1n);
      await expect(engine.connect(enterpriseY).propose(proposal))
        .to.be.revertedWithCustomError(ledger, "BillMatured")
        .withArgs(f.billId, maturity);
      const order = await signedBy(engine, await swapTerms(f, 1n), enterpriseY, enterpriseX);
      await expect(engine.connect(admin).settle(order))
        .to.be.revertedWithCustomError(ledger, "BillMatured")
        .withArgs(f.billId, maturity);
    });

    it("[21] priced kinds on the maturity day and repos closing on or after it revert TradeBillMatured", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { bankA, bankB, enterpriseY } = f.accounts;
      const maturity = BigInt(f.maturityDay);
      // A repo whose closing date is the maturity day rolled to a business day (or later) is refused.
      const rolled = BigInt(rollForward(f.maturityDay, new Map()));
      for (const endDay of [rolled, businessDayAfter(rolled)]) {
        const repo = await partForCash(f, TradeKind.OutrightRepo, bankA, bankB, 1n, PART, {
          endDay,
          closingAmount: PART + 1n,
        });
        await expect(engine.connect(bankA).propose(repo))
          .to.be.revertedWithCustomError(engine, "TradeBillMatured")
          .withArgs(f.billId, maturity);
      }
      await time.increaseTo(startOf(maturity) + 1n);
      const discount = await partForCash(f, TradeKind.Discount, enterpriseY, bankA, 1n, PART, { rate: 25_000n });
      expect(discount.valueDay).to.equal(maturity);
      await expect(engine.connect(enterpriseY).propose(discount))
        .to.be.revertedWithCustomError(engine, "TradeBillMatured")
        .withArgs(f.billId, maturity);
    });
  });

  describe("[20] repo closing deadline: close while now < startOf(endDay + 1), default from then", function () {
    for (const kind of ["pledge", "outright"] as const) {
      it(`[20] ${kind} repo: closeRepo at − 1 s closes; at the closing deadline and + 1 s TradeRepoClosing`, async function () {
        const r = await loadFixture(shortRepos);
        const { se: engine, accounts, endDay } = r;
        const terms = kind === "pledge" ? r.pledge : r.outright;
        const closingDeadline = startOf(endDay + 1n);
        const id = await tradeIdOf(engine, terms);
        const late: Outcome = (tx) =>
          expect(tx).to.be.revertedWithCustomError(engine, "TradeRepoClosing").withArgs(closingDeadline);
        await atEdges(closingDeadline, () => engine.connect(accounts.bankA).closeRepo(terms, GAS), [
          (tx) => expect(tx).to.emit(engine, "RepoClosed").withArgs(id, accounts.bankA.address, terms.closingAmount),
          late,
          late,
        ]);
      });

      it(`[20] ${kind} repo: defaultRepo at − 1 s is TradeRepoClosing; at the closing deadline and + 1 s it defaults`, async function () {
        const r = await loadFixture(shortRepos);
        const { se: engine, accounts, endDay } = r;
        const terms = kind === "pledge" ? r.pledge : r.outright;
        const closingDeadline = startOf(endDay + 1n);
        const defaulted: Outcome = async (tx) => {
          await expect(tx)
            .to.emit(engine, "RepoDefaulted")
            .withArgs(await tradeIdOf(engine, terms), accounts.bankB.address);
          expect(await rangeOf(r, terms.makerLeg.start)).to.deep.equal([
            accounts.bankB.address,
            BigInt(RangeState.Circulating),
          ]);
        };
        await atEdges(closingDeadline, () => engine.connect(accounts.bankB).defaultRepo(terms, GAS), [
          (tx) => expect(tx).to.be.revertedWithCustomError(engine, "TradeRepoClosing").withArgs(closingDeadline),
          defaulted,
          defaulted,
        ]);
      });
    }
  });

  describe("[22] nothing the engine holds blocks presentation after maturity", function () {
    it("[22] an escrowed range goes back by withdraw or clear on the maturity day, the maker's KYC lapsed", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { enterpriseY, bankB, outsider } = f.accounts;
      const maturity = BigInt(f.maturityDay);
      await time.increaseTo(startOf(maturity) - 3600n);
      const first = await swapTerms(f, 1n, { valueDay: maturity, deadline: startOf(maturity) + 60n });
      const second = await swapTerms(f, PART + 1n, { valueDay: maturity, deadline: startOf(maturity) + 60n });
      await mined(engine.connect(enterpriseY).propose(first));
      await mined(engine.connect(enterpriseY).propose(second));
      await suspendEntity(f.suite.identityRegistry.connect(bankB), CODES.enterpriseY);
      await time.increaseTo(startOf(maturity) + 60n);
      await mined(engine.connect(enterpriseY).withdraw(first));
      await mined(engine.connect(outsider).clear(second));
      for (const start of [1n, PART + 1n]) {
        expect(await rangeOf(f, start)).to.deep.equal([enterpriseY.address, BigInt(RangeState.Circulating)]);
      }
    });

    for (const kind of ["pledge", "outright"] as const) {
      it(`[22] the lender of a defaulted ${kind} repo takes the range in circulation after maturity`, async function () {
        const r = await loadFixture(reposToMaturity);
        const { se: engine, accounts } = r;
        const terms = kind === "pledge" ? r.pledge : r.outright;
        await time.increaseTo(startOf(BigInt(r.maturityDay)) + 1n);
        await expect(engine.connect(accounts.bankA).closeRepo(terms)).to.be.revertedWithCustomError(
          engine,
          "TradeRepoClosing",
        );
        await expect(engine.connect(accounts.bankB).defaultRepo(terms)).to.emit(engine, "RepoDefaulted");
        expect(await rangeOf(r, terms.makerLeg.start)).to.deep.equal([
          accounts.bankB.address,
          BigInt(RangeState.Circulating),
        ]);
      });
    }
  });
});
