/**
 * A bill's whole life through the same library the tasks and the demo use: issue, acceptance, receipt, partial
 * endorsement, pledge and release, guarantee, presentation and payment at maturity (money and bill in one
 * transaction); and a second bill dishonoured, with recourse twice back along the chain.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { billsPlatform } from "../fixtures/bills";
import {
  BillType,
  LinkKind,
  RangeState,
  cstDayOf,
  endorse,
  issueBill,
  liabilityChain,
  pledge,
  presentForAcceptance,
  presentForReceipt,
  rangesOfBill,
  releasePledge,
  requestGuarantee,
  sign,
  startOfCstDay,
} from "../../tasks/lib/bills";
import { claimRecourse, dishonour, payBill, payRecourse, presentForPayment } from "../../tasks/lib/payments";

const FACE = 120_000_000n;
const PART = 30_000_000n;

describe("Bill lifecycle (integration)", function () {
  it("issues, accepts, receives, endorses part, pledges and releases, guarantees, and is paid at maturity", async function () {
    const { accounts, suite } = await loadFixture(billsPlatform);
    const { enterpriseX: x, enterpriseY: y, enterpriseZ: z, bankA, bankB, financeCo } = accounts;
    const ledger = suite.billLedger;
    const cash = suite.digitalCurrency;
    const payments = suite.billPayments;
    const today = cstDayOf((await time.latest()) + 1);

    const { billId } = await issueBill(ledger.connect(x), {
      billType: BillType.BankAcceptance,
      acceptor: bankA.address,
      payee: y.address,
      face: FACE,
      maturityDay: today + 60,
      tradeBackground: "purchase contract PC-2026-001",
    });
    await presentForAcceptance(ledger.connect(x), billId);
    await sign(ledger.connect(bankA), billId, 1n);
    await presentForReceipt(ledger.connect(x), billId);
    await sign(ledger.connect(y), billId, 1n);
    await endorse(ledger.connect(y), billId, 1n, PART, z.address);
    await sign(ledger.connect(z), billId, 1n);
    await pledge(ledger.connect(y), billId, PART + 1n, FACE - PART, bankB.address);
    await sign(ledger.connect(bankB), billId, PART + 1n);
    expect((await ledger.rangeAt(billId, PART + 1n)).state).to.equal(BigInt(RangeState.Pledged));
    await releasePledge(ledger.connect(bankB), billId, PART + 1n);
    await requestGuarantee(ledger.connect(z), billId, 1n, PART, financeCo.address);
    await sign(ledger.connect(financeCo), billId, 1n);

    const ranges = await rangesOfBill(ledger, billId);
    expect(ranges.map((r) => [r.start, r.end, r.holder, r.state])).to.deep.equal([
      [1n, PART, z.address, "Circulating"],
      [PART + 1n, FACE, y.address, "Circulating"],
    ]);
    expect(await liabilityChain(ledger, billId, 1n)).to.deep.equal([
      { kind: LinkKind.Endorsement, party: y.address, noRecourse: false },
      { kind: LinkKind.Guarantee, party: financeCo.address, noRecourse: false },
    ]);

    await (await cash.connect(accounts.centralBank).mint(bankA.address, FACE)).wait();
    await time.increaseTo(startOfCstDay(today + 60) + 3600);
    await presentForPayment(payments.connect(z), billId, 1n);
    await presentForPayment(payments.connect(y), billId, PART + 1n);
    await payBill(payments.connect(bankA), ledger, cash.connect(bankA), billId, 1n);
    await payBill(payments.connect(bankA), ledger, cash.connect(bankA), billId, PART + 1n);
    expect(await cash.balanceOf(z.address)).to.equal(PART);
    expect(await cash.balanceOf(y.address)).to.equal(1_000_000_00n + FACE - PART);
    expect(await cash.balanceOf(bankA.address)).to.equal(1_000_000_00n);
    expect((await rangesOfBill(ledger, billId)).map((r) => r.state)).to.deep.equal(["Redeemed", "Redeemed"]);
  });

  it("dishonours a bill and runs recourse twice back along the chain", async function () {
    const { accounts, suite } = await loadFixture(billsPlatform);
    const { enterpriseX: x, enterpriseY: y, enterpriseZ: z, bankA } = accounts;
    const ledger = suite.billLedger;
    const cash = suite.digitalCurrency;
    const payments = suite.billPayments;
    const today = cstDayOf((await time.latest()) + 1);
    const face = 10_000_000n;

    // X draws and accepts its own commercial bill to Y; Y endorses to Z; Z to bank A is not allowed, so Z holds.
    const { billId } = await issueBill(ledger.connect(x), {
      billType: BillType.CommercialAcceptance,
      acceptor: x.address,
      payee: y.address,
      face,
      maturityDay: today + 30,
      tradeBackground: "supply contract SC-2026-077",
    });
    await presentForAcceptance(ledger.connect(x), billId);
    await sign(ledger.connect(x), billId, 1n);
    await presentForReceipt(ledger.connect(x), billId);
    await sign(ledger.connect(y), billId, 1n);
    await endorse(ledger.connect(y), billId, 1n, face, z.address);
    await sign(ledger.connect(z), billId, 1n);

    await time.increaseTo(startOfCstDay(today + 30) + 3600);
    await presentForPayment(payments.connect(z), billId, 1n);
    await dishonour(payments.connect(x), billId, 1n, 1);

    // Z claims from Y two days after maturity: face + 2 days at 4.35 % a year, act/360, rounded up.
    await time.increaseTo(startOfCstDay(today + 32) + 3600);
    await claimRecourse(payments.connect(z), ledger, billId, 1n, y.address);
    const owed = face + (face * 435n * 2n + 3_599_999n) / 3_600_000n;
    const before = [await cash.balanceOf(y.address), await cash.balanceOf(z.address)];
    await payRecourse(payments.connect(y), ledger, cash.connect(y), billId, 1n);
    expect([await cash.balanceOf(y.address), await cash.balanceOf(z.address)]).to.deep.equal([
      before[0] - owed,
      before[1] + owed,
    ]);
    expect((await ledger.rangeAt(billId, 1n)).holder).to.equal(y.address);

    // Y claims further back from X, the drawer and acceptor; X paying as acceptor ends it.
    await claimRecourse(payments.connect(y), ledger, billId, 1n, x.address);
    await payRecourse(payments.connect(x), ledger, cash.connect(x), billId, 1n);
    const range = await ledger.rangeAt(billId, 1n);
    expect([range.holder, range.state]).to.deep.equal([x.address, BigInt(RangeState.Redeemed)]);
    await expect(payments.connect(x).claimRecourse(billId, 1n, bankA.address, []))
      .to.be.revertedWithCustomError(payments, "PaymentNotDishonoured")
      .withArgs(billId, 1n, RangeState.Redeemed);
  });
});
