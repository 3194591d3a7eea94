// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IIdentitySubscriber} from "../interfaces/IIdentitySubscriber.sol";

/// @title IdentityGate
/// @notice The gate of a platform token: who may act (KYC standing from the shared registry) and whether anything
/// may move (pause). The registry publishes every change of standing to this contract in the same transaction,
/// so a transfer reads a local copy instead of calling the registry; a wallet without a current copy is looked
/// up in the registry. Either way the answer is the registry's answer at that moment.
/// @dev The pause flag and the subscription share one storage slot (`_gate`), and each wallet's copy is one
/// slot, so the whole gate of a transfer costs three storage reads and no external call.
abstract contract IdentityGate is IIdentitySubscriber {
    struct GateState {
        bool paused;
        bool subscribed;
        uint32 epoch;
    }

    /// @dev One slot: the published credential and the subscription epoch it was written under.
    struct CachedCredential {
        uint48 expiresAt;
        IIdentityRegistry.EntityStatus status;
        IIdentityRegistry.EntityKind kind;
        uint32 epoch;
        uint32 entity;
    }

    IIdentityRegistry private immutable _registry;

    GateState private _gate;
    mapping(address wallet => CachedCredential) private _cache;

    modifier onlyRegistry() {
        if (msg.sender != address(_registry)) revert IdentitySubscriberUnauthorized(msg.sender);
        _;
    }

    constructor(IIdentityRegistry registry) {
        _registry = registry;
    }

    /// @inheritdoc IIdentitySubscriber
    function onSubscribed() external onlyRegistry {
        GateState storage gate = _gate;
        uint32 epoch = gate.epoch + 1;
        gate.epoch = epoch;
        gate.subscribed = true;
        emit IdentitySubscriptionChanged(true, epoch);
    }

    /// @inheritdoc IIdentitySubscriber
    function onUnsubscribed() external onlyRegistry {
        _gate.subscribed = false;
        emit IdentitySubscriptionChanged(false, _gate.epoch);
    }

    /// @inheritdoc IIdentitySubscriber
    function onCredentialsChanged(
        address[] calldata wallets,
        IIdentityRegistry.Credential calldata credential
    ) external onlyRegistry {
        CachedCredential memory cached = _toCached(credential, _gate.epoch);
        for (uint256 i = 0; i < wallets.length; ++i) {
            _cache[wallets[i]] = cached;
        }
    }

    /// @inheritdoc IIdentitySubscriber
    function identityRegistry() external view returns (IIdentityRegistry) {
        return _registry;
    }

    /// @inheritdoc IIdentitySubscriber
    function identitySubscription() external view returns (bool subscribed, uint32 epoch) {
        return (_gate.subscribed, _gate.epoch);
    }

    /// @inheritdoc IIdentitySubscriber
    function cachedCredentialOf(
        address wallet
    ) external view returns (IIdentityRegistry.Credential memory credential, bool current) {
        CachedCredential storage cached = _cache[wallet];
        credential = IIdentityRegistry.Credential(cached.expiresAt, cached.status, cached.kind, cached.entity);
        current = _isCurrent(_gate, cached.epoch);
    }

    /// @inheritdoc IIdentitySubscriber
    function partiesIfVerified(
        address a,
        address b
    ) external view returns (IIdentityRegistry.EntityKind aKind, IIdentityRegistry.EntityKind bKind, bool same) {
        return _partiesIfVerified(_gate, a, b);
    }

    /// @inheritdoc IIdentitySubscriber
    function paused() public view returns (bool) {
        return _gate.paused;
    }

    function _setPaused(bool value) internal {
        _gate.paused = value;
    }

    /// @dev The whole gate in one storage read: pass it on to `_kindsIfVerified`.
    function _gateState() internal view returns (GateState memory) {
        return _gate;
    }

    /// @dev The kinds of two wallets if verified now, else `None`; the zero address (the mint or burn side) reads
    /// as `None` and costs nothing. Uses the copies when both are current, else one call to the registry.
    function _kindsIfVerified(
        GateState memory gate,
        address a,
        address b
    ) internal view returns (IIdentityRegistry.EntityKind aKind, IIdentityRegistry.EntityKind bKind) {
        (aKind, bKind, ) = _partiesIfVerified(gate, a, b);
    }

    /// @dev As `_kindsIfVerified`, and whether the two are one party (the same wallet, or one entity's wallets).
    function _partiesIfVerified(
        GateState memory gate,
        address a,
        address b
    ) internal view returns (IIdentityRegistry.EntityKind aKind, IIdentityRegistry.EntityKind bKind, bool same) {
        bool aCurrent;
        bool bCurrent;
        uint32 aEntity;
        uint32 bEntity;
        (aKind, aCurrent, aEntity) = _cachedKind(gate, a);
        (bKind, bCurrent, bEntity) = _cachedKind(gate, b);
        if (!(aCurrent && bCurrent)) return _registry.partiesIfVerified(a, b);
        same = a == b || (aEntity != 0 && aEntity == bEntity);
    }

    function _cachedKind(
        GateState memory gate,
        address wallet
    ) private view returns (IIdentityRegistry.EntityKind kind, bool current, uint32 entity) {
        if (wallet == address(0)) return (IIdentityRegistry.EntityKind.None, true, 0);
        CachedCredential storage cached = _cache[wallet];
        current = _isCurrent(gate, cached.epoch);
        bool verified = cached.status == IIdentityRegistry.EntityStatus.Active && block.timestamp < cached.expiresAt;
        kind = verified ? cached.kind : IIdentityRegistry.EntityKind.None;
        entity = cached.entity;
    }

    function _isCurrent(GateState memory gate, uint32 epoch) private pure returns (bool) {
        return gate.subscribed && epoch == gate.epoch;
    }

    function _toCached(
        IIdentityRegistry.Credential memory credential,
        uint32 epoch
    ) private pure returns (CachedCredential memory) {
        return CachedCredential(credential.expiresAt, credential.status, credential.kind, epoch, credential.entity);
    }
}
