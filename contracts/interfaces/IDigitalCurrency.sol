// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IIdentitySubscriber} from "./IIdentitySubscriber.sol";

/// @title Central-bank digital currency used to settle bill trades
/// @notice An ERC-20 with 2 decimals (one unit is one fen). Only wallets verified in the identity registry may
/// send, receive, approve or spend; regulator wallets may do none of these. The central bank mints and burns;
/// the regulator freezes whole accounts or amounts and can move no one's money.
interface IDigitalCurrency is IIdentitySubscriber {
    /// @notice `account` is not verified in the identity registry now.
    error CurrencyUnverifiedAccount(address account);
    /// @notice `account` belongs to the regulator, which holds and moves no money.
    error CurrencyRegulatorAccount(address account);
    /// @notice `account` is frozen and cannot send.
    error CurrencyAccountFrozen(address account);
    /// @notice Moving `needed` from `account` would touch frozen value; only `available` is free.
    error CurrencyInsufficientAvailableBalance(address account, uint256 available, uint256 needed);
    /// @notice `account` is a platform contract's account (escrow of many parties): it cannot be frozen.
    error CurrencySystemAccount(address account);
    /// @notice The currency is paused: no money moves.
    error CurrencyPaused();
    /// @notice The currency is not paused.
    error CurrencyNotPaused();
    /// @notice A zero amount was given.
    error CurrencyZeroAmount();
    /// @notice A zero address was given.
    error CurrencyZeroAddress();
    /// @notice `account` is already frozen.
    error CurrencyAccountAlreadyFrozen(address account);
    /// @notice `account` is not frozen.
    error CurrencyAccountNotFrozen(address account);
    /// @notice Unfreezing `amount` exceeds the `frozen` amount of `account`.
    error CurrencyUnfreezeExceedsFrozen(address account, uint256 frozen, uint256 amount);
    /// @notice Minting would lift the supply above `cap`.
    error CurrencySupplyCapExceeded(uint256 supply, uint256 amount, uint256 cap);
    /// @notice Freezing would lift the frozen amount of `account` above `cap`.
    error CurrencyFreezeCapExceeded(address account, uint256 frozen, uint256 amount, uint256 cap);

    /// @notice `account` stopped all movement of money.
    event Paused(address account);
    /// @notice `account` let money move again.
    event Unpaused(address account);
    /// @notice `account` can no longer send, by order carried out by `by`.
    event AccountFrozen(address indexed account, address indexed by);
    /// @notice `account` can send again.
    event AccountUnfrozen(address indexed account, address indexed by);
    /// @notice `amount` more of `account`'s value is frozen; `frozenTotal` is frozen now.
    event AmountFrozen(address indexed account, uint256 amount, uint256 frozenTotal, address indexed by);
    /// @notice `amount` of `account`'s frozen value is released; `frozenTotal` stays frozen.
    event AmountUnfrozen(address indexed account, uint256 amount, uint256 frozenTotal, address indexed by);

    /// @notice Issues `amount` new units to the verified wallet `to`. Issuer only.
    function mint(address to, uint256 amount) external;

    /// @notice Redeems `amount` of the issuer's own balance. Issuer only.
    function burn(uint256 amount) external;

    /// @notice Stops every movement of money (transfer, mint, burn). Pauser only.
    function pause() external;

    /// @notice Lets money move again. Pauser only.
    function unpause() external;

    /// @notice Stops `account` from sending anything; it can still receive. A platform contract's account cannot be
    /// frozen (`CurrencySystemAccount`): a party's money escrowed in the settlement engine is held by freezing the
    /// party, whose escrowed proposals then cannot be accepted. Regulator only.
    function freezeAccount(address account) external;

    /// @notice Lifts an account freeze. Regulator only.
    function unfreezeAccount(address account) external;

    /// @notice Freezes `amount` more of `account`'s value (judicial partial freeze). The frozen amount may exceed
    /// the balance: money that arrives later is held until the whole amount is covered. Not for a platform contract's
    /// account. Regulator only.
    function freezeAmount(address account, uint256 amount) external;

    /// @notice Releases `amount` of `account`'s frozen value. Regulator only.
    function unfreezeAmount(address account, uint256 amount) external;

    /// @notice Whether `account` is frozen as a whole.
    function isAccountFrozen(address account) external view returns (bool);

    /// @notice The amount of `account`'s value frozen by order.
    function frozenAmountOf(address account) external view returns (uint256);

    /// @notice What `account` can send now: zero if the account is frozen, else its balance less the frozen amount.
    ///
    function availableBalanceOf(address account) external view returns (uint256);
}
