/*
 * SettlementEngine pause: the pauser stops proposals and settlements; ending trades (reject, withdraw, clear),
 * reclaiming refunds and closing or defaulting repos stay possible, so a pause leaves nothing locked.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { RangeState, startOfCstDay } from "../../../tasks/lib/bills";
import { TradeKind, TradeStatus, tradeIdOf } from "../../../tasks/lib/dvp";
import {
  businessDayAfter,
  chainDay,
  discountTerms,
  signedBy,
  tradingPlatform,
  type DvpFixture,
  tradeRecord,
} from "../../fixtures/dvp";
import { PART, bankARepo, billProposal } from "../../fixtures/dvpScenes";

/** Enterprise Y has proposed a discount of [1, PART] to bank A; then the pauser paused the engine. */
async function pausedWithProposal() {
  const f = await loadFixture(billProposal);
  const engine = f.se;
  await expect(engine.connect(f.accounts.pauser).pause())
    .to.emit(engine, "EnginePaused")
    .withArgs(f.accounts.pauser.address, true);
  return { f, engine, proposal: f.terms };
}

/** Bank A holds [1, PART] and has a pledge repo open with bank B against it; the engine is paused. */
async function pausedWithRepo() {
  const f: DvpFixture = await loadFixture(tradingPlatform);
  const { enterpriseY, bankA, bankB, pauser } = f.accounts;
  const engine = f.suite.settlementEngine;
  const sale = await discountTerms(f, enterpriseY, bankA, PART);
  await (await engine.connect(bankA).settle(await signedBy(engine, sale, enterpriseY, bankA))).wait();
  const repo = await bankARepo(f, TradeKind.PledgeRepo, 1n, businessDayAfter(await chainDay()));
  await (await engine.connect(bankA).propose(repo)).wait();
  await (await engine.connect(bankB).accept(repo)).wait();
  await (await engine.connect(pauser).pause()).wait();
  return { f, engine, repo };
}

describe("SettlementEngine: pause", function () {
  it("refuses to propose, accept, batch-accept, settle and batch-settle while paused (TradeEnginePaused)", async function () {
    const { f, engine, proposal } = await pausedWithProposal();
    const { enterpriseY, bankA, bankB } = f.accounts;
    expect(await engine.paused()).to.equal(true);
    const fresh = await discountTerms(f, enterpriseY, bankB, PART, { start: PART + 1n });
    const order = await signedBy(engine, fresh, enterpriseY, bankB);
    for (const act of [
      () => engine.connect(enterpriseY).propose(fresh),
      () => engine.connect(bankA).accept(proposal),
      () => engine.connect(bankA).acceptBatch([proposal]),
      () => engine.connect(bankB).settle(order),
      () => engine.connect(bankB).settleBatch([order]),
    ]) {
      await expect(act()).to.be.revertedWithCustomError(engine, "TradeEnginePaused");
    }
    expect((await tradeRecord(engine, await tradeIdOf(engine, proposal))).status).to.equal(TradeStatus.Proposed);
  });

  for (const act of ["reject", "withdraw"] as const) {
    it(`lets the ${act === "reject" ? "taker reject" : "maker withdraw"} while paused: the range goes back`, async function () {
      const { f, engine, proposal } = await pausedWithProposal();
      const by = act === "reject" ? f.accounts.bankA : f.accounts.enterpriseY;
      await (await engine.connect(by)[act](proposal)).wait();
      const range = await f.suite.billLedger.rangeAt(f.billId, 1n);
      expect([range.holder, range.state]).to.deep.equal([
        f.accounts.enterpriseY.address,
        BigInt(RangeState.Circulating),
      ]);
    });
  }

  it("lets anyone clear a proposal from its deadline while paused", async function () {
    const { f, engine, proposal } = await pausedWithProposal();
    await time.increaseTo(proposal.deadline);
    await expect(engine.connect(f.accounts.outsider).clear(proposal))
      .to.emit(engine, "TradeEnded")
      .withArgs(await tradeIdOf(engine, proposal), TradeStatus.Cleared, f.accounts.outsider.address);
  });

  it("lets the borrower close a repo while paused", async function () {
    const { f, engine, repo } = await pausedWithRepo();
    await expect(engine.connect(f.accounts.bankA).closeRepo(repo)).to.changeTokenBalances(
      f.suite.digitalCurrency,
      [f.accounts.bankA, f.accounts.bankB],
      [-repo.closingAmount, repo.closingAmount],
    );
  });

  it("lets the lender default a repo while paused", async function () {
    const { f, engine, repo } = await pausedWithRepo();
    await time.increaseTo(startOfCstDay(Number(repo.endDay) + 1));
    await (await engine.connect(f.accounts.bankB).defaultRepo(repo)).wait();
    expect((await f.suite.billLedger.rangeAt(f.billId, 1n)).holder).to.equal(f.accounts.bankB.address);
  });

  it("refuses a second pause (TradeEnginePaused) and an unpause when not paused (TradeEngineNotPaused)", async function () {
    const { f, engine } = await pausedWithProposal();
    const pauser = engine.connect(f.accounts.pauser);
    await expect(pauser.pause()).to.be.revertedWithCustomError(engine, "TradeEnginePaused");
    await expect(pauser.unpause()).to.emit(engine, "EnginePaused").withArgs(f.accounts.pauser.address, false);
    expect(await engine.paused()).to.equal(false);
    await expect(pauser.unpause()).to.be.revertedWithCustomError(engine, "TradeEngineNotPaused");
  });

  it("settles again once unpaused", async function () {
    const { f, engine, proposal } = await pausedWithProposal();
    await (await engine.connect(f.accounts.pauser).unpause()).wait();
    await (await engine.connect(f.accounts.bankA).accept(proposal)).wait();
    expect((await f.suite.billLedger.rangeAt(f.billId, 1n)).holder).to.equal(f.accounts.bankA.address);
  });
});
