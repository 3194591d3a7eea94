import type { ConfigurableTaskDefinition, HardhatRuntimeEnvironment } from "hardhat/types";
import { describeError } from "./errors";
import { checkArgs } from "./inputs";
import { json } from "./output";
import { loadPlatform, platformInterfaces, type Platform } from "./deployment";
import { TxTimeoutError, txTimeoutSeconds } from "./tx";

export interface CommonArgs {
  from?: string;
  deploymentId?: string;
  json: boolean;
}

/**
 * Runs one command: loads the platform as the acting wallet, runs `body`, prints its result as text or JSON.
 * A refused act prints one line — the decoded custom error and its meaning — and sets a non-zero exit code.
 */
export async function runCommand<T>(
  hre: HardhatRuntimeEnvironment,
  args: CommonArgs,
  body: (platform: Platform) => Promise<T>,
  render: (result: T) => string,
): Promise<void> {
  await runLocal(
    hre,
    args,
    async () => body(await loadPlatform(hre, { from: args.from, deploymentId: args.deploymentId })),
    render,
  );
}

/** Runs a command that needs no deployment (e.g. making a key file), printing and failing like `runCommand`. */
export async function runLocal<T>(
  hre: HardhatRuntimeEnvironment,
  args: { json: boolean },
  body: () => Promise<T>,
  render: (result: T) => string,
): Promise<void> {
  try {
    txTimeoutSeconds(); // a wrong BILL_DVP_TX_TIMEOUT is refused before anything is sent
    checkArgs(args as unknown as Record<string, unknown>); // addresses, credit codes: before anything is read
    const result = await body();
    console.log(args.json ? json(result) : render(result));
  } catch (error) {
    const line =
      error instanceof TxTimeoutError
        ? error.describe(hre.network.name)
        : describeError(error, await platformInterfaces(hre).catch(() => []), hre.network);
    if (args.json) console.log(json({ error: line }));
    else console.error(`error: ${line}`);
    process.exitCode = 1;
  }
}

/** The parameters every command takes. */
export function commonParams(task: ConfigurableTaskDefinition): ConfigurableTaskDefinition {
  return task
    .addOptionalParam("from", "acting wallet: address or account index (default: account 0)")
    .addOptionalParam("deploymentId", "Ignition deployment id (default: chain-<chainId>)")
    .addFlag("json", "print JSON");
}
