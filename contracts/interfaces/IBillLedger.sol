// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IIdentitySubscriber} from "./IIdentitySubscriber.sol";

/// @title Ledger of tokenized commercial bills, divisible into sub-bill ranges
/// @notice One contract holds every bill. A bill of face F (in fen) has units 1..F; a holding is a contiguous
/// range [start, end] with one holder and one state. Every act is two-phase where the rules say so: the applicant
/// applies (the range is locked), the counterparty signs or rejects, the applicant may withdraw before the answer,
/// and anyone may clear an application out after its deadline. Acting on part of a holding splits it; the part
/// acted on keeps the holding's start, the rest becomes a new range. Ranges are never merged back.
/// @dev Dates are calendar days in China Standard Time (see BillCalendar). A range is addressed by its bill id
/// and its first unit. Every record is public, as storage and events are to every node.
interface IBillLedger is IIdentitySubscriber {
    /// @notice Who promises to pay: a bank, a finance company or an enterprise.
    enum BillType {
        None,
        BankAcceptance,
        FinanceCompanyAcceptance,
        CommercialAcceptance
    }

    /// @notice Where a range stands.
    /// @dev `Issued`: held by the drawer, not yet accepted. `Accepted`: accepted, not yet delivered to the payee.
    /// `Circulating`: its holder may act on it. `Locked`: an application is pending. `Pledged`: pledged to a
    /// creditor. `Frozen`: frozen by order. `Presented`, `Dishonoured`, `Redeemed`: payment at maturity.
    /// `Escrowed`: held in place by a settlement operator for a pending trade or an open outright repo.
    enum RangeState {
        None,
        Issued,
        Accepted,
        Circulating,
        Locked,
        Pledged,
        Frozen,
        Presented,
        Dishonoured,
        Redeemed,
        Escrowed
    }

    /// @notice The two-phase acts.
    enum Act {
        None,
        Acceptance,
        Receipt,
        Endorsement,
        Pledge,
        Guarantee
    }

    /// @notice What an entry of a range's liability chain records.
    enum LinkKind {
        None,
        Endorsement,
        Guarantee
    }

    /// @notice The terms a drawer fixes at issue.
    /// @param billType who accepts: bank, finance company or enterprise
    /// @param acceptor the party that promises to pay at maturity; its kind must match `billType`
    /// @param payee the first holder after the drawer
    /// @param face the face amount in fen; the bill has units 1..face
    /// @param maturityDay the maturity date (CST day number)
    /// @param tradeHash hash of the underlying trade background (contract, invoice)
    /// @param notTransferable the drawer's mark: no endorsement at all
    /// @param splittable whether an act may take part of a holding
    struct IssueParams {
        BillType billType;
        address acceptor;
        address payee;
        uint48 face;
        uint32 maturityDay;
        bytes32 tradeHash;
        bool notTransferable;
        bool splittable;
    }

    /// @notice A bill's terms as fixed at issue.
    struct Bill {
        BillType billType;
        address drawer;
        address acceptor;
        address payee;
        uint48 face;
        uint32 issueDay;
        uint32 maturityDay;
        bytes32 tradeHash;
        bool notTransferable;
        bool splittable;
    }

    /// @notice A holding and, while an application is pending or a pledge stands, its counterparty.
    /// @param priorState the state a pending act or a freeze returns the range to
    /// @param pendingAct the act awaiting an answer, if `state` is `Locked`
    /// @param noRecourse the applicant's not-transferable mark on a pending endorsement
    /// @param deadline when a pending application may be cleared out (unix seconds)
    /// @param counterparty who must answer the pending act, or the creditor of a pledge
    /// @param chain a commitment to the range's liability chain (see `chainOf`)
    struct Range {
        uint256 billId;
        uint48 start;
        uint48 end;
        address holder;
        RangeState state;
        RangeState priorState;
        Act pendingAct;
        bool noRecourse;
        uint40 deadline;
        address counterparty;
        uint96 chain;
    }

    /// @notice An entry of a liability chain, rebuilt off chain from `Endorsed` and `Guaranteed` events.
    struct Link {
        LinkKind kind;
        address party;
        bool noRecourse;
    }

    /// @notice Platform-wide rules that the admin may change.
    /// @param maxTenorMonths longest time from issue to maturity
    /// @param presentationDays days from maturity within which a holder presents for payment
    /// @param answerWindow seconds a counterparty has to answer an application (or the acceptor a presentment)
    /// @param recourseRateBps yearly interest on a recourse claim, in basis points, counted act/360 from maturity
    struct Settings {
        uint8 maxTenorMonths;
        uint16 presentationDays;
        uint32 answerWindow;
        uint16 recourseRateBps;
    }

    /// @notice `account` is not verified in the identity registry now.
    error BillUnverifiedParty(address account);
    /// @notice `account` is a regulator wallet, which holds no bills and answers no application.
    error BillRegulatorParty(address account);
    /// @notice `account` is not of the kind this role needs (`expected`).
    error BillWrongPartyKind(address account, uint8 expected);
    /// @notice A zero address or an address equal to the acting party was given as `party`.
    error BillInvalidParty(address party);
    /// @notice The bill type is `None`.
    error BillInvalidType();
    /// @notice The face amount is zero.
    error BillZeroFace();
    /// @notice The maturity day is not after the issue day.
    error BillMaturityNotInFuture(uint32 maturityDay, uint32 today);
    /// @notice The maturity day is past the tenor cap `latestDay`.
    error BillTenorTooLong(uint32 maturityDay, uint32 latestDay);
    /// @notice No bill has this id.
    error BillUnknown(uint256 billId);
    /// @notice No range of `billId` starts at `start`.
    error BillUnknownRange(uint256 billId, uint48 start);
    /// @notice `caller` is not the party entitled to this act on the range.
    error BillNotEntitled(uint256 billId, uint48 start, address caller);
    /// @notice The range is in `state`; the act needs `expected`.
    error BillWrongState(uint256 billId, uint48 start, RangeState state, RangeState expected);
    /// @notice `amount` units cannot be taken from the holding [start, end].
    error BillInvalidAmount(uint256 billId, uint48 start, uint48 end, uint48 amount);
    /// @notice The act must take the whole holding: the bill was issued as not splittable, or the range is in a
    /// state that moves as a whole (issued, accepted, presented, dishonoured).
    error BillNotSplittable(uint256 billId);
    /// @notice The drawer marked the bill not transferable: no endorsement, no pledge.
    error BillNotTransferable(uint256 billId);
    /// @notice The bill matured on `maturityDay`; the act is refused from that day.
    error BillMatured(uint256 billId, uint32 maturityDay);
    /// @notice The application's answer deadline passed at `deadline`.
    error BillApplicationExpired(uint256 billId, uint48 start, uint40 deadline);
    /// @notice The pending application is not the one the counterparty committed to.
    error BillApplicationChanged(uint256 billId, uint48 start);
    /// @notice The application can be cleared out only from `deadline`.
    error BillApplicationPending(uint256 billId, uint48 start, uint40 deadline);
    /// @notice The ledger is paused.
    error BillPaused();
    /// @notice The ledger is not paused.
    error BillNotPaused();
    /// @notice A setting is out of its range.
    error BillInvalidSettings();

    /// @notice A bill was issued; its whole range [1, face] is held by the drawer in state `Issued`.
    event BillIssued(
        uint256 indexed billId,
        address indexed drawer,
        address indexed acceptor,
        address payee,
        BillType billType,
        uint48 face,
        uint32 issueDay,
        uint32 maturityDay,
        bytes32 tradeHash,
        bool notTransferable,
        bool splittable
    );
    /// @notice The range starting at `start` was split: [start, at − 1] keeps the key, [at, …] is new.
    event RangeSplit(uint256 indexed billId, uint48 start, uint48 at);
    /// @notice The range [start, end] now has `holder` and `state` (emitted on every change of either).
    event RangeUpdated(
        uint256 indexed billId,
        uint48 start,
        uint48 end,
        address indexed holder,
        RangeState state,
        uint96 chain
    );
    /// @notice `applicant` applied for `act` on [start, end]; `counterparty` answers by `deadline`.
    event ApplicationMade(
        uint256 indexed billId,
        uint48 start,
        uint48 end,
        Act act,
        address indexed applicant,
        address indexed counterparty,
        uint40 deadline,
        bool noRecourse
    );
    /// @notice The pending `act` on the range ended: `signed`, or not (rejected, withdrawn, cleared) by `by`.
    event ApplicationAnswered(uint256 indexed billId, uint48 start, Act act, bool signed, address indexed by);
    /// @notice `endorser` endorsed the range to `endorsee`; with `noRecourse` later holders have no recourse
    /// against it.
    event Endorsed(
        uint256 indexed billId,
        uint48 start,
        address indexed endorser,
        address indexed endorsee,
        bool noRecourse
    );
    /// @notice `guarantor` joined the liable parties of the range.
    event Guaranteed(uint256 indexed billId, uint48 start, address indexed guarantor);
    /// @notice `account` stopped every act.
    event Paused(address account);
    /// @notice `account` let acts happen again.
    event Unpaused(address account);
    /// @notice The admin flagged `acceptor` bankrupt (or lifted the flag): its bills may be dishonoured before
    /// maturity.
    event AcceptorBankruptcySet(address indexed acceptor, bool bankrupt);
    /// @notice The settings changed.
    event SettingsChanged(uint8 maxTenorMonths, uint16 presentationDays, uint32 answerWindow, uint16 recourseRateBps);

    /// @notice Draws a bill; the caller is the drawer, today is the issue day.
    function issue(IssueParams calldata params) external returns (uint256 billId);

    /// @notice The drawer presents its issued bill to the acceptor for acceptance.
    function presentForAcceptance(uint256 billId) external;

    /// @notice The drawer presents its accepted bill to the payee for receipt.
    function presentForReceipt(uint256 billId) external;

    /// @notice The holder applies to endorse the first `amount` units of its holding at `start` to `endorsee`.
    function endorse(uint256 billId, uint48 start, uint48 amount, address endorsee, bool noRecourse) external;

    /// @notice The holder applies to pledge the first `amount` units of its holding at `start` to `creditor`.
    function pledge(uint256 billId, uint48 start, uint48 amount, address creditor) external;

    /// @notice The holder asks `guarantor` to guarantee the first `amount` units of its holding at `start`.
    function requestGuarantee(uint256 billId, uint48 start, uint48 amount, address guarantor) external;

    /// @notice The counterparty of the pending application on the range signs it, committing to the terms it saw
    /// (`applicationTerms`): an application withdrawn and made again with other terms is not signed by mistake.
    function sign(uint256 billId, uint48 start, bytes32 expectedTerms) external;

    /// @notice The counterparty of the pending application on the range rejects it.
    function reject(uint256 billId, uint48 start) external;

    /// @notice The applicant withdraws its pending application before the answer.
    function withdraw(uint256 billId, uint48 start) external;

    /// @notice Anyone clears out an application left unanswered past its deadline.
    function clear(uint256 billId, uint48 start) external;

    /// @notice The creditor releases its pledge.
    function releasePledge(uint256 billId, uint48 start) external;

    /// @notice Freezes the first `amount` units of the range at `start` by judicial order (a pending application
    /// on it is cancelled). Only a circulating range, or one pledged to a creditor that is not a settlement
    /// operator, can be frozen in part. Regulator only.
    function freeze(uint256 billId, uint48 start, uint48 amount) external;

    /// @notice Lifts the freeze of a range. Regulator only.
    function unfreeze(uint256 billId, uint48 start) external;

    /// @notice Stops every act that issues, applies, signs or settles. Ending an application (reject, withdraw,
    /// clear) and releasing a pledge stay possible, so that nothing is left locked by a pause. Pauser only.
    function pause() external;

    /// @notice Lets acts happen again. Pauser only.
    function unpause() external;

    /// @notice Changes the platform rules. Admin only.
    function setSettings(Settings calldata settings) external;

    /// @notice Flags `acceptor` bankrupt (by court ruling), or lifts the flag. Admin only.
    function setAcceptorBankrupt(address acceptor, bool bankrupt) external;

    /// @notice Whether `acceptor` is flagged bankrupt.
    function isAcceptorBankrupt(address acceptor) external view returns (bool);

    /// @notice For a platform contract that settles bills (payment at maturity, recourse, later DvP): checks that
    /// the range at `start` has `holder` and `state`, then gives it `newHolder`, `newState` and `newChain`. A new
    /// holder must be verified. Operator only.
    function settleRange(
        uint256 billId,
        uint48 start,
        address holder,
        RangeState state,
        address newHolder,
        RangeState newState,
        uint96 newChain
    ) external;

    /// @notice For a settlement engine: checks that the range at `start` has `holder` and `state`, takes its first
    /// `amount` units (splitting a splittable circulating holding) and gives them `newHolder` and `newState`. A new
    /// holder takes the range by endorsement from `holder` (a chain link, `Endorsed`) and must be verified. In
    /// `Escrowed` and `Pledged` the operator is the range's counterparty. Apart from releases and moves out of
    /// `Pledged` (a pledge realised), trades are refused from the bill's maturity day. A bill the drawer marked not
    /// transferable never changes holder and is never pledged here (`BillNotTransferable`), as by `endorse` and
    /// `pledge`. Releasing a range (same holder, back to `Circulating`) also works while the ledger is paused, and on
    /// a range frozen since it was in `state`: the freeze stays and only its prior state becomes `Circulating`.
    /// Operator only.
    function tradeRange(
        uint256 billId,
        uint48 start,
        uint48 amount,
        address holder,
        RangeState state,
        address newHolder,
        RangeState newState
    ) external;

    /// @notice The terms of `billId`; reverts `BillUnknown` for an id never issued.
    function bill(uint256 billId) external view returns (Bill memory);

    /// @notice The acceptor and the maturity day of `billId`, what paying it needs: two storage reads where `bill`
    /// takes four. Reverts `BillUnknown` for an id never issued.
    function maturityTerms(uint256 billId) external view returns (address acceptor, uint32 maturityDay);

    /// @notice The maturity day of `billId`, what pricing it needs: one storage read. Reverts `BillUnknown` for an
    /// id never issued.
    function maturityDayOf(uint256 billId) external view returns (uint32);

    /// @notice How many bills were issued (ids run from 1).
    function billCount() external view returns (uint256);

    /// @notice The range of `billId` starting at `start`.
    function rangeAt(uint256 billId, uint48 start) external view returns (Range memory);

    /// @notice Up to `limit` ranges of `billId` in unit order, from the range starting at `fromStart`
    /// (1 for the first); `next` is where the next page starts (`fromStart` itself if `limit` is 0), 0 at the end.
    function rangesOfBill(
        uint256 billId,
        uint48 fromStart,
        uint256 limit
    ) external view returns (Range[] memory page, uint48 next);

    /// @notice The ranges held by `holder` among the next `maxRanges` ranges of the ledger, in bill and unit
    /// order from `cursor` (0 for the first page; else `billId << 48 | start` of a range, as returned in
    /// `nextCursor`, which is 0 at the end). Each page reads at most `maxRanges` ranges, so its cost is bounded
    /// however the bills are split. Redeemed ranges are not listed.
    function rangesOf(
        address holder,
        uint256 cursor,
        uint256 maxRanges
    ) external view returns (Range[] memory page, uint256 nextCursor);

    /// @notice The commitment to the liability chain `links` of a range of `billId`, starting from issue.
    function chainOf(uint256 billId, Link[] calldata links) external pure returns (uint96);

    /// @notice The hash of the pending application on the range (act, part, applicant, counterparty, mark,
    /// deadline) that `sign` must be given; zero if nothing is pending.
    function applicationTerms(uint256 billId, uint48 start) external view returns (bytes32);

    /// @notice The platform rules in force.
    function settings() external view returns (Settings memory);
}
