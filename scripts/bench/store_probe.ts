/**
 * Owns the file store probes of "Speed, part two": `fill` stores N small
 * entries through the FileStore API (store_fill.ts) with the proxy's
 * default tiers, then prints the fill rate, the process's VmRSS and VmHWM
 * (/proc/self/status) and the folder's disk use (`du`); `start` opens a
 * store already filled and prints how long until the first lookup of a
 * stored key answered with its body, then how long until the index was
 * complete, and the RSS then. Run each in its own process so RSS is the
 * store's alone.
 *
 * Must not be imported by product code; not a test.
 *
 * Usage: deno run -A scripts/bench/store_probe.ts fill DIR [--entries N]
 *          [--size BYTES] [--conc C]
 *        deno run -A scripts/bench/store_probe.ts start DIR
 *        deno run -A scripts/bench/store_probe.ts verify DIR [--sample N]
 * `verify` opens a filled store after a clean close and looks up N of the
 * stored keys (the first, the middle and the last third's, evenly spread)
 * with their bodies; it exits 1 when one is not found whole.
 * Add `--v8-flags=--expose-gc` to report RSS after a full collection.
 */

import { parseArgs } from "node:util";
import { FileStore } from "../../cache/file_store.ts";
import { CACHE_DEFAULTS } from "../../cli/cache_flags.ts";
import { fillStore } from "./store_fill.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    entries: { type: "string", default: "200000" },
    size: { type: "string", default: "1024" },
    conc: { type: "string", default: "16" },
    sample: { type: "string", default: "1000" },
    tier: { type: "string", default: String(CACHE_DEFAULTS.memoryBytes) },
  },
});
const [mode, dir] = positionals;
if (!["fill", "start", "verify"].includes(mode ?? "") || dir === undefined) {
  console.error("usage: store_probe.ts fill|start|verify DIR [--entries N]");
  Deno.exit(2);
}

/**
 * The proxy's defaults (cli/cache_flags.ts CACHE_DEFAULTS: an 8 MiB
 * memory tier; 16 MiB from 681791d, 64 MiB before): 1 GiB is too small for 200k entries on
 * disk, so the bench's 2 GiB. `--tier BYTES` sets another tier size.
 */
const OPTIONS = {
  sizeBytes: 2048 * 1024 * 1024,
  memoryBytes: Number(values.tier),
  memoryMaxObject: 1024 * 1024,
};

/** With `--v8-flags=--expose-gc`, collects garbage first: what is live, not what V8 has not collected yet. */
function memory(): string {
  (globalThis as { gc?: () => void }).gc?.();
  const status = Deno.readTextFileSync("/proc/self/status");
  const kib = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return `VmRSS ${(kib("VmRSS") / 1024).toFixed(0)} MiB, VmHWM ${
    (kib("VmHWM") / 1024).toFixed(0)
  } MiB`;
}

async function du(): Promise<string> {
  const out = await new Deno.Command("du", {
    args: ["-sk", dir!],
    stdout: "piped",
  })
    .output();
  const kib = Number(new TextDecoder().decode(out.stdout).split(/\s/)[0]);
  return `du ${(kib / 1024).toFixed(0)} MiB`;
}

const KEY_FILE = "probe-keys.txt";
/** Every key stored, in order, one a line (for `verify`). */
const ALL_KEYS_FILE = "probe-all-keys.txt";

/** Looks `key` up and reads its body whole: true when it came back with `size` bytes. */
async function found(store: FileStore, key: string, size: number) {
  const meta = (await store.variants(key))[0];
  const body = meta && await store.openBody(meta);
  if (!body) return false;
  let read = 0;
  for (let chunk = await body.read(); chunk; chunk = await body.read()) {
    read += chunk.length;
  }
  return read === size;
}

/** `count` indexes of `length`, spread evenly over its first, middle and last thirds' ends. */
function sample(length: number, count: number): number[] {
  const picks = new Set<number>();
  const third = Math.floor(count / 3);
  for (let i = 0; i < third; i++) {
    picks.add(i); // the first ones
    picks.add(length - 1 - i); // the last ones
    picks.add((length >> 1) - (third >> 1) + i); // around the middle
  }
  for (let i = 0; picks.size < Math.min(count, length); i++) {
    picks.add(Math.floor((i * 7919) % length)); // the rest, spread
  }
  return [...picks].filter((i) => i >= 0 && i < length).sort((a, b) => a - b);
}

if (mode === "fill") {
  const entries = Number(values.entries);
  const keys: string[] = [];
  const t0 = performance.now();
  const store = await FileStore.open(dir, OPTIONS);
  await fillStore(store, {
    entries,
    size: Number(values.size),
    conc: Number(values.conc),
    keys,
  });
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `filled ${entries} x ${values.size} B in ${seconds.toFixed(1)} s (${
      (entries / seconds).toFixed(0)
    } commits/s); ${memory()}; stats.bytes ${
      (store.stats.bytes / 2 ** 20).toFixed(0)
    } MiB`,
  );
  await store.close();
  console.log(`after close: ${memory()}; ${await du()}`);
  await Deno.writeTextFile(
    `${dir}.${KEY_FILE}`,
    [keys[0], keys[keys.length >> 1], keys[keys.length - 1]].join("\n"),
  );
  await Deno.writeTextFile(`${dir}.${ALL_KEYS_FILE}`, keys.join("\n"));
} else if (mode === "verify") {
  const keys = (await Deno.readTextFile(`${dir}.${ALL_KEYS_FILE}`)).split("\n");
  const t0 = performance.now();
  const store = await FileStore.open(dir, OPTIONS);
  const picks = sample(keys.length, Number(values.sample));
  const missing: string[] = [];
  for (const i of picks) {
    if (!await found(store, keys[i]!, Number(values.size))) {
      missing.push(`${i}: ${keys[i]}`);
    }
  }
  const during = performance.now() - t0;
  await store.indexed;
  const after: string[] = [];
  for (const i of picks) {
    if (!await found(store, keys[i]!, Number(values.size))) {
      after.push(String(i));
    }
  }
  console.log(
    `${picks.length} of ${keys.length} keys looked up (first ${
      picks[0]
    }, last ${picks[picks.length - 1]}): ${
      picks.length - missing.length
    } found whole during the start-up sweep (${during.toFixed(0)} ms), ${
      picks.length - after.length
    } after it; ${store.stats.entries} entries indexed`,
  );
  for (const line of missing.slice(0, 10)) console.log(`missing: ${line}`);
  await store.close();
  if (missing.length > 0 || after.length > 0) Deno.exit(1);
} else {
  const keys = (await Deno.readTextFile(`${dir}.${KEY_FILE}`)).split("\n");
  const t0 = performance.now();
  const store = await FileStore.open(dir, OPTIONS);
  const opened = performance.now() - t0;
  const meta = (await store.variants(keys[1]!))[0];
  const body = meta && await store.openBody(meta);
  if (!body) throw new Error("Cannot probe start-up: the key is not found");
  let read = 0;
  for (let chunk = await body.read(); chunk; chunk = await body.read()) {
    read += chunk.length;
  }
  const first = performance.now() - t0;
  console.log(
    `open ${opened.toFixed(0)} ms; first lookup answered (${read} B) at ${
      first.toFixed(0)
    } ms; ${memory()}`,
  );
  const indexed = (store as { indexed?: Promise<void> }).indexed;
  if (indexed) await indexed;
  console.log(
    `index complete at ${
      (performance.now() - t0).toFixed(0)
    } ms: ${store.stats.entries} entries, ${
      (store.stats.bytes / 2 ** 20).toFixed(0)
    } MiB accounted; ${memory()}`,
  );
  await store.close();
}
