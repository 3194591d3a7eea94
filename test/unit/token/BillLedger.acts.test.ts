import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  ENTERPRISE_Z_CODE,
  FACE,
  billsPlatform,
  circulatingBill,
  issuedBill,
  type BillFixture,
} from "../../fixtures/bills";
import {
  Act,
  BillType,
  LinkKind,
  RangeState,
  cstDayOf,
  endorse,
  freezeRange,
  issueBill,
  liabilityChain,
  pledge,
  presentForAcceptance,
  presentForReceipt,
  rangesOfBill,
  requestGuarantee,
  sign,
  startOfCstDay,
  type ChainLink,
} from "../../../tasks/lib/bills";
import { EntityKind, suspendEntity } from "../../../tasks/lib/identity";
import type { BillLedger } from "../../../typechain-types";
import { asRegulator } from "../../fixtures/platform";
import { signTx } from "../../fixtures/ledgerActs";

const { ZeroAddress } = hre.ethers;

/** The part Y endorses in the partial scenarios: the first CNY 200,000.00. */
const PART = 20_000_000n;
/** The part Z endorses on from its [1, PART] holding. */
const SUB_PART = 5_000_000n;

/**
 * Checks that the ranges of `billId` cover units 1..`face` exactly once, in order, without gaps or overlaps, and
 * returns them as [start, end, holder, state] rows. Pages of 2 so that paging is exercised too.
 */
async function expectUnitsCovered(ledger: BillLedger, billId: bigint, face = FACE) {
  const ranges = await rangesOfBill(asRegulator(ledger), billId, 2n);
  let next = 1n;
  for (const range of ranges) {
    expect(range.start, `range starting at ${range.start}`).to.equal(next);
    expect(range.end, `range starting at ${range.start}`).to.be.gte(range.start);
    next = range.end + 1n;
  }
  expect(next - 1n, "last unit").to.equal(face);
  return ranges.map((r) => [r.start, r.end, r.holder, r.state] as const);
}

/** Expects the bill to be one range, [1, FACE], held by `holder` in `state` (checked by `expectUnitsCovered`). */
async function expectWhole(ledger: BillLedger, billId: bigint, holder: string, state: string) {
  expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([[1n, FACE, holder, state]]);
}

/** The fields of a range that the acts change. */
async function rangeOf(ledger: BillLedger, billId: bigint, start: bigint) {
  const r = await asRegulator(ledger).rangeAt(billId, start);
  return {
    end: r.end,
    holder: r.holder,
    state: Number(r.state) as RangeState,
    priorState: Number(r.priorState) as RangeState,
    pendingAct: Number(r.pendingAct) as Act,
    noRecourse: r.noRecourse,
    deadline: r.deadline,
    counterparty: r.counterparty,
    chain: r.chain,
  };
}

/**
 * Runs each of `acts` on the range of `billId` at unit 1; expects BillWrongState(…, `state`, Circulating) from each
 * and the range left as it was.
 */
async function expectRefusedIn(
  ledger: BillLedger,
  billId: bigint,
  state: RangeState,
  acts: (() => Promise<unknown>)[],
) {
  const before = await rangeOf(ledger, billId, 1n);
  for (const act of acts) {
    await expect(act())
      .to.be.revertedWithCustomError(ledger, "BillWrongState")
      .withArgs(billId, 1n, state, RangeState.Circulating);
  }
  expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
}

/** Pins the next block's timestamp a few seconds ahead and returns it with the answer deadline it gives. */
async function pinNextBlock(ledger: BillLedger): Promise<{ at: bigint; deadline: bigint }> {
  const at = BigInt(await time.latest()) + 5n;
  await time.setNextBlockTimestamp(at);
  return { at, deadline: at + (await ledger.settings()).answerWindow };
}

/** X draws a bill with its own marks; bank A accepts it and Y receives it (state Circulating). */
async function receivedBillWith(marks: { splittable: boolean; notTransferable: boolean }): Promise<BillFixture> {
  const { accounts, suite } = await loadFixture(billsPlatform);
  const ledger = suite.billLedger;
  const issueDay = cstDayOf((await time.latest()) + 1);
  const maturityDay = issueDay + 90;
  const { billId } = await issueBill(ledger.connect(accounts.enterpriseX), {
    billType: BillType.BankAcceptance,
    acceptor: accounts.bankA.address,
    payee: accounts.enterpriseY.address,
    face: FACE,
    maturityDay,
    tradeBackground: "purchase contract PC-2026-002",
    ...marks,
  });
  await presentForAcceptance(ledger.connect(accounts.enterpriseX), billId);
  await sign(ledger.connect(accounts.bankA), billId, 1n);
  await presentForReceipt(ledger.connect(accounts.enterpriseX), billId);
  await sign(ledger.connect(accounts.enterpriseY), billId, 1n);
  return { accounts, suite, billId, issueDay, maturityDay };
}

async function nonSplittableBill() {
  return receivedBillWith({ splittable: false, notTransferable: false });
}

async function notTransferableBill() {
  return receivedBillWith({ splittable: true, notTransferable: true });
}

/** Y has applied to endorse its whole holding to Z, without the no-recourse mark. */
async function wholeEndorsementPending() {
  const fixture = await loadFixture(circulatingBill);
  const { accounts, suite, billId } = fixture;
  const { deadline } = await pinNextBlock(suite.billLedger);
  await endorse(suite.billLedger.connect(accounts.enterpriseY), billId, 1n, FACE, accounts.enterpriseZ.address);
  return { ...fixture, deadline };
}

/** Y has applied to endorse the first PART units of its holding to Z (the holding is split). */
async function partialEndorsementPending() {
  const fixture = await loadFixture(circulatingBill);
  const { accounts, suite, billId } = fixture;
  const { deadline } = await pinNextBlock(suite.billLedger);
  await endorse(suite.billLedger.connect(accounts.enterpriseY), billId, 1n, PART, accounts.enterpriseZ.address);
  return { ...fixture, deadline };
}

/** Z holds [1, PART] (endorsed by Y, signed), Y holds the rest. */
async function partEndorsed() {
  const fixture = await loadFixture(partialEndorsementPending);
  await sign(fixture.suite.billLedger.connect(fixture.accounts.enterpriseZ), fixture.billId, 1n);
  return fixture;
}

/** Y has pledged its whole holding to bank B, which signed. */
async function pledgedBill() {
  const fixture = await loadFixture(circulatingBill);
  const { accounts, suite, billId } = fixture;
  await pledge(suite.billLedger.connect(accounts.enterpriseY), billId, 1n, FACE, accounts.bankB.address);
  await sign(suite.billLedger.connect(accounts.bankB), billId, 1n);
  return fixture;
}

/** Y's whole holding frozen by the regulator. */
async function frozenBill() {
  const fixture = await loadFixture(circulatingBill);
  await freezeRange(fixture.suite.billLedger.connect(fixture.accounts.regulator), fixture.billId, 1n, FACE);
  return fixture;
}

/**
 * The liability chain scenario: Y endorses all to Z with the no-recourse mark; Z endorses the first PART units to X;
 * X has financeCo guarantee them. [1, PART] carries two endorsements and a guarantee, [PART + 1, FACE] one
 * endorsement.
 */
async function chainedBill() {
  const fixture = await loadFixture(circulatingBill);
  const { accounts, suite, billId } = fixture;
  const { enterpriseX, enterpriseY, enterpriseZ, financeCo } = accounts;
  const ledger = suite.billLedger;
  await endorse(ledger.connect(enterpriseY), billId, 1n, FACE, enterpriseZ.address, true);
  await sign(ledger.connect(enterpriseZ), billId, 1n);
  const afterFirst = (await asRegulator(ledger).rangeAt(billId, 1n)).chain;
  await endorse(ledger.connect(enterpriseZ), billId, 1n, PART, enterpriseX.address);
  const atSplit = [
    (await asRegulator(ledger).rangeAt(billId, 1n)).chain,
    (await asRegulator(ledger).rangeAt(billId, PART + 1n)).chain,
  ];
  await sign(ledger.connect(enterpriseX), billId, 1n);
  await requestGuarantee(ledger.connect(enterpriseX), billId, 1n, PART, financeCo.address);
  await sign(ledger.connect(financeCo), billId, 1n);
  return { ...fixture, afterFirst, atSplit };
}

describe("BillLedger", function () {
  describe(".endorse()", function () {
    describe("when Y applies to endorse its whole holding to Z", function () {
      it("locks the range for Z's answer and emits ApplicationMade and RangeUpdated", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ } = accounts;
        const before = await rangeOf(ledger, billId, 1n);
        const { deadline } = await pinNextBlock(ledger);
        await expect(ledger.connect(enterpriseY).endorse(billId, 1n, FACE, enterpriseZ.address, true))
          .to.emit(ledger, "ApplicationMade")
          .withArgs(billId, 1n, FACE, Act.Endorsement, enterpriseY.address, enterpriseZ.address, deadline, true)
          .and.to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, enterpriseY.address, RangeState.Locked, before.chain)
          .and.not.to.emit(ledger, "RangeSplit");
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
          ...before,
          state: RangeState.Locked,
          priorState: RangeState.Circulating,
          pendingAct: Act.Endorsement,
          noRecourse: true,
          deadline,
          counterparty: enterpriseZ.address,
        });
      });

      it("leaves Y the holder until Z signs", async function () {
        const { accounts, suite, billId } = await loadFixture(wholeEndorsementPending);
        expect((await asRegulator(suite.billLedger).rangeAt(billId, 1n)).holder).to.equal(accounts.enterpriseY.address);
        expect(await expectUnitsCovered(suite.billLedger, billId)).to.deep.equal([
          [1n, FACE, accounts.enterpriseY.address, "Locked"],
        ]);
      });
    });

    describe("when Y applies to endorse the first 20,000,000 units", function () {
      it("splits the holding: the part keeps start 1 and is locked, the rest stays Y's and Circulating", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ } = accounts;
        const chain = (await asRegulator(ledger).rangeAt(billId, 1n)).chain;
        const { deadline } = await pinNextBlock(ledger);
        await expect(ledger.connect(enterpriseY).endorse(billId, 1n, PART, enterpriseZ.address, false))
          .to.emit(ledger, "RangeSplit")
          .withArgs(billId, 1n, PART + 1n)
          .and.to.emit(ledger, "RangeUpdated")
          .withArgs(billId, PART + 1n, FACE, enterpriseY.address, RangeState.Circulating, chain)
          .and.to.emit(ledger, "ApplicationMade")
          .withArgs(billId, 1n, PART, Act.Endorsement, enterpriseY.address, enterpriseZ.address, deadline, false);
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, PART, enterpriseY.address, "Locked"],
          [PART + 1n, FACE, enterpriseY.address, "Circulating"],
        ]);
        const rest = await rangeOf(ledger, billId, PART + 1n);
        expect(rest.pendingAct).to.equal(Act.None);
        expect(rest.counterparty).to.equal(ZeroAddress);
        expect(rest.chain).to.equal(chain);
      });

      it("lets Y act on the rest while the part is pending", async function () {
        const { accounts, suite, billId } = await loadFixture(partialEndorsementPending);
        const ledger = suite.billLedger;
        await expect(
          ledger.connect(accounts.enterpriseY).endorse(billId, PART + 1n, 1n, accounts.enterpriseX.address, false),
        )
          .to.emit(ledger, "RangeSplit")
          .withArgs(billId, PART + 1n, PART + 2n);
        await expectUnitsCovered(ledger, billId);
      });
    });

    describe("when Z endorses on part of the part it received", function () {
      it("splits again: X holds [1, 5,000,000], Z [5,000,001, 20,000,000], Y the rest", async function () {
        const { accounts, suite, billId } = await loadFixture(partEndorsed);
        const ledger = suite.billLedger;
        const { enterpriseX, enterpriseY, enterpriseZ } = accounts;
        await expect(ledger.connect(enterpriseZ).endorse(billId, 1n, SUB_PART, enterpriseX.address, false))
          .to.emit(ledger, "RangeSplit")
          .withArgs(billId, 1n, SUB_PART + 1n);
        await expect(signTx(ledger, enterpriseX, billId))
          .to.emit(ledger, "Endorsed")
          .withArgs(billId, 1n, enterpriseZ.address, enterpriseX.address, false);
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, SUB_PART, enterpriseX.address, "Circulating"],
          [SUB_PART + 1n, PART, enterpriseZ.address, "Circulating"],
          [PART + 1n, FACE, enterpriseY.address, "Circulating"],
        ]);
      });
    });

    describe("when the caller does not hold the range", function () {
      it("reverts BillNotEntitled and leaves the range as it was", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const before = await rangeOf(ledger, billId, 1n);
        await expect(
          ledger.connect(accounts.enterpriseZ).endorse(billId, 1n, FACE, accounts.enterpriseX.address, false),
        )
          .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
          .withArgs(billId, 1n, accounts.enterpriseZ.address);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
      });
    });

    describe("when the amount is zero or more than the holding", function () {
      for (const amount of [0n, FACE + 1n]) {
        it(`reverts BillInvalidAmount for ${amount} units and splits nothing`, async function () {
          const { accounts, suite, billId } = await loadFixture(circulatingBill);
          const ledger = suite.billLedger;
          await expect(ledger.connect(accounts.enterpriseY).endorse(billId, 1n, amount, accounts.enterpriseZ, false))
            .to.be.revertedWithCustomError(ledger, "BillInvalidAmount")
            .withArgs(billId, 1n, FACE, amount);
          await expectWhole(ledger, billId, accounts.enterpriseY.address, "Circulating");
        });
      }

      it("measures the holding from its own start, not from unit 1", async function () {
        const { accounts, suite, billId } = await loadFixture(partEndorsed);
        const ledger = suite.billLedger;
        const size = FACE - PART;
        await expect(
          ledger.connect(accounts.enterpriseY).endorse(billId, PART + 1n, size + 1n, accounts.enterpriseZ, false),
        )
          .to.be.revertedWithCustomError(ledger, "BillInvalidAmount")
          .withArgs(billId, PART + 1n, FACE, size + 1n);
      });
    });

    describe("when the bill was issued not splittable", function () {
      it("reverts BillNotSplittable for part of the holding", async function () {
        const { accounts, suite, billId } = await loadFixture(nonSplittableBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseY).endorse(billId, 1n, PART, accounts.enterpriseZ, false))
          .to.be.revertedWithCustomError(ledger, "BillNotSplittable")
          .withArgs(billId);
        await expectWhole(ledger, billId, accounts.enterpriseY.address, "Circulating");
      });

      it("endorses the whole holding", async function () {
        const { accounts, suite, billId } = await loadFixture(nonSplittableBill);
        const ledger = suite.billLedger;
        await endorse(ledger.connect(accounts.enterpriseY), billId, 1n, FACE, accounts.enterpriseZ.address);
        await expect(signTx(ledger, accounts.enterpriseZ, billId))
          .to.emit(ledger, "Endorsed")
          .withArgs(billId, 1n, accounts.enterpriseY.address, accounts.enterpriseZ.address, false);
        await expectWhole(ledger, billId, accounts.enterpriseZ.address, "Circulating");
      });
    });

    describe("when the drawer marked the bill not transferable", function () {
      it("reverts BillNotTransferable on apply, whole or part", async function () {
        const { accounts, suite, billId } = await loadFixture(notTransferableBill);
        const ledger = suite.billLedger;
        for (const amount of [FACE, PART]) {
          await expect(ledger.connect(accounts.enterpriseY).endorse(billId, 1n, amount, accounts.enterpriseZ, false))
            .to.be.revertedWithCustomError(ledger, "BillNotTransferable")
            .withArgs(billId);
        }
        await expectWhole(ledger, billId, accounts.enterpriseY.address, "Circulating");
      });
    });

    describe("when the endorsee is not an eligible party", function () {
      it("reverts BillInvalidParty for the endorser itself and for the zero address", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const { enterpriseY } = accounts;
        for (const endorsee of [enterpriseY.address, ZeroAddress]) {
          await expect(ledger.connect(enterpriseY).endorse(billId, 1n, FACE, endorsee, false))
            .to.be.revertedWithCustomError(ledger, "BillInvalidParty")
            .withArgs(endorsee);
        }
      });

      it("reverts BillWrongPartyKind for a bank (endorsees are enterprises)", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseY).endorse(billId, 1n, FACE, accounts.bankB, false))
          .to.be.revertedWithCustomError(ledger, "BillWrongPartyKind")
          .withArgs(accounts.bankB.address, EntityKind.Enterprise);
      });

      it("reverts BillUnverifiedParty for an unverified wallet", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseY).endorse(billId, 1n, FACE, accounts.outsider, false))
          .to.be.revertedWithCustomError(ledger, "BillUnverifiedParty")
          .withArgs(accounts.outsider.address);
      });

      it("reverts BillRegulatorParty for the regulator", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseY).endorse(billId, 1n, FACE, accounts.regulator, false))
          .to.be.revertedWithCustomError(ledger, "BillRegulatorParty")
          .withArgs(accounts.regulator.address);
        expect((await asRegulator(ledger).rangeAt(billId, 1n)).state).to.equal(RangeState.Circulating);
      });
    });

    describe("when the range is not Circulating", function () {
      it("reverts BillWrongState for a Locked range", async function () {
        const { accounts, suite, billId } = await loadFixture(wholeEndorsementPending);
        const ledger = suite.billLedger;
        const before = await rangeOf(ledger, billId, 1n);
        await expect(ledger.connect(accounts.enterpriseY).endorse(billId, 1n, PART, accounts.enterpriseX, false))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Locked, RangeState.Circulating);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
      });

      for (const [title, fixture, holder, state] of [
        ["reverts BillWrongState for a Pledged range", pledgedBill, "enterpriseY", RangeState.Pledged],
        ["reverts BillWrongState for a Frozen range", frozenBill, "enterpriseY", RangeState.Frozen],
        [
          "reverts BillWrongState for an Issued bill (the drawer holds it before receipt)",
          issuedBill,
          "enterpriseX",
          RangeState.Issued,
        ],
      ] as const) {
        it(title, async function () {
          const { accounts, suite, billId } = await loadFixture(fixture);
          const ledger = suite.billLedger;
          await expect(ledger.connect(accounts[holder]).endorse(billId, 1n, FACE, accounts.enterpriseZ, false))
            .to.be.revertedWithCustomError(ledger, "BillWrongState")
            .withArgs(billId, 1n, state, RangeState.Circulating);
        });
      }
    });

    describe("when the bill nears maturity", function () {
      it("applies one second before the maturity day starts (CST)", async function () {
        const { accounts, suite, billId, maturityDay } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await time.setNextBlockTimestamp(startOfCstDay(maturityDay) - 1);
        await expect(
          ledger.connect(accounts.enterpriseY).endorse(billId, 1n, FACE, accounts.enterpriseZ, false),
        ).to.emit(ledger, "ApplicationMade");
      });

      for (const offset of [0, 1]) {
        it(`reverts BillMatured at the start of the maturity day + ${offset} s`, async function () {
          const { accounts, suite, billId, maturityDay } = await loadFixture(circulatingBill);
          const ledger = suite.billLedger;
          await time.setNextBlockTimestamp(startOfCstDay(maturityDay) + offset);
          await expect(ledger.connect(accounts.enterpriseY).endorse(billId, 1n, FACE, accounts.enterpriseZ, false))
            .to.be.revertedWithCustomError(ledger, "BillMatured")
            .withArgs(billId, maturityDay);
        });
      }
    });
  });

  describe(".sign()", function () {
    describe("when Z signs Y's whole endorsement", function () {
      it("moves the range to Z, extends the chain and emits Endorsed, ApplicationAnswered, RangeUpdated", async function () {
        const { accounts, suite, billId } = await loadFixture(wholeEndorsementPending);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ } = accounts;
        const links = [{ kind: LinkKind.Endorsement, party: enterpriseY.address, noRecourse: false }];
        const chain = await ledger.chainOf(billId, links);
        await expect(signTx(ledger, enterpriseZ, billId))
          .to.emit(ledger, "Endorsed")
          .withArgs(billId, 1n, enterpriseY.address, enterpriseZ.address, false)
          .and.to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Endorsement, true, enterpriseZ.address)
          .and.to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, enterpriseZ.address, RangeState.Circulating, chain);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
          end: FACE,
          holder: enterpriseZ.address,
          state: RangeState.Circulating,
          priorState: RangeState.None,
          pendingAct: Act.None,
          noRecourse: false,
          deadline: 0n,
          counterparty: ZeroAddress,
          chain,
        });
        await expectWhole(ledger, billId, enterpriseZ.address, "Circulating");
      });
    });

    describe("when Z signs Y's partial endorsement", function () {
      it("gives Z [1, 20,000,000] and leaves Y [20,000,001, 120,000,000]", async function () {
        const { accounts, suite, billId } = await loadFixture(partialEndorsementPending);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ } = accounts;
        await expect(signTx(ledger, enterpriseZ, billId))
          .to.emit(ledger, "Endorsed")
          .withArgs(billId, 1n, enterpriseY.address, enterpriseZ.address, false)
          .and.not.to.emit(ledger, "RangeSplit");
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, PART, enterpriseZ.address, "Circulating"],
          [PART + 1n, FACE, enterpriseY.address, "Circulating"],
        ]);
      });
    });

    describe("when someone other than the endorsee signs", function () {
      it("reverts BillNotEntitled for the endorser and for a third party", async function () {
        const { accounts, suite, billId } = await loadFixture(wholeEndorsementPending);
        const ledger = suite.billLedger;
        const before = await rangeOf(ledger, billId, 1n);
        for (const caller of [accounts.enterpriseY, accounts.enterpriseX]) {
          await expect(signTx(ledger, caller, billId))
            .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
            .withArgs(billId, 1n, caller.address);
        }
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
      });
    });

    describe("when nothing is pending on the range", function () {
      it("reverts BillWrongState(…, Circulating, Locked)", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await expect(signTx(ledger, accounts.enterpriseZ, billId))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Circulating, RangeState.Locked);
      });
    });

    describe("when the answer deadline nears", function () {
      it("signs at deadline − 1", async function () {
        const { accounts, suite, billId, deadline } = await loadFixture(wholeEndorsementPending);
        await time.setNextBlockTimestamp(deadline - 1n);
        await expect(signTx(suite.billLedger, accounts.enterpriseZ, billId)).to.emit(suite.billLedger, "Endorsed");
      });

      for (const offset of [0n, 1n]) {
        it(`reverts BillApplicationExpired at deadline + ${offset}`, async function () {
          const { accounts, suite, billId, deadline } = await loadFixture(wholeEndorsementPending);
          const ledger = suite.billLedger;
          await time.setNextBlockTimestamp(deadline + offset);
          await expect(signTx(ledger, accounts.enterpriseZ, billId))
            .to.be.revertedWithCustomError(ledger, "BillApplicationExpired")
            .withArgs(billId, 1n, deadline);
        });
      }
    });

    describe("when the bill matures between the application and the answer", function () {
      it("reverts BillMatured at sign (the check is made at answer time too)", async function () {
        const { accounts, suite, billId, maturityDay } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const maturityStart = startOfCstDay(maturityDay);
        await time.setNextBlockTimestamp(maturityStart - 60);
        await endorse(ledger.connect(accounts.enterpriseY), billId, 1n, FACE, accounts.enterpriseZ.address);
        await time.setNextBlockTimestamp(maturityStart);
        await expect(signTx(ledger, accounts.enterpriseZ, billId))
          .to.be.revertedWithCustomError(ledger, "BillMatured")
          .withArgs(billId, maturityDay);
        expect((await asRegulator(ledger).rangeAt(billId, 1n)).holder).to.equal(accounts.enterpriseY.address);
      });
    });

    describe("when the endorsee's KYC is suspended before it signs", function () {
      it("reverts BillUnverifiedParty(endorsee); the endorser can still withdraw", async function () {
        const { accounts, suite, billId } = await loadFixture(wholeEndorsementPending);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ } = accounts;
        await suspendEntity(suite.identityRegistry.connect(accounts.bankB), ENTERPRISE_Z_CODE);
        await expect(signTx(ledger, enterpriseZ, billId))
          .to.be.revertedWithCustomError(ledger, "BillUnverifiedParty")
          .withArgs(enterpriseZ.address);
        await expect(ledger.connect(enterpriseY).withdraw(billId, 1n))
          .to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Endorsement, false, enterpriseY.address);
        await expectWhole(ledger, billId, enterpriseY.address, "Circulating");
      });
    });
  });

  describe(".reject()", function () {
    describe("when Z rejects Y's partial endorsement", function () {
      it("returns the part to Circulating with Y and keeps the split (ranges are never merged)", async function () {
        const { accounts, suite, billId } = await loadFixture(partialEndorsementPending);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ } = accounts;
        const chain = (await asRegulator(ledger).rangeAt(billId, 1n)).chain;
        await expect(ledger.connect(enterpriseZ).reject(billId, 1n))
          .to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Endorsement, false, enterpriseZ.address)
          .and.to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, PART, enterpriseY.address, RangeState.Circulating, chain)
          .and.not.to.emit(ledger, "Endorsed");
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, PART, enterpriseY.address, "Circulating"],
          [PART + 1n, FACE, enterpriseY.address, "Circulating"],
        ]);
        const part = await rangeOf(ledger, billId, 1n);
        expect([part.pendingAct, part.counterparty, part.deadline, part.chain]).to.deep.equal([
          Act.None,
          ZeroAddress,
          0n,
          chain,
        ]);
      });
    });

    describe("when someone other than the endorsee rejects", function () {
      it("reverts BillNotEntitled for the endorser", async function () {
        const { accounts, suite, billId } = await loadFixture(wholeEndorsementPending);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseY).reject(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
          .withArgs(billId, 1n, accounts.enterpriseY.address);
        expect((await asRegulator(ledger).rangeAt(billId, 1n)).state).to.equal(RangeState.Locked);
      });
    });
  });

  describe(".withdraw()", function () {
    describe("when Y withdraws its partial endorsement", function () {
      it("returns the part to Circulating with Y and keeps the split", async function () {
        const { accounts, suite, billId } = await loadFixture(partialEndorsementPending);
        const ledger = suite.billLedger;
        const { enterpriseY } = accounts;
        await expect(ledger.connect(enterpriseY).withdraw(billId, 1n))
          .to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Endorsement, false, enterpriseY.address);
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, PART, enterpriseY.address, "Circulating"],
          [PART + 1n, FACE, enterpriseY.address, "Circulating"],
        ]);
      });
    });

    describe("when someone other than the applicant withdraws", function () {
      it("reverts BillNotEntitled for the endorsee", async function () {
        const { accounts, suite, billId } = await loadFixture(wholeEndorsementPending);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseZ).withdraw(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
          .withArgs(billId, 1n, accounts.enterpriseZ.address);
      });
    });
  });

  describe(".clear()", function () {
    describe("when the deadline has come", function () {
      for (const offset of [0n, 1n]) {
        it(`lets anyone clear the application out at deadline + ${offset}, keeping the split`, async function () {
          const { accounts, suite, billId, deadline } = await loadFixture(partialEndorsementPending);
          const ledger = suite.billLedger;
          await time.setNextBlockTimestamp(deadline + offset);
          await expect(ledger.connect(accounts.outsider).clear(billId, 1n))
            .to.emit(ledger, "ApplicationAnswered")
            .withArgs(billId, 1n, Act.Endorsement, false, accounts.outsider.address);
          expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
            [1n, PART, accounts.enterpriseY.address, "Circulating"],
            [PART + 1n, FACE, accounts.enterpriseY.address, "Circulating"],
          ]);
        });
      }
    });

    describe("when the deadline has not come", function () {
      it("reverts BillApplicationPending at deadline − 1", async function () {
        const { accounts, suite, billId, deadline } = await loadFixture(partialEndorsementPending);
        const ledger = suite.billLedger;
        await time.setNextBlockTimestamp(deadline - 1n);
        await expect(ledger.connect(accounts.outsider).clear(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillApplicationPending")
          .withArgs(billId, 1n, deadline);
        expect((await asRegulator(ledger).rangeAt(billId, 1n)).state).to.equal(RangeState.Locked);
      });
    });
  });

  describe(".chainOf()", function () {
    describe("when a range went through two endorsements and a guarantee", function () {
      it("liabilityChain rebuilds the links in order with their kinds, parties and marks", async function () {
        const { accounts, suite, billId } = await loadFixture(chainedBill);
        const { enterpriseY, enterpriseZ, financeCo } = accounts;
        expect(await liabilityChain(asRegulator(suite.billLedger), billId, 1n)).to.deep.equal([
          { kind: LinkKind.Endorsement, party: enterpriseY.address, noRecourse: true },
          { kind: LinkKind.Endorsement, party: enterpriseZ.address, noRecourse: false },
          { kind: LinkKind.Guarantee, party: financeCo.address, noRecourse: false },
        ]);
      });

      it("commits to exactly those links: chainOf equals rangeAt().chain", async function () {
        const { suite, billId } = await loadFixture(chainedBill);
        const ledger = suite.billLedger;
        const links = await liabilityChain(asRegulator(ledger), billId, 1n);
        expect(await ledger.chainOf(billId, links)).to.equal((await asRegulator(ledger).rangeAt(billId, 1n)).chain);
      });

      it("gives a different commitment for a tampered chain", async function () {
        const { accounts, suite, billId } = await loadFixture(chainedBill);
        const ledger = suite.billLedger;
        const links = await liabilityChain(asRegulator(ledger), billId, 1n);
        const committed = (await asRegulator(ledger).rangeAt(billId, 1n)).chain;
        const tampered: Record<string, ChainLink[]> = {
          "wrong party": [{ ...links[0], party: accounts.enterpriseX.address }, ...links.slice(1)],
          "flipped mark": [{ ...links[0], noRecourse: false }, ...links.slice(1)],
          "dropped link": [links[0], links[2]],
          "dropped last link": links.slice(0, 2),
          "swapped links": [links[1], links[0], links[2]],
          "wrong kind": [links[0], links[1], { ...links[2], kind: LinkKind.Endorsement }],
        };
        for (const [name, chain] of Object.entries(tampered)) {
          expect(await ledger.chainOf(billId, chain), name).to.not.equal(committed);
        }
        expect(await ledger.chainOf(billId + 1n, links), "other bill").to.not.equal(committed);
      });
    });

    describe("when a range is split", function () {
      it("gives both parts the parent's chain", async function () {
        const { suite, billId, afterFirst, atSplit } = await loadFixture(chainedBill);
        expect(atSplit).to.deep.equal([afterFirst, afterFirst]);
        expect(await suite.billLedger.chainOf(billId, [])).to.not.equal(afterFirst);
      });

      it("does not change one part's chain when the other is endorsed or guaranteed", async function () {
        const { accounts, suite, billId, afterFirst } = await loadFixture(chainedBill);
        const ledger = suite.billLedger;
        expect((await asRegulator(ledger).rangeAt(billId, PART + 1n)).chain).to.equal(afterFirst);
        expect(await liabilityChain(asRegulator(ledger), billId, PART + 1n)).to.deep.equal([
          { kind: LinkKind.Endorsement, party: accounts.enterpriseY.address, noRecourse: true },
        ]);
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, PART, accounts.enterpriseX.address, "Circulating"],
          [PART + 1n, FACE, accounts.enterpriseZ.address, "Circulating"],
        ]);
      });
    });
  });

  describe(".pledge()", function () {
    describe("when Y pledges its holding and the creditor (bank B) signs", function () {
      it("makes the range Pledged with bank B as counterparty and Y still the holder", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const { bankB, enterpriseY } = accounts;
        const chain = (await asRegulator(ledger).rangeAt(billId, 1n)).chain;
        const { deadline } = await pinNextBlock(ledger);
        await expect(ledger.connect(enterpriseY).pledge(billId, 1n, FACE, bankB.address))
          .to.emit(ledger, "ApplicationMade")
          .withArgs(billId, 1n, FACE, Act.Pledge, enterpriseY.address, bankB.address, deadline, false);
        await expect(signTx(ledger, bankB, billId))
          .to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Pledge, true, bankB.address)
          .and.to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, enterpriseY.address, RangeState.Pledged, chain);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
          end: FACE,
          holder: enterpriseY.address,
          state: RangeState.Pledged,
          priorState: RangeState.None,
          pendingAct: Act.None,
          noRecourse: false,
          deadline: 0n,
          counterparty: bankB.address,
          chain,
        });
      });
    });

    describe("when the drawer marked the bill not transferable", function () {
      it("reverts BillNotTransferable(billId): a pledgee would hold no bill rights", async function () {
        const { accounts, suite, billId } = await loadFixture(notTransferableBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseY).pledge(billId, 1n, FACE, accounts.bankB.address))
          .to.be.revertedWithCustomError(ledger, "BillNotTransferable")
          .withArgs(billId);
        expect((await asRegulator(ledger).rangeAt(billId, 1n)).state).to.equal(RangeState.Circulating);
      });
    });

    describe("when the range is Pledged", function () {
      it("refuses endorse, pledge and guarantee with BillWrongState", async function () {
        const { accounts, suite, billId } = await loadFixture(pledgedBill);
        const ledger = suite.billLedger;
        const byY = ledger.connect(accounts.enterpriseY);
        await expectRefusedIn(ledger, billId, RangeState.Pledged, [
          () => byY.endorse(billId, 1n, FACE, accounts.enterpriseZ, false),
          () => byY.pledge(billId, 1n, FACE, accounts.bankA),
          () => byY.requestGuarantee(billId, 1n, FACE, accounts.financeCo),
        ]);
      });
    });

    describe("when Y pledges part of its holding", function () {
      it("splits: the part is pledged, the rest stays Circulating and unpledged", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const { bankB, enterpriseY } = accounts;
        await expect(ledger.connect(enterpriseY).pledge(billId, 1n, PART, bankB.address))
          .to.emit(ledger, "RangeSplit")
          .withArgs(billId, 1n, PART + 1n);
        await sign(ledger.connect(bankB), billId, 1n);
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, PART, enterpriseY.address, "Pledged"],
          [PART + 1n, FACE, enterpriseY.address, "Circulating"],
        ]);
        expect((await asRegulator(ledger).rangeAt(billId, PART + 1n)).counterparty).to.equal(ZeroAddress);
      });
    });

    describe("when the bill has matured", function () {
      it("reverts BillMatured", async function () {
        const { accounts, suite, billId, maturityDay } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await time.setNextBlockTimestamp(startOfCstDay(maturityDay));
        await expect(ledger.connect(accounts.enterpriseY).pledge(billId, 1n, FACE, accounts.bankB))
          .to.be.revertedWithCustomError(ledger, "BillMatured")
          .withArgs(billId, maturityDay);
      });
    });
    describe("when the bill matures between the application and the creditor's answer", function () {
      it("reverts BillMatured at sign, as an endorsement does", async function () {
        const { accounts, suite, billId, maturityDay } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const maturityStart = startOfCstDay(maturityDay);
        await time.setNextBlockTimestamp(maturityStart - 60);
        await pledge(ledger.connect(accounts.enterpriseY), billId, 1n, FACE, accounts.bankB.address);
        await time.setNextBlockTimestamp(maturityStart);
        await expect(signTx(ledger, accounts.bankB, billId))
          .to.be.revertedWithCustomError(ledger, "BillMatured")
          .withArgs(billId, maturityDay);
      });
    });
  });

  describe(".releasePledge()", function () {
    describe("when the creditor releases", function () {
      it("returns the range to Circulating and clears the counterparty", async function () {
        const { accounts, suite, billId } = await loadFixture(pledgedBill);
        const ledger = suite.billLedger;
        const chain = (await asRegulator(ledger).rangeAt(billId, 1n)).chain;
        await expect(ledger.connect(accounts.bankB).releasePledge(billId, 1n))
          .to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, accounts.enterpriseY.address, RangeState.Circulating, chain);
        const range = await rangeOf(ledger, billId, 1n);
        expect([range.state, range.counterparty, range.holder]).to.deep.equal([
          RangeState.Circulating,
          ZeroAddress,
          accounts.enterpriseY.address,
        ]);
        await endorse(ledger.connect(accounts.enterpriseY), billId, 1n, FACE, accounts.enterpriseZ.address);
      });
    });

    describe("when anyone else releases", function () {
      it("reverts BillNotEntitled for the holder, another bank and the regulator", async function () {
        const { accounts, suite, billId } = await loadFixture(pledgedBill);
        const ledger = suite.billLedger;
        const before = await rangeOf(ledger, billId, 1n);
        for (const caller of [accounts.enterpriseY, accounts.bankA, accounts.regulator]) {
          await expect(ledger.connect(caller).releasePledge(billId, 1n))
            .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
            .withArgs(billId, 1n, caller.address);
        }
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal(before);
      });
    });

    describe("when the range is not pledged", function () {
      it("reverts BillWrongState(…, Circulating, Pledged)", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.bankB).releasePledge(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Circulating, RangeState.Pledged);
      });

      it("reverts BillWrongState(…, Locked, Pledged) while the pledge awaits the creditor's answer", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await pledge(ledger.connect(accounts.enterpriseY), billId, 1n, FACE, accounts.bankB.address);
        await expect(ledger.connect(accounts.bankB).releasePledge(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Locked, RangeState.Pledged);
      });
    });
  });

  describe(".requestGuarantee()", function () {
    describe("when the guarantor (financeCo) signs", function () {
      it("emits Guaranteed, extends the chain, returns the range to Circulating with the same holder", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const { enterpriseY, financeCo } = accounts;
        const { deadline } = await pinNextBlock(ledger);
        await expect(ledger.connect(enterpriseY).requestGuarantee(billId, 1n, FACE, financeCo.address))
          .to.emit(ledger, "ApplicationMade")
          .withArgs(billId, 1n, FACE, Act.Guarantee, enterpriseY.address, financeCo.address, deadline, false);
        const chain = await ledger.chainOf(billId, [
          { kind: LinkKind.Guarantee, party: financeCo.address, noRecourse: false },
        ]);
        await expect(signTx(ledger, financeCo, billId))
          .to.emit(ledger, "Guaranteed")
          .withArgs(billId, 1n, financeCo.address)
          .and.to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Guarantee, true, financeCo.address)
          .and.to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, enterpriseY.address, RangeState.Circulating, chain)
          .and.not.to.emit(ledger, "Endorsed");
        const range = await rangeOf(ledger, billId, 1n);
        expect([range.holder, range.state, range.counterparty, range.chain]).to.deep.equal([
          enterpriseY.address,
          RangeState.Circulating,
          ZeroAddress,
          chain,
        ]);
        expect(await liabilityChain(asRegulator(ledger), billId, 1n)).to.deep.equal([
          { kind: LinkKind.Guarantee, party: financeCo.address, noRecourse: false },
        ]);
      });
    });

    describe("when the guarantor rejects", function () {
      it("leaves the chain unchanged and the range Circulating", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const { enterpriseY, financeCo } = accounts;
        const before = await rangeOf(ledger, billId, 1n);
        await requestGuarantee(ledger.connect(enterpriseY), billId, 1n, PART, financeCo.address);
        await expect(ledger.connect(financeCo).reject(billId, 1n))
          .to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Guarantee, false, financeCo.address)
          .and.not.to.emit(ledger, "Guaranteed");
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({ ...before, end: PART });
        expect((await asRegulator(ledger).rangeAt(billId, PART + 1n)).chain).to.equal(before.chain);
        expect(await liabilityChain(asRegulator(ledger), billId, 1n)).to.deep.equal([]);
        await expectUnitsCovered(ledger, billId);
      });
    });
  });

  describe(".freeze()", function () {
    describe("when the caller is not the regulator", function () {
      it("reverts AccessControlUnauthorizedAccount for freeze and unfreeze", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const role = await ledger.REGULATOR_ROLE();
        for (const caller of [accounts.enterpriseY, accounts.admin, accounts.bankA]) {
          await expect(ledger.connect(caller).freeze(billId, 1n, FACE))
            .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
        }
        await freezeRange(ledger.connect(accounts.regulator), billId, 1n, FACE);
        await expect(ledger.connect(accounts.enterpriseY).unfreeze(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.enterpriseY.address, role);
        expect((await asRegulator(ledger).rangeAt(billId, 1n)).state).to.equal(RangeState.Frozen);
      });
    });

    describe("when the range is Circulating", function () {
      it("freezes it whole; unfreeze returns it to Circulating", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const { enterpriseY, regulator } = accounts;
        const chain = (await asRegulator(ledger).rangeAt(billId, 1n)).chain;
        await expect(ledger.connect(regulator).freeze(billId, 1n, FACE))
          .to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, enterpriseY.address, RangeState.Frozen, chain)
          .and.not.to.emit(ledger, "RangeSplit");
        const frozen = await rangeOf(ledger, billId, 1n);
        expect([frozen.state, frozen.priorState]).to.deep.equal([RangeState.Frozen, RangeState.Circulating]);
        await expect(ledger.connect(regulator).unfreeze(billId, 1n))
          .to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, enterpriseY.address, RangeState.Circulating, chain);
        const thawed = await rangeOf(ledger, billId, 1n);
        expect([thawed.state, thawed.priorState]).to.deep.equal([RangeState.Circulating, RangeState.None]);
      });

      it("freezes part of it (split), leaving the rest free to move", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ, regulator } = accounts;
        await expect(ledger.connect(regulator).freeze(billId, 1n, PART))
          .to.emit(ledger, "RangeSplit")
          .withArgs(billId, 1n, PART + 1n);
        await endorse(ledger.connect(enterpriseY), billId, PART + 1n, FACE - PART, enterpriseZ.address);
        await sign(ledger.connect(enterpriseZ), billId, PART + 1n);
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, PART, enterpriseY.address, "Frozen"],
          [PART + 1n, FACE, enterpriseZ.address, "Circulating"],
        ]);
      });

      it("reverts BillInvalidAmount for more units than the range has", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.regulator).freeze(billId, 1n, FACE + 1n))
          .to.be.revertedWithCustomError(ledger, "BillInvalidAmount")
          .withArgs(billId, 1n, FACE, FACE + 1n);
      });
    });

    describe("when the range is Pledged", function () {
      it("freezes it; unfreeze returns it to Pledged with the creditor kept", async function () {
        const { accounts, suite, billId } = await loadFixture(pledgedBill);
        const ledger = suite.billLedger;
        const { bankB, regulator } = accounts;
        await freezeRange(ledger.connect(regulator), billId, 1n, FACE);
        const frozen = await rangeOf(ledger, billId, 1n);
        expect([frozen.state, frozen.priorState, frozen.counterparty]).to.deep.equal([
          RangeState.Frozen,
          RangeState.Pledged,
          bankB.address,
        ]);
        await expect(ledger.connect(bankB).releasePledge(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Frozen, RangeState.Pledged);
        await ledger.connect(regulator).unfreeze(billId, 1n);
        const thawed = await rangeOf(ledger, billId, 1n);
        expect([thawed.state, thawed.priorState, thawed.counterparty]).to.deep.equal([
          RangeState.Pledged,
          RangeState.None,
          bankB.address,
        ]);
        await expect(ledger.connect(bankB).releasePledge(billId, 1n)).to.emit(ledger, "RangeUpdated");
      });

      it("freezes part of it; the rest stays Pledged to the same creditor", async function () {
        const { accounts, suite, billId } = await loadFixture(pledgedBill);
        const ledger = suite.billLedger;
        const { bankB, enterpriseY, regulator } = accounts;
        await expect(ledger.connect(regulator).freeze(billId, 1n, PART))
          .to.emit(ledger, "RangeSplit")
          .withArgs(billId, 1n, PART + 1n);
        const rest = await rangeOf(ledger, billId, PART + 1n);
        expect([rest.state, rest.counterparty]).to.deep.equal([RangeState.Pledged, bankB.address]);
        await ledger.connect(bankB).releasePledge(billId, PART + 1n);
        await ledger.connect(regulator).unfreeze(billId, 1n);
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, PART, enterpriseY.address, "Pledged"],
          [PART + 1n, FACE, enterpriseY.address, "Circulating"],
        ]);
      });
    });

    describe("when the range is Locked by a pending application", function () {
      it("cancels the application (answered by the regulator, not signed) and freezes the range", async function () {
        const { accounts, suite, billId } = await loadFixture(wholeEndorsementPending);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ, regulator } = accounts;
        await expect(ledger.connect(regulator).freeze(billId, 1n, FACE))
          .to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Endorsement, false, regulator.address)
          .and.to.emit(ledger, "RangeUpdated")
          .withArgs(billId, 1n, FACE, enterpriseY.address, RangeState.Frozen, anyValue);
        const frozen = await rangeOf(ledger, billId, 1n);
        expect([frozen.state, frozen.priorState, frozen.pendingAct, frozen.counterparty]).to.deep.equal([
          RangeState.Frozen,
          RangeState.Circulating,
          Act.None,
          ZeroAddress,
        ]);
        await expect(signTx(ledger, enterpriseZ, billId))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Frozen, RangeState.Locked);
      });

      it("after unfreeze leaves the range Circulating with no pending act", async function () {
        const { accounts, suite, billId } = await loadFixture(wholeEndorsementPending);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ, regulator } = accounts;
        const chain = (await asRegulator(ledger).rangeAt(billId, 1n)).chain;
        await freezeRange(ledger.connect(regulator), billId, 1n, FACE);
        await ledger.connect(regulator).unfreeze(billId, 1n);
        expect(await rangeOf(ledger, billId, 1n)).to.deep.equal({
          end: FACE,
          holder: enterpriseY.address,
          state: RangeState.Circulating,
          priorState: RangeState.None,
          pendingAct: Act.None,
          noRecourse: false,
          deadline: 0n,
          counterparty: ZeroAddress,
          chain,
        });
        await expect(signTx(ledger, enterpriseZ, billId))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Circulating, RangeState.Locked);
      });

      it("cancels a partial application and freezes part of the part", async function () {
        const { accounts, suite, billId } = await loadFixture(partialEndorsementPending);
        const ledger = suite.billLedger;
        const { enterpriseY, regulator } = accounts;
        await expect(ledger.connect(regulator).freeze(billId, 1n, SUB_PART))
          .to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Endorsement, false, regulator.address)
          .and.to.emit(ledger, "RangeSplit")
          .withArgs(billId, 1n, SUB_PART + 1n);
        expect(await expectUnitsCovered(ledger, billId)).to.deep.equal([
          [1n, SUB_PART, enterpriseY.address, "Frozen"],
          [SUB_PART + 1n, PART, enterpriseY.address, "Circulating"],
          [PART + 1n, FACE, enterpriseY.address, "Circulating"],
        ]);
        expect((await asRegulator(ledger).rangeAt(billId, SUB_PART + 1n)).pendingAct).to.equal(Act.None);
      });
    });

    describe("when the bill is still Issued", function () {
      it("freezes it whole; unfreeze returns it to Issued", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        await freezeRange(ledger.connect(accounts.regulator), billId, 1n, FACE);
        expect((await asRegulator(ledger).rangeAt(billId, 1n)).priorState).to.equal(RangeState.Issued);
        await ledger.connect(accounts.regulator).unfreeze(billId, 1n);
        await expectWhole(ledger, billId, accounts.enterpriseX.address, "Issued");
      });

      it("reverts BillNotSplittable for part of it", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.regulator).freeze(billId, 1n, PART))
          .to.be.revertedWithCustomError(ledger, "BillNotSplittable")
          .withArgs(billId);
        await expectWhole(ledger, billId, accounts.enterpriseX.address, "Issued");
      });
    });

    describe("when the range is already Frozen", function () {
      it("reverts BillWrongState(…, Frozen, Circulating)", async function () {
        const { accounts, suite, billId } = await loadFixture(frozenBill);
        const ledger = suite.billLedger;
        const byRegulator = ledger.connect(accounts.regulator);
        await expectRefusedIn(ledger, billId, RangeState.Frozen, [
          () => byRegulator.freeze(billId, 1n, FACE),
          () => byRegulator.freeze(billId, 1n, PART),
        ]);
      });
    });

    describe("when the range is Frozen", function () {
      it("lets nothing move: endorse, pledge, guarantee → BillWrongState(…, Frozen, Circulating)", async function () {
        const { accounts, suite, billId } = await loadFixture(frozenBill);
        const ledger = suite.billLedger;
        const byY = ledger.connect(accounts.enterpriseY);
        await expectRefusedIn(ledger, billId, RangeState.Frozen, [
          () => byY.endorse(billId, 1n, FACE, accounts.enterpriseZ, false),
          () => byY.endorse(billId, 1n, PART, accounts.enterpriseZ, false),
          () => byY.pledge(billId, 1n, FACE, accounts.bankB),
          () => byY.requestGuarantee(billId, 1n, FACE, accounts.financeCo),
        ]);
      });

      it("lets nothing move: sign, reject, withdraw, clear → BillWrongState(…, Frozen, Locked)", async function () {
        const { accounts, suite, billId, deadline } = await loadFixture(wholeEndorsementPending);
        const ledger = suite.billLedger;
        await freezeRange(ledger.connect(accounts.regulator), billId, 1n, FACE);
        await time.increaseTo(deadline);
        const terms = await asRegulator(ledger).applicationTerms(billId, 1n);
        for (const [act, send] of [
          ["sign", () => ledger.connect(accounts.enterpriseZ).sign(billId, 1n, terms)],
          ["reject", () => ledger.connect(accounts.enterpriseZ).reject(billId, 1n)],
          ["withdraw", () => ledger.connect(accounts.enterpriseY).withdraw(billId, 1n)],
          ["clear", () => ledger.connect(accounts.outsider).clear(billId, 1n)],
        ] as const) {
          await expect(send(), act)
            .to.be.revertedWithCustomError(ledger, "BillWrongState")
            .withArgs(billId, 1n, RangeState.Frozen, RangeState.Locked);
        }
        await expectWhole(ledger, billId, accounts.enterpriseY.address, "Frozen");
      });
    });
  });

  describe(".unfreeze()", function () {
    describe("when the range is not Frozen", function () {
      it("reverts BillWrongState(…, Circulating, Frozen)", async function () {
        const { accounts, suite, billId } = await loadFixture(circulatingBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.regulator).unfreeze(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Circulating, RangeState.Frozen);
      });

      it("reverts BillWrongState(…, Pledged, Frozen) for a pledged range", async function () {
        const { accounts, suite, billId } = await loadFixture(pledgedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.regulator).unfreeze(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Pledged, RangeState.Frozen);
      });
    });
  });
});
