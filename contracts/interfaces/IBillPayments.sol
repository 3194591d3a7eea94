// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBillLedger} from "./IBillLedger.sol";

/// @title Payment of bills at maturity: presentation, payment or dishonour, and recourse
/// @notice From the maturity day the holder presents a range for payment; the acceptor either pays its face
/// amount in digital currency — the money moves and the range is redeemed in the same transaction (DvP) — or
/// dishonours it. After dishonour the holder claims the face amount plus interest from a party liable for the
/// range; that party pays and takes the range in the same transaction, and may claim in turn from parties
/// earlier in the chain. Payers approve this contract on the currency beforehand.
interface IBillPayments {
    /// @notice A presentment awaiting the acceptor's answer, or the record of a past one.
    /// @param answerBy after this time the holder may declare the range dishonoured
    /// @param late presented after the presentation period: recourse against earlier endorsers and guarantors
    /// is lost (the acceptor and the drawer stay liable)
    struct Presentment {
        uint40 presentedAt;
        uint40 answerBy;
        bool late;
    }

    /// @notice A recourse claim awaiting payment by `target`; the amount is computed when it is paid.
    /// @param newChain the chain commitment the range carries once `target` has paid: the parties before it
    struct Claim {
        address target;
        uint96 newChain;
    }

    /// @notice `caller` is not the party entitled to this act on the range.
    error PaymentNotEntitled(uint256 billId, uint48 start, address caller);
    /// @notice The bill matures on `maturityDay`; it cannot be presented before.
    error PaymentNotMatured(uint256 billId, uint32 maturityDay);
    /// @notice The acceptor may still answer until `answerBy`.
    error PaymentAnswerPending(uint256 billId, uint48 start, uint40 answerBy);
    /// @notice The range is in `state`; recourse needs a dishonoured range.
    error PaymentNotDishonoured(uint256 billId, uint48 start, IBillLedger.RangeState state);
    /// @notice A zero address was given.
    error PaymentZeroAddress();
    /// @notice The acceptor's reason code must be 1-254 (0 and 255 are the holder's declarations).
    error PaymentInvalidReason(uint8 reason);
    /// @notice `acceptor` is not flagged bankrupt: a bill is dishonoured before maturity only then.
    error PaymentAcceptorNotBankrupt(address acceptor);
    /// @notice The liability chain given does not match the range's commitment.
    error PaymentChainMismatch(uint256 billId, uint48 start);
    /// @notice `target` is not liable to the holder of the range.
    error PaymentNotLiable(uint256 billId, uint48 start, address target);
    /// @notice A recourse claim on the range is already pending.
    error PaymentClaimPending(uint256 billId, uint48 start);
    /// @notice No recourse claim on the range is pending.
    error PaymentNoClaim(uint256 billId, uint48 start);
    /// @notice `holder` is the acceptor's entity: it owes the bill itself and has recourse against nobody.
    error PaymentAcceptorHolds(uint256 billId, uint48 start, address holder);

    /// @notice `holder` presented the range for payment.
    event PresentedForPayment(
        uint256 indexed billId,
        uint48 start,
        address indexed holder,
        address indexed acceptor,
        uint40 answerBy,
        bool late
    );
    /// @notice `payer` paid `amount` to `holder` and the range was redeemed.
    event Paid(uint256 indexed billId, uint48 start, address indexed payer, address indexed holder, uint256 amount);
    /// @notice The range was dishonoured: by the acceptor with `reason` (1-254), by default after the answer window
    /// (0), or because the acceptor is bankrupt (255).
    event Dishonoured(uint256 indexed billId, uint48 start, address indexed by, uint8 reason);
    /// @notice `holder` claimed from `target`; `amount` is what paying now would cost.
    event RecourseClaimed(
        uint256 indexed billId,
        uint48 start,
        address indexed holder,
        address indexed target,
        uint256 amount
    );
    /// @notice `payer` paid the claim of `holder` and took the range.
    event RecoursePaid(
        uint256 indexed billId,
        uint48 start,
        address indexed payer,
        address indexed holder,
        uint256 amount
    );
    /// @notice The holder withdrew its pending claim.
    event RecourseWithdrawn(uint256 indexed billId, uint48 start, address indexed holder);

    /// @notice The holder presents its circulating range for payment, from the maturity day on. A holder of the
    /// acceptor's entity owes the bill itself: its presentment redeems the range at once (`Paid` with amount 0).
    function presentForPayment(uint256 billId, uint48 start) external;

    /// @notice The acceptor pays the face amount of a presented range to its holder; the range is redeemed.
    function pay(uint256 billId, uint48 start) external;

    /// @notice The acceptor refuses to pay a presented range, with a reason code (1-254).
    function dishonour(uint256 billId, uint48 start, uint8 reason) external;

    /// @notice The holder declares a presented range dishonoured once the acceptor's answer window has passed.
    function declareDishonoured(uint256 billId, uint48 start) external;

    /// @notice The holder of a circulating range whose acceptor is flagged bankrupt (see
    /// IBillLedger.setAcceptorBankrupt) treats it as dishonoured, before maturity if need be (reason 255). From
    /// the end of the presentation period the dishonour is late, as a late presentment is: recourse is kept
    /// only against the drawer and the acceptor.
    function dishonourForBankruptcy(uint256 billId, uint48 start) external;

    /// @notice The holder of a dishonoured range claims from `target`, a party liable for it; `links` is the
    /// range's liability chain (see IBillLedger.chainOf).
    function claimRecourse(uint256 billId, uint48 start, address target, IBillLedger.Link[] calldata links) external;

    /// @notice The target of the pending claim pays it and takes the range.
    function payRecourse(uint256 billId, uint48 start) external;

    /// @notice The holder withdraws its pending claim (to claim from another party).
    function withdrawClaim(uint256 billId, uint48 start) external;

    /// @notice The ledger this contract settles.
    function ledger() external view returns (IBillLedger);

    /// @notice The presentment of a range.
    function presentmentOf(uint256 billId, uint48 start) external view returns (Presentment memory);

    /// @notice The pending recourse claim on a range.
    function claimOf(uint256 billId, uint48 start) external view returns (Claim memory);

    /// @notice What recourse on `units` units of `billId` costs if paid at `timestamp`: the face amount plus
    /// interest at the ledger's recourse rate for the days from maturity, act/360, rounded up.
    function recourseAmount(uint256 billId, uint256 units, uint256 timestamp) external view returns (uint256);
}
