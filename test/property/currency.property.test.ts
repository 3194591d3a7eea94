import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { toQuantity, type Interface } from "ethers";
import type { DigitalCurrency, IdentityRegistry } from "../../typechain-types";
import { EntityStatus } from "../../tasks/lib/identity";
import { CODES, ONE_YEAR, entityIdOf, fundedPlatform, asRegulator, regulatorAddress } from "../fixtures/platform";
import { assertModelRuns, sendNextAct } from "./harness";
import type { PlannedSend, Refusal as PredictedRefusal } from "./harness";

// `npm test` stays fast; `npm run test:long` (FC_LONG=1) explores many more and longer sequences.
const LONG = Boolean(process.env.FC_LONG);
const RUNS = LONG ? 500 : 25;
const MAX_ACTS = LONG ? 60 : 30;
const AMOUNT_RUNS = LONG ? 1000 : 50;

const MAX_SUPPLY = 2n ** 128n - 1n;
const FREEZE_CAP = 2n ** 120n - 1n;

/** Every wallet that can ever hold money (the verified ones), plus the regulator and an unverified outsider. */
const ACTORS = ["centralBank", "bankA", "bankB", "enterpriseX", "enterpriseY", "regulator", "outsider"] as const;
type Actor = (typeof ACTORS)[number];

/** The entities of the verified platform; each owns the actor wallet of the same name. */
const ENTITIES = ["centralBank", "bankA", "bankB", "enterpriseX", "enterpriseY", "regulator"] as const;
type EntityName = (typeof ENTITIES)[number];

function entityOfActor(actor: Actor): EntityName | undefined {
  return actor === "outsider" ? undefined : actor;
}

function byActor<T>(f: (actor: Actor) => T): Record<Actor, T> {
  return Object.fromEntries(ACTORS.map((actor) => [actor, f(actor)])) as Record<Actor, T>;
}

// ---------------------------------------------------------------------------------------------------------------
// Model

interface EntityState {
  provider: Actor;
  status: EntityStatus;
  expiresAt: bigint;
}

/** What the model predicts and a chain snapshot reads alike. */
interface CurrencyState {
  paused: boolean;
  supply: bigint;
  balance: Record<Actor, bigint>;
  frozenAmount: Record<Actor, bigint>;
  frozen: Record<Actor, boolean>;
  /**
   * The currency's subscription to the registry and which actors' copies it trusts. In the model, bookkeeping
   * only: whichever path answers (the copy or the registry), the KYC predictions must hold unchanged.
   */
  subscribed: boolean;
  epoch: bigint;
  current: Record<Actor, boolean>;
}

interface Model extends CurrencyState {
  /** Timestamp of the latest block. */
  now: bigint;
  entities: Record<EntityName, EntityState>;
}

function verifiedAt(m: Model, actor: Actor, t: bigint): boolean {
  const name = entityOfActor(actor);
  if (name === undefined) return false;
  const entity = m.entities[name];
  return entity.status === EntityStatus.Active && t < entity.expiresAt;
}

function availableOf(m: Model, actor: Actor): bigint {
  if (m.frozen[actor]) return 0n;
  const balance = m.balance[actor];
  const frozen = m.frozenAmount[actor];
  return balance > frozen ? balance - frozen : 0n;
}

// ---------------------------------------------------------------------------------------------------------------
// Chain

interface Real {
  cash: DigitalCurrency;
  registry: IdentityRegistry;
  signer: Record<Actor | "pauser" | "admin", HardhatEthersSigner>;
  address: Record<Actor, string>;
  /** Chain state after the previous step. */
  last: Snapshot;
  /** The acts run so far, with resolved amounts, to explain a failure. */
  log: string[];
}

interface Snapshot extends CurrencyState {
  block: number;
  timestamp: bigint;
  available: Record<Actor, bigint>;
  verified: Record<Actor, boolean>;
  /** The currency's copy of each actor and the registry's credential, as text. */
  copy: Record<Actor, string>;
  credential: Record<Actor, string>;
}

const callData = new Map<string, string>();

/**
 * A view call returning static words (uint256, bool, a static struct) at a given block, straight to the provider
 * with cached call data: several times faster than through the contract object, which matters at some 50 reads per
 * step.
 */
async function viewWords(contract: DigitalCurrency | IdentityRegistry, fn: string, args: string[], block: string) {
  const to = contract.target as string;
  const key = [to, fn, ...args].join();
  let data = callData.get(key);
  if (data === undefined) {
    data = (contract.interface as Interface).encodeFunctionData(fn, args);
    callData.set(key, data);
  }
  const raw = (await hre.network.provider.request({
    method: "eth_call",
    params: [{ from: regulatorAddress(), to, data }, block],
  })) as string;
  return Array.from({ length: (raw.length - 2) / 64 }, (_, i) => BigInt(`0x${raw.slice(2 + 64 * i, 66 + 64 * i)}`));
}

/** A one-word view call (uint256 or bool), as `viewWords`. */
async function view(contract: DigitalCurrency | IdentityRegistry, fn: string, args: string[], block: string) {
  return (await viewWords(contract, fn, args, block))[0];
}

async function readChain(r: Pick<Real, "cash" | "registry" | "address">): Promise<Snapshot> {
  const block = (await hre.ethers.provider.getBlock("latest"))!;
  const at = toQuantity(block.number);
  const perActor = (fn: string, contract: DigitalCurrency | IdentityRegistry = r.cash) =>
    Promise.all(ACTORS.map((actor) => view(contract, fn, [r.address[actor]], at)));
  const perActorWords = (fn: string, contract: DigitalCurrency | IdentityRegistry) =>
    Promise.all(ACTORS.map((actor) => viewWords(contract, fn, [r.address[actor]], at)));
  const [paused, supply, balance, frozenAmount, frozen, available, verified, subscription, cached, credentials] =
    await Promise.all([
      view(r.cash, "paused", [], at),
      view(r.cash, "totalSupply", [], at),
      perActor("balanceOf"),
      perActor("frozenAmountOf"),
      perActor("isAccountFrozen"),
      perActor("availableBalanceOf"),
      perActor("isVerified", r.registry),
      viewWords(r.cash, "identitySubscription", [], at),
      perActorWords("cachedCredentialOf", r.cash),
      perActorWords("credentialOf", r.registry),
    ]);
  const record = (values: bigint[]) => byActor((a) => values[ACTORS.indexOf(a)]);
  const flags = (values: bigint[]) => byActor((a) => values[ACTORS.indexOf(a)] !== 0n);
  // cachedCredentialOf: expiresAt, status, kind, current; credentialOf: expiresAt, status, kind.
  const text = (words: bigint[][]) => byActor((a) => words[ACTORS.indexOf(a)].slice(0, 3).join("/"));
  return {
    block: block.number,
    timestamp: BigInt(block.timestamp),
    paused: paused !== 0n,
    supply,
    balance: record(balance),
    frozenAmount: record(frozenAmount),
    frozen: flags(frozen),
    available: record(available),
    verified: flags(verified),
    subscribed: subscription[0] !== 0n,
    epoch: subscription[1],
    current: flags(cached.map((words) => words[3])),
    copy: text(cached),
    credential: text(credentials),
  };
}

/** Deep equality of two per-actor records; chai's deep equal is only asked (for its message) on a mismatch. */
function same<T>(label: string, actual: Record<Actor, T>, expected: Record<Actor, T>): void {
  if (ACTORS.some((a) => actual[a] !== expected[a])) expect(actual, label).to.deep.equal(expected);
}

function sum(values: Record<Actor, bigint>): bigint {
  return ACTORS.reduce((total, actor) => total + values[actor], 0n);
}

/** Checks the invariants on the step that produced the latest block, and the chain against the model. */
async function verifyStep(m: Model, r: Real, supplyDelta: bigint, refused: boolean): Promise<void> {
  const before = r.last;
  const after = await readChain(r);
  expect(after.timestamp, "block time").to.equal(m.now);

  // 1. Supply is the sum of all balances and moves only by mint and burn.
  expect(after.supply, "totalSupply vs sum of balances").to.equal(sum(after.balance));
  expect(after.supply - before.supply, "supply change").to.equal(supplyDelta);

  for (const actor of ACTORS) {
    const was = before.balance[actor];
    const is = after.balance[actor];
    // 2. Frozen value never moves.
    if (is < was) {
      expect(is, `${actor} balance fell below its frozen amount`).to.be.gte(before.frozenAmount[actor]);
      expect(was - is, `${actor} sent more than was available`).to.be.lte(before.available[actor]);
    }
    if (before.frozen[actor]) expect(is, `frozen ${actor} balance decreased`).to.be.gte(was);
    // 3. Whoever received was verified at that moment, and the regulator never holds money.
    if (is > was) {
      expect(after.verified[actor], `${actor} received while unverified`).to.equal(true);
      expect(actor, "the regulator received money").to.not.equal("regulator");
    }
  }
  expect(after.balance.regulator, "regulator balance").to.equal(0n);

  // A refused act changes nothing.
  if (refused) {
    same("balances after a refused act", after.balance, before.balance);
    same("frozen amounts after a refused act", after.frozenAmount, before.frozenAmount);
    same("freeze flags after a refused act", after.frozen, before.frozen);
    expect(after.paused, "paused after a refused act").to.equal(before.paused);
  }

  // 4. The chain equals the model.
  expect(after.paused, "paused").to.equal(m.paused);
  expect(after.supply, "totalSupply").to.equal(m.supply);
  same("balances", after.balance, m.balance);
  same("frozen amounts", after.frozenAmount, m.frozenAmount);
  same("freeze flags", after.frozen, m.frozen);
  same(
    "available balances",
    after.available,
    byActor((a) => availableOf(m, a)),
  );
  same(
    "verified",
    after.verified,
    byActor((a) => verifiedAt(m, a, m.now)),
  );
  expect([after.subscribed, after.epoch], "identitySubscription").to.deep.equal([m.subscribed, m.epoch]);
  same("current copies", after.current, m.current);

  // 5. A copy the currency trusts is the registry's credential.
  same(
    "current copies vs registry.credentialOf",
    byActor((a) => (after.current[a] ? after.copy[a] : "not current")),
    byActor((a) => (after.current[a] ? after.credential[a] : "not current")),
  );

  r.last = after;
}

// ---------------------------------------------------------------------------------------------------------------
// Amounts, chosen relative to the state at the time of the act so that boundaries are hit often

type Base = "none" | "balance" | "available" | "frozen" | "supplyRoom" | "freezeRoom";

interface AmountSpec {
  base: Base;
  permille: number;
  delta: bigint;
}

function resolveAmount(spec: AmountSpec, m: Model, actor: Actor): bigint {
  const bases: Record<Base, bigint> = {
    none: 0n,
    balance: m.balance[actor],
    available: availableOf(m, actor),
    frozen: m.frozenAmount[actor],
    supplyRoom: MAX_SUPPLY - m.supply,
    freezeRoom: FREEZE_CAP - m.frozenAmount[actor],
  };
  const value = (bases[spec.base] * BigInt(spec.permille)) / 1000n + spec.delta;
  return value > 0n ? value : 0n;
}

function describeAmount(spec: AmountSpec): string {
  if (spec.base === "none") return spec.delta.toString();
  const scaled = spec.permille === 1000 ? spec.base : `${spec.base}*${spec.permille}‰`;
  if (spec.delta === 0n) return scaled;
  return spec.delta > 0n ? `${scaled}+${spec.delta}` : `${scaled}${spec.delta}`;
}

const absoluteAmount = fc
  .oneof(
    { arbitrary: fc.constant(0n), weight: 1 },
    { arbitrary: fc.bigInt(1n, 100n), weight: 2 },
    { arbitrary: fc.bigInt(1n, 300_000_000n), weight: 4 },
  )
  .map((delta): AmountSpec => ({ base: "none", permille: 0, delta }));

function relativeAmount(...bases: Base[]): fc.Arbitrary<AmountSpec> {
  return fc.record({ base: fc.constantFrom(...bases), permille: fc.constant(1000), delta: fc.bigInt(-2n, 2n) });
}

function partAmount(...bases: Base[]): fc.Arbitrary<AmountSpec> {
  return fc.record({
    base: fc.constantFrom(...bases),
    permille: fc.integer({ min: 0, max: 1000 }),
    delta: fc.constant(0n),
  });
}

const spendAmount = fc.oneof(
  absoluteAmount,
  relativeAmount("balance", "available", "frozen"),
  partAmount("balance", "available"),
);
const mintAmount = fc.oneof(
  { arbitrary: absoluteAmount, weight: 6 },
  { arbitrary: relativeAmount("supplyRoom"), weight: 1 },
);
const freezeAmount = fc.oneof(
  { arbitrary: absoluteAmount, weight: 3 },
  { arbitrary: relativeAmount("balance", "available"), weight: 3 },
  { arbitrary: partAmount("balance"), weight: 2 },
  { arbitrary: relativeAmount("freezeRoom"), weight: 1 },
);
const unfreezeAmount = fc.oneof(absoluteAmount, relativeAmount("frozen"), partAmount("frozen"));

// ---------------------------------------------------------------------------------------------------------------
// Acts

type Refusal = PredictedRefusal<"cash" | "registry">;

interface Plan extends PlannedSend<"cash" | "registry"> {
  /** Applied to the model when the act succeeds. */
  apply?: (m: Model) => void;
  supplyDelta?: bigint;
}

const cashError = (name: string, ...args: unknown[]): Refusal => ({ contract: "cash", name, args });
const registryError = (name: string, ...args: unknown[]): Refusal => ({ contract: "registry", name, args });

/** Why `_checkParties` refuses a non-zero party at time `t`, if it does. */
function partyRefusal(m: Model, r: Real, actor: Actor, t: bigint): Refusal | undefined {
  if (!verifiedAt(m, actor, t)) return cashError("CurrencyUnverifiedAccount", r.address[actor]);
  if (actor === "regulator") return cashError("CurrencyRegulatorAccount", r.address[actor]);
  return undefined;
}

/** Why `_update` refuses to take `value` from `from`, if it does (after pause and party checks). */
function debitRefusal(m: Model, r: Real, from: Actor, value: bigint): Refusal | undefined {
  const address = r.address[from];
  if (m.frozen[from]) return cashError("CurrencyAccountFrozen", address);
  if (value > m.balance[from]) return cashError("ERC20InsufficientBalance", address, m.balance[from], value);
  const available = availableOf(m, from);
  if (value > available) return cashError("CurrencyInsufficientAvailableBalance", address, available, value);
  return undefined;
}

abstract class Act implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }

  protected abstract plan(m: Model, r: Real, t: bigint): Plan;

  async run(m: Model, r: Real): Promise<void> {
    const { p, t } = await sendNextAct(
      m.now,
      (at) => this.plan(m, r, at),
      { cash: r.cash, registry: r.registry },
      r.log,
    );
    if (!p.refusal) p.apply?.(m);
    m.now = t;
    await verifyStep(m, r, p.refusal ? 0n : (p.supplyDelta ?? 0n), p.refusal !== undefined);
  }

  abstract toString(): string;
}

class Mint extends Act {
  constructor(
    readonly to: Actor,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  protected plan(m: Model, r: Real, t: bigint): Plan {
    const value = resolveAmount(this.amount, m, this.to);
    let refusal: Refusal | undefined;
    if (value === 0n) refusal = cashError("CurrencyZeroAmount");
    else if (m.paused) refusal = cashError("CurrencyPaused");
    else refusal = partyRefusal(m, r, this.to, t);
    if (!refusal && value > MAX_SUPPLY - m.supply) {
      refusal = cashError("CurrencySupplyCapExceeded", m.supply, value, MAX_SUPPLY);
    }
    return {
      label: `mint(${this.to}, ${value})`,
      refusal,
      send: () => r.cash.connect(r.signer.centralBank).mint(r.address[this.to], value),
      apply: (s) => {
        s.balance[this.to] += value;
        s.supply += value;
      },
      supplyDelta: value,
    };
  }
  toString(): string {
    return `mint(${this.to}, ${describeAmount(this.amount)})`;
  }
}

class Transfer extends Act {
  constructor(
    readonly from: Actor,
    readonly to: Actor,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  protected plan(m: Model, r: Real, t: bigint): Plan {
    const value = resolveAmount(this.amount, m, this.from);
    const refusal = m.paused
      ? cashError("CurrencyPaused")
      : (partyRefusal(m, r, this.from, t) ?? partyRefusal(m, r, this.to, t) ?? debitRefusal(m, r, this.from, value));
    return {
      label: `transfer(${this.from} -> ${this.to}, ${value})`,
      refusal,
      send: () => r.cash.connect(r.signer[this.from]).transfer(r.address[this.to], value),
      apply: (s) => {
        s.balance[this.from] -= value;
        s.balance[this.to] += value;
      },
    };
  }
  toString(): string {
    return `transfer(${this.from} -> ${this.to}, ${describeAmount(this.amount)})`;
  }
}

class Burn extends Act {
  constructor(readonly amount: AmountSpec) {
    super();
  }
  protected plan(m: Model, r: Real, t: bigint): Plan {
    const value = resolveAmount(this.amount, m, "centralBank");
    let refusal: Refusal | undefined;
    if (value === 0n) refusal = cashError("CurrencyZeroAmount");
    else if (m.paused) refusal = cashError("CurrencyPaused");
    else refusal = partyRefusal(m, r, "centralBank", t) ?? debitRefusal(m, r, "centralBank", value);
    return {
      label: `burn(${value})`,
      refusal,
      send: () => r.cash.connect(r.signer.centralBank).burn(value),
      apply: (s) => {
        s.balance.centralBank -= value;
        s.supply -= value;
      },
      supplyDelta: -value,
    };
  }
  toString(): string {
    return `burn(${describeAmount(this.amount)})`;
  }
}

/** The regulator freezes an account (refused if it is frozen) or unfreezes it (refused unless it is). */
class SetAccountFrozen extends Act {
  constructor(
    readonly account: Actor,
    readonly freeze: boolean,
  ) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const address = r.address[this.account];
    const byRegulator = r.cash.connect(r.signer.regulator);
    let refusal: Refusal | undefined;
    if (this.freeze && m.frozen[this.account]) refusal = cashError("CurrencyAccountAlreadyFrozen", address);
    if (!this.freeze && !m.frozen[this.account]) refusal = cashError("CurrencyAccountNotFrozen", address);
    return {
      label: this.toString(),
      refusal,
      send: () => (this.freeze ? byRegulator.freezeAccount(address) : byRegulator.unfreezeAccount(address)),
      apply: (s) => {
        s.frozen[this.account] = this.freeze;
      },
    };
  }
  toString(): string {
    return `${this.freeze ? "freezeAccount" : "unfreezeAccount"}(${this.account})`;
  }
}

class FreezeAmount extends Act {
  constructor(
    readonly account: Actor,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const value = resolveAmount(this.amount, m, this.account);
    const address = r.address[this.account];
    const frozen = m.frozenAmount[this.account];
    let refusal: Refusal | undefined;
    if (value === 0n) refusal = cashError("CurrencyZeroAmount");
    else if (value > FREEZE_CAP - frozen) {
      refusal = cashError("CurrencyFreezeCapExceeded", address, frozen, value, FREEZE_CAP);
    }
    return {
      label: `freezeAmount(${this.account}, ${value})`,
      refusal,
      send: () => r.cash.connect(r.signer.regulator).freezeAmount(address, value),
      apply: (s) => {
        s.frozenAmount[this.account] += value;
      },
    };
  }
  toString(): string {
    return `freezeAmount(${this.account}, ${describeAmount(this.amount)})`;
  }
}

class UnfreezeAmount extends Act {
  constructor(
    readonly account: Actor,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const value = resolveAmount(this.amount, m, this.account);
    const address = r.address[this.account];
    const frozen = m.frozenAmount[this.account];
    let refusal: Refusal | undefined;
    if (value === 0n) refusal = cashError("CurrencyZeroAmount");
    else if (value > frozen) refusal = cashError("CurrencyUnfreezeExceedsFrozen", address, frozen, value);
    return {
      label: `unfreezeAmount(${this.account}, ${value})`,
      refusal,
      send: () => r.cash.connect(r.signer.regulator).unfreezeAmount(address, value),
      apply: (s) => {
        s.frozenAmount[this.account] -= value;
      },
    };
  }
  toString(): string {
    return `unfreezeAmount(${this.account}, ${describeAmount(this.amount)})`;
  }
}

/** The pauser pauses (refused while paused) or unpauses (refused unless paused). */
class SetPaused extends Act {
  constructor(readonly pause: boolean) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const byPauser = r.cash.connect(r.signer.pauser);
    let refusal: Refusal | undefined;
    if (this.pause && m.paused) refusal = cashError("CurrencyPaused");
    if (!this.pause && !m.paused) refusal = cashError("CurrencyNotPaused");
    return {
      label: this.toString(),
      refusal,
      send: () => (this.pause ? byPauser.pause() : byPauser.unpause()),
      apply: (s) => {
        s.paused = this.pause;
      },
    };
  }
  toString(): string {
    return this.pause ? "pause()" : "unpause()";
  }
}

/** Suspends (or reinstates) an entity, by the provider that verified it. */
class SetStanding extends Act {
  constructor(
    readonly entity: EntityName,
    readonly suspend: boolean,
  ) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const state = m.entities[this.entity];
    const id = entityIdOf(CODES[this.entity]);
    const from = this.suspend ? EntityStatus.Active : EntityStatus.Suspended;
    const to = this.suspend ? EntityStatus.Suspended : EntityStatus.Active;
    const byProvider = r.registry.connect(r.signer[state.provider]);
    return {
      label: this.toString(),
      refusal: state.status === from ? undefined : registryError("IdentityWrongStatus", id, state.status),
      send: () => (this.suspend ? byProvider.suspendEntity(id) : byProvider.reinstateEntity(id)),
      apply: (s) => {
        s.entities[this.entity].status = to;
        published(s, [this.entity]);
      },
    };
  }
  toString(): string {
    return `${this.suspend ? "suspend" : "reinstate"}(${this.entity})`;
  }
}

/** Renews an entity, by its provider, to expire `delta` seconds after the renewal (refused unless delta > 0). */
class Renew extends Act {
  constructor(
    readonly entity: EntityName,
    readonly delta: bigint,
  ) {
    super();
  }
  protected plan(m: Model, r: Real, t: bigint): Plan {
    const state = m.entities[this.entity];
    const id = entityIdOf(CODES[this.entity]);
    const expiresAt = t + this.delta;
    return {
      label: `renew(${this.entity}, ${expiresAt})`,
      refusal: expiresAt > t ? undefined : registryError("IdentityExpiryNotInFuture", expiresAt, t),
      send: () => r.registry.connect(r.signer[state.provider]).renewEntity(id, expiresAt),
      apply: (s) => {
        s.entities[this.entity].expiresAt = expiresAt;
        published(s, [this.entity]);
      },
    };
  }
  toString(): string {
    return `renew(${this.entity}, now${this.delta >= 0n ? "+" : ""}${this.delta})`;
  }
}

/** The registry published the standing of `actors` (each entity's one wallet is its actor of the same name). */
function published(m: Model, actors: readonly Actor[]): void {
  if (m.subscribed) for (const a of actors) m.current[a] = true;
}

/** The admin subscribes the currency to the registry's updates, or removes its subscription. */
class SetSubscription extends Act {
  constructor(readonly subscribe: boolean) {
    super();
  }
  protected plan(m: Model, r: Real): Plan {
    const currency = r.cash.target as string;
    const byAdmin = r.registry.connect(r.signer.admin);
    let refusal: Refusal | undefined;
    if (this.subscribe && m.subscribed) refusal = registryError("IdentityAlreadySubscribed", currency);
    if (!this.subscribe && !m.subscribed) refusal = registryError("IdentityNotSubscribed", currency);
    return {
      label: this.toString(),
      refusal,
      send: () => (this.subscribe ? byAdmin.addSubscriber(currency) : byAdmin.removeSubscriber(currency)),
      apply: (s) => {
        s.subscribed = this.subscribe;
        if (this.subscribe) s.epoch += 1n;
        // A new epoch makes every copy stale; no subscription makes none current.
        s.current = byActor(() => false);
      },
    };
  }
  toString(): string {
    return this.subscribe ? "addSubscriber(currency)" : "removeSubscriber(currency)";
  }
}

/** The admin republishes the standing of some actors to every subscriber. */
class Republish extends Act {
  constructor(readonly actors: Actor[]) {
    super();
  }
  protected plan(_m: Model, r: Real): Plan {
    return {
      label: this.toString(),
      send: () => r.registry.connect(r.signer.admin).republish(this.actors.map((a) => r.address[a])),
      apply: (s) => published(s, this.actors),
    };
  }
  toString(): string {
    return `republish([${this.actors.join(", ")}])`;
  }
}

class AdvanceTime implements fc.AsyncCommand<Model, Real> {
  constructor(readonly seconds: bigint) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    await time.increase(this.seconds);
    m.now += this.seconds;
    r.log.push(`${this.toString()} -> @${m.now}`);
    await verifyStep(m, r, 0n, true);
  }
  toString(): string {
    return `advanceTime(${this.seconds})`;
  }
}

/** Mostly the wallets that hold money; the regulator and the outsider now and then. */
const actor: fc.Arbitrary<Actor> = fc.oneof(
  { arbitrary: fc.constantFrom<Actor>("centralBank", "bankA", "bankB", "enterpriseX", "enterpriseY"), weight: 6 },
  { arbitrary: fc.constantFrom<Actor>("regulator", "outsider"), weight: 1 },
);
const entity = fc.constantFrom(...ENTITIES);

const ACTS: fc.Arbitrary<fc.AsyncCommand<Model, Real>> = fc.oneof(
  { arbitrary: fc.tuple(actor, actor, spendAmount).map(([from, to, a]) => new Transfer(from, to, a)), weight: 8 },
  { arbitrary: fc.tuple(actor, mintAmount).map(([to, a]) => new Mint(to, a)), weight: 4 },
  { arbitrary: spendAmount.map((a) => new Burn(a)), weight: 2 },
  { arbitrary: actor.map((a) => new SetAccountFrozen(a, true)), weight: 1 },
  { arbitrary: actor.map((a) => new SetAccountFrozen(a, false)), weight: 1 },
  { arbitrary: fc.tuple(actor, freezeAmount).map(([who, a]) => new FreezeAmount(who, a)), weight: 2 },
  { arbitrary: fc.tuple(actor, unfreezeAmount).map(([who, a]) => new UnfreezeAmount(who, a)), weight: 2 },
  { arbitrary: fc.constant(null).map(() => new SetPaused(true)), weight: 1 },
  { arbitrary: fc.constant(null).map(() => new SetPaused(false)), weight: 1 },
  { arbitrary: fc.tuple(entity, fc.boolean()).map(([e, suspend]) => new SetStanding(e, suspend)), weight: 2 },
  {
    arbitrary: fc
      .tuple(entity, fc.oneof(fc.bigInt(-1n, 3n), fc.bigInt(4n, 120n), fc.constant(ONE_YEAR)))
      .map(([e, delta]) => new Renew(e, delta)),
    weight: 2,
  },
  { arbitrary: fc.boolean().map((subscribe) => new SetSubscription(subscribe)), weight: 2 },
  { arbitrary: fc.subarray([...ACTORS]).map((actors) => new Republish(actors)), weight: 1 },
  {
    arbitrary: fc
      .oneof(
        { arbitrary: fc.bigInt(1n, 5n), weight: 3 },
        { arbitrary: fc.bigInt(6n, 200n), weight: 3 },
        fc.constant(ONE_YEAR),
      )
      .map((seconds) => new AdvanceTime(seconds)),
    weight: 2,
  },
);

// ---------------------------------------------------------------------------------------------------------------
// Set-up

async function freshRun(): Promise<{ model: Model; real: Real }> {
  const { accounts, suite } = await loadFixture(fundedPlatform);
  const signer: Record<Actor | "pauser" | "admin", HardhatEthersSigner> = {
    ...byActor((a) => accounts[a]),
    pauser: accounts.pauser,
    admin: accounts.admin,
  };
  const address = byActor((a) => accounts[a].address);
  const partial = { cash: suite.digitalCurrency, registry: suite.identityRegistry, address };
  const last = await readChain(partial);
  const actorAt = (wallet: string): Actor => {
    const found = ACTORS.find((a) => address[a] === wallet);
    if (found === undefined) throw new Error(`unknown provider ${wallet}`);
    return found;
  };
  const records = await Promise.all(
    ENTITIES.map((e) => asRegulator(suite.identityRegistry).entity(entityIdOf(CODES[e]))),
  );
  const entities = Object.fromEntries(
    ENTITIES.map((e, i) => [
      e,
      { provider: actorAt(records[i].provider), status: Number(records[i].status), expiresAt: records[i].expiresAt },
    ]),
  ) as Record<EntityName, EntityState>;
  const model: Model = {
    now: last.timestamp,
    paused: last.paused,
    supply: last.supply,
    balance: { ...last.balance },
    frozenAmount: { ...last.frozenAmount },
    frozen: { ...last.frozen },
    entities,
    subscribed: last.subscribed,
    epoch: last.epoch,
    current: { ...last.current },
  };
  expect(last.supply, "initial totalSupply vs sum of balances").to.equal(sum(last.balance));
  same(
    "initial verified",
    last.verified,
    byActor((a) => verifiedAt(model, a, model.now)),
  );
  return { model, real: { ...partial, signer, last, log: [] } };
}

/** The funded platform with enterprise Y's money moved to enterprise X, so Y's balance can be set exactly. */
async function idleSenderPlatform() {
  const platform = await loadFixture(fundedPlatform);
  const { accounts, suite } = platform;
  const cash = suite.digitalCurrency;
  const all = await cash.balanceOf(accounts.enterpriseY.address);
  if (all > 0n) await (await cash.connect(accounts.enterpriseY).transfer(accounts.enterpriseX.address, all)).wait();
  return platform;
}

// ---------------------------------------------------------------------------------------------------------------

describe("DigitalCurrency (property)", function () {
  it("keeps supply equal to the sum of balances and frozen value in place over random acts", async function () {
    this.timeout(LONG ? 3_600_000 : 120_000);
    await assertModelRuns(ACTS, freshRun, { maxCommands: MAX_ACTS, numRuns: RUNS });
  });

  it("lets an account send exactly its available balance", async function () {
    this.timeout(LONG ? 600_000 : 60_000);
    const balanceArb = fc.oneof(fc.constant(0n), fc.bigInt(1n, 1_000n), fc.bigInt(1n, 10n ** 30n));
    const frozenArb = fc.oneof(
      fc.record({ permille: fc.constant(0), delta: fc.constant(0n) }),
      fc.record({ permille: fc.constant(1000), delta: fc.bigInt(-2n, 2n) }),
      fc.record({ permille: fc.integer({ min: 0, max: 2000 }), delta: fc.constant(0n) }),
      fc.record({ permille: fc.constant(0), delta: fc.bigInt(0n, FREEZE_CAP) }),
    );
    const valueArb = fc.oneof(
      fc.record({ ofBalance: fc.constant(false), permille: fc.constant(1000), delta: fc.bigInt(-2n, 2n) }),
      fc.record({ ofBalance: fc.boolean(), permille: fc.integer({ min: 0, max: 1500 }), delta: fc.constant(0n) }),
      fc.record({ ofBalance: fc.constant(false), permille: fc.constant(0), delta: fc.bigInt(0n, 10n ** 31n) }),
    );
    const accountFrozenArb = fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, fc.constant(true));
    await fc.assert(
      fc.asyncProperty(balanceArb, frozenArb, accountFrozenArb, valueArb, async (b, fSpec, accountFrozen, vSpec) => {
        const { accounts, suite } = await loadFixture(idleSenderPlatform);
        const cash = suite.digitalCurrency;
        const sender = accounts.enterpriseY.address;
        const recipient = accounts.enterpriseX.address;
        const scaled = (base: bigint, s: { permille: number; delta: bigint }) => {
          const v = (base * BigInt(s.permille)) / 1000n + s.delta;
          return v > 0n ? v : 0n;
        };
        let f = scaled(b, fSpec);
        if (f > FREEZE_CAP) f = FREEZE_CAP;
        const available = accountFrozen ? 0n : b > f ? b - f : 0n;
        const value = scaled(vSpec.ofBalance ? b : available, vSpec);

        if (b > 0n) await (await cash.connect(accounts.centralBank).mint(sender, b)).wait();
        if (f > 0n) await (await cash.connect(accounts.regulator).freezeAmount(sender, f)).wait();
        if (accountFrozen) await (await cash.connect(accounts.regulator).freezeAccount(sender)).wait();
        expect(await cash.balanceOf(sender)).to.equal(b);
        expect(await asRegulator(cash).frozenAmountOf(sender)).to.equal(f);
        expect(await asRegulator(cash).availableBalanceOf(sender), "availableBalanceOf").to.equal(available);

        const recipientBefore = await cash.balanceOf(recipient);
        const supplyBefore = await cash.totalSupply();
        const send = cash.connect(accounts.enterpriseY).transfer(recipient, value);
        if (!accountFrozen && value <= available) {
          await expect(send, `transfer ${value} of available ${available}`).not.to.be.reverted;
          expect(await cash.balanceOf(sender)).to.equal(b - value);
          expect(await cash.balanceOf(recipient)).to.equal(recipientBefore + value);
          expect(await asRegulator(cash).availableBalanceOf(sender)).to.equal(available - value);
        } else {
          if (accountFrozen) {
            await expect(send).to.be.revertedWithCustomError(cash, "CurrencyAccountFrozen").withArgs(sender);
          } else if (value > b) {
            await expect(send)
              .to.be.revertedWithCustomError(cash, "ERC20InsufficientBalance")
              .withArgs(sender, b, value);
          } else {
            await expect(send)
              .to.be.revertedWithCustomError(cash, "CurrencyInsufficientAvailableBalance")
              .withArgs(sender, available, value);
          }
          expect(await cash.balanceOf(sender)).to.equal(b);
          expect(await cash.balanceOf(recipient)).to.equal(recipientBefore);
        }
        expect(await asRegulator(cash).frozenAmountOf(sender)).to.equal(f);
        expect(await cash.totalSupply()).to.equal(supplyBefore);
      }),
      { numRuns: AMOUNT_RUNS },
    );
  });
});
