/**
 * The tasks' bounded send-and-wait (`tasks/lib/tx.ts`): a wait on a transaction the node never mines ends at
 * BILL_DVP_TX_TIMEOUT with a line naming what to check; a lost connection while waiting is asked again, not taken
 * for a result. On a real node restarted under a task: test/e2e/cli.test.ts.
 */
import { expect } from "chai";
import { isConnectionError, mined, TxTimeoutError, txTimeoutSeconds, type Sent } from "../../../tasks/lib/tx";

const HASH = `0x${"ab".repeat(32)}`;
const never = new Promise<never>(() => undefined);
const connectionReset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });

describe("Bounded send and wait (tasks/lib/tx.ts)", function () {
  let saved: string | undefined;

  beforeEach(function () {
    saved = process.env.BILL_DVP_TX_TIMEOUT;
    process.env.BILL_DVP_TX_TIMEOUT = "0.3";
  });

  afterEach(function () {
    if (saved === undefined) delete process.env.BILL_DVP_TX_TIMEOUT;
    else process.env.BILL_DVP_TX_TIMEOUT = saved;
  });

  describe("txTimeoutSeconds()", function () {
    it("is 120 s unless BILL_DVP_TX_TIMEOUT sets it, and refuses what is not a number of seconds", function () {
      expect(txTimeoutSeconds({})).to.equal(120);
      expect(txTimeoutSeconds({ BILL_DVP_TX_TIMEOUT: "300" })).to.equal(300);
      expect(txTimeoutSeconds({ BILL_DVP_TX_TIMEOUT: "2.5" })).to.equal(2.5);
      for (const bad of ["0", "-5", "ten", "5s", "1e3"]) {
        expect(() => txTimeoutSeconds({ BILL_DVP_TX_TIMEOUT: bad }), bad).to.throw(
          `BILL_DVP_TX_TIMEOUT="${bad}" is not a number of seconds greater than 0 (e.g. 300)`,
        );
      }
    });
  });

  describe("mined()", function () {
    it("returns the receipt of a transaction that is mined", async function () {
      const receipt = { hash: HASH, status: 1 };
      expect(await mined(Promise.resolve({ hash: HASH, wait: async () => receipt }))).to.equal(receipt);
    });

    it("throws TxTimeoutError naming the hash when the transaction is never mined", async function () {
      const started = Date.now();
      const error = await mined(Promise.resolve({ hash: HASH, wait: () => never })).catch((e: unknown) => e);
      expect(Date.now() - started).to.be.within(250, 2000);
      expect(error).to.be.instanceOf(TxTimeoutError);
      expect((error as TxTimeoutError).describe("localhost")).to.equal(
        `transaction ${HASH} was sent but not mined within 0.3 s (not confirmed: it may still be mined, or be lost ` +
          "if the node restarted): check that the node of --network localhost is running and mining (after a " +
          "restart the deployment is gone too: npx hardhat platform check --network localhost); " +
          "BILL_DVP_TX_TIMEOUT=<seconds> waits longer",
      );
    });

    it("throws TxTimeoutError without a hash when the node never takes the transaction", async function () {
      const error = await mined(never as Promise<Sent<unknown>>).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TxTimeoutError);
      expect((error as TxTimeoutError).message).to.match(/^the node did not take the transaction within 0.3 s/);
    });

    it("asks again when the connection to the node fails while it waits", async function () {
      let calls = 0;
      const receipt = { hash: HASH, status: 1 };
      const wait = async () => {
        calls++;
        if (calls < 3) throw connectionReset();
        return receipt;
      };
      process.env.BILL_DVP_TX_TIMEOUT = "5";
      expect(await mined(Promise.resolve({ hash: HASH, wait }))).to.equal(receipt);
      expect(calls).to.equal(3);
    });

    it("ends at the bound when the connection keeps failing", async function () {
      const wait = async () => {
        throw connectionReset();
      };
      expect(await mined(Promise.resolve({ hash: HASH, wait })).catch((e: unknown) => e)).to.be.instanceOf(
        TxTimeoutError,
      );
    });

    it("passes on any other failure at once (a revert, a refused send)", async function () {
      const revert = new Error("execution reverted");
      const failing = { hash: HASH, wait: () => Promise.reject(revert) };
      expect(await mined(Promise.resolve(failing)).catch((e: unknown) => e)).to.equal(revert);
      expect(await mined(Promise.reject(connectionReset())).catch((e: unknown) => e)).to.have.property(
        "code",
        "ECONNRESET",
      );
    });
  });

  describe("isConnectionError()", function () {
    it("finds a lost connection however deep the provider wrapped it", function () {
      expect(isConnectionError(connectionReset())).to.equal(true);
      expect(isConnectionError({ message: "HH108: Cannot connect to the network localhost" })).to.equal(true);
      expect(isConnectionError({ error: { cause: { code: "ECONNREFUSED" } } })).to.equal(true);
      expect(isConnectionError(new Error("execution reverted"))).to.equal(false);
      expect(isConnectionError(undefined)).to.equal(false);
    });
  });
});
