// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Encryption keys for confidential terms
/// @notice Every verified entity may publish a secp256k1 public key (33 bytes, compressed) under which others seal
/// envelopes for it; the regulator publishes its view key, which it rotates. Keys are versioned, and an envelope
/// records the version it was sealed for, so envelopes sealed before a rotation still open with the old key.
/// @dev Only public keys are ever on chain. Whether a key lies on the curve is checked by whoever seals for it.
interface IEncryptionKeys {
    /// @notice `wallet` is not verified in the identity registry now.
    error KeysUnverifiedWallet(address wallet);
    /// @notice A public key must be 33 bytes, starting with 0x02 or 0x03.
    error KeysInvalidPublicKey();
    /// @notice `wallet` is a regulator or system account: the regulator publishes its view key instead.
    error KeysNotATrader(address wallet);
    /// @notice `entityId` has published no key.
    error KeysNoEntityKey(bytes32 entityId);
    /// @notice The entity of `wallet` (if any) has published no key; the error does not name the entity.
    error KeysNoWalletKey(address wallet);
    /// @notice The regulator has published no view key of version `version`.
    error KeysUnknownViewKey(uint32 version);

    /// @notice A wallet of `entityId` published the entity's key `version`.
    event EntityKeySet(bytes32 indexed entityId, uint32 version, bytes publicKey, address indexed by);
    /// @notice The regulator published view key `version`.
    event ViewKeyRotated(uint32 indexed version, bytes publicKey, address indexed by);

    /// @notice Publishes the caller's entity's key (any verified wallet of a trading entity), as a new version.
    function setEntityKey(bytes calldata publicKey) external;

    /// @notice Publishes a new view key, as a new version. Regulator only.
    function rotateViewKey(bytes calldata publicKey) external;

    /// @notice The current key of `entityId` and its version.
    function entityKey(bytes32 entityId) external view returns (bytes memory publicKey, uint32 version);

    /// @notice The current key of the entity `wallet` belongs to, and its version.
    function keyOf(address wallet) external view returns (bytes memory publicKey, uint32 version);

    /// @notice The current view key and its version.
    function viewKey() external view returns (bytes memory publicKey, uint32 version);

    /// @notice View key `version` (from 1), current or past.
    function viewKeyAt(uint32 version) external view returns (bytes memory publicKey);
}
