// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IBillLedger} from "../interfaces/IBillLedger.sol";
import {IBillPayments} from "../interfaces/IBillPayments.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {BillCalendar} from "../libraries/BillCalendar.sol";

/// @title BillPayments
/// @notice Presentation for payment, payment, dishonour and recourse. Every payment moves the bill range (through
/// the ledger's operator entry) and the digital currency (pulled from the payer's allowance) in one transaction:
/// either both happen or neither does.
/// @dev Needs the ledger's OPERATOR_ROLE and a system account in the identity registry (it is the spender of the
/// payers' allowances). It holds no money and no bills. Parties are compared as entities (the registry's
/// `sameEntity`): two wallets of one entity are one party to every liability rule.
contract BillPayments is IBillPayments, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Reason code of a dishonour declared by the holder after the answer window.
    uint8 public constant REASON_NO_ANSWER = 0;
    /// @notice Reason code of a dishonour for the acceptor's bankruptcy.
    uint8 public constant REASON_ACCEPTOR_BANKRUPT = 255;
    /// @dev Basis points × days per year of the act/360 count.
    uint256 private constant _RATE_DENOMINATOR = 10_000 * 360;

    IBillLedger private immutable _ledger;
    IERC20 private immutable _currency;
    IIdentityRegistry private immutable _registry;

    mapping(uint96 key => Presentment) private _presentments;
    mapping(uint96 key => Claim) private _claims;

    /// @param ledger_ the bill ledger this contract settles
    /// @param currency_ the digital currency payments are made in
    constructor(IBillLedger ledger_, IERC20 currency_) {
        if (address(ledger_) == address(0) || address(currency_) == address(0)) revert PaymentZeroAddress();
        _ledger = ledger_;
        _currency = currency_;
        _registry = ledger_.identityRegistry();
    }

    /// @inheritdoc IBillPayments
    function presentForPayment(uint256 billId, uint48 start) external nonReentrant {
        (address acceptor, uint32 maturityDay) = _ledger.maturityTerms(billId);
        IBillLedger.Range memory range = _ledger.rangeAt(billId, start);
        if (range.holder != msg.sender) revert PaymentNotEntitled(billId, start, msg.sender);
        uint32 today = BillCalendar.dayOf(block.timestamp);
        if (today < maturityDay) revert PaymentNotMatured(billId, maturityDay);
        IBillLedger.Settings memory rules = _ledger.settings();
        bool late = today >= uint256(maturityDay) + rules.presentationDays;
        uint40 answerBy = uint40(block.timestamp + rules.answerWindow);
        _presentments[_key(billId, start)] = Presentment(uint40(block.timestamp), answerBy, late);
        // The acceptor holding its own bill owes it to itself: presenting it settles it, and nobody else is liable.
        bool own = _registry.sameEntity(msg.sender, acceptor);
        IBillLedger.RangeState next = own ? IBillLedger.RangeState.Redeemed : IBillLedger.RangeState.Presented;
        _restate(billId, start, range, IBillLedger.RangeState.Circulating, next);
        emit PresentedForPayment(billId, start, msg.sender, acceptor, answerBy, late);
        if (own) emit Paid(billId, start, msg.sender, msg.sender, 0);
    }

    /// @inheritdoc IBillPayments
    function pay(uint256 billId, uint48 start) external nonReentrant {
        if (msg.sender != _acceptorOf(billId)) revert PaymentNotEntitled(billId, start, msg.sender);
        IBillLedger.Range memory range = _ledger.rangeAt(billId, start);
        uint256 amount = _units(range);
        _restate(billId, start, range, IBillLedger.RangeState.Presented, IBillLedger.RangeState.Redeemed);
        _currency.safeTransferFrom(msg.sender, range.holder, amount);
        emit Paid(billId, start, msg.sender, range.holder, amount);
    }

    /// @inheritdoc IBillPayments
    function dishonour(uint256 billId, uint48 start, uint8 reason) external nonReentrant {
        if (msg.sender != _acceptorOf(billId)) revert PaymentNotEntitled(billId, start, msg.sender);
        if (reason == REASON_NO_ANSWER || reason == REASON_ACCEPTOR_BANKRUPT) revert PaymentInvalidReason(reason);
        _markDishonoured(billId, start, reason);
    }

    /// @inheritdoc IBillPayments
    function declareDishonoured(uint256 billId, uint48 start) external nonReentrant {
        IBillLedger.Range memory range = _ledger.rangeAt(billId, start);
        if (range.holder != msg.sender) revert PaymentNotEntitled(billId, start, msg.sender);
        uint40 answerBy = _presentments[_key(billId, start)].answerBy;
        if (block.timestamp < answerBy) revert PaymentAnswerPending(billId, start, answerBy);
        _markDishonoured(billId, start, REASON_NO_ANSWER);
    }

    /// @inheritdoc IBillPayments
    function dishonourForBankruptcy(uint256 billId, uint48 start) external nonReentrant {
        (address acceptor, uint32 maturityDay) = _ledger.maturityTerms(billId);
        if (!_ledger.isAcceptorBankrupt(acceptor)) revert PaymentAcceptorNotBankrupt(acceptor);
        IBillLedger.Range memory range = _ledger.rangeAt(billId, start);
        if (range.holder != msg.sender) revert PaymentNotEntitled(billId, start, msg.sender);
        _checkNotAcceptor(billId, start, acceptor);
        // From the end of the presentation period recourse is kept only against the drawer and the acceptor, on
        // this path as on presentment.
        uint256 periodEnd = uint256(maturityDay) + _ledger.settings().presentationDays;
        bool late = BillCalendar.dayOf(block.timestamp) >= periodEnd;
        _presentments[_key(billId, start)] = Presentment(uint40(block.timestamp), uint40(block.timestamp), late);
        _restate(billId, start, range, IBillLedger.RangeState.Circulating, IBillLedger.RangeState.Dishonoured);
        emit Dishonoured(billId, start, msg.sender, REASON_ACCEPTOR_BANKRUPT);
    }

    /// @inheritdoc IBillPayments
    function claimRecourse(
        uint256 billId,
        uint48 start,
        address target,
        IBillLedger.Link[] calldata links
    ) external nonReentrant {
        IBillLedger.Range memory range = _ledger.rangeAt(billId, start);
        if (range.holder != msg.sender) revert PaymentNotEntitled(billId, start, msg.sender);
        if (range.state != IBillLedger.RangeState.Dishonoured) revert PaymentNotDishonoured(billId, start, range.state);
        uint96 key = _key(billId, start);
        if (_claims[key].target != address(0)) revert PaymentClaimPending(billId, start);
        if (_ledger.chainOf(billId, links) != range.chain) revert PaymentChainMismatch(billId, start);
        if (target == address(0)) revert PaymentNotLiable(billId, start, target);

        uint96 newChain = _chainAfterPayment(billId, start, target, links, _presentments[key].late);
        _claims[key] = Claim(target, newChain);
        emit RecourseClaimed(billId, start, msg.sender, target, recourseAmount(billId, _units(range), block.timestamp));
    }

    /// @inheritdoc IBillPayments
    function payRecourse(uint256 billId, uint48 start) external nonReentrant {
        uint96 key = _key(billId, start);
        Claim memory claim = _claims[key];
        if (claim.target == address(0)) revert PaymentNoClaim(billId, start);
        if (msg.sender != claim.target) revert PaymentNotEntitled(billId, start, msg.sender);
        IBillLedger.Range memory range = _ledger.rangeAt(billId, start);
        uint256 amount = recourseAmount(billId, _units(range), block.timestamp);
        // The acceptor is the last debtor: once it pays, nobody is left to claim from.
        IBillLedger.RangeState next =
            _registry.sameEntity(msg.sender, _acceptorOf(billId))
                ? IBillLedger.RangeState.Redeemed
                : IBillLedger.RangeState.Dishonoured;
        delete _claims[key];
        _ledger.settleRange(
            billId,
            start,
            range.holder,
            IBillLedger.RangeState.Dishonoured,
            msg.sender,
            next,
            claim.newChain
        );
        _currency.safeTransferFrom(msg.sender, range.holder, amount);
        emit RecoursePaid(billId, start, msg.sender, range.holder, amount);
    }

    /// @inheritdoc IBillPayments
    function withdrawClaim(uint256 billId, uint48 start) external nonReentrant {
        uint96 key = _key(billId, start);
        if (_claims[key].target == address(0)) revert PaymentNoClaim(billId, start);
        if (_ledger.rangeAt(billId, start).holder != msg.sender) revert PaymentNotEntitled(billId, start, msg.sender);
        delete _claims[key];
        emit RecourseWithdrawn(billId, start, msg.sender);
    }

    /// @inheritdoc IBillPayments
    function ledger() external view returns (IBillLedger) {
        return _ledger;
    }

    /// @inheritdoc IBillPayments
    function presentmentOf(uint256 billId, uint48 start) external view returns (Presentment memory) {
        return _presentments[_key(billId, start)];
    }

    /// @inheritdoc IBillPayments
    function claimOf(uint256 billId, uint48 start) external view returns (Claim memory claim) {
        return _claims[_key(billId, start)];
    }

    /// @inheritdoc IBillPayments
    /// @dev Interest = units × rate × days / 360 with the rate in basis points, rounded up so that the payer
    /// never underpays by a fen. Days run from the maturity day to the payment day (first day counted, last not).
    function recourseAmount(uint256 billId, uint256 units, uint256 timestamp) public view returns (uint256) {
        (, uint32 maturityDay) = _ledger.maturityTerms(billId);
        uint32 payDay = BillCalendar.dayOf(timestamp);
        if (payDay <= maturityDay) return units;
        uint256 days_ = payDay - maturityDay;
        uint256 interest = Math.mulDiv(
            units,
            uint256(_ledger.settings().recourseRateBps) * days_,
            _RATE_DENOMINATOR,
            Math.Rounding.Ceil
        );
        return units + interest;
    }

    /// @dev Moves the range from `state` to `newState`, same holder and chain, through the ledger's operator entry.
    function _restate(
        uint256 billId,
        uint48 start,
        IBillLedger.Range memory range,
        IBillLedger.RangeState state,
        IBillLedger.RangeState newState
    ) private {
        _ledger.settleRange(billId, start, range.holder, state, range.holder, newState, range.chain);
    }

    function _markDishonoured(uint256 billId, uint48 start, uint8 reason) private {
        IBillLedger.Range memory range = _ledger.rangeAt(billId, start);
        _restate(billId, start, range, IBillLedger.RangeState.Presented, IBillLedger.RangeState.Dishonoured);
        emit Dishonoured(billId, start, msg.sender, reason);
    }

    /// @dev The chain commitment the range carries once `target` has paid, i.e. the parties `target` may claim
    /// from in turn. The acceptor ends the chain; the drawer keeps only the acceptor (the empty chain); an
    /// endorser or guarantor keeps the links before its own last liable appearance. After a late presentment
    /// only the acceptor and the drawer are liable. A holder that is itself an earlier party of the bill has no
    /// recourse against the parties after its own first appearance (the drawer: against none but the acceptor;
    /// the acceptor: against nobody). An endorser that marked its endorsement "no recourse" stays liable to its
    /// direct endorsee only. Parties are compared as entities.
    function _chainAfterPayment(
        uint256 billId,
        uint48 start,
        address target,
        IBillLedger.Link[] calldata links,
        bool late
    ) private view returns (uint96) {
        IBillLedger.Bill memory terms = _ledger.bill(billId);
        _checkNotAcceptor(billId, start, terms.acceptor);
        bytes32 holderEntity = _registry.entityOf(msg.sender);
        bytes32 targetEntity = _registry.entityOf(target);
        if (_same(target, targetEntity, msg.sender)) revert PaymentNotLiable(billId, start, target);
        if (_same(target, targetEntity, terms.acceptor)) return 0;
        if (_same(msg.sender, holderEntity, terms.drawer)) revert PaymentNotLiable(billId, start, target);
        if (_same(target, targetEntity, terms.drawer)) return _ledger.chainOf(billId, links[:0]);
        if (late) revert PaymentNotLiable(billId, start, target);
        uint256 limit = links.length;
        for (uint256 i = 0; i < limit; ++i) {
            if (_same(msg.sender, holderEntity, links[i].party)) limit = i;
        }
        for (uint256 i = limit; i > 0; --i) {
            IBillLedger.Link calldata link = links[i - 1];
            if (!_same(target, targetEntity, link.party)) continue;
            bool liable =
                link.kind == IBillLedger.LinkKind.Guarantee ||
                    (link.kind == IBillLedger.LinkKind.Endorsement &&
                        (!link.noRecourse || _same(msg.sender, holderEntity, _endorseeOf(links, i - 1))));
            if (liable) return _ledger.chainOf(billId, links[:i - 1]);
        }
        revert PaymentNotLiable(billId, start, target);
    }

    /// @dev The holder is not the acceptor's entity, which owes the bill itself and claims from nobody.
    function _checkNotAcceptor(uint256 billId, uint48 start, address acceptor) private view {
        if (_registry.sameEntity(msg.sender, acceptor)) revert PaymentAcceptorHolds(billId, start, msg.sender);
    }

    /// @dev Whether `other` is the party `wallet` (of entity `entityId`, zero if none) is.
    function _same(address wallet, bytes32 entityId, address other) private view returns (bool) {
        return wallet == other || (entityId != 0 && entityId == _registry.entityOf(other));
    }

    /// @dev Who received the range by the endorsement at `links[index]`: the next endorser, else the holder.
    function _endorseeOf(IBillLedger.Link[] calldata links, uint256 index) private view returns (address) {
        for (uint256 j = index + 1; j < links.length; ++j) {
            if (links[j].kind == IBillLedger.LinkKind.Endorsement) return links[j].party;
        }
        return msg.sender;
    }

    function _acceptorOf(uint256 billId) private view returns (address acceptor) {
        (acceptor, ) = _ledger.maturityTerms(billId);
    }

    function _units(IBillLedger.Range memory range) private pure returns (uint256) {
        return uint256(range.end) - range.start + 1;
    }

    function _key(uint256 billId, uint48 start) private pure returns (uint96) {
        if (billId > type(uint48).max) revert IBillLedger.BillUnknown(billId);
        return uint96((billId << 48) | start);
    }
}
