// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/// @notice Gas baseline only: a plain OpenZeppelin ERC1155 with no checks; token id 1 minted to the deployer.
contract PlainERC1155 is ERC1155 {
    constructor(uint256 supply) ERC1155("") {
        _mint(msg.sender, 1, supply, "");
    }
}
