/**
 * Owns the import-layering check run by `deno task check`: every
 * TypeScript file's imports must follow the module map of STYLE.md, each
 * npm package may be imported only by its one wrapper module, and no
 * product files import each other in a cycle, not even inside one folder
 * (type-only imports count: a cycle of types is a cycle of meaning).
 *
 * Must not be imported by product code, and must not change any file.
 *
 * Usage: deno run --allow-read=. scripts/check_layers.ts [ROOT]
 * Prints one line per violation ("file imports X: forbidden edge a -> b",
 * "import cycle: a.ts -> b.ts -> a.ts") and exits 1 when there is any.
 */

import { posix } from "node:path";

/**
 * Which layers or single files a product layer may import besides itself.
 * A layer is a top-level folder ("http") or a top-level file ("main.ts").
 */
const ALLOWED_EDGES: Readonly<Record<string, readonly string[]>> = {
  "http": [],
  "cache": [
    "http/headers.ts",
    "http/dates.ts",
    "http/types.ts",
    "http/range.ts",
    "http/conditional.ts",
    "http/bytes.ts",
    "http/uri.ts",
    "http/transfer_coding.ts",
    "http/close.ts",
  ],
  "origin": ["http"],
  "proxy": ["cache", "http"],
  // The Redis store and the client it shares with the proxy's cluster
  // side, whose contracts (types only) it implements.
  "redis": [
    "cache",
    "http",
    "proxy/caching/shared_fills.ts",
    "proxy/caching/invalidations.ts",
  ],
  // The admin listener: people and tools looking at the proxy and its cache.
  "admin": ["proxy", "cache", "http"],
  // The clock: `cachelab lab` makes the one clock its servers share.
  "cli": [
    "admin",
    "proxy",
    "origin",
    "redis",
    "http/access_log.ts",
    "http/clock.ts",
    "deno.json",
  ],
  "main.ts": ["cli", "proxy", "origin", "http/access_log.ts"],
  // Scripts (checks, smoke runs, benchmarks) may use the product.
  "scripts": [
    "main.ts",
    "admin",
    "cli",
    "http",
    "cache",
    "origin",
    "proxy",
    "redis",
    "deno.json",
  ],
};

/** Tests may import anything of ours; the npm wrapper rule is not theirs. */
const FREE_LAYERS: ReadonlySet<string> = new Set(["tests"]);

/** The one module allowed to import each npm package (product code only). */
const NPM_WRAPPERS: Readonly<Record<string, string>> = {
  "@redis/client": "redis/client.ts",
  "mime-types": "origin/media_types.ts",
  "prom-client": "admin/prom.ts",
  "structured-headers": "cache/structured_fields.ts",
};

const SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  "node_modules",
  "demo",
  "coverage",
]);
const SOURCE_FILE = /\.(?:ts|tsx|mts|js|mjs)$/;

/** Static `import ... from "x"` and `export ... from "x"` at a line start. */
const STATIC_FROM =
  /^[ \t]*(?:import|export)\s+(?:type\s+)?[\w\s{},*$]*?\bfrom\s*["']([^"'\n]+)["']/gm;
/** Side-effect imports: `import "x";`. */
const BARE_IMPORT = /^[ \t]*import\s*["']([^"'\n]+)["']/gm;
/** Dynamic imports with a literal specifier: `import("x")`. */
const DYNAMIC_IMPORT = /\bimport\s*\(\s*["']([^"'\n]+)["']\s*[,)]/g;

/** Lines of comments (`//`, `/*`, ` * ...`), blanked before matching. */
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*)/;

/** The module specifiers one source file imports, in order of appearance. */
export function importsOf(source: string): string[] {
  const code = source.split("\n").map((line) =>
    COMMENT_LINE.test(line) ? "" : line
  )
    .join("\n");
  const found: { at: number; specifier: string }[] = [];
  for (const pattern of [STATIC_FROM, BARE_IMPORT, DYNAMIC_IMPORT]) {
    for (const match of code.matchAll(pattern)) {
      found.push({ at: match.index, specifier: match[1]! });
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.specifier);
}

/** The layer of a root-relative path: its top folder, or the file itself. */
export function layerOf(path: string): string {
  const slash = path.indexOf("/");
  return slash === -1 ? path : path.slice(0, slash);
}

/** The npm package an `npm:` specifier names: "npm:@a/b@1/x" -> "@a/b". */
function npmPackageOf(specifier: string): string {
  const rest = specifier.slice("npm:".length).replace(/^\//, "");
  const parts = rest.split("/");
  const name = rest.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  const at = name.lastIndexOf("@");
  return at > 0 ? name.slice(0, at) : name;
}

function edgeAllowed(fromLayer: string, target: string): boolean {
  const toLayer = layerOf(target);
  if (toLayer === fromLayer) return true;
  const allowed = ALLOWED_EDGES[fromLayer] ?? [];
  return allowed.includes(toLayer) || allowed.includes(target);
}

/** The violations of one file's imports, one message each. */
export function checkImports(
  file: string,
  specifiers: readonly string[],
  importMap: Readonly<Record<string, string>>,
): string[] {
  const layer = layerOf(file);
  const free = FREE_LAYERS.has(layer);
  if (!free && ALLOWED_EDGES[layer] === undefined) {
    return [
      `${file} is outside the module map: add its layer to scripts/check_layers.ts`,
    ];
  }
  const problems: string[] = [];
  for (const specifier of specifiers) {
    const problem = checkImport(file, layer, free, specifier, importMap);
    if (problem) problems.push(`${file} imports ${specifier}: ${problem}`);
  }
  return problems;
}

function checkImport(
  file: string,
  layer: string,
  free: boolean,
  specifier: string,
  importMap: Readonly<Record<string, string>>,
): string | undefined {
  if (specifier.startsWith("node:")) return undefined;
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    if (target.startsWith("../")) {
      return "forbidden edge: it leaves the project";
    }
    if (free || edgeAllowed(layer, target)) return undefined;
    const allowed = ALLOWED_EDGES[layer] ?? [];
    const partly = allowed.some((a) => layerOf(a) === layerOf(target));
    const shown = partly ? target : layerOf(target);
    return `forbidden edge ${layer} -> ${shown}`;
  }
  const resolved = importMap[specifier] ?? specifier;
  if (/^(?:jsr|https?):/.test(resolved)) {
    return `forbidden edge ${layer} -> ${resolved} (only npm: and node: are reachable)`;
  }
  if (!resolved.startsWith("npm:")) {
    return `forbidden edge ${layer} -> ${resolved} (not in deno.json "imports")`;
  }
  if (free || layer === "scripts") return undefined;
  const pkg = npmPackageOf(resolved);
  const wrapper = NPM_WRAPPERS[pkg];
  if (wrapper === file) return undefined;
  const reason = wrapper === undefined
    ? "no wrapper module is listed for it in scripts/check_layers.ts"
    : `only ${wrapper} may import it`;
  return `forbidden edge ${file} -> npm:${pkg} (${reason})`;
}

async function* sourceFiles(root: string, dir = ""): AsyncGenerator<string> {
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(posix.join(root, dir))) {
    entries.push(entry);
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory) {
      if (entry.name.startsWith(".") || SKIPPED_FOLDERS.has(entry.name)) {
        continue;
      }
      yield* sourceFiles(root, path);
    } else if (entry.isFile && SOURCE_FILE.test(entry.name)) {
      yield path;
    }
  }
}

async function importMapOf(root: string): Promise<Record<string, string>> {
  try {
    const config = JSON.parse(
      await Deno.readTextFile(posix.join(root, "deno.json")),
    );
    return config.imports ?? {};
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}

/** The project files `file` imports by relative specifier (root-relative paths). */
function localImports(file: string, specifiers: readonly string[]): string[] {
  return specifiers
    .filter((s) => s.startsWith("./") || s.startsWith("../"))
    .map((s) => posix.normalize(posix.join(posix.dirname(file), s)));
}

/**
 * The import cycles among `graph`'s files (file -> files it imports), one
 * message per group of files that reach each other: the cycle through
 * its first file in name order, e.g. "import cycle: a.ts -> b.ts -> a.ts".
 */
export function importCycles(
  graph: ReadonlyMap<string, readonly string[]>,
): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    for (let member = ""; member !== file;) {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    }
    const selfLoop = (graph.get(file) ?? []).includes(file);
    if (group.length > 1 || selfLoop) groups.push(group.sort());
  };
  for (const file of [...graph.keys()].sort()) {
    if (!index.has(file)) visit(file); // Tarjan's strongly connected components
  }
  return groups
    .sort((a, b) => a[0]!.localeCompare(b[0]!))
    .map((group) => `import cycle: ${cycleThrough(graph, group).join(" -> ")}`);
}

/** A shortest path from the group's first file back to itself, within the group. */
function cycleThrough(
  graph: ReadonlyMap<string, readonly string[]>,
  group: readonly string[],
): string[] {
  const start = group[0]!;
  const members = new Set(group);
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const next of [...(graph.get(file) ?? [])].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (previous.has(next)) continue;
      previous.set(next, file);
      queue.push(next);
    }
  }
  return [start, start]; // unreachable for a strongly connected group
}

/** Checks every source file under `root`; returns violations and the file count. */
export async function checkLayers(
  root: string,
): Promise<{ files: number; violations: string[] }> {
  const importMap = await importMapOf(root);
  const violations: string[] = [];
  const graph = new Map<string, string[]>();
  let files = 0;
  for await (const file of sourceFiles(root)) {
    files++;
    const source = await Deno.readTextFile(posix.join(root, file));
    const specifiers = importsOf(source);
    violations.push(...checkImports(file, specifiers, importMap));
    if (!FREE_LAYERS.has(layerOf(file))) {
      graph.set(file, localImports(file, specifiers));
    }
  }
  violations.push(...importCycles(graph));
  return { files, violations };
}

if (import.meta.main) {
  const root = Deno.args[0] ?? ".";
  const { files, violations } = await checkLayers(root);
  for (const line of violations) console.error(line);
  if (violations.length > 0) {
    console.error(
      `check_layers: ${violations.length} forbidden import(s) in ${files} files`,
    );
    Deno.exit(1);
  }
  console.log(`check_layers: ${files} files follow the module map`);
}
