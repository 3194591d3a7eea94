/*
 * The envelope readers against anything the board accepts (fast-check). Any verified trader may post any bytes, up
 * to 16,384, under any commitment; the regulator's audit and a party's `openPosted` read them all. Whatever the
 * bytes — random bytes, random text, random JSON, random envelope-shaped objects, a genuine envelope with a field
 * removed, retyped, a bit flipped or cut short — reading and checking them never throws: they are an envelope or
 * a status with a reason. A genuine envelope still opens, and nothing but the genuine terms is ever verified.
 *
 * `npm test` runs a few hundred cases in well under a second or two; FC_LONG=1 runs a hundred times more.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "ethers";
import { checkEnvelope, postedFromBytes, type EnvelopeCheck } from "../../tasks/lib/confidential";
import {
  EnvelopeError,
  WRAPPED_KEY_LENGTH,
  encodeEnvelope,
  newEncryptionKey,
  openEnvelope,
  parseEnvelope,
  readEnvelope,
  sealEnvelope,
  tryOpenEnvelope,
  type Envelope,
} from "../../tasks/lib/envelope";

const LONG = Boolean(process.env.FC_LONG);
/** Cases that fail before any elliptic-curve work (cheap), and cases that may unwrap a data key (~20 ms each). */
const RUNS = LONG ? 20_000 : 200;
const COSTLY_RUNS = LONG ? 5_000 : 50;
const MAX_ENVELOPE_LENGTH = 16_384;

const TERMS = { invoice: "044031900111", background: "purchase contract PC-2026-001", price: "398,711.12" };
const MAKER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const TAKER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const maker = newEncryptionKey();
const taker = newEncryptionKey();
const view = newEncryptionKey();
const sealed = sealEnvelope(TERMS, [
  { id: MAKER, publicKey: maker.publicKey, keyVersion: 1 },
  { id: TAKER, publicKey: taker.publicKey, keyVersion: 1 },
  { id: "regulator", publicKey: view.publicKey, keyVersion: 1 },
]);
const GENUINE = encodeEnvelope(sealed.envelope);
/** The regulator holds view key version 1 only, as the audit's keyring would. */
const regulatorKey = (version: number) => (version === 1 ? view.privateKey : undefined);
const WHERE = { commitment: sealed.commitment, poster: TAKER, block: 1, tx: ethers.ZeroHash, logIndex: 0 };
const STATUSES = ["verified", "mismatch", "tampered", "wrong-key", "no-key", "not-a-reader", "malformed"];

/** A check is a known status with a reason; only the genuine terms, under their commitment, are ever verified. */
function expectSound(check: EnvelopeCheck) {
  expect(STATUSES).to.include(check.status);
  expect(check.detail).to.be.a("string").that.is.not.empty;
  if (check.status === "verified") expect(check.terms).to.deep.equal(TERMS);
}

/** Reads `data` as the audit and `openPosted` do: decode, then check as the regulator. Throws only via `expect`. */
function readAsRegulator(data: string): EnvelopeCheck {
  const decoded = readEnvelope(data);
  if (!decoded.ok) expect(decoded.reason).to.be.a("string").that.is.not.empty;
  const check = checkEnvelope(postedFromBytes(data, WHERE), sealed.commitment, "regulator", regulatorKey);
  expectSound(check);
  if (!decoded.ok) expect(check).to.deep.include({ status: "malformed" });
  return check;
}

/** `value` (anything) given straight to the openers: a result, or an `EnvelopeError`, never anything else. */
function openAnything(value: unknown) {
  const parsed = parseEnvelope(value);
  expect(parsed.ok || parsed.reason.length > 0).to.equal(true);
  const attempt = tryOpenEnvelope(value, "regulator", regulatorKey);
  expect(attempt.ok || attempt.reason.length > 0).to.equal(true);
  try {
    openEnvelope(value as Envelope, "regulator", view.privateKey);
  } catch (error) {
    expect(error).to.be.instanceOf(EnvelopeError);
  }
}

/** Mostly short byte strings, one in five up to the board's maximum length. */
const bytesArb = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 4 },
  { arbitrary: fc.uint8Array({ maxLength: MAX_ENVELOPE_LENGTH, size: "max" }), weight: 1 },
);
const hexArb = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map(ethers.hexlify);
/** Objects shaped like an envelope, each field either well-formed or anything JSON, and any field left out. */
const recipientArb = fc.record(
  {
    id: fc.oneof(fc.constantFrom("regulator", "REGULATOR", MAKER, ""), fc.jsonValue()),
    keyVersion: fc.oneof(fc.constantFrom(1, 2, 0, 2 ** 32), fc.jsonValue()),
    wrappedKey: fc.oneof(hexArb(WRAPPED_KEY_LENGTH), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const envelopeShapedArb = fc.record(
  {
    version: fc.oneof(fc.constant(1), fc.jsonValue()),
    iv: fc.oneof(hexArb(12), fc.constant(sealed.envelope.iv), fc.jsonValue()),
    ciphertext: fc.oneof(fc.uint8Array({ maxLength: 200 }).map(ethers.hexlify), fc.jsonValue()),
    recipients: fc.oneof(fc.array(fc.oneof(recipientArb, fc.jsonValue()), { maxLength: 4 }), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

/** A field of the genuine envelope, or a reader, or a reader's field. */
const PATHS = [
  ["version"],
  ["iv"],
  ["ciphertext"],
  ["recipients"],
  ...[0, 1, 2].flatMap((i) => [
    ["recipients", i],
    ["recipients", i, "id"],
    ["recipients", i, "keyVersion"],
    ["recipients", i, "wrappedKey"],
  ]),
] as (string | number)[][];
const length = ethers.dataLength(GENUINE);
type Mutation =
  | { kind: "none" }
  | { kind: "remove"; path: (string | number)[] }
  | { kind: "retype"; path: (string | number)[]; value: unknown }
  | { kind: "flip"; index: number; bit: number }
  | { kind: "cut"; at: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.record({ kind: fc.constant("remove" as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant("retype" as const), path: fc.constantFrom(...PATHS), value: fc.jsonValue() }),
  fc.record({
    kind: fc.constant("flip" as const),
    index: fc.nat({ max: length - 1 }),
    bit: fc.nat({ max: 7 }),
  }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat({ max: length - 1 }) }),
);

function mutate(m: Mutation): string {
  if (m.kind === "none") return GENUINE;
  if (m.kind === "flip") {
    const bytes = ethers.getBytes(GENUINE);
    bytes[m.index] ^= 1 << m.bit;
    return ethers.hexlify(bytes);
  }
  if (m.kind === "cut") return ethers.dataSlice(GENUINE, 0, m.at);
  const copy = structuredClone(sealed.envelope) as unknown as Record<string | number, unknown>;
  let parent = copy;
  for (const key of m.path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = m.path[m.path.length - 1];
  if (m.kind === "remove" && Array.isArray(parent)) parent.splice(last as number, 1);
  else if (m.kind === "remove") delete parent[last];
  else parent[last] = m.value;
  return ethers.hexlify(ethers.toUtf8Bytes(JSON.stringify(copy)));
}

describe("Envelope readers against anything posted (fast-check)", function () {
  this.timeout(LONG ? 3_600_000 : 60_000);

  it("open a genuine envelope, as every reader, after a trip through bytes", function () {
    expect(readAsRegulator(GENUINE)).to.deep.include({ status: "verified", keyVersion: 1 });
    for (const [id, key] of [
      [MAKER, maker.privateKey],
      [TAKER, taker.privateKey],
    ]) {
      const check = checkEnvelope(postedFromBytes(GENUINE, WHERE), sealed.commitment, id, () => key);
      expect(check).to.deep.include({ status: "verified", terms: TERMS });
    }
  });

  it("report random bytes (up to the board's 16,384) as malformed, never throwing", function () {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const check = readAsRegulator(ethers.hexlify(bytes));
        expect(check.status).to.equal("malformed");
      }),
      { numRuns: RUNS },
    );
  });

  it("report random text and random JSON as malformed, never throwing", function () {
    const textArb = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.json({ maxDepth: 6 }),
      fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? "null"),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        const check = readAsRegulator(ethers.hexlify(Buffer.from(text, "utf8")));
        expect(check.status).to.equal("malformed");
      }),
      { numRuns: RUNS },
    );
  });

  it("give any JavaScript value straight to the openers: a result or an EnvelopeError, nothing else", function () {
    const anythingArb = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withObjectString: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(fc.property(fc.oneof(anythingArb, fc.jsonValue()), openAnything), { numRuns: RUNS });
  });

  it("report random envelope-shaped objects (fields well-formed or not, some left out), never throwing", function () {
    fc.assert(
      fc.property(envelopeShapedArb, (value) => {
        openAnything(value);
        readAsRegulator(ethers.hexlify(ethers.toUtf8Bytes(JSON.stringify(value))));
      }),
      { numRuns: COSTLY_RUNS },
    );
  });

  it("report a genuine envelope with a field removed, retyped, a bit flipped or cut short, and verify it unchanged", function () {
    fc.assert(
      fc.property(mutationArb, (m) => {
        const check = readAsRegulator(mutate(m));
        if (m.kind === "none") expect(check.status).to.equal("verified");
        if (m.kind === "remove" && m.path.length !== 2) expect(check.status).to.equal("malformed");
      }),
      {
        numRuns: COSTLY_RUNS,
        examples: [[{ kind: "none" }], [{ kind: "retype", path: ["recipients", 0], value: null }]],
      },
    );
  });
});
