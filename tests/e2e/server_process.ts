/**
 * Owns one cachelab server run as a child process in the end-to-end
 * tests: stdout and stderr read line by line as they come, the port taken
 * from the first `listening on http://127.0.0.1:PORT` line, access-log
 * lines (Common Log Format plus the proxy's suffix) parsed from stderr,
 * and a stop by SIGTERM (or SIGKILL) that awaits the exit and the pipes.
 *
 * Must not sleep: waits end on a line or an exit, bounded by a deadline.
 */

import { withDeadline } from "../helpers/deadline.ts";

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;
/** `HOST - - [DATE] "REQUEST" STATUS BYTES[ SUFFIX]`. */
const ACCESS_LINE =
  /^\S+ \S+ \S+ \[[^\]]+\] "([^"]*)" (\d{3}) (\d+|-)(?: (.*))?$/;
/** Longest wait for one line or an exit. */
const WAIT_MS = 15_000;

/** One parsed access-log line. */
export interface AccessLine {
  /** The request line, e.g. `GET /1.txt HTTP/1.1`. */
  request: string;
  status: number;
  /** Body bytes sent, or "-" for none. */
  bytes: string;
  /** The last word (the proxy's cache result: HIT, MISS, ...), or "". */
  result: string;
}

/** Lines of one output stream, with waits on what they say. */
class Lines {
  readonly all: string[] = [];
  ended = false;
  #changed: (() => void)[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#pump(stream);
  }

  /** Waits until `condition(lines)` holds; fails on the deadline or when the stream ends first. */
  async until(
    condition: (lines: string[]) => boolean,
    what: string,
    ms = WAIT_MS,
  ): Promise<void> {
    const stop = Date.now() + ms;
    while (!condition(this.all)) {
      if (this.ended) {
        throw new Error(`Cannot see ${what}: the stream ended`);
      }
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#changed.push(resolve);
      await withDeadline(promise, Math.max(0, stop - Date.now()), what);
    }
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    let pending = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      pending += text;
      let end: number;
      while ((end = pending.indexOf("\n")) !== -1) {
        this.all.push(pending.slice(0, end));
        pending = pending.slice(end + 1);
      }
      this.#wake();
    }
    if (pending !== "") this.all.push(pending);
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    const waiting = this.#changed;
    this.#changed = [];
    for (const resolve of waiting) resolve();
  }
}

/** A running `main.ts origin` or `main.ts proxy`. */
export class ServerProcess implements AsyncDisposable {
  readonly name: string;
  readonly stdout: Lines;
  readonly stderr: Lines;
  readonly status: Promise<Deno.CommandStatus>;
  #child: Deno.ChildProcess;
  #port: number | undefined;
  #exited = false;

  private constructor(name: string, child: Deno.ChildProcess) {
    this.name = name;
    this.#child = child;
    this.stdout = new Lines(child.stdout);
    this.stderr = new Lines(child.stderr);
    this.status = child.status.then((status) => {
      this.#exited = true;
      return status;
    });
  }

  /** Spawns `program args`; call listening() next. */
  static spawn(
    name: string,
    program: string,
    args: readonly string[],
    options: { cwd: string; env: Record<string, string> },
  ): ServerProcess {
    const child = new Deno.Command(program, {
      args: [...args],
      cwd: options.cwd,
      env: { NO_COLOR: "1", ...options.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new ServerProcess(name, child);
  }

  /** Waits for the `listening on` line and returns the port. */
  async listening(): Promise<number> {
    try {
      await this.stdout.until(
        (lines) => lines.some((line) => LISTENING.test(line)),
        `${this.name}: listening on`,
      );
    } catch (error) {
      await this.stderr.done;
      throw new Error(
        `Cannot start ${this.name}: ${error}; stderr: ${
          this.stderr.all.join("\n")
        }`,
      );
    }
    const line = this.stdout.all.find((l) => LISTENING.test(l))!;
    this.#port = Number(LISTENING.exec(line)![1]);
    return this.#port;
  }

  /** The port it listens on. */
  get port(): number {
    if (this.#port === undefined) {
      throw new Error(`${this.name} is not listening`);
    }
    return this.#port;
  }

  /** `http://127.0.0.1:PORT` + path. */
  url(path = "/"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** The access-log lines written to stderr so far. */
  accessLog(): AccessLine[] {
    const out: AccessLine[] = [];
    for (const line of this.stderr.all) {
      const match = ACCESS_LINE.exec(line);
      if (!match) continue;
      const suffix = match[4] ?? "";
      out.push({
        request: match[1]!,
        status: Number(match[2]),
        bytes: match[3]!,
        result: suffix.split(" ").at(-1) ?? "",
      });
    }
    return out;
  }

  /** Waits until at least `n` access-log lines were written; returns them all. */
  async waitForAccessLines(n: number): Promise<AccessLine[]> {
    await this.stderr.until(
      () => this.accessLog().length >= n,
      `${this.name}: ${n} access-log lines`,
    );
    return this.accessLog();
  }

  /** SIGTERM, then waits for the exit and the end of its output. */
  async stop(): Promise<Deno.CommandStatus> {
    this.#signal("SIGTERM");
    return await this.#settle();
  }

  /** SIGKILL, then waits for the exit and the end of its output. */
  async kill(): Promise<Deno.CommandStatus> {
    this.#signal("SIGKILL");
    return await this.#settle();
  }

  /** Stops it if it still runs: SIGTERM, and SIGKILL when that is not enough. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#exited) {
      this.#signal("SIGTERM");
      try {
        await withDeadline(this.status, WAIT_MS, `${this.name} to stop`);
      } catch {
        this.#signal("SIGKILL");
      }
    }
    await this.status;
    await Promise.allSettled([this.stdout.done, this.stderr.done]);
  }

  async #settle(): Promise<Deno.CommandStatus> {
    const status = await withDeadline(
      this.status,
      WAIT_MS,
      `${this.name} to exit`,
    );
    await Promise.all([this.stdout.done, this.stderr.done]);
    return status;
  }

  #signal(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // already exited
    }
  }
}
