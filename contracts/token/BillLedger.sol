// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IBillLedger} from "../interfaces/IBillLedger.sol";
import {IdentityGate} from "../identity/IdentityGate.sol";
import {BillCalendar} from "../libraries/BillCalendar.sol";

/// @title BillLedger
/// @notice Holds every bill of the platform and carries out the two-phase acts of its life: issue, acceptance,
/// receipt, endorsement (whole or part of a holding), pledge and release, guarantee, and judicial freeze. Every
/// party of an act is checked against the shared identity registry when it applies and again when it answers.
/// @dev A range is stored under the key `billId << 48 | start` in two slots: the holder, the last unit, the state
/// and the pending act with its deadline (what every act reads and writes); the counterparty and a 96-bit
/// commitment to the liability chain. So a split writes two new slots. The chain itself (endorsers, guarantors) travels in events and is checked
/// against the commitment when it is needed, so an endorsement writes no new storage. There is no per-holder
/// index in storage: `rangesOf` scans bills page by page, and indexers follow the events. Every record is public,
/// as storage and events are to every node (README *Confidentiality*).
contract BillLedger is IBillLedger, IdentityGate, AccessControlDefaultAdminRules {
    struct BillRecord {
        address drawer;
        BillType billType;
        uint32 issueDay;
        uint32 maturityDay;
        bool notTransferable;
        bool splittable;
        address acceptor;
        uint48 face;
        address payee;
        bytes32 tradeHash;
    }

    struct RangeRecord {
        address holder;
        uint48 end;
        /// @dev The state (low four bits) and the state before a pending act or a freeze (high four bits).
        uint8 states;
        /// @dev The pending act (low seven bits) and the endorser's no-recourse mark (high bit).
        uint8 pending;
        /// @dev Seconds since 1970, so good until 2106.
        uint32 deadline;
        address counterparty;
        uint96 chain;
    }

    /// @notice Freezes and unfreezes ranges.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    /// @notice Pauses and unpauses every act.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Platform contracts that settle bills: payment at maturity and recourse (`settleRange`), trades
    /// (`tradeRange`).
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @dev The no-recourse bit of a range's `pending` byte.
    uint8 private constant _NO_RECOURSE = 0x80;

    mapping(uint256 billId => BillRecord) private _bills;
    mapping(uint96 key => RangeRecord) private _ranges;
    uint48 private _billCount;
    Settings private _settings;
    mapping(address acceptor => bool) private _bankrupt;

    /// @param registry the shared identity registry
    /// @param initialAdminDelay seconds a new admin must wait before accepting the role
    /// @param admin changes settings and grants roles
    /// @param pauser may pause every act
    /// @param regulator may freeze and unfreeze ranges
    /// @param initialSettings tenor cap, presentation period and answer window
    constructor(
        IIdentityRegistry registry,
        uint48 initialAdminDelay,
        address admin,
        address pauser,
        address regulator,
        Settings memory initialSettings
    ) IdentityGate(registry) AccessControlDefaultAdminRules(initialAdminDelay, admin) {
        if (address(registry) == address(0)) revert BillInvalidParty(address(0));
        if (pauser == address(0)) revert BillInvalidParty(pauser);
        if (regulator == address(0)) revert BillInvalidParty(regulator);
        _grantRole(PAUSER_ROLE, pauser);
        _grantRole(REGULATOR_ROLE, regulator);
        _setSettings(initialSettings);
    }

    /// @inheritdoc IBillLedger
    function issue(IssueParams calldata params) external returns (uint256 billId) {
        GateState memory gate = _openGate();
        if (params.billType == BillType.None) revert BillInvalidType();
        if (params.face == 0) revert BillZeroFace();
        if (params.acceptor == address(0)) revert BillInvalidParty(params.acceptor);
        if (params.payee == address(0)) revert BillInvalidParty(params.payee);
        _checkIssueParties(gate, params);

        uint32 today = BillCalendar.dayOf(block.timestamp);
        if (params.maturityDay <= today) revert BillMaturityNotInFuture(params.maturityDay, today);
        uint32 latest = BillCalendar.addMonths(today, _settings.maxTenorMonths);
        if (params.maturityDay > latest) revert BillTenorTooLong(params.maturityDay, latest);

        billId = ++_billCount;
        _bills[billId] = BillRecord({
            drawer: msg.sender,
            billType: params.billType,
            issueDay: today,
            maturityDay: params.maturityDay,
            notTransferable: params.notTransferable,
            splittable: params.splittable,
            acceptor: params.acceptor,
            face: params.face,
            payee: params.payee,
            tradeHash: params.tradeHash
        });
        emit BillIssued(
            billId,
            msg.sender,
            params.acceptor,
            params.payee,
            params.billType,
            params.face,
            today,
            params.maturityDay,
            params.tradeHash,
            params.notTransferable,
            params.splittable
        );

        RangeRecord storage range = _ranges[_key(billId, 1)];
        range.end = params.face;
        range.holder = msg.sender;
        _setStates(range, RangeState.Issued, RangeState.None);
        range.chain = _genesis(billId);
        _emitUpdated(billId, 1, range);
    }

    /// @inheritdoc IBillLedger
    function presentForAcceptance(uint256 billId) external {
        BillRecord storage record = _billOf(billId);
        _checkNotMatured(billId, record.maturityDay);
        _checkParties(_openGate(), msg.sender, record.acceptor, false);
        _checkAcceptorKind(record.acceptor, record.billType);
        _apply(billId, 1, record.face, RangeState.Issued, Act.Acceptance, record.acceptor, false, false);
    }

    /// @inheritdoc IBillLedger
    function presentForReceipt(uint256 billId) external {
        BillRecord storage record = _billOf(billId);
        _checkNotMatured(billId, record.maturityDay);
        _checkParties(_openGate(), msg.sender, record.payee, false);
        _apply(billId, 1, record.face, RangeState.Accepted, Act.Receipt, record.payee, false, false);
    }

    /// @inheritdoc IBillLedger
    function endorse(uint256 billId, uint48 start, uint48 amount, address endorsee, bool noRecourse) external {
        BillRecord storage record = _billOf(billId);
        if (record.notTransferable) revert BillNotTransferable(billId);
        _checkNotMatured(billId, record.maturityDay);
        _checkCounterparty(endorsee);
        IIdentityRegistry.EntityKind endorseeKind = _checkParties(_openGate(), msg.sender, endorsee, true);
        _checkKind(endorsee, endorseeKind, IIdentityRegistry.EntityKind.Enterprise);
        _apply(billId, start, amount, RangeState.Circulating, Act.Endorsement, endorsee, noRecourse, record.splittable);
    }

    /// @inheritdoc IBillLedger
    function pledge(uint256 billId, uint48 start, uint48 amount, address creditor) external {
        BillRecord storage record = _billOf(billId);
        // A pledgee of a bill the drawer marked not transferable would hold no bill rights.
        if (record.notTransferable) revert BillNotTransferable(billId);
        _checkNotMatured(billId, record.maturityDay);
        _checkCounterparty(creditor);
        _checkParties(_openGate(), msg.sender, creditor, true);
        _apply(billId, start, amount, RangeState.Circulating, Act.Pledge, creditor, false, record.splittable);
    }

    /// @inheritdoc IBillLedger
    function requestGuarantee(uint256 billId, uint48 start, uint48 amount, address guarantor) external {
        BillRecord storage record = _billOf(billId);
        _checkCounterparty(guarantor);
        _checkParties(_openGate(), msg.sender, guarantor, true);
        _apply(billId, start, amount, RangeState.Circulating, Act.Guarantee, guarantor, false, record.splittable);
    }

    /// @inheritdoc IBillLedger
    function sign(uint256 billId, uint48 start, bytes32 expectedTerms) external {
        GateState memory gate = _openGate();
        RangeRecord storage range = _lockedRange(billId, start);
        address counterparty = range.counterparty;
        if (msg.sender != counterparty) revert BillNotEntitled(billId, start, msg.sender);
        if (_termsOf(billId, start, range) != expectedTerms) revert BillApplicationChanged(billId, start);
        uint40 deadline = range.deadline;
        if (block.timestamp >= deadline) revert BillApplicationExpired(billId, start, deadline);
        address holder = range.holder;
        IIdentityRegistry.EntityKind counterpartyKind = _checkParties(gate, holder, counterparty, false);

        Act act = _pendingAct(range);
        // A guarantee may be added to a bill at any time; every other act ends on its maturity day.
        if (act != Act.Guarantee) _checkNotMatured(billId, _bills[billId].maturityDay);
        RangeState next = RangeState.Circulating;
        if (act == Act.Acceptance) {
            BillRecord storage record = _bills[billId];
            _checkKind(counterparty, counterpartyKind, _acceptorKind(record.billType));
            next = RangeState.Accepted;
        } else if (act == Act.Receipt) {
            _checkKind(counterparty, counterpartyKind, IIdentityRegistry.EntityKind.Enterprise);
            range.holder = counterparty;
        } else if (act == Act.Endorsement) {
            _checkKind(counterparty, counterpartyKind, IIdentityRegistry.EntityKind.Enterprise);
            bool noRecourse = _noRecourse(range);
            range.chain = _nextChain(range.chain, LinkKind.Endorsement, holder, noRecourse);
            emit Endorsed(billId, start, holder, counterparty, noRecourse);
            range.holder = counterparty;
        } else if (act == Act.Pledge) {
            next = RangeState.Pledged;
        } else {
            range.chain = _nextChain(range.chain, LinkKind.Guarantee, counterparty, false);
            emit Guaranteed(billId, start, counterparty);
            next = _priorState(range);
        }
        _settle(range, next, act == Act.Pledge);
        emit ApplicationAnswered(billId, start, act, true, msg.sender);
        _emitUpdated(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function reject(uint256 billId, uint48 start) external {
        RangeRecord storage range = _lockedRange(billId, start);
        if (msg.sender != range.counterparty) revert BillNotEntitled(billId, start, msg.sender);
        _endApplication(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function withdraw(uint256 billId, uint48 start) external {
        RangeRecord storage range = _lockedRange(billId, start);
        if (msg.sender != range.holder) revert BillNotEntitled(billId, start, msg.sender);
        _endApplication(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function clear(uint256 billId, uint48 start) external {
        RangeRecord storage range = _lockedRange(billId, start);
        uint40 deadline = range.deadline;
        if (block.timestamp < deadline) revert BillApplicationPending(billId, start, deadline);
        _endApplication(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function releasePledge(uint256 billId, uint48 start) external {
        RangeRecord storage range = _rangeOf(billId, start);
        _checkState(billId, start, _state(range), RangeState.Pledged);
        if (msg.sender != range.counterparty) revert BillNotEntitled(billId, start, msg.sender);
        range.counterparty = address(0);
        _setStates(range, RangeState.Circulating, RangeState.None);
        _emitUpdated(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function freeze(uint256 billId, uint48 start, uint48 amount) external onlyRole(REGULATOR_ROLE) {
        BillRecord storage record = _billOf(billId);
        RangeRecord storage range = _rangeOf(billId, start);
        RangeState state = _state(range);
        if (state == RangeState.Frozen || state == RangeState.Redeemed) {
            revert BillWrongState(billId, start, state, RangeState.Circulating);
        }
        if (state == RangeState.Locked) {
            _endApplication(billId, start, range);
            state = _state(range);
        }
        // Only circulating and pledged holdings split: an issued or accepted bill moves as a whole until the payee
        // receives it, and a presented or dishonoured range carries its presentment (BillPayments) under its start.
        // A pledge made by a settlement operator (a repo) moves as a whole: the operator addresses it by its start.
        bool divisible =
            record.splittable &&
                (state == RangeState.Circulating ||
                    (state == RangeState.Pledged && !hasRole(OPERATOR_ROLE, range.counterparty)));
        _takePart(billId, start, range, amount, divisible);
        _setStates(range, RangeState.Frozen, state);
        _emitUpdated(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function unfreeze(uint256 billId, uint48 start) external onlyRole(REGULATOR_ROLE) {
        RangeRecord storage range = _rangeOf(billId, start);
        _checkState(billId, start, _state(range), RangeState.Frozen);
        _setStates(range, _priorState(range), RangeState.None);
        _emitUpdated(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function pause() external onlyRole(PAUSER_ROLE) {
        if (paused()) revert BillPaused();
        _setPaused(true);
        emit Paused(msg.sender);
    }

    /// @inheritdoc IBillLedger
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!paused()) revert BillNotPaused();
        _setPaused(false);
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IBillLedger
    function setSettings(Settings calldata newSettings) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSettings(newSettings);
    }

    /// @inheritdoc IBillLedger
    function setAcceptorBankrupt(address acceptor, bool bankrupt) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (acceptor == address(0)) revert BillInvalidParty(acceptor);
        _bankrupt[acceptor] = bankrupt;
        emit AcceptorBankruptcySet(acceptor, bankrupt);
    }

    /// @inheritdoc IBillLedger
    function isAcceptorBankrupt(address acceptor) external view returns (bool) {
        return _bankrupt[acceptor];
    }

    /// @inheritdoc IBillLedger
    function settleRange(
        uint256 billId,
        uint48 start,
        address holder,
        RangeState state,
        address newHolder,
        RangeState newState,
        uint96 newChain
    ) external onlyRole(OPERATOR_ROLE) {
        GateState memory gate = _openGate();
        RangeRecord storage range = _rangeOf(billId, start);
        if (range.holder != holder) revert BillNotEntitled(billId, start, holder);
        _checkState(billId, start, _state(range), state);
        if (newHolder != holder) {
            (IIdentityRegistry.EntityKind kind, ) = _kindsIfVerified(gate, newHolder, address(0));
            _checkParty(newHolder, kind);
            range.holder = newHolder;
        }
        _setState(range, newState);
        range.chain = newChain;
        _emitUpdated(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function tradeRange(
        uint256 billId,
        uint48 start,
        uint48 amount,
        address holder,
        RangeState state,
        address newHolder,
        RangeState newState
    ) external onlyRole(OPERATOR_ROLE) {
        GateState memory gate = _gateState();
        RangeRecord storage range = _rangeOf(billId, start);
        if (range.holder != holder) revert BillNotEntitled(billId, start, holder);
        bool release = newHolder == holder && newState == RangeState.Circulating;
        if (gate.paused && !release) revert BillPaused();
        if (release && _state(range) == RangeState.Frozen && _priorState(range) == state) {
            _setStates(range, RangeState.Frozen, RangeState.Circulating);
            range.counterparty = address(0);
            return;
        }
        _checkState(billId, start, _state(range), state);
        BillRecord storage record = _bills[billId];
        // A pledge may still be realised after maturity; every other trade of a range ends on its maturity day.
        if (!release && state != RangeState.Pledged) _checkNotMatured(billId, record.maturityDay);
        // The drawer's mark stops every change of holder and every pledge, as it stops endorse and pledge.
        if (record.notTransferable && (newHolder != holder || newState == RangeState.Pledged)) {
            revert BillNotTransferable(billId);
        }
        _takePart(billId, start, range, amount, state == RangeState.Circulating && record.splittable);
        if (newHolder != holder) {
            (IIdentityRegistry.EntityKind kind, ) = _kindsIfVerified(gate, newHolder, address(0));
            _checkParty(newHolder, kind);
            range.chain = _nextChain(range.chain, LinkKind.Endorsement, holder, false);
            emit Endorsed(billId, start, holder, newHolder, false);
            range.holder = newHolder;
        }
        _setState(range, newState);
        range.counterparty =
            newState == RangeState.Escrowed || newState == RangeState.Pledged ? msg.sender : address(0);
        _emitUpdated(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function bill(uint256 billId) external view returns (Bill memory) {
        BillRecord storage record = _billOf(billId);
        return
            Bill({
                billType: record.billType,
                drawer: record.drawer,
                acceptor: record.acceptor,
                payee: record.payee,
                face: record.face,
                issueDay: record.issueDay,
                maturityDay: record.maturityDay,
                tradeHash: record.tradeHash,
                notTransferable: record.notTransferable,
                splittable: record.splittable
            });
    }

    /// @inheritdoc IBillLedger
    function maturityTerms(uint256 billId) external view returns (address acceptor, uint32 maturityDay) {
        BillRecord storage record = _billOf(billId);
        return (record.acceptor, record.maturityDay);
    }

    /// @inheritdoc IBillLedger
    function maturityDayOf(uint256 billId) external view returns (uint32) {
        return _billOf(billId).maturityDay;
    }

    /// @inheritdoc IBillLedger
    function billCount() external view returns (uint256) {
        return _billCount;
    }

    /// @inheritdoc IBillLedger
    function rangeAt(uint256 billId, uint48 start) external view returns (Range memory) {
        _billOf(billId);
        return _view(billId, start, _rangeOf(billId, start));
    }

    /// @inheritdoc IBillLedger
    function rangesOfBill(
        uint256 billId,
        uint48 fromStart,
        uint256 limit
    ) external view returns (Range[] memory page, uint48 next) {
        uint256 face = _billOf(billId).face;
        uint256 count = 0;
        uint256 cursor = fromStart;
        while (count < limit && cursor != 0 && cursor <= face) {
            cursor = uint256(_rangeOf(billId, uint48(cursor)).end) + 1;
            ++count;
        }
        page = new Range[](count);
        cursor = fromStart;
        for (uint256 i = 0; i < count; ++i) {
            RangeRecord storage range = _ranges[_key(billId, uint48(cursor))];
            page[i] = _view(billId, uint48(cursor), range);
            cursor = uint256(range.end) + 1;
        }
        // Cannot truncate: cursor <= face, a uint48.
        next = cursor <= face ? uint48(cursor) : 0;
    }

    /// @inheritdoc IBillLedger
    function rangesOf(
        address holder,
        uint256 cursor,
        uint256 maxRanges
    ) external view returns (Range[] memory page, uint256 nextCursor) {
        uint256 billId = cursor == 0 ? 1 : cursor >> 48;
        uint256 start = cursor == 0 ? 1 : uint48(cursor);
        (uint256 found, ) = _walk(holder, billId, start, maxRanges, page);
        page = new Range[](found);
        (, nextCursor) = _walk(holder, billId, start, maxRanges, page);
    }

    /// @inheritdoc IBillLedger
    function chainOf(uint256 billId, Link[] calldata links) external pure returns (uint96 chain) {
        chain = _genesis(billId);
        for (uint256 i = 0; i < links.length; ++i) {
            chain = _nextChain(chain, links[i].kind, links[i].party, links[i].noRecourse);
        }
    }

    /// @inheritdoc IBillLedger
    function applicationTerms(uint256 billId, uint48 start) external view returns (bytes32) {
        if (billId > type(uint48).max) return bytes32(0);
        RangeRecord storage range = _ranges[_key(billId, start)];
        if (_state(range) != RangeState.Locked) return bytes32(0);
        return _termsOf(billId, start, range);
    }

    /// @inheritdoc IBillLedger
    function settings() external view returns (Settings memory) {
        return _settings;
    }

    /// @dev Locks the first `amount` units of the holding at `start` for `act`, answered by `counterparty`.
    function _apply(
        uint256 billId,
        uint48 start,
        uint48 amount,
        RangeState required,
        Act act,
        address counterparty,
        bool noRecourse,
        bool splittable
    ) private {
        RangeRecord storage range = _rangeOf(billId, start);
        if (range.holder != msg.sender) revert BillNotEntitled(billId, start, msg.sender);
        _checkState(billId, start, _state(range), required);
        _takePart(billId, start, range, amount, splittable);
        uint32 deadline = SafeCast.toUint32(block.timestamp + _settings.answerWindow);
        _setStates(range, RangeState.Locked, required);
        range.pending = uint8(act) | (noRecourse ? _NO_RECOURSE : 0);
        range.deadline = deadline;
        range.counterparty = counterparty;
        emit ApplicationMade(billId, start, range.end, act, msg.sender, counterparty, deadline, noRecourse);
        _emitUpdated(billId, start, range);
    }

    /// @dev Ends a pending application without effect: the range goes back to the state it was in.
    function _endApplication(uint256 billId, uint48 start, RangeRecord storage range) private {
        Act act = _pendingAct(range);
        _settle(range, _priorState(range), false);
        emit ApplicationAnswered(billId, start, act, false, msg.sender);
        _emitUpdated(billId, start, range);
    }

    /// @dev Clears the pending fields and sets the state; a pledge keeps its creditor as counterparty.
    function _settle(RangeRecord storage range, RangeState next, bool keepCounterparty) private {
        _setStates(range, next, RangeState.None);
        range.pending = 0;
        range.deadline = 0;
        if (!keepCounterparty) range.counterparty = address(0);
    }

    /// @dev Splits the holding so that the range at `start` has exactly `amount` units.
    function _takePart(
        uint256 billId,
        uint48 start,
        RangeRecord storage range,
        uint48 amount,
        bool splittable
    ) private {
        uint48 end = range.end;
        // Cannot underflow: a stored range has start <= end.
        uint48 size = end - start + 1;
        if (amount == 0 || amount > size) revert BillInvalidAmount(billId, start, end, amount);
        if (amount == size) return;
        if (!splittable) revert BillNotSplittable(billId);
        // Cannot overflow: start + amount <= end.
        uint48 at = start + amount;
        RangeRecord storage rest = _ranges[_key(billId, at)];
        rest.holder = range.holder;
        rest.end = end;
        rest.states = range.states;
        rest.counterparty = range.counterparty;
        rest.chain = range.chain;
        range.end = at - 1;
        emit RangeSplit(billId, start, at);
        _emitUpdated(billId, at, rest);
    }

    function _setSettings(Settings memory newSettings) private {
        if (
            newSettings.maxTenorMonths == 0 ||
            newSettings.maxTenorMonths > 12 ||
            newSettings.presentationDays == 0 ||
            newSettings.presentationDays > 366 ||
            newSettings.answerWindow < 1 hours ||
            newSettings.answerWindow > 366 days ||
            newSettings.recourseRateBps > 10_000
        ) revert BillInvalidSettings();
        _settings = newSettings;
        emit SettingsChanged(
            newSettings.maxTenorMonths,
            newSettings.presentationDays,
            newSettings.answerWindow,
            newSettings.recourseRateBps
        );
    }

    /// @dev Examines up to `maxRanges` ranges in bill and unit order from (billId, start), counting those held by
    /// `holder` (redeemed ones aside) and copying them into `page` while it has room.
    function _walk(
        address holder,
        uint256 billId,
        uint256 start,
        uint256 maxRanges,
        Range[] memory page
    ) private view returns (uint256 found, uint256 nextCursor) {
        uint256 total = _billCount;
        uint256 face = billId <= total ? _bills[billId].face : 0;
        for (uint256 seen = 0; seen < maxRanges && billId <= total; ++seen) {
            // Cannot truncate: start <= face, a uint48.
            RangeRecord storage range = _rangeOf(billId, uint48(start));
            if (range.holder == holder && _state(range) != RangeState.Redeemed) {
                if (found < page.length) page[found] = _view(billId, uint48(start), range);
                ++found;
            }
            start = uint256(range.end) + 1;
            if (start > face) {
                ++billId;
                start = 1;
                face = billId <= total ? _bills[billId].face : 0;
            }
        }
        nextCursor = billId <= total ? (billId << 48) | start : 0;
    }

    /// @dev The hash a counterparty signs: everything the pending application would do.
    function _termsOf(uint256 billId, uint48 start, RangeRecord storage range) private view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    billId,
                    start,
                    range.end,
                    _pendingAct(range),
                    range.holder,
                    range.counterparty,
                    _noRecourse(range),
                    range.deadline
                )
            );
    }

    function _emitUpdated(uint256 billId, uint48 start, RangeRecord storage range) private {
        emit RangeUpdated(billId, start, range.end, range.holder, _state(range), range.chain);
    }

    /// @dev Both parties verified now and neither a regulator wallet, and, if `distinct`, not one party (two
    /// wallets of one entity); returns `b`'s kind.
    function _checkParties(
        GateState memory gate,
        address a,
        address b,
        bool distinct
    ) private view returns (IIdentityRegistry.EntityKind bKind) {
        IIdentityRegistry.EntityKind aKind;
        bool same;
        (aKind, bKind, same) = _partiesIfVerified(gate, a, b);
        _checkParty(a, aKind);
        _checkParty(b, bKind);
        if (distinct && same) revert BillInvalidParty(b);
    }

    function _checkIssueParties(GateState memory gate, IssueParams calldata params) private view {
        (IIdentityRegistry.EntityKind drawerKind, IIdentityRegistry.EntityKind acceptorKind) = _kindsIfVerified(
            gate,
            msg.sender,
            params.acceptor
        );
        _checkParty(msg.sender, drawerKind);
        _checkParty(params.acceptor, acceptorKind);
        _checkKind(msg.sender, drawerKind, IIdentityRegistry.EntityKind.Enterprise);
        _checkKind(params.acceptor, acceptorKind, _acceptorKind(params.billType));
        (IIdentityRegistry.EntityKind payeeKind, ) = _kindsIfVerified(gate, params.payee, address(0));
        _checkParty(params.payee, payeeKind);
        _checkKind(params.payee, payeeKind, IIdentityRegistry.EntityKind.Enterprise);
    }

    function _checkAcceptorKind(address acceptor, BillType billType) private view {
        (IIdentityRegistry.EntityKind kind, ) = _kindsIfVerified(_gateState(), acceptor, address(0));
        _checkKind(acceptor, kind, _acceptorKind(billType));
    }

    function _openGate() private view returns (GateState memory gate) {
        gate = _gateState();
        if (gate.paused) revert BillPaused();
    }

    function _billOf(uint256 billId) private view returns (BillRecord storage record) {
        record = _bills[billId];
        if (record.drawer == address(0)) revert BillUnknown(billId);
    }

    function _rangeOf(uint256 billId, uint48 start) private view returns (RangeRecord storage range) {
        range = _ranges[_key(billId, start)];
        if (range.holder == address(0)) revert BillUnknownRange(billId, start);
    }

    function _lockedRange(uint256 billId, uint48 start) private view returns (RangeRecord storage range) {
        range = _rangeOf(billId, start);
        _checkState(billId, start, _state(range), RangeState.Locked);
    }

    function _checkNotMatured(uint256 billId, uint32 maturityDay) private view {
        if (block.timestamp >= BillCalendar.startOf(maturityDay)) revert BillMatured(billId, maturityDay);
    }

    function _checkCounterparty(address counterparty) private view {
        if (counterparty == address(0) || counterparty == msg.sender) revert BillInvalidParty(counterparty);
    }

    function _view(uint256 billId, uint48 start, RangeRecord storage range) private view returns (Range memory) {
        return
            Range({
                billId: billId,
                start: start,
                end: range.end,
                holder: range.holder,
                state: _state(range),
                priorState: _priorState(range),
                pendingAct: _pendingAct(range),
                noRecourse: _noRecourse(range),
                deadline: range.deadline,
                counterparty: range.counterparty,
                chain: range.chain
            });
    }

    function _state(RangeRecord storage range) private view returns (RangeState) {
        return RangeState(range.states & 0x0f);
    }

    function _priorState(RangeRecord storage range) private view returns (RangeState) {
        return RangeState(range.states >> 4);
    }

    function _setState(RangeRecord storage range, RangeState state) private {
        range.states = (range.states & 0xf0) | uint8(state);
    }

    function _setStates(RangeRecord storage range, RangeState state, RangeState priorState) private {
        range.states = uint8(state) | (uint8(priorState) << 4);
    }

    function _pendingAct(RangeRecord storage range) private view returns (Act) {
        return Act(range.pending & ~_NO_RECOURSE);
    }

    function _noRecourse(RangeRecord storage range) private view returns (bool) {
        return range.pending & _NO_RECOURSE != 0;
    }

    function _checkState(uint256 billId, uint48 start, RangeState state, RangeState expected) private pure {
        if (state != expected) revert BillWrongState(billId, start, state, expected);
    }

    function _checkParty(address account, IIdentityRegistry.EntityKind kind) private pure {
        if (kind == IIdentityRegistry.EntityKind.None) revert BillUnverifiedParty(account);
        if (kind == IIdentityRegistry.EntityKind.Regulator) revert BillRegulatorParty(account);
    }

    function _checkKind(
        address account,
        IIdentityRegistry.EntityKind kind,
        IIdentityRegistry.EntityKind expected
    ) private pure {
        if (kind != expected) revert BillWrongPartyKind(account, uint8(expected));
    }

    function _acceptorKind(BillType billType) private pure returns (IIdentityRegistry.EntityKind) {
        if (billType == BillType.BankAcceptance) return IIdentityRegistry.EntityKind.Bank;
        if (billType == BillType.FinanceCompanyAcceptance) return IIdentityRegistry.EntityKind.FinanceCompany;
        return IIdentityRegistry.EntityKind.Enterprise;
    }

    /// @dev A bill id above uint48 would alias another bill's key: no such bill exists.
    function _key(uint256 billId, uint48 start) private pure returns (uint96) {
        if (billId > type(uint48).max) revert BillUnknown(billId);
        return uint96((billId << 48) | start);
    }

    function _genesis(uint256 billId) private pure returns (uint96) {
        return uint96(uint256(keccak256(abi.encode("bill-dvp:chain", billId))));
    }

    function _nextChain(uint96 chain, LinkKind kind, address party, bool noRecourse) private pure returns (uint96) {
        return uint96(uint256(keccak256(abi.encode(chain, kind, party, noRecourse))));
    }
}
