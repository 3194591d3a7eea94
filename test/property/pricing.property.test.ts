/*
 * TradePricing (through TradePricingHarness), the engine's pricing views (discountProceeds, repoRepayment) and the
 * BusinessCalendar's rollForward, against the independent TypeScript implementation in tasks/lib/dvp.ts, over
 * fuzzed inputs (checklist 35 and invariant 11).
 *
 * Properties:
 *  - the contract equals the TypeScript formula;
 *  - 0 < proceeds <= face, and the interest is floored: exact rational comparison in bigint,
 *    interest × 360e6 <= face × rate × days < (interest + 1) × 360e6, so the buyer pays the exact amount rounded up;
 *  - the repo repayment is rounded up: (repayment − principal − 1) × 360e6 < principal × rate × days
 *    <= (repayment − principal) × 360e6;
 *  - one unit never costs 0 (it always costs exactly 1);
 *  - splitting a trade into two pieces never costs the payer less than the whole;
 *  - extreme inputs revert (PricingNoDays, PricingRateTooHigh, or an arithmetic panic) rather than wrap.
 * Edges: one unit, the largest face (2^48 − 1), month ends, year ends, Feb 29 maturities, and holidays: random
 * holiday and working-day marks on random day ranges, rollForward and isBusinessDay compared with the TypeScript
 * rollForward / isBusinessDay (including runs of more than 31 days without a business day, where both refuse).
 * Convention: the calendar never rolls past the last bill date, 9999-12-31 (CalendarNoBusinessDay); the TypeScript
 * rollForward in tasks/lib/dvp.ts has no such bound, so the comparison applies the bound to it.
 *
 * `npm test` runs 100 cases per property; FC_LONG=1 runs 2,000.
 */
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import type { BusinessCalendar, TradePricingHarness } from "../../typechain-types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ADMIN_DELAY, deployedPlatform, verifiedPlatform, type Suite } from "../fixtures/platform";
import { BillType, cstDayOf, dayFromIso, isoFromDay, issueBill, startOfCstDay } from "../../tasks/lib/bills";
import {
  discountProceeds,
  isBusinessDay,
  MAX_DAY,
  repoRepayment,
  rollForward,
  type DayMarks,
} from "../../tasks/lib/dvp";

const LONG = process.env.FC_LONG === "1";
const RUNS = LONG ? 2_000 : 100;

const D = 360n * 1_000_000n;
const MAX_FACE = (1n << 48n) - 1n;
const MAX_U32 = (1n << 32n) - 1n;
const MAX_U128 = (1n << 128n) - 1n;
const HOLIDAY = 1;
const WORKING_DAY = 2;

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

/** A face: one unit, the largest face, near them, or anything in between. */
const face = fc.oneof(
  { arbitrary: fc.constantFrom(1n, 2n, MAX_FACE, MAX_FACE - 1n), weight: 1 },
  { arbitrary: fc.bigInt(1n, 1_000n), weight: 1 },
  { arbitrary: fc.bigInt(1n, MAX_FACE), weight: 3 },
);

/** Days and a rate with rate × days < 360e6: the pricing accepts them. */
const rateDays = fc
  .oneof(
    { arbitrary: fc.bigInt(1n, 400n), weight: 4 },
    { arbitrary: fc.constantFrom(1n, 360n, 365n, 366n), weight: 1 },
    { arbitrary: fc.bigInt(1n, 360_000_000n), weight: 1 },
  )
  .chain((days) => {
    const max = (D - 1n) / days;
    return fc
      .oneof(
        { arbitrary: fc.bigInt(0n, max), weight: 4 },
        // The edges that exist: at 360e6 days only a zero rate is accepted.
        { arbitrary: fc.constantFrom(...[0n, 1n, max - 1n, max].filter((r) => r >= 0n && r <= max)), weight: 1 },
        { arbitrary: fc.bigInt(0n, max < 200_000n ? max : 200_000n), weight: 2 },
      )
      .map((rate) => ({ rate, days }));
  });

const principal = fc.oneof(
  { arbitrary: fc.constantFrom(1n, MAX_FACE, MAX_U128), weight: 1 },
  { arbitrary: fc.bigInt(1n, 1_000_000_000n), weight: 2 },
  { arbitrary: fc.bigInt(1n, MAX_U128), weight: 2 },
);
const repoRate = fc.oneof(
  { arbitrary: fc.constantFrom(0n, 1n, MAX_U32), weight: 1 },
  { arbitrary: fc.bigInt(0n, 500_000n), weight: 3 },
  { arbitrary: fc.bigInt(0n, MAX_U32), weight: 1 },
);
const repoDays = fc.oneof(
  { arbitrary: fc.constantFrom(1n, MAX_U32), weight: 1 },
  { arbitrary: fc.bigInt(1n, 400n), weight: 3 },
  { arbitrary: fc.bigInt(1n, MAX_U32), weight: 1 },
);

// ---------------------------------------------------------------------------------------------------------------
// Exact checks

/** proceeds = face − floor(face × rate × days / D), checked by exact rational comparison. */
function expectDiscountRounding(f: bigint, rate: bigint, days: bigint, proceeds: bigint): void {
  expect(proceeds > 0n, `proceeds ${proceeds} > 0 (face ${f}, rate ${rate}, days ${days})`).to.equal(true);
  expect(proceeds <= f, `proceeds ${proceeds} <= face ${f}`).to.equal(true);
  const interest = f - proceeds;
  const exact = f * rate * days; // interest × D, exactly
  expect(interest * D <= exact, "interest is not rounded up").to.equal(true);
  expect(exact < (interest + 1n) * D, "interest is floored, not rounded further down").to.equal(true);
  // Equivalently, the buyer pays the exact price rounded up: proceeds >= face × (1 − rate × days / D) > proceeds − 1.
  expect(proceeds * D >= f * D - exact, "the buyer pays at least the exact price").to.equal(true);
  expect((proceeds - 1n) * D < f * D - exact, "the buyer pays less than one unit over the exact price").to.equal(true);
}

/** repayment = principal + ceil(principal × rate × days / D). */
function expectRepoRounding(p: bigint, rate: bigint, days: bigint, repayment: bigint): void {
  const interest = repayment - p;
  const exact = p * rate * days;
  expect(interest >= 0n, "repayment >= principal").to.equal(true);
  expect(interest * D >= exact, "the borrower repays at least the exact amount").to.equal(true);
  expect(interest === 0n || (interest - 1n) * D < exact, "interest rounded up by less than one unit").to.equal(true);
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

async function harnessAndCalendar(): Promise<{ harness: TradePricingHarness; calendar: BusinessCalendar }> {
  const [admin] = await hre.ethers.getSigners();
  const harness = await hre.ethers.deployContract("TradePricingHarness");
  const calendar = await hre.ethers.deployContract("BusinessCalendar", [ADMIN_DELAY, admin.address]);
  return { harness, calendar };
}

/** The TypeScript day number of `year`-`month`-`day` (month 1..12; day 0 is the last day of the month before). */
function dayOfDate(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 86_400_000;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Bills whose maturities are edge dates: month ends, a year end and a Feb 29. */
interface EdgeBills {
  suite: Suite;
  admin: HardhatEthersSigner;
  bills: { billId: bigint; maturityDay: number }[];
  today: number;
}

/**
 * The chain is moved (if needed) to 170 days before the next Feb 29, the platform is deployed and verified there,
 * and enterprise X draws one bill per edge maturity: Feb 28 and 29, Mar 1, every month end from next month to
 * Feb, Dec 31 and Jan 1. The describe block restores the chain afterwards.
 */
async function edgeBills(): Promise<EdgeBills> {
  let today = cstDayOf(await time.latest());
  let year = Number(isoFromDay(today + 2).slice(0, 4));
  while (!isLeap(year) || dayOfDate(year, 2, 29) <= today + 2) year++;
  const leapDay = dayOfDate(year, 2, 29);
  // The ledger's tenor cap is 6 months: start 170 days before the leap day.
  if (leapDay - 170 > today) {
    await time.increaseTo(startOfCstDay(leapDay - 170) + 3_600);
    today = leapDay - 170;
  }
  // Deployed fresh at this time: the deployedPlatform fixture's snapshot would take the chain back.
  const { accounts, suite } = await verifiedPlatform(await deployedPlatform());
  const maturities = new Set<number>([leapDay, leapDay + 1, leapDay - 1, dayOfDate(year, 1, 1)]);
  for (let m = 0; m < 13; m++) {
    const monthEnd = dayOfDate(year - 1, 3 + m, 0);
    if (monthEnd > today + 1 && monthEnd <= leapDay) maturities.add(monthEnd);
  }
  maturities.add(dayOfDate(year - 1, 12, 31));
  const bills: { billId: bigint; maturityDay: number }[] = [];
  for (const maturityDay of [...maturities].filter((d) => d > today + 1).sort((a, b) => a - b)) {
    const { billId } = await issueBill(suite.billLedger.connect(accounts.enterpriseX), {
      billType: BillType.BankAcceptance,
      acceptor: accounts.bankA.address,
      payee: accounts.enterpriseY.address,
      face: 1_000_000n,
      maturityDay,
      tradeBackground: `edge maturity ${isoFromDay(maturityDay)}`,
    });
    bills.push({ billId, maturityDay });
  }
  return { suite, admin: accounts.admin, bills, today: cstDayOf(await time.latest()) };
}

/** Marks `days` on the calendar as `marks` says (holidays and working days in one call each). */
async function applyMarks(calendar: BusinessCalendar, marks: Map<number, 1 | 2>): Promise<void> {
  const holidays = [...marks].filter(([, m]) => m === HOLIDAY).map(([d]) => d);
  const working = [...marks].filter(([, m]) => m === WORKING_DAY).map(([d]) => d);
  if (holidays.length > 0) await (await calendar.markDays(holidays, HOLIDAY)).wait();
  if (working.length > 0) await (await calendar.markDays(working, WORKING_DAY)).wait();
}

/** Random marks on the `length` days from `first`: none, holiday or working day; or a long holiday run. */
function marksOn(first: number, length: number): fc.Arbitrary<Map<number, 1 | 2>> {
  const perDay = fc.oneof(
    { arbitrary: fc.constant(0), weight: 4 },
    { arbitrary: fc.constant(HOLIDAY), weight: 3 },
    { arbitrary: fc.constant(WORKING_DAY), weight: 1 },
  );
  return fc
    .tuple(fc.array(perDay, { minLength: length, maxLength: length }), fc.nat({ max: 9 }))
    .map(([each, longRun]) => {
      const marks = new Map<number, 1 | 2>();
      // One case in ten: a holiday run of 32+ days with no working day (rollForward must refuse, not wrap).
      each.forEach((m, i) => {
        const day = first + i;
        if (day < 0 || day > MAX_DAY) return;
        if (longRun === 0 && i < 34) marks.set(day, HOLIDAY);
        else if (m !== 0) marks.set(day, m as 1 | 2);
      });
      return marks;
    });
}

/** Edge days: month ends, year ends, Feb 29s, random days, days near the last bill date. */
const edgeDay: fc.Arbitrary<number> = fc.oneof(
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 1970, max: 9998 }), fc.integer({ min: 1, max: 12 }))
      .map(([y, m]) => dayOfDate(y, m + 1, 0)),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: 1970, max: 9998 }).map((y) => dayOfDate(y, 12, 31)), weight: 1 },
  {
    arbitrary: fc.integer({ min: 1970, max: 9996 }).map((y) => {
      let leap = y;
      while (!isLeap(leap)) leap++;
      return dayOfDate(leap, 2, 29);
    }),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: 0, max: MAX_DAY }), weight: 2 },
  { arbitrary: fc.integer({ min: MAX_DAY - 40, max: MAX_DAY }), weight: 1 },
);

/** The contract's answer for a view, or the custom error name it reverted with. */
async function outcome<T>(call: () => Promise<T>, iface: { parseError: (d: string) => { name: string } | null }) {
  try {
    return { value: await call() };
  } catch (e) {
    const data = (e as { data?: string }).data;
    const parsed = typeof data === "string" ? iface.parseError(data) : null;
    return { error: parsed?.name ?? String(e) };
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe("TradePricing, engine pricing views and BusinessCalendar (property)", function () {
  this.timeout(LONG ? 3_600_000 : 180_000);

  describe("TradePricing.discountProceeds (harness)", function () {
    it("equals the TypeScript formula, stays in (0, face] and floors the interest (exact rational check)", async function () {
      const { harness } = await loadFixture(harnessAndCalendar);
      await fc.assert(
        fc.asyncProperty(face, rateDays, async (f, { rate, days }) => {
          const proceeds = await harness.discountProceeds(f, rate, days);
          expect(proceeds).to.equal(discountProceeds(f, rate, days));
          expectDiscountRounding(f, rate, days, proceeds);
        }),
        { numRuns: RUNS },
      );
    });

    it("never prices one unit at 0: one unit costs exactly one unit at any accepted rate and day count", async function () {
      const { harness } = await loadFixture(harnessAndCalendar);
      await fc.assert(
        fc.asyncProperty(rateDays, async ({ rate, days }) => {
          expect(await harness.discountProceeds(1n, rate, days)).to.equal(1n);
        }),
        { numRuns: RUNS },
      );
    });

    it("never lets a buyer pay less by splitting: proceeds(a) + proceeds(b) >= proceeds(a + b)", async function () {
      const { harness } = await loadFixture(harnessAndCalendar);
      const split = face.filter((f) => f >= 2n).chain((f) => fc.tuple(fc.constant(f), fc.bigInt(1n, f - 1n)));
      await fc.assert(
        fc.asyncProperty(split, rateDays, async ([whole, a], { rate, days }) => {
          const b = whole - a;
          const [pa, pb, pw] = await Promise.all([
            harness.discountProceeds(a, rate, days),
            harness.discountProceeds(b, rate, days),
            harness.discountProceeds(whole, rate, days),
          ]);
          expect(pa + pb >= pw, `p(${a}) + p(${b}) = ${pa + pb} < p(${whole}) = ${pw}`).to.equal(true);
          // Floors lose less than one unit each: the pieces cost at most one unit more than the whole.
          expect(pa + pb - pw <= 1n, "splitting in two costs at most one unit more").to.equal(true);
        }),
        { numRuns: RUNS },
      );
    });

    it("reverts PricingNoDays on zero days and PricingRateTooHigh when rate × days >= 360e6, never wraps", async function () {
      const { harness } = await loadFixture(harnessAndCalendar);
      const tooHigh = fc
        .bigInt(1n, 100_000n)
        .chain((days) =>
          fc.tuple(
            fc.constant(days),
            fc.oneof(
              fc.bigInt((D + days - 1n) / days, (D + days - 1n) / days + 10n),
              fc.bigInt(D / days + 1n, MAX_U32),
            ),
          ),
        );
      await fc.assert(
        fc.asyncProperty(face, tooHigh, fc.bigInt(0n, MAX_U32), async (f, [days, rate], anyRate) => {
          expect(rate * days >= D).to.equal(true);
          await expect(harness.discountProceeds(f, rate, days))
            .to.be.revertedWithCustomError(harness, "PricingRateTooHigh")
            .withArgs(rate, days);
          await expect(harness.discountProceeds(f, anyRate, 0n)).to.be.revertedWithCustomError(
            harness,
            "PricingNoDays",
          );
        }),
        { numRuns: RUNS },
      );
      // rate × days past 2^256 (it would wrap to a small number) and face × rate × days past 2^256 revert.
      await expect(harness.discountProceeds(1n, 1n << 255n, 2n)).to.be.revertedWithPanic(0x11);
      await expect(harness.discountProceeds(hre.ethers.MaxUint256, 2n, 1n)).to.be.revertedWithPanic(0x11);
      // The largest accepted rate on a largest face: no overflow, and still at least one unit.
      const atEdge = await harness.discountProceeds(MAX_FACE, D - 1n, 1n);
      expect(atEdge).to.equal(discountProceeds(MAX_FACE, D - 1n, 1n));
      expect(atEdge >= 1n).to.equal(true);
    });
  });

  describe("TradePricing.repoRepayment (harness)", function () {
    it("equals the TypeScript formula and rounds the interest up (exact rational check)", async function () {
      const { harness } = await loadFixture(harnessAndCalendar);
      await fc.assert(
        fc.asyncProperty(principal, repoRate, repoDays, async (p, rate, days) => {
          const repayment = await harness.repoRepayment(p, rate, days);
          expect(repayment).to.equal(repoRepayment(p, rate, days));
          expectRepoRounding(p, rate, days, repayment);
        }),
        { numRuns: RUNS },
      );
    });

    it("never lets a borrower repay less by splitting: repayment(a) + repayment(b) >= repayment(a + b)", async function () {
      const { harness } = await loadFixture(harnessAndCalendar);
      const split = principal
        .map((p) => (p > MAX_U128 - 1n ? MAX_U128 - 1n : p))
        .filter((p) => p >= 2n)
        .chain((p) => fc.tuple(fc.constant(p), fc.bigInt(1n, p - 1n)));
      await fc.assert(
        fc.asyncProperty(split, repoRate, repoDays, async ([whole, a], rate, days) => {
          const [ra, rb, rw] = await Promise.all([
            harness.repoRepayment(a, rate, days),
            harness.repoRepayment(whole - a, rate, days),
            harness.repoRepayment(whole, rate, days),
          ]);
          expect(ra + rb >= rw, `r(${a}) + r(${whole - a}) = ${ra + rb} < r(${whole}) = ${rw}`).to.equal(true);
          expect(ra + rb - rw <= 1n, "splitting in two costs at most one unit more").to.equal(true);
        }),
        { numRuns: RUNS },
      );
    });

    it("reverts PricingNoDays on zero days and panics (never wraps) when principal × rate × days passes 2^256", async function () {
      const { harness } = await loadFixture(harnessAndCalendar);
      await fc.assert(
        fc.asyncProperty(principal, repoRate, async (p, rate) => {
          await expect(harness.repoRepayment(p, rate, 0n)).to.be.revertedWithCustomError(harness, "PricingNoDays");
        }),
        { numRuns: Math.min(RUNS, 200) },
      );
      // The engine's widest inputs (uint128 principal, uint32 rate, uint32 days) do not overflow.
      expect(await harness.repoRepayment(MAX_U128, MAX_U32, MAX_U32)).to.equal(
        repoRepayment(MAX_U128, MAX_U32, MAX_U32),
      );
      await expect(harness.repoRepayment(1n << 200n, 1n << 40n, 1n << 20n)).to.be.revertedWithPanic(0x11);
      // The rounding-up addition itself overflows rather than wrapping to a tiny repayment.
      await expect(harness.repoRepayment(hre.ethers.MaxUint256, 1n, 1n)).to.be.revertedWithPanic(0x11);
    });
  });

  describe("BusinessCalendar.rollForward", function () {
    it("equals the TypeScript rollForward and isBusinessDay on random day ranges with random holiday and working-day marks", async function () {
      const WINDOW = 40;
      const { calendar } = await loadFixture(harnessAndCalendar);
      const iface = calendar.interface;
      const cases = edgeDay.chain((base) => {
        const first = Math.max(0, base - 4);
        return fc.tuple(fc.constant(first), marksOn(first, WINDOW));
      });
      await fc.assert(
        fc.asyncProperty(cases, async ([first, marks]) => {
          const { calendar: fresh } = await loadFixture(harnessAndCalendar);
          await applyMarks(fresh, marks);
          const days = Array.from({ length: WINDOW }, (_, i) => first + i).filter((d) => d <= MAX_DAY);
          const onChain = await Promise.all(
            days.map((d) => Promise.all([outcome(() => fresh.rollForward(d), iface), fresh.isBusinessDay(d)])),
          );
          days.forEach((d, i) => {
            const [rolled, business] = onChain[i];
            const label = `day ${d} (${isoFromDay(d)})`;
            expect(business, `${label}: isBusinessDay`).to.equal(isBusinessDay(d, marks as DayMarks));
            let expected: number | undefined;
            try {
              expected = rollForward(d, marks);
            } catch {
              expected = undefined;
            }
            // Both stop at the last bill date, 9999-12-31.
            if (expected === undefined) {
              expect(rolled, `${label}: rollForward must refuse`).to.deep.equal({ error: "CalendarNoBusinessDay" });
            } else {
              expect(rolled, `${label}: rollForward`).to.deep.equal({ value: BigInt(expected) });
            }
          });
        }),
        { numRuns: RUNS },
      );
      // Marks hold only up to the last bill date; a day after it is refused, and no day rolls past it.
      const { calendar: last } = await loadFixture(harnessAndCalendar);
      await (await last.markDays([MAX_DAY - 1, MAX_DAY], HOLIDAY)).wait(); // Thu 9999-12-30, Fri 9999-12-31
      await expect(last.rollForward(MAX_DAY - 1))
        .to.be.revertedWithCustomError(last, "CalendarNoBusinessDay")
        .withArgs(MAX_DAY - 1);
      await expect(calendar.rollForward(MAX_DAY + 1)).to.be.revertedWithCustomError(calendar, "CalendarInvalidDay");
      await expect(calendar.markDays([MAX_DAY + 1], HOLIDAY)).to.be.revertedWithCustomError(
        calendar,
        "CalendarInvalidDay",
      );
    });

    it("rolls known edge dates like the TypeScript rollForward (month ends, year ends, Feb 29 on a weekend)", async function () {
      const { calendar } = await loadFixture(harnessAndCalendar);
      const cases: [string, string][] = [
        ["2028-02-29", "2028-02-29"], // Tuesday
        ["2032-02-29", "2032-03-01"], // Sunday → Monday
        ["2048-02-29", "2048-03-02"], // Saturday → Monday
        ["2027-12-31", "2027-12-31"], // Friday
        ["2028-12-31", "2029-01-01"], // Sunday → Monday (no holiday marked)
        ["2027-10-31", "2027-11-01"], // Sunday month end
        ["2100-02-28", "2100-03-01"], // 2100 is no leap year: Sunday → Monday
        ["9999-12-31", "9999-12-31"], // Friday, the last bill date
      ];
      for (const [day, rolled] of cases) {
        const d = dayFromIso(day);
        expect(rollForward(d, new Map()), `TS ${day}`).to.equal(dayFromIso(rolled));
        expect(await calendar.rollForward(d), `chain ${day}`).to.equal(BigInt(dayFromIso(rolled)));
      }
    });
  });

  describe("SettlementEngine pricing views", function () {
    let restore: SnapshotRestorer;
    before(async function () {
      // edgeBills may move the chain up to a year ahead; give the following suites their time back.
      restore = await takeSnapshot();
    });
    after(async function () {
      await restore.restore();
    });

    it("discountProceeds equals the TypeScript formula on edge maturities with random holidays around them", async function () {
      const fixture = await loadFixture(edgeBills);
      const engine = fixture.suite.settlementEngine;
      const calendar = fixture.suite.businessCalendar.connect(fixture.admin);
      const iface = engine.interface;
      const cases = fc
        .nat()
        .map((i) => fixture.bills[i % fixture.bills.length])
        .chain((bill) =>
          fc.record({
            bill: fc.constant(bill),
            marks: marksOn(bill.maturityDay - 3, 16),
            units: face,
            // The value day: from the day before issue to a week after maturity (the latter must refuse).
            valueDay: fc.oneof(
              { arbitrary: fc.integer({ min: fixture.today - 1, max: bill.maturityDay - 1 }), weight: 6 },
              { arbitrary: fc.integer({ min: bill.maturityDay - 2, max: bill.maturityDay + 20 }), weight: 2 },
            ),
            rate: fc.oneof(
              { arbitrary: fc.bigInt(0n, 200_000n), weight: 6 },
              { arbitrary: fc.bigInt(0n, MAX_U32), weight: 2 },
              { arbitrary: fc.constantFrom(0n, 1n, MAX_U32), weight: 1 },
            ),
          }),
        );
      await fc.assert(
        fc.asyncProperty(cases, async ({ bill, marks, units, valueDay, rate }) => {
          await loadFixture(edgeBills);
          // The engine's calendar is the platform's; its admin (accounts.admin) marks the days.
          await applyMarks(calendar, marks);
          const label = `bill maturing ${isoFromDay(bill.maturityDay)}, value day ${isoFromDay(valueDay)}`;
          let rolled: number | undefined;
          try {
            rolled = rollForward(bill.maturityDay, marks);
          } catch {
            rolled = undefined;
          }
          const got = await outcome(
            () => engine.discountProceeds(bill.billId, units, rate, valueDay).then((r) => [r[0], r[1]]),
            iface,
          );
          if (rolled === undefined) {
            expect(got, `${label}: no business day`).to.deep.equal({ error: "CalendarNoBusinessDay" });
            return;
          }
          const days = BigInt(Math.max(rolled - valueDay, 0));
          if (days === 0n) {
            expect(got, `${label}: no days`).to.deep.equal({ error: "PricingNoDays" });
            return;
          }
          if (rate * days >= D) {
            expect(got, `${label}: rate too high`).to.deep.equal({ error: "PricingRateTooHigh" });
            await expect(engine.discountProceeds(bill.billId, units, rate, valueDay))
              .to.be.revertedWithCustomError(engine, "PricingRateTooHigh")
              .withArgs(rate, days);
            return;
          }
          const expected = discountProceeds(units, rate, days);
          expect(got, label).to.deep.equal({ value: [expected, days] });
          expectDiscountRounding(units, rate, days, expected);
        }),
        { numRuns: RUNS },
      );
    });

    it("discountProceeds of pieces of a trade never sum below the whole trade's", async function () {
      const fixture = await loadFixture(edgeBills);
      const engine = fixture.suite.settlementEngine;
      const cases = fc.record({
        bill: fc.nat().map((i) => fixture.bills[i % fixture.bills.length]),
        whole: face.filter((f) => f >= 2n),
        cut: fc.double({ min: 0, max: 1, noNaN: true }),
        rate: fc.bigInt(1n, 300_000n),
        back: fc.integer({ min: 1, max: 60 }),
      });
      await fc.assert(
        fc.asyncProperty(cases, async ({ bill, whole, cut, rate, back }) => {
          const valueDay = Math.max(fixture.today, bill.maturityDay - back);
          let a = BigInt(Math.floor(Number(whole) * cut));
          if (a < 1n) a = 1n;
          if (a >= whole) a = whole - 1n;
          const [[pa], [pb], [pw, days]] = await Promise.all([
            engine.discountProceeds(bill.billId, a, rate, valueDay),
            engine.discountProceeds(bill.billId, whole - a, rate, valueDay),
            engine.discountProceeds(bill.billId, whole, rate, valueDay),
          ]);
          expect(days).to.equal(BigInt(rollForward(bill.maturityDay, new Map()) - valueDay));
          expect(pa + pb >= pw, `p(${a}) + p(${whole - a}) = ${pa + pb} < p(${whole}) = ${pw}`).to.equal(true);
          expect(pa > 0n && pb > 0n, "each piece costs something").to.equal(true);
        }),
        { numRuns: RUNS },
      );
    });

    it("repoRepayment equals the TypeScript formula on end - value days, splits never cost less, no days reverts", async function () {
      const fixture = await loadFixture(edgeBills);
      const engine = fixture.suite.settlementEngine;
      const cases = fc.record({
        p: principal,
        cut: fc.double({ min: 0, max: 1, noNaN: true }),
        rate: repoRate,
        valueDay: fc.oneof(fc.integer({ min: 0, max: 3_000_000 }), fc.constant(Number(MAX_U32))),
        length: fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 400 }), weight: 4 },
          { arbitrary: fc.integer({ min: -5, max: 0 }), weight: 1 },
        ),
      });
      await fc.assert(
        fc.asyncProperty(cases, async ({ p, cut, rate, valueDay, length }) => {
          const endDay = Math.min(Math.max(valueDay + length, 0), Number(MAX_U32));
          if (endDay <= valueDay) {
            await expect(engine.repoRepayment(p, rate, valueDay, endDay)).to.be.revertedWithCustomError(
              engine,
              "PricingNoDays",
            );
            return;
          }
          const days = BigInt(endDay - valueDay);
          const repayment = await engine.repoRepayment(p, rate, valueDay, endDay);
          expect(repayment).to.equal(repoRepayment(p, rate, days));
          expectRepoRounding(p, rate, days, repayment);
          if (p >= 2n) {
            let a = BigInt(Math.floor(Number(p) * cut));
            if (a < 1n) a = 1n;
            if (a >= p) a = p - 1n;
            const [ra, rb] = await Promise.all([
              engine.repoRepayment(a, rate, valueDay, endDay),
              engine.repoRepayment(p - a, rate, valueDay, endDay),
            ]);
            expect(ra + rb >= repayment, `r(${a}) + r(${p - a}) < r(${p})`).to.equal(true);
          }
        }),
        { numRuns: RUNS },
      );
    });
  });
});
