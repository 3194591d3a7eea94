// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IEncryptionKeys} from "../interfaces/IEncryptionKeys.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";

/// @title EncryptionKeys
/// @notice The public keys envelopes of confidential terms are sealed for: one per entity, checked against the
/// shared identity registry, and the regulator's versioned view key.
contract EncryptionKeys is IEncryptionKeys, AccessControlDefaultAdminRules {
    struct Key {
        bytes publicKey;
        uint32 version;
    }

    /// @notice Rotates the view key; the regulator's only role here.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");

    IIdentityRegistry private immutable _registry;
    mapping(bytes32 entityId => Key) private _entityKeys;
    mapping(uint32 version => bytes) private _viewKeys;
    uint32 private _viewKeyVersion;

    /// @param registry the shared identity registry
    /// @param initialAdminDelay seconds a new admin must wait before accepting the role
    /// @param admin grants the regulator role
    /// @param regulator rotates the view key
    constructor(
        IIdentityRegistry registry,
        uint48 initialAdminDelay,
        address admin,
        address regulator
    ) AccessControlDefaultAdminRules(initialAdminDelay, admin) {
        if (address(registry) == address(0) || regulator == address(0)) revert KeysUnverifiedWallet(address(0));
        _registry = registry;
        _grantRole(REGULATOR_ROLE, regulator);
    }

    /// @inheritdoc IEncryptionKeys
    function setEntityKey(bytes calldata publicKey) external {
        _checkKey(publicKey);
        IIdentityRegistry.WalletIdentity memory identity = _registry.identityOf(msg.sender);
        if (!identity.verified) revert KeysUnverifiedWallet(msg.sender);
        if (
            identity.kind == IIdentityRegistry.EntityKind.Regulator ||
            identity.kind == IIdentityRegistry.EntityKind.System
        ) {
            revert KeysNotATrader(msg.sender);
        }
        Key storage key = _entityKeys[identity.entityId];
        uint32 version = key.version + 1;
        key.publicKey = publicKey;
        key.version = version;
        emit EntityKeySet(identity.entityId, version, publicKey, msg.sender);
    }

    /// @inheritdoc IEncryptionKeys
    function rotateViewKey(bytes calldata publicKey) external onlyRole(REGULATOR_ROLE) {
        _checkKey(publicKey);
        uint32 version = _viewKeyVersion + 1;
        _viewKeyVersion = version;
        _viewKeys[version] = publicKey;
        emit ViewKeyRotated(version, publicKey, msg.sender);
    }

    /// @inheritdoc IEncryptionKeys
    function entityKey(bytes32 entityId) public view returns (bytes memory publicKey, uint32 version) {
        Key storage key = _entityKeys[entityId];
        if (key.version == 0) revert KeysNoEntityKey(entityId);
        return (key.publicKey, key.version);
    }

    /// @inheritdoc IEncryptionKeys
    function keyOf(address wallet) external view returns (bytes memory publicKey, uint32 version) {
        Key storage key = _entityKeys[_registry.identityOf(wallet).entityId];
        if (key.version == 0) revert KeysNoWalletKey(wallet);
        return (key.publicKey, key.version);
    }

    /// @inheritdoc IEncryptionKeys
    function viewKey() external view returns (bytes memory publicKey, uint32 version) {
        version = _viewKeyVersion;
        publicKey = viewKeyAt(version);
    }

    /// @inheritdoc IEncryptionKeys
    function viewKeyAt(uint32 version) public view returns (bytes memory publicKey) {
        if (version == 0 || version > _viewKeyVersion) revert KeysUnknownViewKey(version);
        return _viewKeys[version];
    }

    function _checkKey(bytes calldata publicKey) private pure {
        if (publicKey.length != 33 || (publicKey[0] != 0x02 && publicKey[0] != 0x03)) revert KeysInvalidPublicKey();
    }
}
