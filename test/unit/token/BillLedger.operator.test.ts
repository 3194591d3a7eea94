import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { FACE } from "../../fixtures/bills";
import { operatorBill, type OperatorFixture } from "../../fixtures/ledgerActs";
import { RangeState, endorse, freezeRange, pledge, sign } from "../../../tasks/lib/bills";
import { suspendEntity } from "../../../tasks/lib/identity";
import { CODES } from "../../fixtures/platform";
import type { BillLedger } from "../../../typechain-types";

/*
 * BillLedger.settleRange: the operator entry through which platform contracts (BillPayments today, DvP later)
 * move a range after checking its holder and state. The operator here is a plain test wallet granted
 * OPERATOR_ROLE by the admin, so that the ledger's own checks are exercised without BillPayments' in front of
 * them (BillPayments' use of the entry is tested in test/unit/settlement/BillPayments.test.ts).
 *
 * Convention asserted: the ledger checks what it owns (role, pause, range, holder, state, the standing of a new
 * holder) and trusts the operator for the rest (which transitions make sense, the chain commitment). A range that
 * keeps its holder is not re-checked for KYC: payment at maturity must not be blocked by the holder's lapse.
 */

const { ZeroAddress } = hre.ethers;
/** An arbitrary chain commitment: the ledger stores what the operator gives. */
const NEW_CHAIN = 0x1234_5678_9abc_def0_1234_5678n;
/** The part Y endorses or pledges in the split scenarios. */
const PART = 1_000n;

/** settleRange by the operator on the range of the fixture bill at `start`, with the chain NEW_CHAIN. */
function settle(
  { ledger, operator, billId }: OperatorFixture,
  [holder, state]: [string, RangeState],
  [newHolder, newState]: [string, RangeState],
  start = 1n,
) {
  return ledger.connect(operator).settleRange(billId, start, holder, state, newHolder, newState, NEW_CHAIN);
}

async function rangeOf(ledger: BillLedger, billId: bigint, start: bigint) {
  const r = await ledger.rangeAt(billId, start);
  return { end: r.end, holder: r.holder, state: Number(r.state) as RangeState, chain: r.chain };
}

describe("BillLedger", function () {
  describe(".settleRange()", function () {
    describe("OPERATOR_ROLE", function () {
      it("is held by the BillPayments contract the deployment wired, and administered by the default admin", async function () {
        const { suite, ledger, operator } = await loadFixture(operatorBill);
        const role = await ledger.OPERATOR_ROLE();
        expect(await ledger.hasRole(role, await suite.billPayments.getAddress())).to.equal(true);
        expect(await ledger.hasRole(role, operator.address)).to.equal(true);
        expect(await ledger.getRoleAdmin(role)).to.equal(await ledger.DEFAULT_ADMIN_ROLE());
      });
    });

    describe("when the caller does not hold OPERATOR_ROLE", function () {
      for (const name of ["admin", "enterpriseY", "bankA", "regulator", "pauser"] as const) {
        it(`reverts AccessControlUnauthorizedAccount naming ${name} and OPERATOR_ROLE`, async function () {
          const f = await loadFixture(operatorBill);
          const { accounts, ledger, billId } = f;
          const caller = accounts[name];
          const before = await rangeOf(ledger, billId, 1n);
          const y = accounts.enterpriseY.address;
          await expect(
            settle({ ...f, operator: caller }, [y, RangeState.Circulating], [caller.address, RangeState.Presented]),
          )
            .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, await ledger.OPERATOR_ROLE());
          expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
        });
      }

      it("stops working for an operator whose role was revoked", async function () {
        const f = await loadFixture(operatorBill);
        const { accounts, ledger, operator } = f;
        const role = await ledger.OPERATOR_ROLE();
        await ledger.connect(accounts.admin).revokeRole(role, operator.address);
        const y = accounts.enterpriseY.address;
        await expect(settle(f, [y, RangeState.Circulating], [y, RangeState.Presented]))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(operator.address, role);
      });
    });

    describe("when the operator keeps the holder and changes the state", function () {
      it("writes the state and the chain and emits RangeUpdated", async function () {
        const f = await loadFixture(operatorBill);
        const { accounts, ledger, billId } = f;
        const y = accounts.enterpriseY.address;
        await expect(settle(f, [y, RangeState.Circulating], [y, RangeState.Presented]))
          .to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, y, RangeState.Presented, NEW_CHAIN);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
          end: FACE,
          holder: y,
          state: RangeState.Presented,
          chain: NEW_CHAIN,
        });
      });

      it("does not re-check the holder's KYC (a lapsed holder keeps its right to be paid)", async function () {
        const f = await loadFixture(operatorBill);
        const { accounts, suite, ledger, billId } = f;
        await suspendEntity(suite.identityRegistry.connect(accounts.bankB), CODES.enterpriseY);
        const y = accounts.enterpriseY.address;
        await expect(settle(f, [y, RangeState.Circulating], [y, RangeState.Presented]))
          .to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, y, RangeState.Presented, NEW_CHAIN);
      });

      it("moves only the range at start, not the rest of a split holding", async function () {
        const f = await loadFixture(operatorBill);
        const { accounts, ledger, billId } = f;
        const { enterpriseY, enterpriseZ } = accounts;
        await endorse(ledger.connect(enterpriseY), billId, 1n, PART, enterpriseZ.address);
        await sign(ledger.connect(enterpriseZ), billId, 1n);
        const rest = await rangeOf(ledger, billId, PART + 1n);
        const z = enterpriseZ.address;
        await expect(settle(f, [z, RangeState.Circulating], [z, RangeState.Presented]))
          .to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, PART, z, RangeState.Presented, NEW_CHAIN);
        expect(await rangeOf(ledger, billId, PART + 1n)).to.deep.equal(rest);
      });
    });

    describe("when the operator gives the range a new holder", function () {
      it("moves the range to a verified new holder and emits RangeUpdated", async function () {
        const f = await loadFixture(operatorBill);
        const { accounts, ledger, billId } = f;
        const [y, z] = [accounts.enterpriseY.address, accounts.enterpriseZ.address];
        await expect(settle(f, [y, RangeState.Circulating], [z, RangeState.Dishonoured]))
          .to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, z, RangeState.Dishonoured, NEW_CHAIN);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
          end: FACE,
          holder: z,
          state: RangeState.Dishonoured,
          chain: NEW_CHAIN,
        });
      });

      /** Settles Y's holding, still Circulating, to `newHolder`; expects `error(newHolder)`. */
      async function expectNewHolderRefused(f: OperatorFixture, newHolder: string, error: string) {
        const y = f.accounts.enterpriseY.address;
        await expect(settle(f, [y, RangeState.Circulating], [newHolder, RangeState.Circulating]))
          .to.be.revertedWithCustomError(f.ledger, error)
          .withArgs(newHolder);
      }

      it("reverts BillUnverifiedParty(newHolder) for a wallet never verified", async function () {
        const f = await loadFixture(operatorBill);
        const before = await rangeOf(f.ledger, f.billId, 1n);
        await expectNewHolderRefused(f, f.accounts.outsider.address, "BillUnverifiedParty");
        expect(await rangeOf(f.ledger, f.billId, 1n)).to.deep.equal(before);
      });

      it("reverts BillUnverifiedParty(newHolder) for a wallet whose KYC was suspended", async function () {
        const f = await loadFixture(operatorBill);
        await suspendEntity(f.suite.identityRegistry.connect(f.accounts.bankA), CODES.enterpriseX);
        await expectNewHolderRefused(f, f.accounts.enterpriseX.address, "BillUnverifiedParty");
      });

      it("reverts BillUnverifiedParty(0) for the zero address", async function () {
        const f = await loadFixture(operatorBill);
        await expectNewHolderRefused(f, ZeroAddress, "BillUnverifiedParty");
      });

      it("reverts BillRegulatorParty(newHolder) for a regulator wallet", async function () {
        const f = await loadFixture(operatorBill);
        const before = await rangeOf(f.ledger, f.billId, 1n);
        await expectNewHolderRefused(f, f.accounts.regulator.address, "BillRegulatorParty");
        expect(await rangeOf(f.ledger, f.billId, 1n)).to.deep.equal(before);
      });
    });

    describe("when the holder given is not the range's holder", function () {
      for (const name of ["enterpriseX", "enterpriseZ", "outsider"] as const) {
        it(`reverts BillNotEntitled(billId, start, ${name})`, async function () {
          const f = await loadFixture(operatorBill);
          const { accounts, ledger, billId } = f;
          const wrong = accounts[name].address;
          const before = await rangeOf(ledger, billId, 1n);
          await expect(settle(f, [wrong, RangeState.Circulating], [wrong, RangeState.Presented]))
            .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
            .withArgs(billId, 1n, wrong);
          expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
        });
      }
    });

    describe("when the range is not in the state given", function () {
      for (const [name, setUp, actual] of [
        ["circulating (Presented expected)", async () => {}, RangeState.Circulating],
        [
          "pledged",
          async ({ accounts, ledger, billId }: OperatorFixture) => {
            await pledge(ledger.connect(accounts.enterpriseY), billId, 1n, FACE, accounts.bankB.address);
            await sign(ledger.connect(accounts.bankB), billId, 1n);
          },
          RangeState.Pledged,
        ],
        [
          "locked by a pending endorsement",
          async ({ accounts, ledger, billId }: OperatorFixture) => {
            await endorse(ledger.connect(accounts.enterpriseY), billId, 1n, FACE, accounts.enterpriseZ.address);
          },
          RangeState.Locked,
        ],
        [
          "frozen",
          async ({ accounts, ledger, billId }: OperatorFixture) => {
            await freezeRange(ledger.connect(accounts.regulator), billId, 1n, FACE);
          },
          RangeState.Frozen,
        ],
      ] as const) {
        it(`reverts BillWrongState(billId, start, state, expected) when ${name}`, async function () {
          const fixture = await loadFixture(operatorBill);
          const { accounts, ledger, operator, billId } = fixture;
          await setUp(fixture);
          const expected = actual === RangeState.Circulating ? RangeState.Presented : RangeState.Circulating;
          const y = accounts.enterpriseY.address;
          const before = await rangeOf(ledger, billId, 1n);
          await expect(ledger.connect(operator).settleRange(billId, 1n, y, expected, y, RangeState.Redeemed, NEW_CHAIN))
            .to.be.revertedWithCustomError(ledger, "BillWrongState")
            .withArgs(billId, 1n, actual, expected);
          expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
        });
      }
    });

    describe("when no range starts at the unit", function () {
      for (const start of [0n, 2n, FACE + 1n]) {
        it(`reverts BillUnknownRange for start ${start}`, async function () {
          const f = await loadFixture(operatorBill);
          const { accounts, ledger, billId } = f;
          const y = accounts.enterpriseY.address;
          await expect(settle(f, [y, RangeState.Circulating], [y, RangeState.Presented], start))
            .to.be.revertedWithCustomError(ledger, "BillUnknownRange")
            .withArgs(billId, start);
        });
      }
    });

    describe("when the ledger is paused", function () {
      it("reverts BillPaused and leaves the range as it was; works again after unpause", async function () {
        const { accounts, ledger, operator, billId } = await loadFixture(operatorBill);
        const y = accounts.enterpriseY.address;
        const before = await rangeOf(ledger, billId, 1n);
        await ledger.connect(accounts.pauser).pause();
        const settle = () =>
          ledger.connect(operator).settleRange(billId, 1n, y, RangeState.Circulating, y, RangeState.Presented, 0n);
        await expect(settle()).to.be.revertedWithCustomError(ledger, "BillPaused").withArgs();
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
        await ledger.connect(accounts.pauser).unpause();
        await expect(settle()).to.emit(ledger, "RangeUpdated").withArgs(billId, 1n, FACE, y, RangeState.Presented, 0n);
      });
    });
  });
});
