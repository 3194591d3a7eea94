/*
 * SettlementEngine: pricing arithmetic at the extremes, line 35 of the shared SECURITY-CHECKLIST.md.
 *
 * Formulas (TradePricing, act/360, rates in millionths per year): discount proceeds = units − floor(units × rate ×
 * days / 360,000,000), days = rollForward(maturity) − valueDay, refused unless 0 < days and rate × days <
 * 360,000,000 (PricingNoDays, PricingRateTooHigh(rate, days)); pledge-repo repayment = principal + ceil(principal ×
 * rate × days / 360,000,000). Terms carry exactly the formula's amount (TradePriceMismatch(expected, given)).
 *
 * Covered here:
 * 35. Extreme inputs revert rather than wrap, and the edges hold:
 *     - a rate whose interest would reach the face (rate × days = 360,000,000, and uint32 max) reverts
 *       PricingRateTooHigh at propose and in the discountProceeds view; one millionth less settles, and one unit
 *       then still costs one unit (never 0); a value day on or after the rolled maturity gives PricingNoDays in
 *       the view (the engine refuses such trades first with TradeBillMatured, see dvp-time.test.ts);
 *     - a bill of face 2^48 − 1 units (the uint48 maximum): a discount of all of it settles at the exact price of
 *       the independent TypeScript formula; a leg of 2^48 units is refused (TradeInvalidLeg(0)), not truncated;
 *     - repo repayment at the extremes (uint128 max principal, uint32 max rate and day counts) is exact in the
 *       view (no wrap, above 2^128); a pledge repo whose repayment exceeds uint128 cannot be agreed: the true
 *       amount does not fit the uint128 closingAmount, and the wrapped value (repayment mod 2^128) is refused
 *       with TradePriceMismatch(repayment, wrapped);
 *     - a short fast-check property on the engine's view: 0 < proceeds ≤ units, equal to the TypeScript formula,
 *       and splitting a discount into two pieces never costs the buyer less than the whole. (The full pricing
 *       property suite is test/property/pricing.property.test.ts.)
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { businessDayAfter, discountTerms, termsOf, tradingPlatform, type DvpFixture, signedBy } from "../fixtures/dvp";
import { PART, partForCash } from "../fixtures/dvpScenes";
import { TradeKind, billLeg, discountProceeds, repoRepayment, rollForward, tokenLeg } from "../../tasks/lib/dvp";
import {
  BillType,
  cstDayOf,
  issueBill,
  mined,
  presentForAcceptance,
  presentForReceipt,
  sign,
} from "../../tasks/lib/bills";

const DENOMINATOR = 360n * 1_000_000n;
const UINT48_MAX = 2n ** 48n - 1n;
const UINT128_MAX = 2n ** 128n - 1n;
const UINT32_MAX = 2n ** 32n - 1n;

/** Days a discount on the fixture bill runs today (maturity rolled on weekends; the fixture calendar marks none). */
async function daysToMaturity(f: DvpFixture): Promise<bigint> {
  return BigInt(rollForward(f.maturityDay, new Map())) - BigInt(cstDayOf(await time.latest()));
}

/**
 * A second bill of face 2^48 − 1 (enterprise X draws, bank A accepts, enterprise Y receives it), and bank A funded
 * with enough currency to buy all of it.
 */
async function hugeBill() {
  const f = await loadFixture(tradingPlatform);
  const { accounts, suite } = f;
  const ledger = suite.billLedger;
  const maturityDay = cstDayOf(await time.latest()) + 60;
  const { billId } = await issueBill(ledger.connect(accounts.enterpriseX), {
    billType: BillType.BankAcceptance,
    acceptor: accounts.bankA.address,
    payee: accounts.enterpriseY.address,
    face: UINT48_MAX,
    maturityDay,
    tradeBackground: "extreme face",
  });
  await presentForAcceptance(ledger.connect(accounts.enterpriseX), billId);
  await sign(ledger.connect(accounts.bankA), billId, 1n);
  await presentForReceipt(ledger.connect(accounts.enterpriseX), billId);
  await sign(ledger.connect(accounts.enterpriseY), billId, 1n);
  await mined(suite.digitalCurrency.connect(accounts.centralBank).mint(accounts.bankA, UINT48_MAX));
  return { ...f, hugeId: billId, hugeMaturity: maturityDay };
}

describe("SettlementEngine security: pricing arithmetic at the extremes", function () {
  describe("[35] a rate whose interest would reach the face", function () {
    it("[35] rate × days = 360,000,000 and uint32 max revert PricingRateTooHigh; one millionth less settles", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = f.accounts;
      const days = await daysToMaturity(f);
      const today = BigInt(cstDayOf(await time.latest()));
      const edge = (DENOMINATOR + days - 1n) / days; // the least rate with rate × days ≥ 360,000,000
      for (const rate of [edge, UINT32_MAX]) {
        const terms = await partForCash(f, TradeKind.Discount, enterpriseY, bankA, 1n, 1n, { rate });
        await expect(engine.connect(enterpriseY).propose(terms))
          .to.be.revertedWithCustomError(engine, "PricingRateTooHigh")
          .withArgs(rate, days);
        await expect(engine.discountProceeds(f.billId, PART, rate, today))
          .to.be.revertedWithCustomError(engine, "PricingRateTooHigh")
          .withArgs(rate, days);
      }
      const highest = edge - 1n;
      const [one] = await engine.discountProceeds(f.billId, 1n, highest, today);
      expect(one, "one unit never costs 0").to.equal(1n);
      const terms = await discountTerms(f, enterpriseY, bankA, PART, { rate: highest });
      expect(terms.takerLeg.amount).to.equal(discountProceeds(PART, highest, days));
      expect(terms.takerLeg.amount).to.be.greaterThan(0n);
      await expect(
        engine.connect(admin).settle(await signedBy(engine, terms, enterpriseY, bankA)),
      ).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankA, enterpriseY],
        [-terms.takerLeg.amount, terms.takerLeg.amount],
      );
    });

    it("[35] a value day on or after the rolled maturity gives PricingNoDays in the view", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const rolled = BigInt(rollForward(f.maturityDay, new Map()));
      for (const valueDay of [rolled, rolled + 1n]) {
        await expect(engine.discountProceeds(f.billId, PART, 25_000n, valueDay)).to.be.revertedWithCustomError(
          engine,
          "PricingNoDays",
        );
      }
      const [proceeds, days] = await engine.discountProceeds(f.billId, PART, 25_000n, rolled - 1n);
      expect(days).to.equal(1n);
      expect(proceeds).to.equal(discountProceeds(PART, 25_000n, 1n));
    });
  });

  describe("[35] the largest bill leg", function () {
    it("[35] a discount of all 2^48 − 1 units settles at the exact independent price", async function () {
      const h = await loadFixture(hugeBill);
      const engine = h.suite.settlementEngine;
      const { admin, bankA, enterpriseY } = h.accounts;
      const today = BigInt(cstDayOf(await time.latest()));
      const days = BigInt(rollForward(h.hugeMaturity, new Map())) - today;
      const rate = 2_999_999n; // ~300 % a year: the interest term is as large as the formula allows here
      const price = discountProceeds(UINT48_MAX, rate, days);
      const [onChain] = await engine.discountProceeds(h.hugeId, UINT48_MAX, rate, today);
      expect(onChain).to.equal(price);
      expect(price).to.equal(UINT48_MAX - (UINT48_MAX * rate * days) / DENOMINATOR);
      const terms = await termsOf(
        TradeKind.Discount,
        enterpriseY,
        bankA,
        billLeg(h.ledger, h.hugeId, 1n, UINT48_MAX),
        tokenLeg(h.currency, price),
        { rate },
      );
      await expect(
        engine.connect(admin).settle(await signedBy(engine, terms, enterpriseY, bankA)),
      ).to.changeTokenBalances(h.suite.digitalCurrency, [bankA, enterpriseY], [-price, price]);
      const range = await h.suite.billLedger.rangeAt(h.hugeId, 1n);
      expect([range.holder, range.end]).to.deep.equal([bankA.address, UINT48_MAX]);
    });

    it("[35] a leg of 2^48 units is refused (TradeInvalidLeg(0)), not truncated to a uint48", async function () {
      const h = await loadFixture(hugeBill);
      const engine = h.suite.settlementEngine;
      const { enterpriseY, enterpriseX } = h.accounts;
      for (const units of [UINT48_MAX + 1n, 2n ** 128n - 1n, 2n ** 48n + 1n]) {
        const terms = await termsOf(
          TradeKind.Swap,
          enterpriseY,
          enterpriseX,
          billLeg(h.ledger, h.hugeId, 1n, units),
          tokenLeg(h.currency, 1n),
        );
        await expect(engine.connect(enterpriseY).propose(terms))
          .to.be.revertedWithCustomError(engine, "TradeInvalidLeg")
          .withArgs(0);
      }
    });
  });

  describe("[35] repo repayment overflow", function () {
    it("[35] the repayment view is exact at the extremes (above 2^128, no wrap)", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const cases: [bigint, bigint, bigint][] = [
        [UINT128_MAX, UINT32_MAX, UINT32_MAX],
        [UINT128_MAX, 1n, 1n],
        [1n, UINT32_MAX, UINT32_MAX],
        [UINT128_MAX, 25_000n, 90n],
      ];
      for (const [principal, rate, days] of cases) {
        const expected = repoRepayment(principal, rate, days);
        expect(await engine.repoRepayment(principal, rate, 0n, days)).to.equal(expected);
      }
      expect(await engine.repoRepayment(UINT128_MAX, 1n, 0n, 1n)).to.be.greaterThan(UINT128_MAX);
    });

    it("[35] a pledge repo whose repayment exceeds uint128 is refused; the wrapped closing amount too", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const { bankA, bankB } = f.accounts;
      const today = BigInt(cstDayOf(await time.latest()));
      const endDay = businessDayAfter(today);
      const principal = UINT128_MAX - 10n;
      const rate = 3_000_000n;
      const repayment = repoRepayment(principal, rate, endDay - today);
      expect(repayment).to.be.greaterThan(UINT128_MAX);
      const wrapped = repayment % 2n ** 128n;
      for (const closingAmount of [wrapped, UINT128_MAX]) {
        const extra = { rate, endDay, closingAmount };
        const terms = await partForCash(f, TradeKind.PledgeRepo, bankA, bankB, 1n, principal, extra);
        await expect(engine.connect(bankA).propose(terms))
          .to.be.revertedWithCustomError(engine, "TradePriceMismatch")
          .withArgs(repayment, closingAmount);
      }
    });
  });

  describe("[35] fuzzed discount pricing on the engine's view", function () {
    it("[35] 0 < proceeds ≤ units, equal to the TypeScript formula; a split never costs less than the whole", async function () {
      const f = await loadFixture(tradingPlatform);
      const engine = f.suite.settlementEngine;
      const today = BigInt(cstDayOf(await time.latest()));
      const days = await daysToMaturity(f);
      const maxRate = (DENOMINATOR - 1n) / days;
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: 1n, max: UINT48_MAX }),
          fc.bigInt({ min: 1n, max: maxRate }),
          fc.bigInt({ min: 1n, max: UINT48_MAX }),
          async (units, rate, cut) => {
            const [whole] = await engine.discountProceeds(f.billId, units, rate, today);
            expect(whole).to.equal(discountProceeds(units, rate, days));
            expect(whole > 0n && whole <= units).to.equal(true);
            if (units < 2n) return;
            const a = 1n + (cut % (units - 1n));
            const [first] = await engine.discountProceeds(f.billId, a, rate, today);
            const [second] = await engine.discountProceeds(f.billId, units - a, rate, today);
            expect(first + second >= whole).to.equal(true);
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});
