// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IBillLedger} from "../interfaces/IBillLedger.sol";
import {IBusinessCalendar} from "../interfaces/IBusinessCalendar.sol";
import {IDigitalCurrency} from "../interfaces/IDigitalCurrency.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {ISettlementEngine} from "../interfaces/ISettlementEngine.sol";
import {BillCalendar} from "../libraries/BillCalendar.sol";
import {TradePricing} from "../libraries/TradePricing.sol";
import {ExitContext, TradeExits, TradeRecord} from "./libraries/TradeExits.sol";

/// @title SettlementEngine
/// @notice Delivery versus payment for the bill market: a bill range and money (or any two legs) change hands in
/// one transaction or not at all. Bill ranges move through the ledger's operator entry `tradeRange`; tokens move
/// from payer to payee by the engine's allowance, so money sits in the engine only as the escrowed leg of an open
/// proposal (tracked per trade and in `escrowed`); tokens sent to the engine otherwise are never credited.
/// @dev Needs the ledger's OPERATOR_ROLE and a system account in the identity registry. Parties are checked in the
/// registry when a trade is proposed and again when it settles; bill maturity is checked by the ledger.
contract SettlementEngine is ISettlementEngine, EIP712, ReentrancyGuardTransient, AccessControlDefaultAdminRules {
    using SafeERC20 for IERC20;

    /// @dev A token movement of a batch, netted between the same two parties; `twoWay` when both paid into it.
    struct Flow {
        address token;
        address from;
        address to;
        uint256 amount;
        bool twoWay;
    }

    /// @notice Submits signed orders on the parties' behalf.
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    /// @notice Pauses and unpauses proposals and settlements.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The most trades a batch may hold.
    uint256 public constant MAX_BATCH = 50;

    // The type strings are hashed at compile time; their length costs nothing at run time.
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant _LEG_TYPEHASH = keccak256("Leg(address asset,uint256 billId,uint48 start,uint128 amount)");
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant _TERMS_TYPEHASH = keccak256(
        "Terms(uint8 kind,address maker,address taker,Leg makerLeg,Leg takerLeg,uint32 rate,uint32 valueDay,"
        "uint32 endDay,uint128 closingAmount,uint40 deadline,uint256 nonce,bytes32 confidential)"
        "Leg(address asset,uint256 billId,uint48 start,uint128 amount)"
    );

    IBillLedger private immutable _ledger;
    IIdentityRegistry private immutable _registry;
    IBusinessCalendar private immutable _calendar;
    IERC20 private immutable _currency;

    mapping(bytes32 id => TradeRecord) private _trades;
    mapping(address signer => mapping(uint256 word => uint256 bits)) private _nonceBits;
    mapping(address signer => uint256) private _nonceFloors;
    mapping(address token => bool) private _listed;
    mapping(address token => uint256) private _escrowed;
    bool private _paused;

    /// @param ledger the bill ledger whose ranges the engine moves
    /// @param registry the shared identity registry
    /// @param calendar the business-day calendar maturities roll on
    /// @param currency_ the digital currency: always listed, and trusted to deliver exact amounts
    /// @param initialAdminDelay seconds a new admin must wait before accepting the role
    /// @param admin lists tokens and grants the agent and pauser roles
    constructor(
        IBillLedger ledger,
        IIdentityRegistry registry,
        IBusinessCalendar calendar,
        IERC20 currency_,
        uint48 initialAdminDelay,
        address admin
    ) EIP712("bill-dvp SettlementEngine", "1") AccessControlDefaultAdminRules(initialAdminDelay, admin) {
        if (address(ledger) == address(0)) revert TradeInvalidParty(address(ledger));
        if (address(registry) == address(0)) revert TradeInvalidParty(address(registry));
        if (address(calendar) == address(0)) revert TradeInvalidParty(address(calendar));
        if (address(currency_) == address(0)) revert TradeInvalidParty(address(currency_));
        _ledger = ledger;
        _registry = registry;
        _calendar = calendar;
        _currency = currency_;
    }

    // ---------------------------------------------------------------- two-phase

    /// @inheritdoc ISettlementEngine
    function propose(Terms calldata terms) external nonReentrant returns (bytes32 id) {
        _checkNotPaused();
        if (msg.sender != terms.maker) revert TradeInvalidParty(msg.sender);
        uint32 today = BillCalendar.dayOf(block.timestamp);
        if (terms.valueDay < today) revert TradeNotValueDay(terms.valueDay, today);
        _checkTerms(terms);
        id = _idOf(terms);
        _useNonce(terms.maker, terms.nonce);
        _trades[id].status = TradeStatus.Proposed;
        _lock(terms.makerLeg, terms.maker);
        emit TradeProposed(id, terms.maker, terms.taker, terms);
    }

    /// @inheritdoc ISettlementEngine
    function accept(Terms calldata terms) external nonReentrant {
        _accept(terms);
    }

    /// @inheritdoc ISettlementEngine
    function acceptBatch(Terms[] calldata terms) external nonReentrant {
        _checkBatchSize(terms.length);
        for (uint256 i = 0; i < terms.length; ++i) {
            _accept(terms[i]);
        }
    }

    /// @inheritdoc ISettlementEngine
    function reject(Terms calldata terms) external nonReentrant {
        bytes32 id = _proposed(terms);
        if (msg.sender != terms.taker) revert TradeNotEntitled(id, msg.sender);
        _end(id, terms, TradeStatus.Rejected);
    }

    /// @inheritdoc ISettlementEngine
    function withdraw(Terms calldata terms) external nonReentrant {
        bytes32 id = _proposed(terms);
        if (msg.sender != terms.maker) revert TradeNotEntitled(id, msg.sender);
        _end(id, terms, TradeStatus.Withdrawn);
    }

    /// @inheritdoc ISettlementEngine
    function clear(Terms calldata terms) external nonReentrant {
        bytes32 id = _proposed(terms);
        if (block.timestamp < terms.deadline) revert TradePending(terms.deadline);
        _end(id, terms, TradeStatus.Cleared);
    }

    /// @inheritdoc ISettlementEngine
    function reclaim(Terms calldata terms) external nonReentrant {
        TradeExits.reclaim(_trades, _escrowed, _exitContext(), _idOf(terms), terms);
    }

    // ---------------------------------------------------------------- signed orders

    /// @inheritdoc ISettlementEngine
    function settle(SignedOrder calldata order) external nonReentrant {
        _checkNotPaused();
        bool agent = msg.sender != order.terms.maker && msg.sender != order.terms.taker;
        if (agent) _checkRole(AGENT_ROLE);
        _settleSigned(order, new Flow[](0));
    }

    /// @inheritdoc ISettlementEngine
    function settleBatch(SignedOrder[] calldata orders) external nonReentrant {
        _checkNotPaused();
        _checkBatchSize(orders.length);
        bool agent = hasRole(AGENT_ROLE, msg.sender);
        Flow[] memory flows = new Flow[](orders.length * 2);
        for (uint256 i = 0; i < orders.length; ++i) {
            Terms calldata terms = orders[i].terms;
            if (!agent && msg.sender != terms.maker && msg.sender != terms.taker) _checkRole(AGENT_ROLE);
            _settleSigned(orders[i], flows);
        }
        // Every payer calls the token, so that the token's own checks (pause, freeze, KYC) apply to each of them: a
        // flow netted to zero still moves, and the other payer of a two-way flow moves nothing to the net payee.
        for (uint256 i = 0; i < flows.length && flows[i].token != address(0); ++i) {
            Flow memory flow = flows[i];
            _pay(flow.token, flow.from, flow.to, flow.amount);
            if (flow.twoWay) _pay(flow.token, flow.to, flow.from, 0);
        }
    }

    /// @inheritdoc ISettlementEngine
    function cancelNonce(uint256 nonce) external {
        _checkNotRegulator();
        _useNonce(msg.sender, nonce);
        emit NonceCancelled(msg.sender, nonce);
    }

    /// @inheritdoc ISettlementEngine
    function raiseNonceFloor(uint256 floor) external {
        _checkNotRegulator();
        if (floor <= _nonceFloors[msg.sender]) revert TradeNonceFloorNotRaised(floor);
        _nonceFloors[msg.sender] = floor;
        emit NonceFloorRaised(msg.sender, floor);
    }

    // ---------------------------------------------------------------- repos

    /// @inheritdoc ISettlementEngine
    function closeRepo(Terms calldata terms) external nonReentrant {
        TradeExits.closeRepo(_trades, _escrowed, _exitContext(), _idOf(terms), terms);
    }

    /// @inheritdoc ISettlementEngine
    function defaultRepo(Terms calldata terms) external nonReentrant {
        TradeExits.defaultRepo(_trades, _exitContext(), _idOf(terms), terms);
    }

    // ---------------------------------------------------------------- administration

    /// @inheritdoc ISettlementEngine
    function setListed(address token, bool listed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0) || token == address(_ledger) || token == address(_currency)) revert TradeInvalidLeg(0);
        _listed[token] = listed;
        emit TokenListed(token, listed);
    }

    /// @inheritdoc ISettlementEngine
    function pause() external onlyRole(PAUSER_ROLE) {
        _checkNotPaused();
        _paused = true;
        emit EnginePaused(msg.sender, true);
    }

    /// @inheritdoc ISettlementEngine
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_paused) revert TradeEngineNotPaused();
        _paused = false;
        emit EnginePaused(msg.sender, false);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISettlementEngine
    function tradeId(Terms calldata terms) external view returns (bytes32) {
        return _idOf(terms);
    }

    /// @inheritdoc ISettlementEngine
    function tradeOf(Terms calldata terms) external view returns (TradeStatus status, uint128 refundOwed) {
        TradeRecord storage record = _trades[_idOf(terms)];
        return (record.status, record.refundOwed);
    }

    /// @inheritdoc ISettlementEngine
    function discountProceeds(
        uint256 billId,
        uint48 units,
        uint32 rate,
        uint32 valueDay
    ) public view returns (uint256 proceeds, uint32 days_) {
        uint32 maturity = _calendar.rollForward(_ledger.maturityDayOf(billId));
        days_ = maturity > valueDay ? maturity - valueDay : 0;
        proceeds = TradePricing.discountProceeds(units, rate, days_);
    }

    /// @inheritdoc ISettlementEngine
    function repoRepayment(
        uint128 principal,
        uint32 rate,
        uint32 valueDay,
        uint32 endDay
    ) public pure returns (uint256) {
        return TradePricing.repoRepayment(principal, rate, endDay > valueDay ? endDay - valueDay : 0);
    }

    /// @inheritdoc ISettlementEngine
    function isNonceUsed(address signer, uint256 nonce) public view returns (bool) {
        return nonce < _nonceFloors[signer] || _nonceBits[signer][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @inheritdoc ISettlementEngine
    function nonceFloor(address signer) external view returns (uint256) {
        return _nonceFloors[signer];
    }

    /// @inheritdoc ISettlementEngine
    function isListed(address token) external view returns (bool) {
        return token == address(_currency) || _listed[token];
    }

    /// @inheritdoc ISettlementEngine
    function currency() external view returns (address) {
        return address(_currency);
    }

    /// @inheritdoc ISettlementEngine
    function escrowed(address token) external view returns (uint256) {
        return _escrowed[token];
    }

    /// @inheritdoc ISettlementEngine
    function paused() external view returns (bool) {
        return _paused;
    }

    // ---------------------------------------------------------------- internals

    function _accept(Terms calldata terms) private {
        _checkNotPaused();
        bytes32 id = _proposed(terms);
        if (msg.sender != terms.taker) revert TradeNotEntitled(id, msg.sender);
        _checkValueDay(terms.valueDay);
        _checkTerms(terms);
        _trades[id].status = _isRepo(terms.kind) ? TradeStatus.RepoOpen : TradeStatus.Settled;
        Flow[] memory direct = new Flow[](0);
        _deliver(terms, terms.makerLeg, terms.maker, terms.taker, true, direct);
        _deliver(terms, terms.takerLeg, terms.taker, terms.maker, false, direct);
        emit TradeSettled(id, terms.maker, terms.taker, terms.kind, false, terms);
    }

    /// @dev Settles one signed order: checks, spends the nonces, moves both legs (or, when `flows` has room, moves the
    /// bill legs and adds the token legs to `flows`).
    function _settleSigned(SignedOrder calldata order, Flow[] memory flows) private {
        Terms calldata terms = order.terms;
        _checkValueDay(terms.valueDay);
        _checkTerms(terms);
        bytes32 id = _idOf(terms);
        _useNonce(terms.maker, terms.nonce);
        if (msg.sender != terms.maker) _checkSignature(terms.maker, id, order.makerSignature);
        if (msg.sender != terms.taker) {
            _checkSignature(terms.taker, id, order.takerSignature);
            _useNonce(terms.taker, terms.nonce);
        }
        if (_isRepo(terms.kind)) _trades[id].status = TradeStatus.RepoOpen;
        _deliver(terms, terms.makerLeg, terms.maker, terms.taker, false, flows);
        _deliver(terms, terms.takerLeg, terms.taker, terms.maker, false, flows);
        emit TradeSettled(id, terms.maker, terms.taker, terms.kind, true, terms);
    }

    function _end(bytes32 id, Terms calldata terms, TradeStatus status) private {
        TradeExits.end(_trades, _escrowed, _ledger, id, terms, status);
    }

    /// @dev Locks the maker's leg of a proposal: a range escrowed in place, or tokens pulled into the engine.
    function _lock(Leg calldata leg, address maker) private {
        if (leg.asset == address(_ledger)) {
            _moveRange(leg, maker, IBillLedger.RangeState.Circulating, maker, IBillLedger.RangeState.Escrowed);
        } else {
            TradeExits.hold(_escrowed, leg.asset, maker, leg.amount);
        }
    }

    /// @dev Delivers `leg` from `from` to `to`. A range taken from escrow (`escrowed`) or from circulation goes to
    /// `to` — except in repos: a pledge repo pledges it in place, an outright repo escrows it with the lender until
    /// closing. Tokens come out of escrow, or from `from`'s allowance (or into `flows`, when it has room).
    function _deliver(
        Terms calldata terms,
        Leg calldata leg,
        address from,
        address to,
        bool escrowed_,
        Flow[] memory flows
    ) private {
        if (leg.asset == address(0)) return;
        if (leg.asset == address(_ledger)) {
            IBillLedger.RangeState state =
                escrowed_ ? IBillLedger.RangeState.Escrowed : IBillLedger.RangeState.Circulating;
            if (terms.kind == TradeKind.PledgeRepo) {
                _moveRange(leg, from, state, from, IBillLedger.RangeState.Pledged);
            } else if (terms.kind == TradeKind.OutrightRepo) {
                _moveRange(leg, from, state, to, IBillLedger.RangeState.Escrowed);
            } else {
                _moveRange(leg, from, state, to, IBillLedger.RangeState.Circulating);
            }
        } else if (escrowed_) {
            // The maker's money in escrow is still the maker's: a freeze of its account holds it here.
            if (leg.asset == address(_currency) && IDigitalCurrency(leg.asset).isAccountFrozen(from)) {
                revert IDigitalCurrency.CurrencyAccountFrozen(from);
            }
            _escrowed[leg.asset] -= leg.amount;
            _pay(leg.asset, address(this), to, leg.amount);
        } else if (flows.length != 0) {
            _addFlow(flows, leg.asset, from, to, leg.amount);
        } else {
            _pay(leg.asset, from, to, leg.amount);
        }
    }

    /// @dev Moves `amount` of `token` from `from` (the engine itself: out of escrow) to `to`. A foreign token must
    /// deliver exactly `amount` (no fee on transfer); the digital currency is trusted to.
    function _pay(address token, address from, address to, uint256 amount) private {
        bool exact = token == address(_currency);
        uint256 before = exact ? 0 : IERC20(token).balanceOf(to);
        if (from == address(this)) {
            IERC20(token).safeTransfer(to, amount);
        } else {
            IERC20(token).safeTransferFrom(from, to, amount);
        }
        if (exact) return;
        uint256 received = IERC20(token).balanceOf(to) - before;
        if (received != amount) revert TradeTokenShortfall(token, amount, received);
    }

    function _moveRange(
        Leg calldata leg,
        address holder,
        IBillLedger.RangeState state,
        address newHolder,
        IBillLedger.RangeState newState
    ) private {
        // Cannot truncate: `_checkLeg` bounds a bill leg's amount by a uint48.
        _ledger.tradeRange(leg.billId, leg.start, uint48(leg.amount), holder, state, newHolder, newState);
    }

    /// @dev Adds a token movement to the batch's flows, netting it against a movement between the same parties.
    function _addFlow(Flow[] memory flows, address token, address from, address to, uint256 amount) private pure {
        uint256 i = 0;
        for (; i < flows.length && flows[i].token != address(0); ++i) {
            Flow memory flow = flows[i];
            if (flow.token != token) continue;
            if (flow.from == from && flow.to == to) {
                flow.amount += amount;
                return;
            }
            if (flow.from == to && flow.to == from) {
                flow.twoWay = true;
                if (flow.amount >= amount) {
                    flow.amount -= amount;
                } else {
                    (flow.from, flow.to, flow.amount) = (from, to, amount - flow.amount);
                }
                return;
            }
        }
        flows[i] = Flow(token, from, to, amount, false);
    }

    /// @dev Everything but status, nonces and signatures: parties, legs, kinds, dates and price.
    function _checkTerms(Terms calldata terms) private view {
        if (block.timestamp >= terms.deadline) revert TradeExpired(terms.deadline);
        if (terms.maker == address(0)) revert TradeInvalidParty(terms.maker);
        if (terms.makerLeg.asset == address(0)) revert TradeInvalidLeg(0);
        if (terms.taker == address(0) || terms.taker == terms.maker) revert TradeInvalidParty(terms.taker);
        // The ledger's copies of the registry's standings: the same answer, and the ledger then reads them warm.
        (IIdentityRegistry.EntityKind makerKind, IIdentityRegistry.EntityKind takerKind, bool sameEntity) = _ledger
            .partiesIfVerified(terms.maker, terms.taker);
        if (makerKind == IIdentityRegistry.EntityKind.None) revert TradeUnverifiedParty(terms.maker);
        if (takerKind == IIdentityRegistry.EntityKind.None) revert TradeUnverifiedParty(terms.taker);
        // Two wallets of one entity are one party: no trade between them.
        if (sameEntity) revert TradeInvalidParty(terms.taker);
        bool makerBill = _checkLeg(terms.makerLeg, 0);
        bool takerBill = _checkLeg(terms.takerLeg, 1);
        TradeKind kind = terms.kind;
        if (kind == TradeKind.Swap) {
            if (terms.takerLeg.asset == address(0)) revert TradeInvalidLeg(1);
            _checkSwapParties(terms, makerKind, takerKind, makerBill || takerBill);
            _checkNoPricing(terms);
        } else if (kind == TradeKind.FreeOfPayment) {
            if (!makerBill) revert TradeInvalidLeg(0);
            if (terms.takerLeg.asset != address(0)) revert TradeInvalidLeg(1);
            _checkKind(terms.maker, makerKind, _institution());
            _checkKind(terms.taker, takerKind, _institution());
            _checkNoPricing(terms);
        } else if (kind != TradeKind.None) {
            // Every other kind is one bill leg against one token leg.
            if (makerBill == takerBill || terms.makerLeg.asset == address(0) || terms.takerLeg.asset == address(0)) {
                revert TradeInvalidLeg(makerBill ? 1 : 0);
            }
            (address seller, IIdentityRegistry.EntityKind sellerKind) = makerBill
                ? (terms.maker, makerKind)
                : (terms.taker, takerKind);
            (address buyer, IIdentityRegistry.EntityKind buyerKind) = makerBill
                ? (terms.taker, takerKind)
                : (terms.maker, makerKind);
            _checkKinds(kind, seller, sellerKind, buyer, buyerKind);
            _checkPrice(
                terms,
                makerBill ? terms.makerLeg : terms.takerLeg,
                makerBill ? terms.takerLeg : terms.makerLeg
            );
        } else {
            revert TradeInvalidTerms();
        }
    }

    /// @dev Swaps are open to enterprises and institutions; a bill moves only between two enterprises or two
    /// institutions (between an enterprise and an institution it changes hands by discount, at the formula's price).
    function _checkSwapParties(
        Terms calldata terms,
        IIdentityRegistry.EntityKind makerKind,
        IIdentityRegistry.EntityKind takerKind,
        bool withBill
    ) private pure {
        _checkKind(terms.maker, makerKind, _anyTrader());
        _checkKind(terms.taker, takerKind, _anyTrader());
        bool makerEnterprise = makerKind == IIdentityRegistry.EntityKind.Enterprise;
        if (withBill && makerEnterprise != (takerKind == IIdentityRegistry.EntityKind.Enterprise)) {
            (address party, IIdentityRegistry.EntityKind kind) = makerEnterprise
                ? (terms.taker, takerKind)
                : (terms.maker, makerKind);
            revert TradeWrongPartyKind(party, uint8(kind));
        }
    }

    /// @dev A bill leg: the ledger, a bill, a start and 1 to 2^48 − 1 units. A token leg: a listed token and an
    /// amount. An empty leg: all zero. Returns whether it is a bill leg.
    function _checkLeg(Leg calldata leg, uint8 index) private view returns (bool bill) {
        if (leg.asset == address(_ledger)) {
            if (leg.billId == 0 || leg.start == 0 || leg.amount == 0 || leg.amount > type(uint48).max) {
                revert TradeInvalidLeg(index);
            }
            return true;
        }
        if (leg.asset == address(0)) {
            if (leg.billId != 0 || leg.start != 0 || leg.amount != 0) revert TradeInvalidLeg(index);
            return false;
        }
        if (leg.asset != address(_currency) && !_listed[leg.asset]) revert TradeTokenNotListed(leg.asset);
        if (leg.billId != 0 || leg.start != 0 || leg.amount == 0) revert TradeInvalidLeg(index);
    }

    function _checkKinds(
        TradeKind kind,
        address seller,
        IIdentityRegistry.EntityKind sellerKind,
        address buyer,
        IIdentityRegistry.EntityKind buyerKind
    ) private pure {
        if (kind == TradeKind.Discount) {
            _checkKind(seller, sellerKind, _bit(IIdentityRegistry.EntityKind.Enterprise));
            _checkKind(buyer, buyerKind, _lender());
        } else if (kind == TradeKind.Rediscount) {
            _checkKind(seller, sellerKind, _lender());
            _checkKind(buyer, buyerKind, _lender());
        } else if (kind == TradeKind.CentralBankRediscount) {
            _checkKind(seller, sellerKind, _lender());
            _checkKind(buyer, buyerKind, _bit(IIdentityRegistry.EntityKind.CentralBank));
        } else {
            _checkKind(seller, sellerKind, _institution());
            _checkKind(buyer, buyerKind, _institution());
        }
    }

    /// @dev The token leg must carry exactly what the kind's formula gives; repo dates must fit the bill.
    function _checkPrice(Terms calldata terms, Leg calldata billLeg, Leg calldata cashLeg) private view {
        TradeKind kind = terms.kind;
        if (kind == TradeKind.OutrightSale) {
            _checkNoPricing(terms);
            return;
        }
        uint32 maturity = _ledger.maturityDayOf(billLeg.billId);
        if (kind == TradeKind.PledgeRepo || kind == TradeKind.OutrightRepo) {
            uint32 endDay = terms.endDay;
            if (endDay <= terms.valueDay || !_calendar.isBusinessDay(endDay)) revert TradeInvalidTerms();
            if (endDay >= maturity) revert TradeBillMatured(billLeg.billId, maturity);
            if (kind == TradeKind.OutrightRepo) {
                if (terms.rate != 0 || terms.closingAmount == 0) revert TradeInvalidTerms();
                return;
            }
            uint256 repayment = TradePricing.repoRepayment(cashLeg.amount, terms.rate, endDay - terms.valueDay);
            if (terms.closingAmount != repayment) revert TradePriceMismatch(repayment, terms.closingAmount);
            return;
        }
        if (terms.rate == 0 || terms.endDay != 0 || terms.closingAmount != 0) revert TradeInvalidTerms();
        if (maturity <= terms.valueDay) revert TradeBillMatured(billLeg.billId, maturity);
        uint256 days_ = _calendar.rollForward(maturity) - terms.valueDay;
        uint256 proceeds = TradePricing.discountProceeds(billLeg.amount, terms.rate, days_);
        if (cashLeg.amount != proceeds) revert TradePriceMismatch(proceeds, cashLeg.amount);
    }

    function _checkNoPricing(Terms calldata terms) private pure {
        if (terms.rate != 0 || terms.endDay != 0 || terms.closingAmount != 0) revert TradeInvalidTerms();
    }

    function _exitContext() private view returns (ExitContext memory) {
        return ExitContext(_ledger, _registry, address(_currency));
    }

    function _proposed(Terms calldata terms) private view returns (bytes32 id) {
        id = _idOf(terms);
        TradeStatus status = _trades[id].status;
        if (status != TradeStatus.Proposed) revert TradeWrongStatus(id, status, TradeStatus.Proposed);
    }

    function _useNonce(address signer, uint256 nonce) private {
        if (nonce < _nonceFloors[signer]) revert TradeNonceUsed(signer, nonce);
        mapping(uint256 => uint256) storage bits = _nonceBits[signer];
        uint256 bit = 1 << (nonce & 0xff);
        uint256 word = bits[nonce >> 8];
        if (word & bit != 0) revert TradeNonceUsed(signer, nonce);
        bits[nonce >> 8] = word | bit;
    }

    function _checkSignature(address signer, bytes32 id, bytes calldata signature) private view {
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, id, signature)) revert TradeInvalidSignature(signer);
    }

    function _checkValueDay(uint32 valueDay) private view {
        uint32 today = BillCalendar.dayOf(block.timestamp);
        if (valueDay != today) revert TradeNotValueDay(valueDay, today);
    }

    /// @dev The regulator signs no orders, so it has no nonces to cancel.
    function _checkNotRegulator() private view {
        (IIdentityRegistry.EntityKind kind, ) = _registry.kindsIfVerified(msg.sender, address(0));
        if (kind == IIdentityRegistry.EntityKind.Regulator) revert TradeRegulatorCaller(msg.sender);
    }

    function _checkNotPaused() private view {
        if (_paused) revert TradeEnginePaused();
    }

    function _checkBatchSize(uint256 length) private pure {
        if (length == 0 || length > MAX_BATCH) revert TradeInvalidBatch(MAX_BATCH);
    }

    /// @dev The trade id: the EIP-712 digest of the terms.
    function _idOf(Terms calldata terms) private view returns (bytes32) {
        return _hashTypedDataV4(_hashTerms(terms));
    }

    function _hashTerms(Terms calldata terms) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    _TERMS_TYPEHASH,
                    terms.kind,
                    terms.maker,
                    terms.taker,
                    _hashLeg(terms.makerLeg),
                    _hashLeg(terms.takerLeg),
                    terms.rate,
                    terms.valueDay,
                    terms.endDay,
                    terms.closingAmount,
                    terms.deadline,
                    terms.nonce,
                    terms.confidential
                )
            );
    }

    function _hashLeg(Leg calldata leg) private pure returns (bytes32) {
        return keccak256(abi.encode(_LEG_TYPEHASH, leg.asset, leg.billId, leg.start, leg.amount));
    }

    function _isRepo(TradeKind kind) private pure returns (bool) {
        return kind == TradeKind.PledgeRepo || kind == TradeKind.OutrightRepo;
    }

    /// @dev `kind` must be one of the kinds set in the bit mask `allowed`.
    function _checkKind(address party, IIdentityRegistry.EntityKind kind, uint256 allowed) private pure {
        if (allowed & _bit(kind) == 0) revert TradeWrongPartyKind(party, uint8(kind));
    }

    function _bit(IIdentityRegistry.EntityKind kind) private pure returns (uint256) {
        return 1 << uint8(kind);
    }

    /// @dev Banks and finance companies: the discounting, rediscounting and lending institutions.
    function _lender() private pure returns (uint256) {
        return _bit(IIdentityRegistry.EntityKind.Bank) | _bit(IIdentityRegistry.EntityKind.FinanceCompany);
    }

    function _institution() private pure returns (uint256) {
        return _lender() | _bit(IIdentityRegistry.EntityKind.CentralBank);
    }

    function _anyTrader() private pure returns (uint256) {
        return _institution() | _bit(IIdentityRegistry.EntityKind.Enterprise);
    }
}
