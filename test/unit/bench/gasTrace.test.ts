import { expect } from "chai";
import hre from "hardhat";
import { traceGas } from "../../../scripts/gasTrace";

/** The bench's per-contract breakdown (BENCH_TRACE): it must account for every unit of gas, in the right frame. */
describe("gasTrace", function () {
  async function swapScene() {
    const [seller, buyer] = await hre.ethers.getSigners();
    const items = await hre.ethers.deployContract("PlainERC1155", [1_000n], seller);
    const money = await hre.ethers.deployContract("PlainERC20", [0n], buyer);
    const swapper = await hre.ethers.deployContract("BaselineSwap", [], seller);
    await (await items.setApprovalForAll(await swapper.getAddress(), true)).wait();
    const names: Record<string, string> = {};
    for (const [name, contract] of Object.entries({ items, money, swapper })) {
      names[(await contract.getAddress()).toLowerCase()] = name;
    }
    return { seller, buyer, items, money, swapper, names };
  }

  it("a transaction with no call: base + calldata + the contract's steps = gas used", async function () {
    const { items, seller, buyer, names } = await swapScene();
    const receipt = (await (await items.safeTransferFrom(seller.address, buyer.address, 1, 5, "0x")).wait())!;
    const b = await traceGas(receipt.hash, names);
    expect(b.gasUsed).to.equal(Number(receipt.gasUsed));
    expect(Object.keys(b.byContract)).to.deep.equal(["items"]);
    expect(b.intrinsic + b.byContract.items.total).to.equal(b.gasUsed);
    // The buyer's balance goes from zero (22,100 with the cold read) and the seller's changes (2,900).
    expect(b.byContract.items.storageWrites).to.equal(20_000 + 2_900);
  });

  it("nested calls: each contract gets its own steps, the caller the calls' cost, and the whole adds up", async function () {
    const { items, money, swapper, seller, buyer, names } = await swapScene();
    const receipt = (await (
      await swapper.swap(await items.getAddress(), 1, 5, seller.address, await money.getAddress(), 0n, buyer.address)
    ).wait())!;
    const b = await traceGas(receipt.hash, names);
    const totals = Object.values(b.byContract).reduce((sum, f) => sum + f.total, 0);
    expect(b.intrinsic + totals).to.equal(b.gasUsed);
    expect(Object.keys(b.byContract)).to.have.members(["swapper", "items", "money"]);
    // The swap contract writes nothing and reaches two cold contracts (2,600 each).
    expect(b.byContract.swapper.storageWrites).to.equal(0);
    expect(b.byContract.swapper.calls).to.be.at.least(2 * 2_600);
    expect(b.byContract.items.storageWrites).to.equal(20_000 + 2_900);
  });
});
