// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// A library has no interface to own its errors, so they live here, at file level, where every user of the
// library (and the ABI of every contract that inlines it) can see them.

/// @notice `day` has no start time this library can express: day 0 (1970-01-01 CST) begins eight hours before
/// the unix epoch, and no bill date lies after 9999-12-31 (`BillCalendar.MAX_DAY`).
error BillCalendarDayOutOfRange(uint32 day);
/// @notice `timestamp` is after the last second of 9999-12-31 CST (`BillCalendar.MAX_TIMESTAMP`).
error BillCalendarTimestampOutOfRange(uint256 timestamp);
/// @notice `year`-`month`-`dayOfMonth` is not a date of the proleptic Gregorian calendar from 1970-01-01 to
/// 9999-12-31.
error BillCalendarInvalidDate(uint256 year, uint256 month, uint256 dayOfMonth);
/// @notice `month` is not a month number from 1 (January) to 12 (December).
error BillCalendarInvalidMonth(uint256 month);
/// @notice The date `months` months after `day` would fall after 9999-12-31.
error BillCalendarMonthsOutOfRange(uint32 day, uint256 months);

/// @title Bill dates: calendar days in China Standard Time
/// @notice A bill date is a whole calendar day in China Standard Time (UTC+8, no daylight saving), written as a
/// day number: the days since 1970-01-01 CST, so day 0 is 1970-01-01 and day 19_782 is 2024-02-29. Dates follow
/// the proleptic Gregorian calendar and run from 1970-01-01 to 9999-12-31 (`MAX_DAY`).
/// @dev Conversions between day numbers and dates use the days-from-civil / civil-from-days method (H. Hinnant):
/// the year is counted from March, so the leap day is the last day of its year, and 400 Gregorian years (an
/// "era") always hold 146_097 days. Every input is range-checked first, so the arithmetic can run unchecked.
library BillCalendar {
    /// @notice CST is UTC+8 all year round.
    uint256 internal constant UTC_OFFSET = 8 hours;
    /// @notice The first year of a bill date.
    uint256 internal constant MIN_YEAR = 1970;
    /// @notice The last year of a bill date.
    uint256 internal constant MAX_YEAR = 9999;
    /// @notice The day number of 9999-12-31, the last bill date.
    uint32 internal constant MAX_DAY = 2_932_896;
    /// @notice The last second of `MAX_DAY`: 9999-12-31 23:59:59 CST.
    uint256 internal constant MAX_TIMESTAMP = (uint256(MAX_DAY) + 1) * 1 days - UTC_OFFSET - 1;

    /// @dev The days from 0000-03-01, the start of era 0, to 1970-01-01.
    uint256 private constant _EPOCH_DAYS = 719_468;
    /// @dev The days in 400 Gregorian years.
    uint256 private constant _DAYS_PER_ERA = 146_097;
    /// @dev `year * 12 + (month - 1)` of 9999-12, the last month a bill date can fall in.
    uint256 private constant _MAX_MONTH_INDEX = MAX_YEAR * 12 + 11;

    /// @notice The CST day that contains `timestamp` (unix seconds): 16:00:00 UTC starts the next day.
    /// @dev Reverts `BillCalendarTimestampOutOfRange` after `MAX_TIMESTAMP`.
    function dayOf(uint256 timestamp) internal pure returns (uint32) {
        if (timestamp > MAX_TIMESTAMP) revert BillCalendarTimestampOutOfRange(timestamp);
        // timestamp <= MAX_TIMESTAMP < 2^38, so the sum cannot overflow and the quotient is at most MAX_DAY,
        // which fits a uint32.
        unchecked {
            return uint32((timestamp + UTC_OFFSET) / 1 days);
        }
    }

    /// @notice The unix timestamp of 00:00:00 CST on `day` (16:00:00 UTC the day before).
    /// @dev Reverts `BillCalendarDayOutOfRange` for day 0, which starts before the unix epoch, and after `MAX_DAY`.
    function startOf(uint32 day) internal pure returns (uint256) {
        if (day == 0 || day > MAX_DAY) revert BillCalendarDayOutOfRange(day);
        // 1 <= day < 2^32: the product is below 2^49 and at least 1 days, which is more than UTC_OFFSET.
        unchecked {
            return uint256(day) * 1 days - UTC_OFFSET;
        }
    }

    /// @notice The calendar date of `day`.
    /// @dev Reverts `BillCalendarDayOutOfRange` after `MAX_DAY`.
    /// @return year from 1970 to 9999
    /// @return month from 1 (January) to 12 (December)
    /// @return dayOfMonth from 1 to 31
    function toDate(uint32 day) internal pure returns (uint256 year, uint256 month, uint256 dayOfMonth) {
        if (day > MAX_DAY) revert BillCalendarDayOutOfRange(day);
        return _civilFromDays(day);
    }

    /// @notice The day number of `year`-`month`-`dayOfMonth`.
    /// @dev Reverts `BillCalendarInvalidDate` unless it is a real date from 1970-01-01 to 9999-12-31.
    function fromDate(uint256 year, uint256 month, uint256 dayOfMonth) internal pure returns (uint32) {
        if (
            year < MIN_YEAR ||
            year > MAX_YEAR ||
            month == 0 ||
            month > 12 ||
            dayOfMonth == 0 ||
            dayOfMonth > _daysInMonth(year, month)
        ) revert BillCalendarInvalidDate(year, month, dayOfMonth);
        return _daysFromCivil(year, month, dayOfMonth);
    }

    /// @notice The same day of the month `months` months after `day`, or the last day of that month if it is
    /// shorter: 01-31 plus one month is 02-28 (02-29 in a leap year), 08-31 plus six months likewise.
    /// @dev Reverts `BillCalendarDayOutOfRange` after `MAX_DAY` and `BillCalendarMonthsOutOfRange` if the result
    /// would fall after 9999-12-31.
    function addMonths(uint32 day, uint256 months) internal pure returns (uint32) {
        (uint256 year, uint256 month, uint256 dayOfMonth) = toDate(day);
        uint256 monthIndex = year * 12 + (month - 1);
        if (months > _MAX_MONTH_INDEX - monthIndex) revert BillCalendarMonthsOutOfRange(day, months);
        // monthIndex + months <= _MAX_MONTH_INDEX, just checked, so the target is a month from 1970-01 to 9999-12
        // and the clamped day of month is valid in it.
        unchecked {
            monthIndex += months;
            uint256 targetYear = monthIndex / 12;
            uint256 targetMonth = (monthIndex % 12) + 1;
            uint256 lastDay = _daysInMonth(targetYear, targetMonth);
            return _daysFromCivil(targetYear, targetMonth, dayOfMonth < lastDay ? dayOfMonth : lastDay);
        }
    }

    /// @notice Whether `year` of the proleptic Gregorian calendar has a 29 February: every fourth year, except
    /// centuries not divisible by 400 (2000 is a leap year, 2100 is not).
    function isLeapYear(uint256 year) internal pure returns (bool) {
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    /// @notice The number of days in `month` of `year`.
    /// @dev Reverts `BillCalendarInvalidMonth` unless `month` is 1 to 12. Any year is accepted.
    function daysInMonth(uint256 year, uint256 month) internal pure returns (uint256) {
        if (month == 0 || month > 12) revert BillCalendarInvalidMonth(month);
        return _daysInMonth(year, month);
    }

    /// @notice The ISO weekday of `day`: 1 = Monday ... 7 = Sunday (day 0, 1970-01-01, was a Thursday).
    /// @dev Defined for every day number, including those after `MAX_DAY`.
    function dayOfWeek(uint32 day) internal pure returns (uint256) {
        // day < 2^32, so day + 3 cannot overflow a uint256.
        unchecked {
            return ((uint256(day) + 3) % 7) + 1;
        }
    }

    /// @dev `month` must be 1 to 12.
    function _daysInMonth(uint256 year, uint256 month) private pure returns (uint256) {
        if (month == 2) return isLeapYear(year) ? 29 : 28;
        return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    }

    /// @dev The day number of a valid date from 1970-01-01 to 9999-12-31 (callers check).
    function _daysFromCivil(uint256 year, uint256 month, uint256 dayOfMonth) private pure returns (uint32) {
        // With 1970 <= year <= 9999, 1 <= month <= 12 and 1 <= dayOfMonth <= 31 every intermediate is below 2^22;
        // the subtractions stay non-negative: year - 1 >= 1969, month - 3 only when month > 2, yearOfEra / 100 <=
        // yearOfEra * 365, and a date on or after 1970-01-01 lies at least _EPOCH_DAYS days after 0000-03-01.
        // The result is at most MAX_DAY, so it fits a uint32.
        unchecked {
            // Count years from March: January and February belong to the year before.
            uint256 marchYear = month > 2 ? year : year - 1;
            uint256 era = marchYear / 400;
            uint256 yearOfEra = marchYear % 400; // 0 ..= 399
            uint256 monthFromMarch = month > 2 ? month - 3 : month + 9; // March = 0 ..= February = 11
            // (153 * m + 2) / 5 is the number of days in the first m months from March (31, 30, 31, 30, 31, ...).
            uint256 dayOfYear = (153 * monthFromMarch + 2) / 5 + dayOfMonth - 1; // 0 ..= 365
            uint256 dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear; // 0 ..= 146_096
            return uint32(era * _DAYS_PER_ERA + dayOfEra - _EPOCH_DAYS);
        }
    }

    /// @dev The date of `day`, which must be at most MAX_DAY (callers check).
    function _civilFromDays(uint32 day) private pure returns (uint256 year, uint256 month, uint256 dayOfMonth) {
        // day <= MAX_DAY keeps every intermediate below 2^22. The subtractions stay non-negative: x - x / k >= 0
        // for k >= 1; dayOfYear is dayOfEra less the days of the whole years of the era before it; the first
        // monthFromMarch months hold at most dayOfYear days by the choice of monthFromMarch; and
        // monthFromMarch - 9 runs only when monthFromMarch >= 10.
        unchecked {
            uint256 shifted = uint256(day) + _EPOCH_DAYS; // days since 0000-03-01
            uint256 era = shifted / _DAYS_PER_ERA;
            uint256 dayOfEra = shifted % _DAYS_PER_ERA; // 0 ..= 146_096
            // Remove the leap days before dayOfEra (every 1_460 days, but not at centuries, except the era's last
            // day) so that 365 divides evenly into whole years.
            uint256 yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
            uint256 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100); // 0 ..= 365
            uint256 monthFromMarch = (5 * dayOfYear + 2) / 153; // March = 0 ..= February = 11
            dayOfMonth = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1;
            month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
            year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0);
        }
    }
}
