import assert from "../helpers/assert.ts";
import { createHash } from "node:crypto";
import { keyHash } from "../../cache/file_layout.ts";
import { KEY_HASH_MEMO_ENTRIES } from "../../cache/limits.ts";

function sha256Prefix(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 32);
}

Deno.test("keyHash() gives the first 32 hex digits of the key's SHA-256, the same before and after its memo forgets the key", () => {
  const first = "http://127.0.0.1:20000/first";
  assert.equal(keyHash(first), sha256Prefix(first));
  assert.equal(keyHash(first), sha256Prefix(first)); // from the memo
  for (let i = 0; i < KEY_HASH_MEMO_ENTRIES * 2; i++) {
    const key = `http://127.0.0.1:20000/k${i}`;
    assert.equal(keyHash(key), sha256Prefix(key));
  }
  assert.equal(keyHash(first), sha256Prefix(first)); // forgotten, computed again
  const hot = "http://127.0.0.1:20000/k0";
  for (let i = 0; i < 3; i++) assert.equal(keyHash(hot), sha256Prefix(hot));
});
