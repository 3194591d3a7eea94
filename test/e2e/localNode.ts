/**
 * A real `hardhat node` for the end-to-end tests, with the platform deployed from the command line by Ignition
 * (`ignition/parameters/local.json`) under a deployment id of its own, and the tasks run as separate processes.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.join(__dirname, "..", "..");
export const HARDHAT = path.join(ROOT, "node_modules", ".bin", "hardhat");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The signal that ended the process, if one did. */
  signal?: NodeJS.Signals | null;
}

export interface NodeProcess {
  url: string;
  port: number;
  /** The environment of every process run against this node. */
  env: NodeJS.ProcessEnv;
  /** Runs `hardhat <args>` (no network chosen) in the project, with this node as `localhost`. */
  hardhat: (...args: string[]) => CliResult;
  /** The same, without blocking: several commands can run at once. */
  hardhatAsync: (args: string[], env?: NodeJS.ProcessEnv) => Promise<CliResult>;
  /** Sends one JSON-RPC request to the node. */
  rpc: (method: string, params?: unknown[]) => Promise<unknown>;
  /** Stops the node and starts a new one on the same port: an empty chain with the same chain id. */
  restart: () => Promise<void>;
  stop: () => void;
}

export interface LocalNode extends NodeProcess {
  deploymentId: string;
  /** The deployment's contract addresses by Ignition future id. */
  addresses: Record<string, string>;
  /** Runs `hardhat --network localhost <args>` against this node. */
  cli: (...args: string[]) => CliResult;
  /** Runs a task against this node's deployment. */
  task: (...args: string[]) => CliResult;
  /** Stops the node and removes the deployment's folder. */
  stop: () => void;
}

async function waitForNode(node: ChildProcess, url: string) {
  for (let i = 0; i < 120; i++) {
    if (node.exitCode !== null) throw new Error("hardhat node exited early");
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("hardhat node did not start");
}

/**
 * Starts a `hardhat node` on a random port in [portBase, portBase + 300) (give each test file its own range, so
 * files can run in one `hardhat test`).
 */
export async function startNode(portBase: number): Promise<NodeProcess> {
  const port = portBase + Math.floor(Math.random() * 300);
  const url = `http://127.0.0.1:${port}`;
  // TS_NODE_PROJECT: each process transpiles the config and tasks/ through a cache (see test/cachedTranspiler.js).
  const tsProject = path.join(ROOT, "test", "tsconfig.json");
  const env = { ...process.env, BILL_DVP_LOCALHOST_URL: url, TS_NODE_PROJECT: tsProject };
  const hardhat = (...args: string[]): CliResult => {
    const result = spawnSync(HARDHAT, args, { cwd: ROOT, env, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
  };
  const hardhatAsync = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    new Promise<CliResult>((resolve) => {
      const child = spawn(HARDHAT, args, { cwd: ROOT, env: { ...env, ...extraEnv } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code, signal) => resolve({ code, signal, stdout: stdout.trim(), stderr: stderr.trim() }));
    });
  const rpc = async (method: string, params: unknown[] = []) => {
    const post = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      });
    // A kept-alive connection the node has closed meanwhile fails once ("other side closed"): ask again.
    const res = await post().catch(post);
    const body = (await res.json()) as { result?: unknown; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  };
  const launch = () => spawn(HARDHAT, ["node", "--port", String(port)], { cwd: ROOT, env, stdio: "ignore" });
  let node = launch();
  const stop = () => {
    node.kill();
  };
  const restart = async () => {
    const exited = new Promise((resolve) => node.once("exit", resolve));
    if (node.exitCode === null) node.kill();
    await exited;
    node = launch();
    await waitForNode(node, url);
  };
  try {
    await waitForNode(node, url);
  } catch (error) {
    stop();
    throw error;
  }
  return { url, port, env, hardhat, hardhatAsync, rpc, restart, stop };
}

/** Starts a node (see `startNode`) and deploys the platform on it, under a deployment id of its own. */
export async function startLocalNode(portBase: number, label: string): Promise<LocalNode> {
  const node = await startNode(portBase);
  const deploymentId = `${label}-${node.port}`;
  const cli = (...args: string[]) => node.hardhat("--network", "localhost", ...args);
  const deploymentDir = path.join(ROOT, "ignition", "deployments", deploymentId);
  const stop = () => {
    node.stop();
    fs.rmSync(deploymentDir, { recursive: true, force: true });
  };
  try {
    const deploy = cli(
      "ignition",
      "deploy",
      "ignition/modules/Platform.ts",
      "--parameters",
      "ignition/parameters/local.json",
      "--deployment-id",
      deploymentId,
    );
    if (deploy.code !== 0) throw new Error(`ignition deploy failed: ${deploy.stderr}`);
  } catch (error) {
    stop();
    throw error;
  }
  const addresses = JSON.parse(fs.readFileSync(path.join(deploymentDir, "deployed_addresses.json"), "utf8")) as Record<
    string,
    string
  >;
  return {
    ...node,
    deploymentId,
    addresses,
    cli,
    task: (...args) => cli(...args, "--deployment-id", deploymentId),
    stop,
  };
}
