/**
 * `npm run bench:node`: load on real nodes. Starts a `hardhat node` and an anvil one after the other, deploys the
 * platform on each with the Ignition CLI, sets up a market (3 banks, 20 enterprises, 1,000 enterprises' ranges),
 * then the settlement agent submits 1,000 signed discounts of part of a range to a bank one by one, and 1,000 more
 * in batches of 20; two agents race for the same ranges. Writes trades and transactions per second, p50/p99
 * latency (send to receipt) and gas per trade, per node and mode, to bench/results/node.json, then checks
 * conservation on each chain and exits non-zero if anything broke (README *Load on a real node*).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { conservationChecks, type Check } from "./benchNode/conservation";
import { FULL_MARKET, contractsFrom, measuredOrders, setupMarket, type MarketSize } from "./benchNode/market";
import { deployPlatform, logDirectory, startNode, ROOT, type NodeConfig, type NodeName } from "./benchNode/nodes";
import { TxClient } from "./benchNode/sender";
import { inGroups, runOrders, runRaces, type RunFigures } from "./benchNode/trading";

/** anvil runs on a chain id of its own: 31337 is the Hardhat network's, in process or as `hardhat node`. */
const ANVIL_CHAIN_ID = 31_338;

interface Settings {
  nodes: NodeConfig[];
  size: MarketSize;
  window: number;
}

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}=${raw}: give a whole number ≥ ${min}`);
  return value;
}

function settingsFromEnv(): Settings {
  const only = process.env.BENCH_NODE_ONLY;
  if (only !== undefined && only !== "" && only !== "hardhat" && only !== "anvil") {
    throw new Error(`BENCH_NODE_ONLY=${only}: give hardhat or anvil`);
  }
  const all: NodeConfig[] = [
    {
      name: "hardhat",
      port: intFromEnv("BENCH_NODE_HARDHAT_PORT", 18_545, 1),
      chainId: 31_337,
      pruneHistory: 0,
      logging: process.env.BENCH_NODE_HARDHAT_LOGGING === "1",
    },
    {
      name: "anvil",
      port: intFromEnv("BENCH_NODE_ANVIL_PORT", 18_546, 1),
      chainId: ANVIL_CHAIN_ID,
      pruneHistory: intFromEnv("BENCH_NODE_ANVIL_PRUNE_HISTORY", 100, 0),
      logging: true,
    },
  ];
  const ranges = intFromEnv("BENCH_NODE_RANGES", FULL_MARKET.ranges, 2);
  return {
    nodes: all.filter((n) => !only || n.name === only),
    size: { ...FULL_MARKET, ranges, races: Math.min(FULL_MARKET.races, ranges) },
    window: intFromEnv("BENCH_NODE_WINDOW", 4, 1),
  };
}

interface NodeResult {
  client: string;
  chainId: number;
  pruneHistory?: number;
  /** The Hardhat node's console log of every request (BENCH_NODE_HARDHAT_LOGGING=1). */
  logging?: boolean;
  single?: RunFigures;
  batch20?: RunFigures;
  setupTransactions?: number;
  seconds: Record<string, number>;
  /** The machine's 1-minute load average when the node started and when its checks ended (2 cores here). */
  load?: { start: number; end: number };
  checks?: Check[];
  error?: string;
}

const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

async function benchNode(config: NodeConfig, settings: Settings, logDir: string): Promise<NodeResult> {
  const log = (line: string) => console.log(line);
  const times: Record<string, number> = {};
  let t = performance.now();
  const node = await startNode(config, logDir);
  const loadStart = Math.round(os.loadavg()[0] * 10) / 10;
  const result: NodeResult = { client: node.version, chainId: config.chainId, seconds: times };
  if (config.name === "anvil") result.pruneHistory = config.pruneHistory;
  if (config.name === "hardhat") result.logging = config.logging;
  times.start = seconds(t);
  log(`${config.name}: ${node.version} on ${node.url}, chain ${config.chainId} (log: ${node.logFile})`);
  try {
    t = performance.now();
    const contracts = contractsFrom(await deployPlatform(node));
    times.deploy = seconds(t);
    log(`  deployed with Ignition in ${times.deploy} s`);

    t = performance.now();
    const client = new TxClient(node.rpc, BigInt(config.chainId), settings.window);
    const market = await setupMarket(client, contracts, settings.size, log);
    result.setupTransactions = market.setupTransactions;
    times.setup = seconds(t);
    log(`  market set up: ${market.setupTransactions} transactions in ${times.setup} s`);

    t = performance.now();
    const orders = measuredOrders(market);
    times.sign = seconds(t);
    const agent = market.cast.agents[0];

    t = performance.now();
    const single = await runOrders(
      client,
      market,
      agent,
      orders.single.map((o) => [o]),
    );
    times.single = seconds(t);
    result.single = single.figures;
    log(`  single: ${describe(single.figures)}`);

    t = performance.now();
    const batches = inGroups(orders.batch, settings.size.batchSize);
    const batch = await runOrders(client, market, agent, batches);
    times.batch20 = seconds(t);
    result.batch20 = batch.figures;
    log(`  batch${settings.size.batchSize}: ${describe(batch.figures)}`);

    t = performance.now();
    const races = await runRaces(client, market);
    times.races = seconds(t);

    t = performance.now();
    const winners = races.flatMap((r) => (r.winner ? [r.winner] : []));
    const settled = [...orders.single, ...orders.batch, ...winners];
    result.checks = await conservationChecks(node.rpc, { market, settled, batches, races });
    times.checks = seconds(t);
    result.load = { start: loadStart, end: Math.round(os.loadavg()[0] * 10) / 10 };
    for (const c of result.checks) log(`  ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`);
    return result;
  } finally {
    await node.stop();
  }
}

function describe(f: RunFigures): string {
  return (
    `${f.trades} trades in ${f.transactions} transactions, ${f.seconds} s: ${f.tradesPerSecond} trades/s, ` +
    `${f.transactionsPerSecond} tx/s, latency p50 ${f.latencyMs.p50} ms p99 ${f.latencyMs.p99} ms, ` +
    `(accepted p50 ${f.acceptMs.p50} ms), ${f.gasPerTrade.toLocaleString("en-US")} gas/trade` +
    (f.resends > 0 ? `, ${f.resends} resends` : "")
  );
}

function table(results: Record<string, NodeResult>): string {
  const rows = [["node", "mode", "trades/s", "tx/s", "p50 ms", "p99 ms", "gas/trade"]];
  for (const [name, r] of Object.entries(results)) {
    for (const [mode, f] of [
      ["single", r.single],
      ["batch20", r.batch20],
    ] as const) {
      if (!f) continue;
      rows.push([
        name,
        mode,
        String(f.tradesPerSecond),
        String(f.transactionsPerSecond),
        String(f.latencyMs.p50),
        String(f.latencyMs.p99),
        f.gasPerTrade.toLocaleString("en-US"),
      ]);
    }
  }
  const widths = rows[0].map((_c, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}

async function main() {
  const started = performance.now();
  const settings = settingsFromEnv();
  await hre.run("compile", { quiet: true });
  const logDir = logDirectory();
  const results: Record<string, NodeResult> = {};
  let ok = true;
  for (const config of settings.nodes) {
    try {
      results[config.name] = await benchNode(config, settings, logDir);
      ok &&= results[config.name].checks!.every((c) => c.ok);
    } catch (error) {
      ok = false;
      const message = error instanceof Error ? error.message : String(error);
      console.error(`${config.name}: ${message}`);
      results[config.name] = { client: config.name, chainId: config.chainId, seconds: {}, error: message };
    }
  }
  const out = path.join(ROOT, "bench", "results", "node.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const report = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    market: { banks: 3, ...settings.size, window: settings.window },
    totalSeconds: seconds(started),
    nodes: results as Record<NodeName, NodeResult>,
  };
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
  console.log(`\n${table(results)}\n\nwritten to ${path.relative(process.cwd(), out)} (${report.totalSeconds} s)`);
  if (!ok) {
    console.error("the node bench FAILED: see above");
    process.exitCode = 1;
  }
  const keepLogs = (!ok || process.env.BENCH_NODE_KEEP_LOGS === "1") && fs.readdirSync(logDir).length > 0;
  if (!keepLogs) fs.rmSync(logDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
