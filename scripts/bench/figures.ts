/**
 * Owns what the bench measures: the files the origin serves, the wrk runs
 * (path, connections, fresh URLs or not) and the figures (table columns)
 * each run yields, for the full and the --quick mode.
 *
 * Must not run anything; pure data and lookups.
 */

import type { Aggregate } from "./stats.ts";

const KIB = 1024;
const MIB = 1024 * KIB;

/** One file of the origin's root. */
export interface BenchFile {
  path: string;
  bytes: number;
}

export const FILES = {
  "1KiB": { path: "/1k.bin", bytes: KIB },
  "64KiB": { path: "/64k.bin", bytes: 64 * KIB },
  "1MiB": { path: "/1m.bin", bytes: MIB },
  "256MiB": { path: "/256m.bin", bytes: 256 * MIB },
} as const satisfies Record<string, BenchFile>;

/** A value wrk reports for one run. */
export type WrkMetric = "rps" | "p50Ms" | "p99Ms" | "mibPerS";

/** One column of the table. */
export interface Figure {
  /** Stable name, used in ratio lines: "hit-1KiB-rps". */
  id: string;
  /** Column heading: "hit 1KiB req/s". */
  heading: string;
  better: "higher" | "lower";
  /** Decimals shown in the table. */
  digits: number;
  aggregate: Aggregate;
}

/** One kind of wrk run, repeated per round and proxy. */
export interface WrkRun {
  id: string;
  file: BenchFile;
  connections: number;
  /** Every request asks for a URL never asked before (the miss path). */
  freshUrls: boolean;
  /** wrk's per-request timeout, seconds. */
  timeoutS: number;
  /** The figures taken from wrk's report. */
  figures: readonly { metric: WrkMetric; figure: Figure }[];
  /** Read the servers' peak RSS right after this run. */
  readsRss: boolean;
}

function figure(
  id: string,
  heading: string,
  better: Figure["better"],
  digits: number,
  aggregate: Aggregate = "median",
): Figure {
  return { id, heading, better, digits, aggregate };
}

function throughputAndLatency(
  name: string,
): WrkRun["figures"] {
  return [
    {
      metric: "rps",
      figure: figure(`${name}-rps`, `${name} req/s`, "higher", 0),
    },
    {
      metric: "p50Ms",
      figure: figure(`${name}-p50-ms`, `${name} p50 ms`, "lower", 2),
    },
    {
      metric: "p99Ms",
      figure: figure(`${name}-p99-ms`, `${name} p99 ms`, "lower", 2),
    },
  ];
}

function hitRun(size: keyof typeof FILES): WrkRun {
  return {
    id: `hit-${size}`,
    file: FILES[size],
    connections: 50,
    freshUrls: false,
    timeoutS: 10,
    figures: throughputAndLatency(`hit-${size}`),
    readsRss: false,
  };
}

const ONE_CONNECTION: WrkRun = {
  id: "hit-1KiB-1c",
  file: FILES["1KiB"],
  connections: 1,
  freshUrls: false,
  timeoutS: 10,
  figures: throughputAndLatency("hit-1KiB-1c").slice(1),
  readsRss: false,
};

function missRun(size: "1KiB" | "64KiB"): WrkRun {
  return {
    id: `miss-${size}`,
    file: FILES[size],
    connections: 50,
    freshUrls: true,
    timeoutS: 10,
    figures: [{
      metric: "rps",
      figure: figure(`miss-${size}-rps`, `miss-${size} req/s`, "higher", 0),
    }],
    readsRss: false,
  };
}

function bigRun(connections: number, readsRss: boolean): WrkRun {
  const name = `hit-256MiB-${connections}c`;
  return {
    id: name,
    file: FILES["256MiB"],
    connections,
    freshUrls: false,
    timeoutS: 120,
    figures: [{
      metric: "mibPerS",
      figure: figure(`${name}-MiBps`, `${name} MiB/s`, "higher", 0),
    }],
    readsRss,
  };
}

/** Peak resident memory of a server (all its processes), read from /proc. */
export const PEAK_RSS: Figure = figure(
  "peak-rss-MiB",
  "peak RSS MiB",
  "lower",
  0,
  "max",
);

/** The runs of one round, in the order they go. */
export function runsFor(quick: boolean): WrkRun[] {
  if (quick) return [hitRun("1KiB"), ONE_CONNECTION, missRun("1KiB")];
  return [
    hitRun("1KiB"),
    hitRun("64KiB"),
    hitRun("1MiB"),
    ONE_CONNECTION,
    missRun("1KiB"),
    missRun("64KiB"),
    bigRun(4, false),
    bigRun(50, true),
  ];
}

/** The table's columns for `runs`: every run's figures, then peak RSS. */
export function figuresOf(runs: readonly WrkRun[]): Figure[] {
  return [...runs.flatMap((run) => run.figures.map((f) => f.figure)), PEAK_RSS];
}

/** The files `runs` ask for, each once. */
export function filesOf(runs: readonly WrkRun[]): BenchFile[] {
  return [...new Set(runs.map((run) => run.file))];
}
