import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { checkedBeforeSending } from "./tx";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ethers } from "ethers";
import type {
  BillLedger,
  BillPayments,
  BusinessCalendar,
  DigitalCurrency,
  EncryptionKeys,
  EnvelopeBoard,
  IdentityRegistry,
  SettlementEngine,
} from "../../typechain-types";

/** The deployed platform contracts, connected to the acting wallet. */
export interface Platform {
  identityRegistry: IdentityRegistry;
  digitalCurrency: DigitalCurrency;
  billLedger: BillLedger;
  billPayments: BillPayments;
  settlementEngine: SettlementEngine;
  businessCalendar: BusinessCalendar;
  encryptionKeys: EncryptionKeys;
  envelopeBoard: EnvelopeBoard;
  signer: HardhatEthersSigner;
  interfaces: ethers.Interface[];
}

const CONTRACTS = {
  identityRegistry: { name: "IdentityRegistry", future: "IdentityRegistry#IdentityRegistry" },
  digitalCurrency: { name: "DigitalCurrency", future: "DigitalCurrency#DigitalCurrency" },
  billLedger: { name: "BillLedger", future: "BillLedger#BillLedger" },
  billPayments: { name: "BillPayments", future: "BillPayments#BillPayments" },
  settlementEngine: { name: "SettlementEngine", future: "SettlementEngine#SettlementEngine" },
  businessCalendar: { name: "BusinessCalendar", future: "BusinessCalendar#BusinessCalendar" },
  encryptionKeys: { name: "EncryptionKeys", future: "EncryptionKeys#EncryptionKeys" },
  envelopeBoard: { name: "EnvelopeBoard", future: "EnvelopeBoard#EnvelopeBoard" },
} as const;

/** The interfaces of every platform contract, to decode any custom error. */
export async function platformInterfaces(hre: HardhatRuntimeEnvironment): Promise<ethers.Interface[]> {
  const names = Object.values(CONTRACTS).map((c) => c.name);
  return Promise.all(names.map(async (n) => new hre.ethers.Interface((await hre.artifacts.readArtifact(n)).abi)));
}

/** The Ignition deployment folder for this network: `--deployment-id`, or Ignition's default `chain-<id>`. */
export async function deploymentDir(hre: HardhatRuntimeEnvironment, deploymentId?: string): Promise<string> {
  const id = deploymentId ?? `chain-${(await hre.ethers.provider.getNetwork()).chainId}`;
  return path.join(hre.config.paths.ignition, "deployments", id);
}

/** Picks the acting wallet: an address or an index among the network's accounts; the first one by default. */
export async function resolveSigner(hre: HardhatRuntimeEnvironment, from?: string): Promise<HardhatEthersSigner> {
  const signers = await hre.ethers.getSigners();
  if (from === undefined || from === "") return signers[0];
  if (/^\d+$/.test(from)) {
    const signer = signers[Number(from)];
    if (!signer) throw new Error(`no account #${from} on this network (it has ${signers.length})`);
    return signer;
  }
  const signer = signers.find((s) => s.address.toLowerCase() === from.toLowerCase());
  if (!signer) throw new Error(`the network has no account ${from} to sign with`);
  return signer;
}

/** How the deploy command was (or is to be) given: module, parameters file, deployment id, further flags. */
export interface DeployCommandOptions {
  deploymentId?: string;
  module?: string;
  parameters?: string;
  extra?: string;
}

/**
 * The command that deploys the platform on `hre`'s network: the project's parameters file for a local node, a
 * placeholder elsewhere (the parameters of a real chain are the operator's).
 */
export function deployCommand(hre: HardhatRuntimeEnvironment, options: DeployCommandOptions = {}): string {
  const local = path.join(hre.config.paths.ignition, "parameters", "local.json");
  const parameters =
    options.parameters ??
    (hre.network.name === "localhost" && fs.existsSync(local)
      ? "ignition/parameters/local.json"
      : "<your parameters file>");
  return [
    `npx hardhat ignition deploy ${options.module ?? "ignition/modules/Platform.ts"}`,
    `--network ${hre.network.name}`,
    `--parameters ${parameters}`,
    options.deploymentId !== undefined ? `--deployment-id ${options.deploymentId}` : "",
    options.extra ?? "",
  ]
    .filter((part) => part !== "")
    .join(" ");
}

/** The command that checks (and repairs what is safe in) the deployment on `hre`'s network. */
export function checkCommand(hre: HardhatRuntimeEnvironment, deploymentId?: string): string {
  const id = deploymentId !== undefined ? ` --deployment-id ${deploymentId}` : "";
  return `npx hardhat platform check --network ${hre.network.name}${id}`;
}

/**
 * Refuses, in one line naming the fix, a deployment whose contracts have no code on the connected chain: the node
 * was restarted or reset since the deploy, or the command runs on another chain that has the same chain id (the
 * in-process Hardhat network, when `--network localhost` was left out). Without this, an act sent to an address
 * without code "succeeds" and changes nothing.
 */
export async function requireCode(
  hre: HardhatRuntimeEnvironment,
  dir: string,
  contracts: { name: string; address: string }[],
  deploymentId?: string,
): Promise<void> {
  const codes = await Promise.all(contracts.map((c) => hre.ethers.provider.getCode(c.address)));
  const missing = contracts.filter((_c, i) => codes[i] === "0x");
  if (missing.length === 0) return;
  const where = path.relative(process.cwd(), dir) || dir;
  if (hre.network.name === "hardhat") {
    throw new Error(
      `the deployment in ${where} is not on the in-process Hardhat network, which starts empty on every run: ` +
        "add --network localhost (or the network it was deployed to)",
    );
  }
  const chainId = (await hre.ethers.provider.getNetwork()).chainId;
  if (missing.length === contracts.length) {
    throw new Error(
      `none of the platform's contracts in ${where} has code on --network ${hre.network.name} (chain ${chainId}): ` +
        "the node was restarted or reset since the deploy, or this is another chain — pick the network with " +
        `--network, or deploy again: ${deployCommand(hre, { deploymentId, extra: "--reset" })}`,
    );
  }
  throw new Error(
    `${missing.map((c) => c.name).join(", ")} of the deployment in ${where} ha${missing.length === 1 ? "s" : "ve"} ` +
      `no code on --network ${hre.network.name} (chain ${chainId}): the deployment does not match this chain — ` +
      checkCommand(hre, deploymentId),
  );
}

/**
 * Loads the platform addresses from the Ignition deployment of the chosen network, and checks that each contract
 * has code there (`requireCode`).
 */
export async function loadPlatform(
  hre: HardhatRuntimeEnvironment,
  options: { from?: string; deploymentId?: string } = {},
): Promise<Platform> {
  const dir = await deploymentDir(hre, options.deploymentId);
  const file = path.join(dir, "deployed_addresses.json");
  const shown = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) {
    throw new Error(
      `no platform deployment at ${shown}: deploy first with ${deployCommand(hre, { deploymentId: options.deploymentId })}`,
    );
  }
  let addresses: Record<string, string>;
  try {
    addresses = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    throw new Error(
      `${shown} is not valid JSON (a deploy interrupted while writing it?): ` +
        `${checkCommand(hre, options.deploymentId)} rebuilds it from the journal`,
    );
  }
  const keys = Object.keys(CONTRACTS) as (keyof typeof CONTRACTS)[];
  const absent = keys.filter((k) => typeof addresses?.[CONTRACTS[k].future] !== "string");
  if (absent.length > 0) {
    throw new Error(
      `the deployment in ${path.relative(process.cwd(), dir) || dir} has no ` +
        `${absent.map((k) => CONTRACTS[k].name).join(", ")}: ${checkCommand(hre, options.deploymentId)} ` +
        "rebuilds the address file from the journal and says what is left to deploy",
    );
  }
  const signer = checkedBeforeSending(await resolveSigner(hre, options.from));
  await requireCode(
    hre,
    dir,
    keys.map((k) => ({ name: CONTRACTS[k].name, address: addresses[CONTRACTS[k].future] })),
    options.deploymentId,
  );
  const at = async (key: keyof typeof CONTRACTS) => {
    const { name, future } = CONTRACTS[key];
    return hre.ethers.getContractAt(name, addresses[future], signer);
  };
  return {
    identityRegistry: (await at("identityRegistry")) as unknown as IdentityRegistry,
    digitalCurrency: (await at("digitalCurrency")) as unknown as DigitalCurrency,
    billLedger: (await at("billLedger")) as unknown as BillLedger,
    billPayments: (await at("billPayments")) as unknown as BillPayments,
    settlementEngine: (await at("settlementEngine")) as unknown as SettlementEngine,
    businessCalendar: (await at("businessCalendar")) as unknown as BusinessCalendar,
    encryptionKeys: (await at("encryptionKeys")) as unknown as EncryptionKeys,
    envelopeBoard: (await at("envelopeBoard")) as unknown as EnvelopeBoard,
    signer,
    interfaces: await platformInterfaces(hre),
  };
}

/** The platform contracts as Ignition deployed them (the demo, the test fixtures). */
export type PlatformContracts = Omit<Platform, "signer" | "interfaces">;

/** `contracts` connected to `signer` as a task's `Platform`: scripts and tests call the tasks' library with it. */
export function connectPlatform(contracts: PlatformContracts, signer: HardhatEthersSigner): Platform {
  const keys = Object.keys(CONTRACTS) as (keyof typeof CONTRACTS)[];
  const connected = Object.fromEntries(keys.map((k) => [k, contracts[k].connect(signer)])) as PlatformContracts;
  return { ...connected, signer, interfaces: keys.map((k) => contracts[k].interface) };
}
