import assert from "../helpers/assert.ts";
import { MemoryStore } from "../../cache/memory_store.ts";
import { bodyBytes, bodyOf, draft, put } from "./store_helpers.ts";
import { storeContract } from "./store_contract.ts";

storeContract("MemoryStore", (sizeBytes) => {
  const store = new MemoryStore({ sizeBytes });
  return Promise.resolve({ store, dispose: () => store.close() });
});

Deno.test("MemoryStore constructor throws when sizeBytes is not a byte count", () => {
  for (const sizeBytes of [-1, 1.5, Number.NaN]) {
    assert.throws(
      () => new MemoryStore({ sizeBytes }),
      /Cannot open store: sizeBytes/,
    );
  }
});

Deno.test("MemoryStore.memoryBody() counts a hit for every body it returns", async () => {
  const store = new MemoryStore({ sizeBytes: 1 << 20 });
  const meta = await put(store, draft("http://m.example/"), bodyBytes(300_000));
  assert.deepEqual(store.memoryBody(meta), bodyBytes(300_000));
  assert.deepEqual(await bodyOf(store, meta), bodyBytes(300_000));
  assert.equal(store.stats.memoryHits, 2);
  await store.close();
});

Deno.test("MemoryStore keeps a copy of written chunks when the caller reuses them", async () => {
  const store = new MemoryStore({ sizeBytes: 1 << 20 });
  const entry = draft("http://m.example/reuse");
  const writer = store.begin(entry);
  const chunk = new Uint8Array([1, 2, 3]);
  await writer.write(chunk);
  chunk.fill(9);
  await writer.write(chunk);
  assert.equal(await writer.commit(6), true);
  const meta = store.variants(entry.key)[0]!;
  assert.deepEqual(
    await bodyOf(store, meta),
    new Uint8Array([1, 2, 3, 9, 9, 9]),
  );
  await store.close();
});

Deno.test("MemoryStore.begin() after close() stores nothing", async () => {
  const store = new MemoryStore({ sizeBytes: 1 << 20 });
  await store.close();
  const writer = store.begin(draft("http://m.example/late"));
  await writer.write(bodyBytes(10));
  assert.equal(await writer.commit(10), false);
  assert.equal(store.stats.entries, 0);
});
