/**
 * Owns reading the permissions cachelab runs with from one place: the
 * `--allow-*` flags of the `compile` task in deno.json. `deno task start`
 * and the tests run main.ts with exactly these, so a permission the
 * binary lacks fails here first.
 *
 * Must not be imported by product code.
 */

/** The `--allow-*` flags of the compile task in the text of deno.json. */
export function productPermissions(denoJsonText: string): string[] {
  const config = JSON.parse(denoJsonText);
  const compile = config?.tasks?.compile;
  if (typeof compile !== "string") {
    throw new Error('Cannot read permissions: deno.json has no "compile" task');
  }
  const flags = compile.split(/\s+/).filter((word) =>
    word.startsWith("--allow-")
  );
  if (flags.length === 0) {
    throw new Error(
      "Cannot read permissions: the compile task has no --allow-* flag",
    );
  }
  return flags;
}

/** The same, read from the deno.json next to this script. */
export async function readProductPermissions(): Promise<string[]> {
  const path = new URL("../deno.json", import.meta.url);
  return productPermissions(await Deno.readTextFile(path));
}
