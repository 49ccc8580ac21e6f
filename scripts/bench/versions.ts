/**
 * Owns naming the versions of the programs in a bench report (nginx
 * 1.22.1, varnish 7.1.1, ...), so a table can be compared with another.
 *
 * Must not install or start anything but `PROGRAM -v`-style queries.
 */

/** How each program tells its version. */
const VERSION_FLAG: Readonly<Record<string, string>> = {
  nginx: "-v",
  varnishd: "-V",
  squid: "-v",
  wrk: "-v",
};

/** The first dotted version number in `text` ("nginx/1.22.1" -> "1.22.1"). */
export function firstVersion(text: string): string | undefined {
  return /\b(\d+\.\d+(?:\.\d+)?)\b/.exec(text)?.[1];
}

async function versionOf(path: string, flag: string): Promise<string> {
  try {
    const output = await new Deno.Command(path, {
      args: [flag],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(10_000),
    }).output();
    const decoder = new TextDecoder();
    const text = decoder.decode(output.stdout) + decoder.decode(output.stderr);
    return firstVersion(text) ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** "nginx 1.22.1, varnishd 7.1.1, wrk 4.1.0, deno 2.9.6" for `programs`. */
export async function versionsLine(
  programs: Readonly<Record<string, string>>,
): Promise<string> {
  const parts: string[] = [];
  for (const [name, path] of Object.entries(programs)) {
    const flag = VERSION_FLAG[name];
    if (flag !== undefined) {
      parts.push(`${name} ${await versionOf(path, flag)}`);
    }
  }
  parts.push(`deno ${Deno.version.deno}`);
  return parts.join(", ");
}
