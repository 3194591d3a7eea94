/*
 * BusinessCalendar: a day (CST day number) is a business day if it is a Monday to Friday not marked a holiday, or a
 * Saturday or Sunday marked a working day; `rollForward` gives the day itself or the next business day within
 * MAX_ROLL_DAYS (31) days; the admin marks days (DayMarked per day); days after 9999-12-31 are refused.
 * Checked against the independent TypeScript rules of tasks/lib/dvp (isBusinessDay, rollForward).
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { dayFromIso } from "../../../tasks/lib/bills";
import { isBusinessDay, rollForward } from "../../../tasks/lib/dvp";
import type { BusinessCalendar } from "../../../typechain-types";
import { deployedPlatform } from "../../fixtures/platform";

const HOLIDAY = 1;
const WORKING_DAY = 2;
const NONE = 0;
/** 9999-12-31, the last bill date. */
const MAX_DAY = 2_932_896;
const MAX_ROLL_DAYS = 31;
/** Monday 2024-01-01. */
const MONDAY = dayFromIso("2024-01-01");
const DEFAULT_ADMIN_ROLE = hre.ethers.ZeroHash;

async function calendar() {
  const [admin, other] = await hre.ethers.getSigners();
  const cal = (await hre.ethers.deployContract("BusinessCalendar", [0n, admin.address])) as unknown as BusinessCalendar;
  return { cal, admin, other };
}

async function mark(cal: BusinessCalendar, days: number[], m: number) {
  await (await cal.markDays(days, m)).wait();
}

describe("BusinessCalendar", function () {
  describe("weekday rule", function () {
    it("Monday to Friday are business days, Saturday and Sunday are not (two weeks from Monday 2024-01-01)", async function () {
      const { cal } = await loadFixture(calendar);
      for (let i = 0; i < 14; i++) {
        const expected = i % 7 < 5;
        expect(await cal.isBusinessDay(MONDAY + i), `day ${MONDAY + i}`).to.equal(expected);
        expect(isBusinessDay(MONDAY + i, new Map())).to.equal(expected);
      }
    });

    it("known dates: 1970-01-01 (Thursday), 2024-02-29 (Thursday), 9999-12-31 (Friday) are business days; 2024-03-02 is not", async function () {
      const { cal } = await loadFixture(calendar);
      expect(await cal.isBusinessDay(0)).to.equal(true);
      expect(await cal.isBusinessDay(dayFromIso("2024-02-29"))).to.equal(true);
      expect(await cal.isBusinessDay(MAX_DAY)).to.equal(true);
      expect(await cal.isBusinessDay(dayFromIso("2024-03-02"))).to.equal(false);
      expect(await cal.markOf(MONDAY)).to.equal(NONE);
    });
  });

  describe("marks", function () {
    it("a weekday marked a holiday is not a business day, a Saturday marked a working day is; marking None restores the rule", async function () {
      const { cal } = await loadFixture(calendar);
      const wednesday = MONDAY + 2;
      const saturday = MONDAY + 5;
      await mark(cal, [wednesday], HOLIDAY);
      await mark(cal, [saturday], WORKING_DAY);
      expect(await cal.isBusinessDay(wednesday)).to.equal(false);
      expect(await cal.markOf(wednesday)).to.equal(HOLIDAY);
      expect(await cal.isBusinessDay(saturday)).to.equal(true);
      expect(await cal.markOf(saturday)).to.equal(WORKING_DAY);
      expect(await cal.isBusinessDay(wednesday + 1)).to.equal(true);
      await mark(cal, [wednesday, saturday], NONE);
      expect(await cal.isBusinessDay(wednesday)).to.equal(true);
      expect(await cal.isBusinessDay(saturday)).to.equal(false);
      expect(await cal.markOf(saturday)).to.equal(NONE);
    });

    it("a weekday marked a working day and a Sunday marked a holiday keep their weekday answers", async function () {
      const { cal } = await loadFixture(calendar);
      await mark(cal, [MONDAY], WORKING_DAY);
      await mark(cal, [MONDAY + 6], HOLIDAY);
      expect(await cal.isBusinessDay(MONDAY)).to.equal(true);
      expect(await cal.isBusinessDay(MONDAY + 6)).to.equal(false);
    });

    it("markDays emits DayMarked(day, mark) for each day, in order", async function () {
      const { cal } = await loadFixture(calendar);
      const days = [MONDAY + 3, MONDAY, MONDAY + 10];
      const receipt = (await (await cal.markDays(days, HOLIDAY)).wait())!;
      const events = receipt.logs.map((log) => cal.interface.parseLog(log)!).filter((e) => e.name === "DayMarked");
      expect(events.map((e) => [Number(e.args.day), Number(e.args.mark)])).to.deep.equal(days.map((d) => [d, HOLIDAY]));
      await expect(cal.markDays([MONDAY + 5], WORKING_DAY))
        .to.emit(cal, "DayMarked")
        .withArgs(MONDAY + 5, WORKING_DAY);
      await expect(cal.markDays([], HOLIDAY)).to.not.emit(cal, "DayMarked");
    });

    it("markDays is admin only: AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE), nothing marked", async function () {
      const { cal, other } = await loadFixture(calendar);
      await expect(cal.connect(other).markDays([MONDAY], HOLIDAY))
        .to.be.revertedWithCustomError(cal, "AccessControlUnauthorizedAccount")
        .withArgs(other.address, DEFAULT_ADMIN_ROLE);
      expect(await cal.markOf(MONDAY)).to.equal(NONE);
    });

    it("the deployed platform's calendar belongs to the platform admin (another wallet is refused)", async function () {
      const { suite, accounts } = await loadFixture(deployedPlatform);
      const cal = suite.businessCalendar;
      expect(await cal.hasRole(DEFAULT_ADMIN_ROLE, accounts.admin.address)).to.equal(true);
      await expect(cal.connect(accounts.bankA).markDays([MONDAY], HOLIDAY))
        .to.be.revertedWithCustomError(cal, "AccessControlUnauthorizedAccount")
        .withArgs(accounts.bankA.address, DEFAULT_ADMIN_ROLE);
    });

    it("a day after 9999-12-31 is refused with CalendarInvalidDay, and the whole call with it", async function () {
      const { cal } = await loadFixture(calendar);
      await expect(cal.markDays([MAX_DAY + 1], HOLIDAY))
        .to.be.revertedWithCustomError(cal, "CalendarInvalidDay")
        .withArgs(MAX_DAY + 1);
      await expect(cal.markDays([MONDAY, 2 ** 32 - 1], HOLIDAY))
        .to.be.revertedWithCustomError(cal, "CalendarInvalidDay")
        .withArgs(2 ** 32 - 1);
      expect(await cal.markOf(MONDAY)).to.equal(NONE);
      await mark(cal, [MAX_DAY], HOLIDAY);
      expect(await cal.isBusinessDay(MAX_DAY)).to.equal(false);
    });
  });

  describe("rollForward", function () {
    it("keeps a business day, rolls Saturday and Sunday to Monday, and a Friday holiday over the weekend", async function () {
      const { cal } = await loadFixture(calendar);
      const friday = MONDAY + 4;
      expect(await cal.rollForward(MONDAY + 2)).to.equal(MONDAY + 2);
      expect(await cal.rollForward(friday + 1)).to.equal(MONDAY + 7);
      expect(await cal.rollForward(friday + 2)).to.equal(MONDAY + 7);
      await mark(cal, [friday], HOLIDAY);
      expect(await cal.rollForward(friday)).to.equal(MONDAY + 7);
      await mark(cal, [friday + 1], WORKING_DAY);
      expect(await cal.rollForward(friday)).to.equal(friday + 1);
    });

    it("a National Day week (2024-10-01..07 holidays, Sunday 09-29 and Saturday 10-12 working) matches the TypeScript rules", async function () {
      const { cal } = await loadFixture(calendar);
      const first = dayFromIso("2024-10-01");
      const holidays = Array.from({ length: 7 }, (_, i) => first + i);
      const working = [dayFromIso("2024-09-29"), dayFromIso("2024-10-12")];
      await mark(cal, holidays, HOLIDAY);
      await mark(cal, working, WORKING_DAY);
      expect(await cal.rollForward(first)).to.equal(dayFromIso("2024-10-08"));
      const marks = new Map<number, 1 | 2>([
        ...holidays.map((d) => [d, 1] as [number, 1]),
        ...working.map((d) => [d, 2] as [number, 2]),
      ]);
      for (let day = first - 10; day < first + 20; day++) {
        expect(await cal.isBusinessDay(day), `isBusinessDay(${day})`).to.equal(isBusinessDay(day, marks));
        expect(await cal.rollForward(day), `rollForward(${day})`).to.equal(rollForward(day, marks));
      }
    });

    it(`looks ${MAX_ROLL_DAYS} days ahead: a business day ${MAX_ROLL_DAYS} days later is found, one more and CalendarNoBusinessDay(day)`, async function () {
      const { cal } = await loadFixture(calendar);
      expect(await cal.MAX_ROLL_DAYS()).to.equal(MAX_ROLL_DAYS);
      const day = MONDAY;
      await mark(
        cal,
        Array.from({ length: MAX_ROLL_DAYS }, (_, i) => day + i),
        HOLIDAY,
      );
      await mark(cal, [day + MAX_ROLL_DAYS], WORKING_DAY);
      expect(await cal.rollForward(day)).to.equal(day + MAX_ROLL_DAYS);
      await mark(cal, [day + MAX_ROLL_DAYS], HOLIDAY);
      await expect(cal.rollForward(day)).to.be.revertedWithCustomError(cal, "CalendarNoBusinessDay").withArgs(day);
      // From the next day on the window reaches a business day again.
      expect(await cal.rollForward(day + 1)).to.equal(
        rollForward(day + 1, new Map(Array.from({ length: 32 }, (_, i) => [day + i, 1] as [number, 1]))),
      );
    });

    it("a day after 9999-12-31 is refused with CalendarInvalidDay", async function () {
      const { cal } = await loadFixture(calendar);
      expect(await cal.rollForward(MAX_DAY)).to.equal(MAX_DAY);
      for (const day of [MAX_DAY + 1, 2 ** 32 - 1]) {
        await expect(cal.rollForward(day)).to.be.revertedWithCustomError(cal, "CalendarInvalidDay").withArgs(day);
      }
    });
  });
});
