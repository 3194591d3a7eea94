// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/// @title A platform contract that keeps a copy of wallets' KYC standing
/// @notice The identity registry calls the hooks synchronously, in the same transaction as every change of a
/// wallet's standing, so a subscriber's copy never lags the registry. The copy is trusted only while the
/// subscription that wrote it lasts; for any other wallet the subscriber asks the registry.
interface IIdentitySubscriber {
    /// @notice `caller` is not the identity registry.
    error IdentitySubscriberUnauthorized(address caller);

    /// @notice The subscription changed; copies written under another `epoch` are no longer trusted.
    event IdentitySubscriptionChanged(bool subscribed, uint32 epoch);

    /// @notice The registry starts publishing to this contract. Registry only.
    function onSubscribed() external;

    /// @notice The registry stops publishing to this contract. Registry only.
    function onUnsubscribed() external;

    /// @notice Each of `wallets` now has `credential` (all zero for a wallet that was unlinked or removed).
    /// Registry only.
    function onCredentialsChanged(
        address[] calldata wallets,
        IIdentityRegistry.Credential calldata credential
    ) external;

    /// @notice Whether all movement is stopped.
    function paused() external view returns (bool);

    /// @notice The registry this contract checks identities against.
    function identityRegistry() external view returns (IIdentityRegistry);

    /// @notice Whether the registry publishes to this contract, and the epoch of the current subscription.
    function identitySubscription() external view returns (bool subscribed, uint32 epoch);

    /// @notice The copy of `wallet`'s standing, and whether it is current (else the registry is asked).
    function cachedCredentialOf(
        address wallet
    ) external view returns (IIdentityRegistry.Credential memory credential, bool current);

    /// @notice The registry's `partiesIfVerified(a, b)`, answered from this contract's copies when both are current
    /// (else from the registry): the same answer, without a call to the registry.
    function partiesIfVerified(
        address a,
        address b
    ) external view returns (IIdentityRegistry.EntityKind aKind, IIdentityRegistry.EntityKind bKind, bool same);
}
