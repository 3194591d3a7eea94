// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IEnvelopeBoard} from "../interfaces/IEnvelopeBoard.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";

/// @title EnvelopeBoard
/// @notice Where parties post the sealed envelopes of their confidential terms, for each other and the regulator.
contract EnvelopeBoard is IEnvelopeBoard {
    /// @notice The longest envelope accepted, in bytes.
    uint256 public constant MAX_ENVELOPE_LENGTH = 16_384;

    IIdentityRegistry private immutable _registry;

    /// @param registry the shared identity registry posters are checked against
    constructor(IIdentityRegistry registry) {
        if (address(registry) == address(0)) revert EnvelopeInvalidPoster(address(0));
        _registry = registry;
    }

    /// @inheritdoc IEnvelopeBoard
    function post(bytes32 commitment, bytes calldata envelope) external {
        (IIdentityRegistry.EntityKind kind, ) = _registry.kindsIfVerified(msg.sender, address(0));
        if (
            kind == IIdentityRegistry.EntityKind.None ||
            kind == IIdentityRegistry.EntityKind.Regulator ||
            kind == IIdentityRegistry.EntityKind.System
        ) revert EnvelopeInvalidPoster(msg.sender);
        if (commitment == 0) revert EnvelopeZeroCommitment();
        if (envelope.length == 0 || envelope.length > MAX_ENVELOPE_LENGTH) {
            revert EnvelopeInvalidLength(envelope.length, MAX_ENVELOPE_LENGTH);
        }
        emit EnvelopePosted(commitment, msg.sender, envelope);
    }

    /// @notice The registry posters are checked against.
    function identityRegistry() external view returns (IIdentityRegistry) {
        return _registry;
    }
}
