// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Gas baseline only: swaps an ERC-1155 balance for an ERC-20 amount between two parties that gave this
/// contract standing approvals. No checks of any kind.
contract BaselineSwap {
    function swap(
        IERC1155 items,
        uint256 id,
        uint256 units,
        address seller,
        IERC20 money,
        uint256 price,
        address buyer
    ) external {
        items.safeTransferFrom(seller, buyer, id, units, "");
        money.transferFrom(buyer, seller, price);
    }
}
