/**
 * Owns making the bench's programs available: finds nginx, varnishd,
 * squid, wrk and taskset, installs the missing ones with
 * `apt-get install -y` (saying so), and stops the system services that
 * Debian's packages start on install, so only the bench's own foreground
 * instances run.
 *
 * Must not download anything but Debian packages, and must not touch
 * packages or services it did not install.
 */

/** The Debian package of each program. */
export const PACKAGE_OF: Readonly<Record<string, string>> = {
  nginx: "nginx",
  varnishd: "varnish",
  squid: "squid",
  wrk: "wrk",
  taskset: "util-linux",
  "redis-server": "redis-server",
  "redis-cli": "redis-tools",
};

/** The system service a package starts on install, if any. */
const SERVICE_OF: Readonly<Record<string, string>> = {
  nginx: "nginx",
  varnish: "varnish",
  squid: "squid",
  "redis-server": "redis-server",
};

/** Folders searched besides PATH (servers live in sbin). */
const EXTRA_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/** The folders to look for programs in: PATH's, then sbin ones, each once. */
export function searchDirs(pathVariable: string | undefined): string[] {
  const fromPath = (pathVariable ?? "").split(":").filter((d) => d !== "");
  return [...new Set([...fromPath, ...EXTRA_DIRS])];
}

/** The packages providing `programs` that `found` lacks, each once, sorted. */
export function packagesToInstall(
  programs: readonly string[],
  found: Readonly<Record<string, string>>,
): string[] {
  const packages = new Set<string>();
  for (const name of programs) {
    if (found[name] !== undefined) continue;
    const pkg = PACKAGE_OF[name];
    if (pkg === undefined) {
      throw new Error(`Cannot install ${name}: no Debian package is known`);
    }
    packages.add(pkg);
  }
  return [...packages].sort();
}

function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The absolute path of each of `programs` that can be found. */
export function findPrograms(
  programs: readonly string[],
): Record<string, string> {
  const dirs = searchDirs(Deno.env.get("PATH"));
  const found: Record<string, string> = {};
  for (const name of programs) {
    const path = dirs.map((d) => `${d}/${name}`).find(isExecutableFile);
    if (path !== undefined) found[name] = path;
  }
  return found;
}

/** Runs `program args`; its output goes to our stderr (stdout is the report's). */
async function run(
  program: string,
  args: readonly string[],
  quiet: boolean,
): Promise<boolean> {
  const output = await new Deno.Command("sh", {
    args: ["-c", 'exec "$@" 1>&2', "sh", program, ...args],
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdin: "null",
    stdout: "null",
    stderr: quiet ? "null" : "inherit",
  }).output();
  return output.success;
}

async function aptInstall(packages: readonly string[]): Promise<void> {
  if (Deno.uid() !== 0) {
    throw new Error(
      `Cannot install ${
        packages.join(", ")
      }: not root; run "apt-get install -y ${packages.join(" ")}" first`,
    );
  }
  const log = (line: string) => console.error(`bench: ${line}`);
  log(
    `missing: ${packages.join(", ")}; apt-get install -y ${packages.join(" ")}`,
  );
  if (await run("apt-get", ["install", "-y", ...packages], false)) return;
  log("apt-get install failed; apt-get update, then once more");
  await run("apt-get", ["update"], false);
  if (await run("apt-get", ["install", "-y", ...packages], false)) return;
  throw new Error(`Cannot install ${packages.join(", ")}: apt-get failed`);
}

/** Stops the services the freshly installed packages may have started. */
async function stopServices(packages: readonly string[]): Promise<void> {
  for (const pkg of packages) {
    const service = SERVICE_OF[pkg];
    if (service === undefined) continue;
    const stopped = await run("service", [service, "stop"], true);
    console.error(
      `bench: service ${service} stop (${
        stopped ? "done" : "not running"
      }); the bench runs its own instance`,
    );
  }
}

/**
 * The absolute path of each of `programs`, installing the missing ones
 * with apt first. Throws when one is still missing afterwards.
 */
export async function ensurePrograms(
  programs: readonly string[],
): Promise<Record<string, string>> {
  const missing = packagesToInstall(programs, findPrograms(programs));
  if (missing.length > 0) {
    await aptInstall(missing);
    await stopServices(missing);
  }
  const found = findPrograms(programs);
  const still = programs.filter((name) => found[name] === undefined);
  if (still.length > 0) {
    throw new Error(`Cannot run the bench: ${still.join(", ")} not found`);
  }
  return found;
}
