/**
 * The command line's checks of what a person types, without a chain: unified social credit codes (GB 32100-2015
 * check character), calendar dates and expiry times, addresses, amounts, order files, and Hardhat's own errors as
 * one line.
 */
import { expect } from "chai";
import { ethers } from "ethers";
import { dayFromIso } from "../../../tasks/lib/bills";
import { orderFromJson, orderToJson, TradeKind, type SignedOrder } from "../../../tasks/lib/dvp";
import { hardhatErrorLine, taskWords } from "../../../tasks/lib/hardhatErrors";
import {
  calendarDay,
  checkArgs,
  isValidUscc,
  parseAddress,
  parseExpiry,
  parseUscc,
  usccCheckCharacter,
} from "../../../tasks/lib/inputs";
import { parseCny } from "../../../tasks/lib/money";

const NOW = 1_800_000_000n;

describe("Command-line inputs", function () {
  describe("unified social credit codes (GB 32100-2015)", function () {
    // Published codes of real companies, and the examples of the README and the e2e tests.
    const valid = [
      "91350100M000100Y43",
      "91110000600037341L",
      "91440300708461136T",
      "91440300MA5XXXXXXR",
      "91110000100000000R",
      "11100000000000000J",
    ];

    it("accepts codes whose 18th character is the check character of the first 17", function () {
      for (const code of valid) expect(isValidUscc(code), code).to.equal(true);
      expect(parseUscc(" 91440300ma5xxxxxxr ")).to.equal("91440300MA5XXXXXXR");
    });

    it("computes the check character with weights 3^i mod 31; a sum that is a multiple of 31 checks with 0", function () {
      expect(usccCheckCharacter("91350100M000100Y4")).to.equal("3");
      // A sum of 0 gives 31 − 0 = 31, written 0; a sum of 1 (the first character, weight 1) gives 30, written Y;
      // "3" in the second place (weight 3) gives the sum 9 and 22, written N.
      expect(usccCheckCharacter("00000000000000000")).to.equal("0");
      expect(usccCheckCharacter("10000000000000000")).to.equal("Y");
      expect(usccCheckCharacter("03000000000000000")).to.equal("N");
    });

    it("refuses a wrong check character, a wrong length and characters outside the alphabet", function () {
      expect(isValidUscc("91440300MA5XXXXXX1")).to.equal(false);
      expect(isValidUscc("91350100M000100Y44")).to.equal(false);
      expect(() => parseUscc("91440300MA5XXXXXX1")).to.throw(
        '--code "91440300MA5XXXXXX1" is not a unified social credit code: its check character is 1, the first 17 ' +
          "characters give R (GB 32100)",
      );
      expect(() => parseUscc("9144030")).to.throw("it has 7 characters, not 18");
      for (const letter of ["I", "O", "S", "V", "Z"]) {
        expect(() => parseUscc(`91440300MA5XXXXXX${letter}`)).to.throw(`"${letter}" is not in its alphabet`);
      }
    });
  });

  describe("dates", function () {
    it("knows which days exist: 2028-02-29 does, 2027-02-29 and 2027-02-30 do not", function () {
      expect(calendarDay(2028, 2, 29)).to.equal(dayFromIso("2028-02-29"));
      expect(calendarDay(2027, 2, 29)).to.equal(undefined);
      expect(calendarDay(2027, 2, 30)).to.equal(undefined);
      expect(calendarDay(2027, 13, 1)).to.equal(undefined);
      expect(() => dayFromIso("2027-02-30")).to.throw('"2027-02-30" is not a date');
      expect(() => dayFromIso("2027-02-29")).to.throw('"2027-02-29" is not a date');
    });

    it("reads an expiry date as 00:00 China Standard Time that day, and refuses one that does not exist", function () {
      const midnightCst = BigInt(Date.UTC(2028, 1, 28, 16) / 1000); // 2028-02-29 00:00 UTC+8
      expect(parseExpiry("2028-02-29", NOW)).to.equal(midnightCst);
      expect(() => parseExpiry("2027-02-29", NOW)).to.throw('"2027-02-29": 2027-02-29 is not a date on the calendar');
      expect(() => parseExpiry("2027-02-30", NOW)).to.throw("is not a date on the calendar");
    });

    it("reads a time in China Standard Time unless a zone is given, and refuses times that do not exist", function () {
      expect(parseExpiry("2028-02-29T18:30", NOW)).to.equal(BigInt(Date.UTC(2028, 1, 29, 10, 30) / 1000));
      expect(parseExpiry("2028-02-29T18:30:00+08:00", NOW)).to.equal(parseExpiry("2028-02-29T18:30", NOW));
      expect(parseExpiry("2028-02-29T10:30:00Z", NOW)).to.equal(parseExpiry("2028-02-29T18:30", NOW));
      expect(() => parseExpiry("2028-02-29T24:00", NOW)).to.throw("the time of day does not exist");
      expect(() => parseExpiry("March 2 2027", NOW)).to.throw("is neither a date");
      expect(() => parseExpiry("2027/03/02", NOW)).to.throw("is neither a date");
    });

    it("reads +<days>d from now", function () {
      expect(parseExpiry("+365d", NOW)).to.equal(NOW + 365n * 86_400n);
    });
  });

  describe("addresses and amounts", function () {
    const address = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

    it("accepts an address in checksum or one case; refuses a short one and a broken checksum, naming the option", function () {
      expect(parseAddress(address.toLowerCase(), "--to")).to.equal(address);
      expect(() => parseAddress("0x1234", "--to")).to.throw('--to "0x1234" is not an address (0x and 40 hex digits)');
      expect(() => parseAddress(address.replace("AAf", "aAf"), "--to")).to.throw("fails its checksum");
    });

    it("checks every address option, each wallet of --wallets, --from when it is not an index, and --code", function () {
      expect(() => checkArgs({ from: "3", to: address, wallets: `${address},${address}` })).not.to.throw();
      expect(() => checkArgs({ taker: "0xabc" })).to.throw("--taker");
      expect(() => checkArgs({ wallets: `${address},0xabc` })).to.throw("--wallets");
      expect(() => checkArgs({ from: "bankA" })).to.throw("--from");
      expect(() => checkArgs({ who: "0x12" })).to.throw("--who");
      expect(() => checkArgs({ code: "91440300MA5XXXXXX1" })).to.throw("check character");
    });

    it("refuses an amount of zero", function () {
      expect(parseCny("0.01")).to.equal(1n);
      expect(() => parseCny("0", "--amount")).to.throw('--amount must be greater than zero, not "0"');
      expect(() => parseCny("0.00", "--price")).to.throw("--price must be greater than zero");
    });
  });

  describe("order files", function () {
    const order: SignedOrder = {
      terms: {
        kind: TradeKind.OutrightSale,
        maker: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
        taker: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        makerLeg: { asset: "0x5FbDB2315678afecb367f032d93F642f64180aa3", billId: 1n, start: 1n, amount: 100n },
        takerLeg: { asset: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", billId: 0n, start: 0n, amount: 99n },
        rate: 0n,
        valueDay: 20_000n,
        endDay: 0n,
        closingAmount: 0n,
        deadline: 1_800_000_000n,
        nonce: 7n,
        confidential: ethers.ZeroHash,
      },
      makerSignature: "0x1234",
      takerSignature: "0x",
    };
    const text = orderToJson(order);

    it("reads back what it wrote", function () {
      expect(orderFromJson(text, "o.json")).to.deep.equal(order);
    });

    it("names the file when it is cut short or empty, and the field that is missing or malformed", function () {
      expect(() => orderFromJson(text.slice(0, 100), "o.json")).to.throw(/^o\.json is not a whole JSON order/);
      expect(() => orderFromJson("", "o.json")).to.throw("o.json is not a whole JSON order (cut short, or not an");
      const without = (drop: (o: { terms: Record<string, Record<string, unknown>> }) => void) => {
        const raw = JSON.parse(text) as { terms: Record<string, Record<string, unknown>> };
        drop(raw);
        return JSON.stringify(raw);
      };
      expect(() =>
        orderFromJson(
          without((o) => delete o.terms.takerLeg.amount),
          "o.json",
        ),
      ).to.throw("o.json lacks the field terms.takerLeg.amount");
      expect(() =>
        orderFromJson(
          without((o) => (o.terms.maker = "0x12" as never)),
          "o.json",
        ),
      ).to.throw('o.json: terms.maker is "0x12", not an address');
      expect(() =>
        orderFromJson(
          without((o) => (o.terms.rate = "2.5%" as never)),
          "o.json",
        ),
      ).to.throw('o.json: terms.rate is "2.5%", not a whole number');
    });
  });

  describe("Hardhat's own errors", function () {
    it("finds the scope and task after Hardhat's options", function () {
      expect(taskWords(["--network", "localhost", "kyc", "show", "--who", "x"])).to.deep.equal(["kyc", "show"]);
      expect(taskWords(["--tsconfig", "t.json", "--verbose", "test"])).to.deep.equal(["test"]);
    });

    it("prints each as one line with its code and where to look", function () {
      const argv = ["--network", "localhost", "cash", "mint", "--memo", "x"];
      expect(hardhatErrorLine("HH305", "Unrecognized param --memo", argv)).to.equal(
        "Unrecognized param --memo (HH305): npx hardhat help cash mint lists the task's options",
      );
      expect(hardhatErrorLine("HH108", "Cannot connect to the network x.\nPlease make sure", argv)).to.equal(
        "Cannot connect to the network x (HH108)",
      );
      expect(hardhatErrorLine("HH315", "Unrecognized task 'shw' under scope 'kyc'", ["kyc", "shw"])).to.equal(
        "Unrecognized task 'shw' under scope 'kyc' (HH315): npx hardhat help kyc lists its tasks",
      );
    });
  });
});
