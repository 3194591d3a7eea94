/**
 * Conservation checks after a node bench, read from the chain (views and events), each against what the bench
 * did: money neither created nor lost, every bill's units held exactly once, every order settled exactly once,
 * every replay refused, and no race won twice.
 */
import { getAddress } from "ethers";
import {
  IFACE,
  castWallets,
  decodeError,
  partStarts,
  settleBatchData,
  settleData,
  type Market,
  type Order,
} from "./market";
import { batched, mapLimit, type Rpc } from "./rpc";
import type { Race } from "./trading";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** What the bench did, as the checks need it. */
export interface BenchRecord {
  market: Market;
  /** Every order the bench saw settle (alone, in batches, race winners). */
  settled: Order[];
  /** The batches as submitted (each replayed whole too). */
  batches: Order[][];
  races: Race[];
}

const TRADE_SETTLED = IFACE.engine.getEvent("TradeSettled").topicHash;
const TRANSFER = IFACE.currency.getEvent("Transfer").topicHash;

const call = (to: string, data: string, from?: string) => ({
  method: "eth_call",
  params: [{ to, data, ...(from ? { from } : {}) }, "latest"],
});

function answers(outcomes: Awaited<ReturnType<typeof batched>>, what: string): string[] {
  return outcomes.map((o, i) => {
    if (!o.ok) throw new Error(`${what} #${i}: ${o.error.message}`);
    return o.result as string;
  });
}

async function logs(rpc: Rpc, address: string, topic: string, fromBlock: number) {
  return rpc.request<{ topics: string[]; data: string }[]>("eth_getLogs", [
    { address, topics: [topic], fromBlock: `0x${fromBlock.toString(16)}`, toBlock: "latest" },
  ]);
}

const topicAddress = (topic: string) => getAddress(`0x${topic.slice(26)}`);
const plural = (n: number, what: string) => `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;

/** Who holds each unit range of each bill, by what the bench settled. */
function expectedSegments(record: BenchRecord) {
  const { market } = record;
  const winners = new Map(record.settled.map((o) => [`${o.range}:${o.terms.makerLeg.start}`, o.terms.taker]));
  return market.ranges.map((r) => {
    const starts = partStarts(r);
    const parts: [bigint, bigint][] = [
      [starts.single, r.parts.single],
      [starts.batch, r.parts.batch],
      [starts.race, r.parts.race],
    ];
    const segments: { start: bigint; end: bigint; holder: string }[] = [];
    const holder = r.holder.address;
    let from = 1n;
    for (const [start, units] of parts) {
      const buyer = winners.get(`${r.index}:${start}`);
      if (buyer === undefined) continue; // not traded: it stays in the holder's range around it
      if (start > from) segments.push({ start: from, end: start - 1n, holder });
      segments.push({ start, end: start + units - 1n, holder: buyer });
      from = start + units;
    }
    if (from <= r.face) segments.push({ start: from, end: r.face, holder });
    return segments;
  });
}

async function checkMoney(rpc: Rpc, record: BenchRecord): Promise<Check[]> {
  const { market } = record;
  const c = market.contracts;
  const known = [...castWallets(market.cast), c.engine, c.payments];
  // Anyone who ever received currency, by the Transfer events; any holder the bench did not expect shows here.
  const transfers = await logs(rpc, c.currency, TRANSFER, 0).catch(() => undefined);
  const recipients = (transfers ?? []).map((l) => topicAddress(l.topics[2]));
  const holders = [...new Set([...known, ...recipients].map((a) => getAddress(a)))];
  const reads = [
    call(c.currency, IFACE.currency.encodeFunctionData("totalSupply")),
    ...holders.map((h) => call(c.currency, IFACE.currency.encodeFunctionData("balanceOf", [h]))),
  ];
  const [supply, ...balances] = answers(await batched(rpc, reads), "balance").map((x) => BigInt(x));
  const sum = balances.reduce((a, b) => a + b, 0n);
  const balanceOf = new Map(holders.map((h, i) => [h, balances[i]]));

  // What each party should hold: the banks their mint less what they paid, the enterprises what they were paid.
  const expected = new Map<string, bigint>(known.map((a) => [getAddress(a), 0n]));
  for (const bank of market.cast.banks) expected.set(bank.address, market.minted);
  for (const o of record.settled) {
    const amount = o.terms.takerLeg.amount;
    expected.set(o.terms.taker, expected.get(o.terms.taker)! - amount);
    expected.set(o.terms.maker, expected.get(o.terms.maker)! + amount);
  }
  const wrong = [...expected].filter(([a, v]) => balanceOf.get(a) !== v);
  const strangers = holders.filter((h) => !expected.has(h) && balanceOf.get(h)! > 0n);
  return [
    {
      name: "currency supply equals the sum of all holdings",
      ok: supply === sum && supply === market.minted * BigInt(market.cast.banks.length),
      detail:
        `supply ${supply} fen, all of it minted to the banks; ${plural(holders.length, "account")} ` +
        `(every wallet, the engine, payments${transfers ? ", every Transfer recipient" : "; the node gave no Transfer events"}) hold ${sum}`,
    },
    {
      name: "every holding is what the settled trades make it",
      ok: wrong.length === 0 && strangers.length === 0,
      detail:
        wrong.length + strangers.length === 0
          ? `${plural(expected.size, "account")} match mint − paid + received`
          : `wrong: ${wrong.map(([a, v]) => `${a} holds ${balanceOf.get(a)}, expected ${v}`).join("; ")} ${strangers.join(", ")}`,
    },
  ];
}

async function checkRanges(rpc: Rpc, record: BenchRecord): Promise<Check[]> {
  const { market } = record;
  const ledger = market.contracts.ledger;
  const expected = expectedSegments(record);
  const coverage: string[] = [];
  const holders: string[] = [];
  let ranges = 0;
  await mapLimit(market.ranges, 8, async (r, i) => {
    const page = IFACE.ledger.encodeFunctionData("rangesOfBill", [r.billId, 1, 50]);
    const [found, next] = IFACE.ledger.decodeFunctionResult(
      "rangesOfBill",
      await rpc.request<string>("eth_call", [{ to: ledger, data: page }, "latest"]),
    );
    const got = (found as { start: bigint; end: bigint; holder: string }[]).map((x) => ({
      start: x.start,
      end: x.end,
      holder: x.holder,
    }));
    ranges += got.length;
    let unit = 1n;
    for (const x of got) {
      if (x.start !== unit || x.end < x.start)
        coverage.push(`bill ${r.billId}: a range [${x.start}, ${x.end}] after unit ${unit - 1n}`);
      unit = x.end + 1n;
    }
    if (next !== 0n) coverage.push(`bill ${r.billId}: more than 50 ranges`);
    if (unit - 1n !== r.face) coverage.push(`bill ${r.billId}: units up to ${unit - 1n} of ${r.face} covered`);
    const want = expected[i];
    const same =
      want.length === got.length &&
      want.every((w, k) => w.start === got[k].start && w.end === got[k].end && w.holder === got[k].holder);
    if (!same) holders.push(`bill ${r.billId}`);
  });
  return [
    {
      name: "every bill's ranges cover its units exactly once",
      ok: coverage.length === 0,
      detail:
        coverage.length === 0
          ? `${plural(market.ranges.length, "bill")}, ${plural(ranges, "range")}`
          : coverage.slice(0, 5).join("; "),
    },
    {
      name: "every range is held by the party its trades gave it to",
      ok: holders.length === 0,
      detail:
        holders.length === 0
          ? "every part sold is the buyer's, every rest the enterprise's"
          : holders.slice(0, 5).join(", "),
    },
  ];
}

async function checkSettledOnce(rpc: Rpc, record: BenchRecord): Promise<Check> {
  const { market } = record;
  const events = await logs(rpc, market.contracts.engine, TRADE_SETTLED, market.fromBlock);
  const count = new Map<string, number>();
  for (const e of events) count.set(e.topics[1], (count.get(e.topics[1]) ?? 0) + 1);
  const problems: string[] = [];
  const ids = new Set(record.settled.map((o) => o.id));
  for (const o of record.settled) {
    const n = count.get(o.id) ?? 0;
    if (n !== 1) problems.push(`order ${o.id.slice(0, 10)}… settled ${n} times`);
  }
  for (const [tradeId, n] of count)
    if (!ids.has(tradeId)) problems.push(`unexpected trade ${tradeId.slice(0, 10)}… (${n})`);
  const engine = market.contracts.engine;
  const nonceReads = record.settled.flatMap((o) =>
    [o.terms.maker, o.terms.taker].map((party) =>
      call(engine, IFACE.engine.encodeFunctionData("isNonceUsed", [party, o.terms.nonce])),
    ),
  );
  const used = answers(await batched(rpc, nonceReads), "isNonceUsed").map((x) => BigInt(x) === 1n);
  const unspent = used.filter((u) => !u).length;
  if (unspent > 0) problems.push(`${plural(unspent, "party nonce")} of settled orders not spent`);
  return {
    name: "every order settled exactly once",
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${plural(record.settled.length, "order")}: one TradeSettled each (${plural(events.length, "event")} in all), maker's and taker's nonces spent`
        : problems.slice(0, 5).join("; "),
  };
}

async function checkReplays(rpc: Rpc, record: BenchRecord): Promise<Check> {
  const { market } = record;
  const engine = market.contracts.engine;
  const agent = market.cast.agents[0].address;
  const replays = [
    ...record.settled.map((o) => ({ data: settleData(o), nonce: o.terms.nonce, maker: o.terms.maker, what: "settle" })),
    ...record.batches.map((b) => ({
      data: settleBatchData(b),
      nonce: b[0].terms.nonce,
      maker: b[0].terms.maker,
      what: "settleBatch",
    })),
  ];
  const outcomes = await batched(
    rpc,
    replays.map((r) => call(engine, r.data, agent)),
  );
  const problems: string[] = [];
  outcomes.forEach((o, i) => {
    const want = replays[i];
    if (o.ok) return void problems.push(`${want.what} replay #${i} was accepted`);
    const error = decodeError(o.error.revertData);
    const right =
      error?.name === "TradeNonceUsed" &&
      String(error.args[0]).toLowerCase() === want.maker.toLowerCase() &&
      error.args[1] === want.nonce;
    if (!right) problems.push(`${want.what} replay #${i} refused with ${error?.text ?? o.error.message}`);
  });
  // eth_estimateGas too, on a sample: a node that estimates before sending must refuse the replay as well.
  const sample = replays.filter((_r, i) => i % 50 === 0);
  const estimates = await batched(
    rpc,
    sample.map((r) => ({ method: "eth_estimateGas", params: [{ from: agent, to: engine, data: r.data }] })),
  );
  const estimated = estimates.filter((e) => e.ok).length;
  if (estimated > 0) problems.push(`${plural(estimated, "replay")} estimated as if it would succeed`);
  return {
    name: "every replay of a settled order is refused",
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${plural(replays.length, "replay")} (every order, every batch) refused by eth_call with TradeNonceUsed(maker, nonce); ${sample.length} by eth_estimateGas`
        : problems.slice(0, 5).join("; "),
  };
}

function checkRaces(record: BenchRecord): Check {
  const problems: string[] = [];
  for (const race of record.races) {
    const won = race.receipts.filter((r) => r.status === 1).length;
    if (won !== 1) problems.push(`round ${race.round} (${race.timing}, ${race.orders}): ${won} settled`);
    if (race.timing === "same block" && race.receipts[0].blockNumber !== race.receipts[1].blockNumber) {
      problems.push(`round ${race.round}: the two orders were mined in different blocks`);
    }
  }
  const sameBlock = record.races.filter((r) => r.timing === "same block").length;
  return {
    name: "two agents racing for one range never both settle",
    ok: problems.length === 0 && record.races.length > 0,
    detail:
      problems.length === 0
        ? `${plural(record.races.length, "race")} (${sameBlock} in one block, ${record.races.length - sameBlock} back to back; same order or conflicting orders): one settled each, the other failed on chain`
        : problems.slice(0, 5).join("; "),
  };
}

/** Runs every check; none throws for a broken invariant (it reports it), only for a node that cannot answer. */
export async function conservationChecks(rpc: Rpc, record: BenchRecord): Promise<Check[]> {
  return [
    ...(await checkMoney(rpc, record)),
    ...(await checkRanges(rpc, record)),
    await checkSettledOnce(rpc, record),
    await checkReplays(rpc, record),
    checkRaces(record),
  ];
}
