// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The yearly rate `rate` (in millionths) over `days` days would take the whole face or more.
error PricingRateTooHigh(uint256 rate, uint256 days_);
/// @notice A day count of zero: the settlement date is not before the date the interest runs to.
error PricingNoDays();

/// @title Discount and repo pricing on the act/360 count
/// @notice Rates are yearly, in millionths (`RATE_SCALE`): 1 = 0.01 basis point, 25_000 = 2.5 %. Days run from the
/// settlement date to the end date, counting the first day and not the last (the caller passes the difference of
/// the two day numbers). Every result is rounded so that the payer never pays a unit less than the exact amount:
/// - discount: interest = face × rate × days / (360 × RATE_SCALE) rounded down, proceeds = face − interest, so
///   the buyer's payment is rounded up; interest must stay below the face, so one unit always costs one unit;
/// - repo: repayment = principal + principal × rate × days / (360 × RATE_SCALE) rounded up.
/// Both roundings make a trade split into pieces cost the payer at least what the whole costs.
library TradePricing {
    /// @notice Rates are counted in millionths per year.
    uint256 internal constant RATE_SCALE = 1_000_000;
    /// @notice The day basis of the act/360 count.
    uint256 internal constant DAY_BASIS = 360;

    /// @notice What a buyer pays for `face` units discounted at `rate` over `days_` days.
    /// @dev Reverts unless 0 < days_ and rate × days_ < 360 × RATE_SCALE (the interest stays below the face).
    function discountProceeds(uint256 face, uint256 rate, uint256 days_) internal pure returns (uint256) {
        if (days_ == 0) revert PricingNoDays();
        uint256 rateDays = rate * days_;
        if (rateDays >= DAY_BASIS * RATE_SCALE) revert PricingRateTooHigh(rate, days_);
        return face - (face * rateDays) / (DAY_BASIS * RATE_SCALE);
    }

    /// @notice What a borrower repays on `principal` lent at `rate` for `days_` days.
    function repoRepayment(uint256 principal, uint256 rate, uint256 days_) internal pure returns (uint256) {
        if (days_ == 0) revert PricingNoDays();
        uint256 interest = principal * rate * days_;
        // Ceiling division; the sum cannot overflow for the uint128 principals and uint32 rates the engine passes.
        return principal + (interest + DAY_BASIS * RATE_SCALE - 1) / (DAY_BASIS * RATE_SCALE);
    }
}
