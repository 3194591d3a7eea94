/**
 * The nodes of the node bench: a `hardhat node` and an anvil (the binary of the `@foundry-rs/anvil` npm package),
 * each started on a port of its own, checked to be the node the bench started (not something already listening),
 * and killed on every way out: normal end, failure, Ctrl-C, SIGTERM. The platform is deployed on each with the
 * Ignition CLI, as an operator would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { httpRpc, sleep, type Rpc } from "./rpc";

export const ROOT = path.join(__dirname, "..", "..");
const HARDHAT = path.join(ROOT, "node_modules", ".bin", "hardhat");

export type NodeName = "hardhat" | "anvil";

export interface NodeConfig {
  name: NodeName;
  port: number;
  chainId: number;
  /** anvil's --prune-history (states kept in memory); 0 keeps the whole history. */
  pruneHistory: number;
  /**
   * Whether the Hardhat node keeps logging every request and transaction to its console (its default). Off, the
   * bench turns it off with `hardhat_setLoggingEnabled`: the log costs the node more than a batch's execution
   * (it traces every transaction to print it).
   */
  logging: boolean;
}

export interface RunningNode {
  config: NodeConfig;
  url: string;
  rpc: Rpc;
  version: string;
  logFile: string;
  stop(): Promise<void>;
}

/** Every process the bench started and has not seen exit. */
const children = new Set<ChildProcess>();
let exitHooked = false;

function killAll(signal: NodeJS.Signals) {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}

/** Kills every started process when this one ends, however it ends. */
function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on("exit", () => killAll("SIGKILL"));
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the nodes`);
      killAll("SIGKILL");
      process.exit(code);
    });
  }
}

function track(child: ChildProcess): ChildProcess {
  hookExit();
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), sleep(5_000).then(() => true)]);
  if (timedOut) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Whether something already listens on 127.0.0.1:port. */
function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The anvil binary of the platform's `@foundry-rs/anvil-<os>-<arch>` package (installed by `npm ci`). */
export function anvilBinary(): string {
  const os_ = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform as string];
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  const exe = process.platform === "win32" ? "anvil.exe" : "anvil";
  const candidates: string[] = [];
  if (os_ && arch) {
    try {
      const pkg = require.resolve(`@foundry-rs/anvil-${os_}-${arch}/package.json`, { paths: [ROOT] });
      candidates.push(path.join(path.dirname(pkg), "bin", exe));
    } catch {
      // not installed for this platform: the wrapper package may have downloaded the binary next to itself
    }
  }
  try {
    candidates.push(path.join(path.dirname(require.resolve("@foundry-rs/anvil/package.json", { paths: [ROOT] })), exe));
  } catch {
    // not installed at all
  }
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error("anvil is not installed: run npm ci (devDependency @foundry-rs/anvil)");
  return found;
}

async function waitForRpc(child: ChildProcess, rpc: Rpc, logFile: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the node exited before it answered (log: ${logFile})`);
    }
    try {
      await rpc.request("eth_chainId");
      return;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`the node did not answer within 60 s (log: ${logFile})`);
}

/** Starts `config`'s node and waits until it answers as the node it should be. */
export async function startNode(config: NodeConfig, logDir: string): Promise<RunningNode> {
  const { name, port } = config;
  if (await portTaken(port)) {
    const variable = name === "hardhat" ? "BENCH_NODE_HARDHAT_PORT" : "BENCH_NODE_ANVIL_PORT";
    throw new Error(`port ${port} is already in use: stop what listens there or choose another port with ${variable}`);
  }
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(logDir, `${name}.log`);
  const log = fs.openSync(logFile, "w");
  const [command, args] =
    name === "hardhat"
      ? [HARDHAT, ["node", "--hostname", "127.0.0.1", "--port", String(port)]]
      : [
          anvilBinary(),
          [
            "--host",
            "127.0.0.1",
            "--port",
            String(port),
            "--chain-id",
            String(config.chainId),
            ...(config.pruneHistory > 0 ? ["--prune-history", String(config.pruneHistory)] : []),
          ],
        ];
  const child = track(spawn(command, args, { cwd: ROOT, stdio: ["ignore", log, log] }));
  fs.closeSync(log);
  const rpc = httpRpc(url);
  try {
    await waitForRpc(child, rpc, logFile);
    const chainId = Number(await rpc.request<string>("eth_chainId"));
    const version = await rpc.request<string>("web3_clientVersion");
    const looksRight = name === "hardhat" ? /hardhat/i.test(version) : /anvil/i.test(version);
    if (chainId !== config.chainId || !looksRight) {
      throw new Error(`${url} answers as ${version} on chain ${chainId}: not the ${name} node the bench started`);
    }
    if (name === "hardhat" && !config.logging) await rpc.request("hardhat_setLoggingEnabled", [false]);
    return { config, url, rpc, version, logFile, stop: () => stopProcess(child) };
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
}

/**
 * Deploys the platform on `node` with the Ignition CLI (`ignition/modules/Platform.ts`,
 * `ignition/parameters/local.json`) under a deployment id of the bench's own, and returns the addresses. Any
 * earlier folder of that id is removed first: it would belong to a node that no longer runs.
 */
export async function deployPlatform(node: RunningNode): Promise<Record<string, string>> {
  const deploymentId = `bench-node-${node.config.name}`;
  const dir = path.join(ROOT, "ignition", "deployments", deploymentId);
  fs.rmSync(dir, { recursive: true, force: true });
  const env = {
    ...process.env,
    BILL_DVP_LOCALHOST_URL: node.url,
    // Off chain 31337 (anvil here) Ignition asks for a confirmation first; there is nobody to answer it.
    HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1",
    // The hardhat process transpiles the config and tasks/ through the test suite's cache (test/cachedTranspiler.js).
    TS_NODE_PROJECT: path.join(ROOT, "test", "tsconfig.json"),
  };
  const args = [
    "--network",
    "localhost",
    "ignition",
    "deploy",
    "ignition/modules/Platform.ts",
    "--parameters",
    "ignition/parameters/local.json",
    "--deployment-id",
    deploymentId,
  ];
  const child = track(spawn(HARDHAT, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] }));
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  try {
    if (code !== 0) throw new Error(`ignition deploy failed (exit ${code}):\n${output.trim()}`);
    return JSON.parse(fs.readFileSync(path.join(dir, "deployed_addresses.json"), "utf8")) as Record<string, string>;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A folder for the nodes' logs. */
export function logDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "bill-dvp-bench-node-"));
}
