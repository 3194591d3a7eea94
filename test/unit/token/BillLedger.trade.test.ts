/*
 * BillLedger.tradeRange: the operator entry of a settlement engine. It checks the range's holder and state, takes
 * the first `amount` units (splitting only a splittable circulating holding: the part keeps the start, the rest
 * starts at start + amount), and gives them a new holder and state. A new holder takes the range by endorsement
 * from the old one (a chain link, `Endorsed`) and must be verified and not a regulator. In Escrowed and Pledged the
 * operator is the counterparty, otherwise there is none. From the maturity day only releases (same holder, back to
 * Circulating) and moves out of Pledged are allowed; releases also work while the ledger is paused and on a range
 * frozen since it was in `state` (the freeze stays, its prior state becomes Circulating).
 *
 * The operator here is a plain test wallet granted OPERATOR_ROLE by the admin, so the ledger's own checks are
 * exercised without the engine's in front of them. Y holds the circulating fixture bill [1, FACE].
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { FACE } from "../../fixtures/bills";
import { operatorBill, type OperatorFixture } from "../../fixtures/ledgerActs";
import {
  BillType,
  LinkKind,
  RangeState,
  freezeRange,
  issueBill,
  presentForAcceptance,
  presentForReceipt,
  sign,
  startOfCstDay,
  unfreezeRange,
} from "../../../tasks/lib/bills";
import { asRegulator } from "../../fixtures/platform";

const { ZeroAddress, AbiCoder, keccak256, id: keccakId } = hre.ethers;
const OPERATOR_ROLE = keccakId("OPERATOR_ROLE");
const PART = 1_000n;

/** The operator fixture plus a second bill, not splittable, circulating with Y. */
async function unsplittableBill(): Promise<OperatorFixture & { rigidId: bigint }> {
  const f = await loadFixture(operatorBill);
  const { enterpriseX: x, enterpriseY: y, bankA } = f.accounts;
  const { billId: rigidId } = await issueBill(f.ledger.connect(x), {
    billType: BillType.BankAcceptance,
    acceptor: bankA.address,
    payee: y.address,
    face: 5_000n,
    maturityDay: f.maturityDay,
    tradeBackground: "purchase contract PC-2026-RIGID",
    splittable: false,
  });
  await presentForAcceptance(f.ledger.connect(x), rigidId);
  await sign(f.ledger.connect(bankA), rigidId, 1n);
  await presentForReceipt(f.ledger.connect(x), rigidId);
  await sign(f.ledger.connect(y), rigidId, 1n);
  return { ...f, rigidId };
}

/** tradeRange by the operator on the fixture bill. */
function trade(
  f: OperatorFixture,
  start: bigint,
  amount: bigint,
  holder: HardhatEthersSigner,
  state: RangeState,
  newHolder: HardhatEthersSigner,
  newState: RangeState,
) {
  return f.ledger
    .connect(f.operator)
    .tradeRange(f.billId, start, amount, holder.address, state, newHolder.address, newState);
}

async function rangeOf(f: OperatorFixture, start: bigint, billId = f.billId) {
  const r = await asRegulator(f.ledger).rangeAt(billId, start);
  return {
    end: r.end,
    holder: r.holder,
    state: Number(r.state) as RangeState,
    priorState: Number(r.priorState) as RangeState,
    counterparty: r.counterparty,
    chain: r.chain,
  };
}

/** The ledger's chain commitment extended by an endorsement by `party`. */
function endorsedBy(chain: bigint, party: string): bigint {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["uint96", "uint8", "address", "bool"],
    [chain, LinkKind.Endorsement, party, false],
  );
  return BigInt(keccak256(encoded)) & ((1n << 96n) - 1n);
}

describe("BillLedger.tradeRange()", function () {
  describe("access", function () {
    it("OPERATOR_ROLE is held by the deployed settlement engine", async function () {
      const f = await loadFixture(operatorBill);
      expect(await f.ledger.hasRole(OPERATOR_ROLE, await f.suite.settlementEngine.getAddress())).to.equal(true);
    });

    for (const name of ["enterpriseY", "admin", "bankA", "regulator", "pauser"] as const) {
      it(`is refused to ${name} (no OPERATOR_ROLE) with AccessControlUnauthorizedAccount`, async function () {
        const f = await loadFixture(operatorBill);
        const caller = f.accounts[name];
        const y = f.accounts.enterpriseY;
        const before = await rangeOf(f, 1n);
        await expect(
          f.ledger
            .connect(caller)
            .tradeRange(f.billId, 1n, PART, y.address, RangeState.Circulating, y.address, RangeState.Escrowed),
        )
          .to.be.revertedWithCustomError(f.ledger, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, OPERATOR_ROLE);
        expect(await rangeOf(f, 1n)).to.deep.equal(before);
      });
    }
  });

  describe("the range checks", function () {
    it("a holder other than the range's is refused with BillNotEntitled(billId, start, holder)", async function () {
      const f = await loadFixture(operatorBill);
      const { bankA } = f.accounts;
      await expect(trade(f, 1n, PART, bankA, RangeState.Circulating, bankA, RangeState.Escrowed))
        .to.be.revertedWithCustomError(f.ledger, "BillNotEntitled")
        .withArgs(f.billId, 1n, bankA.address);
    });

    it("a state other than the range's is refused with BillWrongState(billId, start, state, expected)", async function () {
      const f = await loadFixture(operatorBill);
      const y = f.accounts.enterpriseY;
      await expect(trade(f, 1n, PART, y, RangeState.Escrowed, f.accounts.bankA, RangeState.Circulating))
        .to.be.revertedWithCustomError(f.ledger, "BillWrongState")
        .withArgs(f.billId, 1n, RangeState.Circulating, RangeState.Escrowed);
    });

    it("a start that is no range's is refused with BillUnknownRange", async function () {
      const f = await loadFixture(operatorBill);
      const y = f.accounts.enterpriseY;
      await expect(trade(f, 5n, PART, y, RangeState.Circulating, y, RangeState.Escrowed))
        .to.be.revertedWithCustomError(f.ledger, "BillUnknownRange")
        .withArgs(f.billId, 5n);
    });

    it("0 units, or more than the holding, are refused with BillInvalidAmount", async function () {
      const f = await loadFixture(operatorBill);
      const y = f.accounts.enterpriseY;
      for (const amount of [0n, FACE + 1n]) {
        await expect(trade(f, 1n, amount, y, RangeState.Circulating, y, RangeState.Escrowed))
          .to.be.revertedWithCustomError(f.ledger, "BillInvalidAmount")
          .withArgs(f.billId, 1n, FACE, amount);
      }
    });
  });

  describe("splitting", function () {
    it("part of a splittable circulating holding: the part keeps the start, the rest starts at start + amount", async function () {
      const f = await loadFixture(operatorBill);
      const y = f.accounts.enterpriseY;
      const before = await rangeOf(f, 1n);
      const tx = trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Escrowed);
      await expect(tx)
        .to.emit(f.ledger, "RangeSplit")
        .withArgs(f.billId, 1n, PART + 1n);
      await expect(tx)
        .to.emit(f.ledger, "RangeUpdated")
        .withArgs(f.billId, 1n, PART, y.address, RangeState.Escrowed, before.chain);
      expect(await rangeOf(f, 1n)).to.deep.equal({
        end: PART,
        holder: y.address,
        state: RangeState.Escrowed,
        priorState: RangeState.None,
        counterparty: f.operator.address,
        chain: before.chain,
      });
      expect(await rangeOf(f, PART + 1n)).to.deep.equal({ ...before, end: FACE });
    });

    it("part of an escrowed (not circulating) range is refused with BillNotSplittable", async function () {
      const f = await loadFixture(operatorBill);
      const { enterpriseY: y, bankA } = f.accounts;
      await (await trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Escrowed)).wait();
      await expect(trade(f, 1n, PART - 1n, y, RangeState.Escrowed, bankA, RangeState.Circulating))
        .to.be.revertedWithCustomError(f.ledger, "BillNotSplittable")
        .withArgs(f.billId);
    });

    it("part of a bill issued not splittable is refused with BillNotSplittable; the whole holding moves", async function () {
      const f = await loadFixture(unsplittableBill);
      const y = f.accounts.enterpriseY;
      const escrow = (amount: bigint) =>
        f.ledger
          .connect(f.operator)
          .tradeRange(f.rigidId, 1n, amount, y.address, RangeState.Circulating, y.address, RangeState.Escrowed);
      await expect(escrow(4_999n)).to.be.revertedWithCustomError(f.ledger, "BillNotSplittable").withArgs(f.rigidId);
      await (await escrow(5_000n)).wait();
      const r = await rangeOf(f, 1n, f.rigidId);
      expect([r.end, r.state]).to.deep.equal([5_000n, RangeState.Escrowed]);
    });
  });

  describe("holder and counterparty", function () {
    it("a new holder takes the range by endorsement: Endorsed(billId, start, holder, newHolder, false) and a chain link", async function () {
      const f = await loadFixture(operatorBill);
      const { enterpriseY: y, bankA } = f.accounts;
      const before = await rangeOf(f, 1n);
      const tx = trade(f, 1n, PART, y, RangeState.Circulating, bankA, RangeState.Circulating);
      await expect(tx).to.emit(f.ledger, "Endorsed").withArgs(f.billId, 1n, y.address, bankA.address, false);
      expect(await rangeOf(f, 1n)).to.deep.equal({
        end: PART,
        holder: bankA.address,
        state: RangeState.Circulating,
        priorState: RangeState.None,
        counterparty: ZeroAddress,
        chain: endorsedBy(before.chain, y.address),
      });
      expect((await rangeOf(f, PART + 1n)).chain).to.equal(before.chain);
    });

    it("keeping the holder adds no link and emits no Endorsed", async function () {
      const f = await loadFixture(operatorBill);
      const y = f.accounts.enterpriseY;
      const before = await rangeOf(f, 1n);
      await expect(trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Pledged)).to.not.emit(
        f.ledger,
        "Endorsed",
      );
      expect((await rangeOf(f, 1n)).chain).to.equal(before.chain);
    });

    it("the operator is the counterparty in Escrowed and Pledged, and there is none in Circulating", async function () {
      const f = await loadFixture(operatorBill);
      const { enterpriseY: y, bankA } = f.accounts;
      await (await trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Pledged)).wait();
      expect((await rangeOf(f, 1n)).counterparty).to.equal(f.operator.address);
      await (await trade(f, 1n, PART, y, RangeState.Pledged, y, RangeState.Circulating)).wait();
      expect((await rangeOf(f, 1n)).counterparty).to.equal(ZeroAddress);
      await (await trade(f, 1n, PART, y, RangeState.Circulating, bankA, RangeState.Escrowed)).wait();
      const escrowed = await rangeOf(f, 1n);
      expect([escrowed.holder, escrowed.state, escrowed.counterparty]).to.deep.equal([
        bankA.address,
        RangeState.Escrowed,
        f.operator.address,
      ]);
      await (await trade(f, 1n, PART, bankA, RangeState.Escrowed, y, RangeState.Circulating)).wait();
      const back = await rangeOf(f, 1n);
      expect([back.holder, back.state, back.counterparty]).to.deep.equal([
        y.address,
        RangeState.Circulating,
        ZeroAddress,
      ]);
    });

    it("an unverified new holder is refused with BillUnverifiedParty, a regulator with BillRegulatorParty", async function () {
      const f = await loadFixture(operatorBill);
      const { enterpriseY: y, outsider, regulator } = f.accounts;
      const before = await rangeOf(f, 1n);
      await expect(trade(f, 1n, PART, y, RangeState.Circulating, outsider, RangeState.Circulating))
        .to.be.revertedWithCustomError(f.ledger, "BillUnverifiedParty")
        .withArgs(outsider.address);
      await expect(trade(f, 1n, PART, y, RangeState.Circulating, regulator, RangeState.Circulating))
        .to.be.revertedWithCustomError(f.ledger, "BillRegulatorParty")
        .withArgs(regulator.address);
      expect(await rangeOf(f, 1n)).to.deep.equal(before);
    });
  });

  describe("maturity", function () {
    it("from 00:00 CST of the maturity day a trade is refused with BillMatured; one second before it is allowed", async function () {
      const f = await loadFixture(operatorBill);
      const { enterpriseY: y, bankA } = f.accounts;
      const start = startOfCstDay(f.maturityDay);
      await time.setNextBlockTimestamp(start - 1);
      await (await trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Escrowed)).wait();
      await time.setNextBlockTimestamp(start);
      await expect(trade(f, PART + 1n, PART, y, RangeState.Circulating, y, RangeState.Escrowed))
        .to.be.revertedWithCustomError(f.ledger, "BillMatured")
        .withArgs(f.billId, f.maturityDay);
      await expect(trade(f, 1n, PART, y, RangeState.Escrowed, bankA, RangeState.Circulating))
        .to.be.revertedWithCustomError(f.ledger, "BillMatured")
        .withArgs(f.billId, f.maturityDay);
    });

    it("after maturity a release (same holder, back to Circulating) is allowed", async function () {
      const f = await loadFixture(operatorBill);
      const y = f.accounts.enterpriseY;
      await (await trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Escrowed)).wait();
      await time.increaseTo(startOfCstDay(f.maturityDay) + 3_600);
      await (await trade(f, 1n, PART, y, RangeState.Escrowed, y, RangeState.Circulating)).wait();
      expect((await rangeOf(f, 1n)).state).to.equal(RangeState.Circulating);
    });

    it("after maturity a pledged range may still move to the creditor (a pledge realised)", async function () {
      const f = await loadFixture(operatorBill);
      const { enterpriseY: y, bankA } = f.accounts;
      await (await trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Pledged)).wait();
      await time.increaseTo(startOfCstDay(f.maturityDay) + 3_600);
      await expect(trade(f, 1n, PART, y, RangeState.Pledged, bankA, RangeState.Circulating))
        .to.emit(f.ledger, "Endorsed")
        .withArgs(f.billId, 1n, y.address, bankA.address, false);
      expect((await rangeOf(f, 1n)).holder).to.equal(bankA.address);
    });
  });

  describe("pause and freeze", function () {
    async function escrowedAndPaused() {
      const f = await loadFixture(operatorBill);
      const y = f.accounts.enterpriseY;
      await (await trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Escrowed)).wait();
      await (await trade(f, PART + 1n, PART, y, RangeState.Circulating, y, RangeState.Pledged)).wait();
      await (await f.ledger.connect(f.accounts.pauser).pause()).wait();
      return f;
    }

    it("while the ledger is paused every move but a release is refused with BillPaused", async function () {
      const f = await loadFixture(escrowedAndPaused);
      const { enterpriseY: y, bankA } = f.accounts;
      await expect(
        trade(f, 2n * PART + 1n, PART, y, RangeState.Circulating, y, RangeState.Escrowed),
      ).to.be.revertedWithCustomError(f.ledger, "BillPaused");
      await expect(
        trade(f, 1n, PART, y, RangeState.Escrowed, bankA, RangeState.Circulating),
      ).to.be.revertedWithCustomError(f.ledger, "BillPaused");
      await expect(
        trade(f, PART + 1n, PART, y, RangeState.Pledged, bankA, RangeState.Circulating),
      ).to.be.revertedWithCustomError(f.ledger, "BillPaused");
    });

    it("while the ledger is paused an escrowed or pledged range is released", async function () {
      const f = await loadFixture(escrowedAndPaused);
      const y = f.accounts.enterpriseY;
      await (await trade(f, 1n, PART, y, RangeState.Escrowed, y, RangeState.Circulating)).wait();
      await (await trade(f, PART + 1n, PART, y, RangeState.Pledged, y, RangeState.Circulating)).wait();
      for (const start of [1n, PART + 1n]) {
        const r = await rangeOf(f, start);
        expect([r.holder, r.state, r.counterparty]).to.deep.equal([y.address, RangeState.Circulating, ZeroAddress]);
      }
    });

    it("releasing a frozen escrowed range keeps the freeze and makes its prior state Circulating (also while paused)", async function () {
      const f = await loadFixture(operatorBill);
      const { enterpriseY: y, bankA, regulator, pauser } = f.accounts;
      await (await trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Escrowed)).wait();
      await freezeRange(f.ledger.connect(regulator), f.billId, 1n, PART);
      const frozen = await rangeOf(f, 1n);
      expect([frozen.state, frozen.priorState]).to.deep.equal([RangeState.Frozen, RangeState.Escrowed]);
      // Only a release gets through the freeze.
      await expect(trade(f, 1n, PART, y, RangeState.Escrowed, bankA, RangeState.Circulating))
        .to.be.revertedWithCustomError(f.ledger, "BillWrongState")
        .withArgs(f.billId, 1n, RangeState.Frozen, RangeState.Escrowed);
      await (await f.ledger.connect(pauser).pause()).wait();
      await (await trade(f, 1n, PART, y, RangeState.Escrowed, y, RangeState.Circulating)).wait();
      expect(await rangeOf(f, 1n)).to.deep.equal({
        ...frozen,
        state: RangeState.Frozen,
        priorState: RangeState.Circulating,
        counterparty: ZeroAddress,
      });
      await (await f.ledger.connect(pauser).unpause()).wait();
      await unfreezeRange(f.ledger.connect(regulator), f.billId, 1n);
      const r = await rangeOf(f, 1n);
      expect([r.holder, r.state, r.counterparty]).to.deep.equal([y.address, RangeState.Circulating, ZeroAddress]);
    });

    it("a range pledged by an operator cannot be frozen in part (BillNotSplittable), so a release covers it whole", async function () {
      const f = await loadFixture(operatorBill);
      const { enterpriseY: y, regulator } = f.accounts;
      await (await trade(f, 1n, PART, y, RangeState.Circulating, y, RangeState.Pledged)).wait();
      await expect(f.ledger.connect(regulator).freeze(f.billId, 1n, PART / 2n))
        .to.be.revertedWithCustomError(f.ledger, "BillNotSplittable")
        .withArgs(f.billId);
      await freezeRange(f.ledger.connect(regulator), f.billId, 1n, PART);
      await (await trade(f, 1n, PART, y, RangeState.Pledged, y, RangeState.Circulating)).wait();
      const frozen = await rangeOf(f, 1n);
      expect([frozen.end, frozen.state, frozen.priorState, frozen.counterparty]).to.deep.equal([
        PART,
        RangeState.Frozen,
        RangeState.Circulating,
        ZeroAddress,
      ]);
    });

    it("a release of a range frozen from another state, or by another holder, is refused", async function () {
      const f = await loadFixture(operatorBill);
      const { enterpriseY: y, bankA, regulator } = f.accounts;
      await freezeRange(f.ledger.connect(regulator), f.billId, 1n, PART);
      await expect(trade(f, 1n, PART, y, RangeState.Escrowed, y, RangeState.Circulating))
        .to.be.revertedWithCustomError(f.ledger, "BillWrongState")
        .withArgs(f.billId, 1n, RangeState.Frozen, RangeState.Escrowed);
      await expect(trade(f, 1n, PART, bankA, RangeState.Circulating, bankA, RangeState.Circulating))
        .to.be.revertedWithCustomError(f.ledger, "BillNotEntitled")
        .withArgs(f.billId, 1n, bankA.address);
      const r = await rangeOf(f, 1n);
      expect([r.state, r.priorState]).to.deep.equal([RangeState.Frozen, RangeState.Circulating]);
    });
  });
});
