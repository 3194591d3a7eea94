/**
 * The platform's story on the in-process Hardhat network: deploy, verify the cast once, issue and move money,
 * refuse an unverified wallet, freeze part of an account, redeem; then a bill's life: issue, acceptance,
 * receipt, partial endorsement, pledge and release, a dishonoured bill with recourse twice back along the chain,
 * and payment at maturity. Run with `npm run demo`.
 */
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import PlatformModule from "../ignition/modules/Platform";
import type { BillLedger, BillPayments, DigitalCurrency, IdentityRegistry } from "../typechain-types";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { claimRecourse, dishonour, payBill, payRecourse, presentForPayment } from "../tasks/lib/payments";
import { balanceOf, burn, freeze, mint, transfer, unfreeze } from "../tasks/lib/cash";
import { describeError } from "../tasks/lib/errors";
import { EntityKind, registerEntity, showIdentity } from "../tasks/lib/identity";
import { formatCny } from "../tasks/lib/money";
import {
  BillType,
  LinkKind,
  cstDayOf,
  endorse,
  isoFromDay,
  issueBill,
  liabilityChain,
  pledge,
  presentForAcceptance,
  presentForReceipt,
  rangesOfBill,
  releasePledge,
  sign,
  startOfCstDay,
} from "../tasks/lib/bills";
import { table } from "../tasks/lib/output";

const YEAR = 365n * 24n * 60n * 60n;

function heading(text: string) {
  console.log(`\n== ${text}`);
}

async function main() {
  const [operator, centralBank, bankA, bankB, enterpriseX, enterpriseY, regulator, stranger, enterpriseZ, enterpriseW] =
    await hre.ethers.getSigners();
  const cast: [string, HardhatEthersSigner][] = [
    ["central bank", centralBank],
    ["bank A", bankA],
    ["bank B", bankB],
    ["enterprise X", enterpriseX],
    ["enterprise Y", enterpriseY],
  ];

  heading("1. Deploy the platform (Ignition module ignition/modules/Platform.ts)");
  const deployed = (await hre.ignition.deploy(PlatformModule, {
    parameters: {
      IdentityRegistry: { admin: operator.address, kycProviders: [bankA.address, bankB.address] },
      DigitalCurrency: {
        admin: operator.address,
        issuer: centralBank.address,
        pauser: operator.address,
        regulator: regulator.address,
      },
      BillLedger: { admin: operator.address, pauser: operator.address, regulator: regulator.address },
    },
  })) as unknown as {
    identityRegistry: IdentityRegistry;
    digitalCurrency: DigitalCurrency;
    billLedger: BillLedger;
    billPayments: BillPayments;
  };
  const registry = deployed.identityRegistry;
  const cash = deployed.digitalCurrency;
  const ledger = deployed.billLedger;
  const payments = deployed.billPayments;
  const interfaces = [registry.interface, cash.interface, ledger.interface, payments.interface];
  console.log(`identity registry  ${await registry.getAddress()}`);
  console.log(
    `digital currency   ${await cash.getAddress()}  (${await cash.name()}, ${await cash.decimals()} decimals)`,
  );
  console.log(`bill ledger        ${await ledger.getAddress()}`);
  console.log("KYC providers: bank A, bank B; issuer: the central bank; regulator: the regulator");

  const balances = async () => {
    const rows = [];
    for (const [name, signer] of cast) {
      const b = await balanceOf(cash, signer.address);
      rows.push({
        holder: name,
        balance: formatCny(b.balance),
        frozen: formatCny(b.frozenAmount),
        available: formatCny(b.available),
      });
    }
    console.log(table(rows));
  };
  const refused = async (what: string, act: () => Promise<unknown>) => {
    try {
      await act();
      throw new Error(`${what} was expected to be refused`);
    } catch (error) {
      console.log(`${what}: refused\n  error: ${describeError(error, interfaces)}`);
    }
  };

  heading("2. KYC once: bank A verifies the central bank, bank B, enterprise X and the regulator");
  const expiresAt = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp) + YEAR;
  const register = (provider: HardhatEthersSigner, code: string, kind: EntityKind, wallet: HardhatEthersSigner) =>
    registerEntity(registry.connect(provider), {
      code,
      kind,
      jurisdiction: "CN",
      expiresAt,
      wallets: [wallet.address],
    });
  await register(bankA, "11100000000000000X", EntityKind.CentralBank, centralBank);
  await register(bankA, "91310000100000000B", EntityKind.Bank, bankB);
  await register(bankA, "91440300MA5XXXXXX1", EntityKind.Enterprise, enterpriseX);
  await register(bankA, "11100000000000001R", EntityKind.Regulator, regulator);
  console.log("...and bank B verifies bank A, enterprise Y and enterprise Z; bank A also verifies enterprise W");
  await register(bankB, "91110000100000000A", EntityKind.Bank, bankA);
  await register(bankB, "91330100MA2YYYYYY2", EntityKind.Enterprise, enterpriseY);
  await register(bankB, "91440300MA5ZZZZZZ3", EntityKind.Enterprise, enterpriseZ);
  await register(bankA, "91320500MA1WWWWWW4", EntityKind.Enterprise, enterpriseW);

  heading("3. Bank B onboards enterprise X, relying on bank A's KYC");
  const x = await showIdentity(registry.connect(bankB), enterpriseX.address);
  console.log(
    `bank B reads the registry: X is ${x.kind}, ${x.status}, verified until ${x.expiresAt}, verified by ` +
      `${x.provider === bankA.address ? "bank A" : x.provider}`,
  );
  await refused("bank B registering X a second time", () =>
    register(bankB, "91440300MA5XXXXXX1", EntityKind.Enterprise, enterpriseX),
  );
  console.log("no second KYC: bank B will pay X on the strength of bank A's verification (step 4)");

  heading("4. The central bank issues money; bank B pays enterprise X; X pays Y");
  await mint(cash.connect(centralBank), bankA.address, 5_000_000_00n);
  await mint(cash.connect(centralBank), bankB.address, 5_000_000_00n);
  console.log("minted 5,000,000.00 to bank A and to bank B");
  await transfer(cash.connect(bankB), enterpriseX.address, 1_200_000_00n);
  console.log("bank B -> enterprise X: 1,200,000.00");
  await transfer(cash.connect(enterpriseX), enterpriseY.address, 300_000_00n);
  console.log("enterprise X -> enterprise Y: 300,000.00");
  await balances();

  heading("5. A payment to an unverified wallet is refused");
  await refused(`enterprise X -> unverified wallet ${stranger.address}`, () =>
    transfer(cash.connect(enterpriseX), stranger.address, 1_000_00n),
  );

  heading("6. A court orders 250,000.00 of enterprise Y's money frozen (the regulator carries it out)");
  await freeze(cash.connect(regulator), enterpriseY.address, 250_000_00n);
  await balances();
  await refused("enterprise Y paying 100,000.00 (only 50,000.00 is free)", () =>
    transfer(cash.connect(enterpriseY), enterpriseX.address, 100_000_00n),
  );
  await transfer(cash.connect(enterpriseY), enterpriseX.address, 50_000_00n);
  console.log("enterprise Y paying 50,000.00: done");
  await refused("the regulator moving Y's money to itself", () =>
    cash.connect(regulator).transferFrom(enterpriseY.address, regulator.address, 1n),
  );
  await unfreeze(cash.connect(regulator), enterpriseY.address, 250_000_00n);
  console.log("the order is lifted: 250,000.00 released");
  await balances();

  heading("7. Bank A returns 1,000,000.00 to the central bank, which redeems it");
  await transfer(cash.connect(bankA), centralBank.address, 1_000_000_00n);
  await burn(cash.connect(centralBank), 1_000_000_00n);
  await balances();
  console.log(`\ntotal supply: ${formatCny(await cash.totalSupply())}`);

  const names = new Map<string, string>([
    [enterpriseX.address, "enterprise X"],
    [enterpriseY.address, "enterprise Y"],
    [enterpriseZ.address, "enterprise Z"],
    [bankA.address, "bank A"],
    [bankB.address, "bank B"],
    [enterpriseW.address, "enterprise W"],
  ]);
  const nameOf = (address: string) => names.get(address) ?? address;
  const showRanges = async (billId: bigint) => {
    const ranges = await rangesOfBill(ledger, billId);
    console.log(
      table(
        ranges.map((r) => ({
          units: `${r.start}..${r.end}`,
          "face (CNY)": formatCny(r.units),
          holder: nameOf(r.holder),
          state: r.state,
          pending: r.pendingAct === "None" ? "-" : `${r.pendingAct} to ${nameOf(r.counterparty)}`,
        })),
      ),
    );
  };

  heading("8. Enterprise X draws a CNY 1,200,000.00 bank acceptance bill: acceptor bank A, payee enterprise Y");
  const today = cstDayOf((await hre.ethers.provider.getBlock("latest"))!.timestamp + 1);
  const { billId } = await issueBill(ledger.connect(enterpriseX), {
    billType: BillType.BankAcceptance,
    acceptor: bankA.address,
    payee: enterpriseY.address,
    face: 1_200_000_00n,
    maturityDay: today + 90,
    tradeBackground: "purchase contract PC-2026-001, invoice 044031900111",
  });
  const terms = await ledger.bill(billId);
  console.log(
    `bill ${billId}: units 1..${terms.face} (one unit = 0.01 CNY), ` +
      `issued ${isoFromDay(terms.issueDay)}, matures ${isoFromDay(terms.maturityDay)}`,
  );
  await showRanges(billId);

  heading("9. Acceptance: X presents the bill, bank A signs its promise to pay");
  await presentForAcceptance(ledger.connect(enterpriseX), billId);
  await showRanges(billId);
  await sign(ledger.connect(bankA), billId, 1n);
  await showRanges(billId);

  heading("10. Receipt: X presents the bill to Y, which signs for it; the bill now circulates");
  await presentForReceipt(ledger.connect(enterpriseX), billId);
  await sign(ledger.connect(enterpriseY), billId, 1n);
  await showRanges(billId);

  heading("11. Y endorses CNY 300,000.00 of it to enterprise Z: the holding splits, Z signs");
  await endorse(ledger.connect(enterpriseY), billId, 1n, 300_000_00n, enterpriseZ.address);
  await showRanges(billId);
  await sign(ledger.connect(enterpriseZ), billId, 1n);
  await showRanges(billId);
  await refused("Z endorsing its part to bank B (endorsement goes to enterprises)", () =>
    endorse(ledger.connect(enterpriseZ), billId, 1n, 300_000_00n, bankB.address),
  );

  heading("12. Y pledges the rest to bank B as security for a loan; bank B signs, later releases");
  const rest = 300_000_01n;
  await pledge(ledger.connect(enterpriseY), billId, rest, 900_000_00n, bankB.address);
  await sign(ledger.connect(bankB), billId, rest);
  await showRanges(billId);
  await refused("Y endorsing its pledged range", () =>
    endorse(ledger.connect(enterpriseY), billId, rest, 900_000_00n, enterpriseX.address),
  );
  await releasePledge(ledger.connect(bankB), billId, rest);
  await showRanges(billId);
  const chain = await liabilityChain(ledger, billId, 1n);
  console.log(
    "Z's range, liable parties: drawer X, acceptor bank A, then " +
      chain.map((l) => `${LinkKind[l.kind].toLowerCase()} by ${nameOf(l.party)}`).join(", ") +
      " (rebuilt from events, checked against the ledger's commitment)",
  );

  heading(
    "13. A second bill: W draws and accepts its own commercial bill of CNY 100,000.00 to X; X endorses to Y, Y to Z",
  );
  const { billId: bill2 } = await issueBill(ledger.connect(enterpriseW), {
    billType: BillType.CommercialAcceptance,
    acceptor: enterpriseW.address,
    payee: enterpriseX.address,
    face: 100_000_00n,
    maturityDay: today + 30,
    tradeBackground: "supply contract SC-2026-077",
  });
  await presentForAcceptance(ledger.connect(enterpriseW), bill2);
  await sign(ledger.connect(enterpriseW), bill2, 1n);
  await presentForReceipt(ledger.connect(enterpriseW), bill2);
  await sign(ledger.connect(enterpriseX), bill2, 1n);
  for (const [from, to] of [
    [enterpriseX, enterpriseY],
    [enterpriseY, enterpriseZ],
  ]) {
    await endorse(ledger.connect(from), bill2, 1n, 100_000_00n, to.address);
    await sign(ledger.connect(to), bill2, 1n);
  }
  await showRanges(bill2);

  const cashRows = async (...who: HardhatEthersSigner[]) => {
    const rows = [];
    for (const w of who) rows.push({ holder: nameOf(w.address), balance: formatCny(await cash.balanceOf(w.address)) });
    console.log(table(rows));
  };

  heading(`14. ${isoFromDay(today + 30)}, maturity of bill ${bill2}: Z presents, W dishonours (reason 1: no funds)`);
  await time.increaseTo(startOfCstDay(today + 30) + 10 * 3600);
  await presentForPayment(payments.connect(enterpriseZ), bill2, 1n);
  await dishonour(payments.connect(enterpriseW), bill2, 1n, 1);
  await showRanges(bill2);

  heading("15. Recourse, twice back along the chain: Z claims from Y five days later, then Y from X");
  await time.increase(5 * 86_400);
  await claimRecourse(payments.connect(enterpriseZ), ledger, bill2, 1n, enterpriseY.address);
  const owed = await payments.recourseAmount(bill2, 100_000_00n, (await time.latest()) + 1);
  console.log(`Y owes ${formatCny(owed)}: face 100,000.00 + 5 days at 4.35% a year, act/360, rounded up`);
  await cashRows(enterpriseY, enterpriseZ);
  await payRecourse(payments.connect(enterpriseY), ledger, cash.connect(enterpriseY), bill2, 1n);
  console.log("Y pays Z and takes the range, in one transaction:");
  await cashRows(enterpriseY, enterpriseZ);
  await showRanges(bill2);
  await refused("Y claiming from Z, which is later in the chain", () =>
    claimRecourse(payments.connect(enterpriseY), ledger, bill2, 1n, enterpriseZ.address),
  );
  await claimRecourse(payments.connect(enterpriseY), ledger, bill2, 1n, enterpriseX.address);
  await payRecourse(payments.connect(enterpriseX), ledger, cash.connect(enterpriseX), bill2, 1n);
  console.log("X pays Y and takes the range; X may still claim from the drawer and acceptor, W:");
  await cashRows(enterpriseX, enterpriseY);
  await showRanges(bill2);

  heading(`16. ${isoFromDay(today + 90)}, maturity of bill ${billId}: Z and Y present, bank A pays both (DvP)`);
  await time.increaseTo(startOfCstDay(today + 90) + 10 * 3600);
  await cashRows(bankA, enterpriseZ, enterpriseY);
  await presentForPayment(payments.connect(enterpriseZ), billId, 1n);
  await presentForPayment(payments.connect(enterpriseY), billId, rest);
  await payBill(payments.connect(bankA), ledger, cash.connect(bankA), billId, 1n);
  await payBill(payments.connect(bankA), ledger, cash.connect(bankA), billId, rest);
  await cashRows(bankA, enterpriseZ, enterpriseY);
  await showRanges(billId);
  await refused("bank A paying Z's range a second time", () =>
    payBill(payments.connect(bankA), ledger, cash.connect(bankA), billId, 1n),
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
