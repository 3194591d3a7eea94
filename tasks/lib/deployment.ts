import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
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

/** Loads the platform addresses from the Ignition deployment of the chosen network. */
export async function loadPlatform(
  hre: HardhatRuntimeEnvironment,
  options: { from?: string; deploymentId?: string } = {},
): Promise<Platform> {
  const dir = await deploymentDir(hre, options.deploymentId);
  const file = path.join(dir, "deployed_addresses.json");
  if (!fs.existsSync(file)) {
    throw new Error(
      `no platform deployment at ${path.relative(process.cwd(), file)}: deploy first with ` +
        `npx hardhat ignition deploy ignition/modules/Platform.ts --network ${hre.network.name}`,
    );
  }
  const addresses = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  const signer = await resolveSigner(hre, options.from);
  const at = async (key: keyof typeof CONTRACTS) => {
    const { name, future } = CONTRACTS[key];
    const address = addresses[future];
    if (!address) throw new Error(`the deployment in ${dir} has no ${name}`);
    return hre.ethers.getContractAt(name, address, signer);
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
