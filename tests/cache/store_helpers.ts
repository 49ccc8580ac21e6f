/**
 * Owns the helpers every store test shares: valid drafts, recognisable
 * bodies, writing an entry, finding it, and reading a body back whole.
 *
 * Must not hold assertions about a store's behaviour beyond "it worked".
 */

import assert from "../helpers/assert.ts";
import type { BodyReader } from "../../http/types.ts";
import { type EntryMeta, META_VERSION } from "../../cache/meta.ts";
import type { EntryDraft, EntryWriter, Store } from "../../cache/store.ts";
import { isPending, type VariantList } from "../../cache/variants.ts";

/**
 * Registers one Store contract test: `body` runs against a fresh store
 * with a cap of `size` bytes (4 MiB by default).
 */
export type ContractTest = (
  title: string,
  body: (store: Store) => Promise<void>,
  size?: number,
) => void;

/** Failures a store's test fixture can inject. */
export interface StoreFaults {
  /** The next commit of `entry`'s variant fails at the switch: its metadata cannot be written. */
  failSwitch(entry: EntryDraft): Promise<void>;
}

/**
 * Registers one Store contract test that needs a failure injected: it
 * runs only against stores whose fixture injects them.
 */
export type FaultTest = (
  title: string,
  body: (store: Store, faults: StoreFaults) => Promise<void>,
) => void;

/** A valid draft for `key`; `vary` selects the variant. */
export function draft(
  key: string,
  vary: [string, string | null][] = [],
  freshUntil = 2_000,
): EntryDraft {
  return {
    version: META_VERSION,
    key,
    vary,
    status: 200,
    reason: "OK",
    headers: [["Content-Type", "text/plain"], ["X-Two", "a"], ["x-two", "b"]],
    requestTime: 1_000,
    responseTime: 1_100,
    correctedInitialAge: 0,
    freshUntil,
    keepUntil: null,
  };
}

/** `size` bytes that differ by seed and position. */
export function bodyBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  }
  return bytes;
}

/** Writes `body` in chunks of `chunk` bytes (no commit). */
export async function writeAll(
  writer: EntryWriter,
  body: Uint8Array,
  chunk = 64 * 1024,
): Promise<void> {
  for (let at = 0; at < body.length; at += chunk) {
    await writer.write(body.subarray(at, at + chunk));
  }
}

/** Reads chunks (copied) until at least `count` bytes came; fails at the end of the body. */
export async function readAtLeast(
  reader: BodyReader,
  count: number,
): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < count) {
    const chunk = await reader.read();
    assert.ok(chunk, `the body ended after ${size} of ${count} bytes`);
    parts.push(chunk.slice());
    size += chunk.length;
  }
  return parts;
}

/** Writes `body` in chunks of `chunk` bytes and commits it; returns the stored meta. */
export async function put(
  store: Store,
  entry: EntryDraft,
  body: Uint8Array,
  chunk = 1000,
): Promise<EntryMeta> {
  const writer = store.begin(entry);
  for (let at = 0; at < body.length; at += chunk) {
    await writer.write(body.subarray(at, at + chunk));
  }
  assert.equal(await writer.commit(body.length), true, "commit stored nothing");
  return only(store, entry);
}

/** The one stored variant of the entry's slot. */
export async function only(
  store: Store,
  entry: Pick<EntryDraft, "key" | "vary">,
): Promise<EntryMeta> {
  const found = (await store.variants(entry.key)).filter((m) =>
    JSON.stringify(m.vary) === JSON.stringify(entry.vary)
  );
  assert.equal(found.length, 1, "expected exactly one stored variant");
  return found[0]!;
}

/** Reads a body to its end; checks `length` and the chunk sizes on the way. */
export async function readAll(
  reader: BodyReader,
  maxChunk = 256 * 1024,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
    assert.ok(
      chunk.length > 0 && chunk.length <= maxChunk,
      `chunk of ${chunk.length}`,
    );
    parts.push(chunk.slice()); // file chunks are reused by the next read
    size += chunk.length;
  }
  assert.equal(reader.length, size, "length differs from the bytes read");
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The whole stored body of `meta`, which must be there. */
export async function bodyOf(
  store: Store,
  meta: EntryMeta,
): Promise<Uint8Array> {
  const reader = await store.openBody(meta);
  assert.ok(reader, "body is gone");
  return readAll(reader);
}

/**
 * The variants of a store that answers at once (the file and memory
 * stores), for checks made synchronously (in a poll's condition).
 */
export function variantsNow(store: Store, key: string): VariantList {
  const found = store.variants(key);
  if (isPending(found)) {
    throw new Error("Cannot read variants at once: the store answers later");
  }
  return found;
}
