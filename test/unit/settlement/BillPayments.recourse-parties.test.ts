/**
 * Who a holder may claim from when it is itself an earlier party of the bill (Negotiable Instruments Law art. 69):
 * not the parties after its own first appearance in the chain, and, for the drawer, nobody but the acceptor.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { FACE, circulatingBill, type BillFixture } from "../../fixtures/bills";
import { endorse, liabilityChain, sign, startOfCstDay } from "../../../tasks/lib/bills";
import { dishonour, presentForPayment } from "../../../tasks/lib/payments";
import { asRegulator } from "../../fixtures/platform";

/** Holds the bill through `path` (each endorsing the whole bill to the next), then presents and is dishonoured. */
async function dishonouredAfter(fixture: BillFixture, path: (keyof BillFixture["accounts"])[]) {
  const { accounts, suite, billId, maturityDay } = fixture;
  const ledger = suite.billLedger;
  for (let i = 0; i + 1 < path.length; i++) {
    const from = accounts[path[i]] as typeof accounts.enterpriseY;
    const to = accounts[path[i + 1]] as typeof accounts.enterpriseY;
    await endorse(ledger.connect(from), billId, 1n, FACE, to.address);
    await sign(ledger.connect(to), billId, 1n);
  }
  const holder = accounts[path[path.length - 1]] as typeof accounts.enterpriseY;
  await time.increaseTo(startOfCstDay(maturityDay) + 3600);
  await presentForPayment(suite.billPayments.connect(holder), billId, 1n);
  await dishonour(suite.billPayments.connect(accounts.bankA), billId, 1n, 1);
  return { holder, links: await liabilityChain(asRegulator(ledger), billId, 1n) };
}

async function circularChain() {
  const fixture = await loadFixture(circulatingBill);
  return { ...fixture, ...(await dishonouredAfter(fixture, ["enterpriseY", "enterpriseZ", "enterpriseY"])) };
}

async function drawerHolds() {
  const fixture = await loadFixture(circulatingBill);
  return { ...fixture, ...(await dishonouredAfter(fixture, ["enterpriseY", "enterpriseX"])) };
}

describe("BillPayments (recourse of a holder that is an earlier party)", function () {
  describe(".claimRecourse()", function () {
    describe("when the chain comes back to the holder (Y → Z → Y)", function () {
      it("refuses recourse against Z, a party after Y's first appearance", async function () {
        const { accounts, suite, billId, links } = await loadFixture(circularChain);
        const payments = suite.billPayments.connect(accounts.enterpriseY);
        await expect(payments.claimRecourse(billId, 1n, accounts.enterpriseZ.address, links))
          .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
          .withArgs(billId, 1n, accounts.enterpriseZ.address);
      });

      it("still lets Y claim from the drawer and from the acceptor", async function () {
        const { accounts, suite, billId, links } = await loadFixture(circularChain);
        const payments = suite.billPayments.connect(accounts.enterpriseY);
        await expect(payments.claimRecourse(billId, 1n, accounts.enterpriseX.address, links)).to.emit(
          payments,
          "RecourseClaimed",
        );
        await payments.withdrawClaim(billId, 1n);
        await expect(payments.claimRecourse(billId, 1n, accounts.bankA.address, links)).to.emit(
          payments,
          "RecourseClaimed",
        );
      });
    });

    describe("when the drawer holds the dishonoured bill", function () {
      it("refuses recourse against an endorser and allows it against the acceptor only", async function () {
        const { accounts, suite, billId, links } = await loadFixture(drawerHolds);
        const payments = suite.billPayments.connect(accounts.enterpriseX);
        await expect(payments.claimRecourse(billId, 1n, accounts.enterpriseY.address, links))
          .to.be.revertedWithCustomError(payments, "PaymentNotLiable")
          .withArgs(billId, 1n, accounts.enterpriseY.address);
        await expect(payments.claimRecourse(billId, 1n, accounts.bankA.address, links))
          .to.emit(payments, "RecourseClaimed")
          .withArgs(billId, 1n, accounts.enterpriseX.address, accounts.bankA.address, FACE);
      });
    });
  });
});
