/**
 * Owns splitting a command line into flags and positional arguments,
 * behind `node:util` parseArgs in strict mode, and the usage error that
 * every bad input becomes (main.ts turns it into one stderr line, exit 2).
 *
 * Must not know any subcommand or judge values: cli/values.ts does that.
 */

import { parseArgs } from "node:util";

/** One flag of a subcommand; help text is rendered from the same table. */
export interface FlagSpec {
  /** Long name without dashes: "max-age". */
  name: string;
  /** Placeholder of the value ("SECONDS"); absent for an on/off flag. */
  value?: string;
  /** What the flag does, one sentence. */
  help: string;
  /** The default as shown in help ("20000", "the current directory"). */
  default?: string;
}

/** One optional positional argument of a subcommand. */
export interface PositionalSpec {
  name: string;
  help: string;
  /** Absent for an argument that has no default. */
  default?: string;
}

/** A subcommand as help shows it and as the parser accepts it. */
export interface CommandSpec {
  name: string;
  /** The usage line when the one made of name, positionals and [OPTIONS] does not say it. */
  usage?: string;
  /** One paragraph saying what the subcommand does. */
  summary: string;
  positionals: readonly PositionalSpec[];
  flags: readonly FlagSpec[];
  /** Paragraphs printed after the flag list. */
  notes: readonly string[];
}

/** Bad command-line input: reported as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The command line split up: flag values by name, then positionals. */
export interface ParsedArgs {
  /** A string for a flag with a value, true for an on/off flag. */
  flags: Map<string, string | true>;
  positionals: string[];
  /** True when --help or -h was given. */
  help: boolean;
}

/** The value of a flag that takes one, or undefined when it was not given. */
export function flagText(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === "string" ? value : undefined;
}

type ParseOptions = Record<
  string,
  { type: "string" | "boolean"; short?: string }
>;

function parseOptionsOf(flags: readonly FlagSpec[]): ParseOptions {
  const options: ParseOptions = { help: { type: "boolean", short: "h" } };
  for (const flag of flags) {
    options[flag.name] = { type: flag.value ? "string" : "boolean" };
  }
  return options;
}

/**
 * Splits `args` by the flags of `command`; throws UsageError on an
 * unknown flag, a missing or unexpected value, a repeated flag or more
 * positionals than the command takes.
 */
export function parseCommandLine(
  args: readonly string[],
  command: CommandSpec,
): ParsedArgs {
  const options = parseOptionsOf(command.flags);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(describeParseError(args, options, error));
  }
  const flags = new Map<string, string | true>();
  let help = false;
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    if (token.name === "help") {
      help = true;
      continue;
    }
    if (flags.has(token.name)) {
      throw new UsageError(`${token.rawName} is given more than once`);
    }
    flags.set(token.name, token.value ?? true);
  }
  const positionals = parsed.positionals;
  const extra = positionals[command.positionals.length];
  if (!help && extra !== undefined) {
    throw new UsageError(`unexpected argument "${extra}"`);
  }
  return { flags, positionals, help };
}

/** Turns parseArgs' multi-sentence errors into one short reason. */
function describeParseError(
  args: readonly string[],
  options: ParseOptions,
  error: unknown,
): string {
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const option = options[token.name];
    if (option === undefined) return unknownFlag(token.rawName);
    if (option.type === "string" && token.value === undefined) {
      return `${token.rawName} needs a value`;
    }
    if (
      option.type === "string" && !token.inlineValue &&
      token.value?.startsWith("-")
    ) {
      return `${token.rawName} needs a value; write ${token.rawName}=${token.value} ` +
        `if "${token.value}" is meant as one`;
    }
    if (option.type === "boolean" && token.inlineValue) {
      return `${token.rawName} takes no value`;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/[.\n]/)[0] ?? message;
}

function unknownFlag(rawName: string): string {
  if (/^-\d/.test(rawName)) return `"${rawName}" is not a valid argument`;
  return `unknown flag ${rawName}`;
}
