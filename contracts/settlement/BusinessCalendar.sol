// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IBusinessCalendar} from "../interfaces/IBusinessCalendar.sol";
import {BillCalendar} from "../libraries/BillCalendar.sol";

/// @title BusinessCalendar
/// @notice The holiday calendar of the bill market, kept by its admin: weekends are not business days unless
/// marked working days, weekdays are unless marked holidays.
contract BusinessCalendar is IBusinessCalendar, AccessControlDefaultAdminRules {
    /// @notice The longest run of non-business days `rollForward` looks across (the longest Chinese holiday,
    /// with its weekends, is nine days).
    uint32 public constant MAX_ROLL_DAYS = 31;

    mapping(uint32 day => DayMark) private _marks;

    /// @param initialAdminDelay seconds a new admin must wait before accepting the role
    /// @param admin maintains the calendar
    constructor(uint48 initialAdminDelay, address admin) AccessControlDefaultAdminRules(initialAdminDelay, admin) {}

    /// @inheritdoc IBusinessCalendar
    function markDays(uint32[] calldata days_, DayMark mark) external onlyRole(DEFAULT_ADMIN_ROLE) {
        for (uint256 i = 0; i < days_.length; ++i) {
            uint32 day = days_[i];
            if (day > BillCalendar.MAX_DAY) revert CalendarInvalidDay(day);
            _marks[day] = mark;
            emit DayMarked(day, mark);
        }
    }

    /// @inheritdoc IBusinessCalendar
    function markOf(uint32 day) external view returns (DayMark) {
        return _marks[day];
    }

    /// @inheritdoc IBusinessCalendar
    function isBusinessDay(uint32 day) public view returns (bool) {
        DayMark mark = _marks[day];
        if (mark != DayMark.None) return mark == DayMark.WorkingDay;
        return BillCalendar.dayOfWeek(day) < 6;
    }

    /// @inheritdoc IBusinessCalendar
    function rollForward(uint32 day) external view returns (uint32) {
        if (day > BillCalendar.MAX_DAY) revert CalendarInvalidDay(day);
        for (uint32 i = 0; i <= MAX_ROLL_DAYS && day + i <= BillCalendar.MAX_DAY; ++i) {
            if (isBusinessDay(day + i)) return day + i;
        }
        revert CalendarNoBusinessDay(day);
    }
}
