/**
 * Owns what the bench reads from Linux's /proc: the process tree under a
 * server (nginx workers, the Varnish child) and the peak resident memory
 * (VmHWM) of each process, summed over the tree; the resident size now
 * (VmRSS) of one process. The tree comes from ps.
 *
 * Must not signal or change any process.
 */

/** VmHWM in KiB from the text of /proc/PID/status; undefined when absent. */
export function parseVmHwmKiB(status: string): number | undefined {
  const match = /^VmHWM:\s+(\d+)\s+kB\s*$/m.exec(status);
  return match === null ? undefined : Number(match[1]);
}

/** VmRSS in KiB from the text of /proc/PID/status; undefined when absent. */
export function parseVmRssKiB(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(status);
  return match === null ? undefined : Number(match[1]);
}

/** Each pid's parent from `ps -e -o pid=,ppid=` output; odd lines are skipped. */
export function parsePsParents(text: string): Map<number, number> {
  const parents = new Map<number, number>();
  for (const line of text.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (match !== null) parents.set(Number(match[1]), Number(match[2]));
  }
  return parents;
}

/** `root` and every pid below it, given each pid's parent. */
export function descendantsOf(
  root: number,
  parentOf: ReadonlyMap<number, number>,
): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) {
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) {
    for (const child of children.get(found[i]!) ?? []) {
      if (!found.includes(child)) found.push(child);
    }
  }
  return found;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined; // the process exited meanwhile
  }
}

/**
 * Every live process's parent, from ps (listing /proc itself needs
 * Deno's --allow-all; reading one process's files does not).
 */
export async function readParents(): Promise<Map<number, number>> {
  const output = await new Deno.Command("ps", {
    args: ["-e", "-o", "pid=,ppid="],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return parsePsParents(new TextDecoder().decode(output.stdout));
}

/** `root` and its live descendants. */
export async function processTree(root: number): Promise<number[]> {
  return descendantsOf(root, await readParents());
}

/**
 * The sum of VmHWM over `root`'s tree, in MiB; undefined when /proc
 * cannot be read. Shared pages count once per process, so a multi-process
 * server is rather over- than under-counted.
 */
export async function peakRssMiB(root: number): Promise<number | undefined> {
  let totalKiB = 0;
  let seen = 0;
  for (const pid of await processTree(root)) {
    const status = await readOrUndefined(`/proc/${pid}/status`);
    const kib = status === undefined ? undefined : parseVmHwmKiB(status);
    if (kib === undefined) continue;
    totalKiB += kib;
    seen++;
  }
  return seen === 0 ? undefined : totalKiB / 1024;
}

/** The resident size of process `pid` now (VmRSS), in MiB; undefined when /proc cannot be read. */
export async function rssMiB(pid: number): Promise<number | undefined> {
  const status = await readOrUndefined(`/proc/${pid}/status`);
  const kib = status === undefined ? undefined : parseVmRssKiB(status);
  return kib === undefined ? undefined : kib / 1024;
}
