import { ethers } from "ethers";
import type { IdentityRegistry } from "../../typechain-types";
import { mined } from "./tx";

/** Mirrors `IIdentityRegistry.EntityKind`. */
export enum EntityKind {
  None = 0,
  Enterprise = 1,
  Bank = 2,
  FinanceCompany = 3,
  CentralBank = 4,
  Regulator = 5,
  System = 6,
}

/** Mirrors `IIdentityRegistry.EntityStatus`. */
export enum EntityStatus {
  None = 0,
  Active = 1,
  Suspended = 2,
  Revoked = 3,
}

const ENTITY_ID_DOMAIN = "bill-dvp:uscc:";

/**
 * The on-chain id of a legal person: keccak256 of a fixed prefix and its unified social credit code
 * (upper-cased, trimmed). The plain code never goes on chain.
 */
export function entityIdOf(code: string): string {
  const normalized = code.trim().toUpperCase();
  if (normalized.length === 0) throw new Error("the unified social credit code is empty");
  return ethers.keccak256(ethers.toUtf8Bytes(ENTITY_ID_DOMAIN + normalized));
}

/** "CN-SH" → bytes32, right-padded. */
export function jurisdictionToBytes32(jurisdiction: string): string {
  return ethers.encodeBytes32String(jurisdiction.trim().toUpperCase());
}

export function jurisdictionFromBytes32(value: string): string {
  return ethers.decodeBytes32String(value);
}

export function parseEntityKind(name: string): EntityKind {
  const match = Object.entries(EntityKind).find(
    ([key, value]) => typeof value === "number" && key.toLowerCase() === name.trim().toLowerCase(),
  );
  if (!match || match[1] === EntityKind.None || match[1] === EntityKind.System) {
    throw new Error(`unknown entity kind "${name}" (use Enterprise, Bank, FinanceCompany, CentralBank or Regulator)`);
  }
  return match[1] as EntityKind;
}

export interface EntityRegistration {
  code: string;
  kind: EntityKind;
  jurisdiction: string;
  expiresAt: bigint;
  wallets: string[];
}

/** Registers and verifies an entity; `registry` must be connected to a KYC provider. */
export async function registerEntity(registry: IdentityRegistry, r: EntityRegistration) {
  const entityId = entityIdOf(r.code);
  const receipt = await mined(
    registry.registerEntity(entityId, r.kind, jurisdictionToBytes32(r.jurisdiction), r.expiresAt, r.wallets),
  );
  return { entityId, receipt };
}

export async function renewEntity(registry: IdentityRegistry, code: string, expiresAt: bigint) {
  return mined(registry.renewEntity(entityIdOf(code), expiresAt));
}

export async function suspendEntity(registry: IdentityRegistry, code: string) {
  return mined(registry.suspendEntity(entityIdOf(code)));
}

export async function reinstateEntity(registry: IdentityRegistry, code: string) {
  return mined(registry.reinstateEntity(entityIdOf(code)));
}

export async function revokeEntity(registry: IdentityRegistry, code: string) {
  return mined(registry.revokeEntity(entityIdOf(code)));
}

/** An entity's record in the registry, readable. */
export interface EntityRecordView {
  entityId: string;
  kind: string;
  status: string;
  /** Active and not expired at the latest block. */
  verified: boolean;
  expiresAt: string;
  provider: string;
  jurisdiction: string;
}

export interface IdentityView extends EntityRecordView {
  wallet?: string;
  wallets: string[];
}

/** The registry's record of `entityId`, read as the registry's runner. */
export async function entityRecord(registry: IdentityRegistry, entityId: string): Promise<EntityRecordView> {
  const record = await registry.entity(entityId);
  const now = BigInt((await registry.runner!.provider!.getBlock("latest"))!.timestamp);
  return {
    entityId,
    kind: EntityKind[Number(record.kind)],
    status: EntityStatus[Number(record.status)],
    verified: record.status === BigInt(EntityStatus.Active) && now < record.expiresAt,
    expiresAt: new Date(Number(record.expiresAt) * 1000).toISOString(),
    provider: record.provider,
    jurisdiction: jurisdictionFromBytes32(record.jurisdiction),
  };
}

/** The rows of an entity's record, for `table`. */
export function entityRows(e: EntityRecordView): { field: string; value: string }[] {
  return [
    { field: "entity id", value: e.entityId },
    { field: "kind", value: e.kind },
    { field: "status", value: e.status },
    { field: "verified now", value: e.verified ? "yes" : "no" },
    { field: "expires", value: e.expiresAt },
    { field: "verified by", value: e.provider },
    { field: "jurisdiction", value: e.jurisdiction },
  ];
}

/** What the registry says of a wallet (0x…) or of an entity (by its code). */
export async function showIdentity(registry: IdentityRegistry, walletOrCode: string): Promise<IdentityView> {
  let wallet: string | undefined;
  let entityId: string;
  if (ethers.isAddress(walletOrCode)) {
    wallet = ethers.getAddress(walletOrCode);
    const identity = await registry.identityOf(wallet);
    if (identity.kind === BigInt(EntityKind.System)) {
      return {
        wallet,
        entityId: ethers.ZeroHash,
        kind: "System",
        status: "Active",
        verified: identity.verified,
        expiresAt: "never",
        provider: "-",
        jurisdiction: "-",
        wallets: [wallet],
      };
    }
    entityId = identity.entityId;
    if (entityId === ethers.ZeroHash) throw new Error(`wallet ${wallet} is not linked to any entity`);
  } else {
    entityId = entityIdOf(walletOrCode);
  }
  return { wallet, ...(await entityRecord(registry, entityId)), wallets: [...(await registry.walletsOf(entityId))] };
}
