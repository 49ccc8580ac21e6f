/**
 * Owns the text of `cachelab --help`, `--version` and each subcommand's
 * help, rendered from the same flag tables the parser uses, so help lists
 * every flag with its default. The version comes from deno.json.
 *
 * Must not parse arguments or decide defaults: it prints what the
 * command tables say.
 */

import denoConfig from "../deno.json" with { type: "json" };
import type { CommandSpec } from "./args.ts";

/** The release, as deno.json "version" says. */
export const VERSION: string = denoConfig.version;

const WIDTH = 80;
const COLUMN = 29;

/** The output of `cachelab --version`. */
export function versionText(): string {
  return `cachelab ${VERSION}\n`;
}

/** The output of `cachelab --help` (also the usage on a missing subcommand). */
export function topLevelHelp(commands: readonly CommandSpec[]): string {
  const lines = [
    `cachelab ${VERSION}: a caching HTTP/1.1 proxy and a static origin server.`,
    "",
    "Usage:",
    ...commands.map((c) => `  ${usageLine(c)}`),
    "  cachelab --help | --version",
    "",
    "Commands:",
    ...commands.flatMap((c) => item(c.name, firstSentence(c.summary))),
    "",
    'Run "cachelab COMMAND --help" for the options of each command.',
  ];
  return lines.join("\n") + "\n";
}

/** The output of `cachelab COMMAND --help`. */
export function commandHelp(command: CommandSpec): string {
  const lines = [
    `Usage: ${usageLine(command)}`,
    "",
    ...wrap(command.summary, 0),
    "",
  ];
  if (command.positionals.length > 0) {
    lines.push("Arguments:");
    for (const p of command.positionals) {
      const text = p.default === undefined
        ? p.help
        : `${p.help} (default: ${p.default})`;
      lines.push(...item(p.name, text));
    }
    lines.push("");
  }
  lines.push("Options:");
  for (const flag of command.flags) {
    const name = flag.value ? `--${flag.name} ${flag.value}` : `--${flag.name}`;
    const text = flag.default === undefined
      ? flag.help
      : `${flag.help} (default: ${flag.default})`;
    lines.push(...item(name, text));
  }
  lines.push(...item("-h, --help", "Print this help and exit."));
  for (const note of command.notes) lines.push("", ...wrap(note, 0));
  return lines.join("\n") + "\n";
}

function usageLine(command: CommandSpec): string {
  if (command.usage !== undefined) return command.usage;
  const positionals = command.positionals.map((p) => `[${p.name}]`).join(" ");
  return `cachelab ${command.name} ${positionals} [OPTIONS]`;
}

function firstSentence(text: string): string {
  const end = text.indexOf(". ");
  return end === -1 ? text : text.slice(0, end + 1);
}

/** A name in the left column, its text wrapped in the right one. */
function item(name: string, text: string): string[] {
  const lead = `  ${name}`;
  const body = wrap(text, COLUMN);
  if (lead.length < COLUMN - 1) {
    return [lead.padEnd(COLUMN) + body[0]!.trimStart(), ...body.slice(1)];
  }
  return [lead, ...body];
}

/** Wraps words to WIDTH columns, every line indented by `indent`. */
function wrap(text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(" ".repeat(indent) + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(" ".repeat(indent) + line);
  return lines;
}
