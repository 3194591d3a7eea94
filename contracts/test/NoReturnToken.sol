// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test only: a token in the style of early USDT. `transfer` and `transferFrom` return nothing; with
/// `returnFalse` set they return `false` instead of reverting when the balance or allowance is short. Anyone may
/// mint.
contract NoReturnToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    bool public returnFalse;

    error NoReturnTokenShort();

    event Transfer(address indexed from, address indexed to, uint256 value);

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function setReturnFalse(bool value) external {
        returnFalse = value;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external {
        if (allowance[from][msg.sender] < amount) _fail();
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        if (balanceOf[from] < amount) _fail();
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }

    /// @dev Either returns `false` to the caller of the external function or reverts.
    function _fail() private view {
        if (!returnFalse) revert NoReturnTokenShort();
        assembly {
            mstore(0, 0)
            return(0, 32)
        }
    }
}
