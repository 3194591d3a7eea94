/**
 * The node bench's market: the cast (3 banks, N enterprises, the central bank, two settlement agents), its KYC,
 * money and bills, and the signed discount orders the agent submits. Everything goes through `TxClient`: raw
 * transactions with explicit nonces and gas limits, every receipt's status checked.
 */
import { HDNodeWallet, Interface, TypedDataEncoder, Wallet, ZeroHash, id, keccak256, toUtf8Bytes } from "ethers";
import type { BaseWallet, TypedDataDomain } from "ethers";
import { BillType, cstDayOf, startOfCstDay } from "../../tasks/lib/bills";
import {
  TERMS_TYPES,
  TradeKind,
  billLeg,
  discountProceeds,
  rollForward,
  tokenLeg,
  type Terms,
} from "../../tasks/lib/dvp";
import { EntityKind, entityIdOf, jurisdictionToBytes32 } from "../../tasks/lib/identity";
import {
  BillLedger__factory,
  BillPayments__factory,
  DigitalCurrency__factory,
  IdentityRegistry__factory,
  SettlementEngine__factory,
} from "../../typechain-types";
import { mapLimit, sleep, type Rpc } from "./rpc";
import type { Mined, TxClient } from "./sender";

/** The mnemonic of the Hardhat node's and anvil's default accounts (and of the in-process network's). */
export const DEFAULT_MNEMONIC = "test test test test test test test test test test test junk";

export const IFACE = {
  registry: IdentityRegistry__factory.createInterface(),
  currency: DigitalCurrency__factory.createInterface(),
  ledger: BillLedger__factory.createInterface(),
  payments: BillPayments__factory.createInterface(),
  engine: SettlementEngine__factory.createInterface(),
};

/** Decodes a platform custom error from revert data: `Name(arg, …)`, or the raw data if no contract declares it. */
export function decodeError(data: string | undefined): { name: string; args: unknown[]; text: string } | undefined {
  if (!data || data === "0x") return undefined;
  for (const iface of Object.values(IFACE) as Interface[]) {
    const parsed = iface.parseError(data);
    if (parsed) return { name: parsed.name, args: [...parsed.args], text: `${parsed.name}(${parsed.args.join(", ")})` };
  }
  return { name: data.slice(0, 10), args: [], text: data };
}

/** The platform's addresses, from Ignition's `deployed_addresses.json`. */
export interface Contracts {
  registry: string;
  currency: string;
  ledger: string;
  payments: string;
  engine: string;
}

export function contractsFrom(addresses: Record<string, string>): Contracts {
  const at = (future: string) => {
    const address = addresses[future];
    if (!address) throw new Error(`the deployment has no ${future}`);
    return address;
  };
  return {
    registry: at("IdentityRegistry#IdentityRegistry"),
    currency: at("DigitalCurrency#DigitalCurrency"),
    ledger: at("BillLedger#BillLedger"),
    payments: at("BillPayments#BillPayments"),
    engine: at("SettlementEngine#SettlementEngine"),
  };
}

export interface MarketSize {
  enterprises: number;
  /** Enterprises' ranges: one bill each; each gets one discount submitted alone and one in a batch. */
  ranges: number;
  batchSize: number;
  /** Rounds of two agents racing for one range (half in one block, half back to back). */
  races: number;
}

export const FULL_MARKET: MarketSize = { enterprises: 20, ranges: 1_000, batchSize: 20, races: 20 };

/**
 * Who acts. The first four come from the default mnemonic, as `ignition/parameters/local.json` names them: the
 * deployer (admin, and the settlement agent the deployment grants AGENT_ROLE), the central bank (issuer), and
 * banks A and B (the KYC providers). Bank C, the enterprises and the second agent are wallets of the bench's own,
 * funded by the deployer.
 */
export interface Cast {
  admin: BaseWallet;
  centralBank: BaseWallet;
  banks: BaseWallet[];
  enterprises: BaseWallet[];
  /** [the deployment's agent, a second agent the admin grants AGENT_ROLE] */
  agents: BaseWallet[];
}

let accountsRoot: HDNodeWallet | undefined;
const mnemonicAccount = (index: number) =>
  (accountsRoot ??= HDNodeWallet.fromPhrase(DEFAULT_MNEMONIC, undefined, "m/44'/60'/0'/0")).deriveChild(index);
const benchWallet = (name: string) => new Wallet(keccak256(toUtf8Bytes(`bill-dvp bench-node wallet ${name}`)));

export function castOf(size: MarketSize): Cast {
  const admin = mnemonicAccount(0);
  return {
    admin,
    centralBank: mnemonicAccount(1),
    banks: [mnemonicAccount(2), mnemonicAccount(3), benchWallet("bank C")],
    enterprises: Array.from({ length: size.enterprises }, (_, i) => benchWallet(`enterprise ${i}`)),
    agents: [admin, benchWallet("agent 2")],
  };
}

/** Every wallet of the cast, each once. */
export function castWallets(cast: Cast): string[] {
  const all = [cast.admin, cast.centralBank, ...cast.banks, ...cast.enterprises, ...cast.agents].map((w) => w.address);
  return [...new Set(all)];
}

/** One enterprise's range: a bill of its own, cut into the parts the bench trades. */
export interface RangeRecord {
  index: number;
  billId: bigint;
  face: bigint;
  maturityDay: number;
  holder: BaseWallet;
  acceptor: BaseWallet;
  /** The bank that discounts it. */
  buyer: BaseWallet;
  /** A third bank: the other side of a conflicting order in a race. */
  rival: BaseWallet;
  rate: bigint;
  /** Units discounted alone, in a batch, and raced for; the rest stays with the holder. */
  parts: { single: bigint; batch: bigint; race: bigint };
}

export interface Market {
  size: MarketSize;
  cast: Cast;
  contracts: Contracts;
  domain: TypedDataDomain;
  valueDay: number;
  deadline: bigint;
  ranges: RangeRecord[];
  /** Currency minted to each bank. */
  minted: bigint;
  /** The first block of the market (the checks read events from there). */
  fromBlock: number;
  setupTransactions: number;
}

/** A signed discount order and its trade id (the EIP-712 digest of its terms). */
export interface Order {
  terms: Terms;
  makerSignature: string;
  takerSignature: string;
  id: string;
  range: number;
}

const MINT_PER_BANK = 1_000_000_000_000n; // CNY 10 billion, in fen
const ETH_PER_WALLET = 100n * 10n ** 18n;
const AGENT_ROLE = id("AGENT_ROLE");
/** Setup transactions in flight at once (bills go through their five acts concurrently). */
const SETUP_CONCURRENCY = 100;
/** How long a setup block collects transactions before it is mined. */
const MINE_EVERY_MS = 10;

/**
 * Gas limits: eth_estimateGas on the first transaction of each kind, plus half. Every receipt's status is read, so
 * a limit too low shows as a failed setup, never as a silent one.
 */
class GasBook {
  private readonly limits = new Map<string, Promise<bigint>>();
  constructor(private readonly rpc: Rpc) {}

  limit(kind: string, from: string, tx: { to: string; data: string }): Promise<bigint> {
    let limit = this.limits.get(kind);
    if (!limit) {
      limit = this.rpc
        .request<string>("eth_estimateGas", [{ from, to: tx.to, data: tx.data }])
        .then((estimate) => (BigInt(estimate) * 3n) / 2n);
      this.limits.set(kind, limit);
    }
    return limit;
  }
}

export async function latestBlock(rpc: Rpc): Promise<{ number: number; timestamp: number }> {
  const block = await rpc.request<{ number: string; timestamp: string }>("eth_getBlockByNumber", ["latest", false]);
  return { number: Number(block.number), timestamp: Number(block.timestamp) };
}

export async function ethCall(rpc: Rpc, to: string, data: string, from?: string): Promise<string> {
  return rpc.request<string>("eth_call", [{ to, data, ...(from ? { from } : {}) }, "latest"]);
}

/** The engine's EIP-712 domain, as it reports it. */
async function engineDomain(rpc: Rpc, engine: string): Promise<TypedDataDomain> {
  const data = IFACE.engine.encodeFunctionData("eip712Domain");
  const d = IFACE.engine.decodeFunctionResult("eip712Domain", await ethCall(rpc, engine, data));
  return { name: d.name, version: d.version, chainId: d.chainId, verifyingContract: d.verifyingContract };
}

/**
 * Sets up the market on a freshly deployed platform: the chain moved to 10:00 CST of the next day (a Hardhat
 * node stamps each automined block a second after the last, so thousands of blocks run the chain clock hours
 * ahead: from 10:00 the value day still holds), the bench's wallets funded, everyone verified, money minted to the
 * banks and the engine approved, and one bill per range drawn by one enterprise, accepted by a bank and received by
 * another enterprise, which holds it. Automine is off meanwhile: the setup goes into blocks of many transactions.
 */
export async function setupMarket(
  client: TxClient,
  contracts: Contracts,
  size: MarketSize,
  log: (line: string) => void = () => undefined,
): Promise<Market> {
  const rpc = client.rpc;
  const accounts = await rpc.request<string[]>("eth_accounts", []);
  const admin = castOf(size).admin.address;
  if (accounts.length > 0 && accounts[0].toLowerCase() !== admin.toLowerCase()) {
    throw new Error(`the node's first account is ${accounts[0]}, not the default mnemonic's ${admin}`);
  }
  const start = await latestBlock(rpc);
  const target = startOfCstDay(cstDayOf(start.timestamp) + 1) + 10 * 3600;
  await rpc.request("evm_increaseTime", [target - start.timestamp]);
  await rpc.request("evm_mine", []);
  const now = (await latestBlock(rpc)).timestamp;
  // Set up with many transactions a block: anvil's time per block grows with the chain's length, so thousands of
  // one-transaction setup blocks would slow down the runs measured after them.
  const mining = await mineWhileWaiting(client);
  try {
    return await populate(client, contracts, size, now, start.number, log);
  } finally {
    await mining.stop();
  }
}

/** `setupMarket` once the clock is set: the wallets, KYC, money and bills. */
async function populate(
  client: TxClient,
  contracts: Contracts,
  size: MarketSize,
  now: number,
  fromBlock: number,
  log: (line: string) => void,
): Promise<Market> {
  const rpc = client.rpc;
  const cast = castOf(size);
  const gas = new GasBook(rpc);
  let transactions = 0;
  const act = async (wallet: BaseWallet, kind: string, to: string, data: string, value?: bigint): Promise<Mined> => {
    const gasLimit = value ? 21_000n : await gas.limit(kind, wallet.address, { to, data });
    transactions++;
    return client.mined(wallet, { to, data, value, gasLimit }, kind);
  };
  const valueDay = cstDayOf(now);
  const deadline = BigInt(startOfCstDay(valueDay + 1) - 1);

  // Funding, the second agent's role, and KYC: the admin and the two providers each send from their own wallet.
  const funded = [cast.banks[2], ...cast.enterprises, cast.agents[1]];
  const expiresAt = BigInt(now) + 365n * 86_400n;
  const register = (provider: BaseWallet, code: string, kind: EntityKind, wallet: BaseWallet) =>
    act(
      provider,
      "registerEntity",
      contracts.registry,
      IFACE.registry.encodeFunctionData("registerEntity", [
        entityIdOf(code),
        kind,
        jurisdictionToBytes32("CN"),
        expiresAt,
        [wallet.address],
      ]),
    );
  const [providerA, providerB] = cast.banks;
  await Promise.all([
    ...funded.map((w) => act(cast.admin, "fund", w.address, "0x", ETH_PER_WALLET)),
    act(
      cast.admin,
      "grantAgent",
      contracts.engine,
      IFACE.engine.encodeFunctionData("grantRole", [AGENT_ROLE, cast.agents[1].address]),
    ),
    register(providerA, "BENCH-CENTRAL-BANK", EntityKind.CentralBank, cast.centralBank),
    register(providerA, "BENCH-BANK-B", EntityKind.Bank, cast.banks[1]),
    register(providerA, "BENCH-BANK-C", EntityKind.Bank, cast.banks[2]),
    register(providerB, "BENCH-BANK-A", EntityKind.Bank, cast.banks[0]),
    ...cast.enterprises.map((e, i) =>
      register(i % 2 === 0 ? providerA : providerB, `BENCH-ENTERPRISE-${i}`, EntityKind.Enterprise, e),
    ),
  ]);
  log(`  funded ${funded.length} wallets, verified ${cast.enterprises.length + 4} entities`);

  const engineAllowance = IFACE.currency.encodeFunctionData("approve", [contracts.engine, 2n ** 256n - 1n]);
  await Promise.all(
    cast.banks.flatMap((bank) => [
      act(
        cast.centralBank,
        "mint",
        contracts.currency,
        IFACE.currency.encodeFunctionData("mint", [bank.address, MINT_PER_BANK]),
      ),
      act(bank, "approve", contracts.currency, engineAllowance),
    ]),
  );

  // One bill per range: drawn by enterprise d, accepted by bank a, received (and held) by enterprise h.
  const e = cast.enterprises.length;
  const offset = Math.max(1, Math.floor(e / 3));
  const billIssued = IFACE.ledger.getEvent("BillIssued").topicHash;
  const ranges = await mapLimit(
    Array.from({ length: size.ranges }, (_, i) => i),
    SETUP_CONCURRENCY,
    async (i): Promise<RangeRecord> => {
      const drawer = cast.enterprises[i % e];
      const holder = cast.enterprises[(i + offset) % e];
      const acceptor = cast.banks[i % 3];
      const face = 5_000_000n + BigInt((i * 7_919) % 95_000_000); // CNY 50,000.00 to 1,000,000.00
      const maturityDay = valueDay + 30 + (i % 120);
      const issue = IFACE.ledger.encodeFunctionData("issue", [
        {
          billType: BillType.BankAcceptance,
          acceptor: acceptor.address,
          payee: holder.address,
          face,
          maturityDay,
          tradeHash: id(`bench purchase contract ${i}`),
          notTransferable: false,
          splittable: true,
        },
      ]);
      const issued = await act(drawer, "issue", contracts.ledger, issue);
      const billId = BigInt(issued.logs.find((l) => l.topics[0] === billIssued)!.topics[1]);
      const answer = async (wallet: BaseWallet, kind: string) => {
        const read = IFACE.ledger.encodeFunctionData("applicationTerms", [billId, 1]);
        const [terms] = IFACE.ledger.decodeFunctionResult(
          "applicationTerms",
          await ethCall(rpc, contracts.ledger, read),
        );
        await act(wallet, kind, contracts.ledger, IFACE.ledger.encodeFunctionData("sign", [billId, 1, terms]));
      };
      await act(
        drawer,
        "presentForAcceptance",
        contracts.ledger,
        IFACE.ledger.encodeFunctionData("presentForAcceptance", [billId]),
      );
      await answer(acceptor, "signAcceptance");
      await act(
        drawer,
        "presentForReceipt",
        contracts.ledger,
        IFACE.ledger.encodeFunctionData("presentForReceipt", [billId]),
      );
      await answer(holder, "signReceipt");
      return {
        index: i,
        billId,
        face,
        maturityDay,
        holder,
        acceptor,
        buyer: cast.banks[(i + 1) % 3],
        rival: cast.banks[(i + 2) % 3],
        rate: 15_000n + BigInt(i % 16) * 1_000n, // 1.50 % to 3.00 % a year
        parts: {
          single: face / 10n + BigInt(i % 7) * 1_000n,
          batch: face / 8n + BigInt(i % 5) * 1_000n,
          race: face / 20n,
        },
      };
    },
  );
  log(`  ${ranges.length} bills drawn, accepted and received by ${e} enterprises`);

  return {
    size,
    cast,
    contracts,
    domain: await engineDomain(rpc, contracts.engine),
    valueDay,
    deadline,
    ranges,
    minted: MINT_PER_BANK,
    fromBlock,
    setupTransactions: transactions,
  };
}

/**
 * Turns automine off and mines a block whenever `client` has transactions waiting for one, until stopped (then
 * automine is on again): the setup's transactions go into blocks of many.
 */
async function mineWhileWaiting(client: TxClient): Promise<{ stop(): Promise<void> }> {
  await client.rpc.request("evm_setAutomine", [false]);
  let running = true;
  const loop = (async () => {
    while (running) {
      if (client.unmined > 0) {
        await sleep(MINE_EVERY_MS);
        await client.rpc.request("evm_mine", []);
      } else {
        await sleep(1);
      }
    }
  })();
  loop.catch(() => undefined); // seen by stop(); meanwhile the setup's receipts time out
  return {
    async stop() {
      running = false;
      try {
        await loop;
      } finally {
        await client.rpc.request("evm_setAutomine", [true]);
        // anvil does not mine what waits in its pool when automine comes back on: a transaction sent after the
        // loop's last block would wait for ever (a CI run stalled on one for 120 s).
        await client.rpc.request("evm_mine", []);
      }
    },
  };
}

/** The proceeds of a discount of `units` of `r` on the market's value day (no holidays: a fresh calendar). */
export function proceedsOf(market: Market, r: RangeRecord, units: bigint): bigint {
  const days = BigInt(rollForward(r.maturityDay, new Map()) - market.valueDay);
  return discountProceeds(units, r.rate, days);
}

/**
 * A discount of `units` of range `r` from unit `start`, signed by both parties (the holder as maker, the bank as
 * taker); the agent submits it.
 */
export function discountOrder(
  market: Market,
  r: RangeRecord,
  start: bigint,
  units: bigint,
  bank: BaseWallet,
  nonce: bigint,
): Order {
  const terms: Terms = {
    kind: TradeKind.Discount,
    maker: r.holder.address,
    taker: bank.address,
    makerLeg: billLeg(market.contracts.ledger, r.billId, start, units),
    takerLeg: tokenLeg(market.contracts.currency, proceedsOf(market, r, units)),
    rate: r.rate,
    valueDay: BigInt(market.valueDay),
    endDay: 0n,
    closingAmount: 0n,
    deadline: market.deadline,
    nonce,
    confidential: ZeroHash,
  };
  const digest = TypedDataEncoder.hash(market.domain, TERMS_TYPES, terms);
  return {
    terms,
    id: digest,
    makerSignature: r.holder.signingKey.sign(digest).serialized,
    takerSignature: bank.signingKey.sign(digest).serialized,
    range: r.index,
  };
}

/** Where each part of a range starts. */
export function partStarts(r: RangeRecord) {
  return { single: 1n, batch: 1n + r.parts.single, race: 1n + r.parts.single + r.parts.batch };
}

/** The orders of the two measured runs: part of each range alone, then another part of each in batches. */
export function measuredOrders(market: Market): { single: Order[]; batch: Order[] } {
  const n = BigInt(market.ranges.length);
  return {
    single: market.ranges.map((r) => discountOrder(market, r, 1n, r.parts.single, r.buyer, 1n + BigInt(r.index))),
    batch: market.ranges.map((r) =>
      discountOrder(market, r, partStarts(r).batch, r.parts.batch, r.buyer, 1n + n + BigInt(r.index)),
    ),
  };
}

export const settleData = (o: Order) =>
  IFACE.engine.encodeFunctionData("settle", [
    { terms: o.terms, makerSignature: o.makerSignature, takerSignature: o.takerSignature },
  ]);

export const settleBatchData = (orders: Order[]) =>
  IFACE.engine.encodeFunctionData("settleBatch", [
    orders.map((o) => ({ terms: o.terms, makerSignature: o.makerSignature, takerSignature: o.takerSignature })),
  ]);
