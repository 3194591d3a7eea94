/*
 * The twelve defects an outside review of 114c448 found, each reproduced here by the act that exploited it (checklist
 * 39-43). Every test fails on 114c448 and passes with its fix:
 *  1. a bill the drawer marked not transferable changed holder through the engine;
 *  2. a repo's borrower lost its range to a default it had no part in (lender refusing, pause, freeze);
 *  3. a pledge repo whose lender lapsed locked the range forever;
 *  4. an acceptor holding its own bill dishonoured it and claimed recourse;
 *  5. a dishonour for bankruptcy after the presentation period kept recourse against endorsers;
 *  6. (off chain: test/unit/regulator) a malformed envelope crashed the audit;
 *  7. an allowance could not be revoked once the spender's KYC lapsed;
 *  8. a netted batch let a frozen account pay;
 *  9. liability rules compared wallets, not entities;
 * 10. an endorser's no-recourse mark freed it from its direct endorsee too;
 * 11. acceptance and receipt could be applied for and signed from maturity;
 * 12. the engine's own currency account (everyone's escrow) could be frozen.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "ethers";
import {
  BillType,
  RangeState,
  endorse,
  issueBill,
  liabilityChain,
  mined,
  presentForAcceptance,
  presentForReceipt,
  sign,
  startOfCstDay,
} from "../../tasks/lib/bills";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { EntityKind, entityIdOf, registerEntity, reinstateEntity, suspendEntity } from "../../tasks/lib/identity";
import { TradeKind, TradeStatus, billLeg, tokenLeg, tradeIdOf } from "../../tasks/lib/dvp";
import { signPermit } from "../behaviors/kycGated";
import { ENTERPRISE_Z_CODE } from "../fixtures/bills";
import { ONE_YEAR } from "../fixtures/platform";
import { businessDayAfter, chainDay, discountTerms, signedBy, termsOf, type DvpFixture } from "../fixtures/dvp";
import { PART, bankARepo, expectRange, market, statusOf } from "../fixtures/dvpScenes";

const HOUR = 3_600;
const at = (day: number | bigint, seconds = 10 * HOUR) => startOfCstDay(Number(day)) + seconds;

/** The market with a second bill X drew on bank A to Y, marked not transferable, accepted and received. */
async function notTransferableBill(): Promise<DvpFixture & { marked: bigint }> {
  const f = await loadFixture(market);
  const { enterpriseX, bankA, enterpriseY } = f.accounts;
  const ledger = f.suite.billLedger;
  const { billId } = await issueBill(ledger.connect(enterpriseX), {
    billType: BillType.BankAcceptance,
    acceptor: bankA.address,
    payee: enterpriseY.address,
    face: 10_000_000n,
    maturityDay: f.maturityDay,
    tradeBackground: "not transferable",
    notTransferable: true,
  });
  await presentForAcceptance(ledger.connect(enterpriseX), billId);
  await sign(ledger.connect(bankA), billId, 1n);
  await presentForReceipt(ledger.connect(enterpriseX), billId);
  await sign(ledger.connect(enterpriseY), billId, 1n);
  return { ...f, marked: billId };
}

/** Bank A holds [1, 2 × PART] of the fixture bill, bought from Y by discount. */
async function bankAHolds(): Promise<DvpFixture> {
  const f = await loadFixture(market);
  const { enterpriseY, bankA } = f.accounts;
  const t = await discountTerms(f, enterpriseY, bankA, 2n * PART);
  await mined(
    f.suite.settlementEngine.connect(bankA).settle(await signedBy(f.suite.settlementEngine, t, enterpriseY, bankA)),
  );
  return f;
}

/** Bank A's repo with bank B on [1, PART], closing in two business days, open. */
async function openRepo(kind: TradeKind.PledgeRepo | TradeKind.OutrightRepo) {
  const f = await loadFixture(bankAHolds);
  const { bankA, bankB } = f.accounts;
  const engine = f.suite.settlementEngine;
  const endDay = businessDayAfter(await chainDay());
  const terms = await bankARepo(f, kind, 1n, endDay);
  await mined(engine.connect(bankA).settle(await signedBy(engine, terms, bankA, bankB)));
  return { ...f, terms, endDay };
}
async function openPledgeRepo() {
  return openRepo(TradeKind.PledgeRepo);
}
async function openOutrightRepo() {
  return openRepo(TradeKind.OutrightRepo);
}

const BANK_A_CODE = "91110000100000000A";
const ENTERPRISE_X_CODE = "91440300MA5XXXXXX1";
const W_CODE = "91440300MA5WWWWWW4";

/** `payers` approve BillPayments without limit. */
async function approvePayments(f: DvpFixture, payers: HardhatEthersSigner[]) {
  const payments = await f.suite.billPayments.getAddress();
  for (const payer of payers) await mined(f.suite.digitalCurrency.connect(payer).approve(payments, ethers.MaxUint256));
}

/** Links `wallet` to the entity of `code`, whose KYC provider is `provider`. */
async function secondWallet(f: DvpFixture, provider: HardhatEthersSigner, code: string, wallet: HardhatEthersSigner) {
  await mined(f.suite.identityRegistry.connect(provider).linkWallet(entityIdOf(code), wallet.address));
  return wallet;
}

/** Bank A holds [1, 2 × PART]; its second wallet bought [2 × PART + 1, 3 × PART] from Y. */
async function acceptorHolds() {
  const f = await loadFixture(bankAHolds);
  const { enterpriseY, bankB } = f.accounts;
  const bankA2 = await secondWallet(f, bankB, BANK_A_CODE, f.accounts.extra[0]);
  const engine = f.suite.settlementEngine;
  await mined(f.suite.digitalCurrency.connect(f.accounts.centralBank).mint(bankA2.address, 1_000_000_00n));
  await mined(f.suite.digitalCurrency.connect(bankA2).approve(f.engine, ethers.MaxUint256));
  const t = await discountTerms(f, enterpriseY, bankA2, PART, { start: 2n * PART + 1n });
  await mined(engine.connect(bankA2).settle(await signedBy(engine, t, enterpriseY, bankA2)));
  return { ...f, bankA2 };
}

/** Enterprise Y with a second wallet, funded and approving the engine. */
async function yHasSecondWallet() {
  const f = await loadFixture(market);
  const y2 = await secondWallet(f, f.accounts.bankB, "91330100MA2YYYYYY2", f.accounts.extra[0]);
  await mined(f.suite.digitalCurrency.connect(f.accounts.centralBank).mint(y2.address, 1_000_00n));
  await mined(f.suite.digitalCurrency.connect(y2).approve(f.engine, ethers.MaxUint256));
  return { ...f, y2 };
}

/** Y endorsed [1, PART] to Z, which holds it; the bill's payers approve BillPayments. */
async function zHoldsFromY() {
  const f = await loadFixture(market);
  const { enterpriseY, enterpriseZ, enterpriseX, bankA } = f.accounts;
  const ledger = f.suite.billLedger;
  await endorse(ledger.connect(enterpriseY), f.billId, 1n, PART, enterpriseZ.address);
  await sign(ledger.connect(enterpriseZ), f.billId, 1n);
  await approvePayments(f, [bankA, enterpriseX, enterpriseY, enterpriseZ]);
  return f;
}

/** Y → Z → X's second wallet on [1, PART]. */
async function drawerWalletHolds() {
  const f = await loadFixture(zHoldsFromY);
  const { enterpriseZ, bankA } = f.accounts;
  const ledger = f.suite.billLedger;
  const x2 = await secondWallet(f, bankA, ENTERPRISE_X_CODE, f.accounts.extra[0]);
  await endorse(ledger.connect(enterpriseZ), f.billId, 1n, PART, x2.address);
  await sign(ledger.connect(x2), f.billId, 1n);
  return { ...f, x2 };
}

/** Y endorses [1, 2 × PART] to Z with the no-recourse mark; Z endorses [PART + 1, 2 × PART] on to W. */
async function noRecourseChain() {
  const f = await loadFixture(market);
  const { enterpriseY, enterpriseZ, enterpriseX, bankA, bankB } = f.accounts;
  const ledger = f.suite.billLedger;
  const w = f.accounts.extra[0];
  await registerEntity(f.suite.identityRegistry.connect(bankB), {
    code: W_CODE,
    kind: EntityKind.Enterprise,
    jurisdiction: "CN",
    expiresAt: BigInt(await time.latest()) + ONE_YEAR,
    wallets: [w.address],
  });
  await endorse(ledger.connect(enterpriseY), f.billId, 1n, 2n * PART, enterpriseZ.address, true);
  await sign(ledger.connect(enterpriseZ), f.billId, 1n);
  await endorse(ledger.connect(enterpriseZ), f.billId, 1n, PART, w.address);
  await mined(ledger.connect(enterpriseZ).withdraw(f.billId, 1n));
  await endorse(ledger.connect(enterpriseZ), f.billId, PART + 1n, PART, w.address);
  await sign(ledger.connect(w), f.billId, PART + 1n);
  await approvePayments(f, [bankA, enterpriseX, enterpriseY, enterpriseZ, w]);
  return { ...f, w };
}

/** Bills maturing in three days: one never presented, one to be presented for acceptance, one accepted, one to be
 * presented for receipt (accepted). */
async function shortBills() {
  const f = await loadFixture(market);
  const { enterpriseX, bankA, enterpriseY } = f.accounts;
  const ledger = f.suite.billLedger;
  const maturity = Number(await chainDay()) + 3;
  const issue = async () =>
    (
      await issueBill(ledger.connect(enterpriseX), {
        billType: BillType.BankAcceptance,
        acceptor: bankA.address,
        payee: enterpriseY.address,
        face: 1_000n,
        maturityDay: maturity,
        tradeBackground: "short",
      })
    ).billId;
  const unpresented = await issue();
  const pendingAcceptance = await issue();
  const accepted = await issue();
  const pendingReceipt = await issue();
  for (const billId of [accepted, pendingReceipt]) {
    await presentForAcceptance(ledger.connect(enterpriseX), billId);
    await sign(ledger.connect(bankA), billId, 1n);
  }
  return { ...f, maturity, unpresented, pendingAcceptance, accepted, pendingReceipt };
}

/** The market with a listed plain ERC-20 of which bank A holds 1,000,000 units, approving the engine. */
async function pvpMarket() {
  const f = await loadFixture(market);
  const token = await hre.ethers.deployContract("PlainERC20", [1_000_000n]);
  await mined(token.transfer(f.accounts.bankA.address, 1_000_000n));
  await mined(token.connect(f.accounts.bankA).approve(f.engine, ethers.MaxUint256));
  await mined(f.suite.settlementEngine.connect(f.accounts.admin).setListed(await token.getAddress(), true));
  return { ...f, token: await token.getAddress() };
}

async function balancesOf(f: DvpFixture, ...wallets: string[]): Promise<bigint[]> {
  return Promise.all(wallets.map((w) => f.suite.digitalCurrency.balanceOf(w)));
}

describe("Outside review findings (checklist 39-43)", function () {
  describe("1. not transferable through every operator path (checklist 39)", function () {
    it("refuses a signed discount, a two-phase discount and a swap of a marked bill (BillNotTransferable)", async function () {
      const f = await loadFixture(notTransferableBill);
      const { enterpriseY, enterpriseZ, bankA } = f.accounts;
      const engine = f.suite.settlementEngine;
      const ledger = f.suite.billLedger;
      const bill = billLeg(f.ledger, f.marked, 1n, PART);
      const discount = await discountTerms({ ...f, billId: f.marked }, enterpriseY, bankA, PART);
      await expect(engine.connect(bankA).settle(await signedBy(engine, discount, enterpriseY, bankA)))
        .to.be.revertedWithCustomError(ledger, "BillNotTransferable")
        .withArgs(f.marked);
      const swap = await termsOf(TradeKind.Swap, enterpriseY, enterpriseZ, bill, tokenLeg(f.currency, 1n));
      await expect(engine.connect(enterpriseZ).settle(await signedBy(engine, swap, enterpriseY, enterpriseZ)))
        .to.be.revertedWithCustomError(ledger, "BillNotTransferable")
        .withArgs(f.marked);
      // Escrow in place still passes, and so does the release when the proposal ends.
      await mined(engine.connect(enterpriseY).propose(discount));
      await expect(engine.connect(bankA).accept(discount))
        .to.be.revertedWithCustomError(ledger, "BillNotTransferable")
        .withArgs(f.marked);
      await mined(engine.connect(enterpriseY).withdraw(discount));
      const r = await ledger.rangeAt(f.marked, 1n);
      expect([r.holder, Number(r.state)]).to.deep.equal([enterpriseY.address, RangeState.Circulating]);
    });

    it("still escrows and releases a marked range in place through the operator entry", async function () {
      const f = await loadFixture(notTransferableBill);
      const { enterpriseY, admin } = f.accounts;
      const ledger = f.suite.billLedger;
      await mined(ledger.connect(admin).grantRole(await ledger.OPERATOR_ROLE(), admin.address));
      const op = ledger.connect(admin);
      await mined(
        op.tradeRange(f.marked, 1n, PART, enterpriseY, RangeState.Circulating, enterpriseY, RangeState.Escrowed),
      );
      await expect(op.tradeRange(f.marked, 1n, PART, enterpriseY, RangeState.Escrowed, enterpriseY, RangeState.Pledged))
        .to.be.revertedWithCustomError(ledger, "BillNotTransferable")
        .withArgs(f.marked);
      await mined(
        op.tradeRange(f.marked, 1n, PART, enterpriseY, RangeState.Escrowed, enterpriseY, RangeState.Circulating),
      );
      expect(Number((await ledger.rangeAt(f.marked, 1n)).state)).to.equal(RangeState.Circulating);
    });
  });

  describe("2. a borrower that tenders in time never loses its range (checklist 40)", function () {
    it("closes a pledge repo whose lender's KYC lapsed: the range comes back, the repayment is held for the lender", async function () {
      const f = await loadFixture(openPledgeRepo);
      const { bankA, bankB } = f.accounts;
      const engine = f.suite.settlementEngine;
      await suspendEntity(f.suite.identityRegistry.connect(bankA), "91310000100000000B");
      const [aBefore] = await balancesOf(f, bankA.address);
      await expect(engine.connect(bankA).closeRepo(f.terms))
        .to.emit(engine, "RepoTendered")
        .and.to.emit(engine, "RefundOwed")
        .and.to.emit(engine, "RepoClosed");
      await expectRange(f, 1n, { end: PART, holder: bankA.address, state: RangeState.Circulating });
      expect((await balancesOf(f, bankA.address))[0]).to.equal(aBefore - f.terms.closingAmount);
      expect(await engine.escrowed(f.currency)).to.equal(f.terms.closingAmount);
      expect(await statusOf(f, f.terms)).to.equal(TradeStatus.RepoClosed);
      await expect(engine.connect(bankB).reclaim(f.terms)).to.be.revertedWithCustomError(
        f.suite.digitalCurrency,
        "CurrencyUnverifiedAccount",
      );
      await reinstateEntity(f.suite.identityRegistry.connect(bankA), "91310000100000000B");
      await expect(engine.connect(bankB).reclaim(f.terms)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankB, engine],
        [f.terms.closingAmount, -f.terms.closingAmount],
      );
    });

    it("holds an outright repo's tender through a ledger pause and a range freeze; no default can follow", async function () {
      const f = await loadFixture(openOutrightRepo);
      const { bankA, bankB, pauser, regulator } = f.accounts;
      const engine = f.suite.settlementEngine;
      const ledger = f.suite.billLedger;
      await mined(ledger.connect(regulator).freeze(f.billId, 1n, PART));
      await mined(ledger.connect(pauser).pause());
      await expect(engine.connect(bankA).closeRepo(f.terms))
        .to.emit(engine, "RepoTendered")
        .and.not.to.emit(engine, "RepoClosed");
      expect(await statusOf(f, f.terms)).to.equal(TradeStatus.RepoTendered);
      await time.increaseTo(at(f.endDay + 1n));
      const id = await tradeIdOf(engine, f.terms);
      await expect(engine.connect(bankB).defaultRepo(f.terms))
        .to.be.revertedWithCustomError(engine, "TradeWrongStatus")
        .withArgs(id, TradeStatus.RepoTendered, TradeStatus.RepoOpen);
      await expect(engine.connect(bankB).reclaim(f.terms)).to.be.revertedWithCustomError(engine, "TradeNothingOwed");
      await mined(ledger.connect(pauser).unpause());
      await mined(ledger.connect(regulator).unfreeze(f.billId, 1n));
      await expect(engine.connect(bankB).closeRepo(f.terms)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [bankB, engine],
        [f.terms.closingAmount, -f.terms.closingAmount],
      );
      await expectRange(f, 1n, { end: PART, holder: bankA.address, state: RangeState.Circulating });
      expect(await statusOf(f, f.terms)).to.equal(TradeStatus.RepoClosed);
    });

    it("refuses a default while the ledger or the currency is paused or the range is frozen (TradeRepoBlocked)", async function () {
      for (const fixture of [openOutrightRepo, openPledgeRepo]) {
        const f = await loadFixture(fixture);
        const { bankB, pauser, regulator } = f.accounts;
        const engine = f.suite.settlementEngine;
        const ledger = f.suite.billLedger;
        const id = await tradeIdOf(engine, f.terms);
        await time.increaseTo(at(f.endDay + 1n));
        await mined(f.suite.digitalCurrency.connect(pauser).pause());
        await expect(engine.connect(bankB).defaultRepo(f.terms), fixture.name)
          .to.be.revertedWithCustomError(engine, "TradeRepoBlocked")
          .withArgs(id);
        await mined(f.suite.digitalCurrency.connect(pauser).unpause());
        await mined(ledger.connect(pauser).pause());
        await expect(engine.connect(bankB).defaultRepo(f.terms), fixture.name).to.be.reverted;
        await mined(ledger.connect(pauser).unpause());
        await mined(ledger.connect(regulator).freeze(f.billId, 1n, PART));
        await expect(engine.connect(bankB).defaultRepo(f.terms), fixture.name).to.be.reverted;
        await mined(ledger.connect(regulator).unfreeze(f.billId, 1n));
        await expect(engine.connect(bankB).defaultRepo(f.terms), fixture.name).to.emit(engine, "RepoDefaulted");
      }
    });
  });

  describe("3. a pledge repo whose lender is revoked still has a way out (checklist 40)", function () {
    it("lets the borrower close after the closing deadline while the lender cannot default", async function () {
      const f = await loadFixture(openPledgeRepo);
      const { bankA, bankB, admin } = f.accounts;
      const engine = f.suite.settlementEngine;
      await time.increaseTo(at(f.endDay + 1n));
      await expect(engine.connect(bankA).closeRepo(f.terms)).to.be.revertedWithCustomError(engine, "TradeRepoClosing");
      await mined(f.suite.identityRegistry.connect(admin).revokeEntity(entityIdOf("91310000100000000B")));
      await expect(engine.connect(bankB).defaultRepo(f.terms)).to.be.reverted;
      await expect(engine.connect(bankA).closeRepo(f.terms)).to.emit(engine, "RepoClosed");
      await expectRange(f, 1n, { end: PART, holder: bankA.address, state: RangeState.Circulating });
      expect(await engine.escrowed(f.currency)).to.equal(f.terms.closingAmount);
    });
  });

  describe("4. an acceptor holding its own bill has no recourse (checklist 41)", function () {
    it("redeems the acceptor's own range at presentment, without payment or claim, from either of its wallets", async function () {
      const f = await loadFixture(acceptorHolds);
      const { bankA } = f.accounts;
      const payments = f.suite.billPayments;
      await time.increaseTo(at(f.maturityDay));
      for (const [wallet, start] of [
        [bankA, 1n],
        [f.bankA2, 2n * PART + 1n],
      ] as const) {
        await expect(payments.connect(wallet).presentForPayment(f.billId, start))
          .to.emit(payments, "Paid")
          .withArgs(f.billId, start, wallet.address, wallet.address, 0n);
        expect(Number((await f.suite.billLedger.rangeAt(f.billId, start)).state)).to.equal(RangeState.Redeemed);
      }
    });

    it("refuses the acceptor's own dishonour for bankruptcy (PaymentAcceptorHolds)", async function () {
      const f = await loadFixture(acceptorHolds);
      const { bankA, admin } = f.accounts;
      const payments = f.suite.billPayments;
      await mined(f.suite.billLedger.connect(admin).setAcceptorBankrupt(bankA.address, true));
      for (const [wallet, start] of [
        [bankA, 1n],
        [f.bankA2, 2n * PART + 1n],
      ] as const) {
        await expect(payments.connect(wallet).dishonourForBankruptcy(f.billId, start))
          .to.be.revertedWithCustomError(payments, "PaymentAcceptorHolds")
          .withArgs(f.billId, start, wallet.address);
      }
    });
  });

  describe("5. late recourse by every dishonour path (checklist 41)", function () {
    it("keeps a late bankruptcy dishonour's recourse against the drawer and the acceptor only", async function () {
      const f = await loadFixture(zHoldsFromY);
      const { admin, bankA, enterpriseX, enterpriseY, enterpriseZ } = f.accounts;
      const payments = f.suite.billPayments;
      const ledger = f.suite.billLedger;
      const { presentationDays } = await ledger.settings();
      await time.increaseTo(at(BigInt(f.maturityDay) + presentationDays));
      await mined(ledger.connect(admin).setAcceptorBankrupt(bankA.address, true));
      await mined(payments.connect(enterpriseZ).dishonourForBankruptcy(f.billId, 1n));
      expect((await payments.presentmentOf(f.billId, 1n)).late).to.equal(true);
      const links = await liabilityChain(ledger, f.billId, 1n);
      await expect(payments.connect(enterpriseZ).claimRecourse(f.billId, 1n, enterpriseY, links))
        .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
        .withArgs(f.billId, 1n, enterpriseY.address);
      await expect(payments.connect(enterpriseZ).claimRecourse(f.billId, 1n, enterpriseX, links)).to.emit(
        payments,
        "RecourseClaimed",
      );
    });

    it("keeps full recourse for a bankruptcy dishonour within the presentation period", async function () {
      const f = await loadFixture(zHoldsFromY);
      const { admin, bankA, enterpriseY, enterpriseZ } = f.accounts;
      const payments = f.suite.billPayments;
      await mined(f.suite.billLedger.connect(admin).setAcceptorBankrupt(bankA.address, true));
      await mined(payments.connect(enterpriseZ).dishonourForBankruptcy(f.billId, 1n));
      expect((await payments.presentmentOf(f.billId, 1n)).late).to.equal(false);
      const links = await liabilityChain(f.suite.billLedger, f.billId, 1n);
      await expect(payments.connect(enterpriseZ).claimRecourse(f.billId, 1n, enterpriseY, links)).to.emit(
        payments,
        "RecourseClaimed",
      );
    });
  });

  describe("7. lowering an allowance always works (checklist 42)", function () {
    it("lets a holder revoke and lower, by approve and by permit, once the spender's KYC lapsed; raising is refused", async function () {
      const f = await loadFixture(market);
      const { enterpriseY, enterpriseZ, bankB } = f.accounts;
      const currency = f.suite.digitalCurrency;
      await mined(currency.connect(enterpriseY).approve(enterpriseZ, 500n));
      await suspendEntity(f.suite.identityRegistry.connect(bankB), ENTERPRISE_Z_CODE);
      await expect(currency.connect(enterpriseY).approve(enterpriseZ, 600n))
        .to.be.revertedWithCustomError(currency, "CurrencyUnverifiedAccount")
        .withArgs(enterpriseZ.address);
      const { v, r, s } = await signPermit(currency, enterpriseY, enterpriseZ.address, 200n, ethers.MaxUint256);
      await mined(currency.permit(enterpriseY, enterpriseZ, 200n, ethers.MaxUint256, v, r, s));
      expect(await currency.allowance(enterpriseY, enterpriseZ)).to.equal(200n);
      await mined(currency.connect(enterpriseY).approve(enterpriseZ, 0n));
      expect(await currency.allowance(enterpriseY, enterpriseZ)).to.equal(0n);
      await reinstateEntity(f.suite.identityRegistry.connect(bankB), ENTERPRISE_Z_CODE);
      expect(await currency.allowance(enterpriseY, enterpriseZ)).to.equal(0n);
    });
  });

  describe("8. a netted batch checks every payer (checklist 42)", function () {
    it("refuses a batch in which a frozen account's payment nets out, in either order of the orders", async function () {
      const f = await loadFixture(pvpMarket);
      const { enterpriseY, bankA, admin, regulator } = f.accounts;
      const engine = f.suite.settlementEngine;
      const discount = await discountTerms(f, enterpriseY, bankA, PART);
      const price = discount.takerLeg.amount;
      // Y pays bank A less than bank A pays Y: Y's payment nets out of the currency flow.
      const pvp = await termsOf(
        TradeKind.Swap,
        enterpriseY,
        bankA,
        tokenLeg(f.currency, price / 2n),
        tokenLeg(f.token, 1_000n),
      );
      const orders = [
        await signedBy(engine, discount, enterpriseY, bankA),
        await signedBy(engine, pvp, enterpriseY, bankA),
      ];
      await mined(f.suite.digitalCurrency.connect(regulator).freezeAccount(enterpriseY));
      for (const batch of [orders, [...orders].reverse()]) {
        await expect(engine.connect(admin).settleBatch(batch))
          .to.be.revertedWithCustomError(f.suite.digitalCurrency, "CurrencyAccountFrozen")
          .withArgs(enterpriseY.address);
      }
      await mined(f.suite.digitalCurrency.connect(regulator).unfreezeAccount(enterpriseY));
      await expect(engine.connect(admin).settleBatch(orders)).to.changeTokenBalances(
        f.suite.digitalCurrency,
        [enterpriseY, bankA],
        [price - price / 2n, price / 2n - price],
      );
    });
  });

  describe("9. liability rules compare entities (checklist 41)", function () {
    it("gives the drawer's second wallet recourse against the acceptor only", async function () {
      const f = await loadFixture(drawerWalletHolds);
      const { bankA, enterpriseX, enterpriseY, enterpriseZ } = f.accounts;
      const payments = f.suite.billPayments;
      await time.increaseTo(at(f.maturityDay));
      await mined(payments.connect(f.x2).presentForPayment(f.billId, 1n));
      await mined(payments.connect(bankA).dishonour(f.billId, 1n, 1));
      const links = await liabilityChain(f.suite.billLedger, f.billId, 1n);
      for (const target of [enterpriseZ, enterpriseY, enterpriseX]) {
        await expect(payments.connect(f.x2).claimRecourse(f.billId, 1n, target, links), target.address)
          .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
          .withArgs(f.billId, 1n, target.address);
      }
      await expect(payments.connect(f.x2).claimRecourse(f.billId, 1n, bankA, links)).to.emit(
        payments,
        "RecourseClaimed",
      );
    });
  });

  describe("9. party rules compare entities (checklist 41)", function () {
    it("refuses endorsing, pledging and asking a guarantee of another wallet of one's own entity (BillInvalidParty)", async function () {
      const f = await loadFixture(yHasSecondWallet);
      const { enterpriseY } = f.accounts;
      const ledger = f.suite.billLedger.connect(enterpriseY);
      const y2 = f.y2.address;
      for (const tx of [
        ledger.endorse(f.billId, 1n, PART, y2, false),
        ledger.pledge(f.billId, 1n, PART, y2),
        ledger.requestGuarantee(f.billId, 1n, PART, y2),
      ]) {
        await expect(tx).to.be.revertedWithCustomError(f.suite.billLedger, "BillInvalidParty").withArgs(y2);
      }
    });

    it("refuses a trade between two wallets of one entity (TradeInvalidParty), signed or proposed", async function () {
      const f = await loadFixture(yHasSecondWallet);
      const { enterpriseY } = f.accounts;
      const engine = f.suite.settlementEngine;
      const swap = await termsOf(
        TradeKind.Swap,
        enterpriseY,
        f.y2,
        billLeg(f.ledger, f.billId, 1n, PART),
        tokenLeg(f.currency, 1n),
      );
      await expect(engine.connect(f.y2).settle(await signedBy(engine, swap, enterpriseY, f.y2)))
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(f.y2.address);
      await expect(engine.connect(enterpriseY).propose(swap))
        .to.be.revertedWithCustomError(engine, "TradeInvalidParty")
        .withArgs(f.y2.address);
    });
  });

  describe("10. an endorser's no-recourse mark (checklist 41)", function () {
    it("keeps the endorser liable to its direct endorsee, and frees it from the parties after", async function () {
      const f = await loadFixture(noRecourseChain);
      const { bankA, enterpriseY, enterpriseZ } = f.accounts;
      const payments = f.suite.billPayments;
      const ledger = f.suite.billLedger;
      await time.increaseTo(at(f.maturityDay));
      // Z, Y's direct endorsee, holds [1, PART]; W, Z's endorsee, holds [PART + 1, 2 × PART].
      for (const [holder, start] of [
        [enterpriseZ, 1n],
        [f.w, PART + 1n],
      ] as const) {
        await mined(payments.connect(holder).presentForPayment(f.billId, start));
        await mined(payments.connect(bankA).dishonour(f.billId, start, 1));
      }
      const zLinks = await liabilityChain(ledger, f.billId, 1n);
      await expect(payments.connect(enterpriseZ).claimRecourse(f.billId, 1n, enterpriseY, zLinks)).to.emit(
        payments,
        "RecourseClaimed",
      );
      const wLinks = await liabilityChain(ledger, f.billId, PART + 1n);
      await expect(payments.connect(f.w).claimRecourse(f.billId, PART + 1n, enterpriseY, wLinks))
        .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
        .withArgs(f.billId, PART + 1n, enterpriseY.address);
      await expect(payments.connect(f.w).claimRecourse(f.billId, PART + 1n, enterpriseZ, wLinks)).to.emit(
        payments,
        "RecourseClaimed",
      );
    });
  });

  describe("11. acceptance and receipt end at maturity (checklist 41)", function () {
    it("refuses to apply for or sign an acceptance or a receipt from the maturity day (BillMatured)", async function () {
      const f = await loadFixture(shortBills);
      const { enterpriseX, bankA, enterpriseY } = f.accounts;
      const ledger = f.suite.billLedger;
      await mined(ledger.connect(enterpriseX).presentForAcceptance(f.pendingAcceptance));
      await mined(ledger.connect(enterpriseX).presentForReceipt(f.pendingReceipt));
      // One second before the maturity day an acceptance is still applied for.
      await time.setNextBlockTimestamp(startOfCstDay(f.maturity) - 1);
      await mined(ledger.connect(enterpriseX).presentForAcceptance(f.unpresented));
      await mined(ledger.connect(enterpriseX).withdraw(f.unpresented, 1n));
      const cases: [Promise<unknown>, bigint][] = [
        [ledger.connect(enterpriseX).presentForAcceptance(f.unpresented), f.unpresented],
        [ledger.connect(enterpriseX).presentForReceipt(f.accepted), f.accepted],
        [sign(ledger.connect(bankA), f.pendingAcceptance, 1n), f.pendingAcceptance],
        [sign(ledger.connect(enterpriseY), f.pendingReceipt, 1n), f.pendingReceipt],
      ];
      for (const [tx, billId] of cases) {
        await expect(tx).to.be.revertedWithCustomError(ledger, "BillMatured").withArgs(billId, f.maturity);
      }
    });
  });

  describe("12. a platform contract's currency account cannot be frozen (checklist 42)", function () {
    it("refuses to freeze the engine's account or an amount of it (CurrencySystemAccount)", async function () {
      const f = await loadFixture(market);
      const currency = f.suite.digitalCurrency.connect(f.accounts.regulator);
      for (const tx of [currency.freezeAccount(f.engine), currency.freezeAmount(f.engine, 1n)]) {
        await expect(tx).to.be.revertedWithCustomError(currency, "CurrencySystemAccount").withArgs(f.engine);
      }
    });

    it("holds a frozen maker's escrow in its trade: the proposal cannot be accepted, the refund goes back frozen", async function () {
      const f = await loadFixture(market);
      const { enterpriseY, bankA, regulator } = f.accounts;
      const engine = f.suite.settlementEngine;
      const currency = f.suite.digitalCurrency;
      const terms = await discountTerms(f, enterpriseY, bankA, PART, { sellerMakes: false });
      await mined(engine.connect(bankA).propose(terms));
      await mined(currency.connect(regulator).freezeAccount(bankA));
      await expect(engine.connect(enterpriseY).accept(terms))
        .to.be.revertedWithCustomError(currency, "CurrencyAccountFrozen")
        .withArgs(bankA.address);
      await expect(engine.connect(bankA).withdraw(terms)).to.changeTokenBalances(
        currency,
        [bankA, engine],
        [terms.makerLeg.amount, -terms.makerLeg.amount],
      );
      expect(await currency.isAccountFrozen(bankA)).to.equal(true);
    });
  });
});
