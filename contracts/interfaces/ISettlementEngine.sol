// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Atomic settlement of trades in bill ranges and listed tokens
/// @notice A trade has two legs: the maker delivers `makerLeg` to the taker, the taker delivers `takerLeg` to the
/// maker, in one transaction or not at all. A leg is a range of a bill (its asset is the bill ledger) or an amount
/// of an ERC-20 token the admin listed; a free-of-payment trade has an empty taker leg. Trades settle in three ways:
/// - two-phase: the maker proposes (its leg is locked: a bill range escrowed in place, or tokens pulled into the
///   engine), the taker accepts with the terms it read, or rejects; the maker may withdraw before the answer and
///   anyone may clear the trade after its deadline; every locked asset then goes back;
/// - signed orders (EIP-712): both parties sign the terms, and either party or a settlement agent submits them;
/// - batches of signed orders (token legs between the same two parties netted) or of proposals to accept.
/// A trade is identified by the EIP-712 digest of its terms, so an id binds every term, the chain and this engine.
/// The maker's nonce is spent by every trade (proposed or signed); a party's nonce is spent whenever its signature
/// is used. Priced kinds (discount, rediscount, central-bank rediscount, pledge repo) are checked against the
/// on-chain formulas of TradePricing: the terms must carry exactly the amount the formula gives.
interface ISettlementEngine {
    /// @notice What a trade is; it decides who may trade and how the price is checked.
    /// @dev `Swap`: any two legs between verified enterprises or institutions (DvP at a quoted price, PvP, bill
    /// against bill); a bill leg moves only between two enterprises or two institutions (between the two it is a
    /// discount).
    /// `FreeOfPayment`: a bill range only, money settled elsewhere. `Discount`: an enterprise sells a range to a
    /// bank or finance company. `Rediscount`: between banks and finance companies. `CentralBankRediscount`: a
    /// bank or finance company sells to the central bank. `OutrightSale`: between institutions at a quoted price.
    /// `PledgeRepo`, `OutrightRepo`: two legs, see `closeRepo`.
    enum TradeKind {
        None,
        Swap,
        FreeOfPayment,
        Discount,
        Rediscount,
        CentralBankRediscount,
        OutrightSale,
        PledgeRepo,
        OutrightRepo
    }

    /// @notice Where a trade stands. Signed trades that are not repos leave no record: they are settled when the
    /// maker's nonce is spent and `TradeSettled` was emitted.
    enum TradeStatus {
        None,
        Proposed,
        Settled,
        Rejected,
        Withdrawn,
        Cleared,
        RepoOpen,
        RepoClosed,
        RepoDefaulted,
        RepoTendered
    }

    /// @notice One side of a trade.
    /// @param asset the bill ledger for a bill range, else a listed ERC-20 token; zero for an empty leg
    /// @param billId the bill (0 for a token leg)
    /// @param start the range's first unit (0 for a token leg)
    /// @param amount units of the range, or token amount in its smallest unit
    struct Leg {
        address asset;
        uint256 billId;
        uint48 start;
        uint128 amount;
    }

    /// @notice Everything a trade does; its EIP-712 digest is the trade id.
    /// @param rate yearly rate in millionths (priced kinds); 0 otherwise
    /// @param valueDay the settlement date (CST day number): the trade settles on that day only
    /// @param endDay the repo's closing date (a business day); 0 for other kinds
    /// @param closingAmount what the borrower pays back at closing (repos); 0 for other kinds
    /// @param deadline the last moment (exclusive, unix seconds) the trade may settle; then it may be cleared
    /// @param nonce the maker's nonce (also the taker's, if the taker signs)
    /// @param confidential the commitment (keccak256(salt ‖ payload)) to the trade's sealed envelope of terms the
    /// chain does not enforce, posted on the envelope board; zero if there is none. Both parties sign it.
    struct Terms {
        TradeKind kind;
        address maker;
        address taker;
        Leg makerLeg;
        Leg takerLeg;
        uint32 rate;
        uint32 valueDay;
        uint32 endDay;
        uint128 closingAmount;
        uint40 deadline;
        uint256 nonce;
        bytes32 confidential;
    }

    /// @notice Terms with the parties' signatures; a party that submits the order itself need not sign.
    struct SignedOrder {
        Terms terms;
        bytes makerSignature;
        bytes takerSignature;
    }

    /// @notice `party` is the zero address, or maker and taker are the same.
    error TradeInvalidParty(address party);
    /// @notice `party` is not verified in the identity registry now.
    error TradeUnverifiedParty(address party);
    /// @notice `party`, of entity kind `kind`, may not take this side of this trade kind.
    error TradeWrongPartyKind(address party, uint8 kind);
    /// @notice The legs do not fit the trade kind, or a leg is malformed (`index` 0: maker's, 1: taker's); also
    /// given by `setListed` for the zero address, the ledger and the currency.
    error TradeInvalidLeg(uint8 index);
    /// @notice `token` is not listed for settlement.
    error TradeTokenNotListed(address token);
    /// @notice The terms carry `given` where the pricing formula gives `expected`.
    error TradePriceMismatch(uint256 expected, uint256 given);
    /// @notice The rate or the repo dates do not fit the trade kind.
    error TradeInvalidTerms();
    /// @notice The trade settles on `valueDay`; today is `today`.
    error TradeNotValueDay(uint32 valueDay, uint32 today);
    /// @notice The deadline `deadline` has passed (or, at proposal, is not in the future).
    error TradeExpired(uint40 deadline);
    /// @notice The trade may be cleared only from `deadline`.
    error TradePending(uint40 deadline);
    /// @notice The bill matured on `maturityDay` (or, for a repo, before its closing date).
    error TradeBillMatured(uint256 billId, uint32 maturityDay);
    /// @notice The trade is `status`; the act needs `expected`.
    error TradeWrongStatus(bytes32 tradeId, TradeStatus status, TradeStatus expected);
    /// @notice `caller` may not do this to the trade.
    error TradeNotEntitled(bytes32 tradeId, address caller);
    /// @notice The signature of `signer` is missing or invalid.
    error TradeInvalidSignature(address signer);
    /// @notice `signer`'s `nonce` is spent, cancelled or below its floor.
    error TradeNonceUsed(address signer, uint256 nonce);
    /// @notice The nonce floor can only go up.
    error TradeNonceFloorNotRaised(uint256 floor);
    /// @notice A batch must hold 1 to `max` trades.
    error TradeInvalidBatch(uint256 max);
    /// @notice A party received `received` of `token` where `expected` was due (a token taking a fee on transfer).
    error TradeTokenShortfall(address token, uint256 expected, uint256 received);
    /// @notice No refund of the trade is owed.
    error TradeNothingOwed(bytes32 tradeId);
    /// @notice The repo can be closed only before `closingDeadline`, and defaulted only from it.
    error TradeRepoClosing(uint256 closingDeadline);
    /// @notice The repo cannot be defaulted now: the currency or the ledger is paused, or its range is frozen.
    error TradeRepoBlocked(bytes32 tradeId);
    /// @notice A call the engine tolerates failing (returning a range, paying a refund) failed for want of gas: the
    /// transaction was sent with too little; send it with more.
    error TradeOutOfGas();
    /// @notice The engine is paused.
    error TradeEnginePaused();
    /// @notice The engine is not paused.
    error TradeEngineNotPaused();
    /// @notice `caller` is a regulator wallet, which signs no orders.
    error TradeRegulatorCaller(address caller);

    /// @notice The maker proposed a trade; its leg is locked.
    event TradeProposed(bytes32 indexed tradeId, address indexed maker, address indexed taker, Terms terms);
    /// @notice Both legs moved (the opening legs, for a repo). `signed`: settled from signed orders.
    event TradeSettled(
        bytes32 indexed tradeId,
        address indexed maker,
        address indexed taker,
        TradeKind kind,
        bool signed,
        Terms terms
    );
    /// @notice A proposal ended without settling (`status`: rejected, withdrawn or cleared) by `by`.
    event TradeEnded(bytes32 indexed tradeId, TradeStatus status, address indexed by);
    /// @notice A refund of `amount` of `token` to `to` failed (the token refused it); `reclaim` retries it. Also a
    /// closed repo's repayment its lender could not take.
    event RefundOwed(bytes32 indexed tradeId, address indexed to, address token, uint256 amount);
    /// @notice `to` took the refund (or repayment) of `amount` of `token` that was owed to it.
    event RefundReclaimed(bytes32 indexed tradeId, address indexed to, address token, uint256 amount);
    /// @notice The borrower tendered the repayment `amount`: the engine holds it, and the repo can no longer default.
    event RepoTendered(bytes32 indexed tradeId, address indexed borrower, uint256 amount);
    /// @notice The repo closed: the borrower paid `amount` and took its range back.
    event RepoClosed(bytes32 indexed tradeId, address indexed borrower, uint256 amount);
    /// @notice The borrower did not close the repo in time; the lender keeps the range.
    event RepoDefaulted(bytes32 indexed tradeId, address indexed lender);
    /// @notice `signer` cancelled its `nonce`.
    event NonceCancelled(address indexed signer, uint256 nonce);
    /// @notice Every nonce of `signer` below `floor` is void.
    event NonceFloorRaised(address indexed signer, uint256 floor);
    /// @notice The admin listed or delisted `token`.
    event TokenListed(address indexed token, bool listed);
    /// @notice `account` paused or unpaused the engine.
    event EnginePaused(address account, bool paused);

    /// @notice The maker proposes `terms`; its leg is locked until the trade settles or ends.
    function propose(Terms calldata terms) external returns (bytes32 tradeId);

    /// @notice The taker accepts the proposal with exactly `terms` (the id is their digest): both legs move.
    function accept(Terms calldata terms) external;

    /// @notice The taker accepts several proposals, all or none.
    function acceptBatch(Terms[] calldata terms) external;

    /// @notice The taker rejects the proposal; the maker's leg goes back.
    function reject(Terms calldata terms) external;

    /// @notice The maker withdraws its proposal before the answer; its leg goes back.
    function withdraw(Terms calldata terms) external;

    /// @notice Anyone clears a proposal out from its deadline; the maker's leg goes back.
    function clear(Terms calldata terms) external;

    /// @notice The maker takes a refund that failed when its proposal ended (e.g. its token refused it), or the
    /// lender of a closed repo the repayment it could not take (e.g. its KYC had lapsed).
    function reclaim(Terms calldata terms) external;

    /// @notice Settles a signed order. Callable by its maker, its taker, or a settlement agent.
    function settle(SignedOrder calldata order) external;

    /// @notice Settles signed orders all or none; token legs between the same two parties in the same token are
    /// netted into one transfer (of zero, if they cancel out: the token's own checks still apply). Callable by a
    /// settlement agent, or by a caller that is a party of every order.
    function settleBatch(SignedOrder[] calldata orders) external;

    /// @notice The borrower of an open repo tenders `closingAmount` before the end of `endDay` (or later, while its
    /// lender is not verified and so could not default): the engine takes it from the borrower and holds it, and
    /// the repo can no longer default (`RepoTendered`). In the same call the range goes back to the borrower and
    /// the repayment to the lender (`RepoClosed`); a repayment the lender cannot take is kept for its `reclaim`.
    /// If the ledger refuses the range's return (paused, range frozen, borrower not verified), the tender stands
    /// and the borrower or the lender calls again later to finish the close.
    function closeRepo(Terms calldata terms) external;

    /// @notice From the end of `endDay`, the lender of a repo neither closed nor tendered keeps the range. Refused
    /// while the digital currency (the repo's cash leg) or the ledger is paused or the range is frozen.
    function defaultRepo(Terms calldata terms) external;

    /// @notice Cancels the caller's `nonce`: no order of the caller with it will settle.
    function cancelNonce(uint256 nonce) external;

    /// @notice Voids every nonce of the caller below `floor`.
    function raiseNonceFloor(uint256 floor) external;

    /// @notice Lists or delists a token for settlement (the digital currency is always listed). Admin only.
    function setListed(address token, bool listed) external;

    /// @notice Stops proposals and settlements; ending trades, reclaiming and closing or defaulting repos stay
    /// possible. Pauser only.
    function pause() external;

    /// @notice Lets trades settle again. Pauser only.
    function unpause() external;

    /// @notice The id (EIP-712 digest) of `terms`.
    function tradeId(Terms calldata terms) external view returns (bytes32);

    /// @notice Where the trade with `terms` stands, and any refund owed to its maker.
    function tradeOf(Terms calldata terms) external view returns (TradeStatus status, uint128 refundOwed);

    /// @notice What a buyer pays for `units` units of `billId` discounted at `rate` on `valueDay`, and the day
    /// count (to the maturity rolled forward to a business day).
    function discountProceeds(
        uint256 billId,
        uint48 units,
        uint32 rate,
        uint32 valueDay
    ) external view returns (uint256 proceeds, uint32 days_);

    /// @notice What a pledge-repo borrower repays on `principal` at `rate` from `valueDay` to `endDay`.
    function repoRepayment(
        uint128 principal,
        uint32 rate,
        uint32 valueDay,
        uint32 endDay
    ) external pure returns (uint256);

    /// @notice Whether `signer`'s `nonce` can no longer be used.
    function isNonceUsed(address signer, uint256 nonce) external view returns (bool);

    /// @notice Nonces of `signer` below this are void.
    function nonceFloor(address signer) external view returns (uint256);

    /// @notice Whether `token` is listed.
    function isListed(address token) external view returns (bool);

    /// @notice The platform's digital currency.
    function currency() external view returns (address);

    /// @notice How much of `token` the engine holds for open proposals (and refunds owed).
    function escrowed(address token) external view returns (uint256);

    /// @notice Whether the engine is paused.
    function paused() external view returns (bool);
}
