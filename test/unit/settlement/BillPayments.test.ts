/*
 * BillPayments: presentation for payment, payment (DvP: the acceptor's money against the range's redemption),
 * dishonour, and recourse back along the liability chain (DOMAIN.md, Lifecycle 10-11 and Pricing).
 *
 * The scene (local fixtures, grown from the shared `circulatingBill`): enterprise X draws a bank acceptance bill of
 * face CNY 1,200,000.00 (units 1..FACE), acceptor bank A, payee enterprise Y. Before maturity Y endorses the first
 * PART units to enterprise Z; Z has them guaranteed by the finance company and endorses them on to a fourth
 * enterprise W with the no-recourse mark. So W holds [1, PART] with the chain
 *   Y (endorser, liable) · financeCo (guarantor) · Z (endorser, no recourse)
 * and Y keeps [PART + 1, FACE] with an empty chain. Every payer has money and has approved BillPayments; every KYC is
 * renewed for ten years so that time can run a year past maturity.
 *
 * Conventions asserted (one each, at −1 s / exactly / +1 s):
 *  - presentation is possible from 00:00:00 CST of the maturity day; it is late from 00:00:00 CST of
 *    maturityDay + presentationDays (the presentation period is the `presentationDays` days from maturity);
 *  - the holder may declare a presented range dishonoured once now >= answerBy = presentedAt + answerWindow;
 *  - recourse costs units + ceil(units × rateBps × days / 3,600,000), days = CST day of payment − maturity day
 *    (0 on the maturity day), the rate read when the claim is paid.
 *
 * SECURITY-CHECKLIST lines covered here:
 * 13. Double acts: present twice, pay twice, dishonour twice, pay after dishonour, dishonour / declare after
 *     payment, claim while a claim is pending, pay a recourse claim twice, withdraw twice, claim on a redeemed range.
 * 20. 21. The maturity, presentation-period and answer-window edges above, checked when the act arrives.
 * 22. KYC: the holder presents and declares dishonour whatever its KYC (the ledger does not re-check a holder that
 *     stays), claims recourse likewise; money cannot reach it while its KYC has lapsed (CurrencyUnverifiedAccount),
 *     so payment waits for its KYC and the range stays Presented (or the claim pending) meanwhile — the right is
 *     preserved. A recourse payer must itself be verified to take the range (BillUnverifiedParty from the ledger);
 *     the holder then withdraws and claims from another liable party.
 * 23. Does not apply as a test here: the currency is the platform's own ERC-20 without transfer hooks and the
 *     ledger calls no receiver, so no callback reaches a third party during pay or payRecourse; every entry point is
 *     nonReentrant regardless.
 * 34. Every payment pulls exactly the amount due, once: changeTokenBalances (payer −amount, holder +amount,
 *     BillPayments 0), an exact allowance is spent to zero, and a second attempt reverts.
 * 35. Pricing: a table against an independent BigInt computation and a fast-check property (≥ units, rounding up,
 *     splitting never cheaper, overflow reverts rather than wraps).
 *
 * The presentment (answer window, late flag) is stored per range start, so the ledger never splits a presented or
 * dishonoured range: a partial freeze of one is refused (BillNotSplittable), tested below.
 */
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { PANIC_CODES } from "@nomicfoundation/hardhat-chai-matchers/panic";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ENTERPRISE_Z_CODE, FACE, FINANCE_CO_CODE, circulatingBill, type BillFixture } from "../../fixtures/bills";
import { CODES, ONE_YEAR } from "../../fixtures/platform";
import {
  LinkKind,
  RangeState,
  endorse,
  freezeRange,
  liabilityChain,
  pledge,
  requestGuarantee,
  sign,
  startOfCstDay,
  type ChainLink,
} from "../../../tasks/lib/bills";
import { EntityKind, registerEntity, reinstateEntity, renewEntity, suspendEntity } from "../../../tasks/lib/identity";
import type { BillLedger, BillPayments } from "../../../typechain-types";

const { MaxUint256, ZeroAddress } = hre.ethers;

const HOUR = 3_600;
const DAY = 86_400;
/** W's range [1, PART]: CNY 200,000.00. */
const PART = 20_000_000n;
/** Y's range [REST_START, FACE]. */
const REST_START = PART + 1n;
const REST = FACE - PART;
/** As deployed by ignition/modules/BillLedger.ts. */
const PRESENTATION_DAYS = 10;
const ANSWER_WINDOW = 10n * BigInt(DAY);
const DEFAULT_RATE_BPS = 435n;
/** Basis points × days of the act/360 year. */
const RATE_DENOMINATOR = 10_000n * 360n;
/** Money each payer gets from the central bank on top of the funded platform's. */
const FUNDS = 10n ** 12n;
const W_CODE = "91440300MA5WWWWWW4";
const REASON_INSUFFICIENT_FUNDS = 3;

// ---------------------------------------------------------------------------------------------------------------
// Independent model

/** Recourse due on `units` units `days` days after maturity at `rateBps`: face plus act/360 interest, rounded up. */
function recourseModel(units: bigint, rateBps: bigint, days: bigint): bigint {
  const numerator = units * rateBps * days;
  const interest = numerator / RATE_DENOMINATOR + (numerator % RATE_DENOMINATOR === 0n ? 0n : 1n);
  return units + interest;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

interface PaymentFixture extends BillFixture {
  enterpriseW: HardhatEthersSigner;
  ledger: BillLedger;
  payments: BillPayments;
  /** The liability chain of W's range [1, PART]: Y, financeCo, Z (no recourse). */
  links: ChainLink[];
}

/** Unix time of `seconds` into CST day `day`. */
const at = (day: number, seconds = 12 * HOUR) => startOfCstDay(day) + seconds;

/**
 * The circulating bill plus enterprise W (verified by bank B for ten years), every cast KYC renewed for ten years,
 * and the payers (bank A, X, Y, Z, financeCo, W) funded and approving BillPayments without limit.
 */
async function paymentCast(): Promise<Omit<PaymentFixture, "links">> {
  const fixture = await loadFixture(circulatingBill);
  const { accounts, suite } = fixture;
  const { bankA, bankB, centralBank, enterpriseX, enterpriseY, enterpriseZ, financeCo } = accounts;
  const [enterpriseW] = accounts.extra;
  const registry = suite.identityRegistry;
  const expiresAt = BigInt(await time.latest()) + 10n * ONE_YEAR;
  await registerEntity(registry.connect(bankB), {
    code: W_CODE,
    kind: EntityKind.Enterprise,
    jurisdiction: "CN",
    expiresAt,
    wallets: [enterpriseW.address],
  });
  for (const [provider, code] of [
    [bankA, CODES.enterpriseX],
    [bankA, FINANCE_CO_CODE],
    [bankA, CODES.centralBank],
    [bankB, CODES.bankA],
    [bankB, CODES.enterpriseY],
    [bankB, ENTERPRISE_Z_CODE],
  ] as const) {
    await renewEntity(registry.connect(provider), code, expiresAt);
  }
  const payments = suite.billPayments;
  for (const payer of [bankA, enterpriseX, enterpriseY, enterpriseZ, financeCo, enterpriseW]) {
    await (await suite.digitalCurrency.connect(centralBank).mint(payer.address, FUNDS)).wait();
    await (await suite.digitalCurrency.connect(payer).approve(await payments.getAddress(), MaxUint256)).wait();
  }
  return { ...fixture, enterpriseW, ledger: suite.billLedger, payments };
}

/** Before maturity: Y → Z [1, PART]; financeCo guarantees it for Z; Z → W with the no-recourse mark. */
async function chainedBill(): Promise<PaymentFixture> {
  const fixture = await loadFixture(paymentCast);
  const { accounts, ledger, billId, enterpriseW } = fixture;
  const { enterpriseY, enterpriseZ, financeCo } = accounts;
  await endorse(ledger.connect(enterpriseY), billId, 1n, PART, enterpriseZ.address);
  await sign(ledger.connect(enterpriseZ), billId, 1n);
  await requestGuarantee(ledger.connect(enterpriseZ), billId, 1n, PART, financeCo.address);
  await sign(ledger.connect(financeCo), billId, 1n);
  await endorse(ledger.connect(enterpriseZ), billId, 1n, PART, enterpriseW.address, true);
  await sign(ledger.connect(enterpriseW), billId, 1n);
  const links = await liabilityChain(ledger, billId, 1n);
  return { ...fixture, links };
}

/** Noon CST of the maturity day: W presents [1, PART], then Y presents [PART + 1, FACE]. */
async function presentedBill(): Promise<PaymentFixture & { presentedAt: bigint; answerBy: bigint }> {
  const fixture = await loadFixture(chainedBill);
  const { accounts, payments, billId, maturityDay, enterpriseW } = fixture;
  await time.increaseTo(at(maturityDay) - 1);
  await (await payments.connect(enterpriseW).presentForPayment(billId, 1n)).wait();
  await (await payments.connect(accounts.enterpriseY).presentForPayment(billId, REST_START)).wait();
  const { presentedAt, answerBy } = await payments.presentmentOf(billId, 1n);
  return { ...fixture, presentedAt, answerBy };
}

/** Bank A dishonours W's range on the maturity day (Y's stays Presented). */
async function dishonouredBill() {
  const fixture = await loadFixture(presentedBill);
  const { accounts, payments, billId } = fixture;
  await (await payments.connect(accounts.bankA).dishonour(billId, 1n, REASON_INSUFFICIENT_FUNDS)).wait();
  return fixture;
}

/** W presents on the first day after the presentation period (late) and bank A dishonours. */
async function lateDishonouredBill() {
  const fixture = await loadFixture(chainedBill);
  const { accounts, payments, billId, maturityDay, enterpriseW } = fixture;
  await time.increaseTo(at(maturityDay + PRESENTATION_DAYS) - 1);
  await (await payments.connect(enterpriseW).presentForPayment(billId, 1n)).wait();
  await (await payments.connect(accounts.bankA).dishonour(billId, 1n, REASON_INSUFFICIENT_FUNDS)).wait();
  return fixture;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

async function rangeOf(ledger: BillLedger, billId: bigint, start: bigint) {
  const r = await ledger.rangeAt(billId, start);
  return { end: r.end, holder: r.holder, state: Number(r.state) as RangeState, chain: r.chain };
}

async function claimOf(payments: BillPayments, billId: bigint, start: bigint) {
  const c = await payments.claimOf(billId, start);
  return { target: c.target, newChain: c.newChain };
}

/** Sets the recourse rate, every other setting unchanged. */
async function setRecourseRate(fixture: PaymentFixture, rateBps: bigint) {
  const { ledger, accounts } = fixture;
  const s = await ledger.settings();
  await (
    await ledger.connect(accounts.admin).setSettings({
      maxTenorMonths: s.maxTenorMonths,
      presentationDays: s.presentationDays,
      answerWindow: s.answerWindow,
      recourseRateBps: rateBps,
    })
  ).wait();
}

// ---------------------------------------------------------------------------------------------------------------

describe("BillPayments", function () {
  describe("deployment", function () {
    it("settles the platform's ledger, holds its OPERATOR_ROLE and is a verified system account", async function () {
      const { suite } = await loadFixture(paymentCast);
      const payments = await suite.billPayments.getAddress();
      expect(await suite.billPayments.ledger()).to.equal(await suite.billLedger.getAddress());
      expect(await suite.billLedger.hasRole(await suite.billLedger.OPERATOR_ROLE(), payments)).to.equal(true);
      const identity = await suite.identityRegistry.identityOf(payments);
      expect([identity.kind, identity.verified]).to.deep.equal([BigInt(EntityKind.System), true]);
      expect(await suite.digitalCurrency.balanceOf(payments)).to.equal(0n);
    });

    for (const [name, index] of [
      ["ledger", 0],
      ["currency", 1],
    ] as const) {
      it(`reverts PaymentZeroAddress for a zero ${name}`, async function () {
        const { suite } = await loadFixture(paymentCast);
        const args: [string, string] = [await suite.billLedger.getAddress(), await suite.digitalCurrency.getAddress()];
        args[index] = ZeroAddress;
        const factory = await hre.ethers.getContractFactory("BillPayments");
        await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "PaymentZeroAddress");
      });
    }
  });

  describe(".presentForPayment()", function () {
    describe("when the maturity day has not begun", function () {
      it("reverts PaymentNotMatured(billId, maturityDay) at 00:00:00 CST of the maturity day − 1 s", async function () {
        const { payments, ledger, billId, maturityDay, enterpriseW } = await loadFixture(chainedBill);
        await time.setNextBlockTimestamp(startOfCstDay(maturityDay) - 1);
        await expect(payments.connect(enterpriseW).presentForPayment(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentNotMatured")
          .withArgs(billId, maturityDay);
        expect((await rangeOf(ledger, billId, 1n)).state).to.equal(RangeState.Circulating);
      });
    });

    describe("when the maturity day has begun", function () {
      for (const [name, offset] of [
        ["exactly at 00:00:00 CST", 0],
        ["at 00:00:01 CST", 1],
      ] as const) {
        it(`presents ${name}: Presented, answerBy = now + answerWindow, not late`, async function () {
          const { accounts, payments, ledger, billId, maturityDay, enterpriseW, links } =
            await loadFixture(chainedBill);
          const now = startOfCstDay(maturityDay) + offset;
          const answerBy = BigInt(now) + ANSWER_WINDOW;
          const chain = await ledger.chainOf(billId, links);
          await time.setNextBlockTimestamp(now);
          await expect(payments.connect(enterpriseW).presentForPayment(billId, 1n))
            .to.emit(payments, "PresentedForPayment")
            .withArgs(billId, 1n, enterpriseW.address, accounts.bankA.address, answerBy, false)
            .and.to.emit(ledger, "RangeUpdated")
            .withArgs(billId, 1n, PART, enterpriseW.address, RangeState.Presented, chain);
          expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
            end: PART,
            holder: enterpriseW.address,
            state: RangeState.Presented,
            chain,
          });
          const p = await payments.presentmentOf(billId, 1n);
          expect([p.presentedAt, p.answerBy, p.late]).to.deep.equal([BigInt(now), answerBy, false]);
        });
      }

      it("moves no money", async function () {
        const { suite, payments, billId, maturityDay, enterpriseW, accounts } = await loadFixture(chainedBill);
        await time.setNextBlockTimestamp(at(maturityDay));
        await expect(payments.connect(enterpriseW).presentForPayment(billId, 1n)).to.changeTokenBalances(
          suite.digitalCurrency,
          [enterpriseW, accounts.bankA, payments],
          [0n, 0n, 0n],
        );
      });
    });

    describe("around the end of the presentation period (00:00:00 CST of maturityDay + presentationDays)", function () {
      for (const [name, offset, late] of [
        ["− 1 s: in time", -1, false],
        ["exactly: late", 0, true],
        ["+ 1 s: late", 1, true],
      ] as const) {
        it(`presents at the end ${name}`, async function () {
          const { accounts, payments, billId, maturityDay, enterpriseW } = await loadFixture(chainedBill);
          const now = startOfCstDay(maturityDay + PRESENTATION_DAYS) + offset;
          await time.setNextBlockTimestamp(now);
          await expect(payments.connect(enterpriseW).presentForPayment(billId, 1n))
            .to.emit(payments, "PresentedForPayment")
            .withArgs(billId, 1n, enterpriseW.address, accounts.bankA.address, BigInt(now) + ANSWER_WINDOW, late);
          expect((await payments.presentmentOf(billId, 1n)).late).to.equal(late);
        });
      }

      it("follows the presentationDays setting in force when the range is presented", async function () {
        const fixture = await loadFixture(chainedBill);
        const { accounts, ledger, payments, billId, maturityDay, enterpriseW } = fixture;
        const s = await ledger.settings();
        await ledger.connect(accounts.admin).setSettings({
          maxTenorMonths: s.maxTenorMonths,
          presentationDays: 3,
          answerWindow: s.answerWindow,
          recourseRateBps: s.recourseRateBps,
        });
        await time.setNextBlockTimestamp(startOfCstDay(maturityDay + 3));
        await payments.connect(enterpriseW).presentForPayment(billId, 1n);
        expect((await payments.presentmentOf(billId, 1n)).late).to.equal(true);
      });
    });

    describe("when the caller does not hold the range", function () {
      for (const name of ["enterpriseY", "enterpriseZ", "bankA", "outsider"] as const) {
        it(`reverts PaymentNotEntitled(billId, start, ${name})`, async function () {
          const { accounts, payments, ledger, billId, maturityDay } = await loadFixture(chainedBill);
          await time.increaseTo(at(maturityDay));
          const caller = accounts[name];
          await expect(payments.connect(caller).presentForPayment(billId, 1n))
            .to.be.revertedWithCustomError(payments, "PaymentNotEntitled")
            .withArgs(billId, 1n, caller.address);
          expect((await rangeOf(ledger, billId, 1n)).state).to.equal(RangeState.Circulating);
        });
      }
    });

    describe("when the range is not circulating", function () {
      for (const [name, setUp, state] of [
        [
          "pledged",
          async ({ accounts, ledger, billId }: PaymentFixture) => {
            await pledge(ledger.connect(accounts.enterpriseY), billId, REST_START, REST, accounts.bankB.address);
            await sign(ledger.connect(accounts.bankB), billId, REST_START);
          },
          RangeState.Pledged,
        ],
        [
          "frozen",
          async ({ accounts, ledger, billId }: PaymentFixture) => {
            await freezeRange(ledger.connect(accounts.regulator), billId, REST_START, REST);
          },
          RangeState.Frozen,
        ],
        [
          "locked by a pending endorsement",
          async ({ accounts, ledger, billId }: PaymentFixture) => {
            await endorse(ledger.connect(accounts.enterpriseY), billId, REST_START, REST, accounts.enterpriseX.address);
          },
          RangeState.Locked,
        ],
      ] as const) {
        it(`reverts the ledger's BillWrongState(billId, start, ${RangeState[state]}, Circulating) when ${name}`, async function () {
          const fixture = await loadFixture(chainedBill);
          const { accounts, ledger, payments, billId, maturityDay } = fixture;
          await setUp(fixture);
          await time.increaseTo(at(maturityDay));
          await expect(payments.connect(accounts.enterpriseY).presentForPayment(billId, REST_START))
            .to.be.revertedWithCustomError(ledger, "BillWrongState")
            .withArgs(billId, REST_START, state, RangeState.Circulating);
          expect((await payments.presentmentOf(billId, REST_START)).presentedAt).to.equal(0n);
        });
      }

      it("reverts BillWrongState(Presented, Circulating) when presented twice", async function () {
        const { ledger, payments, billId, enterpriseW, presentedAt } = await loadFixture(presentedBill);
        await expect(payments.connect(enterpriseW).presentForPayment(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Presented, RangeState.Circulating);
        expect((await payments.presentmentOf(billId, 1n)).presentedAt).to.equal(presentedAt);
      });
    });

    describe("when no range starts at the unit", function () {
      it("reverts the ledger's BillUnknownRange", async function () {
        const { ledger, payments, billId, maturityDay, enterpriseW } = await loadFixture(chainedBill);
        await time.increaseTo(at(maturityDay));
        await expect(payments.connect(enterpriseW).presentForPayment(billId, 2n))
          .to.be.revertedWithCustomError(ledger, "BillUnknownRange")
          .withArgs(billId, 2n);
      });
    });

    describe("when the ledger is paused", function () {
      it("reverts the ledger's BillPaused", async function () {
        const { accounts, ledger, payments, billId, maturityDay, enterpriseW } = await loadFixture(chainedBill);
        await ledger.connect(accounts.pauser).pause();
        await time.increaseTo(at(maturityDay));
        await expect(payments.connect(enterpriseW).presentForPayment(billId, 1n)).to.be.revertedWithCustomError(
          ledger,
          "BillPaused",
        );
      });
    });

    describe("when the holder's KYC has lapsed", function () {
      it("still presents (the right to payment does not depend on the holder's KYC)", async function () {
        const { accounts, suite, ledger, payments, billId, maturityDay } = await loadFixture(chainedBill);
        await suspendEntity(suite.identityRegistry.connect(accounts.bankB), CODES.enterpriseY);
        await time.increaseTo(at(maturityDay));
        await expect(payments.connect(accounts.enterpriseY).presentForPayment(billId, REST_START)).to.emit(
          payments,
          "PresentedForPayment",
        );
        expect((await rangeOf(ledger, billId, REST_START)).state).to.equal(RangeState.Presented);
      });
    });
  });

  describe(".pay()", function () {
    describe("when the acceptor pays a presented range", function () {
      it("moves exactly the range's face (units) from the acceptor to the holder and redeems the range", async function () {
        const { accounts, suite, ledger, payments, billId } = await loadFixture(presentedBill);
        const { bankA, enterpriseY } = accounts;
        const chain = (await ledger.rangeAt(billId, REST_START)).chain;
        const tx = payments.connect(bankA).pay(billId, REST_START);
        await expect(tx).to.changeTokenBalances(
          suite.digitalCurrency,
          [bankA, enterpriseY, payments],
          [-REST, REST, 0n],
        );
        await expect(tx)
          .to.emit(payments, "Paid")
          .withArgs(billId, REST_START, bankA.address, enterpriseY.address, REST)
          .and.to.emit(ledger, "RangeUpdated")
          .withArgs(billId, REST_START, FACE, enterpriseY.address, RangeState.Redeemed, chain);
        expect(await rangeOf(ledger, billId, REST_START)).to.deep.equal({
          end: FACE,
          holder: enterpriseY.address,
          state: RangeState.Redeemed,
          chain,
        });
      });

      it("spends an exact allowance to zero and leaves the supply unchanged", async function () {
        const { accounts, suite, payments, billId, enterpriseW } = await loadFixture(presentedBill);
        const cash = suite.digitalCurrency;
        const spender = await payments.getAddress();
        await cash.connect(accounts.bankA).approve(spender, PART);
        const supply = await cash.totalSupply();
        await expect(payments.connect(accounts.bankA).pay(billId, 1n)).to.changeTokenBalances(
          cash,
          [accounts.bankA, enterpriseW],
          [-PART, PART],
        );
        expect(await cash.allowance(accounts.bankA.address, spender)).to.equal(0n);
        expect(await cash.totalSupply()).to.equal(supply);
      });

      it("still pays after the answer window while the holder has not declared dishonour", async function () {
        const { accounts, payments, ledger, billId, answerBy } = await loadFixture(presentedBill);
        await time.increaseTo(answerBy + 1n);
        await expect(payments.connect(accounts.bankA).pay(billId, 1n)).to.emit(payments, "Paid");
        expect((await rangeOf(ledger, billId, 1n)).state).to.equal(RangeState.Redeemed);
      });
    });

    describe("when the caller is not the acceptor", function () {
      for (const name of ["enterpriseX", "enterpriseY", "enterpriseW", "bankB", "financeCo"] as const) {
        it(`reverts PaymentNotEntitled(billId, start, ${name})`, async function () {
          const fixture = await loadFixture(presentedBill);
          const { payments, ledger, billId } = fixture;
          const caller = name === "enterpriseW" ? fixture.enterpriseW : fixture.accounts[name];
          await expect(payments.connect(caller).pay(billId, 1n))
            .to.be.revertedWithCustomError(payments, "PaymentNotEntitled")
            .withArgs(billId, 1n, caller.address);
          expect((await rangeOf(ledger, billId, 1n)).state).to.equal(RangeState.Presented);
        });
      }
    });

    describe("when the range is not presented", function () {
      it("reverts BillWrongState(Redeemed, Presented) when paid twice, and pulls the money once", async function () {
        const { accounts, suite, ledger, payments, billId, enterpriseW } = await loadFixture(presentedBill);
        await payments.connect(accounts.bankA).pay(billId, 1n);
        const balances = async () =>
          Promise.all([accounts.bankA, enterpriseW].map((s) => suite.digitalCurrency.balanceOf(s.address)));
        const before = await balances();
        await expect(payments.connect(accounts.bankA).pay(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Redeemed, RangeState.Presented);
        expect(await balances()).to.deep.equal(before);
      });

      it("reverts BillWrongState(Circulating, Presented) before presentation", async function () {
        const { accounts, ledger, payments, billId, maturityDay } = await loadFixture(chainedBill);
        await time.increaseTo(at(maturityDay));
        await expect(payments.connect(accounts.bankA).pay(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Circulating, RangeState.Presented);
      });

      it("reverts BillWrongState(Dishonoured, Presented) after the acceptor dishonoured", async function () {
        const { accounts, ledger, payments, billId } = await loadFixture(dishonouredBill);
        await expect(payments.connect(accounts.bankA).pay(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Dishonoured, RangeState.Presented);
      });
    });

    describe("when the money cannot move", function () {
      it("reverts ERC20InsufficientAllowance without an allowance and nothing changes", async function () {
        const { accounts, suite, ledger, payments, billId, enterpriseW } = await loadFixture(presentedBill);
        const cash = suite.digitalCurrency;
        await cash.connect(accounts.bankA).approve(await payments.getAddress(), 0n);
        const before = await rangeOf(ledger, billId, 1n);
        const balances = [await cash.balanceOf(accounts.bankA.address), await cash.balanceOf(enterpriseW.address)];
        await expect(payments.connect(accounts.bankA).pay(billId, 1n))
          .to.be.revertedWithCustomError(cash, "ERC20InsufficientAllowance")
          .withArgs(await payments.getAddress(), 0n, PART);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
        expect(before.state).to.equal(RangeState.Presented);
        expect([await cash.balanceOf(accounts.bankA.address), await cash.balanceOf(enterpriseW.address)]).to.deep.equal(
          balances,
        );
      });

      it("reverts ERC20InsufficientAllowance when the allowance is one fen short", async function () {
        const { accounts, suite, payments, billId } = await loadFixture(presentedBill);
        const cash = suite.digitalCurrency;
        await cash.connect(accounts.bankA).approve(await payments.getAddress(), PART - 1n);
        await expect(payments.connect(accounts.bankA).pay(billId, 1n))
          .to.be.revertedWithCustomError(cash, "ERC20InsufficientAllowance")
          .withArgs(await payments.getAddress(), PART - 1n, PART);
      });

      it("reverts CurrencyPaused while the currency is paused, and nothing changes", async function () {
        const { accounts, suite, ledger, payments, billId } = await loadFixture(presentedBill);
        await suite.digitalCurrency.connect(accounts.pauser).pause();
        await expect(payments.connect(accounts.bankA).pay(billId, 1n)).to.be.revertedWithCustomError(
          suite.digitalCurrency,
          "CurrencyPaused",
        );
        expect((await rangeOf(ledger, billId, 1n)).state).to.equal(RangeState.Presented);
        await suite.digitalCurrency.connect(accounts.pauser).unpause();
        await expect(payments.connect(accounts.bankA).pay(billId, 1n)).to.emit(payments, "Paid");
      });

      it("reverts the ledger's BillPaused while the ledger is paused", async function () {
        const { accounts, ledger, payments, billId } = await loadFixture(presentedBill);
        await ledger.connect(accounts.pauser).pause();
        await expect(payments.connect(accounts.bankA).pay(billId, 1n)).to.be.revertedWithCustomError(
          ledger,
          "BillPaused",
        );
      });
    });

    describe("when the holder's KYC lapsed before presentation", function () {
      // The right is preserved: the holder presents regardless; the money waits for its KYC (the currency refuses
      // an unverified receiver); once its provider reinstates it the acceptor pays.
      it("presents, then payment reverts CurrencyUnverifiedAccount(holder) until the holder is verified again", async function () {
        const { accounts, suite, ledger, payments, billId, maturityDay } = await loadFixture(chainedBill);
        const { bankA, bankB, enterpriseY } = accounts;
        await suspendEntity(suite.identityRegistry.connect(bankB), CODES.enterpriseY);
        await time.increaseTo(at(maturityDay));
        await expect(payments.connect(enterpriseY).presentForPayment(billId, REST_START)).to.emit(
          payments,
          "PresentedForPayment",
        );
        await expect(payments.connect(bankA).pay(billId, REST_START))
          .to.be.revertedWithCustomError(suite.digitalCurrency, "CurrencyUnverifiedAccount")
          .withArgs(enterpriseY.address);
        expect((await rangeOf(ledger, billId, REST_START)).state).to.equal(RangeState.Presented);
        await reinstateEntity(suite.identityRegistry.connect(bankB), CODES.enterpriseY);
        await expect(payments.connect(bankA).pay(billId, REST_START)).to.changeTokenBalances(
          suite.digitalCurrency,
          [bankA, enterpriseY],
          [-REST, REST],
        );
        expect((await rangeOf(ledger, billId, REST_START)).state).to.equal(RangeState.Redeemed);
      });
    });
  });

  describe(".dishonour()", function () {
    describe("when the acceptor refuses a presented range", function () {
      it("marks it Dishonoured, emits Dishonoured with the reason, and moves no money", async function () {
        const { accounts, suite, ledger, payments, billId, enterpriseW, links } = await loadFixture(presentedBill);
        const chain = await ledger.chainOf(billId, links);
        const tx = payments.connect(accounts.bankA).dishonour(billId, 1n, REASON_INSUFFICIENT_FUNDS);
        await expect(tx)
          .to.emit(payments, "Dishonoured")
          .withArgs(billId, 1n, accounts.bankA.address, REASON_INSUFFICIENT_FUNDS)
          .and.to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, PART, enterpriseW.address, RangeState.Dishonoured, chain);
        await expect(tx).to.changeTokenBalances(suite.digitalCurrency, [accounts.bankA, enterpriseW], [0n, 0n]);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
          end: PART,
          holder: enterpriseW.address,
          state: RangeState.Dishonoured,
          chain,
        });
      });
    });

    describe("when the caller is not the acceptor", function () {
      for (const name of ["enterpriseX", "enterpriseY", "enterpriseW", "regulator"] as const) {
        it(`reverts PaymentNotEntitled(billId, start, ${name})`, async function () {
          const fixture = await loadFixture(presentedBill);
          const { payments, ledger, billId } = fixture;
          const caller = name === "enterpriseW" ? fixture.enterpriseW : fixture.accounts[name];
          await expect(payments.connect(caller).dishonour(billId, 1n, 1))
            .to.be.revertedWithCustomError(payments, "PaymentNotEntitled")
            .withArgs(billId, 1n, caller.address);
          expect((await rangeOf(ledger, billId, 1n)).state).to.equal(RangeState.Presented);
        });
      }
    });

    describe("when the range is not presented", function () {
      it("reverts BillWrongState(Dishonoured, Presented) when dishonoured twice", async function () {
        const { accounts, ledger, payments, billId } = await loadFixture(dishonouredBill);
        await expect(payments.connect(accounts.bankA).dishonour(billId, 1n, 1))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Dishonoured, RangeState.Presented);
      });

      it("reverts BillWrongState(Redeemed, Presented) after payment", async function () {
        const { accounts, ledger, payments, billId } = await loadFixture(presentedBill);
        await payments.connect(accounts.bankA).pay(billId, 1n);
        await expect(payments.connect(accounts.bankA).dishonour(billId, 1n, 1))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Redeemed, RangeState.Presented);
      });

      it("reverts BillWrongState(Circulating, Presented) before presentation", async function () {
        const { accounts, ledger, payments, billId } = await loadFixture(chainedBill);
        await expect(payments.connect(accounts.bankA).dishonour(billId, 1n, 1))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Circulating, RangeState.Presented);
      });
    });
  });

  describe(".declareDishonoured()", function () {
    describe("around answerBy = presentedAt + answerWindow", function () {
      it("reverts PaymentAnswerPending(billId, start, answerBy) at answerBy − 1 s", async function () {
        const { ledger, payments, billId, enterpriseW, presentedAt, answerBy } = await loadFixture(presentedBill);
        expect(answerBy).to.equal(presentedAt + ANSWER_WINDOW);
        await time.setNextBlockTimestamp(answerBy - 1n);
        await expect(payments.connect(enterpriseW).declareDishonoured(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentAnswerPending")
          .withArgs(billId, 1n, answerBy);
        expect((await rangeOf(ledger, billId, 1n)).state).to.equal(RangeState.Presented);
      });

      for (const [name, offset] of [
        ["exactly at answerBy", 0n],
        ["at answerBy + 1 s", 1n],
      ] as const) {
        it(`marks the range Dishonoured ${name}, with reason 0 and the holder as author`, async function () {
          const { ledger, payments, billId, enterpriseW, answerBy } = await loadFixture(presentedBill);
          await time.setNextBlockTimestamp(answerBy + offset);
          await expect(payments.connect(enterpriseW).declareDishonoured(billId, 1n))
            .to.emit(payments, "Dishonoured")
            .withArgs(billId, 1n, enterpriseW.address, 0);
          expect((await rangeOf(ledger, billId, 1n)).state).to.equal(RangeState.Dishonoured);
        });
      }
    });

    describe("when the caller does not hold the range", function () {
      for (const name of ["bankA", "enterpriseY", "outsider"] as const) {
        it(`reverts PaymentNotEntitled(billId, start, ${name})`, async function () {
          const { accounts, payments, billId, answerBy } = await loadFixture(presentedBill);
          await time.increaseTo(answerBy);
          const caller = accounts[name];
          await expect(payments.connect(caller).declareDishonoured(billId, 1n))
            .to.be.revertedWithCustomError(payments, "PaymentNotEntitled")
            .withArgs(billId, 1n, caller.address);
        });
      }
    });

    describe("when the range is no longer presented", function () {
      it("reverts BillWrongState(Redeemed, Presented) after payment", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, answerBy } = await loadFixture(presentedBill);
        await payments.connect(accounts.bankA).pay(billId, 1n);
        await time.increaseTo(answerBy);
        await expect(payments.connect(enterpriseW).declareDishonoured(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Redeemed, RangeState.Presented);
      });

      it("reverts BillWrongState(Dishonoured, Presented) after the acceptor dishonoured", async function () {
        const { ledger, payments, billId, enterpriseW, answerBy } = await loadFixture(dishonouredBill);
        await time.increaseTo(answerBy);
        await expect(payments.connect(enterpriseW).declareDishonoured(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Dishonoured, RangeState.Presented);
      });
    });

    describe("when the holder's KYC has lapsed", function () {
      it("still declares (recourse must not be blocked by the holder's lapse)", async function () {
        const { accounts, suite, payments, billId, answerBy } = await loadFixture(presentedBill);
        await suspendEntity(suite.identityRegistry.connect(accounts.bankB), CODES.enterpriseY);
        await time.increaseTo(answerBy);
        await expect(payments.connect(accounts.enterpriseY).declareDishonoured(billId, REST_START)).to.emit(
          payments,
          "Dishonoured",
        );
      });
    });

    describe("when the regulator freezes part of a presented range", function () {
      // The presentment is kept under the range's start, so a presented range is frozen whole or not at all.
      it("refuses the partial freeze with BillNotSplittable and keeps the answer window", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, answerBy } = await loadFixture(presentedBill);
        await expect(freezeRange(ledger.connect(accounts.regulator), billId, 1n, 1_000n))
          .to.be.revertedWithCustomError(ledger, "BillNotSplittable")
          .withArgs(billId);
        await expect(payments.connect(enterpriseW).declareDishonoured(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentAnswerPending")
          .withArgs(billId, 1n, answerBy);
      });
    });
  });

  describe(".claimRecourse()", function () {
    describe("when the holder of a dishonoured range claims from a liable party", function () {
      it("claims from the acceptor: RecourseClaimed with today's amount; paying ends the chain", async function () {
        const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.bankA.address, links))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(billId, 1n, enterpriseW.address, accounts.bankA.address, PART);
        expect(await claimOf(payments, billId, 1n)).to.deep.equal({ target: accounts.bankA.address, newChain: 0n });
      });

      it("claims from the drawer: after paying it may claim from the acceptor only (empty chain)", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(billId, 1n, enterpriseW.address, accounts.enterpriseX.address, PART);
        expect(await claimOf(payments, billId, 1n)).to.deep.equal({
          target: accounts.enterpriseX.address,
          newChain: await ledger.chainOf(billId, []),
        });
      });

      it("claims from an endorser without the no-recourse mark (Y): the chain is cut before Y", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseY.address, links))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(billId, 1n, enterpriseW.address, accounts.enterpriseY.address, PART);
        expect(await claimOf(payments, billId, 1n)).to.deep.equal({
          target: accounts.enterpriseY.address,
          newChain: await ledger.chainOf(billId, links.slice(0, 0)),
        });
      });

      it("claims from the guarantor: the chain is cut before the guarantee (Y stays)", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        expect(links.map((l) => [l.kind, l.party, l.noRecourse])).to.deep.equal([
          [LinkKind.Endorsement, accounts.enterpriseY.address, false],
          [LinkKind.Guarantee, accounts.financeCo.address, false],
          [LinkKind.Endorsement, accounts.enterpriseZ.address, true],
        ]);
        await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.financeCo.address, links))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(billId, 1n, enterpriseW.address, accounts.financeCo.address, PART);
        expect(await claimOf(payments, billId, 1n)).to.deep.equal({
          target: accounts.financeCo.address,
          newChain: await ledger.chainOf(billId, links.slice(0, 1)),
        });
      });

      it("reports the amount that paying at the time of the claim would cost", async function () {
        const fixture = await loadFixture(dishonouredBill);
        const { accounts, payments, billId, maturityDay, enterpriseW, links } = fixture;
        await time.setNextBlockTimestamp(at(maturityDay + 30));
        await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(
            billId,
            1n,
            enterpriseW.address,
            accounts.enterpriseX.address,
            recourseModel(PART, DEFAULT_RATE_BPS, 30n),
          );
      });

      it("claims even while the holder's KYC has lapsed (payment then waits for it)", async function () {
        const { accounts, suite, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await suspendEntity(suite.identityRegistry.connect(accounts.bankB), W_CODE);
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links);
        await expect(payments.connect(accounts.enterpriseX).payRecourse(billId, 1n))
          .to.be.revertedWithCustomError(suite.digitalCurrency, "CurrencyUnverifiedAccount")
          .withArgs(enterpriseW.address);
        expect((await claimOf(payments, billId, 1n)).target).to.equal(accounts.enterpriseX.address);
        await reinstateEntity(suite.identityRegistry.connect(accounts.bankB), W_CODE);
        await expect(payments.connect(accounts.enterpriseX).payRecourse(billId, 1n)).to.emit(payments, "RecoursePaid");
      });
    });

    describe("when the target wrote the no-recourse mark", function () {
      it("lets W, its direct endorsee, claim from Z all the same (the mark frees Z only from later parties)", async function () {
        const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseZ.address, links))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(billId, 1n, enterpriseW.address, accounts.enterpriseZ.address, PART);
        expect((await claimOf(payments, billId, 1n)).target).to.equal(accounts.enterpriseZ.address);
      });
    });

    describe("when the target is not liable", function () {
      for (const name of ["bankB", "outsider", "centralBank", "enterpriseW", "zero address"] as const) {
        it(`reverts PaymentNotLiable for ${name === "enterpriseW" ? "the holder itself" : `a party outside the chain (${name})`}`, async function () {
          const fixture = await loadFixture(dishonouredBill);
          const { payments, billId, enterpriseW, links } = fixture;
          const target =
            name === "zero address"
              ? ZeroAddress
              : name === "enterpriseW"
                ? enterpriseW.address
                : fixture.accounts[name].address;
          await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, target, links))
            .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
            .withArgs(billId, 1n, target);
        });
      }
    });

    describe("when the presentment was late", function () {
      for (const name of ["enterpriseY", "financeCo"] as const) {
        it(`reverts PaymentNotLiable for ${name === "enterpriseY" ? "an earlier endorser" : "the guarantor"}`, async function () {
          const { accounts, payments, billId, enterpriseW, links } = await loadFixture(lateDishonouredBill);
          expect((await payments.presentmentOf(billId, 1n)).late).to.equal(true);
          await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts[name].address, links))
            .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
            .withArgs(billId, 1n, accounts[name].address);
        });
      }

      for (const name of ["enterpriseX", "bankA"] as const) {
        it(`still claims from the ${name === "bankA" ? "acceptor" : "drawer"}, who pays`, async function () {
          const { accounts, suite, ledger, payments, billId, maturityDay, enterpriseW, links } =
            await loadFixture(lateDishonouredBill);
          const target = accounts[name];
          await payments.connect(enterpriseW).claimRecourse(billId, 1n, target.address, links);
          const amount = recourseModel(PART, DEFAULT_RATE_BPS, BigInt(PRESENTATION_DAYS));
          expect(await payments.recourseAmount(billId, PART, at(maturityDay + PRESENTATION_DAYS))).to.equal(amount);
          await time.setNextBlockTimestamp(at(maturityDay + PRESENTATION_DAYS, 13 * HOUR));
          await expect(payments.connect(target).payRecourse(billId, 1n)).to.changeTokenBalances(
            suite.digitalCurrency,
            [target, enterpriseW, payments],
            [-amount, amount, 0n],
          );
          expect((await rangeOf(ledger, billId, 1n)).holder).to.equal(target.address);
        });
      }
    });

    describe("when the links do not match the range's chain", function () {
      const tamperings: [string, (links: ChainLink[], outsider: string) => ChainLink[]][] = [
        ["Z's no-recourse mark removed", (l) => [l[0], l[1], { ...l[2], noRecourse: false }]],
        ["the guarantee left out", (l) => [l[0], l[2]]],
        ["an empty chain", () => []],
        ["a link added", (l, outsider) => [...l, { kind: LinkKind.Endorsement, party: outsider, noRecourse: false }]],
        ["two links swapped", (l) => [l[1], l[0], l[2]]],
        ["a guarantee recorded as an endorsement", (l) => [l[0], { ...l[1], kind: LinkKind.Endorsement }, l[2]]],
      ];
      for (const [name, tamper] of tamperings) {
        it(`reverts PaymentChainMismatch(billId, start) for ${name}`, async function () {
          const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
          const wrong = tamper(links, accounts.outsider.address);
          for (const target of [accounts.enterpriseX.address, accounts.enterpriseZ.address]) {
            await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, target, wrong))
              .to.be.revertedWithCustomError(payments, "PaymentChainMismatch")
              .withArgs(billId, 1n);
          }
        });
      }

      it("binds the commitment to the bill: the same links under another bill id give another chain", async function () {
        const { ledger, billId, links } = await loadFixture(dishonouredBill);
        expect(await ledger.chainOf(billId + 1n, links)).to.not.equal(await ledger.chainOf(billId, links));
      });
    });

    describe("when a claim is already pending", function () {
      it("reverts PaymentClaimPending(billId, start), whatever the target", async function () {
        const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links);
        for (const target of [accounts.enterpriseY.address, accounts.enterpriseX.address]) {
          await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, target, links))
            .to.be.revertedWithCustomError(payments, "PaymentClaimPending")
            .withArgs(billId, 1n);
        }
        expect((await claimOf(payments, billId, 1n)).target).to.equal(accounts.enterpriseX.address);
      });
    });

    describe("when the range is not dishonoured", function () {
      it("reverts PaymentNotDishonoured(billId, start, Presented) for a presented range", async function () {
        const { accounts, payments, billId } = await loadFixture(dishonouredBill);
        await expect(payments.connect(accounts.enterpriseY).claimRecourse(billId, REST_START, accounts.bankA, []))
          .to.be.revertedWithCustomError(payments, "PaymentNotDishonoured")
          .withArgs(billId, REST_START, RangeState.Presented);
      });

      it("reverts PaymentNotDishonoured(billId, start, Redeemed) for a paid range", async function () {
        const { accounts, payments, billId } = await loadFixture(presentedBill);
        await payments.connect(accounts.bankA).pay(billId, REST_START);
        await expect(payments.connect(accounts.enterpriseY).claimRecourse(billId, REST_START, accounts.bankA, []))
          .to.be.revertedWithCustomError(payments, "PaymentNotDishonoured")
          .withArgs(billId, REST_START, RangeState.Redeemed);
      });

      it("reverts PaymentNotDishonoured(billId, start, Circulating) before presentation", async function () {
        const { accounts, payments, billId, enterpriseW, links } = await loadFixture(chainedBill);
        await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.bankA, links))
          .to.be.revertedWithCustomError(payments, "PaymentNotDishonoured")
          .withArgs(billId, 1n, RangeState.Circulating);
      });
    });

    describe("when the caller does not hold the range", function () {
      for (const name of ["enterpriseY", "enterpriseZ", "bankA"] as const) {
        it(`reverts PaymentNotEntitled(billId, start, ${name})`, async function () {
          const { accounts, payments, billId, links } = await loadFixture(dishonouredBill);
          const caller = accounts[name];
          await expect(payments.connect(caller).claimRecourse(billId, 1n, accounts.enterpriseX.address, links))
            .to.be.revertedWithCustomError(payments, "PaymentNotEntitled")
            .withArgs(billId, 1n, caller.address);
        });
      }
    });

    describe("when the regulator freezes part of a late-presented dishonoured range", function () {
      it("refuses the partial freeze, so no part loses the late flag", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, links } = await loadFixture(lateDishonouredBill);
        await expect(freezeRange(ledger.connect(accounts.regulator), billId, 1n, 1_000n))
          .to.be.revertedWithCustomError(ledger, "BillNotSplittable")
          .withArgs(billId);
        await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseY.address, links))
          .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
          .withArgs(billId, 1n, accounts.enterpriseY.address);
      });
    });
  });

  describe(".payRecourse()", function () {
    describe("when the target pays (amount = units + ceil(units × rate × days / 3,600,000))", function () {
      const cases: [days: number, rateBps: bigint][] = [
        [0, DEFAULT_RATE_BPS],
        [1, DEFAULT_RATE_BPS],
        [59, DEFAULT_RATE_BPS],
        [360, DEFAULT_RATE_BPS],
        [1, 1n],
        [59, 10_000n],
        [360, 10_000n],
        [360, 0n],
      ];
      for (const [days, rateBps] of cases) {
        it(`${days} days after maturity at ${rateBps} bps: the drawer pays the model's amount and takes the range`, async function () {
          const fixture = await loadFixture(dishonouredBill);
          const { accounts, suite, ledger, payments, billId, maturityDay, enterpriseW, links } = fixture;
          const { enterpriseX } = accounts;
          await payments.connect(enterpriseW).claimRecourse(billId, 1n, enterpriseX.address, links);
          if (rateBps !== DEFAULT_RATE_BPS) await setRecourseRate(fixture, rateBps);
          const amount = recourseModel(PART, rateBps, BigInt(days));
          await time.setNextBlockTimestamp(at(maturityDay + days, 13 * HOUR));
          const tx = payments.connect(enterpriseX).payRecourse(billId, 1n);
          await expect(tx).to.changeTokenBalances(
            suite.digitalCurrency,
            [enterpriseX, enterpriseW, payments],
            [-amount, amount, 0n],
          );
          await expect(tx)
            .to.emit(payments, "RecoursePaid")
            .withArgs(billId, 1n, enterpriseX.address, enterpriseW.address, amount);
          expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
            end: PART,
            holder: enterpriseX.address,
            state: RangeState.Dishonoured,
            chain: await ledger.chainOf(billId, []),
          });
          expect((await claimOf(payments, billId, 1n)).target).to.equal(ZeroAddress);
        });
      }

      it("a CNY 200,000.00 range 59 days after maturity at 4.35 % costs CNY 201,425.84 (interest rounded up)", async function () {
        // 20,000,000 × 435 × 59 / 3,600,000 = 142,583.33… fen, rounded up to 142,584.
        const { payments, billId, maturityDay } = await loadFixture(dishonouredBill);
        expect(await payments.recourseAmount(billId, PART, at(maturityDay + 59))).to.equal(20_142_584n);
      });

      it("pulls an exact allowance to zero, once", async function () {
        const { accounts, suite, payments, billId, maturityDay, enterpriseW, links } =
          await loadFixture(dishonouredBill);
        const { enterpriseX } = accounts;
        const cash = suite.digitalCurrency;
        const spender = await payments.getAddress();
        const amount = recourseModel(PART, DEFAULT_RATE_BPS, 7n);
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, enterpriseX.address, links);
        await cash.connect(enterpriseX).approve(spender, amount);
        await time.setNextBlockTimestamp(at(maturityDay + 7));
        await expect(payments.connect(enterpriseX).payRecourse(billId, 1n)).to.changeTokenBalances(
          cash,
          [enterpriseX, enterpriseW],
          [-amount, amount],
        );
        expect(await cash.allowance(enterpriseX.address, spender)).to.equal(0n);
        await expect(payments.connect(enterpriseX).payRecourse(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentNoClaim")
          .withArgs(billId, 1n);
      });

      it("the acceptor paying redeems the range and ends its chain", async function () {
        const { accounts, suite, ledger, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        const { bankA } = accounts;
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, bankA.address, links);
        const tx = payments.connect(bankA).payRecourse(billId, 1n);
        await expect(tx).to.changeTokenBalances(suite.digitalCurrency, [bankA, enterpriseW], [-PART, PART]);
        await expect(tx)
          .to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, PART, bankA.address, RangeState.Redeemed, 0n);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
          end: PART,
          holder: bankA.address,
          state: RangeState.Redeemed,
          chain: 0n,
        });
        await expect(payments.connect(bankA).claimRecourse(billId, 1n, accounts.enterpriseX.address, []))
          .to.be.revertedWithCustomError(payments, "PaymentNotDishonoured")
          .withArgs(billId, 1n, RangeState.Redeemed);
      });
    });

    describe("when the payer claims further back", function () {
      it("Y, having paid W, claims from the drawer with the chain cut before Y; the original links no longer fit", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        const { enterpriseX, enterpriseY, enterpriseZ, financeCo } = accounts;
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, enterpriseY.address, links);
        await payments.connect(enterpriseY).payRecourse(billId, 1n);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
          end: PART,
          holder: enterpriseY.address,
          state: RangeState.Dishonoured,
          chain: await ledger.chainOf(billId, []),
        });
        await expect(payments.connect(enterpriseY).claimRecourse(billId, 1n, enterpriseX.address, links))
          .to.be.revertedWithCustomError(payments, "PaymentChainMismatch")
          .withArgs(billId, 1n);
        for (const target of [financeCo.address, enterpriseZ.address, enterpriseW.address]) {
          await expect(payments.connect(enterpriseY).claimRecourse(billId, 1n, target, []))
            .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
            .withArgs(billId, 1n, target);
        }
        await expect(payments.connect(enterpriseY).claimRecourse(billId, 1n, enterpriseX.address, []))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(billId, 1n, enterpriseY.address, enterpriseX.address, PART);
      });

      it("W → financeCo → Y → X → bank A: each payer takes the range and claims further back; the acceptor ends it", async function () {
        const fixture = await loadFixture(dishonouredBill);
        const { accounts, suite, ledger, payments, billId, maturityDay, enterpriseW, links } = fixture;
        const { bankA, enterpriseX, enterpriseY, financeCo } = accounts;
        const steps: [HardhatEthersSigner, HardhatEthersSigner, ChainLink[], number][] = [
          [enterpriseW, financeCo, links, 2],
          [financeCo, enterpriseY, links.slice(0, 1), 15],
          [enterpriseY, enterpriseX, [], 40],
          [enterpriseX, bankA, [], 100],
        ];
        for (const [holder, target, chainLinks, day] of steps) {
          await time.setNextBlockTimestamp(at(maturityDay + day));
          await payments.connect(holder).claimRecourse(billId, 1n, target.address, chainLinks);
          const amount = recourseModel(PART, DEFAULT_RATE_BPS, BigInt(day));
          await expect(payments.connect(target).payRecourse(billId, 1n)).to.changeTokenBalances(
            suite.digitalCurrency,
            [target, holder, payments],
            [-amount, amount, 0n],
          );
          const range = await rangeOf(ledger, billId, 1n);
          expect(range.holder).to.equal(target.address);
          expect(range.state).to.equal(target === bankA ? RangeState.Redeemed : RangeState.Dishonoured);
        }
        expect((await rangeOf(ledger, billId, 1n)).chain).to.equal(0n);
      });

      it("financeCo, having paid, may claim from Y (before the guarantee) but not from Z", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        const { enterpriseY, enterpriseZ, financeCo } = accounts;
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, financeCo.address, links);
        await payments.connect(financeCo).payRecourse(billId, 1n);
        const prefix = links.slice(0, 1);
        expect((await rangeOf(ledger, billId, 1n)).chain).to.equal(await ledger.chainOf(billId, prefix));
        await expect(payments.connect(financeCo).claimRecourse(billId, 1n, enterpriseZ.address, prefix))
          .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
          .withArgs(billId, 1n, enterpriseZ.address);
        await expect(payments.connect(financeCo).claimRecourse(billId, 1n, enterpriseY.address, links))
          .to.be.revertedWithCustomError(payments, "PaymentChainMismatch")
          .withArgs(billId, 1n);
        await expect(payments.connect(financeCo).claimRecourse(billId, 1n, enterpriseY.address, prefix))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(billId, 1n, financeCo.address, enterpriseY.address, PART);
        expect(await claimOf(payments, billId, 1n)).to.deep.equal({
          target: enterpriseY.address,
          newChain: await ledger.chainOf(billId, []),
        });
      });

      it("the drawer, having paid, may claim from the acceptor only", async function () {
        const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        const { bankA, enterpriseX, enterpriseY } = accounts;
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, enterpriseX.address, links);
        await payments.connect(enterpriseX).payRecourse(billId, 1n);
        for (const target of [enterpriseY.address, enterpriseX.address]) {
          await expect(payments.connect(enterpriseX).claimRecourse(billId, 1n, target, []))
            .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
            .withArgs(billId, 1n, target);
        }
        await payments.connect(enterpriseX).claimRecourse(billId, 1n, bankA.address, []);
        await expect(payments.connect(bankA).payRecourse(billId, 1n)).to.emit(payments, "RecoursePaid");
      });

      it("after a late presentment the drawer, having paid, claims from the acceptor", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, links } = await loadFixture(lateDishonouredBill);
        const { bankA, enterpriseX } = accounts;
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, enterpriseX.address, links);
        await payments.connect(enterpriseX).payRecourse(billId, 1n);
        await payments.connect(enterpriseX).claimRecourse(billId, 1n, bankA.address, []);
        await payments.connect(bankA).payRecourse(billId, 1n);
        expect((await rangeOf(ledger, billId, 1n)).state).to.equal(RangeState.Redeemed);
      });
    });

    describe("when no claim is pending", function () {
      it("reverts PaymentNoClaim(billId, start) before any claim", async function () {
        const { accounts, payments, billId } = await loadFixture(dishonouredBill);
        await expect(payments.connect(accounts.enterpriseX).payRecourse(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentNoClaim")
          .withArgs(billId, 1n);
      });

      it("reverts PaymentNoClaim when the same claim is paid twice, and the money moved once", async function () {
        const { accounts, suite, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        const { enterpriseX } = accounts;
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, enterpriseX.address, links);
        await payments.connect(enterpriseX).payRecourse(billId, 1n);
        const before = await suite.digitalCurrency.balanceOf(enterpriseX.address);
        await expect(payments.connect(enterpriseX).payRecourse(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentNoClaim")
          .withArgs(billId, 1n);
        expect(await suite.digitalCurrency.balanceOf(enterpriseX.address)).to.equal(before);
      });
    });

    describe("when the caller is not the target", function () {
      for (const name of ["enterpriseY", "bankA", "enterpriseW"] as const) {
        it(`reverts PaymentNotEntitled(billId, start, ${name})`, async function () {
          const fixture = await loadFixture(dishonouredBill);
          const { accounts, payments, billId, enterpriseW, links } = fixture;
          await payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links);
          const caller = name === "enterpriseW" ? enterpriseW : accounts[name];
          await expect(payments.connect(caller).payRecourse(billId, 1n))
            .to.be.revertedWithCustomError(payments, "PaymentNotEntitled")
            .withArgs(billId, 1n, caller.address);
        });
      }
    });

    describe("when the money or the range cannot move", function () {
      it("reverts ERC20InsufficientAllowance without an allowance; the claim stays and W keeps the range", async function () {
        const { accounts, suite, ledger, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        const { enterpriseX } = accounts;
        const cash = suite.digitalCurrency;
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, enterpriseX.address, links);
        await cash.connect(enterpriseX).approve(await payments.getAddress(), 0n);
        const before = await rangeOf(ledger, billId, 1n);
        await expect(payments.connect(enterpriseX).payRecourse(billId, 1n))
          .to.be.revertedWithCustomError(cash, "ERC20InsufficientAllowance")
          .withArgs(await payments.getAddress(), 0n, PART);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
        expect((await claimOf(payments, billId, 1n)).target).to.equal(enterpriseX.address);
      });

      it("reverts CurrencyPaused while the currency is paused", async function () {
        const { accounts, suite, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links);
        await suite.digitalCurrency.connect(accounts.pauser).pause();
        await expect(payments.connect(accounts.enterpriseX).payRecourse(billId, 1n)).to.be.revertedWithCustomError(
          suite.digitalCurrency,
          "CurrencyPaused",
        );
        expect((await claimOf(payments, billId, 1n)).target).to.equal(accounts.enterpriseX.address);
      });

      it("reverts the ledger's BillUnverifiedParty(payer) when the payer's KYC lapsed; W withdraws and claims elsewhere", async function () {
        const { accounts, suite, ledger, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        const { bankA, enterpriseX } = accounts;
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, enterpriseX.address, links);
        await suspendEntity(suite.identityRegistry.connect(bankA), CODES.enterpriseX);
        await expect(payments.connect(enterpriseX).payRecourse(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillUnverifiedParty")
          .withArgs(enterpriseX.address);
        await payments.connect(enterpriseW).withdrawClaim(billId, 1n);
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, bankA.address, links);
        await expect(payments.connect(bankA).payRecourse(billId, 1n)).to.changeTokenBalances(
          suite.digitalCurrency,
          [bankA, enterpriseW],
          [-PART, PART],
        );
      });

      it("reverts the ledger's BillPaused while the ledger is paused", async function () {
        const { accounts, ledger, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links);
        await ledger.connect(accounts.pauser).pause();
        await expect(payments.connect(accounts.enterpriseX).payRecourse(billId, 1n)).to.be.revertedWithCustomError(
          ledger,
          "BillPaused",
        );
      });
    });
  });

  describe(".withdrawClaim()", function () {
    describe("when the holder withdraws its pending claim", function () {
      it("emits RecourseWithdrawn, clears the claim, and the former target can no longer pay", async function () {
        const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        const { enterpriseX } = accounts;
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, enterpriseX.address, links);
        await expect(payments.connect(enterpriseW).withdrawClaim(billId, 1n))
          .to.emit(payments, "RecourseWithdrawn")
          .withArgs(billId, 1n, enterpriseW.address);
        expect(await claimOf(payments, billId, 1n)).to.deep.equal({ target: ZeroAddress, newChain: 0n });
        await expect(payments.connect(enterpriseX).payRecourse(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentNoClaim")
          .withArgs(billId, 1n);
      });

      it("lets the holder claim from another party", async function () {
        const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links);
        await payments.connect(enterpriseW).withdrawClaim(billId, 1n);
        await expect(payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseY.address, links))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(billId, 1n, enterpriseW.address, accounts.enterpriseY.address, PART);
      });
    });

    describe("when no claim is pending", function () {
      it("reverts PaymentNoClaim(billId, start) before any claim and when withdrawn twice", async function () {
        const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await expect(payments.connect(enterpriseW).withdrawClaim(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentNoClaim")
          .withArgs(billId, 1n);
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links);
        await payments.connect(enterpriseW).withdrawClaim(billId, 1n);
        await expect(payments.connect(enterpriseW).withdrawClaim(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentNoClaim")
          .withArgs(billId, 1n);
      });

      it("reverts PaymentNoClaim after the claim was paid", async function () {
        const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
        await payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links);
        await payments.connect(accounts.enterpriseX).payRecourse(billId, 1n);
        await expect(payments.connect(accounts.enterpriseX).withdrawClaim(billId, 1n))
          .to.be.revertedWithCustomError(payments, "PaymentNoClaim")
          .withArgs(billId, 1n);
      });
    });

    describe("when the caller does not hold the range", function () {
      for (const name of ["enterpriseX", "enterpriseY", "outsider"] as const) {
        it(`reverts PaymentNotEntitled(billId, start, ${name}) and the claim stays`, async function () {
          const { accounts, payments, billId, enterpriseW, links } = await loadFixture(dishonouredBill);
          await payments.connect(enterpriseW).claimRecourse(billId, 1n, accounts.enterpriseX.address, links);
          const caller = accounts[name];
          await expect(payments.connect(caller).withdrawClaim(billId, 1n))
            .to.be.revertedWithCustomError(payments, "PaymentNotEntitled")
            .withArgs(billId, 1n, caller.address);
          expect((await claimOf(payments, billId, 1n)).target).to.equal(accounts.enterpriseX.address);
        });
      }
    });
  });

  describe(".recourseAmount()", function () {
    describe("against the independent model", function () {
      for (const units of [1n, 7n, PART]) {
        for (const rateBps of [0n, 1n, DEFAULT_RATE_BPS, 10_000n]) {
          it(`matches it for ${units} units at ${rateBps} bps on days 0, 1, 59, 360 (first and last second of each)`, async function () {
            const fixture = await loadFixture(chainedBill);
            const { payments, billId, maturityDay } = fixture;
            if (rateBps !== DEFAULT_RATE_BPS) await setRecourseRate(fixture, rateBps);
            for (const days of [0, 1, 59, 360]) {
              const expected = recourseModel(units, rateBps, BigInt(days));
              for (const second of [0, DAY - 1]) {
                expect(
                  await payments.recourseAmount(billId, units, at(maturityDay + days, second)),
                  `day ${days}, second ${second}`,
                ).to.equal(expected);
              }
            }
          });
        }
      }
    });

    describe("at the edges", function () {
      it("charges no interest before or on the maturity day, and two fen for one unit a day later at 4.35 %", async function () {
        const { payments, billId, maturityDay } = await loadFixture(chainedBill);
        for (const ts of [0, at(maturityDay - 1), startOfCstDay(maturityDay) - 1, startOfCstDay(maturityDay + 1) - 1]) {
          expect(await payments.recourseAmount(billId, PART, ts)).to.equal(PART);
        }
        expect(await payments.recourseAmount(billId, 1n, startOfCstDay(maturityDay + 1))).to.equal(2n);
        expect(await payments.recourseAmount(billId, 0n, at(maturityDay + 100))).to.equal(0n);
      });

      it("reverts on overflow rather than wrapping", async function () {
        const fixture = await loadFixture(chainedBill);
        const { payments, billId, maturityDay } = fixture;
        expect(await payments.recourseAmount(billId, MaxUint256, at(maturityDay))).to.equal(MaxUint256);
        await expect(payments.recourseAmount(billId, MaxUint256, at(maturityDay + 1))).to.be.revertedWithPanic(
          PANIC_CODES.ARITHMETIC_OVERFLOW,
        );
        await setRecourseRate(fixture, 10_000n);
        await expect(payments.recourseAmount(billId, MaxUint256 / 2n, at(maturityDay + 3650))).to.be.revertedWithPanic(
          PANIC_CODES.ARITHMETIC_OVERFLOW,
        );
      });

      it("reverts the ledger's BillUnknown for an unknown bill", async function () {
        const { ledger, payments, billId, maturityDay } = await loadFixture(chainedBill);
        await expect(payments.recourseAmount(billId + 1n, 1n, at(maturityDay)))
          .to.be.revertedWithCustomError(ledger, "BillUnknown")
          .withArgs(billId + 1n);
      });
    });

    describe("for random units, rates and days (fast-check, 100 runs)", function () {
      it("is ≥ units, adds exactly ceil(units × rate × days / 3,600,000), and splitting never costs less", async function () {
        const fixture = await loadFixture(chainedBill);
        const { payments, billId, maturityDay } = fixture;
        let rateInForce = DEFAULT_RATE_BPS;
        await fc.assert(
          fc.asyncProperty(
            fc.bigInt({ min: 1n, max: 10n ** 12n }),
            fc.integer({ min: 0, max: 10_000 }),
            fc.integer({ min: 0, max: 3_650 }),
            fc.integer({ min: 0, max: DAY - 1 }),
            fc.bigInt({ min: 0n, max: 10n ** 12n }),
            async (units, rate, days, second, cut) => {
              const rateBps = BigInt(rate);
              if (rateBps !== rateInForce) {
                await setRecourseRate(fixture, rateBps);
                rateInForce = rateBps;
              }
              const ts = at(maturityDay + days, second);
              const whole = await payments.recourseAmount(billId, units, ts);
              expect(whole).to.be.gte(units);
              const numerator = units * rateBps * BigInt(days);
              const ceil = (numerator + RATE_DENOMINATOR - 1n) / RATE_DENOMINATOR;
              expect(whole - units).to.equal(ceil);
              if (units > 1n) {
                const first = 1n + (cut % (units - 1n));
                const parts =
                  (await payments.recourseAmount(billId, first, ts)) +
                  (await payments.recourseAmount(billId, units - first, ts));
                expect(parts).to.be.gte(whole);
              }
            },
          ),
          { numRuns: 100 },
        );
      });
    });
  });
});
