/**
 * Owns the bench's look at cachelab with many entries (issue 11, full
 * mode only): a cachelab proxy of its own, in its own folder in front of
 * the bench's origin, filled with N entries of 1 KiB by fresh-URL misses
 * driven through it with wrk (so the fill does not depend on the store's
 * file format), its resident memory read once they are stored (VmRSS, and
 * VmHWM for the peak while storing), then stopped (SIGTERM; a proxy that
 * had to be killed is a problem), started again on the same folder and
 * the same port (the cache key names the host and port the client asked)
 * and timed from spawn until it answers its first request, and its memory
 * read again a few seconds later. The first request asks for a URL of the
 * fill's last run that the proxy answered as a hit before it was stopped
 * (so it was stored and committed); the start-up figure counts only when
 * the restarted proxy answers it as a hit too, and says MISS otherwise.
 *
 * Must not start the origin or the contenders (servers.ts) nor decide
 * what the table shows (report.ts).
 */

import { freePorts } from "./processes.ts";
import type { Child, Children } from "./processes.ts";
import { peakRssMiB, rssMiB } from "./procfs.ts";
import type { ProxySpec } from "./proxies.ts";
import type { LogLines } from "./origin_files.ts";
import { runWrk } from "./wrk.ts";

/** What the fill and the restart measured. */
export interface ManyEntries {
  /** Entries asked for. */
  entries: number;
  /** Fresh-URL requests that reached the origin during the fill. */
  reached: number;
  fillMs: number;
  /** VmRSS once they were stored, and the peak (VmHWM) while storing, MiB. */
  rssMiB?: number;
  peakMiB?: number;
  /** From spawn to the first answer of the restarted proxy, ms. */
  startupMs?: number;
  /** The first answer's status and Cache-Status field ("" when none). */
  firstAnswer?: { status: number; cacheStatus: string };
  /** The URL asked after the restart was answered as a hit before it. */
  hitBefore?: boolean;
  /** VmRSS some seconds after the restarted proxy answered, MiB. */
  restartRssMiB?: number;
  problems: string[];
}

/** How to run the measurement. */
export interface ManyEntriesPlan {
  /** The folder of this proxy (its cache inside). */
  dir: string;
  originPort: number;
  originLog: LogLines;
  /** The origin's access log file (the one originLog counts). */
  originLogFile: string;
  entries: number;
  /** Cores of the servers and of wrk (undefined: not pinned). */
  serverCore?: number;
  loaderCore?: number;
  programs: Readonly<Record<string, string>>;
  log: (line: string) => void;
}

/** Seconds the restarted proxy is given to answer its first request. */
const STARTUP_LIMIT_S = 120;
/** Seconds after the first answer before the restarted proxy's memory is read. */
const SETTLE_S = 5;
/** Wrk runs at most, and the longest one, of the fill. */
const MAX_FILL_RUNS = 400;
const MAX_FILL_RUN_S = 10;

/**
 * Seconds of the next fill run for `remaining` entries at `rps` (the last
 * run's rate; undefined before the first): enough to finish at that rate,
 * 1 to MAX_FILL_RUN_S; 5 before any rate is known.
 */
export function fillRunSeconds(
  remaining: number,
  rps: number | undefined,
): number {
  if (rps === undefined || !(rps > 0)) return 5;
  return Math.min(MAX_FILL_RUN_S, Math.max(1, Math.ceil(remaining / rps)));
}

/** The report's lines for the measurement, with the issue's targets. */
export function manyEntriesLines(m: ManyEntries): string[] {
  const mib = (value: number | undefined) =>
    value === undefined ? "n/a" : value.toFixed(0);
  const first = m.firstAnswer === undefined
    ? "no answer"
    : `${m.firstAnswer.status}${
      m.firstAnswer.cacheStatus === ""
        ? ""
        : `, Cache-Status: ${m.firstAnswer.cacheStatus}`
    }`;
  const n = m.entries;
  const hit = m.firstAnswer !== undefined && isHit(m.firstAnswer.cacheStatus);
  const startup = m.startupMs === undefined
    ? "n/a"
    : hit
    ? m.startupMs.toFixed(0)
    : `MISS (${m.startupMs.toFixed(0)} ms, no stored entry served)`;
  return [
    `cachelab with ${n} entries of 1 KiB, stored by ${m.reached} fresh-URL misses in ${
      (m.fillMs / 1000).toFixed(1)
    } s (${(m.reached / (m.fillMs / 1000)).toFixed(0)} req/s):`,
    `- rss-${short(n)}-MiB ${mib(m.rssMiB)} once stored (peak ${
      mib(m.peakMiB)
    } while storing), target at most 150`,
    `- startup-${
      short(n)
    }-ms ${startup} from spawn to the first answer (${first}), target at most 2000`,
    `- rss-${short(n)}-restart-MiB ${
      mib(m.restartRssMiB)
    } ${SETTLE_S} s after the restarted proxy answered, target at most 150`,
  ];
}

/** True when a Cache-Status field value says a cache of ours answered from storage (RFC 9211 §2.1). */
export function isHit(cacheStatus: string): boolean {
  return cacheStatus.split(",").some((entry) =>
    entry.split(";").slice(1).some((param) => param.trim() === "hit")
  );
}

/**
 * The path of the first request in an access log text whose query
 * starts with `n=TAG-`, or undefined (wrk uses up a few URLs of its
 * script before it sends any, so the first one sent is read back).
 */
export function firstRequestPath(
  logText: string,
  tag: string,
): string | undefined {
  const escaped = tag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`"GET (\\S+\\?n=${escaped}-\\S*) HTTP/`).exec(
    logText,
  );
  return match?.[1];
}

/** Up to 64 KiB of `path` from byte `offset`, as text ("" when unreadable). */
async function readFrom(path: string, offset: number): Promise<string> {
  try {
    using file = await Deno.open(path, { read: true });
    await file.seek(offset, Deno.SeekMode.Start);
    const buffer = new Uint8Array(64 * 1024);
    const n = await file.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, n ?? 0));
  } catch {
    return "";
  }
}

/** 200000 -> "200k"; 1500 -> "1500". */
export function short(n: number): string {
  return n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts cachelab in `plan.dir` on `port` (the same folder and port every time). */
async function startCachelab(
  children: Children,
  spec: ProxySpec,
  plan: ManyEntriesPlan & { port: number },
): Promise<{ child: Child; port: number; spawnedAt: number }> {
  const port = plan.port;
  const command = await spec.prepare({
    dir: plan.dir,
    port,
    originPort: plan.originPort,
    programs: plan.programs,
  });
  const spawnedAt = performance.now();
  const child = children.start("cachelab-many", command, {
    cwd: plan.dir,
    logFile: `${plan.dir}/proxy.log`,
    core: plan.serverCore,
  });
  return { child, port, spawnedAt };
}

/** Fresh-URL misses through `url` until the origin saw `plan.entries` of them. */
async function fill(
  url: string,
  plan: ManyEntriesPlan,
): Promise<{ reached: number; problems: string[]; last: LastRun }> {
  const problems: string[] = [];
  let reached = 0;
  let rps: number | undefined;
  let last: LastRun = { tag: "many1", logOffset: 0 };
  for (let run = 1; reached < plan.entries && run <= MAX_FILL_RUNS; run++) {
    const before = await plan.originLog.count();
    last = {
      tag: `many${run}`,
      logOffset: (await Deno.stat(plan.originLogFile)).size,
    };
    const durationS = fillRunSeconds(plan.entries - reached, rps);
    const { report, output } = await runWrk({
      url: `${url}/1k.bin`,
      connections: 50,
      durationS,
      timeoutS: 10,
      core: plan.loaderCore,
      fresh: { path: "/1k.bin", tag: last.tag },
    });
    await sleep(300); // the origin writes its log line after the response
    const now = (await plan.originLog.count()) - before;
    reached += now;
    rps = report?.rps;
    if (report === undefined || now === 0) {
      problems.push(`the fill's run ${run} stored nothing: ${output.trim()}`);
      break;
    }
    if (report.non2xx > 0 || report.socketErrors > 0) {
      problems.push(
        `the fill's run ${run}: ${report.non2xx} non-2xx/3xx responses, ${report.socketErrors} socket errors`,
      );
    }
    if (run % 5 === 0) plan.log(`fill: ${reached} of ${plan.entries}`);
  }
  if (reached < plan.entries) {
    problems.push(`the fill reached ${reached} of ${plan.entries} entries`);
  }
  return { reached, problems, last };
}

/** The fill's last wrk run: its URL tag and where its lines start in the origin's log. */
interface LastRun {
  tag: string;
  logOffset: number;
}

/** How the child exited: a problem when it had to be killed or failed. */
async function exitProblem(child: Child): Promise<string | undefined> {
  const status = await child.process.status;
  if (status.success) return undefined;
  return status.signal === "SIGKILL"
    ? "the filled proxy did not stop within 10 s of SIGTERM and was killed"
    : `the filled proxy exited with code ${status.code} when stopped`;
}

/** Asks `url` until an answer comes (or the limit passes); the time is taken at the answer. */
async function firstAnswer(
  url: string,
  child: Child,
): Promise<{ at: number; status: number; cacheStatus: string } | undefined> {
  const deadline = performance.now() + STARTUP_LIMIT_S * 1000;
  while (performance.now() < deadline && !child.exited) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const at = performance.now();
      await res.body?.cancel();
      return {
        at,
        status: res.status,
        cacheStatus: res.headers.get("cache-status") ?? "",
      };
    } catch {
      await sleep(5); // not listening yet
    }
  }
  return undefined;
}

/**
 * Fills a cachelab proxy of its own with `plan.entries` entries, reads
 * its memory, restarts it on the same folder and times its first answer.
 * Problems are reported in the result, not thrown; the proxy is stopped
 * before returning.
 */
export async function measureManyEntries(
  children: Children,
  spec: ProxySpec,
  plan: ManyEntriesPlan,
): Promise<ManyEntries> {
  await Deno.mkdir(plan.dir, { mode: 0o755 });
  const result: ManyEntries = {
    entries: plan.entries,
    reached: 0,
    fillMs: 0,
    problems: [],
  };
  const [port] = freePorts(1) as [number];
  const first = await startCachelab(children, spec, { ...plan, port });
  let path = "/1k.bin";
  try {
    await children.waitUntilListening(first.child, first.port);
    const started = performance.now();
    const filled = await fill(`http://127.0.0.1:${first.port}`, plan);
    result.fillMs = performance.now() - started;
    result.reached = filled.reached;
    result.problems.push(...filled.problems);
    await sleep(1000); // writes behind, if any, settle
    result.rssMiB = await rssMiB(first.child.pid);
    result.peakMiB = await peakRssMiB(first.child.pid);
    path = firstRequestPath(
      await readFrom(plan.originLogFile, filled.last.logOffset),
      filled.last.tag,
    ) ?? path;
    const before = await firstAnswer(
      `http://127.0.0.1:${first.port}${path}`,
      first.child,
    );
    result.hitBefore = before !== undefined && isHit(before.cacheStatus);
    if (!result.hitBefore) {
      result.problems.push(
        `${path} was not a hit before the restart (${
          before?.cacheStatus ?? "no answer"
        })`,
      );
    }
  } finally {
    await children.stop(first.child);
  }
  const stopped = await exitProblem(first.child);
  if (stopped) result.problems.push(stopped);
  plan.log(
    `stored ${result.reached} entries; RSS ${
      result.rssMiB?.toFixed(0)
    } MiB; restarting`,
  );
  const again = await startCachelab(children, spec, { ...plan, port });
  try {
    const answer = await firstAnswer(
      `http://127.0.0.1:${again.port}${path}`,
      again.child,
    );
    if (answer === undefined) {
      result.problems.push(
        `the restarted proxy did not answer within ${STARTUP_LIMIT_S} s`,
      );
      return result;
    }
    result.startupMs = answer.at - again.spawnedAt;
    result.firstAnswer = {
      status: answer.status,
      cacheStatus: answer.cacheStatus,
    };
    if (!isHit(answer.cacheStatus)) {
      result.problems.push(
        `the restarted proxy answered ${path} with a miss (${answer.cacheStatus})`,
      );
    }
    await sleep(SETTLE_S * 1000);
    result.restartRssMiB = await rssMiB(again.child.pid);
    return result;
  } finally {
    await children.stop(again.child);
  }
}
