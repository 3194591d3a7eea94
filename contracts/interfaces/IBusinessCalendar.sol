// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Business days of the bill market
/// @notice A day (a China Standard Time day number, see BillCalendar) is a business day if it is a Monday to
/// Friday that is not marked a holiday, or a Saturday or Sunday marked a working day (the make-up days that come
/// with public holidays). A maturity that falls on a non-business day is paid, and priced, on the next business day.
interface IBusinessCalendar {
    /// @notice How the admin marked a day.
    enum DayMark {
        None,
        Holiday,
        WorkingDay
    }

    /// @notice No business day within `MAX_ROLL_DAYS` days from `day`.
    error CalendarNoBusinessDay(uint32 day);
    /// @notice `day` is after the last bill date (9999-12-31).
    error CalendarInvalidDay(uint32 day);

    /// @notice The admin marked `day`.
    event DayMarked(uint32 indexed day, DayMark mark);

    /// @notice Marks each of `days_` (a holiday, a working weekend day, or back to the weekday rule). Admin only.
    function markDays(uint32[] calldata days_, DayMark mark) external;

    /// @notice How `day` is marked.
    function markOf(uint32 day) external view returns (DayMark);

    /// @notice Whether `day` is a business day.
    function isBusinessDay(uint32 day) external view returns (bool);

    /// @notice `day` if it is a business day, else the next business day.
    function rollForward(uint32 day) external view returns (uint32);
}
