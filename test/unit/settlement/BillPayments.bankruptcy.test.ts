import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { FACE, circulatingBill } from "../../fixtures/bills";
import { RangeState } from "../../../tasks/lib/bills";

const DEFAULT_ADMIN_ROLE = "0x" + "00".repeat(32);

describe("BillPayments (acceptor bankruptcy)", function () {
  describe(".setAcceptorBankrupt() on the ledger", function () {
    describe("when the admin flags an acceptor", function () {
      it("records it and emits AcceptorBankruptcySet, and lifts it again", async function () {
        const { accounts, suite } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger.connect(accounts.admin);
        await expect(ledger.setAcceptorBankrupt(accounts.bankA.address, true))
          .to.emit(ledger, "AcceptorBankruptcySet")
          .withArgs(accounts.bankA.address, true);
        expect(await ledger.isAcceptorBankrupt(accounts.bankA.address)).to.equal(true);
        await ledger.setAcceptorBankrupt(accounts.bankA.address, false);
        expect(await ledger.isAcceptorBankrupt(accounts.bankA.address)).to.equal(false);
      });
    });

    describe("when the caller is not the admin", function () {
      it("reverts AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE), the regulator included", async function () {
        const { accounts, suite } = await loadFixture(circulatingBill);
        for (const caller of [accounts.regulator, accounts.enterpriseY, accounts.bankB]) {
          await expect(suite.billLedger.connect(caller).setAcceptorBankrupt(accounts.bankA.address, true))
            .to.be.revertedWithCustomError(suite.billLedger, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, DEFAULT_ADMIN_ROLE);
        }
      });
    });

    describe("when the acceptor is the zero address", function () {
      it("reverts BillInvalidParty(0)", async function () {
        const { accounts, suite } = await loadFixture(circulatingBill);
        await expect(suite.billLedger.connect(accounts.admin).setAcceptorBankrupt("0x" + "00".repeat(20), true))
          .to.be.revertedWithCustomError(suite.billLedger, "BillInvalidParty")
          .withArgs("0x" + "00".repeat(20));
      });
    });
  });

  describe(".dishonourForBankruptcy()", function () {
    describe("when the acceptor is flagged bankrupt, before maturity", function () {
      it("makes the holder's range Dishonoured with reason 255, so recourse can start", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        await suite.billLedger.connect(accounts.admin).setAcceptorBankrupt(accounts.bankA.address, true);
        const payments = suite.billPayments.connect(accounts.enterpriseY);
        await expect(payments.dishonourForBankruptcy(billId, 1n))
          .to.emit(payments, "Dishonoured")
          .withArgs(billId, 1n, accounts.enterpriseY.address, 255);
        const range = await suite.billLedger.rangeAt(billId, 1n);
        expect([range.state, range.end]).to.deep.equal([BigInt(RangeState.Dishonoured), FACE]);
      });
    });

    describe("when the acceptor is not flagged", function () {
      it("reverts PaymentAcceptorNotBankrupt(acceptor) and the range keeps circulating", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        await expect(suite.billPayments.connect(accounts.enterpriseY).dishonourForBankruptcy(billId, 1n))
          .to.be.revertedWithCustomError(suite.billPayments, "PaymentAcceptorNotBankrupt")
          .withArgs(accounts.bankA.address);
        expect((await suite.billLedger.rangeAt(billId, 1n)).state).to.equal(BigInt(RangeState.Circulating));
      });
    });

    describe("when the caller is not the holder", function () {
      it("reverts PaymentNotEntitled", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        await suite.billLedger.connect(accounts.admin).setAcceptorBankrupt(accounts.bankA.address, true);
        await expect(suite.billPayments.connect(accounts.enterpriseX).dishonourForBankruptcy(billId, 1n))
          .to.be.revertedWithCustomError(suite.billPayments, "PaymentNotEntitled")
          .withArgs(billId, 1n, accounts.enterpriseX.address);
      });
    });
  });

  describe(".dishonour() reason codes", function () {
    for (const reason of [0, 255]) {
      it(`reverts PaymentInvalidReason(${reason}): the code is the holder's declaration`, async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        await expect(suite.billPayments.connect(accounts.bankA).dishonour(billId, 1n, reason))
          .to.be.revertedWithCustomError(suite.billPayments, "PaymentInvalidReason")
          .withArgs(reason);
      });
    }
  });
});
