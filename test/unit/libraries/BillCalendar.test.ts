import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { BillCalendarHarness } from "../../../typechain-types";

/*
 * BillCalendar through its test harness. A bill date is a calendar day in China Standard Time (UTC+8, no daylight
 * saving), numbered from 1970-01-01 CST = day 0. CST midnight is 16:00:00 UTC of the day before, so every day edge
 * is checked at 15:59:59, 16:00:00 and 16:00:01 UTC.
 *
 * The property tests compare the library with an independent model built on JavaScript's Date: a CST wall-clock
 * time is the UTC reading of the instant shifted by +8 h, and day n is the UTC date of n * 86_400_000 ms.
 */

const RUNS = 200;
const MAX_BATCH = 25;

const HOUR = 3_600;
const SECONDS_PER_DAY = 86_400;
const MS_PER_DAY = SECONDS_PER_DAY * 1_000;
const UTC_OFFSET = 8 * HOUR;

/** 9999-12-31, the last bill date, and the last second of it (23:59:59 CST). */
const MAX_DAY = 2_932_896;
const MAX_TIMESTAMP = (MAX_DAY + 1) * SECONDS_PER_DAY - UTC_OFFSET - 1;
const MAX_UINT32 = 2n ** 32n - 1n;
const MAX_UINT256 = 2n ** 256n - 1n;

// ---------------------------------------------------------------------------------------------------------------
// Model: JavaScript's Date in UTC, shifted by 8 h

/** "YYYY-MM-DD" of year, month (1-12) and day of month. */
function iso(year: number | bigint, month: number | bigint, dayOfMonth: number | bigint): string {
  const pad = (n: number | bigint, width: number) => n.toString().padStart(width, "0");
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(dayOfMonth, 2)}`;
}

function parseIso(date: string): [number, number, number] {
  const [year, month, dayOfMonth] = date.split("-").map(Number);
  return [year, month, dayOfMonth];
}

/** `Date.UTC` arguments (zero-based month) for "YYYY-MM-DD". */
function toDateArgs(date: string): [number, number, number] {
  const [year, month, dayOfMonth] = parseIso(date);
  return [year, month - 1, dayOfMonth];
}

/** The date of day number `day`, per Date. */
function modelDate(day: number): string {
  const d = new Date(day * MS_PER_DAY);
  return iso(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The day number of a real date from 1970-01-01 to 9999-12-31, or undefined, per Date. */
function modelDayNumber(year: number, month: number, dayOfMonth: number): number | undefined {
  if (year < 1970 || year > 9999) return undefined;
  const ms = Date.UTC(year, month - 1, dayOfMonth);
  if (Number.isNaN(ms) || modelDate(ms / MS_PER_DAY) !== iso(year, month, dayOfMonth)) return undefined;
  return ms / MS_PER_DAY;
}

/** The CST date, weekday and day number that contain unix time `timestamp`, per Date. */
function modelCst(timestamp: number): { date: string; weekday: number; day: number } {
  const wallClock = new Date((timestamp + UTC_OFFSET) * 1_000);
  const date = iso(wallClock.getUTCFullYear(), wallClock.getUTCMonth() + 1, wallClock.getUTCDate());
  const day = modelDayNumber(...parseIso(date));
  if (day === undefined) throw new Error(`model: ${timestamp} is outside 1970..9999`);
  return { date, weekday: wallClock.getUTCDay() || 7, day };
}

/** The last day of a month, per Date (day 0 of the next month). */
function modelDaysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The same day of month `months` later, clamped to the end of the target month, or undefined after 9999. */
function modelAddMonths(day: number, months: number): number | undefined {
  const [year, month, dayOfMonth] = parseIso(modelDate(day));
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const targetYear = target.getUTCFullYear();
  const targetMonth = target.getUTCMonth() + 1;
  return modelDayNumber(targetYear, targetMonth, Math.min(dayOfMonth, modelDaysInMonth(targetYear, targetMonth)));
}

/** Day number of a date the model knows is real. */
function dayNumber(date: string): number {
  const day = modelDayNumber(...parseIso(date));
  if (day === undefined) throw new Error(`model: ${date} is not a bill date`);
  return day;
}

/** Unix time of an ISO instant such as "2024-02-28T16:00:00Z". */
function unix(instant: string): number {
  return Date.parse(instant) / 1_000;
}

// ---------------------------------------------------------------------------------------------------------------
// Harness helpers

async function dateOf(calendar: BillCalendarHarness, day: number | bigint): Promise<string> {
  const [year, month, dayOfMonth] = await calendar.toDate(day);
  return iso(year, month, dayOfMonth);
}

async function addMonthsTo(calendar: BillCalendarHarness, date: string, months: number | bigint): Promise<string> {
  return dateOf(calendar, await calendar.addMonths(dayNumber(date), months));
}

/**
 * Deep equality of plain JSON data. A chai assertion costs about a millisecond here, which adds up over a property's
 * runs, so the batch is compared as JSON and chai is asked only to report a mismatch (with its diff).
 */
function expectSame<T>(actual: T, expected: T): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).to.deep.equal(expected);
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

/** Any supported timestamp, a timestamp of 2020..2100, or one within 2 s of a CST midnight. */
const timestampArb = fc.oneof(
  fc.integer({ min: 0, max: MAX_TIMESTAMP }),
  fc.integer({ min: unix("2020-01-01T00:00:00Z"), max: unix("2100-12-31T23:59:59Z") }),
  fc
    .record({ day: fc.integer({ min: 1, max: MAX_DAY }), delta: fc.integer({ min: -2, max: 2 }) })
    .map(({ day, delta }) => Math.min(Math.max(day * SECONDS_PER_DAY - UTC_OFFSET + delta, 0), MAX_TIMESTAMP)),
);

/** Any year and month of the range, with a day of month that may not exist (29 to 31 often). */
const yearArb = fc.oneof(fc.integer({ min: 1970, max: 9999 }), fc.constantFrom(2000, 2023, 2024, 2100, 2400, 9999));
const monthArb = fc.integer({ min: 1, max: 12 });
const dateTripleArb = fc.tuple(
  yearArb,
  monthArb,
  fc.oneof(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 28, max: 31 })),
);

/** A day number up to `maxDay`, often the last days of a month. */
function dayArb(maxDay: number) {
  const maxYear = Number(modelDate(maxDay).slice(0, 4)) - 1;
  return fc.oneof(
    fc.integer({ min: 0, max: maxDay }),
    fc
      .tuple(fc.integer({ min: 1970, max: maxYear }), monthArb, fc.integer({ min: 0, max: 3 }))
      .map(([year, month, back]) => dayNumber(iso(year, month, modelDaysInMonth(year, month) - back))),
  );
}

// ---------------------------------------------------------------------------------------------------------------

describe("BillCalendar", function () {
  async function deployHarness() {
    const calendar = await hre.ethers.deployContract("BillCalendarHarness");
    return { calendar };
  }

  let calendar: BillCalendarHarness;

  beforeEach(async function () {
    ({ calendar } = await loadFixture(deployHarness));
  });

  describe("constants", function () {
    it("puts CST eight hours ahead of UTC", async function () {
      expect(await calendar.utcOffset()).to.equal(8n * 3_600n);
    });

    it("ends at 9999-12-31 23:59:59 CST", async function () {
      expect(await calendar.maxDay()).to.equal(BigInt(dayNumber("9999-12-31")));
      expect(await calendar.maxTimestamp()).to.equal(BigInt(unix("9999-12-31T15:59:59Z")));
    });
  });

  describe(".dayOf()", function () {
    describe("at a CST midnight (16:00:00 UTC)", function () {
      const midnight = unix("2024-02-28T16:00:00Z"); // 2024-02-29 00:00:00 CST

      it("keeps one second before it (15:59:59 UTC) in the earlier CST day", async function () {
        expect(await calendar.dayOf(midnight - 1)).to.equal(dayNumber("2024-02-28"));
      });

      it("starts the next CST day exactly at it", async function () {
        expect(await calendar.dayOf(midnight)).to.equal(dayNumber("2024-02-29"));
        expect(await calendar.dayOf(midnight)).to.equal(19_782n);
      });

      it("keeps one second after it (16:00:01 UTC) in the next CST day", async function () {
        expect(await calendar.dayOf(midnight + 1)).to.equal(dayNumber("2024-02-29"));
      });

      it("keeps the UTC date's morning and the CST date apart across New Year", async function () {
        const newYear = unix("2023-12-31T16:00:00Z"); // 2024-01-01 00:00:00 CST
        expect(await calendar.dayOf(newYear - 1)).to.equal(dayNumber("2023-12-31"));
        expect(await calendar.dayOf(newYear)).to.equal(dayNumber("2024-01-01"));
        expect(await calendar.dayOf(newYear + 1)).to.equal(dayNumber("2024-01-01"));
      });
    });

    describe("at the unix epoch", function () {
      it("puts 00:00:00 to 15:59:59 UTC of 1970-01-01 in day 0 and 16:00:00 UTC in day 1", async function () {
        expect(await calendar.dayOf(0)).to.equal(0n);
        expect(await calendar.dayOf(16 * HOUR - 1)).to.equal(0n);
        expect(await calendar.dayOf(16 * HOUR)).to.equal(1n);
      });
    });

    describe("at the last supported second", function () {
      it("returns 9999-12-31 for 23:59:59 CST of that day", async function () {
        expect(await calendar.dayOf(MAX_TIMESTAMP)).to.equal(BigInt(MAX_DAY));
      });
    });

    describe("when the timestamp is after 9999-12-31 23:59:59 CST", function () {
      it("reverts BillCalendarTimestampOutOfRange naming the timestamp", async function () {
        for (const timestamp of [BigInt(MAX_TIMESTAMP) + 1n, MAX_UINT256]) {
          await expect(calendar.dayOf(timestamp))
            .to.be.revertedWithCustomError(calendar, "BillCalendarTimestampOutOfRange")
            .withArgs(timestamp);
        }
      });
    });
  });

  describe(".startOf()", function () {
    describe("when the day is a bill date after day 0", function () {
      it("returns 16:00:00 UTC of the day before", async function () {
        expect(await calendar.startOf(dayNumber("2024-02-29"))).to.equal(BigInt(unix("2024-02-28T16:00:00Z")));
        expect(await calendar.startOf(dayNumber("2024-01-01"))).to.equal(BigInt(unix("2023-12-31T16:00:00Z")));
        expect(await calendar.startOf(1)).to.equal(BigInt(16 * HOUR));
      });

      it("is the first second dayOf maps to the day (the second before belongs to the day before)", async function () {
        for (const day of [1, dayNumber("2000-02-29"), dayNumber("2100-03-01"), MAX_DAY]) {
          const start = await calendar.startOf(day);
          expect(await calendar.dayOf(start)).to.equal(BigInt(day));
          expect(await calendar.dayOf(start - 1n)).to.equal(BigInt(day - 1));
        }
      });

      it("returns 9999-12-31 00:00:00 CST for the last bill date", async function () {
        expect(await calendar.startOf(MAX_DAY)).to.equal(BigInt(unix("9999-12-30T16:00:00Z")));
      });
    });

    describe("when the day is 0 (1970-01-01 CST starts before the unix epoch)", function () {
      it("reverts BillCalendarDayOutOfRange naming day 0", async function () {
        await expect(calendar.startOf(0))
          .to.be.revertedWithCustomError(calendar, "BillCalendarDayOutOfRange")
          .withArgs(0);
      });
    });

    describe("when the day is after 9999-12-31", function () {
      it("reverts BillCalendarDayOutOfRange naming the day", async function () {
        for (const day of [BigInt(MAX_DAY) + 1n, MAX_UINT32]) {
          await expect(calendar.startOf(day))
            .to.be.revertedWithCustomError(calendar, "BillCalendarDayOutOfRange")
            .withArgs(day);
        }
      });
    });
  });

  describe(".toDate()", function () {
    describe("when the day is a bill date", function () {
      it("returns 1970-01-01 for day 0 and 9999-12-31 for the last day", async function () {
        expect(await dateOf(calendar, 0)).to.equal("1970-01-01");
        expect(await dateOf(calendar, MAX_DAY)).to.equal("9999-12-31");
      });

      it("returns the leap days of 2000 and 2024", async function () {
        expect(await dateOf(calendar, 19_782)).to.equal("2024-02-29");
        expect(await dateOf(calendar, 11_016)).to.equal("2000-02-29");
      });

      it("rolls each month end over to the first of the next month", async function () {
        const monthEnds = [
          "2023-01-31",
          "2023-02-28",
          "2024-02-29",
          "2000-02-29",
          "2100-02-28",
          "2024-04-30",
          "2024-06-30",
          "2024-09-30",
          "2024-11-30",
          "2024-07-31",
          "2024-08-31",
        ];
        for (const monthEnd of monthEnds) {
          const [year, month] = parseIso(monthEnd);
          const next = month === 12 ? iso(year + 1, 1, 1) : iso(year, month + 1, 1);
          expect(await dateOf(calendar, dayNumber(monthEnd)), monthEnd).to.equal(monthEnd);
          expect(await dateOf(calendar, dayNumber(monthEnd) + 1), `${monthEnd} + 1`).to.equal(next);
        }
      });

      it("turns 31 December into 1 January of the next year", async function () {
        for (const year of [1970, 1999, 2023, 2024, 2099, 2100, 9998]) {
          const december31 = dayNumber(iso(year, 12, 31));
          expect(await dateOf(calendar, december31)).to.equal(iso(year, 12, 31));
          expect(await dateOf(calendar, december31 + 1)).to.equal(iso(year + 1, 1, 1));
        }
      });
    });

    describe("when the day is after 9999-12-31", function () {
      it("reverts BillCalendarDayOutOfRange naming the day", async function () {
        for (const day of [BigInt(MAX_DAY) + 1n, MAX_UINT32]) {
          await expect(calendar.toDate(day))
            .to.be.revertedWithCustomError(calendar, "BillCalendarDayOutOfRange")
            .withArgs(day);
        }
      });
    });
  });

  describe(".fromDate()", function () {
    describe("when the date is a bill date", function () {
      it("returns its day number", async function () {
        expect(await calendar.fromDate(1970, 1, 1)).to.equal(0n);
        expect(await calendar.fromDate(1970, 1, 2)).to.equal(1n);
        expect(await calendar.fromDate(2000, 1, 1)).to.equal(10_957n);
        expect(await calendar.fromDate(2024, 2, 29)).to.equal(19_782n);
        expect(await calendar.fromDate(9999, 12, 31)).to.equal(BigInt(MAX_DAY));
      });

      it("accepts 29 February in 2000 and 2024 only among 2000, 2023, 2024 and 2100", async function () {
        expect(await calendar.fromDate(2000, 2, 29)).to.equal(BigInt(dayNumber("2000-02-29")));
        expect(await calendar.fromDate(2024, 2, 29)).to.equal(BigInt(dayNumber("2024-02-29")));
        for (const year of [2023, 2100]) {
          await expect(calendar.fromDate(year, 2, 29))
            .to.be.revertedWithCustomError(calendar, "BillCalendarInvalidDate")
            .withArgs(year, 2, 29);
        }
      });

      it("inverts toDate at month and year ends", async function () {
        for (const date of ["2023-12-31", "2024-01-01", "2024-02-29", "2024-03-01", "2100-02-28", "2100-03-01"]) {
          const day = await calendar.fromDate(...parseIso(date));
          expect(day, date).to.equal(BigInt(dayNumber(date)));
          expect(await dateOf(calendar, day)).to.equal(date);
        }
      });
    });

    describe("when the date does not exist or is outside 1970..9999", function () {
      const invalid: [string, bigint, bigint, bigint][] = [
        ["29 February of a common year", 2023n, 2n, 29n],
        ["29 February of a century not divisible by 400", 2100n, 2n, 29n],
        ["30 February of a leap year", 2024n, 2n, 30n],
        ["31 April", 2024n, 4n, 31n],
        ["31 June", 2024n, 6n, 31n],
        ["31 September", 2024n, 9n, 31n],
        ["31 November", 2024n, 11n, 31n],
        ["32 January", 2024n, 1n, 32n],
        ["day 0", 2024n, 1n, 0n],
        ["month 0", 2024n, 0n, 1n],
        ["month 13", 2024n, 13n, 1n],
        ["31 December 1969", 1969n, 12n, 31n],
        ["1 January 10000", 10_000n, 1n, 1n],
        ["year 0", 0n, 1n, 1n],
        ["values that would overflow", MAX_UINT256, MAX_UINT256, MAX_UINT256],
      ];
      for (const [label, year, month, dayOfMonth] of invalid) {
        it(`reverts BillCalendarInvalidDate naming the date for ${label}`, async function () {
          await expect(calendar.fromDate(year, month, dayOfMonth))
            .to.be.revertedWithCustomError(calendar, "BillCalendarInvalidDate")
            .withArgs(year, month, dayOfMonth);
        });
      }
    });
  });

  describe(".addMonths()", function () {
    describe("when the day of month exists in the target month", function () {
      it("keeps it", async function () {
        expect(await addMonthsTo(calendar, "2024-01-15", 1)).to.equal("2024-02-15");
        expect(await addMonthsTo(calendar, "2024-01-30", 2)).to.equal("2024-03-30");
        expect(await addMonthsTo(calendar, "2024-03-31", 2)).to.equal("2024-05-31");
        expect(await addMonthsTo(calendar, "2024-02-29", 48)).to.equal("2028-02-29");
      });

      it("returns the day itself for zero months", async function () {
        for (const date of ["1970-01-01", "2024-02-29", "9999-12-31"]) {
          expect(await calendar.addMonths(dayNumber(date), 0)).to.equal(BigInt(dayNumber(date)));
        }
      });
    });

    describe("when the target month is shorter", function () {
      it("clamps 31 January plus one month to 28 February, or 29 in a leap year", async function () {
        expect(await addMonthsTo(calendar, "2023-01-31", 1)).to.equal("2023-02-28");
        expect(await addMonthsTo(calendar, "2024-01-31", 1)).to.equal("2024-02-29");
        expect(await addMonthsTo(calendar, "2000-01-31", 1)).to.equal("2000-02-29");
        expect(await addMonthsTo(calendar, "2100-01-31", 1)).to.equal("2100-02-28");
      });

      it("clamps 31 August plus six months to the end of February", async function () {
        expect(await addMonthsTo(calendar, "2022-08-31", 6)).to.equal("2023-02-28");
        expect(await addMonthsTo(calendar, "2023-08-31", 6)).to.equal("2024-02-29");
      });

      it("clamps 31 March plus one month to 30 April", async function () {
        expect(await addMonthsTo(calendar, "2024-03-31", 1)).to.equal("2024-04-30");
      });

      it("clamps 29 February plus twelve months to 28 February", async function () {
        expect(await addMonthsTo(calendar, "2024-02-29", 12)).to.equal("2025-02-28");
        expect(await addMonthsTo(calendar, "2096-02-29", 48)).to.equal("2100-02-28");
      });

      it("clamps once, from the original day of month (one step of two months is not two of one)", async function () {
        const once = await addMonthsTo(calendar, "2023-01-31", 1);
        expect(await addMonthsTo(calendar, once, 1)).to.equal("2023-03-28");
        expect(await addMonthsTo(calendar, "2023-01-31", 2)).to.equal("2023-03-31");
      });
    });

    describe("when the months cross a year end", function () {
      it("moves into the next year", async function () {
        expect(await addMonthsTo(calendar, "2023-12-31", 1)).to.equal("2024-01-31");
        expect(await addMonthsTo(calendar, "2023-11-30", 3)).to.equal("2024-02-29");
        expect(await addMonthsTo(calendar, "2023-12-15", 12)).to.equal("2024-12-15");
        expect(await addMonthsTo(calendar, "2024-10-31", 16)).to.equal("2026-02-28");
        expect(await addMonthsTo(calendar, "1970-01-01", 12 * 8_029 + 11)).to.equal("9999-12-01");
      });
    });

    describe("when the result would fall after 9999-12-31", function () {
      it("reaches 9999-12 and reverts BillCalendarMonthsOutOfRange naming the day and months beyond it", async function () {
        expect(await addMonthsTo(calendar, "9999-11-30", 1)).to.equal("9999-12-30");
        const cases: [string, bigint][] = [
          ["9999-12-31", 1n],
          ["9999-11-30", 2n],
          ["1970-01-01", 12n * 8_030n],
          ["2024-02-29", MAX_UINT256],
        ];
        for (const [date, months] of cases) {
          const day = dayNumber(date);
          await expect(calendar.addMonths(day, months))
            .to.be.revertedWithCustomError(calendar, "BillCalendarMonthsOutOfRange")
            .withArgs(day, months);
        }
      });
    });

    describe("when the day is after 9999-12-31", function () {
      it("reverts BillCalendarDayOutOfRange naming the day", async function () {
        await expect(calendar.addMonths(BigInt(MAX_DAY) + 1n, 0))
          .to.be.revertedWithCustomError(calendar, "BillCalendarDayOutOfRange")
          .withArgs(BigInt(MAX_DAY) + 1n);
      });
    });
  });

  describe(".isLeapYear()", function () {
    const years: [number, boolean][] = [
      [2000, true],
      [2024, true],
      [2100, false],
      [2023, false],
      [1900, false],
      [2400, true],
      [1972, true],
      [1970, false],
    ];
    for (const [year, leap] of years) {
      it(`returns ${leap} for ${year}`, async function () {
        expect(await calendar.isLeapYear(year)).to.equal(leap);
      });
    }
  });

  describe(".daysInMonth()", function () {
    describe("when the month is 1 to 12", function () {
      it("returns the lengths of the months of 2023", async function () {
        const lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        for (let month = 1; month <= 12; month++) {
          expect(await calendar.daysInMonth(2023, month), `month ${month}`).to.equal(BigInt(lengths[month - 1]));
        }
      });

      it("gives February 29 days in 2000 and 2024 and 28 in 2023 and 2100", async function () {
        for (const [year, length] of [
          [2000, 29n],
          [2024, 29n],
          [2023, 28n],
          [2100, 28n],
        ] as const) {
          expect(await calendar.daysInMonth(year, 2), `${year}`).to.equal(length);
        }
      });
    });

    describe("when the month is not 1 to 12", function () {
      it("reverts BillCalendarInvalidMonth naming the month", async function () {
        for (const month of [0n, 13n, MAX_UINT256]) {
          await expect(calendar.daysInMonth(2024, month))
            .to.be.revertedWithCustomError(calendar, "BillCalendarInvalidMonth")
            .withArgs(month);
        }
      });
    });
  });

  describe(".dayOfWeek()", function () {
    const known: [string, number][] = [
      ["1970-01-01", 4], // Thursday
      ["2000-01-01", 6], // Saturday
      ["2000-02-29", 2], // Tuesday
      ["2023-12-31", 7], // Sunday
      ["2024-01-01", 1], // Monday
      ["2024-02-29", 4], // Thursday
      ["2100-03-01", 1], // Monday
      ["9999-12-31", 5], // Friday
    ];
    for (const [date, weekday] of known) {
      it(`returns ${weekday} for ${date}`, async function () {
        expect(await calendar.dayOfWeek(dayNumber(date))).to.equal(BigInt(weekday));
      });
    }

    it("cycles 1 to 7 over a week from Monday 2024-01-01", async function () {
      const monday = dayNumber("2024-01-01");
      for (let i = 0; i < 8; i++) {
        expect(await calendar.dayOfWeek(monday + i)).to.equal(BigInt((i % 7) + 1));
      }
    });

    it("is defined for every uint32, past 9999-12-31", async function () {
      expect(await calendar.dayOfWeek(MAX_UINT32)).to.equal(BigInt(((Number(MAX_UINT32) + 3) % 7) + 1));
    });
  });

  describe("against JavaScript's Date (fast-check)", function () {
    // Each run converts a whole batch in one call and compares it at once (see expectSame).

    it("dayOf, toDate, dayOfWeek and startOf agree with Date for random timestamps", async function () {
      await fc.assert(
        fc.asyncProperty(fc.array(timestampArb, { minLength: 1, maxLength: MAX_BATCH }), async (timestamps) => {
          const rows = await calendar.describeEach(timestamps);
          const actual = timestamps.map((timestamp, i) => {
            const [day, year, month, dayOfMonth, weekday, start] = rows[i].map(Number);
            return { timestamp, day, date: iso(year, month, dayOfMonth), weekday, start };
          });
          const expected = timestamps.map((timestamp) => {
            const { day, date, weekday } = modelCst(timestamp);
            // The first second of the CST day; the harness reports 0 for day 0, which starts before the epoch.
            const start = day === 0 ? 0 : Date.UTC(...toDateArgs(date)) / 1_000 - UTC_OFFSET;
            return { timestamp, day, date, weekday, start };
          });
          expectSame(actual, expected);
        }),
        { numRuns: RUNS },
      );
    });

    it("fromDate agrees with Date.UTC for random real dates", async function () {
      const realDateArb = dateTripleArb.filter(([y, m, d]) => modelDayNumber(y, m, d) !== undefined);
      await fc.assert(
        fc.asyncProperty(fc.array(realDateArb, { minLength: 1, maxLength: MAX_BATCH }), async (triples) => {
          const days = await calendar.fromDateEach(triples);
          const actual = triples.map(([y, m, d], i) => ({ date: iso(y, m, d), day: Number(days[i]) }));
          const expected = triples.map(([y, m, d]) => ({ date: iso(y, m, d), day: modelDayNumber(y, m, d) }));
          expectSame(actual, expected);
        }),
        { numRuns: RUNS },
      );
    });

    it("fromDate reverts BillCalendarInvalidDate exactly for the dates Date does not round-trip", async function () {
      const anyTripleArb = fc.tuple(
        fc.oneof(yearArb, fc.integer({ min: 1960, max: 10_010 })),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
      );
      await fc.assert(
        fc.asyncProperty(anyTripleArb, async ([year, month, dayOfMonth]) => {
          const expected = modelDayNumber(year, month, dayOfMonth);
          if (expected === undefined) {
            await expect(calendar.fromDate(year, month, dayOfMonth))
              .to.be.revertedWithCustomError(calendar, "BillCalendarInvalidDate")
              .withArgs(year, month, dayOfMonth);
          } else {
            expect(await calendar.fromDate(year, month, dayOfMonth)).to.equal(BigInt(expected));
          }
        }),
        { numRuns: RUNS },
      );
    });

    it("addMonths agrees with month arithmetic on Date, clamped to the end of the month", async function () {
      const shiftArb = fc.record({
        day: dayArb(dayNumber("9899-12-31")),
        months: fc.oneof(fc.integer({ min: 0, max: 36 }), fc.integer({ min: 0, max: 1_200 })),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(shiftArb, { minLength: 1, maxLength: MAX_BATCH }), async (shifts) => {
          const results = await calendar.addMonthsEach(shifts);
          const actual = shifts.map(({ day, months }, i) => ({ from: modelDate(day), months, to: Number(results[i]) }));
          const expected = shifts.map(({ day, months }) => ({
            from: modelDate(day),
            months,
            to: modelAddMonths(day, months),
          }));
          expectSame(actual, expected);
        }),
        { numRuns: RUNS },
      );
    });
  });
});
