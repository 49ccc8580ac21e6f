/**
 * Owns `deno task bench`: installs what is missing, starts cachelab's
 * origin and the contenders (cachelab's proxy, nginx, Varnish, Squid) in
 * a temp folder, warms and checks their caches, runs wrk round-robin over
 * the contenders for every figure, and prints the median table and
 * cachelab's ratios with their spread over the rounds; in full mode it
 * then fills a cachelab of its own with many entries and times its
 * restart (many_entries.ts). Every child is stopped at the end, on error and on
 * Ctrl-C, and the temp folder is removed.
 *
 * Must not be imported by product code; not a test (CI does not run it).
 *
 * Usage: deno run -A scripts/bench/bench.ts [--quick] [--only LIST]
 *          [--duration S] [--rounds N] [--out FILE]
 */

import {
  type Figure,
  figuresOf,
  filesOf,
  PEAK_RSS,
  runsFor,
  type WrkRun,
} from "./figures.ts";
import { type BenchOptions, parseBenchArgs, usage } from "./options.ts";
import { ensurePrograms } from "./install.ts";
import { checkHits, warm } from "./hit_check.ts";
import { LogLines, writeBenchFiles } from "./origin_files.ts";
import { manyEntriesLines, measureManyEntries } from "./many_entries.ts";
import { Children, logTail } from "./processes.ts";
import { peakRssMiB } from "./procfs.ts";
import { PROXIES } from "./proxies.ts";
import { formatDuration, formatTable, ratioLines } from "./report.ts";
import { type Running, startContenders, startOrigin } from "./servers.ts";
import { schedule } from "./schedule.ts";
import { aggregateOf, Samples } from "./stats.ts";
import { runWrk, warmUnderLoad } from "./wrk.ts";
import { versionsLine } from "./versions.ts";

/** Files up to this size get a load warm-up before the measured runs. */
const WARM_UNDER_LOAD_MAX_BYTES = 1024 * 1024;

/** Seconds of load warm-up per contender and file (--quick keeps within 90 s). */
const WARM_UNDER_LOAD_S = { quick: 1, full: 3 };

/** Servers on one core, wrk on the other, so runs compare. */
const SERVER_CORE = 0;
const LOADER_CORE = 1;

const startedAt = Date.now();
const log = (line: string) =>
  console.error(
    `bench [${((Date.now() - startedAt) / 1000).toFixed(1)} s]: ${line}`,
  );

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a bench session collects. */
interface Session {
  options: BenchOptions;
  contenders: Running[];
  originLog: LogLines;
  samples: Samples;
  problems: string[];
  pinned: boolean;
  /** The report's lines about cachelab with many entries (full mode). */
  manyEntries: string[];
}

/** One wrk run against one contender; its figures go into the samples. */
async function measure(
  session: Session,
  run: WrkRun,
  contender: Running,
  round: number,
): Promise<void> {
  const linesBefore = await session.originLog.count();
  const { report, output } = await runWrk({
    url: `${contender.url}${run.file.path}`,
    connections: run.connections,
    durationS: session.options.durationS,
    timeoutS: run.timeoutS,
    core: session.pinned ? LOADER_CORE : undefined,
    fresh: run.freshUrls
      ? { path: run.file.path, tag: `r${round}-${contender.name}` }
      : undefined,
  });
  const where = `${contender.name} ${run.id} round ${round}`;
  if (report === undefined) {
    session.problems.push(`${where}: wrk gave no report: ${output.trim()}`);
    return;
  }
  if (report.requests === 0) {
    session.problems.push(`${where}: no request completed in the run`);
  }
  if (report.non2xx > 0 || report.socketErrors > 0) {
    session.problems.push(
      `${where}: ${report.non2xx} non-2xx/3xx responses, ${report.socketErrors} socket errors of ${report.requests} requests`,
    );
  }
  const values = {
    rps: report.rps,
    p50Ms: report.p50Ms,
    p99Ms: report.p99Ms,
    mibPerS: report.bytesPerS / (1024 * 1024),
  };
  const shown: string[] = [];
  for (const { metric, figure } of run.figures) {
    const value = values[metric];
    if (value === undefined) continue;
    session.samples.add(figure.id, contender.name, value, round);
    shown.push(`${metric} ${value.toFixed(figure.digits)}`);
  }
  if (run.freshUrls) {
    await sleep(300); // the origin writes its log line after the response
    const reached = (await session.originLog.count()) - linesBefore;
    if (reached < report.requests * 0.95) {
      session.problems.push(
        `${where}: only ${reached} of ${report.requests} fresh-URL requests reached the origin`,
      );
    }
    shown.push(`origin saw ${reached}`);
  }
  if (run.readsRss) {
    const mib = await sampleRss(session, contender);
    shown.push(`peak RSS ${mib === undefined ? "n/a" : mib.toFixed(0)} MiB`);
  }
  log(`round ${round} ${run.id} ${contender.name}: ${shown.join(", ")}`);
}

async function sampleRss(
  session: Session,
  contender: Running,
): Promise<number | undefined> {
  const mib = await peakRssMiB(contender.child.pid);
  if (mib !== undefined) session.samples.add(PEAK_RSS.id, contender.name, mib);
  return mib;
}

/** Every round: every run, the contenders in an order that turns each round. */
async function runRounds(session: Session): Promise<void> {
  const runs = runsFor(session.options.quick);
  const slots = schedule(runs, session.contenders, session.options.rounds);
  for (const { round, run, contender } of slots) {
    await measure(session, run, contender, round);
    await sleep(200);
  }
}

/** The report: what ran, the table, the ratios, the problems. */
function reportText(
  session: Session,
  figures: readonly Figure[],
  header: readonly string[],
): string {
  const names = session.contenders.map((c) => c.name);
  const valueOf = (figure: Figure, proxy: string) =>
    aggregateOf(session.samples.of(figure.id, proxy), figure.aggregate);
  const problems = session.problems.length === 0
    ? [
      "checks: every hit was a hit (the origin's log did not grow), every miss reached the origin, no errors",
    ]
    : session.problems.map((p) => `problem: ${p}`);
  return [
    ...header,
    "",
    formatTable(names, figures, valueOf),
    "",
    ...ratioLines(names, figures, {
      valueOf,
      roundsOf: (figure, proxy) => session.samples.byRound(figure.id, proxy),
    }),
    "",
    ...(session.manyEntries.length > 0 ? [...session.manyEntries, ""] : []),
    ...problems,
    "",
  ].join("\n");
}

/** The first three fields of /proc/loadavg, or "unknown". */
async function loadAverage(): Promise<string> {
  try {
    const text = await Deno.readTextFile("/proc/loadavg");
    return text.split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** A finished session; `took` is filled in once the servers are stopped. */
type Finished = (tookMs: number) => string;

async function benchIn(
  dir: string,
  children: Children,
  options: BenchOptions,
): Promise<Finished> {
  const load = await loadAverage();
  const specs = PROXIES.filter((p) => options.proxies.includes(p.name));
  const pinned = navigator.hardwareConcurrency >= 2;
  const programs = await ensurePrograms([
    "wrk",
    ...(pinned ? ["taskset"] : []),
    ...specs.flatMap((s) => s.programs),
  ]);
  const runs = runsFor(options.quick);
  const files = filesOf(runs);
  const root = `${dir}/origin-root`;
  await Deno.mkdir(root, { mode: 0o755 });
  await writeBenchFiles(root, files);
  log(`wrote ${files.map((f) => f.path).join(", ")}; starting the servers`);
  const plan = { dir, root, core: pinned ? SERVER_CORE : undefined, programs };
  const origin = await startOrigin(children, plan);
  const originPort = Number(new URL(origin.url).port);
  const { running, problems } = await startContenders(
    children,
    specs,
    originPort,
    plan,
  );
  log(`running: ${running.map((r) => `${r.name} ${r.url}`).join(", ")}`);
  const session: Session = {
    options,
    contenders: running,
    originLog: new LogLines(origin.logFile),
    samples: new Samples(),
    problems,
    pinned,
    manyEntries: [],
  };
  session.problems.push(...await warm(running, files));
  session.problems.push(...await checkHits(running, files, session.originLog));
  const small = files.filter((f) => f.bytes <= WARM_UNDER_LOAD_MAX_BYTES);
  const seconds = WARM_UNDER_LOAD_S[options.quick ? "quick" : "full"];
  const core = pinned ? LOADER_CORE : undefined;
  await warmUnderLoad(running, small.map((f) => f.path), seconds, core);
  log("warmed and checked the caches, and warmed each under load; measuring");
  await runRounds(session);
  const after = await checkHits(running, files, session.originLog);
  log("checked the caches again; stopping the servers");
  session.problems.push(...after.map((p) => `after the runs: ${p}`));
  const cachelab = specs.find((s) => s.name === "cachelab");
  if (options.entries > 0 && cachelab !== undefined) {
    log(`filling a cachelab of its own with ${options.entries} entries`);
    const many = await measureManyEntries(children, cachelab, {
      dir: `${dir}/cachelab-many`,
      originPort,
      originLog: session.originLog,
      originLogFile: origin.logFile,
      entries: options.entries,
      serverCore: pinned ? SERVER_CORE : undefined,
      loaderCore: core,
      programs,
      log,
    });
    session.manyEntries = manyEntriesLines(many);
    session.problems.push(...many.problems.map((p) => `many entries: ${p}`));
    log(session.manyEntries.join("; "));
  }
  for (const contender of running) {
    if (!contender.child.exited) await sampleRss(session, contender);
    else {
      const tail = await logTail(contender.child.logFile);
      session.problems.push(
        `${contender.name} exited during the bench:\n${tail}`,
      );
    }
  }
  const versions = await versionsLine(programs);
  const pinning = pinned
    ? `servers pinned to core ${SERVER_CORE} and wrk to core ${LOADER_CORE} (taskset)`
    : "not pinned (one core)";
  const rss = options.quick
    ? ""
    : ", read after serving the 256 MiB file to 50 clients";
  return (tookMs) =>
    reportText(session, figuresOf(runs), [
      `## cachelab bench, ${new Date().toISOString().slice(0, 16)}Z`,
      "",
      `${versions}; ${navigator.hardwareConcurrency} cores, load average ${load} at the start; ${pinning}.`,
      `wrk -t1 on loopback, keep-alive; ${options.durationS} s per run; median of ${options.rounds} round(s), contenders alternating; a ratio is the median of the per-round ratios (min–max over rounds); peak RSS is the largest VmHWM sum over a server's processes${rss}.`,
      `${options.quick ? "--quick run" : "Full run"}; took ${
        formatDuration(tookMs)
      }.`,
    ]);
}

/** Runs the bench with `args`; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const names = PROXIES.map((p) => p.name);
  let options: BenchOptions;
  try {
    options = parseBenchArgs(args, names);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (options.help) {
    console.log(usage(names).trimEnd());
    return 0;
  }
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-" });
  await Deno.chmod(dir, 0o755); // Squid and Varnish workers run as other users
  const children = new Children();
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    cleaned ??= children.stopAll().then(() =>
      Deno.remove(dir, { recursive: true }).catch(() => {})
    );
  const onSignal = () => {
    log("interrupted: stopping the servers");
    cleanUp().then(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    const finished = await benchIn(dir, children, options);
    await cleanUp();
    const text = finished(Date.now() - startedAt);
    log("done");
    console.log(text);
    if (options.out !== undefined) await Deno.writeTextFile(options.out, text);
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const shown = reason.startsWith("Cannot ")
      ? reason
      : `Cannot finish the bench: ${reason}`;
    console.error(shown);
    return 1;
  } finally {
    await cleanUp();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
