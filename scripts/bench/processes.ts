/**
 * Owns the bench's child processes: free loopback ports, starting a
 * server in the foreground pinned to a core with its output in log files,
 * waiting until it accepts connections, and stopping every child and its
 * descendants (workers) at the end, on error and on Ctrl-C.
 *
 * Must not know which servers exist or how they are configured.
 */

import { processTree } from "./procfs.ts";

/** A server started by the bench. */
export interface Child {
  name: string;
  pid: number;
  process: Deno.ChildProcess;
  /** Where its stdout and stderr go. */
  logFile: string;
  exited: boolean;
}

/** `count` distinct free ports on 127.0.0.1 (bound to port 0, then closed). */
export function freePorts(count: number): number[] {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const listener of listeners) listener.close();
  return ports;
}

/** Quotes `word` for sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The sh command that runs `command` pinned to `core` (when given) with
 * stdout and stderr appended to `logFile`; sh and taskset exec into it,
 * so the child's pid is the server's own.
 */
export function pinnedShellCommand(
  command: readonly string[],
  logFile: string,
  core: number | undefined,
): string {
  const pinned = core === undefined
    ? command
    : ["taskset", "-c", String(core), ...command];
  return `exec ${pinned.map(shellQuote).join(" ")} >>${
    shellQuote(logFile)
  } 2>&1`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function accepts(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** The last lines of a log file, or "(no log)". */
export async function logTail(path: string): Promise<string> {
  try {
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    return lines.slice(-8).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Every child of the bench; `stopAll` ends them and their descendants. */
export class Children {
  #children: Child[] = [];

  /** Starts `command` in `cwd`, pinned to `core`, logging to `logFile`. */
  start(
    name: string,
    command: readonly string[],
    options: { cwd: string; logFile: string; core?: number },
  ): Child {
    const process = new Deno.Command("sh", {
      args: ["-c", pinnedShellCommand(command, options.logFile, options.core)],
      cwd: options.cwd,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const child: Child = {
      name,
      pid: process.pid,
      process,
      logFile: options.logFile,
      exited: false,
    };
    process.status.then(() => child.exited = true);
    this.#children.push(child);
    return child;
  }

  /** Waits until `child` accepts connections on `port` (at most `limitMs`). */
  async waitUntilListening(
    child: Child,
    port: number,
    limitMs = 30_000,
  ): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (Date.now() < deadline) {
      if (child.exited) {
        throw new Error(
          `Cannot start ${child.name}: it exited; its log ends with:\n${await logTail(
            child.logFile,
          )}`,
        );
      }
      if (await accepts(port)) return;
      await sleep(100);
    }
    throw new Error(
      `Cannot start ${child.name}: port ${port} did not open within ${
        limitMs / 1000
      } s; its log ends with:\n${await logTail(child.logFile)}`,
    );
  }

  /** Stops one child as stopAll() does, and forgets it. */
  async stop(child: Child): Promise<void> {
    this.#children = this.#children.filter((c) => c !== child);
    await stopChild(child);
  }

  /** SIGTERM to each child; SIGKILL to its whole tree when it is still there after 10 s. */
  async stopAll(): Promise<void> {
    const children = this.#children;
    this.#children = [];
    await Promise.all(children.map((child) => stopChild(child)));
  }
}

function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch {
    // already gone
  }
}

/** True when `process` exits within `ms`; the timer never outlives the wait. */
async function exitsWithin(
  process: Deno.ChildProcess,
  ms: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([process.status.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopChild(child: Child): Promise<void> {
  signal(child.pid, "SIGTERM");
  if (await exitsWithin(child.process, 10_000)) return;
  // Still there: the whole tree (workers included) is killed at once.
  for (const pid of await processTree(child.pid)) signal(pid, "SIGKILL");
  await child.process.status;
}
