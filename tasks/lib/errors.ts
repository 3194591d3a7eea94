import { ethers } from "ethers";
import { isConnectionError } from "./tx";

/** What each custom error means to the person who sent the act, in one line. */
const MEANINGS: Record<string, string> = {
  AccessControlUnauthorizedAccount: "the sender does not hold the role this act needs",
  AccessControlEnforcedDefaultAdminRules: "the admin role only changes hands through the two-step transfer",
  AccessControlEnforcedDefaultAdminDelay: "the admin transfer delay has not passed yet",
  CurrencyNotPaused: "the digital currency is not paused",
  ERC20InsufficientBalance: "the balance is too small for this amount",
  ERC20InsufficientAllowance: "the allowance is too small for this amount",
  ERC20InvalidReceiver: "the recipient address is not valid",
  ERC20InvalidSpender: "the spender address is not valid",
  ERC2612ExpiredSignature: "the permit has expired",
  ERC2612InvalidSigner: "the permit was not signed by the owner",
  IdentityZeroEntityId: "the entity id is empty",
  IdentityZeroAddress: "a wallet address is zero",
  IdentityInvalidKind: "that entity kind cannot be registered",
  IdentityEntityExists: "the entity is already verified (by this or another provider): rely on it, no second KYC",
  IdentityUnknownEntity: "no entity with this id is registered",
  IdentityUnknownWallet: "the wallet is not linked to any entity",
  IdentityWalletLinked: "the wallet already belongs to an entity or is a system account",
  IdentityExpiryNotInFuture: "the expiry must be later than now",
  IdentityNotEntityProvider: "only the KYC provider that verified the entity may do this",
  IdentitySelfVerification: "a KYC provider cannot verify its own wallet",
  IdentityWrongStatus: "the entity's current status does not allow this act",
  IdentityTooManyWallets: "the entity already has the most wallets allowed",
  IdentityNotAContract: "a system account must be a deployed contract",
  IdentityNotSystemAccount: "the address is not a registered system account",
  CurrencyUnverifiedAccount:
    "the account is not verified in the identity registry (unknown, expired, suspended or revoked)",
  CurrencyRegulatorAccount: "the regulator holds and moves no money",
  CurrencyAccountFrozen: "the account is frozen by order and cannot send",
  CurrencyInsufficientAvailableBalance: "part of the balance is frozen by order; only the available amount can move",
  CurrencyZeroAmount: "the amount must be greater than zero",
  CurrencyZeroAddress: "an address is zero",
  CurrencyAccountAlreadyFrozen: "the account is already frozen",
  CurrencyAccountNotFrozen: "the account is not frozen",
  CurrencyUnfreezeExceedsFrozen: "cannot release more than is frozen",
  CurrencySupplyCapExceeded: "the supply would exceed its cap",
  CurrencyFreezeCapExceeded: "the frozen amount would exceed its cap",
  CurrencyPaused: "the digital currency is paused: no money moves until it is unpaused",
  IdentitySubscriberUnauthorized: "only the identity registry may call this",
  IdentityAlreadySubscribed: "the contract already receives the registry's updates",
  IdentityNotSubscribed: "the contract does not receive the registry's updates",
  IdentityTooManySubscribers: "the registry already publishes to the most contracts allowed",
  BillUnverifiedParty: "a party is not verified in the identity registry (unknown, expired, suspended or revoked)",
  BillRegulatorParty: "the regulator holds no bills and answers no application",
  BillWrongPartyKind: "the party is not of the kind this role needs",
  BillInvalidParty: "the counterparty is missing or is the acting party itself",
  BillInvalidType: "choose a bill type: bank, finance company or commercial acceptance",
  BillZeroFace: "the face amount must be greater than zero",
  BillMaturityNotInFuture: "the maturity date must be after the issue date",
  BillTenorTooLong: "the maturity date is past the maximum tenor",
  BillUnknown: "no bill has this id",
  BillUnknownRange: "no range of this bill starts at that unit",
  BillNotEntitled: "the sender is not the party entitled to this act on the range",
  BillWrongState: "the range is not in the state this act needs",
  BillInvalidAmount: "the amount must be at least one unit and at most the holding",
  BillNotSplittable: "the bill was issued as not splittable: act on whole holdings only",
  BillNotTransferable: "the drawer marked the bill not transferable: it cannot be endorsed",
  BillMatured: "the bill has matured: this act is no longer allowed",
  BillApplicationExpired: "the application's answer deadline has passed",
  BillApplicationPending: "the application can be cleared out only after its deadline",
  BillApplicationChanged: "the application changed since you read it: read it again before signing",
  BillPaused: "the bill ledger is paused",
  BillInvalidSettings: "a setting is out of its allowed range",
  BillNotPaused: "the bill ledger is not paused",
  PaymentNotEntitled: "the sender is not the party entitled to this act on the range",
  PaymentNotMatured: "the bill has not matured: it can be presented from its maturity day",
  PaymentAnswerPending: "the acceptor may still answer: wait until the answer window has passed",
  PaymentChainMismatch: "the liability chain given does not match the range's record",
  PaymentNotLiable: "that party is not liable to the holder of this range",
  PaymentClaimPending: "a recourse claim on this range is already pending",
  PaymentNoClaim: "no recourse claim on this range is pending",
  PaymentNotDishonoured: "recourse needs a dishonoured range",
  PaymentZeroAddress: "an address is zero",
  PaymentInvalidReason: "the acceptor's reason code must be 1-254",
  PaymentAcceptorNotBankrupt: "the acceptor is not flagged bankrupt: wait for maturity and present the bill",
  TradeInvalidParty: "a party is missing, is the other party itself, or is not the one who may send this",
  TradeUnverifiedParty: "a party is not verified in the identity registry (unknown, expired, suspended or revoked)",
  TradeWrongPartyKind: "a party of this kind may not take this side of this trade kind",
  TradeInvalidLeg: "a leg does not fit the trade kind or is malformed (index 0: the maker's, 1: the taker's)",
  TradeTokenNotListed: "the token is not listed for settlement",
  TradePriceMismatch: "the cash amount is not what the pricing formula gives for these terms",
  TradeInvalidTerms: "the rate, the repo dates or the closing amount do not fit the trade kind",
  TradeNotValueDay: "the trade settles on its value date only",
  TradeExpired: "the trade's deadline has passed (or, at proposal, is not in the future)",
  TradePending: "the proposal can be cleared out only from its deadline",
  TradeBillMatured: "the bill matures too soon for this trade (on or before the value date, or the repo's end date)",
  TradeWrongStatus: "the trade is not in the status this act needs",
  TradeNotEntitled: "the sender is not the party entitled to this act on the trade",
  TradeInvalidSignature: "a party's signature is missing or does not sign these terms",
  TradeNonceUsed: "the nonce is spent, cancelled or below the signer's floor: this order can no longer settle",
  TradeNonceFloorNotRaised: "the nonce floor can only go up",
  TradeInvalidBatch: "a batch holds 1 to the most trades allowed",
  TradeTokenShortfall: "the engine received less of the token than the leg says (a fee-taking token)",
  TradeNothingOwed: "no refund of this trade is owed",
  TradeRepoClosing: "a repo closes only before the end of its end date, and defaults only from then",
  TradeRepoBlocked: "no default now: the currency or the ledger is paused, or the repo's range is frozen",
  TradeOutOfGas: "the transaction had too little gas for a step the engine may let fail: send it with more gas",
  SafeCastOverflowedUintDowncast: "a date or amount is past what the contract stores (a deadline after 2106)",
  TradeEnginePaused: "the settlement engine is paused: no trade is proposed or settled until it is unpaused",
  TradeEngineNotPaused: "the settlement engine is not paused",
  TradeRegulatorCaller: "the regulator trades nothing: it signs no orders and has no nonces",
  PricingRateTooHigh: "at this rate the interest would take the whole face",
  PricingNoDays: "no days to price: the value date is on or after the (rolled) maturity or the end date",
  CalendarNoBusinessDay: "no business day follows this day within the calendar's roll limit",
  CalendarInvalidDay: "the day is after the last bill date (9999-12-31)",
  BillCalendarDayOutOfRange: "the day is outside the bill dates (1970-01-01 to 9999-12-31)",
  BillCalendarTimestampOutOfRange: "the time is after the last bill date (9999-12-31)",
  SafeERC20FailedOperation: "the token refused the transfer",
  KeysUnverifiedWallet: "the wallet is not verified in the identity registry: it cannot publish a key",
  KeysInvalidPublicKey: "the key must be a compressed secp256k1 public key (33 bytes, starting 0x02 or 0x03)",
  KeysNotATrader: "a regulator or system account publishes no entity key (the regulator rotates its view key)",
  KeysNoEntityKey: "the entity has published no envelope key (npx hardhat keys publish)",
  KeysNoWalletKey: "the wallet's entity has published no envelope key (npx hardhat keys publish)",
  KeysUnknownViewKey: "the regulator has published no view key of this version (npx hardhat regulator rotate-key)",
  EnvelopeInvalidPoster: "only a verified trader posts envelopes (not the regulator, a system account or a stranger)",
  EnvelopeZeroCommitment: "the envelope's commitment is zero",
  EnvelopeInvalidLength: "the envelope is empty or longer than the board takes: shorten the confidential terms",
};

/** Enum arguments shown by name: error name → argument name → the enum's names in order. */
const RANGE_STATES = [
  "None",
  "Issued",
  "Accepted",
  "Circulating",
  "Locked",
  "Pledged",
  "Frozen",
  "Presented",
  "Dishonoured",
  "Redeemed",
  "Escrowed",
];
const ENTITY_KINDS = ["None", "Enterprise", "Bank", "FinanceCompany", "CentralBank", "Regulator", "System"];
const TRADE_STATUSES = [
  "None",
  "Proposed",
  "Settled",
  "Rejected",
  "Withdrawn",
  "Cleared",
  "RepoOpen",
  "RepoClosed",
  "RepoDefaulted",
  "RepoTendered",
];
const ENUM_ARGS: Record<string, Record<string, string[]>> = {
  BillWrongState: { state: RANGE_STATES, expected: RANGE_STATES },
  BillWrongPartyKind: { expected: ENTITY_KINDS },
  IdentityInvalidKind: { kind: ENTITY_KINDS },
  IdentityWrongStatus: { status: ["None", "Active", "Suspended", "Revoked"] },
  TradeWrongStatus: { status: TRADE_STATUSES, expected: TRADE_STATUSES },
  TradeWrongPartyKind: { kind: ENTITY_KINDS },
};

/** Finds the revert data of a failed call in the error shapes of ethers and of Hardhat's providers. */
function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || error === null || typeof error !== "object") return undefined;
  const record = error as Record<string, unknown>;
  const data = record.data;
  if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) return data;
  for (const key of ["data", "error", "info", "cause"]) {
    const found = findRevertData(record[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

function formatArg(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  return String(value);
}

export interface DecodedError {
  name: string;
  args: Record<string, string>;
  meaning: string;
}

/** Decodes a custom error from any platform contract, given the contracts' interfaces. */
export function decodeError(error: unknown, interfaces: ethers.Interface[]): DecodedError | undefined {
  const data = findRevertData(error);
  if (!data) return undefined;
  for (const iface of interfaces) {
    const parsed = iface.parseError(data);
    if (!parsed) continue;
    const args: Record<string, string> = {};
    parsed.fragment.inputs.forEach((input, i) => {
      const names = ENUM_ARGS[parsed.name]?.[input.name];
      const value = parsed.args[i];
      args[input.name || `arg${i}`] = names ? (names[Number(value)] ?? String(value)) : formatArg(value);
    });
    return { name: parsed.name, args, meaning: MEANINGS[parsed.name] ?? "the contract refused the act" };
  }
  return undefined;
}

/**
 * What `read` returns, or undefined if the contract refuses it with one of the custom errors `names` (decoded from
 * the revert data wherever the provider puts it); any other failure is thrown on.
 */
export async function unlessRefused<T>(
  read: Promise<T>,
  iface: ethers.Interface,
  ...names: string[]
): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (!names.includes(decodeError(error, [iface])?.name ?? "")) throw error;
    return undefined;
  }
}

/** The network a command ran on, as Hardhat describes it (`hre.network`). */
export interface NetworkInfo {
  name: string;
  config: { url?: string } | object;
}

/** The environment variable that moves `localhost` to another URL (see hardhat.config.ts). */
const LOCALHOST_URL_ENV = "BILL_DVP_LOCALHOST_URL";

/** One line for a node that did not answer: which node, at which URL, and how to start it or point elsewhere. */
export function unreachableLine(network: NetworkInfo): string {
  const url = "url" in network.config ? network.config.url : undefined;
  const where = `the node of --network ${network.name}${url ? ` at ${url}` : ""}`;
  const fix =
    network.name === "localhost"
      ? `start one (npx hardhat node) or set ${LOCALHOST_URL_ENV} to its URL`
      : "check that it is running and that the network's url in hardhat.config.ts is right";
  return `cannot reach ${where}: ${fix}`;
}

/**
 * One line for a person: the decoded custom error and what it means, a node that did not answer (given the
 * network), or the error's own short message.
 */
export function describeError(error: unknown, interfaces: ethers.Interface[], network?: NetworkInfo): string {
  if (network !== undefined && isConnectionError(error)) return unreachableLine(network);
  const decoded = decodeError(error, interfaces);
  if (decoded) {
    const args = Object.entries(decoded.args)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    return `${decoded.name}(${args}): ${decoded.meaning}`;
  }
  const record = (error ?? {}) as { shortMessage?: string; message?: string };
  return (record.shortMessage ?? record.message ?? String(error)).split("\n")[0];
}
