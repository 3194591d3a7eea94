/*
 * The envelope library (tasks/lib/envelope.ts), groundwork of the regulator issue: checklist lines 37 and 38 at the
 * library level. Terms sealed for the parties and the regulator's view key open with each of those keys and no
 * other; a tampered ciphertext or commitment is detected; envelopes sealed for a rotated view key open with the
 * new key, and older ones still open with the old key; bytes that are not an envelope are reported with why, never
 * thrown on (random inputs: test/property/envelope.property.test.ts). No chain is needed.
 */
import { createCipheriv, randomBytes } from "node:crypto";
import { expect } from "chai";
import { encrypt } from "eciesjs";
import { ethers } from "ethers";
import {
  EnvelopeError,
  decodeEnvelope,
  encodeEnvelope,
  newEncryptionKey,
  openAndVerify,
  openEnvelope,
  publicKeyOf,
  readEnvelope,
  sealEnvelope,
  tryOpenEnvelope,
  WRAPPED_KEY_LENGTH,
  type Envelope,
  type Recipient,
} from "../../../tasks/lib/envelope";

const TERMS = { invoice: "044031900111", background: "purchase contract PC-2026-001", price: "398,711.12" };
const MAKER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const TAKER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

const maker = newEncryptionKey();
const taker = newEncryptionKey();
const viewKeyV1 = newEncryptionKey();
const viewKeyV2 = newEncryptionKey();
const outsider = newEncryptionKey();

const readers = (viewKey = viewKeyV1, keyVersion = 1): Recipient[] => [
  { id: MAKER, publicKey: maker.publicKey, keyVersion: 1 },
  { id: TAKER, publicKey: taker.publicKey, keyVersion: 1 },
  { id: "regulator", publicKey: viewKey.publicKey, keyVersion },
];

/** Flips one bit of the hex string `hex` at byte `index`. */
function flip(hex: string, index: number): string {
  const bytes = ethers.getBytes(hex);
  bytes[index] ^= 0x01;
  return ethers.hexlify(bytes);
}

describe("Envelopes", function () {
  it("open with the maker's, the taker's and the regulator's key, each giving the terms and the commitment", function () {
    const { envelope, commitment } = sealEnvelope(TERMS, readers());
    for (const [id, key] of [
      [MAKER, maker],
      [TAKER, taker],
      ["regulator", viewKeyV1],
    ] as const) {
      expect(openAndVerify(envelope, commitment, id, key.privateKey)).to.deep.equal(TERMS);
    }
  });

  it("do not open with any other key: an outsider's, or a reader's id with another reader's key", function () {
    const { envelope } = sealEnvelope(TERMS, readers());
    expect(() => openEnvelope(envelope, "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", outsider.privateKey)).to.throw(
      EnvelopeError,
      "is not a reader",
    );
    expect(() => openEnvelope(envelope, MAKER, outsider.privateKey)).to.throw(EnvelopeError, "does not open");
    expect(() => openEnvelope(envelope, MAKER, taker.privateKey)).to.throw(EnvelopeError, "does not open");
    expect(() => openEnvelope(envelope, "regulator", viewKeyV2.privateKey)).to.throw(EnvelopeError, "does not open");
  });

  it("detect a tampered ciphertext, iv or wrapped key", function () {
    const { envelope } = sealEnvelope(TERMS, readers());
    const tampered: Envelope[] = [
      { ...envelope, ciphertext: flip(envelope.ciphertext, 40) },
      { ...envelope, ciphertext: flip(envelope.ciphertext, ethers.dataLength(envelope.ciphertext) - 1) },
      { ...envelope, iv: flip(envelope.iv, 0) },
      {
        ...envelope,
        recipients: envelope.recipients.map((r) =>
          r.id === "regulator" ? { ...r, wrappedKey: flip(r.wrappedKey, 80) } : r,
        ),
      },
    ];
    for (const t of tampered) {
      expect(() => openEnvelope(t, "regulator", viewKeyV1.privateKey)).to.throw(EnvelopeError, "does not open");
    }
  });

  it("detect a commitment that does not match, and an envelope swapped for another one", function () {
    const sealed = sealEnvelope(TERMS, readers());
    const other = sealEnvelope({ ...TERMS, price: "1.00" }, readers());
    expect(() =>
      openAndVerify(sealed.envelope, flip(sealed.commitment, 31), "regulator", viewKeyV1.privateKey),
    ).to.throw(EnvelopeError, "does not match its commitment");
    expect(() => openAndVerify(other.envelope, sealed.commitment, TAKER, taker.privateKey)).to.throw(
      EnvelopeError,
      "does not match its commitment",
    );
  });

  it("bind every reader to one payload: a key wrapped for the regulator from another envelope is caught", function () {
    // A dishonest sealer gives the regulator the data key of another envelope: the ciphertext does not open with it.
    const honest = sealEnvelope(TERMS, readers());
    const decoy = sealEnvelope({ ...TERMS, price: "1.00" }, readers());
    const mixed: Envelope = {
      ...honest.envelope,
      recipients: honest.envelope.recipients.map((r) =>
        r.id === "regulator" ? decoy.envelope.recipients.find((d) => d.id === "regulator")! : r,
      ),
    };
    expect(openAndVerify(mixed, honest.commitment, TAKER, taker.privateKey)).to.deep.equal(TERMS);
    expect(() => openAndVerify(mixed, honest.commitment, "regulator", viewKeyV1.privateKey)).to.throw(EnvelopeError);
  });

  it("hide the terms behind the commitment: the same terms sealed twice give different commitments", function () {
    const a = sealEnvelope(TERMS, readers());
    const b = sealEnvelope(TERMS, readers());
    expect(a.commitment).to.not.equal(b.commitment);
    expect(a.commitment).to.not.equal(ethers.keccak256(ethers.toUtf8Bytes(JSON.stringify(TERMS))));
    expect(encodeEnvelope(a.envelope).toLowerCase()).to.not.contain(
      ethers.hexlify(ethers.toUtf8Bytes(TERMS.invoice)).slice(2).toLowerCase(),
    );
  });

  it("after the view key rotates: new envelopes open with the new key only, old ones still with the old key", function () {
    const before = sealEnvelope(TERMS, readers(viewKeyV1, 1));
    const after = sealEnvelope(TERMS, readers(viewKeyV2, 2));
    expect(after.envelope.recipients.find((r) => r.id === "regulator")!.keyVersion).to.equal(2);
    expect(openAndVerify(after.envelope, after.commitment, "regulator", viewKeyV2.privateKey)).to.deep.equal(TERMS);
    expect(() => openEnvelope(after.envelope, "regulator", viewKeyV1.privateKey)).to.throw(EnvelopeError);
    expect(before.envelope.recipients.find((r) => r.id === "regulator")!.keyVersion).to.equal(1);
    expect(openAndVerify(before.envelope, before.commitment, "regulator", viewKeyV1.privateKey)).to.deep.equal(TERMS);
  });

  it("travel as bytes and come back whole", function () {
    const { envelope, commitment } = sealEnvelope(TERMS, readers());
    const decoded = decodeEnvelope(encodeEnvelope(envelope));
    expect(decoded).to.deep.equal(envelope);
    expect(openAndVerify(decoded, commitment, MAKER, maker.privateKey)).to.deep.equal(TERMS);
    expect(() => decodeEnvelope("0xff00")).to.throw(EnvelopeError, "not an envelope: the bytes are not UTF-8 text");
    expect(envelope.recipients.every((r) => ethers.dataLength(r.wrappedKey) === WRAPPED_KEY_LENGTH)).to.equal(true);
  });

  describe("readEnvelope()", function () {
    const { envelope } = sealEnvelope(TERMS, readers());
    const [first] = envelope.recipients;
    const without = (field: string) => Object.fromEntries(Object.entries(envelope).filter(([k]) => k !== field));
    const withFirst = (changes: Record<string, unknown>) => ({
      ...envelope,
      recipients: [{ ...first, ...changes }, ...envelope.recipients.slice(1)],
    });
    const cases: [string, unknown, string][] = [
      ["a string", "envelope", "it is a string, not an object"],
      ["no version", without("version"), "its version is missing or not a number"],
      ["version 2", { ...envelope, version: 2 }, "unknown envelope version 2"],
      ["an extra field", { ...envelope, note: 1 }, 'it has an unknown field "note"'],
      ["no iv", without("iv"), "iv is not hex bytes"],
      ["an 11-byte iv", { ...envelope, iv: ethers.dataSlice(envelope.iv, 1) }, "iv is 11 bytes, not 12"],
      [
        "an odd-length ciphertext",
        { ...envelope, ciphertext: `${envelope.ciphertext}0` },
        "ciphertext is not hex bytes",
      ],
      ["no recipients", without("recipients"), "recipients is undefined, not a list"],
      ["no reader", { ...envelope, recipients: [] }, "recipients is empty"],
      [
        "a reader without an id",
        withFirst({ id: undefined }),
        "recipient 0's id is not a string of 1 to 128 characters",
      ],
      ["a numeric id", withFirst({ id: 7 }), "recipient 0's id is not a string of 1 to 128 characters"],
      [
        "key version 0",
        withFirst({ keyVersion: 0 }),
        "recipient 0's keyVersion is not an integer from 1 to 4294967295",
      ],
      [
        "key version 1.5",
        withFirst({ keyVersion: 1.5 }),
        "recipient 0's keyVersion is not an integer from 1 to 4294967295",
      ],
      [
        "key version 2^32",
        withFirst({ keyVersion: 2 ** 32 }),
        "recipient 0's keyVersion is not an integer from 1 to 4294967295",
      ],
      ["a short wrapped key", withFirst({ wrappedKey: "0x04" }), "recipient 0's wrappedKey is 1 bytes, not 129"],
      ["a reader's extra field", withFirst({ x: true }), 'recipient 0 has an unknown field "x"'],
      [
        "a reader twice (ids differ in case only)",
        { ...envelope, recipients: [...envelope.recipients, { ...first, id: first.id.toLowerCase() }] },
        "recipient 3 repeats the id of an earlier one",
      ],
    ];
    for (const [name, value, reason] of cases) {
      it(`reports ${name}: "${reason}"`, function () {
        expect(readEnvelope(encodeEnvelope(value as Envelope))).to.deep.equal({ ok: false, reason });
        expect(() => openEnvelope(value as Envelope, MAKER, maker.privateKey)).to.throw(
          EnvelopeError,
          `not an envelope: ${reason}`,
        );
      });
    }
  });

  describe("tryOpenEnvelope()", function () {
    it("reports each way an envelope does not open, never throwing", function () {
      const { envelope } = sealEnvelope(TERMS, readers());
      const mine = () => viewKeyV1.privateKey;
      expect(tryOpenEnvelope(envelope, "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", mine)).to.deep.include({
        ok: false,
        failure: "not-a-reader",
      });
      expect(tryOpenEnvelope(envelope, "regulator", () => undefined)).to.deep.include({
        ok: false,
        failure: "no-key",
        keyVersion: 1,
      });
      expect(tryOpenEnvelope(envelope, "regulator", () => outsider.privateKey)).to.deep.include({
        ok: false,
        failure: "wrong-key",
      });
      const body = ethers.getBytes(envelope.ciphertext);
      body[3] ^= 0x80;
      expect(tryOpenEnvelope({ ...envelope, ciphertext: ethers.hexlify(body) }, "regulator", mine)).to.deep.include({
        ok: false,
        failure: "tampered",
      });
      const opened = tryOpenEnvelope(envelope, "REGULATOR", mine);
      expect(opened.ok && opened.opened.terms).to.deep.equal(TERMS);
    });

    it("reports as malformed a well-sealed envelope whose payload is not JSON", function () {
      // A dishonest sealer wraps the data key and encrypts correctly, but not a salt followed by JSON text.
      const dataKey = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
      const plain = Buffer.concat([randomBytes(32), Buffer.from("not json {")]);
      const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      const notJson: Envelope = {
        version: 1,
        iv: ethers.hexlify(iv),
        ciphertext: ethers.hexlify(body),
        recipients: [
          { id: MAKER, keyVersion: 1, wrappedKey: ethers.hexlify(encrypt(ethers.getBytes(maker.publicKey), dataKey)) },
        ],
      };
      expect(tryOpenEnvelope(notJson, MAKER, () => maker.privateKey)).to.deep.include({
        ok: false,
        failure: "malformed",
        reason: "it opens, but its payload is not JSON text",
      });
      expect(() => openEnvelope(notJson, MAKER, maker.privateKey)).to.throw(EnvelopeError, "payload is not JSON");
    });
  });

  it("refuse to seal for nobody, for the same reader twice or for key version 0, and give each private key its public key", function () {
    expect(() => sealEnvelope(TERMS, [])).to.throw(EnvelopeError, "at least one reader");
    const twice = [readers()[0], { ...readers()[0], publicKey: taker.publicKey }];
    expect(() => sealEnvelope(TERMS, twice)).to.throw(EnvelopeError, "once");
    expect(() => sealEnvelope(TERMS, [{ ...readers()[0], keyVersion: 0 }])).to.throw(
      EnvelopeError,
      "cannot seal: recipient 0's keyVersion is not an integer from 1 to 4294967295",
    );
    expect(publicKeyOf(maker.privateKey)).to.equal(maker.publicKey);
    expect(ethers.dataLength(maker.publicKey)).to.equal(33);
  });
});
