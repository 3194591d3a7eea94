// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Board of sealed envelopes of confidential terms
/// @notice A party posts the envelope of an act's confidential terms (ciphertext and a data key wrapped for each
/// reader: the parties and the regulator's view key) under the envelope's commitment. The commitment is bound on
/// chain by the act itself: a bill's `tradeHash`, a trade's `Terms.confidential` signed by both parties. The
/// board stores nothing: the envelope travels in the event, and a reader checks it against the commitment.
interface IEnvelopeBoard {
    /// @notice `poster` is not a verified trader (unverified, or a regulator or system account).
    error EnvelopeInvalidPoster(address poster);
    /// @notice The commitment is zero.
    error EnvelopeZeroCommitment();
    /// @notice The envelope is empty or longer than `maxLength` bytes.
    error EnvelopeInvalidLength(uint256 length, uint256 maxLength);

    /// @notice `poster` posted `envelope` under `commitment`.
    event EnvelopePosted(bytes32 indexed commitment, address indexed poster, bytes envelope);

    /// @notice Posts `envelope` under `commitment`. Verified traders only. Anyone may post under any commitment:
    /// a reader keeps the envelope that opens to the committed terms and ignores the others.
    function post(bytes32 commitment, bytes calldata envelope) external;
}
