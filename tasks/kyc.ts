import { scope, types } from "hardhat/config";
import type { ContractTransactionReceipt } from "ethers";
import { commonParams, runCommand, type CommonArgs } from "./lib/cli";
import {
  entityIdOf,
  entityRows,
  parseEntityKind,
  registerEntity,
  reinstateEntity,
  renewEntity,
  revokeEntity,
  showIdentity,
  suspendEntity,
} from "./lib/identity";
import { table } from "./lib/output";
import { parseExpiry } from "./lib/inputs";

const kyc = scope("kyc", "Shared KYC identity registry: register, renew, suspend, reinstate, revoke, show");

interface CodeArgs extends CommonArgs {
  code: string;
}

const common = commonParams;

const receiptLine = (what: string) => (r: { receipt?: ContractTransactionReceipt | null; entityId: string }) =>
  `${what}: entity ${r.entityId} (tx ${r.receipt?.hash})`;

common(
  kyc
    .task("register", "Verify a legal person and link its wallets (KYC provider)")
    .addParam("code", "unified social credit code (only its hash goes on chain)")
    .addParam("kind", "Enterprise | Bank | FinanceCompany | CentralBank | Regulator")
    .addParam("wallets", "comma-separated wallet addresses")
    .addOptionalParam("jurisdiction", "ISO 3166 code", "CN")
    .addOptionalParam("expires", "expiry: ISO date (2027-12-31) or +<days>d", "+365d", types.string),
).setAction(async (args: CodeArgs & { kind: string; wallets: string; jurisdiction: string; expires: string }, hre) =>
  runCommand(
    hre,
    args,
    async ({ identityRegistry }) => {
      const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
      return registerEntity(identityRegistry, {
        code: args.code,
        kind: parseEntityKind(args.kind),
        jurisdiction: args.jurisdiction,
        expiresAt: parseExpiry(args.expires, now),
        wallets: args.wallets.split(",").map((w) => w.trim()),
      });
    },
    receiptLine("registered"),
  ),
);

common(
  kyc
    .task("renew", "Set a new expiry for an entity you verified (KYC provider)")
    .addParam("code", "unified social credit code")
    .addParam("expires", "expiry: ISO date (2027-12-31) or +<days>d"),
).setAction(async (args: CodeArgs & { expires: string }, hre) =>
  runCommand(
    hre,
    args,
    async ({ identityRegistry }) => {
      const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
      const expiresAt = parseExpiry(args.expires, now);
      const receipt = await renewEntity(identityRegistry, args.code, expiresAt);
      return { entityId: entityIdOf(args.code), expiresAt: new Date(Number(expiresAt) * 1000).toISOString(), receipt };
    },
    (r) => `renewed: entity ${r.entityId} now verified until ${r.expiresAt}`,
  ),
);

const statusTask = (name: string, description: string, act: typeof suspendEntity, verb: string) =>
  common(kyc.task(name, description).addParam("code", "unified social credit code")).setAction(
    async (args: CodeArgs, hre) =>
      runCommand(
        hre,
        args,
        async ({ identityRegistry }) => ({
          entityId: entityIdOf(args.code),
          receipt: await act(identityRegistry, args.code),
        }),
        receiptLine(verb),
      ),
  );

statusTask(
  "suspend",
  "Suspend an entity you verified; its wallets stop at once (KYC provider)",
  suspendEntity,
  "suspended",
);
statusTask("reinstate", "Lift your suspension of an entity (KYC provider)", reinstateEntity, "reinstated");
statusTask("revoke", "Revoke any entity for good (registry admin)", revokeEntity, "revoked");

common(
  kyc.task("show", "What the registry says of a wallet or an entity").addParam("who", "wallet address or credit code"),
).setAction(async (args: CommonArgs & { who: string }, hre) =>
  runCommand(
    hre,
    args,
    ({ identityRegistry }) => showIdentity(identityRegistry, args.who),
    (v) => table([...entityRows(v), { field: "wallets", value: v.wallets.join(", ") }]),
  ),
);
