// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IBillLedger} from "../../interfaces/IBillLedger.sol";
import {IDigitalCurrency} from "../../interfaces/IDigitalCurrency.sol";
import {IIdentityRegistry} from "../../interfaces/IIdentityRegistry.sol";
import {ISettlementEngine} from "../../interfaces/ISettlementEngine.sol";
import {BillCalendar} from "../../libraries/BillCalendar.sol";

/// @notice What the engine keeps of a trade: where it stands, and what it owes (a maker's refund, a repo's
/// repayment held for its lender).
struct TradeRecord {
    ISettlementEngine.TradeStatus status;
    uint128 refundOwed;
}

/// @notice The platform contracts the ways out deal with.
struct ExitContext {
    IBillLedger ledger;
    IIdentityRegistry registry;
    address currency;
}

/// @title TradeExits
/// @notice The ways out of a locked asset, run by the settlement engine (linked, in the engine's storage): a
/// proposal ended without settling, a refund or repayment taken later, a repo's close (a tender the lender cannot
/// turn into a default) and its default.
/// @dev An external library, so that the engine keeps room under the code size limit; none of these is on a
/// trade's hot path.
library TradeExits {
    using SafeERC20 for IERC20;

    /// @notice Ends the proposal `id` with `status` without settling and gives the maker its leg back. A token
    /// refund the token refuses (the token paused, the maker's own token refusing) is kept for `reclaim`, so ending
    /// never fails on it.
    function end(
        mapping(bytes32 => TradeRecord) storage trades,
        mapping(address => uint256) storage escrowed,
        IBillLedger ledger,
        bytes32 id,
        ISettlementEngine.Terms calldata terms,
        ISettlementEngine.TradeStatus status
    ) external {
        TradeRecord storage record = trades[id];
        record.status = status;
        ISettlementEngine.Leg calldata leg = terms.makerLeg;
        if (leg.asset == address(ledger)) {
            ledger.tradeRange(
                leg.billId,
                leg.start,
                // Cannot truncate: the engine bounds a bill leg's amount by a uint48 when the trade is proposed.
                uint48(leg.amount),
                terms.maker,
                IBillLedger.RangeState.Escrowed,
                terms.maker,
                IBillLedger.RangeState.Circulating
            );
        } else if (_tried(IERC20(leg.asset), terms.maker, leg.amount)) {
            escrowed[leg.asset] -= leg.amount;
        } else {
            record.refundOwed = uint128(leg.amount);
            emit ISettlementEngine.RefundOwed(id, terms.maker, leg.asset, leg.amount);
        }
        emit ISettlementEngine.TradeEnded(id, status, msg.sender);
    }

    /// @notice Pays what the trade `id` owes to the caller (see ISettlementEngine.reclaim).
    function reclaim(
        mapping(bytes32 => TradeRecord) storage trades,
        mapping(address => uint256) storage escrowed,
        ExitContext calldata ctx,
        bytes32 id,
        ISettlementEngine.Terms calldata terms
    ) external {
        TradeRecord storage record = trades[id];
        ISettlementEngine.TradeStatus status = record.status;
        // A closed repo owes its lender the repayment it could not take (a tendered one owes nothing yet: the
        // repayment waits for the range's return); an ended proposal owes its maker its leg.
        (address owedTo, address token) = (terms.maker, terms.makerLeg.asset);
        uint256 owed = record.refundOwed;
        bool tendered = status == ISettlementEngine.TradeStatus.RepoTendered;
        if (tendered || status == ISettlementEngine.TradeStatus.RepoClosed) {
            (, ISettlementEngine.Leg calldata cashLeg, , address lender) = parties(terms, address(ctx.ledger));
            (owedTo, token) = (lender, cashLeg.asset);
            if (tendered) owed = 0;
        }
        if (msg.sender != owedTo) revert ISettlementEngine.TradeNotEntitled(id, msg.sender);
        if (owed == 0) revert ISettlementEngine.TradeNothingOwed(id);
        record.refundOwed = 0;
        escrowed[token] -= owed;
        // A foreign token must deliver exactly what is owed; the digital currency is trusted to.
        uint256 before = IERC20(token).balanceOf(owedTo);
        IERC20(token).safeTransfer(owedTo, owed);
        uint256 received = IERC20(token).balanceOf(owedTo) - before;
        if (token != ctx.currency && received != owed) {
            revert ISettlementEngine.TradeTokenShortfall(token, owed, received);
        }
        emit ISettlementEngine.RefundReclaimed(id, owedTo, token, owed);
    }

    /// @notice Closes the repo `id` with `terms` (see ISettlementEngine.closeRepo).
    function closeRepo(
        mapping(bytes32 => TradeRecord) storage trades,
        mapping(address => uint256) storage escrowed,
        ExitContext calldata ctx,
        bytes32 id,
        ISettlementEngine.Terms calldata terms
    ) external {
        (
            ISettlementEngine.Leg calldata billLeg,
            ISettlementEngine.Leg calldata cashLeg,
            address borrower,
            address lender
        ) = parties(terms, address(ctx.ledger));
        TradeRecord storage record = trades[id];
        ISettlementEngine.TradeStatus status = record.status;
        uint128 amount = terms.closingAmount;
        if (status == ISettlementEngine.TradeStatus.RepoOpen) {
            if (msg.sender != borrower) revert ISettlementEngine.TradeNotEntitled(id, msg.sender);
            _checkTenderInTime(ctx, terms.endDay, lender);
            // The tender: the repayment is held in the engine before anything else, so that nothing the lender, a
            // pause or a freeze does to the rest of the close can turn it into a default.
            hold(escrowed, cashLeg.asset, borrower, amount);
            record.status = ISettlementEngine.TradeStatus.RepoTendered;
            record.refundOwed = amount;
            emit ISettlementEngine.RepoTendered(id, borrower, amount);
        } else if (status != ISettlementEngine.TradeStatus.RepoTendered) {
            revert ISettlementEngine.TradeWrongStatus(id, status, ISettlementEngine.TradeStatus.RepoOpen);
        } else if (msg.sender != borrower && msg.sender != lender) {
            revert ISettlementEngine.TradeNotEntitled(id, msg.sender);
        }
        // The range goes back, or the tender waits for the next call (the ledger paused, the range frozen).
        if (!_returnRange(ctx.ledger, terms.kind, billLeg, borrower, lender)) return;
        record.status = ISettlementEngine.TradeStatus.RepoClosed;
        if (_tried(IERC20(cashLeg.asset), lender, amount)) {
            record.refundOwed = 0;
            escrowed[cashLeg.asset] -= amount;
        } else {
            emit ISettlementEngine.RefundOwed(id, lender, cashLeg.asset, amount);
        }
        emit ISettlementEngine.RepoClosed(id, borrower, amount);
    }

    /// @notice Defaults the repo `id` with `terms` (see ISettlementEngine.defaultRepo).
    function defaultRepo(
        mapping(bytes32 => TradeRecord) storage trades,
        ExitContext calldata ctx,
        bytes32 id,
        ISettlementEngine.Terms calldata terms
    ) external {
        (
            ISettlementEngine.Leg calldata billLeg,
            ISettlementEngine.Leg calldata cashLeg,
            address borrower,
            address lender
        ) = parties(terms, address(ctx.ledger));
        TradeRecord storage record = trades[id];
        ISettlementEngine.TradeStatus status = record.status;
        if (status != ISettlementEngine.TradeStatus.RepoOpen) {
            revert ISettlementEngine.TradeWrongStatus(id, status, ISettlementEngine.TradeStatus.RepoOpen);
        }
        if (msg.sender != lender) revert ISettlementEngine.TradeNotEntitled(id, msg.sender);
        uint256 closingDeadline = BillCalendar.startOf(terms.endDay + 1);
        if (block.timestamp < closingDeadline) revert ISettlementEngine.TradeRepoClosing(closingDeadline);
        // No default while the borrower could not have tendered (the currency paused), nor through a pause or a
        // freeze of the range: the ledger refuses a pledge's move itself; an outright repo's range stays with its
        // lender, a release the ledger allows, so it is asked here.
        if (cashLeg.asset == ctx.currency && IDigitalCurrency(ctx.currency).paused()) {
            revert ISettlementEngine.TradeRepoBlocked(id);
        }
        record.status = ISettlementEngine.TradeStatus.RepoDefaulted;
        IBillLedger ledger = ctx.ledger;
        if (terms.kind == ISettlementEngine.TradeKind.PledgeRepo) {
            _moveRange(ledger, billLeg, borrower, IBillLedger.RangeState.Pledged, lender);
        } else {
            IBillLedger.RangeState state = ledger.rangeAt(billLeg.billId, billLeg.start).state;
            if (ledger.paused() || state != IBillLedger.RangeState.Escrowed) {
                revert ISettlementEngine.TradeRepoBlocked(id);
            }
            _moveRange(ledger, billLeg, lender, IBillLedger.RangeState.Escrowed, lender);
        }
        emit ISettlementEngine.RepoDefaulted(id, lender);
    }

    /// @notice Pulls exactly `amount` of `token` from `from` into the engine's escrow.
    function hold(mapping(address => uint256) storage escrowed, address token, address from, uint256 amount) internal {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert ISettlementEngine.TradeTokenShortfall(token, amount, received);
        escrowed[token] += amount;
    }

    /// @notice A repo's legs and parties: the borrower delivered the bill leg.
    function parties(
        ISettlementEngine.Terms calldata terms,
        address ledger
    )
        internal
        pure
        returns (
            ISettlementEngine.Leg calldata billLeg,
            ISettlementEngine.Leg calldata cashLeg,
            address borrower,
            address lender
        )
    {
        bool makerBill = terms.makerLeg.asset == ledger;
        (billLeg, cashLeg) = makerBill ? (terms.makerLeg, terms.takerLeg) : (terms.takerLeg, terms.makerLeg);
        (borrower, lender) = makerBill ? (terms.maker, terms.taker) : (terms.taker, terms.maker);
    }

    /// @dev A repo is tendered before the end of its `endDay`, or later while its lender is not verified and so
    /// could not take the range by default.
    function _checkTenderInTime(ExitContext calldata ctx, uint32 endDay, address lender) private view {
        uint256 closingDeadline = BillCalendar.startOf(endDay + 1);
        if (block.timestamp >= closingDeadline && ctx.registry.isVerified(lender)) {
            revert ISettlementEngine.TradeRepoClosing(closingDeadline);
        }
    }

    /// @dev Gives a repo's range back to its borrower, circulating; false if the ledger refuses it now.
    function _returnRange(
        IBillLedger ledger,
        ISettlementEngine.TradeKind kind,
        ISettlementEngine.Leg calldata billLeg,
        address borrower,
        address lender
    ) private returns (bool) {
        (address holder, IBillLedger.RangeState state) = kind == ISettlementEngine.TradeKind.PledgeRepo
            ? (borrower, IBillLedger.RangeState.Pledged)
            : (lender, IBillLedger.RangeState.Escrowed);
        // Cannot truncate: the engine bounds a bill leg's amount by a uint48 when the repo opens.
        uint48 units = uint48(billLeg.amount);
        uint256 gasBefore = gasleft();
        try
            ledger.tradeRange(
                billLeg.billId,
                billLeg.start,
                units,
                holder,
                state,
                borrower,
                IBillLedger.RangeState.Circulating
            )
        {
            return true;
        } catch {
            _checkNotStarved(gasBefore);
            return false;
        }
    }

    /// @dev `token.trySafeTransfer(to, amount)`, except that a failure for want of gas reverts the whole call.
    function _tried(IERC20 token, address to, uint256 amount) private returns (bool) {
        uint256 gasBefore = gasleft();
        if (token.trySafeTransfer(to, amount)) return true;
        _checkNotStarved(gasBefore);
        return false;
    }

    /// @dev After a tolerated call failed: a refusal leaves most of the gas, a call that ran out of it leaves at
    /// most the 64th kept back from it (EIP-150). Then the failure says nothing of the callee, only of the gas the
    /// sender gave, and counting it as a refusal would let a sender choose the outcome (a range kept waiting, a
    /// payment held) by its gas limit.
    function _checkNotStarved(uint256 gasBefore) private view {
        if (gasleft() <= gasBefore / 63) revert ISettlementEngine.TradeOutOfGas();
    }

    /// @dev Moves a repo's whole range from `holder` in `state` to `newHolder`, circulating.
    function _moveRange(
        IBillLedger ledger,
        ISettlementEngine.Leg calldata billLeg,
        address holder,
        IBillLedger.RangeState state,
        address newHolder
    ) private {
        // Cannot truncate: the engine bounds a bill leg's amount by a uint48 when the repo opens.
        uint48 units = uint48(billLeg.amount);
        ledger.tradeRange(
            billLeg.billId,
            billLeg.start,
            units,
            holder,
            state,
            newHolder,
            IBillLedger.RangeState.Circulating
        );
    }
}
