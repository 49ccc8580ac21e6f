/**
 * Owns the bench's command line: --quick, --only, --duration, --rounds,
 * --entries, --out and --help, checked strictly (a bad value is one error line).
 *
 * Must not run anything; pure parsing.
 */

import { parseArgs } from "node:util";

export const USAGE = `Usage: deno task bench [OPTIONS]

Benchmarks cachelab's proxy against nginx (proxy_cache; one worker and
"auto"), Varnish and Squid on this machine, each in front of cachelab's
origin on its own loopback port, with wrk. Installs what is missing with
apt-get. Prints a markdown table and cachelab's ratio to each peer.

Options:
  --quick          Three rounds of 1 s runs at 1 KiB only (under 90 s).
  --only LIST      Comma-separated contenders to run (default: all):
                   NAMES.
  --duration S     Whole seconds per wrk run. (default: 5; 1 with --quick)
  --rounds N       Rounds, contenders alternating; every figure is the
                   median over them, every ratio the median of the
                   per-round ratios with their min–max. (default: 3)
  --entries N      Entries of 1 KiB cachelab stores (fresh-URL misses)
                   before its memory is read and its restart timed;
                   full mode only; 0 skips that part. (default: 200000)
  --out FILE       Also write the table and the ratio lines to FILE.
  -h, --help       Print this help and exit.
`;

/** Entries stored before cachelab's restart is timed (issue 11). */
export const DEFAULT_ENTRIES = 200_000;

/** What the bench was asked to do. */
export interface BenchOptions {
  help: boolean;
  quick: boolean;
  /** The contenders, in table order. */
  proxies: string[];
  durationS: number;
  rounds: number;
  /** Entries stored before cachelab's restart is timed (0: not done; --quick: 0). */
  entries: number;
  out?: string;
}

/** The usage text with the contenders' names filled in. */
export function usage(names: readonly string[]): string {
  return USAGE.replace("NAMES", names.join(", "));
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value <= 0) {
    throw new Error(
      `Cannot run the bench: ${flag} must be a positive integer, not "${text}"`,
    );
  }
  return value;
}

/** The contenders named by --only, in `known`'s order. */
export function selectProxies(
  list: string | undefined,
  known: readonly string[],
): string[] {
  if (list === undefined) return [...known];
  const wanted = list.split(",").map((name) => name.trim()).filter((n) =>
    n !== ""
  );
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `Cannot run the bench: unknown contender ${
        unknown.join(", ")
      } in --only (known: ${known.join(", ")})`,
    );
  }
  if (wanted.length === 0) {
    throw new Error("Cannot run the bench: --only names no contender");
  }
  return known.filter((name) => wanted.includes(name));
}

/** The flags whose value is a number. */
const NUMBER_FLAGS: ReadonlySet<string> = new Set([
  "--duration",
  "--rounds",
  "--entries",
]);

/**
 * `--rounds -1` as `--rounds=-1`: node's parseArgs takes a value that
 * starts with a dash for a flag and refuses it in two lines; joined, the
 * value gets the same one-line "must be a positive integer" as any other.
 */
function joinNegativeValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (NUMBER_FLAGS.has(args[i]!) && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${args[i]}=${next}`);
      i++;
    } else joined.push(args[i]!);
  }
  return joined;
}

/** Parses the bench's arguments; throws "Cannot run the bench: ..." on bad input. */
export function parseBenchArgs(
  args: readonly string[],
  known: readonly string[],
): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(args),
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        duration: { type: "string" },
        rounds: { type: "string" },
        entries: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot run the bench: ${reason.split("\n")[0]}`); // one line
  }
  const quick = values.quick === true;
  return {
    help: values.help === true,
    quick,
    proxies: selectProxies(values.only, known),
    durationS: values.duration === undefined
      ? (quick ? 1 : 5)
      : positiveInteger("--duration", values.duration),
    rounds: values.rounds === undefined
      ? 3
      : positiveInteger("--rounds", values.rounds),
    entries: quick
      ? 0
      : values.entries === undefined
      ? DEFAULT_ENTRIES
      : values.entries.trim() === "0"
      ? 0
      : positiveInteger("--entries", values.entries),
    out: values.out,
  };
}
