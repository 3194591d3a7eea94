// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BillCalendar} from "../libraries/BillCalendar.sol";

/// @notice Tests only, never deployed: exposes each internal function and constant of BillCalendar as an
/// external pure function, plus batch variants that convert many values in one call for the property tests.
contract BillCalendarHarness {
    /// @notice A day number and a number of months to add to it.
    struct MonthShift {
        uint32 day;
        uint256 months;
    }

    function utcOffset() external pure returns (uint256) {
        return BillCalendar.UTC_OFFSET;
    }

    function maxDay() external pure returns (uint32) {
        return BillCalendar.MAX_DAY;
    }

    function maxTimestamp() external pure returns (uint256) {
        return BillCalendar.MAX_TIMESTAMP;
    }

    function dayOf(uint256 timestamp) external pure returns (uint32) {
        return BillCalendar.dayOf(timestamp);
    }

    function startOf(uint32 day) external pure returns (uint256) {
        return BillCalendar.startOf(day);
    }

    function toDate(uint32 day) external pure returns (uint256 year, uint256 month, uint256 dayOfMonth) {
        return BillCalendar.toDate(day);
    }

    function fromDate(uint256 year, uint256 month, uint256 dayOfMonth) external pure returns (uint32) {
        return BillCalendar.fromDate(year, month, dayOfMonth);
    }

    function addMonths(uint32 day, uint256 months) external pure returns (uint32) {
        return BillCalendar.addMonths(day, months);
    }

    function isLeapYear(uint256 year) external pure returns (bool) {
        return BillCalendar.isLeapYear(year);
    }

    function daysInMonth(uint256 year, uint256 month) external pure returns (uint256) {
        return BillCalendar.daysInMonth(year, month);
    }

    function dayOfWeek(uint32 day) external pure returns (uint256) {
        return BillCalendar.dayOfWeek(day);
    }

    /// @notice For each timestamp, as [day, year, month, dayOfMonth, weekday, start]: its CST day (`dayOf`), that
    /// day's date (`toDate`) and weekday (`dayOfWeek`), and the day's `startOf` (0 for day 0, which has none).
    function describeEach(uint256[] calldata timestamps) external pure returns (uint256[6][] memory rows) {
        rows = new uint256[6][](timestamps.length);
        for (uint256 i = 0; i < timestamps.length; ++i) {
            uint32 day = BillCalendar.dayOf(timestamps[i]);
            (uint256 year, uint256 month, uint256 dayOfMonth) = BillCalendar.toDate(day);
            uint256 start = day == 0 ? 0 : BillCalendar.startOf(day);
            rows[i] = [day, year, month, dayOfMonth, BillCalendar.dayOfWeek(day), start];
        }
    }

    /// @notice `fromDate` of each [year, month, dayOfMonth].
    function fromDateEach(uint256[3][] calldata dates) external pure returns (uint32[] memory dayNumbers) {
        dayNumbers = new uint32[](dates.length);
        for (uint256 i = 0; i < dates.length; ++i)
            dayNumbers[i] = BillCalendar.fromDate(dates[i][0], dates[i][1], dates[i][2]);
    }

    /// @notice `addMonths` of each shift.
    function addMonthsEach(MonthShift[] calldata shifts) external pure returns (uint32[] memory dayNumbers) {
        dayNumbers = new uint32[](shifts.length);
        for (uint256 i = 0; i < shifts.length; ++i)
            dayNumbers[i] = BillCalendar.addMonths(shifts[i].day, shifts[i].months);
    }
}
