// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TradePricing} from "../libraries/TradePricing.sol";

/// @notice Test only: exposes the pricing library.
contract TradePricingHarness {
    function discountProceeds(uint256 face, uint256 rate, uint256 days_) external pure returns (uint256) {
        return TradePricing.discountProceeds(face, rate, days_);
    }

    function repoRepayment(uint256 principal, uint256 rate, uint256 days_) external pure returns (uint256) {
        return TradePricing.repoRepayment(principal, rate, days_);
    }
}
