/*
 * SettlementEngine, signed orders (EIP-712): `settle` by the maker (with the taker's signature), by the taker (with
 * the maker's) or by a settlement agent (with both); `settleBatch` all or nothing with token legs between the same
 * two parties in the same token netted into one transfer; nonces (the maker's always spent, the taker's only when
 * its signature is used), `cancelNonce` and `raiseNonceFloor`.
 *
 * The scene: the shared `tradingPlatform` (enterprise Y holds the whole fixture bill, every party funded and
 * approving the engine; the admin account holds AGENT_ROLE), the clock at 10:00 CST of the next day.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { RangeState } from "../../../tasks/lib/bills";
import {
  TradeKind,
  TradeStatus,
  billLeg,
  signTerms,
  tokenLeg,
  tradeIdOf,
  type SignedOrder,
  type Terms,
} from "../../../tasks/lib/dvp";
import { FACE, discountTerms, termsOf, type DvpFixture } from "../../fixtures/dvp";
import { expectRange, market, statusOf } from "../../fixtures/dvpScenes";

const { id: keccakId } = hre.ethers;
const UNITS = 10_000_000n;
const AGENT_ROLE = keccakId("AGENT_ROLE");

/** Bank A holds [1, UNITS] and bank B [UNITS + 1, 2 UNITS], both discounted by Y in one batch. */
async function banksHold(): Promise<DvpFixture> {
  const f = await loadFixture(market);
  const { enterpriseY: y, bankA, bankB, admin } = f.accounts;
  const toA = await discountTerms(f, y, bankA, UNITS);
  const toB = await discountTerms(f, y, bankB, UNITS, { start: UNITS + 1n });
  await (
    await f.suite.settlementEngine
      .connect(admin)
      .settleBatch([await fullySigned(f, toA, y, bankA), await fullySigned(f, toB, y, bankB)])
  ).wait();
  return f;
}

/** `terms` signed by whichever parties are given ("0x" for the others). */
async function order(
  f: DvpFixture,
  terms: Terms,
  by: { maker?: HardhatEthersSigner; taker?: HardhatEthersSigner },
): Promise<SignedOrder> {
  const engine = f.suite.settlementEngine;
  return {
    terms,
    makerSignature: by.maker ? await signTerms(engine, by.maker, terms) : "0x",
    takerSignature: by.taker ? await signTerms(engine, by.taker, terms) : "0x",
  };
}

/** Both parties sign. */
async function fullySigned(f: DvpFixture, terms: Terms, maker: HardhatEthersSigner, taker: HardhatEthersSigner) {
  return order(f, terms, { maker, taker });
}

/** Asserts that `holder` holds [start, end] in circulation. */
async function expectHeld(f: DvpFixture, start: bigint, end: bigint, holder: HardhatEthersSigner) {
  await expectRange(f, start, { end, holder: holder.address, state: RangeState.Circulating });
}

/** The market and Y's discount of [1, UNITS] to bank A, not yet signed. */
async function yOffer() {
  const f = await loadFixture(market);
  const { enterpriseY: y, bankA } = f.accounts;
  return { f, engine: f.suite.settlementEngine, y, bankA, t: await discountTerms(f, y, bankA, UNITS) };
}

/** The currency's Transfer events in the receipt of `tx`. */
async function currencyTransfers(f: DvpFixture, tx: ContractTransactionResponse) {
  const receipt = (await tx.wait())!;
  const cash = f.suite.digitalCurrency;
  return receipt.logs
    .filter((log) => log.address.toLowerCase() === f.currency.toLowerCase())
    .map((log) => cash.interface.parseLog(log))
    .filter((parsed) => parsed?.name === "Transfer")
    .map((parsed) => ({
      from: parsed!.args[0] as string,
      to: parsed!.args[1] as string,
      value: parsed!.args[2] as bigint,
    }));
}

describe("SettlementEngine: signed orders", function () {
  describe("settle", function () {
    it("by the taker with the maker's signature: both legs move, only the maker's nonce is spent, no trade record", async function () {
      const { f, engine, y, bankA, t } = await yOffer();
      const price = t.takerLeg.amount;
      const tx = engine.connect(bankA).settle(await order(f, t, { maker: y }));
      await expect(tx).to.changeTokenBalances(f.suite.digitalCurrency, [bankA, y, engine], [-price, price, 0n]);
      await expect(tx)
        .to.emit(engine, "TradeSettled")
        .withArgs(await tradeIdOf(engine, t), y.address, bankA.address, TradeKind.Discount, true, anyValue);
      await expectHeld(f, 1n, UNITS, bankA);
      await expectHeld(f, UNITS + 1n, FACE, y);
      expect(await engine.isNonceUsed(y.address, t.nonce)).to.equal(true);
      expect(await engine.isNonceUsed(bankA.address, t.nonce)).to.equal(false);
      expect(await statusOf(f, t)).to.equal(TradeStatus.None);
    });

    it("by the maker with the taker's signature: both nonces are spent", async function () {
      const { f, engine, y, bankA, t } = await yOffer();
      const price = t.takerLeg.amount;
      await expect(engine.connect(y).settle(await order(f, t, { taker: bankA }))).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, y],
        [-price, price],
      );
      await expectHeld(f, 1n, UNITS, bankA);
      expect(await engine.isNonceUsed(y.address, t.nonce)).to.equal(true);
      expect(await engine.isNonceUsed(bankA.address, t.nonce)).to.equal(true);
    });

    it("by an agent (AGENT_ROLE) with both signatures", async function () {
      const { f, engine, y, bankA, t } = await yOffer();
      const { admin } = f.accounts;
      expect(await engine.hasRole(AGENT_ROLE, admin.address)).to.equal(true);
      const price = t.takerLeg.amount;
      await expect(engine.connect(admin).settle(await fullySigned(f, t, y, bankA))).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, y, admin],
        [-price, price, 0n],
      );
      await expectHeld(f, 1n, UNITS, bankA);
      expect(await engine.isNonceUsed(y.address, t.nonce)).to.equal(true);
      expect(await engine.isNonceUsed(bankA.address, t.nonce)).to.equal(true);
    });

    for (const name of ["bankB", "outsider", "pauser", "enterpriseX"] as const) {
      it(`by a third party without AGENT_ROLE (${name}), even with both signatures: AccessControlUnauthorizedAccount(caller, AGENT_ROLE)`, async function () {
        const { f, engine, y, bankA, t } = await yOffer();
        const caller = f.accounts[name];
        await expect(engine.connect(caller).settle(await fullySigned(f, t, y, bankA)))
          .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, AGENT_ROLE);
        await expect(engine.connect(caller).settleBatch([await fullySigned(f, t, y, bankA)]))
          .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, AGENT_ROLE);
        expect(await engine.isNonceUsed(y.address, t.nonce)).to.equal(false);
      });
    }

    it("a missing or foreign signature is refused with TradeInvalidSignature(signer)", async function () {
      const { f, engine, y, bankA, t } = await yOffer();
      const { bankB, admin } = f.accounts;
      await expect(engine.connect(bankA).settle(await order(f, t, {})))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(y.address);
      await expect(engine.connect(bankA).settle(await order(f, t, { maker: bankB })))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(y.address);
      await expect(engine.connect(admin).settle(await order(f, t, { maker: y, taker: bankB })))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(bankA.address);
      // A signature over other terms (the price one unit lower) does not fit these.
      const other = { ...t, takerLeg: { ...t.takerLeg, amount: t.takerLeg.amount - 1n } };
      await expect(
        engine
          .connect(bankA)
          .settle({ terms: t, makerSignature: await signTerms(engine, y, other), takerSignature: "0x" }),
      )
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(y.address);
    });

    it("the same order settled twice is refused with TradeNonceUsed(maker, nonce)", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA, admin } = f.accounts;
      const engine = f.suite.settlementEngine;
      const t = await discountTerms(f, y, bankA, 1_000n);
      const o = await fullySigned(f, t, y, bankA);
      await (await engine.connect(admin).settle(o)).wait();
      await expect(engine.connect(admin).settle(o))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(y.address, t.nonce);
    });
  });

  describe("settleBatch", function () {
    /** Three discounts by Y, of UNITS each, to bank A, bank B and the finance company, both sides signed. */
    async function threeOrders(f: DvpFixture) {
      const { enterpriseY: y, bankA, bankB, financeCo } = f.accounts;
      const buyers = [bankA, bankB, financeCo];
      const terms = await Promise.all(
        buyers.map((buyer, i) => discountTerms(f, y, buyer, UNITS, { start: 1n + BigInt(i) * UNITS })),
      );
      const orders = await Promise.all(terms.map((t, i) => fullySigned(f, t, y, buyers[i])));
      return { buyers, terms, orders };
    }

    it("settles three orders in one transaction (agent)", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, admin } = f.accounts;
      const engine = f.suite.settlementEngine;
      const { buyers, terms, orders } = await threeOrders(f);
      const prices = terms.map((t) => t.takerLeg.amount);
      const total = prices.reduce((a, b) => a + b, 0n);
      await expect(engine.connect(admin).settleBatch(orders)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [...buyers, y, engine],
        [...prices.map((p) => -p), total, 0n],
      );
      for (let i = 0; i < 3; i++) {
        await expectHeld(f, 1n + BigInt(i) * UNITS, BigInt(i + 1) * UNITS, buyers[i]);
        expect(await engine.isNonceUsed(y.address, terms[i].nonce)).to.equal(true);
      }
      await expectHeld(f, 3n * UNITS + 1n, FACE, y);
    });

    it("a caller that is a party of every order needs no AGENT_ROLE (Y, the maker of all three)", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y } = f.accounts;
      const engine = f.suite.settlementEngine;
      const { buyers, terms } = await threeOrders(f);
      const orders = await Promise.all(terms.map((t, i) => order(f, t, { taker: buyers[i] })));
      await (await engine.connect(y).settleBatch(orders)).wait();
      for (let i = 0; i < 3; i++) await expectHeld(f, 1n + BigInt(i) * UNITS, BigInt(i + 1) * UNITS, buyers[i]);
    });

    it("a caller that is a party of only some orders needs AGENT_ROLE (bank A)", async function () {
      const f = await loadFixture(market);
      const { bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const { orders } = await threeOrders(f);
      await expect(engine.connect(bankA).settleBatch(orders))
        .to.be.revertedWithCustomError(engine, "AccessControlUnauthorizedAccount")
        .withArgs(bankA.address, AGENT_ROLE);
    });

    /** Bank A rediscounts [1, UNITS] to bank B at the formula's price p1; bank B sells bank A [UNITS + 1, 2 UNITS]
     * outright at p2 = p1 + delta. Both orders in one batch by the agent. */
    async function crossTrades(f: DvpFixture, delta: bigint) {
      const { bankA, bankB, admin } = f.accounts;
      const rediscount = await discountTerms(f, bankA, bankB, UNITS, { kind: TradeKind.Rediscount });
      const p1 = rediscount.takerLeg.amount;
      const sale = await termsOf(
        TradeKind.OutrightSale,
        bankB,
        bankA,
        billLeg(f.ledger, f.billId, UNITS + 1n, UNITS),
        tokenLeg(f.currency, p1 + delta),
      );
      const orders = [await fullySigned(f, rediscount, bankA, bankB), await fullySigned(f, sale, bankB, bankA)];
      return f.suite.settlementEngine.connect(admin).settleBatch(orders);
    }

    for (const { delta, net } of [
      { delta: -12_345n, net: "bank B pays bank A the difference" },
      { delta: 777n, net: "bank A pays bank B the difference" },
    ]) {
      it(`nets two opposite cash legs between the same parties into one transfer (${net})`, async function () {
        const f = await loadFixture(banksHold);
        const { bankA, bankB } = f.accounts;
        const tx = await crossTrades(f, delta);
        // bank A receives p1 and pays p1 + delta: it nets −delta.
        await expect(tx).to.changeTokenBalances(
          f.suite.digitalCurrency,
          [bankA, bankB, f.suite.settlementEngine],
          [-delta, delta, 0n],
        );
        const [from, to] = delta < 0n ? [bankB, bankA] : [bankA, bankB];
        const value = delta < 0n ? -delta : delta;
        expect(await currencyTransfers(f, tx)).to.deep.equal([{ from: from.address, to: to.address, value }]);
        await expectHeld(f, 1n, UNITS, bankB);
        await expectHeld(f, UNITS + 1n, 2n * UNITS, bankA);
      });
    }

    it("equal opposite cash legs move no money: one transfer of zero, so the currency still checks both", async function () {
      const f = await loadFixture(banksHold);
      const { bankA, bankB } = f.accounts;
      const tx = await crossTrades(f, 0n);
      await expect(tx).to.changeTokenBalances(f.suite.digitalCurrency, [bankA, bankB], [0n, 0n]);
      expect(await currencyTransfers(f, tx)).to.deep.equal([{ from: bankB.address, to: bankA.address, value: 0n }]);
      await expectHeld(f, 1n, UNITS, bankB);
    });

    it("equal opposite cash legs do not get past a paused currency (CurrencyPaused): nothing moves", async function () {
      const f = await loadFixture(banksHold);
      const cash = f.suite.digitalCurrency;
      await (await cash.connect(f.accounts.pauser).pause()).wait();
      await expect(crossTrades(f, 0n)).to.be.revertedWithCustomError(cash, "CurrencyPaused");
      await expectHeld(f, 1n, UNITS, f.accounts.bankA);
    });

    it("legs in the same direction between the same parties add up into one transfer", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA, admin } = f.accounts;
      const engine = f.suite.settlementEngine;
      const s1 = await discountTerms(f, y, bankA, UNITS);
      const s2 = await discountTerms(f, y, bankA, UNITS, { start: UNITS + 1n });
      const total = s1.takerLeg.amount + s2.takerLeg.amount;
      const tx = await engine
        .connect(admin)
        .settleBatch([await fullySigned(f, s1, y, bankA), await fullySigned(f, s2, y, bankA)]);
      await expect(tx).to.changeTokenBalances(f.suite.digitalCurrency, [bankA, y], [-total, total]);
      expect(await currencyTransfers(f, tx)).to.deep.equal([{ from: bankA.address, to: y.address, value: total }]);
    });

    it("a batch whose last order fails (bad signature) changes nothing: balances, ranges and nonces stay", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankB, admin } = f.accounts;
      const engine = f.suite.settlementEngine;
      const { buyers, terms, orders } = await threeOrders(f);
      orders[2] = { ...orders[2], takerSignature: await signTerms(engine, bankB, terms[2]) };
      const before = await Promise.all([...buyers, y].map((s) => f.suite.digitalCurrency.balanceOf(s.address)));
      await expect(engine.connect(admin).settleBatch(orders))
        .to.be.revertedWithCustomError(engine, "TradeInvalidSignature")
        .withArgs(buyers[2].address);
      expect(await Promise.all([...buyers, y].map((s) => f.suite.digitalCurrency.balanceOf(s.address)))).to.deep.equal(
        before,
      );
      await expectHeld(f, 1n, FACE, y);
      for (const t of terms) expect(await engine.isNonceUsed(y.address, t.nonce)).to.equal(false);
    });

    it("a batch whose last order fails at the ledger (a range Y no longer holds) changes nothing", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA, admin } = f.accounts;
      const engine = f.suite.settlementEngine;
      const { terms, orders } = await threeOrders(f);
      // A fourth order selling [1, UNITS] again: by then the batch has given it to bank A.
      const again = await discountTerms(f, y, bankA, UNITS);
      const all = [...orders, await fullySigned(f, again, y, bankA)];
      await expect(engine.connect(admin).settleBatch(all))
        .to.be.revertedWithCustomError(f.suite.billLedger, "BillNotEntitled")
        .withArgs(f.billId, 1n, y.address);
      await expectHeld(f, 1n, FACE, y);
      for (const t of terms) expect(await engine.isNonceUsed(y.address, t.nonce)).to.equal(false);
    });
  });

  describe("nonces", function () {
    it("cancelNonce: emits NonceCancelled, isNonceUsed turns true, the order no longer settles, a second cancel is refused", async function () {
      const { f, engine, y, bankA, t } = await yOffer();
      const o = await order(f, t, { maker: y });
      expect(await engine.isNonceUsed(y.address, t.nonce)).to.equal(false);
      await expect(engine.connect(y).cancelNonce(t.nonce))
        .to.emit(engine, "NonceCancelled")
        .withArgs(y.address, t.nonce);
      expect(await engine.isNonceUsed(y.address, t.nonce)).to.equal(true);
      expect(await engine.isNonceUsed(bankA.address, t.nonce)).to.equal(false);
      await expect(engine.connect(bankA).settle(o))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(y.address, t.nonce);
      await expect(engine.connect(y).propose(t))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(y.address, t.nonce);
      await expect(engine.connect(y).cancelNonce(t.nonce))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(y.address, t.nonce);
    });

    it("a taker that cancels the nonce voids its signature: TradeNonceUsed(taker, nonce)", async function () {
      const { f, engine, y, bankA, t } = await yOffer();
      await (await engine.connect(bankA).cancelNonce(t.nonce)).wait();
      await expect(engine.connect(y).settle(await order(f, t, { taker: bankA })))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(bankA.address, t.nonce);
      // Submitted by the taker itself its signature is not used, so its nonce is not either.
      await (await engine.connect(bankA).settle(await order(f, t, { maker: y }))).wait();
      await expectHeld(f, 1n, UNITS, bankA);
    });

    it("raiseNonceFloor: voids every nonce below the floor (not the floor itself), the view follows, lowering is refused", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      expect(await engine.nonceFloor(y.address)).to.equal(0n);
      const below = await discountTerms(f, y, bankA, 1_000n);
      below.nonce = 99n;
      const at = await discountTerms(f, y, bankA, 1_000n);
      at.nonce = 100n;
      await expect(engine.connect(y).raiseNonceFloor(100n))
        .to.emit(engine, "NonceFloorRaised")
        .withArgs(y.address, 100n);
      expect(await engine.nonceFloor(y.address)).to.equal(100n);
      expect(await engine.nonceFloor(bankA.address)).to.equal(0n);
      expect(await engine.isNonceUsed(y.address, 0n)).to.equal(true);
      expect(await engine.isNonceUsed(y.address, 99n)).to.equal(true);
      expect(await engine.isNonceUsed(y.address, 100n)).to.equal(false);
      await expect(engine.connect(bankA).settle(await order(f, below, { maker: y })))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(y.address, 99n);
      await expect(engine.connect(y).cancelNonce(5n))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(y.address, 5n);
      await (await engine.connect(bankA).settle(await order(f, at, { maker: y }))).wait();
      expect(await engine.isNonceUsed(y.address, 100n)).to.equal(true);
      await expect(engine.connect(y).raiseNonceFloor(100n))
        .to.be.revertedWithCustomError(engine, "TradeNonceFloorNotRaised")
        .withArgs(100n);
      await expect(engine.connect(y).raiseNonceFloor(50n))
        .to.be.revertedWithCustomError(engine, "TradeNonceFloorNotRaised")
        .withArgs(50n);
    });

    it("a taker's raised floor voids its signature on older nonces", async function () {
      const { f, engine, y, bankA, t } = await yOffer();
      t.nonce = 7n;
      await (await engine.connect(bankA).raiseNonceFloor(8n)).wait();
      await expect(engine.connect(y).settle(await order(f, t, { taker: bankA })))
        .to.be.revertedWithCustomError(engine, "TradeNonceUsed")
        .withArgs(bankA.address, 7n);
    });

    it("nonces are bits per signer: neighbours in one word stay free, large nonces work", async function () {
      const f = await loadFixture(market);
      const { enterpriseY: y, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const big = 2n ** 255n + 3n;
      for (const n of [0n, 255n, 256n, big]) await (await engine.connect(y).cancelNonce(n)).wait();
      for (const n of [0n, 255n, 256n, big]) expect(await engine.isNonceUsed(y.address, n)).to.equal(true);
      for (const n of [1n, 254n, 257n, big - 1n, big + 1n])
        expect(await engine.isNonceUsed(y.address, n)).to.equal(false);
      expect(await engine.isNonceUsed(bankA.address, 0n)).to.equal(false);
    });
  });
});
