// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReadGate} from "../interfaces/IReadGate.sol";

/// @title ReadGate
/// @notice The shared access rule of every contract with non-public records (see `IReadGate`): each contract
/// says who sees through it, and who the parties of a record are; this decides.
abstract contract ReadGate is IReadGate {
    /// @dev Whether `reader` sees every record of the contract: its regulator, and the platform contracts that
    /// read it on the platform's behalf.
    function _seesThrough(address reader) internal view virtual returns (bool);

    /// @dev Lets `reader` through if it is a party to the record (`isParty`) or sees through; refuses it otherwise.
    /// The zero address is refused always: some nodes run a call without a sender as a call from it, and it must
    /// not pass as the empty counterparty or holder of a record.
    function _checkReader(address reader, bool isParty) internal view {
        if (reader == address(0) || (!isParty && !_seesThrough(reader))) revert ReadNotAllowed(reader);
    }
}
