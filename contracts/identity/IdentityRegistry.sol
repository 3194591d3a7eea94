// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";

/// @title IdentityRegistry
/// @notice The platform's shared KYC registry. The admin approves KYC providers (banks); a provider registers,
/// renews, suspends and reinstates the entities it verified; the admin can revoke any entity. Admin transfer is
/// two-step with a delay, so the registry can never be left without an admin.
/// @dev Every transfer of every platform token asks `kindsIfVerified`, so each wallet carries a one-slot copy of its
/// entity's standing (`_credentials`) that is rewritten whenever the entity's standing changes. The copy is what
/// makes suspension and revocation take effect at once for every wallet; the cap on wallets per entity bounds
/// the cost of rewriting it.
contract IdentityRegistry is IIdentityRegistry, AccessControlDefaultAdminRules {
    /// @dev One storage slot: everything the hot path needs about a wallet.
    struct Credential {
        uint48 expiresAt;
        EntityStatus status;
        EntityKind kind;
    }

    struct EntityRecord {
        EntityKind kind;
        EntityStatus status;
        uint48 expiresAt;
        address provider;
        bytes32 jurisdiction;
        address[] wallets;
    }

    /// @notice May register, renew, suspend and reinstate entities, and link their wallets.
    bytes32 public constant KYC_PROVIDER_ROLE = keccak256("KYC_PROVIDER_ROLE");
    /// @notice The most wallets one entity may hold.
    uint256 public constant MAX_WALLETS_PER_ENTITY = 20;

    mapping(bytes32 entityId => EntityRecord) private _entities;
    mapping(address wallet => bytes32 entityId) private _walletEntity;
    mapping(address wallet => Credential) private _credentials;
    bytes32[] private _entityIds;

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
        emit EntityRegistered(entityId, kind, jurisdiction, expiresAt, msg.sender);

        for (uint256 i = 0; i < wallets.length; ++i) {
            _link(entityId, record, wallets[i]);
        }
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
        _link(entityId, record, wallet);
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
        emit WalletUnlinked(entityId, wallet);
    }

    /// @inheritdoc IIdentityRegistry
    function registerSystemAccount(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (account.code.length == 0) revert IdentityNotAContract(account);
        if (_credentials[account].kind != EntityKind.None) revert IdentityWalletLinked(account);
        _credentials[account] = Credential({
            expiresAt: type(uint48).max,
            status: EntityStatus.Active,
            kind: EntityKind.System
        });
        emit SystemAccountRegistered(account);
    }

    /// @inheritdoc IIdentityRegistry
    function removeSystemAccount(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_credentials[account].kind != EntityKind.System) revert IdentityNotSystemAccount(account);
        delete _credentials[account];
        emit SystemAccountRemoved(account);
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

    function _link(bytes32 entityId, EntityRecord storage record, address wallet) private {
        if (wallet == address(0)) revert IdentityZeroAddress();
        if (wallet == msg.sender) revert IdentitySelfVerification(wallet);
        if (_credentials[wallet].kind != EntityKind.None) revert IdentityWalletLinked(wallet);
        if (record.wallets.length == MAX_WALLETS_PER_ENTITY) {
            revert IdentityTooManyWallets(entityId, MAX_WALLETS_PER_ENTITY);
        }
        record.wallets.push(wallet);
        _walletEntity[wallet] = entityId;
        _credentials[wallet] = _credentialOf(record);
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
        address[] storage wallets = record.wallets;
        for (uint256 i = 0; i < wallets.length; ++i) {
            _credentials[wallets[i]] = credential;
        }
    }

    function _checkProviderOf(bytes32 entityId) private view {
        _checkRole(KYC_PROVIDER_ROLE);
        EntityRecord storage record = _entities[entityId];
        if (record.status == EntityStatus.None) revert IdentityUnknownEntity(entityId);
        if (record.provider != msg.sender) revert IdentityNotEntityProvider(entityId, msg.sender);
    }

    function _checkExpiry(uint48 expiresAt) private view {
        if (expiresAt <= block.timestamp) revert IdentityExpiryNotInFuture(expiresAt, block.timestamp);
    }

    function _credentialOf(EntityRecord storage record) private view returns (Credential memory) {
        return Credential({expiresAt: record.expiresAt, status: record.status, kind: record.kind});
    }

    function _isVerified(Credential memory credential) private view returns (bool) {
        return credential.status == EntityStatus.Active && block.timestamp < credential.expiresAt;
    }

    /// @dev Reads the one credential slot of `wallet`; no memory copy on the hot path.
    function _verifiedKind(address wallet) private view returns (EntityKind) {
        Credential storage credential = _credentials[wallet];
        if (credential.status != EntityStatus.Active || block.timestamp >= credential.expiresAt) return EntityKind.None;
        return credential.kind;
    }
}
