import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract, ContractRunner, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ADMIN_DELAY } from "../fixtures/platform";

/** Role names to role ids, DEFAULT_ADMIN_ROLE among them. */
export type RoleIds = Record<string, string>;

/** What OpenZeppelin's AccessControlDefaultAdminRules gives every contract of the suite. */
export interface AdminRulesContract extends BaseContract {
  DEFAULT_ADMIN_ROLE(): Promise<string>;
  hasRole(role: string, account: string): Promise<boolean>;
  getRoleAdmin(role: string): Promise<string>;
  grantRole(role: string, account: string): Promise<ContractTransactionResponse>;
  revokeRole(role: string, account: string): Promise<ContractTransactionResponse>;
  renounceRole(role: string, account: string): Promise<ContractTransactionResponse>;
  defaultAdmin(): Promise<string>;
  beginDefaultAdminTransfer(newAdmin: string): Promise<ContractTransactionResponse>;
  cancelDefaultAdminTransfer(): Promise<ContractTransactionResponse>;
  acceptDefaultAdminTransfer(): Promise<ContractTransactionResponse>;
  changeDefaultAdminDelay(newDelay: bigint): Promise<ContractTransactionResponse>;
  rollbackDefaultAdminDelay(): Promise<ContractTransactionResponse>;
}

/** A contract that keeps copies of the registry's credentials (an IdentityGate). */
export interface IdentityGateContract extends BaseContract {
  identitySubscription(): Promise<[boolean, bigint]>;
  cachedCredentialOf(wallet: string): Promise<[[bigint, bigint, bigint, bigint], boolean] & { current: boolean }>;
}

/** A hook only the identity registry may call; `target` is a verified wallet whose copy it would rewrite. */
export interface RegistryHook<C> {
  name: string;
  call: (contract: C, target: string) => Promise<ContractTransactionResponse>;
}

/** A named call and the custom error it must revert with: its name, then its arguments. */
export type RefusedCase = [name: string, attempt: () => Promise<unknown>, error: unknown[]];

/** Awaits `assertion`; a failure names the case. */
export async function inCase(name: string, assertion: Promise<unknown>): Promise<void> {
  try {
    await assertion;
  } catch (error) {
    if (error instanceof Error) error.message = `[${name}] ${error.message}`;
    throw error;
  }
}

/** Every case reverts with its own custom error and arguments; a failure names the case. */
export async function expectEachRefused(contract: BaseContract, cases: readonly RefusedCase[]): Promise<void> {
  for (const [name, attempt, [error, ...args]] of cases) {
    await inCase(
      name,
      expect(attempt())
        .to.be.revertedWithCustomError(contract, error as string)
        .withArgs(...args),
    );
  }
}

/** Every named attempt reverts with `error(...args)`; a failure names the attempt. */
export async function expectEachReverts(
  contract: BaseContract,
  attempts: readonly [string, () => Promise<unknown>][],
  error: string,
  ...args: unknown[]
): Promise<void> {
  await expectEachRefused(
    contract,
    attempts.map(([name, attempt]): RefusedCase => [name, attempt, [error, ...args]]),
  );
}

/** The names of the contract's state-changing (neither view nor pure) functions, as its ABI lists them. */
export function stateChangingFunctions(contract: BaseContract): string[] {
  const names: string[] = [];
  contract.interface.forEachFunction((fn) => {
    if (!fn.constant) names.push(fn.name);
  });
  return names;
}

/** The wallets among `wallets` that do not hold `role`. */
export async function walletsWithout(
  contract: AdminRulesContract,
  role: string,
  wallets: readonly HardhatEthersSigner[],
): Promise<HardhatEthersSigner[]> {
  const without = [];
  for (const wallet of wallets) {
    if (!(await contract.hasRole(role, wallet.address))) without.push(wallet);
  }
  return without;
}

/** `attempt(caller)` reverts with AccessControlUnauthorizedAccount(caller, role) for every caller. */
export async function expectUnauthorized(
  contract: BaseContract,
  role: string,
  callers: readonly HardhatEthersSigner[],
  attempt: (caller: HardhatEthersSigner) => Promise<unknown>,
): Promise<void> {
  await expectEachRefused(
    contract,
    callers.map((caller): RefusedCase => [
      caller.address,
      () => attempt(caller),
      ["AccessControlUnauthorizedAccount", caller.address, role],
    ]),
  );
}

/** The names of the roles `account` holds, in the order of `roles`. */
export async function heldRoles(contract: AdminRulesContract, roles: RoleIds, account: string): Promise<string[]> {
  const held = [];
  for (const [name, role] of Object.entries(roles)) {
    if (await contract.hasRole(role, account)) held.push(name);
  }
  return held;
}

/** DEFAULT_ADMIN_ROLE is the admin of every role; a failure names the role. */
export async function expectAdminOfEveryRole(contract: AdminRulesContract, roles: RoleIds): Promise<void> {
  for (const [name, role] of Object.entries(roles)) {
    expect(await contract.getRoleAdmin(role), name).to.equal(roles.DEFAULT_ADMIN_ROLE);
  }
}

/** The admin can neither revoke its own role nor grant it to `other`: AccessControlEnforcedDefaultAdminRules. */
export async function expectNoRevokeNorSecondAdmin(
  byAdmin: AdminRulesContract,
  admin: HardhatEthersSigner,
  other: HardhatEthersSigner,
): Promise<void> {
  const adminRole = await byAdmin.DEFAULT_ADMIN_ROLE();
  await expect(byAdmin.revokeRole(adminRole, admin.address)).to.be.revertedWithCustomError(
    byAdmin,
    "AccessControlEnforcedDefaultAdminRules",
  );
  await expect(byAdmin.grantRole(adminRole, other.address)).to.be.revertedWithCustomError(
    byAdmin,
    "AccessControlEnforcedDefaultAdminRules",
  );
}

/** The admin cannot renounce its role unscheduled: AccessControlEnforcedDefaultAdminDelay(0). */
export async function expectNoUnscheduledRenounce(
  byAdmin: AdminRulesContract,
  admin: HardhatEthersSigner,
): Promise<void> {
  await expect(byAdmin.renounceRole(await byAdmin.DEFAULT_ADMIN_ROLE(), admin.address))
    .to.be.revertedWithCustomError(byAdmin, "AccessControlEnforcedDefaultAdminDelay")
    .withArgs(0n);
}

/** The admin begins handing its role to `newAdmin`; the schedule is the begin block's time + ADMIN_DELAY. */
export async function beginAdminTransfer(
  contract: AdminRulesContract,
  admin: HardhatEthersSigner,
  newAdmin: HardhatEthersSigner,
): Promise<{ tx: ContractTransactionResponse; schedule: bigint }> {
  const tx = await (contract.connect(admin) as AdminRulesContract).beginDefaultAdminTransfer(newAdmin.address);
  const schedule = BigInt((await tx.getBlock())!.timestamp) + ADMIN_DELAY;
  return { tx, schedule };
}

/**
 * `newAdmin` is refused acceptance at schedule − 1 and at schedule with AccessControlEnforcedDefaultAdminDelay
 * (schedule); the next block is then pinned at schedule + 1.
 */
export async function expectAcceptanceRefusedUntilSchedule(
  contract: AdminRulesContract,
  newAdmin: HardhatEthersSigner,
  schedule: bigint,
): Promise<void> {
  const byNew = contract.connect(newAdmin) as AdminRulesContract;
  for (const at of [schedule - 1n, schedule]) {
    await time.setNextBlockTimestamp(at);
    await expect(byNew.acceptDefaultAdminTransfer())
      .to.be.revertedWithCustomError(contract, "AccessControlEnforcedDefaultAdminDelay")
      .withArgs(schedule);
  }
  await time.setNextBlockTimestamp(schedule + 1n);
}

/**
 * `self` cannot grant itself any role: every role but the admin's needs DEFAULT_ADMIN_ROLE
 * (AccessControlUnauthorizedAccount), the admin's is refused by AccessControlEnforcedDefaultAdminRules, and
 * beginning an admin transfer to itself needs DEFAULT_ADMIN_ROLE.
 */
export async function expectNoSelfGrant(
  contract: AdminRulesContract,
  self: HardhatEthersSigner,
  roles: RoleIds,
): Promise<void> {
  const bySelf = contract.connect(self) as AdminRulesContract;
  for (const [name, role] of Object.entries(roles)) {
    if (name === "DEFAULT_ADMIN_ROLE") continue;
    await expect(bySelf.grantRole(role, self.address))
      .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
      .withArgs(self.address, roles.DEFAULT_ADMIN_ROLE);
  }
  await expect(bySelf.grantRole(roles.DEFAULT_ADMIN_ROLE, self.address)).to.be.revertedWithCustomError(
    contract,
    "AccessControlEnforcedDefaultAdminRules",
  );
  await expect(bySelf.beginDefaultAdminTransfer(self.address))
    .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
    .withArgs(self.address, roles.DEFAULT_ADMIN_ROLE);
}

/**
 * The regulator's renouncement of `notHeld` changes nothing (no RoleRevoked), and renouncing `own` revokes it:
 * RoleRevoked(own, regulator, regulator).
 */
export async function expectRenouncesOnlyItsOwn(
  contract: AdminRulesContract,
  regulator: HardhatEthersSigner,
  notHeld: string,
  own: string,
): Promise<void> {
  const byRegulator = contract.connect(regulator) as AdminRulesContract;
  await expect(byRegulator.renounceRole(notHeld, regulator.address)).not.to.emit(contract, "RoleRevoked");
  await expect(byRegulator.renounceRole(own, regulator.address))
    .to.emit(contract, "RoleRevoked")
    .withArgs(own, regulator.address, regulator.address);
}

/**
 * The default-admin setters the regulator may not call, each with its error: AccessControlUnauthorizedAccount
 * (regulator, DEFAULT_ADMIN_ROLE), and AccessControlInvalidDefaultAdmin(regulator) for the acceptance.
 */
export function defaultAdminCases(
  byRegulator: AdminRulesContract,
  regulator: HardhatEthersSigner,
  adminRole: string,
): RefusedCase[] {
  const unauthorized = ["AccessControlUnauthorizedAccount", regulator.address, adminRole];
  return [
    ["beginDefaultAdminTransfer", () => byRegulator.beginDefaultAdminTransfer(regulator.address), unauthorized],
    ["cancelDefaultAdminTransfer", () => byRegulator.cancelDefaultAdminTransfer(), unauthorized],
    ["changeDefaultAdminDelay", () => byRegulator.changeDefaultAdminDelay(0n), unauthorized],
    ["rollbackDefaultAdminDelay", () => byRegulator.rollbackDefaultAdminDelay(), unauthorized],
    [
      "acceptDefaultAdminTransfer",
      () => byRegulator.acceptDefaultAdminTransfer(),
      ["AccessControlInvalidDefaultAdmin", regulator.address],
    ],
  ];
}

/** Each registry hook called by `caller` on `target`, refused with IdentitySubscriberUnauthorized(caller). */
export function registryHookCases<C>(
  hooks: readonly RegistryHook<C>[],
  byCaller: C,
  caller: string,
  target: string,
): RefusedCase[] {
  return hooks.map(({ name, call }): RefusedCase => [
    name,
    () => call(byCaller, target),
    ["IdentitySubscriberUnauthorized", caller],
  ]);
}

/** The gate's subscription and its copy of `wallet`, as one comparable string. */
export async function gateText(gate: IdentityGateContract, wallet: string): Promise<string> {
  const [subscribed, epoch] = await gate.identitySubscription();
  const [copy, current] = await gate.cachedCredentialOf(wallet);
  return [subscribed, epoch, ...copy, current].map(String).join("/");
}

/** What `shouldRefuseRegistryHooks` needs: a fresh fixture state on every call (use `loadFixture`). */
export interface RegistryHookContext<C> {
  /** The subscribed gate under test. */
  gate: C;
  /** Every wallet that must be refused, the admin included. */
  callers: readonly HardhatEthersSigner[];
  /** A verified wallet with a current copy, which the hooks would rewrite. */
  target: string;
}

/**
 * Each hook rejects every caller, the admin included, with IdentitySubscriberUnauthorized(caller), and the gate's
 * subscription and its copy of the target stay as they were.
 */
export function shouldRefuseRegistryHooks<C extends IdentityGateContract>(
  hooks: readonly RegistryHook<C>[],
  fixture: () => Promise<RegistryHookContext<C>>,
): void {
  for (const { name, call } of hooks) {
    describe(`.${name}()`, function () {
      it("rejects every wallet, the admin included: IdentitySubscriberUnauthorized(caller)", async function () {
        const { gate, callers, target } = await fixture();
        const before = await gateText(gate, target);
        expect(await gate.identitySubscription()).to.deep.equal([true, 1n]);
        expect((await gate.cachedCredentialOf(target)).current, "the target's copy is current").to.equal(true);
        for (const caller of callers) {
          await inCase(
            caller.address,
            expect(call(connected(gate, caller), target))
              .to.be.revertedWithCustomError(gate, "IdentitySubscriberUnauthorized")
              .withArgs(caller.address),
          );
        }
        expect(await gateText(gate, target)).to.equal(before);
      });
    });
  }
}

/** `contract` with `runner` as its signer, typed as the contract it was. */
function connected<C extends BaseContract>(contract: C, runner: ContractRunner): C {
  return contract.connect(runner) as C;
}
