/**
 * Postings the envelope board accepts from any verified trader (any bytes, up to its maximum length) that are not
 * envelopes: what the audit and `openPosted` must report as malformed, never throw on. Some are built from a
 * genuine envelope, so that every field but one is right.
 */
import { ethers } from "ethers";
import type { Envelope } from "../../../tasks/lib/envelope";

export interface MalformedPosting {
  shape: string;
  data: string;
  /** Why the reader says the bytes are not an envelope. */
  reason: string;
}

const utf8 = (text: string) => ethers.hexlify(ethers.toUtf8Bytes(text));
const json = (value: unknown) => utf8(JSON.stringify(value));

export function malformedPostings(genuine: Envelope): MalformedPosting[] {
  const regulatorFirst = [...genuine.recipients].sort((a, b) =>
    a.id === "regulator" ? -1 : b.id === "regulator" ? 1 : 0,
  );
  return [
    {
      shape: '{"recipients":[null]}',
      data: utf8('{"recipients":[null]}'),
      reason: "its version is missing or not a number",
    },
    {
      shape: "a genuine envelope with a null reader before the others",
      data: json({ ...genuine, recipients: [null, ...genuine.recipients] }),
      reason: "recipient 0 is null, not an object",
    },
    { shape: "null", data: utf8("null"), reason: "it is null, not an object" },
    { shape: "[]", data: utf8("[]"), reason: "it is a list, not an object" },
    {
      shape: '{"version":1,"recipients":"x"}',
      data: json({ ...genuine, recipients: "x" }),
      reason: "recipients is a string, not a list",
    },
    { shape: "a 16,000-digit number", data: utf8("9".repeat(16_000)), reason: "it is a number, not an object" },
    { shape: "bytes that are not UTF-8", data: "0xfffe00c328", reason: "the bytes are not UTF-8 text" },
    {
      shape: "a genuine envelope with its ciphertext cut to 40 bytes",
      data: json({ ...genuine, ciphertext: ethers.dataSlice(genuine.ciphertext, 0, 40) }),
      reason: "ciphertext is 40 bytes, under 48",
    },
    {
      shape: "a genuine envelope whose regulator's wrapped key is a number",
      data: json({ ...genuine, recipients: regulatorFirst.map((r, i) => (i === 0 ? { ...r, wrappedKey: 5 } : r)) }),
      reason: "recipient 0's wrappedKey is not hex bytes",
    },
  ];
}
