import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import { vars } from "hardhat/config";
// hardhat-toolbox's plugins, in its order, but the gas reporter only when it reports (REPORT_GAS=1): loading it, and
// viem with it, costs every hardhat process ~0.2 s, each task command included, for nothing when it is off.
import "@nomicfoundation/hardhat-chai-matchers";
import "@nomicfoundation/hardhat-ethers";
import "@nomicfoundation/hardhat-verify";
import "@nomicfoundation/hardhat-ignition-ethers";
import "@typechain/hardhat";
import type {} from "hardhat-gas-reporter/dist/type-extensions";
// eslint-disable-next-line @typescript-eslint/no-require-imports
if (process.env.REPORT_GAS === "1") require("hardhat-gas-reporter");
import "solidity-coverage";
import "./tasks";

const SOLC_VERSION = "0.8.30";

// The build never touches the network: the compiler is the solc-js build shipped in the npm `solc` package.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  const compilerPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");
  return { compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: SOLC_VERSION };
});

// Remote chain settings come from the environment or `npx hardhat vars set`; nothing secret is committed.
const rpcUrl = process.env.BILL_DVP_RPC_URL ?? (vars.has("BILL_DVP_RPC_URL") ? vars.get("BILL_DVP_RPC_URL") : "");
const deployerKey =
  process.env.BILL_DVP_PRIVATE_KEY ?? (vars.has("BILL_DVP_PRIVATE_KEY") ? vars.get("BILL_DVP_PRIVATE_KEY") : "");

function compilerSettings(runs: number) {
  return { evmVersion: "cancun", viaIR: true, optimizer: { enabled: true, runs } };
}

const config: HardhatUserConfig = {
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: compilerSettings(10_000) }],
    overrides: {
      // The engine at 500 runs keeps 2.3 KB of headroom; at 10,000 runs it would be 25.8 KB, over the limit.
      "contracts/settlement/SettlementEngine.sol": { version: SOLC_VERSION, settings: compilerSettings(500) },
      // The ledger at 1,000 runs keeps 3.2 KB of headroom; at 10,000 runs it would keep under 1 KB.
      "contracts/token/BillLedger.sol": { version: SOLC_VERSION, settings: compilerSettings(1_000) },
    },
  },
  networks: {
    localhost: { url: process.env.BILL_DVP_LOCALHOST_URL ?? "http://127.0.0.1:8545" },
    ...(rpcUrl ? { remote: { url: rpcUrl, accounts: deployerKey ? [deployerKey] : [] } } : {}),
  },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "1",
    offline: true,
    currency: "USD",
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 120_000, jobs: 2 },
};

export default config;
