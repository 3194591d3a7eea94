// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test only: an ERC-20 with a callback on every transfer (like ERC-777 or ERC-1363 hooks), to attack the
/// settlement engine by re-entry, and a switch that makes transfers to one account revert (a frozen account).
/// Anyone may mint.
contract HookToken is ERC20 {
    address public hookTarget;
    bytes public hookData;
    /// @notice With `bubble`, a failing hook call makes the transfer revert; else its failure is recorded.
    bool public bubble;
    bool public lastHookSucceeded;
    bytes public lastHookReturn;
    address public blocked;

    error HookTokenRecipientBlocked(address account);

    constructor() ERC20("Hook token", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setHook(address target, bytes calldata data, bool bubble_) external {
        hookTarget = target;
        hookData = data;
        bubble = bubble_;
    }

    function setBlocked(address account) external {
        blocked = account;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (to == blocked && to != address(0)) revert HookTokenRecipientBlocked(to);
        super._update(from, to, value);
        address target = hookTarget;
        if (target != address(0) && from != address(0)) {
            hookTarget = address(0); // one shot
            // The attack itself: an arbitrary call back into the engine.
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory ret) = target.call(hookData);
            lastHookSucceeded = ok;
            lastHookReturn = ret;
            if (bubble && !ok) {
                assembly {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
    }
}
