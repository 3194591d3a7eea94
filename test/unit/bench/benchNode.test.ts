import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployedPlatform } from "../../fixtures/platform";
import { conservationChecks } from "../../../scripts/benchNode/conservation";
import { castOf, discountOrder, measuredOrders, partStarts, setupMarket } from "../../../scripts/benchNode/market";
import { providerRpc, sleep, type Rpc } from "../../../scripts/benchNode/rpc";
import { TxClient } from "../../../scripts/benchNode/sender";
import { inGroups, runOrders, runRaces } from "../../../scripts/benchNode/trading";

/**
 * `npm run bench:node`'s client and conservation checks, on the in-process Hardhat network (which refuses a nonce
 * ahead of the next one under automine, as the Hardhat node does) and a tiny market: 4 enterprises, 6 ranges.
 */
describe("bench:node", function () {
  const TINY = { enterprises: 4, ranges: 6, batchSize: 3, races: 2 };

  async function tinyMarket() {
    const { suite } = await loadFixture(deployedPlatform);
    const rpc = providerRpc(hre.network.provider);
    const contracts = {
      registry: await suite.identityRegistry.getAddress(),
      currency: await suite.digitalCurrency.getAddress(),
      ledger: await suite.billLedger.getAddress(),
      payments: await suite.billPayments.getAddress(),
      engine: await suite.settlementEngine.getAddress(),
    };
    const client = new TxClient(rpc, 31_337n);
    const market = await setupMarket(client, contracts, TINY);
    return { rpc, client, market };
  }

  /** The tiny market traded as the bench trades: each range alone, then in batches, then raced for. */
  async function tradedMarket() {
    const { rpc, client, market } = await loadFixture(tinyMarket);
    const orders = measuredOrders(market);
    const agent = market.cast.agents[0];
    await runOrders(
      client,
      market,
      agent,
      orders.single.map((o) => [o]),
    );
    const batches = inGroups(orders.batch, TINY.batchSize);
    await runOrders(client, market, agent, batches);
    const races = await runRaces(client, market);
    const winners = races.flatMap((r) => (r.winner ? [r.winner] : []));
    return { rpc, market, races, batches, settled: [...orders.single, ...orders.batch, ...winners] };
  }

  describe("TxClient", function () {
    /** Holds back the first transaction sent, so that the next one of the same wallet reaches the node first. */
    function overtaking(rpc: Rpc): Rpc {
      let held = false;
      return {
        batch: (requests) => rpc.batch(requests),
        async request<T>(method: string, params: unknown[] = []): Promise<T> {
          if (method === "eth_sendRawTransaction" && !held) {
            held = true;
            await sleep(100);
          }
          return rpc.request<T>(method, params);
        },
      };
    }

    it("sends a wallet's transactions in nonce order, resending one that overtook its predecessor", async function () {
      await loadFixture(deployedPlatform); // from a snapshot, which the next fixture loaded reverts to
      const rpc = overtaking(providerRpc(hre.network.provider));
      const client = new TxClient(rpc, 31_337n, 8);
      const to = (await hre.ethers.getSigners())[10];
      const wallet = castOf(TINY).admin;
      const nonce = await hre.ethers.provider.getTransactionCount(wallet.address);
      const sent = await Promise.all(
        Array.from({ length: 5 }, () =>
          client.send(wallet, { to: to.address, data: "0x", value: 1n, gasLimit: 21_000n }),
        ),
      );
      const receipts = await Promise.all(sent.map((s) => s.receipt));
      expect(sent.map((s) => s.nonce)).to.deep.equal([0, 1, 2, 3, 4].map((i) => nonce + i));
      expect(receipts.map((r) => r.status)).to.deep.equal([1, 1, 1, 1, 1]);
      const blocks = receipts.map((r) => r.blockNumber);
      expect(blocks).to.deep.equal([...blocks].sort((a, b) => a - b));
      // The Hardhat network refused "nonce too high" at least once (the held-back first send), and the client resent.
      expect(client.resends).to.be.greaterThan(0);
    });
  });

  describe("conservationChecks", function () {
    it("pass on a market traded alone, in batches and raced for", async function () {
      const { rpc, market, races, batches, settled } = await loadFixture(tradedMarket);
      const checks = await conservationChecks(rpc, { market, settled, batches, races });
      expect(checks.filter((c) => !c.ok)).to.deep.equal([]);
      expect(checks).to.have.length(7);
      expect(races.map((r) => r.receipts.filter((x) => x.status === 1).length)).to.deep.equal([1, 1]);
    });

    it("catch an order claimed as settled that the chain never settled", async function () {
      const { rpc, market, races, batches, settled } = await loadFixture(tradedMarket);
      const r = market.ranges[TINY.races]; // a range whose race part nobody raced for
      const ghost = discountOrder(market, r, partStarts(r).race, r.parts.race, r.buyer, 999n);
      const checks = await conservationChecks(rpc, { market, settled: [...settled, ghost], batches, races });
      const failed = checks.filter((c) => !c.ok).map((c) => c.name);
      expect(failed).to.deep.equal([
        "every holding is what the settled trades make it",
        "every range is held by the party its trades gave it to",
        "every order settled exactly once",
        "every replay of a settled order is refused",
      ]);
    });
  });
});
