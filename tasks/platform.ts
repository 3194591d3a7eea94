import fs from "node:fs";
import path from "node:path";
import { scope } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { runLocal } from "./lib/cli";
import { checkCommand, deployCommand, deploymentDir } from "./lib/deployment";
import { checkDeployment, reportLines, type ChainTransaction, type ChainView } from "./lib/deploymentCheck";

const platform = scope("platform", "The platform's deployment: check it against its journal and the chain");

interface CheckArgs {
  deploymentId?: string;
  module: string;
  parameters?: string;
  dryRun: boolean;
  json: boolean;
}

/** The chain as the check reads it, through the network's provider. */
function chainOf(hre: HardhatRuntimeEnvironment): ChainView {
  const provider = hre.ethers.provider;
  const quantity = (n: number) => `0x${n.toString(16)}`;
  return {
    chainId: async () => Number((await provider.getNetwork()).chainId),
    code: (address) => provider.getCode(address),
    nonce: (address, block) => provider.getTransactionCount(address, block),
    blockNumber: () => provider.getBlockNumber(),
    blockHash: async (number) => (await provider.getBlock(number))?.hash ?? undefined,
    blockTransactions: async (block) => {
      const raw = (await provider.send("eth_getBlockByNumber", [quantity(block), true])) as {
        transactions: { hash: string; from: string; nonce: string; to: string | null; input: string; value: string }[];
      } | null;
      return (raw?.transactions ?? []).map((tx): ChainTransaction => ({
        hash: tx.hash,
        from: tx.from,
        nonce: Number(tx.nonce),
        to: tx.to,
        data: tx.input,
        value: BigInt(tx.value),
      }));
    },
    transactionStatus: async (hash) => {
      const tx = (await provider.send("eth_getTransactionByHash", [hash])) as { blockNumber: string | null } | null;
      return tx === null ? "unknown" : tx.blockNumber === null ? "pending" : "mined";
    },
  };
}

/** The ids of every future of the Ignition module in `file`, its submodules' included. */
function futureIdsOf(file: string): string[] {
  interface ModuleLike {
    futures: Set<{ id: string }>;
    submodules: Set<ModuleLike>;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(file) as { default?: ModuleLike };
  if (!loaded.default?.futures) throw new Error(`${file} does not export an Ignition module as its default`);
  const ids = new Set<string>();
  const visit = (m: ModuleLike) => {
    m.futures.forEach((f) => ids.add(f.id));
    m.submodules.forEach(visit);
  };
  visit(loaded.default);
  return [...ids];
}

platform
  .task(
    "check",
    "Compare the deployment's files, its journal and the chain; repair the address file; print the command for the rest",
  )
  .addOptionalParam("deploymentId", "Ignition deployment id (default: chain-<chainId>)")
  .addOptionalParam("module", "the module the deployment runs", "ignition/modules/Platform.ts")
  .addOptionalParam(
    "parameters",
    "the parameters file to name in the deploy command (default: local.json on localhost)",
  )
  .addFlag("dryRun", "repair nothing: only say what would be repaired")
  .addFlag("json", "print JSON")
  .setAction(async (args: CheckArgs, hre) =>
    runLocal(
      hre,
      args,
      async () => {
        if (hre.network.name === "hardhat") {
          throw new Error(
            "the in-process Hardhat network starts empty on every run and holds no deployment: " +
              "add --network localhost (or the network the deployment is on)",
          );
        }
        const modulePath = path.resolve(hre.config.paths.root, args.module);
        if (!fs.existsSync(modulePath)) throw new Error(`no module at ${args.module}`);
        const dir = await deploymentDir(hre, args.deploymentId);
        const deploymentId = path.basename(dir);
        const report = await checkDeployment(chainOf(hre), {
          dir,
          deploymentId,
          network: hre.network.name,
          deployCommand: deployCommand(hre, {
            deploymentId: args.deploymentId,
            module: args.module,
            parameters: args.parameters,
          }),
          checkCommand: checkCommand(hre, args.deploymentId),
          expectedFutures: futureIdsOf(modulePath),
          repair: !args.dryRun,
        });
        if (!report.complete) process.exitCode = 1;
        return { ...report, dir: path.relative(hre.config.paths.root, dir) };
      },
      (report) => reportLines(report).join("\n"),
    ),
  );
