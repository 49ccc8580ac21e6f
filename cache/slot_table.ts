/**
 * Owns the file store's compact index: one record per stored variant
 * (a slot), held in typed arrays, with no per-entry heap string or
 * object. A record holds its key hash and variant id (128 bits each, as
 * in the file names), a 32-bit fingerprint of the current version's body
 * file name, the bytes it counts against the cap, and its place in the
 * least-recently-used order (a doubly linked list of record numbers).
 * Records are chained by the low bits of their key hash from a table of
 * chain heads as large as the records' capacity (an Int32Array, rebuilt
 * when the records grow), so no Map holds a heap entry per record.
 * Each record also counts the times its version was served (hits, 32
 * bits, reset when the version changes).
 * 65 bytes per record of capacity (which doubles as it fills).
 *
 * Must not know about files nor metadata: the file index (file_index.ts)
 * gives records their meaning.
 */

const NONE = -1;
/** Words per 128-bit hash. */
const W = 4;

/** A 128-bit hash as four 32-bit words (from 32 hex digits). */
export type Hash128 = [number, number, number, number];

/** The words of 32 hex digits; "default" (the variant without Vary) is all zeros. */
export function hashWords(hex: string): Hash128 {
  if (hex.length !== 32) return [0, 0, 0, 0];
  return [
    parseInt(hex.slice(0, 8), 16),
    parseInt(hex.slice(8, 16), 16),
    parseInt(hex.slice(16, 24), 16),
    parseInt(hex.slice(24, 32), 16),
  ];
}

/** A 32-bit FNV-1a of a string: identifies a version by its body file name. */
export function fingerprint(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** Records of slots in typed arrays, in least-recently-used order. */
export class SlotTable {
  #capacity = 0;
  #key = new Uint32Array(0);
  #variant = new Uint32Array(0);
  #print = new Uint32Array(0);
  #cost = new Float64Array(0);
  #older = new Int32Array(0);
  #newer = new Int32Array(0);
  /** The next record of the same bucket; for a free record, the next free one. */
  #chain = new Int32Array(0);
  #live = new Uint8Array(0);
  #hits = new Uint32Array(0);
  /** The first record of each chain, by `key[0] & (capacity - 1)`; -1 for none. */
  #heads = new Int32Array(0);
  #free = NONE;
  #used = 0;
  #oldest = NONE;
  #newest = NONE;
  #size = 0;
  #bytes = 0;

  /** Records held. */
  get size(): number {
    return this.#size;
  }

  /** Sum of the records' costs. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The record of this key hash and variant, or -1. */
  find(key: Hash128, variant: Hash128): number {
    for (let i = this.#head(key); i !== NONE; i = this.#chain[i]!) {
      if (this.#is(i, key) && this.#isVariant(i, variant)) return i;
    }
    return NONE;
  }

  /** Every record of this key hash. */
  ofKey(key: Hash128): number[] {
    const found: number[] = [];
    for (let i = this.#head(key); i !== NONE; i = this.#chain[i]!) {
      if (this.#is(i, key)) found.push(i);
    }
    return found;
  }

  /** Adds a record as the most recently used (or, with `oldest`, the least); returns its number. */
  add(
    key: Hash128,
    variant: Hash128,
    { print, cost, oldest = false }: {
      print: number;
      cost: number;
      oldest?: boolean;
    },
  ): number {
    const i = this.#allocate();
    for (let w = 0; w < W; w++) {
      this.#key[i * W + w] = key[w]!;
      this.#variant[i * W + w] = variant[w]!;
    }
    this.#print[i] = print;
    this.#cost[i] = cost;
    this.#live[i] = 1;
    this.#hits[i] = 0;
    const bucket = this.#bucketOf(key[0]!);
    this.#chain[i] = this.#heads[bucket]!;
    this.#heads[bucket] = i;
    if (oldest) this.#prepend(i);
    else this.#append(i);
    this.#size++;
    this.#bytes += cost;
    return i;
  }

  /** Gives record `i` another version and cost, and makes it the most recently used. */
  update(i: number, { print, cost }: { print: number; cost: number }): void {
    this.#bytes += cost - this.#cost[i]!;
    this.#cost[i] = cost;
    if (this.#print[i] !== print) this.#hits[i] = 0; // another version
    this.#print[i] = print;
    this.use(i);
  }

  /** Counts one serving of record `i`'s version (saturates at 2^32 - 1). */
  hit(i: number): void {
    if (this.#hits[i]! < 0xffffffff) this.#hits[i]!++;
  }

  /** The times record `i`'s version was served. */
  hits(i: number): number {
    return this.#hits[i]!;
  }

  /** Makes record `i` the most recently used. */
  use(i: number): void {
    if (i === this.#newest) return;
    this.#unlink(i);
    this.#append(i);
  }

  /** Removes record `i`. */
  remove(i: number): void {
    if (!this.#live[i]) return;
    const bucket = this.#bucketOf(this.#key[i * W]!);
    const head = this.#heads[bucket]!;
    if (head === i) this.#heads[bucket] = this.#chain[i]!;
    else {
      let j = head;
      while (this.#chain[j] !== i) j = this.#chain[j]!;
      this.#chain[j] = this.#chain[i]!;
    }
    this.#unlink(i);
    this.#live[i] = 0;
    this.#size--;
    this.#bytes -= this.#cost[i]!;
    this.#chain[i] = this.#free;
    this.#free = i;
  }

  /** The least recently used record, or -1. */
  oldest(): number {
    return this.#oldest;
  }

  /** The most recently used record, or -1. */
  newest(): number {
    return this.#newest;
  }

  /** The record used just before `i` (toward the oldest), or -1. */
  olderThan(i: number): number {
    return this.#older[i]!;
  }

  /** The record used just after `i` (toward the newest), or -1. */
  newerThan(i: number): number {
    return this.#newer[i]!;
  }

  /** Puts `records` (currently linked anywhere) at the oldest end, the first of them oldest. */
  reorderOldest(records: readonly number[]): void {
    for (let k = records.length - 1; k >= 0; k--) {
      const i = records[k]!;
      this.#unlink(i);
      this.#prepend(i);
    }
  }

  /** True when record `i` holds a slot (not free). */
  isLive(i: number): boolean {
    return this.#live[i] === 1;
  }

  /** The body file fingerprint of record `i`. */
  print(i: number): number {
    return this.#print[i]!;
  }

  /** The key hash of record `i`, in hex. */
  keyHex(i: number): string {
    return hex(this.#key, i);
  }

  /** The variant id of record `i` ("default" when it has none). */
  variantId(i: number): string {
    const v = this.#variant;
    const o = i * W;
    if ((v[o]! | v[o + 1]! | v[o + 2]! | v[o + 3]!) === 0) return "default";
    return hex(v, i);
  }

  #head(key: Hash128): number {
    if (this.#capacity === 0) return NONE;
    return this.#heads[this.#bucketOf(key[0]!)]!;
  }

  /** The chain of a key hash's first word (capacity is a power of two). */
  #bucketOf(word: number): number {
    return word & (this.#capacity - 1);
  }

  #is(i: number, key: Hash128): boolean {
    const o = i * W;
    const k = this.#key;
    return k[o] === key[0] && k[o + 1] === key[1] && k[o + 2] === key[2] &&
      k[o + 3] === key[3];
  }

  #isVariant(i: number, variant: Hash128): boolean {
    const o = i * W;
    const v = this.#variant;
    return v[o] === variant[0] && v[o + 1] === variant[1] &&
      v[o + 2] === variant[2] && v[o + 3] === variant[3];
  }

  #allocate(): number {
    if (this.#free !== NONE) {
      const i = this.#free;
      this.#free = this.#chain[i]!;
      return i;
    }
    if (this.#used === this.#capacity) this.#grow();
    return this.#used++;
  }

  #grow(): void {
    const capacity = Math.max(1024, this.#capacity * 2);
    const grown = <
      T extends Uint32Array | Float64Array | Int32Array | Uint8Array,
    >(
      old: T,
      make: (n: number) => T,
      width = 1,
    ): T => {
      const next = make(capacity * width);
      next.set(old);
      return next;
    };
    this.#key = grown(this.#key, (n) => new Uint32Array(n), W);
    this.#variant = grown(this.#variant, (n) => new Uint32Array(n), W);
    this.#print = grown(this.#print, (n) => new Uint32Array(n));
    this.#cost = grown(this.#cost, (n) => new Float64Array(n));
    this.#older = grown(this.#older, (n) => new Int32Array(n));
    this.#newer = grown(this.#newer, (n) => new Int32Array(n));
    this.#chain = grown(this.#chain, (n) => new Int32Array(n));
    this.#live = grown(this.#live, (n) => new Uint8Array(n));
    this.#hits = grown(this.#hits, (n) => new Uint32Array(n));
    this.#capacity = capacity;
    this.#rechain();
  }

  /** Rebuilds the chains for the new capacity (no record is free while growing). */
  #rechain(): void {
    this.#heads = new Int32Array(this.#capacity).fill(NONE);
    for (let i = 0; i < this.#used; i++) {
      if (!this.#live[i]) continue;
      const bucket = this.#bucketOf(this.#key[i * W]!);
      this.#chain[i] = this.#heads[bucket]!;
      this.#heads[bucket] = i;
    }
  }

  #append(i: number): void {
    this.#older[i] = this.#newest;
    this.#newer[i] = NONE;
    if (this.#newest !== NONE) this.#newer[this.#newest] = i;
    else this.#oldest = i;
    this.#newest = i;
  }

  #prepend(i: number): void {
    this.#newer[i] = this.#oldest;
    this.#older[i] = NONE;
    if (this.#oldest !== NONE) this.#older[this.#oldest] = i;
    else this.#newest = i;
    this.#oldest = i;
  }

  #unlink(i: number): void {
    const older = this.#older[i]!;
    const newer = this.#newer[i]!;
    if (older !== NONE) this.#newer[older] = newer;
    else if (this.#oldest === i) this.#oldest = newer;
    if (newer !== NONE) this.#older[newer] = older;
    else if (this.#newest === i) this.#newest = older;
    this.#older[i] = this.#newer[i] = NONE;
  }
}

function hex(words: Uint32Array, i: number): string {
  let text = "";
  for (let w = 0; w < W; w++) {
    text += words[i * W + w]!.toString(16).padStart(8, "0");
  }
  return text;
}
