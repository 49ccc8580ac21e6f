import assert from "../helpers/assert.ts";
import {
  fingerprint,
  type Hash128,
  hashWords,
  SlotTable,
} from "../../cache/slot_table.ts";

const KEY_A = hashWords("0123456789abcdef0123456789abcdef");
const KEY_B = hashWords("fedcba9876543210fedcba9876543210");
/** Another key whose first word differs only in its highest bit: same chain as KEY_A. */
const KEY_A2: Hash128 = [
  (KEY_A[0] ^ 0x80000000) >>> 0,
  KEY_A[1],
  KEY_A[2],
  KEY_A[3],
];
const DEFAULT = hashWords("default");
const GZIP = hashWords("00000000000000000000000000000001");

Deno.test("hashWords() reads 32 hex digits as four words, and 'default' as zeros", () => {
  assert.deepEqual(hashWords("0000000100000002000000030000000f"), [
    1,
    2,
    3,
    15,
  ]);
  assert.deepEqual(DEFAULT, [0, 0, 0, 0]);
});

Deno.test("SlotTable.find() tells keys of one bucket and variants of one key apart", () => {
  const table = new SlotTable();
  const a = table.add(KEY_A, DEFAULT, { print: 1, cost: 10 });
  const gz = table.add(KEY_A, GZIP, { print: 2, cost: 20 });
  const a2 = table.add(KEY_A2, DEFAULT, { print: 3, cost: 30 });
  assert.equal(table.find(KEY_A, DEFAULT), a);
  assert.equal(table.find(KEY_A, GZIP), gz);
  assert.equal(table.find(KEY_A2, DEFAULT), a2);
  assert.equal(table.find(KEY_B, DEFAULT), -1);
  assert.deepEqual(table.ofKey(KEY_A).sort(), [a, gz].sort());
  assert.equal(table.keyHex(a), "0123456789abcdef0123456789abcdef");
  assert.equal(table.variantId(a), "default");
  assert.equal(table.variantId(gz), "00000000000000000000000000000001");
  assert.equal(table.size, 3);
  assert.equal(table.bytes, 60);
  table.remove(a);
  assert.equal(table.find(KEY_A, DEFAULT), -1);
  assert.equal(table.find(KEY_A, GZIP), gz, "the rest of the chain stays");
  assert.equal(table.find(KEY_A2, DEFAULT), a2);
  assert.equal(table.bytes, 50);
});

Deno.test("SlotTable.oldest() follows use order; update() and use() make a record the newest", () => {
  const table = new SlotTable();
  const a = table.add(KEY_A, DEFAULT, { print: 1, cost: 1 });
  const b = table.add(KEY_B, DEFAULT, { print: 1, cost: 1 });
  const c = table.add(KEY_A2, DEFAULT, { print: 1, cost: 1 });
  table.use(a);
  assert.equal(table.oldest(), b);
  table.update(b, { print: 9, cost: 5 });
  assert.equal(table.oldest(), c);
  assert.equal(table.print(b), 9);
  assert.equal(table.bytes, 7);
  const d = table.add(KEY_A, GZIP, { print: 1, cost: 1, oldest: true });
  assert.equal(table.oldest(), d);
  table.reorderOldest([c, d]);
  assert.equal(table.oldest(), c);
  assert.equal(table.newerThan(c), d);
});

Deno.test("SlotTable reuses removed records and grows past its first capacity", () => {
  const table = new SlotTable();
  const keys: Hash128[] = Array.from(
    { length: 3000 },
    (_, i) => [i * 7919, i, 0, 1],
  );
  const ids = keys.map((key, i) =>
    table.add(key, DEFAULT, { print: i, cost: 1 })
  );
  for (let i = 0; i < 3000; i += 2) table.remove(ids[i]!);
  const again = table.add(keys[0]!, DEFAULT, { print: 42, cost: 1 });
  assert.ok(ids.includes(again), "a freed record is used again");
  for (let i = 1; i < 3000; i += 2) {
    assert.equal(table.find(keys[i]!, DEFAULT), ids[i]);
    assert.equal(table.print(ids[i]!), i);
  }
  assert.equal(table.size, 1501);
});

Deno.test("SlotTable finds every record after growing when their key hashes share low bits", () => {
  const table = new SlotTable();
  const keys: Hash128[] = Array.from(
    { length: 2500 },
    (_, i) => [(5 + i * 1024) >>> 0, i, 0, 1],
  );
  const ids = keys.map((key, i) =>
    table.add(key, DEFAULT, { print: i, cost: 1 })
  );
  table.remove(ids[1000]!);
  for (let i = 0; i < keys.length; i++) {
    assert.equal(table.find(keys[i]!, DEFAULT), i === 1000 ? -1 : ids[i]);
  }
  assert.equal(table.ofKey(keys[7]!).length, 1);
  assert.equal(table.size, 2499);
});

Deno.test("fingerprint() differs for the body file names of two writes", () => {
  assert.notEqual(
    fingerprint("default-0123456789abcdef.body"),
    fingerprint("default-0123456789abcdee.body"),
  );
  assert.equal(fingerprint("x"), fingerprint("x"));
});
