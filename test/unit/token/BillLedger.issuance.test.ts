import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ADMIN_DELAY, CODES, deployedPlatform, entityIdOf } from "../../fixtures/platform";
import { FACE, TENOR_DAYS, billsPlatform, issuedBill } from "../../fixtures/bills";
import type { BillCast, BillFixture } from "../../fixtures/bills";
import { signTx, stateAt } from "../../fixtures/ledgerActs";
import {
  Act,
  BillType,
  RangeState,
  cstDayOf,
  endorse,
  issueBill,
  presentForAcceptance,
  presentForReceipt,
  rangesOf,
  rangesOfBill,
  sign,
  startOfCstDay,
  withdraw,
} from "../../../tasks/lib/bills";
import { EntityKind } from "../../../tasks/lib/identity";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import type { BillLedger } from "../../../typechain-types";
import type { IBillLedger } from "../../../typechain-types/contracts/token/BillLedger";

/*
 * BillLedger: settings, issue, and the first two acts of a bill's life (acceptance and receipt), with the views
 * that list ranges. Endorsement, pledge, guarantee and freeze have their own files.
 *
 * Dates are CST day numbers (UTC+8): day n starts at 16:00:00 UTC of the UTC day n − 1. Tests that depend on
 * "today" first mine a block at noon CST, so the act that follows falls on the same CST day whatever second it
 * is mined in.
 */

const { AbiCoder, MaxUint256, ZeroAddress, id, keccak256 } = hre.ethers;

const HOUR = 3_600;
const DAY = 86_400;
const MS_PER_DAY = DAY * 1_000;
/** As deployed by ignition/modules/BillLedger.ts. */
const MAX_TENOR_MONTHS = 6n;
const PRESENTATION_DAYS = 10n;
const ANSWER_WINDOW = 10n * BigInt(DAY);
const RECOURSE_RATE_BPS = 435n;
/** The largest bill id the range key can hold; anything above it would alias another bill's ranges. */
const MAX_BILL_ID = 2n ** 48n - 1n;
const TRADE = "purchase contract PC-2026-001";

// ---------------------------------------------------------------------------------------------------------------
// Independent models

/** `months` months after CST day `day`, clamped to the end of a shorter month (JavaScript's Date, in UTC). */
function addMonthsModel(day: number, months: number): number {
  const date = new Date(day * MS_PER_DAY);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months; // Date.UTC normalises a month index past 11
  const lastOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(date.getUTCDate(), lastOfMonth)) / MS_PER_DAY;
}

/** The commitment to an empty liability chain: uint96(keccak256(abi.encode("bill-dvp:chain", billId))). */
function genesisChain(billId: bigint): bigint {
  const encoded = AbiCoder.defaultAbiCoder().encode(["string", "uint256"], ["bill-dvp:chain", billId]);
  return BigInt(keccak256(encoded)) & (2n ** 96n - 1n);
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

type RangeResult = Awaited<ReturnType<BillLedger["rangeAt"]>>;

/** A range as a plain object, for deep comparisons. */
function plain(range: RangeResult) {
  return {
    billId: range.billId,
    start: range.start,
    end: range.end,
    holder: range.holder,
    state: Number(range.state),
    priorState: Number(range.priorState),
    pendingAct: Number(range.pendingAct),
    noRecourse: range.noRecourse,
    deadline: range.deadline,
    counterparty: range.counterparty,
    chain: range.chain,
  };
}

/** A settled range: no application pending, no counterparty. */
function settled(billId: bigint, start: bigint, end: bigint, holder: string, state: RangeState, chain: bigint) {
  return {
    billId,
    start,
    end,
    holder,
    state: Number(state),
    priorState: Number(RangeState.None),
    pendingAct: Number(Act.None),
    noRecourse: false,
    deadline: 0n,
    counterparty: ZeroAddress,
    chain,
  };
}

/** A range locked for `act` answered by `counterparty` by `deadline`. */
function locked(
  billId: bigint,
  start: bigint,
  end: bigint,
  holder: string,
  prior: RangeState,
  act: Act,
  counterparty: string,
  deadline: bigint,
  chain: bigint,
) {
  return {
    ...settled(billId, start, end, holder, RangeState.Locked, chain),
    priorState: Number(prior),
    pendingAct: Number(act),
    deadline,
    counterparty,
  };
}

async function rangeAt(ledger: BillLedger, billId: bigint, start: bigint) {
  return plain(await ledger.rangeAt(billId, start));
}

/**
 * Has the drawer (enterprise X) call `method` on the whole fixture bill in a block pinned 10 s ahead; expects
 * ApplicationMade for `act` to `counterparty` with a full answer window, and the bill Locked from `prior`.
 */
async function expectPresented(
  { accounts, suite, billId }: BillFixture,
  method: "presentForAcceptance" | "presentForReceipt",
  [act, prior, counterparty]: [Act, RangeState, string],
) {
  const ledger = suite.billLedger;
  const drawer = accounts.enterpriseX.address;
  const at = (await time.latest()) + 10;
  const deadline = BigInt(at) + ANSWER_WINDOW;
  await time.setNextBlockTimestamp(at);
  const tx = ledger.connect(accounts.enterpriseX)[method](billId);
  await expect(tx)
    .to.emit(ledger, "ApplicationMade")
    .withArgs(billId, 1n, FACE, act, drawer, counterparty, deadline, false);
  await expect(tx)
    .to.emit(ledger, "RangeUpdated")
    .withArgs(billId, 1n, FACE, drawer, RangeState.Locked, genesisChain(billId));
  expect(await rangeAt(ledger, billId, 1n)).to.deep.equal(
    locked(billId, 1n, FACE, drawer, prior, act, counterparty, deadline, genesisChain(billId)),
  );
}

/**
 * Expects `tx` to answer the application for `act` on the whole fixture bill (ApplicationAnswered, `signed`, by
 * `by`) and to leave the bill settled with `holder` in `state` under the genesis chain.
 */
async function expectAnswered(
  ledger: BillLedger,
  tx: Promise<ContractTransactionResponse>,
  billId: bigint,
  [act, signed, by]: [Act, boolean, HardhatEthersSigner],
  [holder, state]: [HardhatEthersSigner, RangeState],
) {
  await expect(tx).to.emit(ledger, "ApplicationAnswered").withArgs(billId, 1n, act, signed, by.address);
  await expect(tx)
    .to.emit(ledger, "RangeUpdated")
    .withArgs(billId, 1n, FACE, holder.address, state, genesisChain(billId));
  expect(await rangeAt(ledger, billId, 1n)).to.deep.equal(
    settled(billId, 1n, FACE, holder.address, state, genesisChain(billId)),
  );
}

/** Mines a block at 12:00 CST of the next CST day and returns that day: the next act is mined on it too. */
async function noonOfNextDay(): Promise<number> {
  const day = cstDayOf(await time.latest()) + 1;
  await time.increaseTo(startOfCstDay(day) + 12 * HOUR);
  return day;
}

/** Mines a block at 12:00 CST of `day`. */
async function noonOf(day: number): Promise<void> {
  await time.increaseTo(startOfCstDay(day) + 12 * HOUR);
}

/** Issue parameters of a valid bank acceptance bill drawn by enterprise X: acceptor bank A, payee enterprise Y. */
function issueParams(
  accounts: BillCast,
  maturityDay: number,
  overrides: Partial<IBillLedger.IssueParamsStruct> = {},
): IBillLedger.IssueParamsStruct {
  return {
    billType: BillType.BankAcceptance,
    acceptor: accounts.bankA.address,
    payee: accounts.enterpriseY.address,
    face: FACE,
    maturityDay,
    tradeHash: id(TRADE),
    notTransferable: false,
    splittable: true,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures built on the shared ones. Each grows from the snapshot of the one before it (nested loadFixture), so
// moving between them replays a transaction or two instead of redeploying the platform.

/** The fixture bill presented for acceptance: locked, bank A to answer by `deadline`. */
async function presentedBill(): Promise<BillFixture & { deadline: bigint }> {
  const fixture = await loadFixture(issuedBill);
  const { accounts, suite, billId } = fixture;
  await presentForAcceptance(suite.billLedger.connect(accounts.enterpriseX), billId);
  const { deadline } = await suite.billLedger.rangeAt(billId, 1n);
  return { ...fixture, deadline };
}

/** The fixture bill accepted by bank A, still held by the drawer. */
async function acceptedBill(): Promise<BillFixture> {
  const fixture = await loadFixture(presentedBill);
  await sign(fixture.suite.billLedger.connect(fixture.accounts.bankA), fixture.billId, 1n);
  return fixture;
}

/** The accepted bill presented to enterprise Y for receipt. */
async function presentedForReceiptBill(): Promise<BillFixture> {
  const fixture = await loadFixture(acceptedBill);
  await presentForReceipt(fixture.suite.billLedger.connect(fixture.accounts.enterpriseX), fixture.billId);
  return fixture;
}

/**
 * Enterprise Y has received the bill: the state of the shared `circulatingBill`, grown from the chain above so
 * that this file deploys the platform for it once instead of once per switch between fixtures.
 */
async function receivedBill(): Promise<BillFixture> {
  const fixture = await loadFixture(presentedForReceiptBill);
  await sign(fixture.suite.billLedger.connect(fixture.accounts.enterpriseY), fixture.billId, 1n);
  return fixture;
}

/**
 * The received bill cut into four ranges by enterprise Y's partial endorsements to enterprise Z:
 * [1, 10] Y Circulating (endorsement withdrawn), [11, 30] Z Circulating (endorsement signed),
 * [31, 60] Y Locked (endorsement pending), [61, FACE] Y Circulating.
 */
async function splitBill(): Promise<BillFixture> {
  const fixture = await loadFixture(receivedBill);
  const { accounts, suite, billId } = fixture;
  const byY = suite.billLedger.connect(accounts.enterpriseY);
  const z = accounts.enterpriseZ.address;
  await endorse(byY, billId, 1n, 10n, z);
  await withdraw(byY, billId, 1n);
  await endorse(byY, billId, 11n, 20n, z);
  await sign(suite.billLedger.connect(accounts.enterpriseZ), billId, 11n);
  await endorse(byY, billId, 31n, 30n, z);
  return fixture;
}

/**
 * Enterprise X holds bills 1..5 (bill 1 the fixture bill, bills 2..5 of face 1_000 × id); bill 3 was accepted and
 * received by enterprise Y.
 */
async function fiveBills(): Promise<BillFixture> {
  const fixture = await loadFixture(issuedBill);
  const { accounts, suite, maturityDay } = fixture;
  const ledger = suite.billLedger;
  for (let i = 2n; i <= 5n; i++) {
    await issueBill(ledger.connect(accounts.enterpriseX), {
      billType: BillType.BankAcceptance,
      acceptor: accounts.bankA.address,
      payee: accounts.enterpriseY.address,
      face: 1_000n * i,
      maturityDay,
      tradeBackground: `invoice ${i}`,
    });
  }
  await presentForAcceptance(ledger.connect(accounts.enterpriseX), 3n);
  await sign(ledger.connect(accounts.bankA), 3n, 1n);
  await presentForReceipt(ledger.connect(accounts.enterpriseX), 3n);
  await sign(ledger.connect(accounts.enterpriseY), 3n, 1n);
  return fixture;
}

/**
 * The five bills with bill 3 split by enterprise Y: [1, 1000] endorsed to enterprise Z (signed), [1001, 1500]
 * locked in an endorsement to Z (pending), [1501, 3000] Y's, circulating.
 */
async function fiveBillsOneSplit(): Promise<BillFixture> {
  const fixture = await loadFixture(fiveBills);
  const { accounts, suite } = fixture;
  const ledger = suite.billLedger;
  const byY = ledger.connect(accounts.enterpriseY);
  const z = accounts.enterpriseZ.address;
  await endorse(byY, 3n, 1n, 1_000n, z);
  await sign(ledger.connect(accounts.enterpriseZ), 3n, 1n);
  await endorse(byY, 3n, 1_001n, 500n, z);
  return fixture;
}

// ---------------------------------------------------------------------------------------------------------------

describe("BillLedger", function () {
  describe("constructor", function () {
    async function deployArgs() {
      const { accounts, suite } = await loadFixture(deployedPlatform);
      const { admin, pauser, regulator } = accounts;
      return [
        await suite.identityRegistry.getAddress(),
        ADMIN_DELAY,
        admin.address,
        pauser.address,
        regulator.address,
        { maxTenorMonths: 6n, presentationDays: 10n, answerWindow: ANSWER_WINDOW, recourseRateBps: RECOURSE_RATE_BPS },
      ] as const;
    }

    it("starts with the settings of the Ignition module: 6 months, 10 days, a 10-day answer window, 4.35 %", async function () {
      const { suite } = await loadFixture(deployedPlatform);
      const settings = await suite.billLedger.settings();
      expect(settings.maxTenorMonths).to.equal(MAX_TENOR_MONTHS);
      expect(settings.presentationDays).to.equal(PRESENTATION_DAYS);
      expect(settings.answerWindow).to.equal(ANSWER_WINDOW);
      expect(settings.recourseRateBps).to.equal(RECOURSE_RATE_BPS);
    });

    it("grants the admin, pauser and regulator roles, checks the given registry, and holds no bill", async function () {
      const { accounts, suite } = await loadFixture(deployedPlatform);
      const ledger = suite.billLedger;
      const { admin, pauser, regulator } = accounts;
      const [pauserRole, regulatorRole] = await Promise.all([ledger.PAUSER_ROLE(), ledger.REGULATOR_ROLE()]);
      expect(await ledger.defaultAdmin()).to.equal(admin.address);
      expect(await ledger.defaultAdminDelay()).to.equal(ADMIN_DELAY);
      expect(await ledger.hasRole(pauserRole, pauser.address)).to.equal(true);
      expect(await ledger.hasRole(regulatorRole, regulator.address)).to.equal(true);
      expect(await ledger.hasRole(pauserRole, admin.address)).to.equal(false);
      expect(await ledger.identityRegistry()).to.equal(await suite.identityRegistry.getAddress());
      expect(await ledger.billCount()).to.equal(0n);
      expect(await ledger.paused()).to.equal(false);
    });

    describe("when a zero address is given", function () {
      for (const [index, role] of [
        [0, "registry"],
        [3, "pauser"],
        [4, "regulator"],
      ] as const) {
        it(`reverts BillInvalidParty(0) for the ${role}`, async function () {
          const args: unknown[] = [...(await deployArgs())];
          args[index] = ZeroAddress;
          const factory = await hre.ethers.getContractFactory("BillLedger");
          await expect(factory.deploy(...(args as Parameters<typeof factory.deploy>)))
            .to.be.revertedWithCustomError(factory, "BillInvalidParty")
            .withArgs(ZeroAddress);
        });
      }
    });

    describe("when the initial settings are out of range", function () {
      it("reverts BillInvalidSettings", async function () {
        const args: unknown[] = [...(await deployArgs())];
        args[5] = {
          maxTenorMonths: 13n,
          presentationDays: 10n,
          answerWindow: ANSWER_WINDOW,
          recourseRateBps: RECOURSE_RATE_BPS,
        };
        const factory = await hre.ethers.getContractFactory("BillLedger");
        await expect(factory.deploy(...(args as Parameters<typeof factory.deploy>))).to.be.revertedWithCustomError(
          factory,
          "BillInvalidSettings",
        );
      });
    });
  });

  describe(".setSettings()", function () {
    describe("when the caller is not the admin", function () {
      it("reverts AccessControlUnauthorizedAccount naming the caller and DEFAULT_ADMIN_ROLE", async function () {
        const { accounts, suite } = await loadFixture(deployedPlatform);
        const ledger = suite.billLedger;
        await expect(
          ledger
            .connect(accounts.pauser)
            .setSettings({ maxTenorMonths: 12, presentationDays: 10, answerWindow: DAY, recourseRateBps: 435 }),
        )
          .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
          .withArgs(accounts.pauser.address, await ledger.DEFAULT_ADMIN_ROLE());
        expect((await ledger.settings()).maxTenorMonths).to.equal(MAX_TENOR_MONTHS);
      });
    });

    describe("when a setting is just outside its range", function () {
      // Valid and different from the deployed settings in every field, so a partial write would show.
      const valid = { maxTenorMonths: 7, presentationDays: 11, answerWindow: 2 * DAY, recourseRateBps: 500 };
      for (const [name, change] of [
        ["maxTenorMonths 0", { maxTenorMonths: 0 }],
        ["maxTenorMonths 13", { maxTenorMonths: 13 }],
        ["presentationDays 0", { presentationDays: 0 }],
        ["presentationDays 367", { presentationDays: 367 }],
        ["answerWindow 3599 s", { answerWindow: HOUR - 1 }],
        ["answerWindow 366 days + 1 s", { answerWindow: 366 * DAY + 1 }],
        ["recourseRateBps 10001", { recourseRateBps: 10_001 }],
      ] as const) {
        it(`reverts BillInvalidSettings for ${name} and keeps the settings`, async function () {
          const { accounts, suite } = await loadFixture(deployedPlatform);
          const ledger = suite.billLedger;
          await expect(
            ledger.connect(accounts.admin).setSettings({ ...valid, ...change }),
          ).to.be.revertedWithCustomError(ledger, "BillInvalidSettings");
          expect(await ledger.settings()).to.deep.equal([
            MAX_TENOR_MONTHS,
            PRESENTATION_DAYS,
            ANSWER_WINDOW,
            RECOURSE_RATE_BPS,
          ]);
        });
      }
    });

    describe("when every setting is at an edge of its range", function () {
      for (const [name, edge] of [
        ["lower", { maxTenorMonths: 1, presentationDays: 1, answerWindow: HOUR, recourseRateBps: 0 }],
        ["upper", { maxTenorMonths: 12, presentationDays: 366, answerWindow: 366 * DAY, recourseRateBps: 10_000 }],
      ] as const) {
        it(`accepts the ${name} edges and emits SettingsChanged`, async function () {
          const { accounts, suite } = await loadFixture(deployedPlatform);
          const ledger = suite.billLedger;
          await expect(ledger.connect(accounts.admin).setSettings(edge))
            .to.emit(ledger, "SettingsChanged")
            .withArgs(edge.maxTenorMonths, edge.presentationDays, edge.answerWindow, edge.recourseRateBps);
          expect(await ledger.settings()).to.deep.equal([
            BigInt(edge.maxTenorMonths),
            BigInt(edge.presentationDays),
            BigInt(edge.answerWindow),
            BigInt(edge.recourseRateBps),
          ]);
        });
      }
    });

    describe("when the answer window changes", function () {
      it("gives the next application the new window", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        await ledger
          .connect(accounts.admin)
          .setSettings({ maxTenorMonths: 6, presentationDays: 10, answerWindow: HOUR, recourseRateBps: 435 });
        const at = (await time.latest()) + 10;
        await time.setNextBlockTimestamp(at);
        await expect(ledger.connect(accounts.enterpriseX).presentForAcceptance(billId))
          .to.emit(ledger, "ApplicationMade")
          .withArgs(
            billId,
            1n,
            FACE,
            Act.Acceptance,
            accounts.enterpriseX.address,
            accounts.bankA.address,
            at + HOUR,
            false,
          );
      });
    });
  });

  describe(".issue()", function () {
    /** Issue reverted: no bill was recorded. */
    async function expectNoBill(ledger: BillLedger) {
      expect(await ledger.billCount()).to.equal(0n);
      await expect(ledger.bill(1n)).to.be.revertedWithCustomError(ledger, "BillUnknown").withArgs(1n);
      await expect(ledger.maturityTerms(1n)).to.be.revertedWithCustomError(ledger, "BillUnknown").withArgs(1n);
      await expect(ledger.maturityDayOf(1n)).to.be.revertedWithCustomError(ledger, "BillUnknown").withArgs(1n);
    }

    /** The bills platform with its ledger and a maturity TENOR_DAYS after the latest block's CST day. */
    async function platformAndMaturity() {
      const { accounts, suite } = await loadFixture(billsPlatform);
      return { accounts, suite, ledger: suite.billLedger, maturityDay: cstDayOf(await time.latest()) + TENOR_DAYS };
    }

    /** Expects `issue` to revert with `error(...args)` and no bill to be recorded. */
    async function expectIssueReverted(issue: Promise<unknown>, ledger: BillLedger, error: string, ...args: unknown[]) {
      await expect(issue)
        .to.be.revertedWithCustomError(ledger, error)
        .withArgs(...args);
      await expectNoBill(ledger);
    }

    /** `partyName` as drawer, acceptor or payee of enterprise X's bill: expects `error(party)` and no bill. */
    async function expectIssueRefusedFor(
      partyName: "outsider" | "regulator",
      role: "drawer" | "acceptor" | "payee",
      error: string,
    ) {
      const { accounts, ledger, maturityDay } = await platformAndMaturity();
      const party = accounts[partyName];
      const drawer = role === "drawer" ? party : accounts.enterpriseX;
      const overrides = role === "drawer" ? {} : { [role]: party.address };
      const issue = ledger.connect(drawer).issue(issueParams(accounts, maturityDay, overrides));
      await expectIssueReverted(issue, ledger, error, party.address);
    }

    describe("when an enterprise draws a valid bill", function () {
      it("records the terms with today's CST day and emits BillIssued and RangeUpdated", async function () {
        const { accounts, suite } = await loadFixture(billsPlatform);
        const ledger = suite.billLedger;
        const { enterpriseX, bankA, enterpriseY } = accounts;
        const today = await noonOfNextDay();
        const maturityDay = today + TENOR_DAYS;
        const params = issueParams(accounts, maturityDay, { notTransferable: true, splittable: false });
        const chain = await ledger.chainOf(1n, []);
        expect(chain).to.equal(genesisChain(1n));

        expect(await ledger.connect(enterpriseX).issue.staticCall(params)).to.equal(1n);
        const tx = ledger.connect(enterpriseX).issue(params);
        await (await tx).wait();
        expect(await ledger.maturityDayOf(1n), "maturityDayOf").to.equal(maturityDay);
        expect(await ledger.maturityTerms(1n), "maturityTerms").to.deep.equal([bankA.address, BigInt(maturityDay)]);
        await expect(tx)
          .to.emit(ledger, "BillIssued")
          .withArgs(
            1n,
            enterpriseX.address,
            bankA.address,
            enterpriseY.address,
            BillType.BankAcceptance,
            FACE,
            today,
            maturityDay,
            id(TRADE),
            true,
            false,
          );
        await expect(tx)
          .to.emit(ledger, "RangeUpdated")
          .withArgs(1n, 1n, FACE, enterpriseX.address, RangeState.Issued, chain);

        const block = await hre.ethers.provider.getBlock((await (await tx).wait())!.blockNumber);
        expect(cstDayOf(block!.timestamp)).to.equal(today); // the issue day is the CST day of the block

        const terms = await ledger.bill(1n);
        expect(terms.billType).to.equal(BigInt(BillType.BankAcceptance));
        expect(terms.drawer).to.equal(enterpriseX.address);
        expect(terms.acceptor).to.equal(bankA.address);
        expect(terms.payee).to.equal(enterpriseY.address);
        expect(terms.face).to.equal(FACE);
        expect(terms.issueDay).to.equal(BigInt(today));
        expect(terms.maturityDay).to.equal(BigInt(maturityDay));
        expect(terms.tradeHash).to.equal(id(TRADE));
        expect(terms.notTransferable).to.equal(true);
        expect(terms.splittable).to.equal(false);
        expect(await ledger.billCount()).to.equal(1n);
        expect(await rangeAt(ledger, 1n, 1n)).to.deep.equal(
          settled(1n, 1n, FACE, enterpriseX.address, RangeState.Issued, chain),
        );
      });

      it("numbers bills from 1 and gives each its own chain commitment", async function () {
        const { accounts, suite } = await loadFixture(billsPlatform);
        const ledger = suite.billLedger.connect(accounts.enterpriseX);
        const maturityDay = cstDayOf(await time.latest()) + TENOR_DAYS;
        await ledger.issue(issueParams(accounts, maturityDay));
        await expect(ledger.issue(issueParams(accounts, maturityDay, { face: 1n })))
          .to.emit(ledger, "RangeUpdated")
          .withArgs(2n, 1n, 1n, accounts.enterpriseX.address, RangeState.Issued, genesisChain(2n));
        expect(await ledger.billCount()).to.equal(2n);
        expect((await ledger.rangeAt(1n, 1n)).chain).to.equal(genesisChain(1n));
        expect(genesisChain(1n)).to.not.equal(genesisChain(2n));
      });
    });

    describe("when the acceptor's kind matches the bill type", function () {
      for (const [type, acceptorName, kind] of [
        [BillType.BankAcceptance, "bankA", "Bank"],
        [BillType.FinanceCompanyAcceptance, "financeCo", "FinanceCompany"],
        [BillType.CommercialAcceptance, "enterpriseZ", "Enterprise"],
      ] as const) {
        it(`issues a ${BillType[type]} bill with a ${kind} acceptor, which can then accept it`, async function () {
          const { accounts, suite } = await loadFixture(billsPlatform);
          const ledger = suite.billLedger;
          const acceptor = accounts[acceptorName];
          const maturityDay = cstDayOf(await time.latest()) + TENOR_DAYS;
          await expect(
            ledger
              .connect(accounts.enterpriseX)
              .issue(issueParams(accounts, maturityDay, { billType: type, acceptor: acceptor.address })),
          ).to.emit(ledger, "BillIssued");
          expect((await ledger.bill(1n)).billType).to.equal(BigInt(type));
          await presentForAcceptance(ledger.connect(accounts.enterpriseX), 1n);
          await sign(ledger.connect(acceptor), 1n, 1n);
          expect((await ledger.rangeAt(1n, 1n)).state).to.equal(BigInt(RangeState.Accepted));
        });
      }
    });

    describe("when the acceptor's kind does not match the bill type", function () {
      for (const [type, acceptorName, expected] of [
        [BillType.BankAcceptance, "financeCo", EntityKind.Bank],
        [BillType.BankAcceptance, "enterpriseZ", EntityKind.Bank],
        [BillType.BankAcceptance, "centralBank", EntityKind.Bank],
        [BillType.FinanceCompanyAcceptance, "bankA", EntityKind.FinanceCompany],
        [BillType.FinanceCompanyAcceptance, "enterpriseZ", EntityKind.FinanceCompany],
        [BillType.CommercialAcceptance, "bankA", EntityKind.Enterprise],
        [BillType.CommercialAcceptance, "financeCo", EntityKind.Enterprise],
      ] as const) {
        it(`reverts BillWrongPartyKind(${acceptorName}, ${EntityKind[expected]}) for a ${BillType[type]} bill`, async function () {
          const { accounts, ledger, maturityDay } = await platformAndMaturity();
          const acceptor = accounts[acceptorName].address;
          const params = issueParams(accounts, maturityDay, { billType: type, acceptor });
          await expectIssueReverted(
            ledger.connect(accounts.enterpriseX).issue(params),
            ledger,
            "BillWrongPartyKind",
            acceptor,
            expected,
          );
        });
      }
    });

    describe("when the drawer or the payee is not an enterprise", function () {
      for (const name of ["bankB", "financeCo", "centralBank"] as const) {
        it(`reverts BillWrongPartyKind(${name}, Enterprise) for ${name} drawing`, async function () {
          const { accounts, ledger, maturityDay } = await platformAndMaturity();
          const drawer = accounts[name];
          const issue = ledger.connect(drawer).issue(issueParams(accounts, maturityDay));
          await expectIssueReverted(issue, ledger, "BillWrongPartyKind", drawer.address, EntityKind.Enterprise);
        });
      }

      for (const name of ["bankB", "financeCo"] as const) {
        it(`reverts BillWrongPartyKind(${name}, Enterprise) for ${name} as payee`, async function () {
          const { accounts, ledger, maturityDay } = await platformAndMaturity();
          const payee = accounts[name].address;
          const issue = ledger.connect(accounts.enterpriseX).issue(issueParams(accounts, maturityDay, { payee }));
          await expectIssueReverted(issue, ledger, "BillWrongPartyKind", payee, EntityKind.Enterprise);
        });
      }
    });

    describe("when a party is not verified", function () {
      for (const role of ["drawer", "acceptor", "payee"] as const) {
        it(`reverts BillUnverifiedParty naming an unverified ${role}`, async function () {
          await expectIssueRefusedFor("outsider", role, "BillUnverifiedParty");
        });
      }

      it("reverts BillUnverifiedParty for a drawer whose KYC was suspended", async function () {
        const { accounts, ledger, suite, maturityDay } = await platformAndMaturity();
        // Enterprise X was verified by bank A.
        await suite.identityRegistry.connect(accounts.bankA).suspendEntity(entityIdOf(CODES.enterpriseX));
        const issue = ledger.connect(accounts.enterpriseX).issue(issueParams(accounts, maturityDay));
        await expectIssueReverted(issue, ledger, "BillUnverifiedParty", accounts.enterpriseX.address);
      });

      it("reverts BillInvalidParty(0) for a zero acceptor, as for a zero payee", async function () {
        const { accounts, ledger, maturityDay } = await platformAndMaturity();
        const params = issueParams(accounts, maturityDay, { acceptor: ZeroAddress });
        await expectIssueReverted(
          ledger.connect(accounts.enterpriseX).issue(params),
          ledger,
          "BillInvalidParty",
          ZeroAddress,
        );
      });
    });

    describe("when the regulator is a party", function () {
      for (const role of ["drawer", "acceptor", "payee"] as const) {
        it(`reverts BillRegulatorParty naming the regulator as ${role}`, async function () {
          await expectIssueRefusedFor("regulator", role, "BillRegulatorParty");
        });
      }
    });

    describe("when the terms are malformed", function () {
      for (const [title, overrides, error, args] of [
        ["reverts BillInvalidType for type None", { billType: BillType.None }, "BillInvalidType", []],
        ["reverts BillZeroFace for a face of 0", { face: 0n }, "BillZeroFace", []],
        ["reverts BillInvalidParty(0) for a zero payee", { payee: ZeroAddress }, "BillInvalidParty", [ZeroAddress]],
      ] as const) {
        it(title, async function () {
          const { accounts, ledger, maturityDay } = await platformAndMaturity();
          const issue = ledger.connect(accounts.enterpriseX).issue(issueParams(accounts, maturityDay, overrides));
          await expectIssueReverted(issue, ledger, error, ...args);
        });
      }
    });

    describe("when the maturity day is not after today", function () {
      for (const [name, offset] of [
        ["today", 0],
        ["yesterday", -1],
      ] as const) {
        it(`reverts BillMaturityNotInFuture(maturityDay, today) for a maturity ${name}`, async function () {
          const { accounts, suite } = await loadFixture(billsPlatform);
          const ledger = suite.billLedger;
          const today = await noonOfNextDay();
          await expect(ledger.connect(accounts.enterpriseX).issue(issueParams(accounts, today + offset)))
            .to.be.revertedWithCustomError(ledger, "BillMaturityNotInFuture")
            .withArgs(today + offset, today);
          await expectNoBill(ledger);
        });
      }

      it("accepts a maturity tomorrow", async function () {
        const { accounts, suite } = await loadFixture(billsPlatform);
        const ledger = suite.billLedger;
        const today = await noonOfNextDay();
        await expect(ledger.connect(accounts.enterpriseX).issue(issueParams(accounts, today + 1))).to.emit(
          ledger,
          "BillIssued",
        );
        expect((await ledger.bill(1n)).maturityDay).to.equal(BigInt(today + 1));
      });
    });

    describe("when the maturity day reaches the tenor cap", function () {
      it("accepts addMonths(today, 6) and reverts BillTenorTooLong one day later", async function () {
        const { accounts, suite } = await loadFixture(billsPlatform);
        const ledger = suite.billLedger.connect(accounts.enterpriseX);
        const today = await noonOfNextDay();
        const latest = addMonthsModel(today, 6);
        await expect(ledger.issue(issueParams(accounts, latest + 1)))
          .to.be.revertedWithCustomError(ledger, "BillTenorTooLong")
          .withArgs(latest + 1, latest);
        await expectNoBill(ledger);
        await expect(ledger.issue(issueParams(accounts, latest))).to.emit(ledger, "BillIssued");
      });

      it("clamps to the end of a shorter month: from a 31st, the cap is the 30th or the 28th/29th", async function () {
        const { accounts, suite } = await loadFixture(billsPlatform);
        const ledger = suite.billLedger.connect(accounts.enterpriseX);
        // The next 31st whose month six months on is shorter (Mar, May, Aug, Oct or Dec).
        let day = cstDayOf(await time.latest()) + 1;
        for (;;) {
          const date = new Date(day * MS_PER_DAY);
          if (date.getUTCDate() === 31 && [2, 4, 7, 9, 11].includes(date.getUTCMonth())) break;
          day += 1;
        }
        await noonOf(day);
        const latest = addMonthsModel(day, 6);
        expect(new Date(latest * MS_PER_DAY).getUTCDate()).to.be.lessThan(31); // the model did clamp
        await expect(ledger.issue(issueParams(accounts, latest + 1)))
          .to.be.revertedWithCustomError(ledger, "BillTenorTooLong")
          .withArgs(latest + 1, latest);
        await expect(ledger.issue(issueParams(accounts, latest))).to.emit(ledger, "BillIssued");
        expect((await ledger.bill(1n)).issueDay).to.equal(BigInt(day));
      });

      it("follows the maxTenorMonths setting (12 months after setSettings)", async function () {
        const { accounts, suite } = await loadFixture(billsPlatform);
        const ledger = suite.billLedger;
        await ledger
          .connect(accounts.admin)
          .setSettings({ maxTenorMonths: 12, presentationDays: 10, answerWindow: DAY, recourseRateBps: 435 });
        const today = await noonOfNextDay();
        const latest = addMonthsModel(today, 12);
        await expect(ledger.connect(accounts.enterpriseX).issue(issueParams(accounts, latest + 1)))
          .to.be.revertedWithCustomError(ledger, "BillTenorTooLong")
          .withArgs(latest + 1, latest);
        await expect(ledger.connect(accounts.enterpriseX).issue(issueParams(accounts, latest))).to.emit(
          ledger,
          "BillIssued",
        );
      });
    });

    describe("when the issue is mined at the CST day boundary", function () {
      it("dates 15:59:59 UTC to the CST day before and 16:00:00 UTC exactly to the next CST day", async function () {
        const { accounts, suite } = await loadFixture(billsPlatform);
        const ledger = suite.billLedger.connect(accounts.enterpriseX);
        const day = cstDayOf(await time.latest()) + 2;
        const midnight = startOfCstDay(day); // 16:00:00 UTC of the UTC day before
        expect(new Date(midnight * 1000).toISOString().slice(11, 19)).to.equal("16:00:00");

        await time.setNextBlockTimestamp(midnight - 1);
        await ledger.issue(issueParams(accounts, day + TENOR_DAYS));
        expect((await ledger.bill(1n)).issueDay).to.equal(BigInt(day - 1));

        await time.setNextBlockTimestamp(midnight);
        await expect(ledger.issue(issueParams(accounts, day + TENOR_DAYS)))
          .to.emit(ledger, "BillIssued")
          .withArgs(
            2n,
            accounts.enterpriseX.address,
            accounts.bankA.address,
            accounts.enterpriseY.address,
            BillType.BankAcceptance,
            FACE,
            day,
            day + TENOR_DAYS,
            id(TRADE),
            false,
            true,
          );
        expect((await ledger.bill(2n)).issueDay).to.equal(BigInt(day));
      });

      it("counts a maturity on the new CST day as today at 16:00:00 UTC (BillMaturityNotInFuture)", async function () {
        const { accounts, suite } = await loadFixture(billsPlatform);
        const ledger = suite.billLedger.connect(accounts.enterpriseX);
        const day = cstDayOf(await time.latest()) + 2;
        await time.setNextBlockTimestamp(startOfCstDay(day));
        await expect(ledger.issue(issueParams(accounts, day)))
          .to.be.revertedWithCustomError(ledger, "BillMaturityNotInFuture")
          .withArgs(day, day);
        await expectNoBill(ledger);
      });
    });

    describe("when the ledger is paused", function () {
      it("reverts BillPaused", async function () {
        const { accounts, ledger, maturityDay } = await platformAndMaturity();
        await ledger.connect(accounts.pauser).pause();
        const issue = ledger.connect(accounts.enterpriseX).issue(issueParams(accounts, maturityDay));
        await expectIssueReverted(issue, ledger, "BillPaused");
      });
    });
  });

  describe(".presentForAcceptance()", function () {
    describe("when the answer deadline would pass 2^32 seconds (the year 2106, past the stored uint32)", function () {
      it("reverts SafeCastOverflowedUintDowncast(32, deadline) and nothing is locked", async function () {
        const { accounts, suite } = await loadFixture(billsPlatform);
        const ledger = suite.billLedger;
        const window = (await ledger.settings()).answerWindow;
        // The parties stay verified past 2106; the bill is presented a minute after 2^32 − the answer window.
        const late = 2n ** 32n - window + 60n;
        const registry = suite.identityRegistry;
        await (await registry.connect(accounts.bankA).renewEntity(entityIdOf(CODES.enterpriseX), late * 2n)).wait();
        await (await registry.connect(accounts.bankB).renewEntity(entityIdOf(CODES.bankA), late * 2n)).wait();
        await (await registry.connect(accounts.bankB).renewEntity(entityIdOf(CODES.enterpriseY), late * 2n)).wait();
        await time.increaseTo(late - 120n);
        const params = issueParams(accounts, cstDayOf(Number(late)) + TENOR_DAYS);
        await (await ledger.connect(accounts.enterpriseX).issue(params)).wait();
        await time.setNextBlockTimestamp(late);
        const present = ledger.connect(accounts.enterpriseX).presentForAcceptance(1n);
        await expect(present)
          .to.be.revertedWithCustomError(ledger, "SafeCastOverflowedUintDowncast")
          .withArgs(32, late + window);
        expect((await ledger.rangeAt(1n, 1n)).state).to.equal(RangeState.Issued);
      });
    });

    describe("when the drawer presents its issued bill", function () {
      it("locks the whole bill for bank A's answer within the answer window", async function () {
        const fixture = await loadFixture(issuedBill);
        const counterparty = fixture.accounts.bankA.address;
        await expectPresented(fixture, "presentForAcceptance", [Act.Acceptance, RangeState.Issued, counterparty]);
      });
    });

    describe("when someone other than the drawer presents", function () {
      for (const name of ["enterpriseY", "bankA"] as const) {
        it(`reverts BillNotEntitled naming ${name} and leaves the bill Issued`, async function () {
          const { accounts, suite, billId } = await loadFixture(issuedBill);
          const ledger = suite.billLedger;
          const caller = accounts[name];
          await expect(ledger.connect(caller).presentForAcceptance(billId))
            .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
            .withArgs(billId, 1n, caller.address);
          expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Issued));
        });
      }

      it("reverts BillUnverifiedParty for an unverified caller (KYC is checked first)", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.outsider).presentForAcceptance(billId))
          .to.be.revertedWithCustomError(ledger, "BillUnverifiedParty")
          .withArgs(accounts.outsider.address);
      });
    });

    describe("when the bill is not in state Issued", function () {
      it("reverts BillWrongState(Locked, Issued) while an acceptance is pending", async function () {
        const { accounts, suite, billId, deadline } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseX).presentForAcceptance(billId))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Locked, RangeState.Issued);
        expect((await ledger.rangeAt(billId, 1n)).deadline).to.equal(deadline);
      });

      it("reverts BillWrongState(Accepted, Issued) once accepted", async function () {
        const { accounts, suite, billId } = await loadFixture(acceptedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseX).presentForAcceptance(billId))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Accepted, RangeState.Issued);
      });
    });

    describe("when the acceptor's KYC is suspended", function () {
      it("reverts BillUnverifiedParty naming the acceptor", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        // Bank A was verified by bank B.
        await suite.identityRegistry.connect(accounts.bankB).suspendEntity(entityIdOf(CODES.bankA));
        await expect(ledger.connect(accounts.enterpriseX).presentForAcceptance(billId))
          .to.be.revertedWithCustomError(ledger, "BillUnverifiedParty")
          .withArgs(accounts.bankA.address);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Issued));
      });
    });

    describe("when the bill does not exist", function () {
      it("reverts BillUnknown", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseX).presentForAcceptance(billId + 1n))
          .to.be.revertedWithCustomError(ledger, "BillUnknown")
          .withArgs(billId + 1n);
      });
    });
  });

  describe(".sign() of an acceptance", function () {
    describe("when the acceptor signs in time", function () {
      it("moves the bill to Accepted, still held by the drawer, and emits ApplicationAnswered", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        const { enterpriseX, bankA } = accounts;
        const tx = signTx(ledger, bankA, billId);
        await expectAnswered(ledger, tx, billId, [Act.Acceptance, true, bankA], [enterpriseX, RangeState.Accepted]);
      });

      it("accepts a signature at deadline − 1 s", async function () {
        const { accounts, suite, billId, deadline } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        await time.setNextBlockTimestamp(deadline - 1n);
        await expect(signTx(ledger, accounts.bankA, billId))
          .to.emit(ledger, "ApplicationAnswered")
          .withArgs(billId, 1n, Act.Acceptance, true, accounts.bankA.address);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Accepted));
      });
    });

    describe("when the answer deadline has come", function () {
      for (const [name, offset] of [
        ["exactly at the deadline", 0n],
        ["at deadline + 1 s", 1n],
      ] as const) {
        it(`reverts BillApplicationExpired ${name} and leaves the bill Locked`, async function () {
          const { accounts, suite, billId, deadline } = await loadFixture(presentedBill);
          const ledger = suite.billLedger;
          await time.setNextBlockTimestamp(deadline + offset);
          await expect(signTx(ledger, accounts.bankA, billId))
            .to.be.revertedWithCustomError(ledger, "BillApplicationExpired")
            .withArgs(billId, 1n, deadline);
          expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Locked));
        });
      }
    });

    describe("when someone other than the acceptor signs", function () {
      for (const name of ["bankB", "enterpriseX", "enterpriseY", "outsider"] as const) {
        it(`reverts BillNotEntitled naming ${name}`, async function () {
          const { accounts, suite, billId, deadline } = await loadFixture(presentedBill);
          const ledger = suite.billLedger;
          const caller = accounts[name];
          await expect(signTx(ledger, caller, billId))
            .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
            .withArgs(billId, 1n, caller.address);
          const range = await ledger.rangeAt(billId, 1n);
          expect([range.state, range.deadline]).to.deep.equal([BigInt(RangeState.Locked), deadline]);
        });
      }
    });

    describe("when the acceptor's KYC was suspended after the presentation", function () {
      it("reverts BillUnverifiedParty naming the acceptor, and signs once reinstated", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        const byB = suite.identityRegistry.connect(accounts.bankB); // bank B verified bank A
        await byB.suspendEntity(entityIdOf(CODES.bankA));
        await expect(signTx(ledger, accounts.bankA, billId))
          .to.be.revertedWithCustomError(ledger, "BillUnverifiedParty")
          .withArgs(accounts.bankA.address);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Locked));
        await byB.reinstateEntity(entityIdOf(CODES.bankA));
        await sign(ledger.connect(accounts.bankA), billId, 1n);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Accepted));
      });
    });

    describe("when the drawer's KYC was suspended after the presentation", function () {
      it("reverts BillUnverifiedParty naming the drawer", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        await suite.identityRegistry.connect(accounts.bankA).suspendEntity(entityIdOf(CODES.enterpriseX));
        await expect(signTx(ledger, accounts.bankA, billId))
          .to.be.revertedWithCustomError(ledger, "BillUnverifiedParty")
          .withArgs(accounts.enterpriseX.address);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Locked));
      });
    });

    describe("when the range is not locked", function () {
      it("reverts BillWrongState(Issued, Locked)", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        await expect(signTx(ledger, accounts.bankA, billId))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Issued, RangeState.Locked);
      });
    });
  });

  describe(".reject() of an acceptance", function () {
    describe("when the acceptor rejects", function () {
      it("returns the bill to Issued and emits ApplicationAnswered(signed = false, by the acceptor)", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        const { enterpriseX, bankA } = accounts;
        const tx = ledger.connect(bankA).reject(billId, 1n);
        await expectAnswered(ledger, tx, billId, [Act.Acceptance, false, bankA], [enterpriseX, RangeState.Issued]);
      });

      it("lets the drawer present again, and the acceptor then accept", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        await ledger.connect(accounts.bankA).reject(billId, 1n);
        await expect(ledger.connect(accounts.enterpriseX).presentForAcceptance(billId)).to.emit(
          ledger,
          "ApplicationMade",
        );
        await sign(ledger.connect(accounts.bankA), billId, 1n);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Accepted));
      });
    });

    describe("when someone other than the acceptor rejects", function () {
      for (const name of ["enterpriseX", "bankB"] as const) {
        it(`reverts BillNotEntitled naming ${name}`, async function () {
          const { accounts, suite, billId } = await loadFixture(presentedBill);
          const ledger = suite.billLedger;
          const caller = accounts[name];
          await expect(ledger.connect(caller).reject(billId, 1n))
            .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
            .withArgs(billId, 1n, caller.address);
          expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Locked));
        });
      }
    });
  });

  describe(".withdraw() of an acceptance", function () {
    describe("when the drawer withdraws", function () {
      it("returns the bill to Issued and emits ApplicationAnswered(signed = false, by the drawer)", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        const { enterpriseX } = accounts;
        const tx = ledger.connect(enterpriseX).withdraw(billId, 1n);
        await expectAnswered(
          ledger,
          tx,
          billId,
          [Act.Acceptance, false, enterpriseX],
          [enterpriseX, RangeState.Issued],
        );
      });
    });

    describe("when someone other than the drawer withdraws", function () {
      it("reverts BillNotEntitled naming the acceptor", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.bankA).withdraw(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
          .withArgs(billId, 1n, accounts.bankA.address);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Locked));
      });
    });
  });

  describe(".clear() of an acceptance", function () {
    describe("when the deadline has not come", function () {
      it("reverts BillApplicationPending at deadline − 1 s", async function () {
        const { accounts, suite, billId, deadline } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        await time.setNextBlockTimestamp(deadline - 1n);
        await expect(ledger.connect(accounts.outsider).clear(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillApplicationPending")
          .withArgs(billId, 1n, deadline);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Locked));
      });
    });

    describe("when the deadline has come", function () {
      it("lets anyone (an unverified outsider) clear it exactly at the deadline, back to Issued", async function () {
        const { accounts, suite, billId, deadline } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        const { enterpriseX, outsider } = accounts;
        await time.setNextBlockTimestamp(deadline);
        const tx = ledger.connect(outsider).clear(billId, 1n);
        await expectAnswered(ledger, tx, billId, [Act.Acceptance, false, outsider], [enterpriseX, RangeState.Issued]);
      });
    });

    describe("when nothing is pending", function () {
      it("reverts BillWrongState(Issued, Locked)", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.outsider).clear(billId, 1n))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Issued, RangeState.Locked);
      });
    });
  });

  describe(".presentForReceipt()", function () {
    describe("when the drawer presents its accepted bill", function () {
      it("locks the bill for the payee's answer", async function () {
        const fixture = await loadFixture(acceptedBill);
        const counterparty = fixture.accounts.enterpriseY.address;
        await expectPresented(fixture, "presentForReceipt", [Act.Receipt, RangeState.Accepted, counterparty]);
      });
    });

    describe("when the bill is not in state Accepted", function () {
      it("reverts BillWrongState(Issued, Accepted) before acceptance", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseX).presentForReceipt(billId))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Issued, RangeState.Accepted);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Issued));
      });

      it("reverts BillWrongState(Locked, Accepted) while acceptance is pending", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseX).presentForReceipt(billId))
          .to.be.revertedWithCustomError(ledger, "BillWrongState")
          .withArgs(billId, 1n, RangeState.Locked, RangeState.Accepted);
      });

      it("reverts BillNotEntitled naming the drawer once the payee holds it", async function () {
        const { accounts, suite, billId } = await loadFixture(receivedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseX).presentForReceipt(billId))
          .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
          .withArgs(billId, 1n, accounts.enterpriseX.address);
      });
    });

    describe("when someone other than the drawer presents", function () {
      it("reverts BillNotEntitled naming the payee", async function () {
        const { accounts, suite, billId } = await loadFixture(acceptedBill);
        const ledger = suite.billLedger;
        await expect(ledger.connect(accounts.enterpriseY).presentForReceipt(billId))
          .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
          .withArgs(billId, 1n, accounts.enterpriseY.address);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Accepted));
      });
    });
  });

  describe(".sign() of a receipt", function () {
    describe("when the payee signs", function () {
      it("makes the payee the holder and the bill Circulating", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedForReceiptBill);
        const ledger = suite.billLedger;
        const { enterpriseY } = accounts;
        const tx = signTx(ledger, enterpriseY, billId);
        await expectAnswered(
          ledger,
          tx,
          billId,
          [Act.Receipt, true, enterpriseY],
          [enterpriseY, RangeState.Circulating],
        );
      });
    });

    describe("when someone other than the payee signs", function () {
      for (const name of ["bankA", "enterpriseX"] as const) {
        it(`reverts BillNotEntitled naming ${name}`, async function () {
          const { accounts, suite, billId } = await loadFixture(presentedForReceiptBill);
          const ledger = suite.billLedger;
          const caller = accounts[name];
          await expect(signTx(ledger, caller, billId))
            .to.be.revertedWithCustomError(ledger, "BillNotEntitled")
            .withArgs(billId, 1n, caller.address);
          expect((await ledger.rangeAt(billId, 1n)).holder).to.equal(accounts.enterpriseX.address);
        });
      }
    });

    describe("when the payee's KYC was suspended", function () {
      it("reverts BillUnverifiedParty naming the payee", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedForReceiptBill);
        const ledger = suite.billLedger;
        // Enterprise Y was verified by bank B.
        await suite.identityRegistry.connect(accounts.bankB).suspendEntity(entityIdOf(CODES.enterpriseY));
        await expect(signTx(ledger, accounts.enterpriseY, billId))
          .to.be.revertedWithCustomError(ledger, "BillUnverifiedParty")
          .withArgs(accounts.enterpriseY.address);
        expect((await ledger.rangeAt(billId, 1n)).holder).to.equal(accounts.enterpriseX.address);
      });
    });
  });

  describe(".reject() and .withdraw() of a receipt", function () {
    for (const [when, title, answerer, answer] of [
      ["when the payee rejects", "returns the bill to Accepted, held by the drawer", "enterpriseY", "reject"],
      ["when the drawer withdraws", "returns the bill to Accepted", "enterpriseX", "withdraw"],
    ] as const) {
      describe(when, function () {
        it(title, async function () {
          const { accounts, suite, billId } = await loadFixture(presentedForReceiptBill);
          const ledger = suite.billLedger;
          const by = accounts[answerer];
          await expect(ledger.connect(by)[answer](billId, 1n))
            .to.emit(ledger, "ApplicationAnswered")
            .withArgs(billId, 1n, Act.Receipt, false, by.address);
          expect(await rangeAt(ledger, billId, 1n)).to.deep.equal(
            settled(billId, 1n, FACE, accounts.enterpriseX.address, RangeState.Accepted, genesisChain(billId)),
          );
        });
      });
    }
  });

  describe(".rangesOfBill()", function () {
    const starts = (page: RangeResult[]) => page.map((r) => r.start);

    describe("when a bill is split into four ranges", function () {
      it("returns one range per page with limit 1, `next` pointing at the following range", async function () {
        const { suite, billId } = await loadFixture(splitBill);
        const ledger = suite.billLedger;
        const pages: bigint[][] = [];
        const nexts: bigint[] = [];
        let cursor = 1n;
        while (cursor !== 0n) {
          const [page, next] = await ledger.rangesOfBill(billId, cursor, 1n);
          pages.push(starts(page));
          nexts.push(next);
          cursor = next;
        }
        expect(pages).to.deep.equal([[1n], [11n], [31n], [61n]]);
        expect(nexts).to.deep.equal([11n, 31n, 61n, 0n]);
      });

      it("returns two ranges per page with limit 2", async function () {
        const { accounts, suite, billId } = await loadFixture(splitBill);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ } = accounts;
        const [first, next1] = await ledger.rangesOfBill(billId, 1n, 2n);
        expect(first.map(plain)).to.deep.equal([
          settled(billId, 1n, 10n, enterpriseY.address, RangeState.Circulating, genesisChain(billId)),
          {
            ...settled(billId, 11n, 30n, enterpriseZ.address, RangeState.Circulating, 0n),
            chain: (await ledger.rangeAt(billId, 11n)).chain,
          },
        ]);
        expect(next1).to.equal(31n);
        const [second, next2] = await ledger.rangesOfBill(billId, next1, 2n);
        expect(second.map((r) => [r.start, r.end, r.holder, Number(r.state)])).to.deep.equal([
          [31n, 60n, enterpriseY.address, RangeState.Locked],
          [61n, FACE, enterpriseY.address, RangeState.Circulating],
        ]);
        expect(next2).to.equal(0n);
      });

      it("returns every range with limit 100, or with a limit of exactly four, and `next` 0", async function () {
        const { suite, billId } = await loadFixture(splitBill);
        const ledger = suite.billLedger;
        for (const limit of [100n, 4n]) {
          const [page, next] = await ledger.rangesOfBill(billId, 1n, limit);
          expect(page.map((r) => [r.start, r.end])).to.deep.equal([
            [1n, 10n],
            [11n, 30n],
            [31n, 60n],
            [61n, FACE],
          ]);
          expect(next).to.equal(0n);
        }
        const [, nextAfterThree] = await ledger.rangesOfBill(billId, 1n, 3n);
        expect(nextAfterThree).to.equal(61n);
        expect((await rangesOfBill(ledger, billId, 1n)).map((r) => r.units)).to.deep.equal([10n, 20n, 30n, FACE - 60n]);
      });

      it("starts a page at any range start, e.g. the last one", async function () {
        const { suite, billId } = await loadFixture(splitBill);
        const [page, next] = await suite.billLedger.rangesOfBill(billId, 61n, 100n);
        expect(starts(page)).to.deep.equal([61n]);
        expect(next).to.equal(0n);
      });
    });

    describe("when fromStart is not the start of a range", function () {
      for (const fromStart of [5n, 12n, FACE]) {
        it(`reverts BillUnknownRange for unit ${fromStart}`, async function () {
          const { suite, billId } = await loadFixture(splitBill);
          const ledger = suite.billLedger;
          await expect(ledger.rangesOfBill(billId, fromStart, 2n))
            .to.be.revertedWithCustomError(ledger, "BillUnknownRange")
            .withArgs(billId, fromStart);
        });
      }
    });

    describe("when the limit is 0", function () {
      it("returns no range and `next` = fromStart, so the caller can resume there", async function () {
        const { suite, billId } = await loadFixture(splitBill);
        const ledger = suite.billLedger;
        for (const fromStart of [1n, 31n, 61n]) {
          const [page, next] = await ledger.rangesOfBill(billId, fromStart, 0n);
          expect([page.length, next]).to.deep.equal([0, fromStart]);
        }
      });
    });

    describe("when fromStart is 0 or past the face", function () {
      it("returns no range and `next` 0", async function () {
        const { suite, billId } = await loadFixture(splitBill);
        const ledger = suite.billLedger;
        for (const fromStart of [0n, FACE + 1n]) {
          const [page, next] = await ledger.rangesOfBill(billId, fromStart, 10n);
          expect([page.length, next]).to.deep.equal([0, 0n]);
        }
      });
    });

    describe("when the bill does not exist", function () {
      it("reverts BillUnknown", async function () {
        const { suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        await expect(ledger.rangesOfBill(billId + 1n, 1n, 10n))
          .to.be.revertedWithCustomError(ledger, "BillUnknown")
          .withArgs(billId + 1n);
      });
    });
  });

  describe(".rangesOf()", function () {
    /** The cursor of the range of `billId` starting at `start`. */
    const key = (billId: bigint, start: bigint) => (billId << 48n) | start;
    const listed = (page: RangeResult[]) => page.map((r) => `${r.billId}@${r.start}`);

    /** `holder`'s pages of `maxRanges` ranges from cursor 0: what each lists and the nextCursor it returns. */
    async function walk(ledger: BillLedger, holder: string, maxRanges: bigint) {
      const pages: [string[], bigint][] = [];
      let cursor = 0n;
      do {
        const [page, next] = await ledger.rangesOf(holder, cursor, maxRanges);
        pages.push([listed(page), next]);
        cursor = next;
      } while (cursor !== 0n);
      return pages;
    }

    // Seven ranges in ledger order: 1@1 X, 2@1 X, 3@1 Z, 3@1001 Y (locked), 3@1501 Y, 4@1 X, 5@1 X.
    describe("when holders hold ranges of several bills, one of them split", function () {
      it("examines two ranges per page with maxRanges 2, whoever holds them, and lists the holder's", async function () {
        const { accounts, suite } = await loadFixture(fiveBillsOneSplit);
        expect(await walk(suite.billLedger, accounts.enterpriseX.address, 2n)).to.deep.equal([
          [["1@1", "2@1"], key(3n, 1n)],
          [[], key(3n, 1_501n)], // bill 3's first two ranges are Z's and Y's
          [["4@1"], key(5n, 1n)],
          [["5@1"], 0n],
        ]);
      });

      it("gives a holder that holds nothing in a page an empty page whose nextCursor still moves on", async function () {
        const { accounts, suite } = await loadFixture(fiveBillsOneSplit);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ } = accounts;
        expect(await walk(ledger, enterpriseY.address, 2n)).to.deep.equal([
          [[], key(3n, 1n)],
          [["3@1001"], key(3n, 1_501n)],
          [["3@1501"], key(5n, 1n)],
          [[], 0n],
        ]);
        expect(await walk(ledger, enterpriseZ.address, 3n)).to.deep.equal([
          [["3@1"], key(3n, 1_001n)],
          [[], key(5n, 1n)],
          [[], 0n],
        ]);
      });

      it("ends a page inside a bill and resumes there: pages of three ranges", async function () {
        const { accounts, suite } = await loadFixture(fiveBillsOneSplit);
        const ledger = suite.billLedger;
        const y = accounts.enterpriseY.address;
        const [p1, n1] = await ledger.rangesOf(y, 0n, 3n);
        expect([listed(p1), n1]).to.deep.equal([[], key(3n, 1_001n)]);
        const [p2, n2] = await ledger.rangesOf(y, n1, 3n);
        expect(p2.map((r) => [r.billId, r.start, r.end, r.holder, Number(r.state)])).to.deep.equal([
          [3n, 1_001n, 1_500n, y, RangeState.Locked],
          [3n, 1_501n, 3_000n, y, RangeState.Circulating],
        ]);
        expect(n2).to.equal(key(5n, 1n));
        const [p3, n3] = await ledger.rangesOf(y, n2, 3n);
        expect([listed(p3), n3]).to.deep.equal([[], 0n]);
        // The tasks' helper follows the same cursors.
        expect((await rangesOf(ledger, y, 2n)).map((r) => [r.billId, r.start, r.units])).to.deep.equal([
          [3n, 1_001n, 500n],
          [3n, 1_501n, 1_500n],
        ]);
      });

      it("returns whole ranges as rangeAt does", async function () {
        const { accounts, suite } = await loadFixture(fiveBillsOneSplit);
        const ledger = suite.billLedger;
        const x = accounts.enterpriseX.address;
        const [page] = await ledger.rangesOf(x, key(5n, 1n), 1n);
        expect(page.map(plain)).to.deep.equal([settled(5n, 1n, 5_000n, x, RangeState.Issued, genesisChain(5n))]);
        const [ofZ] = await ledger.rangesOf(accounts.enterpriseZ.address, key(3n, 1n), 1n);
        expect(ofZ.map(plain)).to.deep.equal([await rangeAt(ledger, 3n, 1n)]);
      });

      it("starts at bill 1, unit 1 for cursor 0", async function () {
        const { accounts, suite } = await loadFixture(fiveBillsOneSplit);
        const ledger = suite.billLedger;
        const x = accounts.enterpriseX.address;
        for (const maxRanges of [1n, 2n, 5n]) {
          const [p0, n0] = await ledger.rangesOf(x, 0n, maxRanges);
          const [p1, n1] = await ledger.rangesOf(x, key(1n, 1n), maxRanges);
          expect([p0.map(plain), n0]).to.deep.equal([p1.map(plain), n1]);
        }
        const [page, next] = await ledger.rangesOf(x, 0n, 1n);
        expect([listed(page), next]).to.deep.equal([["1@1"], key(2n, 1n)]);
      });

      it("returns everything with a huge maxRanges, or exactly the ranges left, and nextCursor 0", async function () {
        const { accounts, suite } = await loadFixture(fiveBillsOneSplit);
        const ledger = suite.billLedger;
        const x = accounts.enterpriseX.address;
        for (const maxRanges of [MaxUint256, 7n]) {
          const [page, next] = await ledger.rangesOf(x, 0n, maxRanges);
          expect([listed(page), next]).to.deep.equal([["1@1", "2@1", "4@1", "5@1"], 0n]);
        }
        const [page, next] = await ledger.rangesOf(x, key(3n, 1_501n), MaxUint256);
        expect([listed(page), next]).to.deep.equal([["4@1", "5@1"], 0n]);
        const [, nextAfterSix] = await ledger.rangesOf(x, 0n, 6n);
        expect(nextAfterSix).to.equal(key(5n, 1n));
      });
    });

    describe("when maxRanges is 0", function () {
      it("returns no range and nextCursor = the cursor's key ((1 << 48) | 1 for cursor 0), so the caller can resume there", async function () {
        const { accounts, suite } = await loadFixture(fiveBillsOneSplit);
        const ledger = suite.billLedger;
        const x = accounts.enterpriseX.address;
        for (const [cursor, expected] of [
          [0n, (1n << 48n) | 1n], // bill 1, unit 1
          [key(1n, 1n), key(1n, 1n)],
          [key(3n, 1_001n), key(3n, 1_001n)],
          [key(5n, 1n), key(5n, 1n)],
        ]) {
          const [page, next] = await ledger.rangesOf(x, cursor, 0n);
          expect([page.length, next]).to.deep.equal([0, expected]);
        }
      });
    });

    describe("when the cursor is not the start of a range", function () {
      for (const [name, billId, start] of [
        ["a unit inside a range", 3n, 500n],
        ["the unit after a range start", 3n, 1_002n],
        ["unit 0 (the key billId << 48)", 3n, 0n],
        ["past the face", 1n, FACE + 1n],
        ["bill 0 (a bare bill id, as the old API took)", 0n, 1n],
      ] as const) {
        it(`reverts BillUnknownRange(billId, start) for ${name}`, async function () {
          const { accounts, suite } = await loadFixture(fiveBillsOneSplit);
          const ledger = suite.billLedger;
          await expect(ledger.rangesOf(accounts.enterpriseX.address, key(billId, start), 2n))
            .to.be.revertedWithCustomError(ledger, "BillUnknownRange")
            .withArgs(billId, start);
        });
      }
    });

    describe("when the cursor is past the last bill", function () {
      for (const [name, cursor] of [
        ["bill 6, unit 1", key(6n, 1n)],
        ["2^256 − 1", MaxUint256],
      ] as const) {
        it(`returns no range and nextCursor 0 for ${name}`, async function () {
          const { accounts, suite } = await loadFixture(fiveBillsOneSplit);
          const [page, next] = await suite.billLedger.rangesOf(accounts.enterpriseX.address, cursor, 2n);
          expect([page.length, next]).to.deep.equal([0, 0n]);
        });
      }
    });

    describe("when a bill is split", function () {
      it("lists each holder's ranges of it in unit order", async function () {
        const { accounts, suite, billId } = await loadFixture(splitBill);
        const ledger = suite.billLedger;
        const { enterpriseY, enterpriseZ } = accounts;
        const [ofY, nextY] = await ledger.rangesOf(enterpriseY.address, 0n, 10n);
        expect([ofY.map((r) => [r.start, r.end]), nextY]).to.deep.equal([
          [
            [1n, 10n],
            [31n, 60n],
            [61n, FACE],
          ],
          0n,
        ]);
        const [ofZ, nextZ] = await ledger.rangesOf(enterpriseZ.address, key(billId, 1n), 2n);
        expect([ofZ.map((r) => [r.start, r.end]), nextZ]).to.deep.equal([[[11n, 30n]], key(billId, 31n)]);
      });

      it("pages through it one range at a time with maxRanges 1", async function () {
        const { accounts, suite, billId } = await loadFixture(splitBill);
        expect(await walk(suite.billLedger, accounts.enterpriseY.address, 1n)).to.deep.equal([
          [[`${billId}@1`], key(billId, 11n)],
          [[], key(billId, 31n)],
          [[`${billId}@31`], key(billId, 61n)],
          [[`${billId}@61`], 0n],
        ]);
      });
    });
  });

  describe(".bill() and .rangeAt()", function () {
    describe("when the bill does not exist", function () {
      it("reverts BillUnknown from bill() for id 0 and for billCount + 1", async function () {
        const { suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        for (const unknown of [0n, billId + 1n]) {
          await expect(ledger.bill(unknown)).to.be.revertedWithCustomError(ledger, "BillUnknown").withArgs(unknown);
        }
      });

      it("reverts BillUnknown from rangeAt() for id 0, billCount + 1 and 2^48 − 1", async function () {
        const { suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        for (const unknown of [0n, billId + 1n, MAX_BILL_ID]) {
          await expect(ledger.rangeAt(unknown, 1n))
            .to.be.revertedWithCustomError(ledger, "BillUnknown")
            .withArgs(unknown);
        }
      });
    });

    describe("when no range starts at the unit", function () {
      for (const start of [0n, 2n, FACE, FACE + 1n]) {
        it(`reverts BillUnknownRange for start ${start}`, async function () {
          const { suite, billId } = await loadFixture(issuedBill);
          const ledger = suite.billLedger;
          await expect(ledger.rangeAt(billId, start))
            .to.be.revertedWithCustomError(ledger, "BillUnknownRange")
            .withArgs(billId, start);
        });
      }
    });

    describe("when the bill id is above 2^48 − 1 (it would alias another bill's range key)", function () {
      // billId + 2^48 shifted left by 48 bits and cut to 96 bits is billId's own key.
      const aliases = (billId: bigint) => [MAX_BILL_ID + 1n, billId + 2n ** 48n, MaxUint256];

      it("reverts BillUnknown from rangeAt()", async function () {
        const { suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        for (const alias of aliases(billId)) {
          await expect(ledger.rangeAt(alias, 1n)).to.be.revertedWithCustomError(ledger, "BillUnknown").withArgs(alias);
        }
      });

      it("reverts BillUnknown from sign(), reject(), withdraw() and clear(), and leaves the real range locked", async function () {
        const { accounts, suite, billId, deadline } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        const { bankA, enterpriseX, outsider } = accounts;
        await time.increaseTo(deadline - 10n); // sign is still in time for the real bill
        const alias = billId + 2n ** 48n;
        for (const act of [
          ledger.connect(bankA).sign(alias, 1n, await ledger.applicationTerms(alias, 1n)),
          ledger.connect(bankA).reject(alias, 1n),
          ledger.connect(enterpriseX).withdraw(alias, 1n),
        ]) {
          await expect(act).to.be.revertedWithCustomError(ledger, "BillUnknown").withArgs(alias);
        }
        await time.increaseTo(deadline);
        await expect(ledger.connect(outsider).clear(alias, 1n))
          .to.be.revertedWithCustomError(ledger, "BillUnknown")
          .withArgs(alias);
        const range = await rangeAt(ledger, billId, 1n);
        expect([range.state, range.counterparty, range.deadline]).to.deep.equal([
          RangeState.Locked,
          bankA.address,
          deadline,
        ]);
      });

      it("reverts BillUnknown from presentForAcceptance() and bill()", async function () {
        const { accounts, suite, billId } = await loadFixture(issuedBill);
        const ledger = suite.billLedger;
        const alias = billId + 2n ** 48n;
        await expect(ledger.connect(accounts.enterpriseX).presentForAcceptance(alias))
          .to.be.revertedWithCustomError(ledger, "BillUnknown")
          .withArgs(alias);
        await expect(ledger.bill(alias)).to.be.revertedWithCustomError(ledger, "BillUnknown").withArgs(alias);
      });
    });
  });

  describe(".pause() and .unpause()", function () {
    describe("when the caller is not the pauser", function () {
      for (const name of ["admin", "enterpriseX"] as const) {
        it(`reverts AccessControlUnauthorizedAccount naming ${name} and PAUSER_ROLE`, async function () {
          const { accounts, suite } = await loadFixture(issuedBill);
          const ledger = suite.billLedger;
          const caller = accounts[name];
          const role = await ledger.PAUSER_ROLE();
          await expect(ledger.connect(caller).pause())
            .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
          expect(await ledger.paused()).to.equal(false);
          await ledger.connect(accounts.pauser).pause();
          await expect(ledger.connect(caller).unpause())
            .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
          expect(await ledger.paused()).to.equal(true);
        });
      }
    });

    describe("when the pauser pauses and unpauses", function () {
      it("sets paused() and lets acts happen again after unpause", async function () {
        const { accounts, suite, billId } = await loadFixture(presentedBill);
        const ledger = suite.billLedger;
        await ledger.connect(accounts.pauser).pause();
        expect(await ledger.paused()).to.equal(true);
        await ledger.connect(accounts.pauser).unpause();
        expect(await ledger.paused()).to.equal(false);
        await sign(ledger.connect(accounts.bankA), billId, 1n);
        expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Accepted));
      });

      it("emits Paused(pauser) and Unpaused(pauser), and refuses to pause twice or unpause twice", async function () {
        const { accounts, suite } = await loadFixture(issuedBill);
        const ledger = suite.billLedger.connect(accounts.pauser);
        await expect(ledger.pause()).to.emit(ledger, "Paused").withArgs(accounts.pauser.address);
        await expect(ledger.pause()).to.be.revertedWithCustomError(ledger, "BillPaused");
        await expect(ledger.unpause()).to.emit(ledger, "Unpaused").withArgs(accounts.pauser.address);
        await expect(ledger.unpause()).to.be.revertedWithCustomError(ledger, "BillNotPaused");
      });
    });

    describe("when the ledger is paused", function () {
      /** An act refused while paused, on the fixture it needs, and the range field that must stay as it was. */
      interface PausedCase {
        method: string;
        fixture: () => Promise<BillFixture>;
        act: (f: BillFixture) => Promise<unknown>;
        field: "state" | "end";
        kept: bigint;
      }
      const PAUSED: PausedCase[] = [
        {
          method: "presentForAcceptance",
          fixture: issuedBill,
          act: ({ accounts, suite, billId }) =>
            suite.billLedger.connect(accounts.enterpriseX).presentForAcceptance(billId),
          field: "state",
          kept: BigInt(RangeState.Issued),
        },
        {
          method: "presentForReceipt",
          fixture: acceptedBill,
          act: ({ accounts, suite, billId }) =>
            suite.billLedger.connect(accounts.enterpriseX).presentForReceipt(billId),
          field: "state",
          kept: BigInt(RangeState.Accepted),
        },
        {
          method: "sign",
          fixture: presentedBill,
          act: ({ accounts, suite, billId }) => signTx(suite.billLedger, accounts.bankA, billId),
          field: "state",
          kept: BigInt(RangeState.Locked),
        },
        {
          method: "endorse",
          fixture: receivedBill,
          act: ({ accounts, suite, billId }) =>
            suite.billLedger
              .connect(accounts.enterpriseY)
              .endorse(billId, 1n, 10n, accounts.enterpriseZ.address, false),
          field: "end",
          kept: FACE,
        },
      ];
      for (const { method, fixture, act, field, kept } of PAUSED) {
        it(`reverts BillPaused from ${method}()`, async function () {
          const f = await loadFixture(fixture);
          const ledger = f.suite.billLedger;
          await ledger.connect(f.accounts.pauser).pause();
          await expect(act(f)).to.be.revertedWithCustomError(ledger, "BillPaused").withArgs();
          expect((await ledger.rangeAt(f.billId, 1n))[field]).to.equal(kept);
        });
      }

      for (const [act, by] of [
        ["reject", "the acceptor"],
        ["withdraw", "the drawer"],
        ["clear", "anyone after the deadline"],
      ] as const) {
        it(`still lets ${by} ${act} (ending an application moves nothing, so a pause must not keep a range locked)`, async function () {
          const { accounts, suite, billId, deadline } = await loadFixture(presentedBill);
          const ledger = suite.billLedger;
          await ledger.connect(accounts.pauser).pause();
          let tx;
          if (act === "reject") tx = ledger.connect(accounts.bankA).reject(billId, 1n);
          else if (act === "withdraw") tx = ledger.connect(accounts.enterpriseX).withdraw(billId, 1n);
          else {
            await time.setNextBlockTimestamp(deadline);
            tx = ledger.connect(accounts.outsider).clear(billId, 1n);
          }
          await expect(tx).to.emit(ledger, "ApplicationAnswered");
          expect(await stateAt(ledger, billId)).to.equal(BigInt(RangeState.Issued));
        });
      }
    });
  });
});
