/**
 * Owns warming the caches and checking that their hits are hits: every
 * file is asked of every contender a few times, then once more while the
 * origin's access log is watched; a contender whose pass makes the log
 * grow is reported, with the cache headers it answered with.
 *
 * Must not start servers or run wrk.
 */

import type { BenchFile } from "./figures.ts";
import type { LogLines } from "./origin_files.ts";

/** What one GET through a contender gave. */
export interface Fetched {
  status: number;
  bytes: number;
  /** The cache headers of the response, e.g. "X-Cache: HIT; Age: 3". */
  marker: string;
  /** Why there is no response, when the request failed. */
  error?: string;
}

const MARKER_HEADERS = [
  "cache-status",
  "x-cache-status",
  "x-cache",
  "x-varnish",
  "age",
];

/** The cache-related headers of a response, in one short line. */
export function cacheMarker(headers: Headers): string {
  const parts: string[] = [];
  for (const name of MARKER_HEADERS) {
    const value = headers.get(name);
    if (value !== null) parts.push(`${name}: ${value}`);
  }
  return parts.length === 0 ? "no cache headers" : parts.join("; ");
}

/** GETs `url` and reads the whole body (bounded by `limitMs`); never throws. */
export async function fetchWhole(
  url: string,
  limitMs = 120_000,
): Promise<Fetched> {
  try {
    const signal = AbortSignal.timeout(limitMs);
    const response = await fetch(url, { signal });
    let bytes = 0;
    if (response.body !== null) {
      for await (const chunk of response.body) bytes += chunk.length;
    }
    return {
      status: response.status,
      bytes,
      marker: cacheMarker(response.headers),
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { status: 0, bytes: 0, marker: "no response", error: reason };
  }
}

/** One contender's base URL. */
export interface Target {
  name: string;
  url: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Why a response is not the file, or undefined when it is. */
function problemOf(got: Fetched, file: BenchFile): string | undefined {
  if (got.error !== undefined) {
    return `cannot GET ${file.path}: ${got.error}`;
  }
  if (got.status !== 200) return `status ${got.status} for ${file.path}`;
  if (got.bytes !== file.bytes) {
    return `${got.bytes} bytes instead of ${file.bytes} for ${file.path}`;
  }
  return undefined;
}

/** Asks every contender for every file `times` times; returns the problems seen. */
export async function warm(
  targets: readonly Target[],
  files: readonly BenchFile[],
  times = 3,
): Promise<string[]> {
  const problems: string[] = [];
  for (const target of targets) {
    for (const file of files) {
      for (let i = 0; i < times; i++) {
        const problem = problemOf(
          await fetchWhole(`${target.url}${file.path}`),
          file,
        );
        if (problem !== undefined) problems.push(`${target.name}: ${problem}`);
      }
    }
  }
  return problems;
}

/**
 * The request target of an origin log line (`... "GET /1k.bin HTTP/1.1"
 * ...`), or undefined: the check counts only the lines of the files it
 * asked for, not those of another run's fresh URLs written late.
 */
export function requestTarget(line: string): string | undefined {
  return /\b(?:GET|HEAD) (\S+)/.exec(line)?.[1];
}

/** How long the origin's log must stay the same before a check begins. */
const SETTLE_MS = 300;
/** The most settling rounds before a check begins anyway. */
const SETTLE_ROUNDS_MAX = 20;

/**
 * The origin log's line count once it stopped growing for SETTLE_MS (at
 * most SETTLE_ROUNDS_MAX rounds): a response of an earlier step, such as
 * a 256 MiB file another contender is still fetching, ends in the log
 * late and must not count against the contender checked next.
 */
async function settledCount(originLog: LogLines): Promise<number> {
  let count = await originLog.count();
  for (let round = 0; round < SETTLE_ROUNDS_MAX; round++) {
    await sleep(SETTLE_MS);
    const now = await originLog.count();
    if (now === count) break;
    count = now;
  }
  return count;
}

/**
 * One more pass per contender over every file while the origin's access
 * log is watched; one problem line per contender whose pass reached the
 * origin or gave a wrong response.
 */
export async function checkHits(
  targets: readonly Target[],
  files: readonly BenchFile[],
  originLog: LogLines,
): Promise<string[]> {
  const problems: string[] = [];
  for (const target of targets) {
    await settledCount(originLog);
    const markers: string[] = [];
    for (const file of files) {
      const got = await fetchWhole(`${target.url}${file.path}`);
      const problem = problemOf(got, file);
      if (problem !== undefined) problems.push(`${target.name}: ${problem}`);
      markers.push(`${file.path} (${got.marker})`);
    }
    await sleep(300); // the origin writes its log line after the response
    const asked = new Set(files.map((file) => file.path));
    const reached = (await originLog.lines()).filter((line) =>
      asked.has(requestTarget(line) ?? "")
    ).length;
    if (reached > 0) {
      problems.push(
        `${target.name}: ${reached} of ${files.length} hit-check request(s) reached the origin: ${
          markers.join(", ")
        }`,
      );
    }
  }
  return problems;
}
