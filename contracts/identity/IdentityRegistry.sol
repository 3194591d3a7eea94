// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IIdentitySubscriber} from "../interfaces/IIdentitySubscriber.sol";

/// @title IdentityRegistry
/// @notice The platform's shared KYC registry. The admin approves KYC providers (banks); a provider registers,
/// renews, suspends and reinstates the entities it verified; the admin can revoke any entity. Admin transfer is
/// two-step with a delay, so the registry can never be left without an admin.
/// @dev Each wallet carries a one-slot copy of its entity's standing (`_credentials`), rewritten whenever the
/// entity's standing changes, so suspension and revocation take effect at once for every wallet; the cap on
/// wallets per entity bounds the cost. Every write of a credential goes through `_publish`, which also hands it
/// to the subscribed platform contracts in the same transaction: their copies never lag the registry.
/// Every record is public, as storage and events are to every node: a counterparty needs a wallet's standing before
/// it trades, and nothing here is secret but what stays off chain (the KYC documents themselves).
contract IdentityRegistry is IIdentityRegistry, AccessControlDefaultAdminRules {
    struct EntityRecord {
        EntityKind kind;
        EntityStatus status;
        uint48 expiresAt;
        address provider;
        uint32 number;
        bytes32 jurisdiction;
        address[] wallets;
    }

    /// @notice May register, renew, suspend and reinstate entities, and link their wallets.
    bytes32 public constant KYC_PROVIDER_ROLE = keccak256("KYC_PROVIDER_ROLE");
    /// @notice The most wallets one entity may hold.
    uint256 public constant MAX_WALLETS_PER_ENTITY = 20;
    /// @notice The most contracts the registry publishes standing changes to.
    uint256 public constant MAX_SUBSCRIBERS = 8;

    mapping(bytes32 entityId => EntityRecord) private _entities;
    mapping(address wallet => bytes32 entityId) private _walletEntity;
    mapping(address wallet => Credential) private _credentials;
    bytes32[] private _entityIds;
    address[] private _subscribers;

    modifier onlyProviderOf(bytes32 entityId) {
        _checkProviderOf(entityId);
        _;
    }

    /// @param initialAdminDelay seconds a new admin must wait before accepting the role
    /// @param initialAdmin approves KYC providers, registers system accounts, revokes entities
    /// @param initialProviders the KYC providers approved from the start
    constructor(
        uint48 initialAdminDelay,
        address initialAdmin,
        address[] memory initialProviders
    ) AccessControlDefaultAdminRules(initialAdminDelay, initialAdmin) {
        for (uint256 i = 0; i < initialProviders.length; ++i) {
            if (initialProviders[i] == address(0)) revert IdentityZeroAddress();
            _grantRole(KYC_PROVIDER_ROLE, initialProviders[i]);
        }
    }

    /// @inheritdoc IIdentityRegistry
    function registerEntity(
        bytes32 entityId,
        EntityKind kind,
        bytes32 jurisdiction,
        uint48 expiresAt,
        address[] calldata wallets
    ) external onlyRole(KYC_PROVIDER_ROLE) {
        if (entityId == bytes32(0)) revert IdentityZeroEntityId();
        if (kind == EntityKind.None || kind == EntityKind.System) revert IdentityInvalidKind(kind);
        if (_entities[entityId].status != EntityStatus.None) revert IdentityEntityExists(entityId);
        _checkExpiry(expiresAt);

        EntityRecord storage record = _entities[entityId];
        record.kind = kind;
        record.status = EntityStatus.Active;
        record.expiresAt = expiresAt;
        record.provider = msg.sender;
        record.jurisdiction = jurisdiction;
        _entityIds.push(entityId);
        // Cannot truncate in practice: 2^32 - 1 entities would cost more gas than any chain holds.
        record.number = uint32(_entityIds.length);
        emit EntityRegistered(entityId, kind, jurisdiction, expiresAt, msg.sender);

        Credential memory credential = _credentialOf(record);
        for (uint256 i = 0; i < wallets.length; ++i) {
            _link(entityId, record, wallets[i], credential);
        }
        _publish(wallets, credential);
    }

    /// @inheritdoc IIdentityRegistry
    function renewEntity(bytes32 entityId, uint48 expiresAt) external onlyProviderOf(entityId) {
        EntityRecord storage record = _entities[entityId];
        if (record.status == EntityStatus.Revoked) revert IdentityWrongStatus(entityId, record.status);
        _checkExpiry(expiresAt);
        record.expiresAt = expiresAt;
        _syncCredentials(record);
        emit EntityRenewed(entityId, expiresAt);
    }

    /// @inheritdoc IIdentityRegistry
    function suspendEntity(bytes32 entityId) external onlyProviderOf(entityId) {
        _moveStatus(entityId, EntityStatus.Active, EntityStatus.Suspended);
    }

    /// @inheritdoc IIdentityRegistry
    function reinstateEntity(bytes32 entityId) external onlyProviderOf(entityId) {
        _moveStatus(entityId, EntityStatus.Suspended, EntityStatus.Active);
    }

    /// @inheritdoc IIdentityRegistry
    function revokeEntity(bytes32 entityId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        EntityRecord storage record = _entities[entityId];
        EntityStatus status = record.status;
        if (status == EntityStatus.None) revert IdentityUnknownEntity(entityId);
        if (status == EntityStatus.Revoked) revert IdentityWrongStatus(entityId, status);
        record.status = EntityStatus.Revoked;
        _syncCredentials(record);
        emit EntityStatusChanged(entityId, EntityStatus.Revoked, msg.sender);
    }

    /// @inheritdoc IIdentityRegistry
    function linkWallet(bytes32 entityId, address wallet) external onlyProviderOf(entityId) {
        EntityRecord storage record = _entities[entityId];
        if (record.status == EntityStatus.Revoked) revert IdentityWrongStatus(entityId, record.status);
        Credential memory credential = _credentialOf(record);
        _link(entityId, record, wallet, credential);
        _publishOne(wallet, credential);
    }

    /// @inheritdoc IIdentityRegistry
    function unlinkWallet(address wallet) external {
        _checkRole(KYC_PROVIDER_ROLE);
        bytes32 entityId = _walletEntity[wallet];
        if (entityId == bytes32(0)) revert IdentityUnknownWallet(wallet);
        _checkProviderOf(entityId);
        // A revoked entity's wallets stay linked, so they can never be verified again under another entity.
        EntityStatus status = _entities[entityId].status;
        if (status == EntityStatus.Revoked) revert IdentityWrongStatus(entityId, status);

        address[] storage wallets = _entities[entityId].wallets;
        uint256 last = wallets.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (wallets[i] == wallet) {
                wallets[i] = wallets[last];
                wallets.pop();
                break;
            }
        }
        delete _walletEntity[wallet];
        delete _credentials[wallet];
        _publishOne(wallet, Credential(0, EntityStatus.None, EntityKind.None, 0));
        emit WalletUnlinked(entityId, wallet);
    }

    /// @inheritdoc IIdentityRegistry
    function registerSystemAccount(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (account.code.length == 0) revert IdentityNotAContract(account);
        if (_credentials[account].kind != EntityKind.None) revert IdentityWalletLinked(account);
        Credential memory credential = Credential({
            expiresAt: type(uint48).max,
            status: EntityStatus.Active,
            kind: EntityKind.System,
            entity: 0
        });
        _credentials[account] = credential;
        _publishOne(account, credential);
        emit SystemAccountRegistered(account);
    }

    /// @inheritdoc IIdentityRegistry
    function removeSystemAccount(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_credentials[account].kind != EntityKind.System) revert IdentityNotSystemAccount(account);
        delete _credentials[account];
        _publishOne(account, Credential(0, EntityStatus.None, EntityKind.None, 0));
        emit SystemAccountRemoved(account);
    }

    /// @inheritdoc IIdentityRegistry
    function addSubscriber(address subscriber) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (subscriber.code.length == 0) revert IdentityNotAContract(subscriber);
        if (_indexOfSubscriber(subscriber) != type(uint256).max) revert IdentityAlreadySubscribed(subscriber);
        if (_subscribers.length == MAX_SUBSCRIBERS) revert IdentityTooManySubscribers(MAX_SUBSCRIBERS);
        _subscribers.push(subscriber);
        emit SubscriberAdded(subscriber);
        IIdentitySubscriber(subscriber).onSubscribed();
    }

    /// @inheritdoc IIdentityRegistry
    function removeSubscriber(address subscriber) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 index = _indexOfSubscriber(subscriber);
        if (index == type(uint256).max) revert IdentityNotSubscribed(subscriber);
        _subscribers[index] = _subscribers[_subscribers.length - 1];
        _subscribers.pop();
        emit SubscriberRemoved(subscriber);
        IIdentitySubscriber(subscriber).onUnsubscribed();
    }

    /// @inheritdoc IIdentityRegistry
    function republish(address[] calldata wallets) external onlyRole(DEFAULT_ADMIN_ROLE) {
        for (uint256 i = 0; i < wallets.length; ++i) {
            _publishOne(wallets[i], _credentials[wallets[i]]);
        }
    }

    /// @inheritdoc IIdentityRegistry
    function subscribers() external view returns (address[] memory) {
        return _subscribers;
    }

    /// @inheritdoc IIdentityRegistry
    function credentialOf(address wallet) external view returns (Credential memory) {
        return _credentials[wallet];
    }

    /// @inheritdoc IIdentityRegistry
    function isVerified(address wallet) external view returns (bool) {
        return _isVerified(_credentials[wallet]);
    }

    /// @inheritdoc IIdentityRegistry
    function kindsIfVerified(address a, address b) external view returns (EntityKind aKind, EntityKind bKind) {
        return (_verifiedKind(a), _verifiedKind(b));
    }

    /// @inheritdoc IIdentityRegistry
    function identityOf(address wallet) external view returns (WalletIdentity memory) {
        Credential memory credential = _credentials[wallet];
        return
            WalletIdentity({entityId: _walletEntity[wallet], kind: credential.kind, verified: _isVerified(credential)});
    }

    /// @inheritdoc IIdentityRegistry
    function partiesIfVerified(
        address a,
        address b
    ) external view returns (EntityKind aKind, EntityKind bKind, bool sameEntity_) {
        return (_verifiedKind(a), _verifiedKind(b), _sameEntity(a, b));
    }

    /// @inheritdoc IIdentityRegistry
    function entityOf(address wallet) external view returns (bytes32) {
        return _walletEntity[wallet];
    }

    /// @inheritdoc IIdentityRegistry
    function sameEntity(address a, address b) external view returns (bool) {
        return _sameEntity(a, b);
    }

    /// @inheritdoc IIdentityRegistry
    function entity(bytes32 entityId) external view returns (Entity memory) {
        EntityRecord storage record = _entities[entityId];
        if (record.status == EntityStatus.None) revert IdentityUnknownEntity(entityId);
        return
            Entity({
                kind: record.kind,
                status: record.status,
                expiresAt: record.expiresAt,
                provider: record.provider,
                jurisdiction: record.jurisdiction,
                walletCount: record.wallets.length
            });
    }

    /// @inheritdoc IIdentityRegistry
    function walletsOf(bytes32 entityId) external view returns (address[] memory) {
        EntityRecord storage record = _entities[entityId];
        if (record.status == EntityStatus.None) revert IdentityUnknownEntity(entityId);
        return record.wallets;
    }

    /// @inheritdoc IIdentityRegistry
    function entityCount() external view returns (uint256) {
        return _entityIds.length;
    }

    /// @inheritdoc IIdentityRegistry
    function entityIds(uint256 offset, uint256 limit) external view returns (bytes32[] memory page) {
        uint256 total = _entityIds.length;
        if (offset >= total) return page;
        uint256 end = total - offset < limit ? total : offset + limit;
        page = new bytes32[](end - offset);
        for (uint256 i = offset; i < end; ++i) {
            page[i - offset] = _entityIds[i];
        }
    }

    /// @dev Links and stores the credential; the caller publishes it.
    function _link(
        bytes32 entityId,
        EntityRecord storage record,
        address wallet,
        Credential memory credential
    ) private {
        if (wallet == address(0)) revert IdentityZeroAddress();
        if (wallet == msg.sender) revert IdentitySelfVerification(wallet);
        if (_credentials[wallet].kind != EntityKind.None) revert IdentityWalletLinked(wallet);
        if (record.wallets.length == MAX_WALLETS_PER_ENTITY) {
            revert IdentityTooManyWallets(entityId, MAX_WALLETS_PER_ENTITY);
        }
        record.wallets.push(wallet);
        _walletEntity[wallet] = entityId;
        _credentials[wallet] = credential;
        emit WalletLinked(entityId, wallet);
    }

    function _moveStatus(bytes32 entityId, EntityStatus from, EntityStatus to) private {
        EntityRecord storage record = _entities[entityId];
        if (record.status != from) revert IdentityWrongStatus(entityId, record.status);
        record.status = to;
        _syncCredentials(record);
        emit EntityStatusChanged(entityId, to, msg.sender);
    }

    /// @dev Rewrites the per-wallet copy of the entity's standing; bounded by MAX_WALLETS_PER_ENTITY.
    function _syncCredentials(EntityRecord storage record) private {
        Credential memory credential = _credentialOf(record);
        address[] memory wallets = record.wallets;
        for (uint256 i = 0; i < wallets.length; ++i) {
            _credentials[wallets[i]] = credential;
        }
        _publish(wallets, credential);
    }

    /// @dev Hands a change of standing to every subscriber, in this transaction (bounded by MAX_SUBSCRIBERS).
    function _publish(address[] memory wallets, Credential memory credential) private {
        if (wallets.length == 0) return;
        uint256 count = _subscribers.length;
        for (uint256 i = 0; i < count; ++i) {
            IIdentitySubscriber(_subscribers[i]).onCredentialsChanged(wallets, credential);
        }
    }

    function _publishOne(address wallet, Credential memory credential) private {
        address[] memory wallets = new address[](1);
        wallets[0] = wallet;
        _publish(wallets, credential);
    }

    function _checkProviderOf(bytes32 entityId) private view {
        _checkRole(KYC_PROVIDER_ROLE);
        EntityRecord storage record = _entities[entityId];
        if (record.status == EntityStatus.None) revert IdentityUnknownEntity(entityId);
        if (record.provider != msg.sender) revert IdentityNotEntityProvider(entityId, msg.sender);
    }

    /// @dev `type(uint256).max` when `subscriber` is not subscribed.
    function _indexOfSubscriber(address subscriber) private view returns (uint256) {
        for (uint256 i = 0; i < _subscribers.length; ++i) {
            if (_subscribers[i] == subscriber) return i;
        }
        return type(uint256).max;
    }

    function _checkExpiry(uint48 expiresAt) private view {
        if (expiresAt <= block.timestamp) revert IdentityExpiryNotInFuture(expiresAt, block.timestamp);
    }

    function _credentialOf(EntityRecord storage record) private view returns (Credential memory) {
        return
            Credential({expiresAt: record.expiresAt, status: record.status, kind: record.kind, entity: record.number});
    }

    function _isVerified(Credential memory credential) private view returns (bool) {
        return credential.status == EntityStatus.Active && block.timestamp < credential.expiresAt;
    }

    function _sameEntity(address a, address b) private view returns (bool) {
        uint32 entity = _credentials[a].entity;
        return a == b || (entity != 0 && entity == _credentials[b].entity);
    }

    /// @dev Reads the one credential slot of `wallet`; no memory copy on the hot path.
    function _verifiedKind(address wallet) private view returns (EntityKind) {
        Credential storage credential = _credentials[wallet];
        if (credential.status != EntityStatus.Active || block.timestamp >= credential.expiresAt) return EntityKind.None;
        return credential.kind;
    }
}
