/**
 * Owns running cachelab as a child process in tests: a short run whose
 * output is collected whole, and a long-running server whose stdout is
 * read line by line, stopped by a signal and drained, so no process or
 * pipe outlives its test.
 *
 * Must not use fixed ports or sleeps: servers are asked for port 0 and
 * waits end on output lines, each bounded by a deadline.
 */

import { fileURLToPath } from "node:url";
import { readProductPermissions } from "../../scripts/product_permissions.ts";
import { withDeadline } from "./deadline.ts";

/** The repository root, with a trailing slash. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const MAIN = `${REPO}main.ts`;

/** `deno run <the compile task's permissions> main.ts`: how tests run cachelab. */
export async function cachelabCommand(): Promise<string[]> {
  return ["run", ...await readProductPermissions(), MAIN];
}

export interface ProcessOptions {
  cwd?: string;
  env?: Record<string, string>;
  clearEnv?: boolean;
}

/** The whole result of a process that ran to its end. */
export interface Finished {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

const decoder = new TextDecoder();

/** Runs `program args` to its end (bounded) and collects its output. */
export async function runToEnd(
  program: string,
  args: readonly string[],
  options: ProcessOptions = {},
  ms = 30_000,
): Promise<Finished> {
  const output = await withDeadline(
    new Deno.Command(program, {
      args: [...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...options,
      env: { NO_COLOR: "1", ...options.env },
    }).output(),
    ms,
    `running ${program} ${args.join(" ")}`,
  );
  return {
    code: output.code,
    signal: output.signal,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs `deno run ... main.ts ARGS` to its end. */
export async function runCachelab(
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<Finished> {
  return runToEnd(
    Deno.execPath(),
    [...await cachelabCommand(), ...args],
    options,
  );
}

/** A running child whose stdout is read line by line. */
export class LineProcess implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #lines: string[] = [];
  #waiting: (() => void) | undefined;
  #ended = false;
  readonly #stdoutDone: Promise<string>;
  readonly #stderrDone: Promise<string>;
  /** Everything stdout said, line by line, so far. */
  readonly seen: string[] = [];

  constructor(
    program: string,
    args: readonly string[],
    options: ProcessOptions = {},
  ) {
    this.#child = new Deno.Command(program, {
      args: [...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...options,
      env: { NO_COLOR: "1", ...options.env },
    }).spawn();
    this.#stdoutDone = this.#pump(this.#child.stdout);
    this.#stderrDone = new Response(this.#child.stderr).text();
  }

  /** Starts `deno run ... main.ts ARGS`. */
  static async cachelab(
    args: readonly string[],
    options: ProcessOptions = {},
  ): Promise<LineProcess> {
    return new LineProcess(Deno.execPath(), [
      ...await cachelabCommand(),
      ...args,
    ], options);
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<string> {
    let pending = "";
    let all = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      all += text;
      pending += text;
      let end: number;
      while ((end = pending.indexOf("\n")) !== -1) {
        this.#push(pending.slice(0, end));
        pending = pending.slice(end + 1);
      }
    }
    if (pending !== "") this.#push(pending);
    this.#ended = true;
    this.#waiting?.();
    return all;
  }

  #push(line: string): void {
    this.#lines.push(line);
    this.seen.push(line);
    this.#waiting?.();
  }

  /** The next stdout line, or undefined once stdout has ended. */
  async nextLine(ms = 20_000): Promise<string | undefined> {
    while (this.#lines.length === 0 && !this.#ended) {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#waiting = resolve;
      await withDeadline(promise, ms, "waiting for a line on stdout");
    }
    return this.#lines.shift();
  }

  /** Reads lines until one matches; returns its match. */
  async waitFor(pattern: RegExp, ms = 20_000): Promise<RegExpExecArray> {
    for (;;) {
      const line = await this.nextLine(ms);
      if (line === undefined) {
        const stderr = await this.#stderrDone;
        throw new Error(
          `Cannot see ${pattern} on stdout: it ended. stderr: ${stderr}`,
        );
      }
      const match = pattern.exec(line);
      if (match) return match;
    }
  }

  signal(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Waits (bounded) for the exit; returns the status and the rest of the output. */
  async finish(ms = 20_000): Promise<Finished> {
    const status = await withDeadline(
      this.#child.status,
      ms,
      "waiting for the process to exit",
    );
    const [stdout, stderr] = await Promise.all([
      this.#stdoutDone,
      this.#stderrDone,
    ]);
    return { code: status.code, signal: status.signal, stdout, stderr };
  }

  /** Kills the process if it still runs and waits for its pipes to close. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await this.#child.status;
    await Promise.allSettled([this.#stdoutDone, this.#stderrDone]);
  }
}
