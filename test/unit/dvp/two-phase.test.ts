/*
 * SettlementEngine, two-phase trades: the maker proposes (its leg locked: a bill range escrowed in place in the
 * ledger with the engine as counterparty, or tokens pulled into the engine and counted in `escrowed`), the taker
 * accepts with the exact terms (both legs move) or rejects, the maker may withdraw, anyone may clear from the
 * deadline; every ending gives the maker its leg back.
 *
 * The scene: the shared `tradingPlatform` (enterprise Y holds the whole fixture bill [1, FACE], every party funded
 * and approving the engine), the clock moved to 10:00 CST of the next day so that no test straddles a CST midnight.
 * Acting on part of a range splits it: the part keeps the start, the rest becomes a range at start + units.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RangeState, endorse, sign } from "../../../tasks/lib/bills";
import { EMPTY_LEG, TradeKind, TradeStatus, billLeg, tokenLeg, tradeIdOf, type Terms } from "../../../tasks/lib/dvp";
import { FACE, discountTerms, termsOf, type DvpFixture, tradeRecord } from "../../fixtures/dvp";
import { expectRange, expectWrongStatus, market, statusOf } from "../../fixtures/dvpScenes";
import type { HookToken } from "../../../typechain-types";

/** Units of most trades here: CNY 100,000.00. */
const UNITS = 10_000_000n;
const MAX_BATCH = 50n;

/** The market after Y discounted [1, UNITS] to bank A (proposed by Y, accepted by bank A). */
async function bankHolds(): Promise<DvpFixture> {
  const f = await loadFixture(market);
  const t = await discountTerms(f, f.accounts.enterpriseY, f.accounts.bankA, UNITS);
  await (await f.suite.settlementEngine.connect(f.accounts.enterpriseY).propose(t)).wait();
  await (await f.suite.settlementEngine.connect(f.accounts.bankA).accept(t)).wait();
  return f;
}

/** The market with a listed HookToken of which bank A holds 1,000,000 units and approved the engine. */
async function withHookToken(): Promise<DvpFixture & { hook: HookToken }> {
  const f = await loadFixture(market);
  const hook = await hre.ethers.deployContract("HookToken");
  await (await hook.mint(f.accounts.bankA.address, 1_000_000n)).wait();
  await (await hook.connect(f.accounts.bankA).approve(f.engine, hre.ethers.MaxUint256)).wait();
  await (await f.suite.settlementEngine.connect(f.accounts.admin).setListed(await hook.getAddress(), true)).wait();
  return { ...f, hook };
}

const idOf = (f: DvpFixture, terms: Terms) => tradeIdOf(f.suite.settlementEngine, terms);

/** The market with Y's discount of [1, UNITS] to bank A proposed by Y, or by bank A when `sellerMakes` is false. */
async function proposed(options: { sellerMakes?: boolean } = {}) {
  const f = await loadFixture(market);
  const { enterpriseY: y, bankA } = f.accounts;
  const engine = f.suite.settlementEngine;
  const t = await discountTerms(f, y, bankA, UNITS, options);
  await (await engine.connect(options.sellerMakes === false ? bankA : y).propose(t)).wait();
  return { f, engine, t, y, bankA, id: await idOf(f, t) };
}

describe("SettlementEngine: two-phase trades", function () {
  describe("Discount", function () {
    it("seller-made: propose escrows the first UNITS of Y's range in place, accept moves them to the bank against the proceeds", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await discountTerms(f, y, bankA, UNITS);
      const price = t.takerLeg.amount;
      const id = await idOf(f, t);

      await expect(engine.connect(y).propose(t))
        .to.emit(engine, "TradeProposed")
        .withArgs(id, y.address, bankA.address, anyValue);
      expect(await statusOf(f, t)).to.equal(TradeStatus.Proposed);
      await expectRange(f, 1n, { end: UNITS, holder: y.address, state: RangeState.Escrowed, counterparty: f.engine });
      await expectRange(f, UNITS + 1n, { end: FACE, holder: y.address, state: RangeState.Circulating });
      expect(await engine.escrowed(f.currency)).to.equal(0n);

      const tx = engine.connect(bankA).accept(t);
      await expect(tx).to.changeTokenBalances(f.suite.digitalCurrency, [bankA, y, engine], [-price, price, 0n]);
      await expect(tx)
        .to.emit(engine, "TradeSettled")
        .withArgs(id, y.address, bankA.address, TradeKind.Discount, false, anyValue);
      expect(await statusOf(f, t)).to.equal(TradeStatus.Settled);
      await expectRange(f, 1n, { end: UNITS, holder: bankA.address, state: RangeState.Circulating });
      await expectRange(f, UNITS + 1n, { end: FACE, holder: y.address, state: RangeState.Circulating });
      expect(await engine.escrowed(f.currency)).to.equal(0n);
    });

    it("buyer-made: propose pulls the bank's cash into the engine (escrowed grows), accept pays it out to Y and moves the range", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const cash = f.suite.digitalCurrency;
      const t = await discountTerms(f, y, bankA, UNITS, { sellerMakes: false });
      const price = t.makerLeg.amount;
      expect(t.maker).to.equal(bankA.address);

      await expect(engine.connect(bankA).propose(t)).to.changeTokenBalances(cash, [bankA, engine], [-price, price]);
      expect(await engine.escrowed(f.currency)).to.equal(price);
      await expectRange(f, 1n, { end: FACE, holder: y.address, state: RangeState.Circulating });

      await expect(engine.connect(y).accept(t)).to.changeTokenBalances(cash, [engine, y, bankA], [-price, price, 0n]);
      expect(await engine.escrowed(f.currency)).to.equal(0n);
      expect(await statusOf(f, t)).to.equal(TradeStatus.Settled);
      await expectRange(f, 1n, { end: UNITS, holder: bankA.address, state: RangeState.Circulating });
      await expectRange(f, UNITS + 1n, { end: FACE, holder: y.address, state: RangeState.Circulating });
    });

    it("a partial range taken from the middle of a holding: the part keeps its start, the rest starts at start + units", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const first = await discountTerms(f, y, bankA, UNITS);
      await (await engine.connect(y).propose(first)).wait();
      const second = await discountTerms(f, y, bankA, 1_234n, { start: UNITS + 1n });
      await (await engine.connect(y).propose(second)).wait();
      await expectRange(f, UNITS + 1n, {
        end: UNITS + 1_234n,
        holder: y.address,
        state: RangeState.Escrowed,
        counterparty: f.engine,
      });
      await expectRange(f, UNITS + 1_235n, { end: FACE, holder: y.address, state: RangeState.Circulating });
      await (await engine.connect(bankA).accept(second)).wait();
      await expectRange(f, UNITS + 1n, { end: UNITS + 1_234n, holder: bankA.address, state: RangeState.Circulating });
      await expectRange(f, 1n, { end: UNITS, holder: y.address, state: RangeState.Escrowed, counterparty: f.engine });
    });
  });

  describe("Rediscount, CentralBankRediscount, OutrightSale, FreeOfPayment (bank A holds [1, UNITS])", function () {
    const cases = [
      { name: "Rediscount to bank B", kind: TradeKind.Rediscount, buyer: "bankB" },
      {
        name: "CentralBankRediscount to the central bank",
        kind: TradeKind.CentralBankRediscount,
        buyer: "centralBank",
      },
      { name: "Rediscount to the finance company", kind: TradeKind.Rediscount, buyer: "financeCo" },
    ] as const;
    for (const { name, kind, buyer: buyerName } of cases) {
      it(`${name}: half of bank A's range moves at the discounted price`, async function () {
        const f = await loadFixture(bankHolds);
        const { bankA } = f.accounts;
        const buyer = f.accounts[buyerName];
        const engine = f.suite.settlementEngine;
        const t = await discountTerms(f, bankA, buyer, UNITS / 2n, { kind });
        const price = t.takerLeg.amount;
        expect(price).to.be.lessThan(UNITS / 2n);
        await (await engine.connect(bankA).propose(t)).wait();
        await expectRange(f, 1n, {
          end: UNITS / 2n,
          holder: bankA.address,
          state: RangeState.Escrowed,
          counterparty: f.engine,
        });
        await expectRange(f, UNITS / 2n + 1n, { end: UNITS, holder: bankA.address, state: RangeState.Circulating });
        await expect(engine.connect(buyer).accept(t)).to.changeTokenBalances(
          f.suite.digitalCurrency,
          [buyer, bankA],
          [-price, price],
        );
        expect(await statusOf(f, t)).to.equal(TradeStatus.Settled);
        await expectRange(f, 1n, { end: UNITS / 2n, holder: buyer.address, state: RangeState.Circulating });
      });
    }

    it("OutrightSale: the whole range moves to bank B at a quoted price (no rate)", async function () {
      const f = await loadFixture(bankHolds);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const price = 9_876_543n;
      const t = await termsOf(
        TradeKind.OutrightSale,
        bankA,
        bankB,
        billLeg(f.ledger, f.billId, 1n, UNITS),
        tokenLeg(f.currency, price),
      );
      await (await engine.connect(bankA).propose(t)).wait();
      await expectRange(f, 1n, {
        end: UNITS,
        holder: bankA.address,
        state: RangeState.Escrowed,
        counterparty: f.engine,
      });
      await expect(engine.connect(bankB).accept(t)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankB, bankA],
        [-price, price],
      );
      await expectRange(f, 1n, { end: UNITS, holder: bankB.address, state: RangeState.Circulating });
      expect(await statusOf(f, t)).to.equal(TradeStatus.Settled);
    });

    it("FreeOfPayment: the range moves, no money moves", async function () {
      const f = await loadFixture(bankHolds);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await termsOf(TradeKind.FreeOfPayment, bankA, bankB, billLeg(f.ledger, f.billId, 1n, UNITS / 4n));
      await (await engine.connect(bankA).propose(t)).wait();
      await expect(engine.connect(bankB).accept(t)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, bankB, engine],
        [0n, 0n, 0n],
      );
      await expectRange(f, 1n, { end: UNITS / 4n, holder: bankB.address, state: RangeState.Circulating });
      await expectRange(f, UNITS / 4n + 1n, { end: UNITS, holder: bankA.address, state: RangeState.Circulating });
      expect(await statusOf(f, t)).to.equal(TradeStatus.Settled);
    });
  });

  describe("Swap", function () {
    it("cash against cash between two listed tokens: bank A's HOOK escrowed, then swapped for Y's currency", async function () {
      const f = await loadFixture(withHookToken);
      const { bankA, enterpriseY: y } = f.accounts;
      const engine = f.suite.settlementEngine;
      const hookAddress = await f.hook.getAddress();
      const t = await termsOf(TradeKind.Swap, bankA, y, tokenLeg(hookAddress, 5_000n), tokenLeg(f.currency, 4_000n));
      await expect(engine.connect(bankA).propose(t)).to.changeTokenBalances(f.hook, [bankA, engine], [-5_000n, 5_000n]);
      expect(await engine.escrowed(hookAddress)).to.equal(5_000n);
      expect(await engine.escrowed(f.currency)).to.equal(0n);
      const tx = engine.connect(y).accept(t);
      await expect(tx).to.changeTokenBalances(f.hook, [engine, y, bankA], [-5_000n, 5_000n, 0n]);
      await expect(tx).to.changeTokenBalances(f.suite.digitalCurrency, [y, bankA], [-4_000n, 4_000n]);
      expect(await engine.escrowed(hookAddress)).to.equal(0n);
      expect(await statusOf(f, t)).to.equal(TradeStatus.Settled);
    });

    it("bill against bill: X's endorsed range [1, UNITS] for 500 units of Y's range at UNITS + 1", async function () {
      const f = await loadFixture(market);
      const { enterpriseX: x, enterpriseY: y } = f.accounts;
      const ledger = f.suite.billLedger;
      const engine = f.suite.settlementEngine;
      await endorse(ledger.connect(y), f.billId, 1n, UNITS, x.address);
      await sign(ledger.connect(x), f.billId, 1n);
      const t = await termsOf(
        TradeKind.Swap,
        x,
        y,
        billLeg(f.ledger, f.billId, 1n, UNITS),
        billLeg(f.ledger, f.billId, UNITS + 1n, 500n),
      );
      await (await engine.connect(x).propose(t)).wait();
      await expectRange(f, 1n, { end: UNITS, holder: x.address, state: RangeState.Escrowed, counterparty: f.engine });
      await (await engine.connect(y).accept(t)).wait();
      await expectRange(f, 1n, { end: UNITS, holder: y.address, state: RangeState.Circulating });
      await expectRange(f, UNITS + 1n, { end: UNITS + 500n, holder: x.address, state: RangeState.Circulating });
      await expectRange(f, UNITS + 501n, { end: FACE, holder: y.address, state: RangeState.Circulating });
      expect(await statusOf(f, t)).to.equal(TradeStatus.Settled);
    });
  });

  describe("ending a proposal gives the maker its leg back", function () {
    type Ending = "reject" | "withdraw" | "clear";
    const endings: { how: Ending; status: TradeStatus }[] = [
      { how: "reject", status: TradeStatus.Rejected },
      { how: "withdraw", status: TradeStatus.Withdrawn },
      { how: "clear", status: TradeStatus.Cleared },
    ];
    /** Ends `t` the `how` way: reject by the taker, withdraw by the maker, clear by the outsider at the deadline. */
    async function end(f: DvpFixture, t: Terms, how: Ending, maker: HardhatEthersSigner, taker: HardhatEthersSigner) {
      const engine = f.suite.settlementEngine;
      if (how === "reject") return { tx: engine.connect(taker).reject(t), by: taker };
      if (how === "withdraw") return { tx: engine.connect(maker).withdraw(t), by: maker };
      await time.setNextBlockTimestamp(t.deadline);
      return { tx: engine.connect(f.accounts.outsider).clear(t), by: f.accounts.outsider };
    }

    for (const { how, status } of endings) {
      it(`${how}: a bill leg goes back to Circulating with Y (split ranges stay split), status ${TradeStatus[status]}`, async function () {
        const { f, engine, t, y, bankA, id } = await proposed();
        const { tx, by } = await end(f, t, how, y, bankA);
        await expect(tx).to.emit(engine, "TradeEnded").withArgs(id, status, by.address);
        expect(await statusOf(f, t)).to.equal(status);
        await expectRange(f, 1n, { end: UNITS, holder: y.address, state: RangeState.Circulating });
        await expectRange(f, UNITS + 1n, { end: FACE, holder: y.address, state: RangeState.Circulating });
        await expectWrongStatus(engine, engine.connect(bankA).accept(t), id, status);
      });

      it(`${how}: a cash leg goes back to the bank and escrowed drops to zero, status ${TradeStatus[status]}`, async function () {
        const { f, engine, t, y, bankA, id } = await proposed({ sellerMakes: false });
        const price = t.makerLeg.amount;
        expect(await engine.escrowed(f.currency)).to.equal(price);
        const { tx, by } = await end(f, t, how, bankA, y);
        await expect(tx).to.changeTokenBalances(f.suite.digitalCurrency, [engine, bankA, y], [-price, price, 0n]);
        await expect(tx).to.emit(engine, "TradeEnded").withArgs(id, status, by.address);
        expect(await engine.escrowed(f.currency)).to.equal(0n);
        expect(await statusOf(f, t)).to.equal(status);
        const [, refundOwed] = await tradeRecord(engine, id);
        expect(refundOwed).to.equal(0n);
        await expectRange(f, 1n, { end: FACE, holder: y.address, state: RangeState.Circulating });
      });
    }

    it("clear is refused with TradePending(deadline) before the deadline (now and deadline − 1 s), allowed at it", async function () {
      const { f, engine, t, y } = await proposed();
      const { outsider } = f.accounts;
      await expect(engine.connect(outsider).clear(t))
        .to.be.revertedWithCustomError(engine, "TradePending")
        .withArgs(t.deadline);
      await time.setNextBlockTimestamp(t.deadline - 1n);
      await expect(engine.connect(y).clear(t))
        .to.be.revertedWithCustomError(engine, "TradePending")
        .withArgs(t.deadline);
      await time.setNextBlockTimestamp(t.deadline);
      await expect(engine.connect(outsider).clear(t)).to.emit(engine, "TradeEnded");
      expect(await statusOf(f, t)).to.equal(TradeStatus.Cleared);
    });

    it("accept at the deadline is refused with TradeExpired (the deadline is exclusive)", async function () {
      const { f, engine, t, bankA } = await proposed();
      await time.setNextBlockTimestamp(t.deadline);
      await expect(engine.connect(bankA).accept(t))
        .to.be.revertedWithCustomError(engine, "TradeExpired")
        .withArgs(t.deadline);
      expect(await statusOf(f, t)).to.equal(TradeStatus.Proposed);
    });
  });

  describe("who may act", function () {
    it("propose by anyone but the maker is refused with TradeInvalidParty(caller)", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await discountTerms(f, y, bankA, UNITS);
      await expect(engine.connect(bankA).propose(t))
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(bankA.address);
    });

    it("accept and reject by the maker or a third party, withdraw by the taker or a third party: TradeNotEntitled", async function () {
      const { f, engine, t, y, bankA, id } = await proposed();
      const { bankB, admin } = f.accounts;
      const refused = [
        { act: "accept", caller: y },
        { act: "accept", caller: bankB },
        { act: "accept", caller: admin },
        { act: "reject", caller: y },
        { act: "reject", caller: bankB },
        { act: "withdraw", caller: bankA },
        { act: "withdraw", caller: bankB },
      ] as const;
      for (const { act, caller } of refused) {
        await expect(engine.connect(caller)[act](t), `${act} by ${caller.address}`)
          .to.be.revertedWithCustomError(engine, "TradeNotEntitled")
          .withArgs(id, caller.address);
      }
      expect(await statusOf(f, t)).to.equal(TradeStatus.Proposed);
      await expectRange(f, 1n, { end: UNITS, holder: y.address, state: RangeState.Escrowed, counterparty: f.engine });
    });

    it("acceptBatch by a non-taker is refused with TradeNotEntitled", async function () {
      const { f, engine, t, id } = await proposed();
      const { bankB } = f.accounts;
      await expect(engine.connect(bankB).acceptBatch([t]))
        .to.be.revertedWithCustomError(engine, "TradeNotEntitled")
        .withArgs(id, bankB.address);
    });
  });

  describe("double acts: TradeWrongStatus(id, status, Proposed)", function () {
    it("accept twice", async function () {
      const { engine, t, bankA, id } = await proposed();
      await (await engine.connect(bankA).accept(t)).wait();
      await expectWrongStatus(engine, engine.connect(bankA).accept(t), id, TradeStatus.Settled);
    });

    it("accept after withdraw, and withdraw twice", async function () {
      const { f, engine, t, y, bankA, id } = await proposed({ sellerMakes: false });
      await (await engine.connect(bankA).withdraw(t)).wait();
      await expectWrongStatus(engine, engine.connect(y).accept(t), id, TradeStatus.Withdrawn);
      await expectWrongStatus(engine, engine.connect(bankA).withdraw(t), id, TradeStatus.Withdrawn);
      expect(await engine.escrowed(f.currency)).to.equal(0n);
    });

    it("withdraw, reject and clear after accept", async function () {
      const { f, engine, t, y, bankA, id } = await proposed();
      await (await engine.connect(bankA).accept(t)).wait();
      await expectWrongStatus(engine, engine.connect(y).withdraw(t), id, TradeStatus.Settled);
      await expectWrongStatus(engine, engine.connect(bankA).reject(t), id, TradeStatus.Settled);
      await time.increaseTo(t.deadline);
      await expectWrongStatus(engine, engine.connect(y).clear(t), id, TradeStatus.Settled);
      await expectRange(f, 1n, { end: UNITS, holder: bankA.address, state: RangeState.Circulating });
    });

    it("clear after reject", async function () {
      const { f, engine, t, bankA, id } = await proposed();
      const { outsider } = f.accounts;
      await (await engine.connect(bankA).reject(t)).wait();
      await time.increaseTo(t.deadline);
      await expectWrongStatus(engine, engine.connect(outsider).clear(t), id, TradeStatus.Rejected);
    });

    it("accept, reject, withdraw or clear of terms never proposed: TradeWrongStatus with status None", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await discountTerms(f, y, bankA, UNITS);
      const id = await idOf(f, t);
      for (const [caller, act] of [
        [bankA, "accept"],
        [bankA, "reject"],
        [y, "withdraw"],
        [y, "clear"],
      ] as const) {
        await expectWrongStatus(engine, engine.connect(caller)[act](t), id, TradeStatus.None);
      }
    });
  });

  describe("identity of a proposal", function () {
    it("the same terms proposed twice are refused with TradeNonceUsed(maker, nonce), also after a withdrawal", async function () {
      // Bank A (the buyer) makes: without the nonce its cash leg would be pulled twice.
      const { f, engine, t: buyerMade, bankA } = await proposed({ sellerMakes: false });
      await expect(engine.connect(bankA).propose(buyerMade))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(bankA.address, buyerMade.nonce);
      await (await engine.connect(bankA).withdraw(buyerMade)).wait();
      await expect(engine.connect(bankA).propose(buyerMade))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(bankA.address, buyerMade.nonce);
      expect(await statusOf(f, buyerMade)).to.equal(TradeStatus.Withdrawn);
      expect(await engine.escrowed(f.currency)).to.equal(0n);
    });

    it("a seller-made proposal repeated is refused with TradeNonceUsed before touching the escrowed range", async function () {
      const { engine, t, y } = await proposed();
      await expect(engine.connect(y).propose(t))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(y.address, t.nonce);
    });

    it("accepting terms that differ in any field from the proposal reverts TradeWrongStatus(None) for the new id", async function () {
      const { f, engine, t, bankA, id } = await proposed();
      const variants: Terms[] = [
        { ...t, takerLeg: { ...t.takerLeg, amount: t.takerLeg.amount - 1n } },
        { ...t, makerLeg: { ...t.makerLeg, amount: UNITS - 1n } },
        { ...t, deadline: t.deadline + 1n },
        { ...t, nonce: t.nonce + 1n },
      ];
      for (const v of variants) {
        const variantId = await idOf(f, v);
        expect(variantId).to.not.equal(id);
        await expectWrongStatus(engine, engine.connect(bankA).accept(v), variantId, TradeStatus.None);
      }
      expect(await statusOf(f, t)).to.equal(TradeStatus.Proposed);
    });

    it("a maker that withdraws and re-prices cannot have the taker's acceptance of the old terms land on the new ones", async function () {
      const { f, engine, t: old, y, bankA, id: oldId } = await proposed();
      await (await engine.connect(y).withdraw(old)).wait();
      const repriced = await discountTerms(f, y, bankA, UNITS, { rate: 20_000n });
      await (await engine.connect(y).propose(repriced)).wait();
      await expectWrongStatus(engine, engine.connect(bankA).accept(old), oldId, TradeStatus.Withdrawn);
      expect(await statusOf(f, repriced)).to.equal(TradeStatus.Proposed);
      await expectRange(f, 1n, { end: UNITS, holder: y.address, state: RangeState.Escrowed, counterparty: f.engine });
    });
  });

  describe("acceptBatch", function () {
    /** Y's discounts of [1, UNITS] (`t1`) and [UNITS + 1, 2 UNITS] (`t2`) to bank A, both proposed by Y. */
    async function twoProposals() {
      const p = await proposed();
      const t2 = await discountTerms(p.f, p.y, p.bankA, UNITS, { start: UNITS + 1n });
      await (await p.engine.connect(p.y).propose(t2)).wait();
      return { ...p, t1: p.t, t2 };
    }

    it("settles every proposal of the batch", async function () {
      const { f, engine, y, bankA, t1, t2 } = await twoProposals();
      const total = t1.takerLeg.amount + t2.takerLeg.amount;
      await expect(engine.connect(bankA).acceptBatch([t1, t2])).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, y],
        [-total, total],
      );
      expect(await statusOf(f, t1)).to.equal(TradeStatus.Settled);
      expect(await statusOf(f, t2)).to.equal(TradeStatus.Settled);
      await expectRange(f, 1n, { end: UNITS, holder: bankA.address, state: RangeState.Circulating });
      await expectRange(f, UNITS + 1n, { end: 2n * UNITS, holder: bankA.address, state: RangeState.Circulating });
    });

    it("all or nothing: a withdrawn second proposal reverts the batch and the first stays proposed", async function () {
      const { f, engine, y, bankA, t1, t2 } = await twoProposals();
      await (await engine.connect(y).withdraw(t2)).wait();
      const before = await f.suite.digitalCurrency.balanceOf(bankA.address);
      await expectWrongStatus(
        engine,
        engine.connect(bankA).acceptBatch([t1, t2]),
        await idOf(f, t2),
        TradeStatus.Withdrawn,
      );
      expect(await statusOf(f, t1)).to.equal(TradeStatus.Proposed);
      expect(await f.suite.digitalCurrency.balanceOf(bankA.address)).to.equal(before);
      await expectRange(f, 1n, { end: UNITS, holder: y.address, state: RangeState.Escrowed, counterparty: f.engine });
    });

    it("the same proposal twice in one batch: the second reverts TradeWrongStatus(Settled), nothing settles", async function () {
      const { f, engine, y, bankA, t1, id } = await twoProposals();
      await expectWrongStatus(engine, engine.connect(bankA).acceptBatch([t1, t1]), id, TradeStatus.Settled);
      expect(await statusOf(f, t1)).to.equal(TradeStatus.Proposed);
      await expectRange(f, 1n, { end: UNITS, holder: y.address, state: RangeState.Escrowed, counterparty: f.engine });
    });

    it(`an empty batch or one of more than ${MAX_BATCH} is refused with TradeInvalidBatch(${MAX_BATCH})`, async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      await expect(engine.connect(bankA).acceptBatch([]))
        .to.be.revertedWithCustomError(engine, "TradeInvalidBatch")
        .withArgs(MAX_BATCH);
      const t = await termsOf(TradeKind.FreeOfPayment, y, bankA, billLeg(f.ledger, f.billId, 1n, 1n), EMPTY_LEG);
      await expect(engine.connect(bankA).acceptBatch(Array.from({ length: Number(MAX_BATCH) + 1 }, () => t)))
        .to.be.revertedWithCustomError(engine, "TradeInvalidBatch")
        .withArgs(MAX_BATCH);
    });
  });
});
