// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The platform's one rule for reading non-public records through a contract
/// @notice A record is read by its parties and by whoever sees through: the regulator, and the platform contracts
/// that read on the platform's behalf. Everyone else is refused.
/// @dev This stops reads through the contracts' interface, not a node operator: storage and events stay readable
/// to whoever runs a node (README *Confidentiality*).
interface IReadGate {
    /// @notice `reader` is neither a party to the record nor a regulator or platform contract.
    error ReadNotAllowed(address reader);
}
