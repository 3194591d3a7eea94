/*
 * The regulator's powers, platform-wide, by line of the shared SECURITY-CHECKLIST.md.
 *
 * Covered here:
 *  4. Each role's admin is what the design says: on every AccessControl contract of the platform (registry,
 *     currency, ledger, engine, calendar, encryption keys) every role `*_ROLE` is administered by
 *     DEFAULT_ADMIN_ROLE. The regulator holds REGULATOR_ROLE where the contract has one and no other role, and it
 *     cannot grant itself or anyone any role: grantRole, revokeRole and beginDefaultAdminTransfer from the
 *     regulator revert with AccessControlUnauthorizedAccount(regulator, DEFAULT_ADMIN_ROLE) (grantRole and
 *     revokeRole of DEFAULT_ADMIN_ROLE itself with AccessControlEnforcedDefaultAdminRules, for anyone); no role
 *     changes. BillPayments and EnvelopeBoard hold no roles at all.
 *  5. Every state-changing function of every platform contract (registry, currency, ledger, payments, engine,
 *     calendar, encryption keys, envelope board) reverts when the regulator calls it, except its own acts: the
 *     ledger's freeze and unfreeze, the currency's freezeAccount, unfreezeAccount, freezeAmount and
 *     unfreezeAmount, and EncryptionKeys.rotateViewKey. The list is built from the ABIs: every non-view,
 *     non-pure function of each contract is called by the regulator (eth_call, so no attempt changes the scene)
 *     with arguments a real party could use where that is practical (the regulator issuing a valid bill gets
 *     BillRegulatorParty, transferring money CurrencyRegulatorAccount, posting an envelope EnvelopeInvalidPoster,
 *     trading TradeWrongPartyKind(regulator, 5)), zero-valued arguments otherwise. Each outcome is compared with a
 *     table that names the error of every function, so a function added later fails the test until it is
 *     classified, and the functions that did not revert must be exactly the regulator's own acts plus the calls
 *     that are no power (below). Then the own acts are sent for real and succeed.
 *
 * Calls that succeed for the regulator without being a power (classified as such, as in bill-access.test.ts and
 * dvp-access.test.ts): renounceRole of its own role on any AccessControl contract (it can only give power up;
 * where it holds no role it is a no-op). The engine's cancelNonce and raiseNonceFloor refuse the regulator
 * (TradeRegulatorCaller): it signs no orders, so it has no nonces to spend. `clear` of the ledger and of the engine
 * is open to anyone once an application or proposal is past its deadline (it only ends it, giving the maker or
 * holder its own back); the sweep calls it before the deadline, where it reverts for everyone.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  ethers,
  Interface,
  type AddressLike,
  type BaseContract,
  type ContractTransactionResponse,
  type FunctionFragment,
  type ParamType,
  type Signer,
} from "ethers";
import { signPermit } from "../behaviors/kycGated";
import { inCase } from "../behaviors/accessTable";
import { CODES, ONE_YEAR, entityIdOf } from "../fixtures/platform";
import { chainDay, signedBy, termsOf, tradingPlatform, FACE } from "../fixtures/dvp";
import { BillType, RangeState, issueBill, mined, sign, endorse, pledge } from "../../tasks/lib/bills";
import { TradeKind, freshNonce, tokenLeg } from "../../tasks/lib/dvp";
import { EntityKind, EntityStatus, jurisdictionToBytes32 } from "../../tasks/lib/identity";
import { encodeEnvelope, newEncryptionKey, sealEnvelope } from "../../tasks/lib/envelope";
import { decodeError } from "../../tasks/lib/errors";

const PART = 1_000_000n;
const REGULATOR_KIND = 5;
const FROZEN_AMOUNT = 500n;

/** The regulator's own acts: the only state changes it may make. */
const OWN_ACTS = [
  "BillLedger.freeze",
  "BillLedger.unfreeze",
  "DigitalCurrency.freezeAccount",
  "DigitalCurrency.unfreezeAccount",
  "DigitalCurrency.freezeAmount",
  "DigitalCurrency.unfreezeAmount",
  "EncryptionKeys.rotateViewKey",
];

/** Calls that succeed for the regulator but are no power (see the header). */
const NO_POWER = [
  "IdentityRegistry.renounceRole",
  "DigitalCurrency.renounceRole",
  "BillLedger.renounceRole",
  "SettlementEngine.renounceRole",
  "BusinessCalendar.renounceRole",
  "EncryptionKeys.renounceRole",
];

/**
 * What each state-changing function does when the regulator calls it (with the sweep's arguments): the error's
 * name, followed by "(regulator)" where the error's arguments name the regulator; "OK" if it does not revert.
 */
const EXPECTED: Record<string, Record<string, string>> = {
  IdentityRegistry: {
    ...accessControlExpected("AccessControlUnauthorizedAccount(regulator)"),
    registerEntity: "AccessControlUnauthorizedAccount(regulator)",
    renewEntity: "AccessControlUnauthorizedAccount(regulator)",
    suspendEntity: "AccessControlUnauthorizedAccount(regulator)",
    reinstateEntity: "AccessControlUnauthorizedAccount(regulator)",
    revokeEntity: "AccessControlUnauthorizedAccount(regulator)",
    linkWallet: "AccessControlUnauthorizedAccount(regulator)",
    unlinkWallet: "AccessControlUnauthorizedAccount(regulator)",
    registerSystemAccount: "AccessControlUnauthorizedAccount(regulator)",
    removeSystemAccount: "AccessControlUnauthorizedAccount(regulator)",
    addSubscriber: "AccessControlUnauthorizedAccount(regulator)",
    removeSubscriber: "AccessControlUnauthorizedAccount(regulator)",
    republish: "AccessControlUnauthorizedAccount(regulator)",
  },
  DigitalCurrency: {
    ...accessControlExpected("AccessControlUnauthorizedAccount(regulator)"),
    mint: "AccessControlUnauthorizedAccount(regulator)",
    burn: "AccessControlUnauthorizedAccount(regulator)",
    pause: "AccessControlUnauthorizedAccount(regulator)",
    unpause: "AccessControlUnauthorizedAccount(regulator)",
    approve: "CurrencyRegulatorAccount(regulator)",
    transfer: "CurrencyRegulatorAccount(regulator)",
    transferFrom: "CurrencyRegulatorAccount(regulator)",
    permit: "CurrencyRegulatorAccount(regulator)",
    freezeAccount: "OK",
    unfreezeAccount: "OK",
    freezeAmount: "OK",
    unfreezeAmount: "OK",
    onCredentialsChanged: "IdentitySubscriberUnauthorized(regulator)",
    onSubscribed: "IdentitySubscriberUnauthorized(regulator)",
    onUnsubscribed: "IdentitySubscriberUnauthorized(regulator)",
  },
  BillLedger: {
    ...accessControlExpected("AccessControlUnauthorizedAccount(regulator)"),
    issue: "BillRegulatorParty(regulator)",
    presentForAcceptance: "BillRegulatorParty(regulator)",
    presentForReceipt: "BillRegulatorParty(regulator)",
    endorse: "BillRegulatorParty(regulator)",
    pledge: "BillRegulatorParty(regulator)",
    requestGuarantee: "BillRegulatorParty(regulator)",
    sign: "BillNotEntitled(regulator)",
    reject: "BillNotEntitled(regulator)",
    withdraw: "BillNotEntitled(regulator)",
    clear: "BillApplicationPending",
    releasePledge: "BillNotEntitled(regulator)",
    freeze: "OK",
    unfreeze: "OK",
    pause: "AccessControlUnauthorizedAccount(regulator)",
    unpause: "AccessControlUnauthorizedAccount(regulator)",
    setSettings: "AccessControlUnauthorizedAccount(regulator)",
    setAcceptorBankrupt: "AccessControlUnauthorizedAccount(regulator)",
    settleRange: "AccessControlUnauthorizedAccount(regulator)",
    tradeRange: "AccessControlUnauthorizedAccount(regulator)",
    onCredentialsChanged: "IdentitySubscriberUnauthorized(regulator)",
    onSubscribed: "IdentitySubscriberUnauthorized(regulator)",
    onUnsubscribed: "IdentitySubscriberUnauthorized(regulator)",
  },
  BillPayments: {
    presentForPayment: "PaymentNotEntitled(regulator)",
    pay: "PaymentNotEntitled(regulator)",
    dishonour: "PaymentNotEntitled(regulator)",
    declareDishonoured: "PaymentNotEntitled(regulator)",
    // Checked before the holder: nothing to dishonour while the acceptor is not flagged bankrupt.
    dishonourForBankruptcy: "PaymentAcceptorNotBankrupt",
    claimRecourse: "PaymentNotEntitled(regulator)",
    payRecourse: "PaymentNoClaim",
    withdrawClaim: "PaymentNoClaim",
  },
  SettlementEngine: {
    ...accessControlExpected("AccessControlUnauthorizedAccount(regulator)"),
    propose: "TradeWrongPartyKind(regulator)",
    accept: "TradeNotEntitled(regulator)",
    acceptBatch: "TradeNotEntitled(regulator)",
    reject: "TradeNotEntitled(regulator)",
    withdraw: "TradeNotEntitled(regulator)",
    clear: "TradePending",
    reclaim: "TradeNotEntitled(regulator)",
    settle: "TradeWrongPartyKind(regulator)",
    settleBatch: "TradeWrongPartyKind(regulator)",
    closeRepo: "TradeWrongStatus",
    defaultRepo: "TradeWrongStatus",
    cancelNonce: "TradeRegulatorCaller(regulator)",
    raiseNonceFloor: "TradeRegulatorCaller(regulator)",
    setListed: "AccessControlUnauthorizedAccount(regulator)",
    pause: "AccessControlUnauthorizedAccount(regulator)",
    unpause: "AccessControlUnauthorizedAccount(regulator)",
  },
  BusinessCalendar: {
    // The calendar has one role, DEFAULT_ADMIN_ROLE, which grantRole and revokeRole never touch.
    ...accessControlExpected("AccessControlEnforcedDefaultAdminRules"),
    markDays: "AccessControlUnauthorizedAccount(regulator)",
  },
  EncryptionKeys: {
    ...accessControlExpected("AccessControlUnauthorizedAccount(regulator)"),
    rotateViewKey: "OK",
    setEntityKey: "KeysNotATrader(regulator)",
  },
  EnvelopeBoard: {
    post: "EnvelopeInvalidPoster(regulator)",
  },
};

/** The AccessControlDefaultAdminRules functions, with `grantAndRevoke` the outcome of grantRole and revokeRole. */
function accessControlExpected(grantAndRevoke: string): Record<string, string> {
  return {
    grantRole: grantAndRevoke,
    revokeRole: grantAndRevoke,
    renounceRole: "OK",
    beginDefaultAdminTransfer: "AccessControlUnauthorizedAccount(regulator)",
    cancelDefaultAdminTransfer: "AccessControlUnauthorizedAccount(regulator)",
    acceptDefaultAdminTransfer: "AccessControlInvalidDefaultAdmin(regulator)",
    changeDefaultAdminDelay: "AccessControlUnauthorizedAccount(regulator)",
    rollbackDefaultAdminDelay: "AccessControlUnauthorizedAccount(regulator)",
  };
}

/**
 * The scene of the sweep, grown from `tradingPlatform` (Y holds the fixture bill, drawn by X on bank A):
 *  - ledger: the regulator froze [1, PART]; Y applied to endorse [PART + 1, 2 PART] to Z (pending) and pledged
 *    [2 PART + 1, 3 PART] to bank B (signed); Y holds [3 PART + 1, FACE] circulating; X drew bill 2 (issued);
 *  - currency: the regulator froze X's account and FROZEN_AMOUNT of bank A's money;
 *  - engine: bank A's open swap proposal to bank B, and a swap order bank A → regulator signed by both;
 *  - keys: the regulator published view key 1.
 */
async function sweepScene() {
  const f = await loadFixture(tradingPlatform);
  const { accounts, suite } = f;
  const { bankA, bankB, enterpriseX, enterpriseY, enterpriseZ, regulator } = accounts;
  const ledger = suite.billLedger;
  await mined(ledger.connect(regulator).freeze(f.billId, 1n, PART));
  await endorse(ledger.connect(enterpriseY), f.billId, PART + 1n, PART, enterpriseZ.address);
  await pledge(ledger.connect(enterpriseY), f.billId, 2n * PART + 1n, PART, bankB.address);
  await sign(ledger.connect(bankB), f.billId, 2n * PART + 1n);
  const { billId: bill2 } = await issueBill(ledger.connect(enterpriseX), {
    billType: BillType.BankAcceptance,
    acceptor: bankA.address,
    payee: enterpriseY.address,
    face: 10_000_000n,
    maturityDay: f.maturityDay,
    tradeBackground: "purchase contract PC-2026-002",
  });
  const cash = suite.digitalCurrency.connect(regulator);
  await mined(cash.freezeAccount(enterpriseX.address));
  await mined(cash.freezeAmount(bankA.address, FROZEN_AMOUNT));
  const engine = suite.settlementEngine;
  const swapAB = await termsOf(TradeKind.Swap, bankA, bankB, tokenLeg(f.currency, 1_000n), tokenLeg(f.currency, 990n));
  await mined(engine.connect(bankA).propose(swapAB));
  const toRegulator = await termsOf(
    TradeKind.Swap,
    bankA,
    regulator,
    tokenLeg(f.currency, 1_000n),
    tokenLeg(f.currency, 990n),
  );
  const orderToRegulator = await signedBy(engine, toRegulator, bankA, regulator);
  await mined(suite.encryptionKeys.connect(regulator).rotateViewKey(newEncryptionKey().publicKey));
  return { ...f, bill2, swapAB, toRegulator, orderToRegulator };
}

type Scene = Awaited<ReturnType<typeof sweepScene>>;

/** The platform's contracts under their artifact names. */
function contractsOf(s: Scene): [string, BaseContract][] {
  return [
    ["IdentityRegistry", s.suite.identityRegistry],
    ["DigitalCurrency", s.suite.digitalCurrency],
    ["BillLedger", s.suite.billLedger],
    ["BillPayments", s.suite.billPayments],
    ["SettlementEngine", s.suite.settlementEngine],
    ["BusinessCalendar", s.suite.businessCalendar],
    ["EncryptionKeys", s.suite.encryptionKeys],
    ["EnvelopeBoard", s.suite.envelopeBoard],
  ];
}

/** Arguments a real party could use, by contract and function; functions not listed get zero-valued arguments. */
async function realisticArgs(s: Scene): Promise<Record<string, Record<string, unknown[]>>> {
  const { accounts, suite, billId } = s;
  const { bankA, bankB, enterpriseX, enterpriseY, enterpriseZ, regulator } = accounts;
  const today = await chainDay();
  const expiresAt = BigInt(await time.latest()) + ONE_YEAR;
  const idX = entityIdOf(CODES.enterpriseX);
  const free = 3n * PART + 1n;
  const asRegulator = suite.billLedger.connect(regulator);
  const engine = await suite.settlementEngine.getAddress();
  const currency = await suite.digitalCurrency.getAddress();
  const credentialX = [expiresAt, EntityStatus.Active, EntityKind.Enterprise];
  const permit = await signPermit(suite.digitalCurrency, enterpriseY, regulator.address, 1_000n, expiresAt);
  const sealed = sealEnvelope({ note: "the regulator's own terms" }, [
    { id: regulator.address, publicKey: newEncryptionKey().publicKey, keyVersion: 1 },
  ]);
  const roles = {
    registry: await suite.identityRegistry.KYC_PROVIDER_ROLE(),
    currency: await suite.digitalCurrency.ISSUER_ROLE(),
    ledger: await suite.billLedger.OPERATOR_ROLE(),
    engine: await suite.settlementEngine.AGENT_ROLE(),
  };
  const regulatorRole = await suite.billLedger.REGULATOR_ROLE();
  /** grantRole, revokeRole, renounceRole and the admin transfer, with a role the regulator would want. */
  const accessControl = (role: string, holder: string, ownRole: string) => ({
    grantRole: [role, regulator.address],
    revokeRole: [role, holder],
    renounceRole: [ownRole, regulator.address],
    beginDefaultAdminTransfer: [regulator.address],
    changeDefaultAdminDelay: [0n],
  });
  return {
    IdentityRegistry: {
      ...accessControl(roles.registry, bankA.address, regulatorRole),
      registerEntity: [
        entityIdOf("91110000MA0REG0001"),
        EntityKind.Enterprise,
        jurisdictionToBytes32("CN"),
        expiresAt,
        [accounts.extra[0].address],
      ],
      renewEntity: [idX, expiresAt],
      suspendEntity: [idX],
      reinstateEntity: [idX],
      revokeEntity: [idX],
      linkWallet: [idX, accounts.extra[0].address],
      unlinkWallet: [enterpriseX.address],
      registerSystemAccount: [await suite.envelopeBoard.getAddress()],
      removeSystemAccount: [engine],
      addSubscriber: [engine],
      removeSubscriber: [currency],
      republish: [[enterpriseX.address]],
    },
    DigitalCurrency: {
      ...accessControl(roles.currency, accounts.centralBank.address, regulatorRole),
      mint: [enterpriseY.address, 1_000n],
      burn: [1_000n],
      approve: [engine, 1_000n],
      transfer: [enterpriseY.address, 1n],
      transferFrom: [enterpriseY.address, bankB.address, 1n],
      permit: [enterpriseY.address, regulator.address, 1_000n, expiresAt, permit.v, permit.r, permit.s],
      freezeAccount: [enterpriseY.address],
      unfreezeAccount: [enterpriseX.address],
      freezeAmount: [enterpriseY.address, 1n],
      unfreezeAmount: [bankA.address, FROZEN_AMOUNT],
      onCredentialsChanged: [[enterpriseX.address], credentialX],
    },
    BillLedger: {
      ...accessControl(roles.ledger, engine, regulatorRole),
      issue: [
        {
          billType: BillType.BankAcceptance,
          acceptor: bankA.address,
          payee: enterpriseY.address,
          face: FACE,
          maturityDay: s.maturityDay,
          tradeHash: ethers.id("the regulator's bill"),
          notTransferable: false,
          splittable: true,
        },
      ],
      presentForAcceptance: [s.bill2],
      presentForReceipt: [s.bill2],
      endorse: [billId, free, PART, enterpriseZ.address, false],
      pledge: [billId, free, PART, bankB.address],
      requestGuarantee: [billId, free, PART, bankA.address],
      sign: [billId, PART + 1n, await asRegulator.applicationTerms(billId, PART + 1n)],
      reject: [billId, PART + 1n],
      withdraw: [billId, PART + 1n],
      clear: [billId, PART + 1n],
      releasePledge: [billId, 2n * PART + 1n],
      freeze: [billId, free, PART],
      unfreeze: [billId, 1n],
      setSettings: [settingsOf(await suite.billLedger.settings())],
      setAcceptorBankrupt: [bankA.address, true],
      settleRange: [
        billId,
        free,
        enterpriseY.address,
        RangeState.Circulating,
        bankB.address,
        RangeState.Circulating,
        0n,
      ],
      tradeRange: [
        billId,
        free,
        PART,
        enterpriseY.address,
        RangeState.Circulating,
        bankB.address,
        RangeState.Circulating,
      ],
      onCredentialsChanged: [[enterpriseX.address], credentialX],
    },
    BillPayments: {
      presentForPayment: [billId, free],
      pay: [billId, free],
      dishonour: [billId, free, 1],
      declareDishonoured: [billId, free],
      dishonourForBankruptcy: [billId, free],
      claimRecourse: [billId, free, enterpriseY.address, []],
      payRecourse: [billId, free],
      withdrawClaim: [billId, free],
    },
    SettlementEngine: {
      ...accessControl(roles.engine, accounts.admin.address, regulatorRole),
      propose: [await termsOf(TradeKind.Swap, regulator, bankA, tokenLeg(currency, 1_000n), tokenLeg(currency, 990n))],
      accept: [s.swapAB],
      acceptBatch: [[s.swapAB]],
      reject: [s.swapAB],
      withdraw: [s.swapAB],
      clear: [s.swapAB],
      reclaim: [s.swapAB],
      settle: [s.orderToRegulator],
      settleBatch: [[s.orderToRegulator]],
      closeRepo: [s.swapAB],
      defaultRepo: [s.swapAB],
      cancelNonce: [freshNonce()],
      raiseNonceFloor: [1n],
      setListed: [await suite.envelopeBoard.getAddress(), true],
    },
    BusinessCalendar: {
      ...accessControl(ethers.ZeroHash, accounts.admin.address, ethers.ZeroHash),
      markDays: [[Number(today) + 7], 1],
    },
    EncryptionKeys: {
      ...accessControl(regulatorRole, regulator.address, regulatorRole),
      setEntityKey: [newEncryptionKey().publicKey],
      rotateViewKey: [newEncryptionKey().publicKey],
    },
    EnvelopeBoard: {
      post: [sealed.commitment, encodeEnvelope(sealed.envelope)],
    },
  };
}

/** The ledger's settings as a plain struct (the call result is read-only). */
function settingsOf(r: {
  maxTenorMonths: bigint;
  presentationDays: bigint;
  answerWindow: bigint;
  recourseRateBps: bigint;
}) {
  const { maxTenorMonths, presentationDays, answerWindow, recourseRateBps } = r;
  return { maxTenorMonths, presentationDays, answerWindow, recourseRateBps };
}

/** Zero-valued arguments for a parameter list. */
function zeroOf(p: ParamType): unknown {
  if (p.isArray()) return p.arrayLength > 0 ? Array.from({ length: p.arrayLength }, () => zeroOf(p.arrayChildren)) : [];
  if (p.isTuple()) return p.components.map(zeroOf);
  if (p.baseType === "address") return ethers.ZeroAddress;
  if (p.baseType === "bool") return false;
  if (p.baseType === "string") return "";
  if (p.baseType === "bytes") return "0x";
  if (p.baseType.startsWith("bytes")) return ethers.zeroPadValue("0x", Number(p.baseType.slice(5)));
  return 0n;
}

/** Every error of every platform contract, to name a revert that bubbled up from another contract. */
function errorsOf(s: Scene): Interface {
  const seen = new Set<string>();
  const fragments: string[] = [];
  for (const [, contract] of contractsOf(s)) {
    contract.interface.forEachError((e) => {
      if (!seen.has(e.selector)) fragments.push(e.format("full"));
      seen.add(e.selector);
    });
  }
  return new Interface(fragments);
}

interface Outcome {
  /** "Contract.function". */
  key: string;
  /** "OK", or the decoded error's name followed by "(regulator)" where its arguments name the regulator. */
  result: string;
}

/**
 * Calls every non-view, non-pure function of every platform contract as the regulator, with `eth_call` so that no
 * attempt changes the scene for the next, and names each outcome.
 */
async function sweep(s: Scene): Promise<Outcome[]> {
  const realistic = await realisticArgs(s);
  const errors = errorsOf(s);
  const regulator = s.accounts.regulator.address.toLowerCase();
  const outcomes: Outcome[] = [];
  for (const [name, contract] of contractsOf(s)) {
    const byRegulator = contract.connect(s.accounts.regulator);
    const names = new Set<string>();
    const functions: FunctionFragment[] = [];
    contract.interface.forEachFunction((fn) => {
      if (fn.stateMutability !== "view" && fn.stateMutability !== "pure") functions.push(fn);
    });
    for (const fn of functions) {
      expect(names.has(fn.name), `${name}.${fn.name} is overloaded: key the table by signature`).to.equal(false);
      names.add(fn.name);
      const args = realistic[name]?.[fn.name] ?? fn.inputs.map(zeroOf);
      const key = `${name}.${fn.name}`;
      try {
        await byRegulator.getFunction(fn.format("sighash")).staticCall(...args);
        outcomes.push({ key, result: "OK" });
      } catch (error) {
        // The revert data sits where the provider puts it (plain, or nested, as under solidity-coverage).
        const parsed = decodeError(error, [errors]);
        if (!parsed) throw new Error(`${key}: the call failed without a platform error`, { cause: error });
        const namesRegulator = Object.values(parsed.args).some((a) => a.toLowerCase() === regulator);
        outcomes.push({ key, result: `${parsed.name}${namesRegulator ? "(regulator)" : ""}` });
      }
    }
  }
  return outcomes;
}

/** The account roles `*_ROLE` of a contract, read from its ABI. */
async function rolesOf(contract: BaseContract): Promise<Map<string, string>> {
  const roles = new Map<string, string>();
  const getters: string[] = [];
  contract.interface.forEachFunction((fn) => {
    if (fn.name.endsWith("_ROLE") && fn.inputs.length === 0) getters.push(fn.name);
  });
  for (const getter of getters) roles.set(getter, (await contract.getFunction(getter).staticCall()) as string);
  return roles;
}

/** The platform's AccessControl contracts. */
function accessControlled(s: Scene): [string, AccessControlled][] {
  return contractsOf(s)
    .filter(([, c]) => c.interface.hasFunction("grantRole"))
    .map(([name, c]) => [name, c as unknown as AccessControlled]);
}

interface AccessControlled extends BaseContract {
  DEFAULT_ADMIN_ROLE(): Promise<string>;
  getRoleAdmin(role: string): Promise<string>;
  hasRole(role: string, account: AddressLike): Promise<boolean>;
  connect(runner: Signer): AccessControlled;
  grantRole(role: string, account: AddressLike): Promise<ContractTransactionResponse>;
  revokeRole(role: string, account: AddressLike): Promise<ContractTransactionResponse>;
  beginDefaultAdminTransfer(account: AddressLike): Promise<ContractTransactionResponse>;
}

describe("Regulator powers (checklist 4 and 5)", function () {
  describe("4. roles", function () {
    it("4. every role of every AccessControl contract is administered by DEFAULT_ADMIN_ROLE", async function () {
      const s = await loadFixture(sweepScene);
      const checked: string[] = [];
      for (const [name, contract] of accessControlled(s)) {
        for (const [role, value] of await rolesOf(contract)) {
          await inCase(`${name}.${role}`, expectAsync(contract.getRoleAdmin(value), ethers.ZeroHash));
          checked.push(`${name}.${role}`);
        }
      }
      expect(checked).to.include.members([
        "IdentityRegistry.KYC_PROVIDER_ROLE",
        "DigitalCurrency.ISSUER_ROLE",
        "BillLedger.OPERATOR_ROLE",
        "SettlementEngine.AGENT_ROLE",
        "BusinessCalendar.DEFAULT_ADMIN_ROLE",
        "EncryptionKeys.REGULATOR_ROLE",
      ]);
      expect(accessControlled(s).map(([name]) => name)).to.deep.equal([
        "IdentityRegistry",
        "DigitalCurrency",
        "BillLedger",
        "SettlementEngine",
        "BusinessCalendar",
        "EncryptionKeys",
      ]);
    });

    it("4. the regulator holds REGULATOR_ROLE where the contract has one, and no other role", async function () {
      const s = await loadFixture(sweepScene);
      const regulator = s.accounts.regulator.address;
      for (const [name, contract] of accessControlled(s)) {
        for (const [role, value] of await rolesOf(contract)) {
          await inCase(`${name}.${role}`, expectAsync(contract.hasRole(value, regulator), role === "REGULATOR_ROLE"));
        }
      }
    });

    it("4. the regulator cannot grant itself or anyone a role, revoke one, or begin an admin transfer: AccessControlUnauthorizedAccount(regulator, DEFAULT_ADMIN_ROLE)", async function () {
      const s = await loadFixture(sweepScene);
      const { regulator, bankA } = s.accounts;
      for (const [name, contract] of accessControlled(s)) {
        const byRegulator = contract.connect(regulator);
        const admin = await contract.DEFAULT_ADMIN_ROLE();
        const roles = [...(await rolesOf(contract)).entries()];
        const holdings = async () =>
          Promise.all(roles.flatMap(([, value]) => [regulator, bankA].map((a) => contract.hasRole(value, a))));
        const before = await holdings();
        for (const [role, value] of roles) {
          if (value === admin) {
            // Nobody grants or revokes the admin role directly: it moves only by the two-step transfer.
            for (const call of [
              () => byRegulator.grantRole(value, regulator),
              () => byRegulator.revokeRole(value, regulator),
            ]) {
              await inCase(
                `${name}: ${role} by grantRole/revokeRole`,
                expect(call()).to.be.revertedWithCustomError(contract, "AccessControlEnforcedDefaultAdminRules"),
              );
            }
            continue;
          }
          for (const [label, call] of [
            [`grantRole(${role}, regulator)`, () => byRegulator.grantRole(value, regulator)],
            [`grantRole(${role}, bank A)`, () => byRegulator.grantRole(value, bankA)],
            [`revokeRole(${role}, regulator)`, () => byRegulator.revokeRole(value, regulator)],
          ] as const) {
            await inCase(
              `${name}.${label}`,
              expect(call())
                .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
                .withArgs(regulator.address, admin),
            );
          }
        }
        await inCase(
          `${name}.beginDefaultAdminTransfer(regulator)`,
          expect(byRegulator.beginDefaultAdminTransfer(regulator))
            .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
            .withArgs(regulator.address, admin),
        );
        expect(await holdings(), `${name}: the roles of the regulator and bank A changed`).to.deep.equal(before);
      }
    });

    it("4. BillPayments and EnvelopeBoard have no roles at all: nothing to grant", async function () {
      const s = await loadFixture(sweepScene);
      for (const contract of [s.suite.billPayments, s.suite.envelopeBoard]) {
        expect(contract.interface.hasFunction("grantRole")).to.equal(false);
        expect(await rolesOf(contract)).to.have.property("size", 0);
      }
    });
  });

  describe("5. every state-changing function, called by the regulator", function () {
    it("5. reverts with the error the table names, function by function (built from the ABIs: a new function fails until classified)", async function () {
      const s = await loadFixture(sweepScene);
      const outcomes = await sweep(s);
      const classified = Object.entries(EXPECTED).flatMap(([name, fns]) =>
        Object.keys(fns).map((fn) => `${name}.${fn}`),
      );
      expect(outcomes.map((o) => o.key).sort(), "functions in the ABIs vs the table").to.deep.equal(classified.sort());
      for (const { key, result } of outcomes) {
        const [name, fn] = key.split(".");
        const expected = EXPECTED[name][fn];
        expect(result, key).to.equal(expected);
      }
    });

    it("5. the calls that do not revert are exactly the regulator's own acts and the calls that are no power", async function () {
      const s = await loadFixture(sweepScene);
      const succeeded = (await sweep(s)).filter((o) => o.result === "OK").map((o) => o.key);
      expect(succeeded.sort()).to.deep.equal([...OWN_ACTS, ...NO_POWER].sort());
    });

    it("5. a party's act with valid arguments names the regulator: BillRegulatorParty, CurrencyRegulatorAccount, EnvelopeInvalidPoster, TradeWrongPartyKind", async function () {
      const s = await loadFixture(sweepScene);
      const { regulator } = s.accounts;
      const args = await realisticArgs(s);
      const ledger = s.suite.billLedger.connect(regulator);
      await expect(ledger.issue(args.BillLedger.issue[0] as Parameters<typeof ledger.issue>[0]))
        .to.be.revertedWithCustomError(ledger, "BillRegulatorParty")
        .withArgs(regulator.address);
      const cash = s.suite.digitalCurrency.connect(regulator);
      await expect(cash.transfer(s.accounts.enterpriseY.address, 1n))
        .to.be.revertedWithCustomError(cash, "CurrencyRegulatorAccount")
        .withArgs(regulator.address);
      const board = s.suite.envelopeBoard.connect(regulator);
      const [commitment, envelope] = args.EnvelopeBoard.post as [string, string];
      await expect(board.post(commitment, envelope))
        .to.be.revertedWithCustomError(board, "EnvelopeInvalidPoster")
        .withArgs(regulator.address);
      const engine = s.suite.settlementEngine.connect(regulator);
      await expect(engine.propose(args.SettlementEngine.propose[0] as Parameters<typeof engine.propose>[0]))
        .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
        .withArgs(regulator.address, REGULATOR_KIND);
      await expect(engine.settle(s.orderToRegulator))
        .to.be.revertedWithCustomError(engine, "TradeWrongPartyKind")
        .withArgs(regulator.address, REGULATOR_KIND);
    });
  });

  describe("5. the regulator's own acts", function () {
    it("5. BillLedger.freeze and unfreeze succeed and move no holder", async function () {
      const s = await loadFixture(sweepScene);
      const ledger = s.suite.billLedger.connect(s.accounts.regulator);
      const free = 3n * PART + 1n;
      await expect(ledger.freeze(s.billId, free, PART))
        .to.emit(ledger, "RangeUpdated")
        .withArgs(s.billId, free, 4n * PART, s.accounts.enterpriseY.address, RangeState.Frozen, anyValue);
      await expect(ledger.unfreeze(s.billId, 1n))
        .to.emit(ledger, "RangeUpdated")
        .withArgs(s.billId, 1n, PART, s.accounts.enterpriseY.address, RangeState.Circulating, anyValue);
    });

    it("5. DigitalCurrency.freezeAccount, unfreezeAccount, freezeAmount and unfreezeAmount succeed", async function () {
      const s = await loadFixture(sweepScene);
      const { regulator, enterpriseX, enterpriseY, bankA } = s.accounts;
      const cash = s.suite.digitalCurrency.connect(regulator);
      await expect(cash.freezeAccount(enterpriseY.address))
        .to.emit(cash, "AccountFrozen")
        .withArgs(enterpriseY.address, regulator.address);
      await expect(cash.unfreezeAccount(enterpriseX.address))
        .to.emit(cash, "AccountUnfrozen")
        .withArgs(enterpriseX.address, regulator.address);
      await expect(cash.freezeAmount(enterpriseY.address, 7n))
        .to.emit(cash, "AmountFrozen")
        .withArgs(enterpriseY.address, 7n, 7n, regulator.address);
      await expect(cash.unfreezeAmount(bankA.address, FROZEN_AMOUNT))
        .to.emit(cash, "AmountUnfrozen")
        .withArgs(bankA.address, FROZEN_AMOUNT, 0n, regulator.address);
    });

    it("5. EncryptionKeys.rotateViewKey succeeds: a new version", async function () {
      const s = await loadFixture(sweepScene);
      const keys = s.suite.encryptionKeys.connect(s.accounts.regulator);
      const next = newEncryptionKey();
      await expect(keys.rotateViewKey(next.publicKey))
        .to.emit(keys, "ViewKeyRotated")
        .withArgs(2, next.publicKey, s.accounts.regulator.address);
      expect(await keys.viewKey()).to.deep.equal([next.publicKey, 2n]);
    });
  });
});

async function expectAsync(actual: Promise<unknown>, expected: unknown): Promise<void> {
  expect(await actual).to.equal(expected);
}
