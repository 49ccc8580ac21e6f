/**
 * Tests splitting command lines by a command's flag table, and the one
 * reason each kind of bad input is reported with.
 */

import assert from "../helpers/assert.ts";
import {
  type CommandSpec,
  parseCommandLine,
  UsageError,
} from "../../cli/args.ts";

const COMMAND: CommandSpec = {
  name: "demo",
  summary: "A command for tests.",
  positionals: [{ name: "A", help: "first", default: "1" }, {
    name: "B",
    help: "second",
    default: "2",
  }],
  flags: [
    { name: "size", value: "BYTES", help: "a size" },
    { name: "quiet", help: "no output" },
  ],
  notes: [],
};

function rejects(args: string[], message: string): void {
  assert.throws(
    () => parseCommandLine(args, COMMAND),
    (error) => error instanceof UsageError && error.message === message,
  );
}

Deno.test("parseCommandLine() splits flags and positionals in any order", () => {
  const parsed = parseCommandLine(
    ["x", "--size", "5", "--quiet", "y"],
    COMMAND,
  );
  assert.deepEqual(parsed.positionals, ["x", "y"]);
  assert.deepEqual([...parsed.flags], [["size", "5"], ["quiet", true]]);
  assert.equal(parsed.help, false);
});

Deno.test("parseCommandLine() reads --flag=value and values after --", () => {
  const parsed = parseCommandLine(["--size=-1", "--", "-7"], COMMAND);
  assert.equal(parsed.flags.get("size"), "-1");
  assert.deepEqual(parsed.positionals, ["-7"]);
});

Deno.test("parseCommandLine() notes --help and -h without checking the rest", () => {
  assert.equal(parseCommandLine(["-h"], COMMAND).help, true);
  assert.equal(parseCommandLine(["1", "2", "3", "--help"], COMMAND).help, true);
});

Deno.test("parseCommandLine() gives one short reason for each kind of bad input", () => {
  rejects(["--colour"], "unknown flag --colour");
  rejects(["-q"], "unknown flag -q");
  rejects(["-5"], '"-5" is not a valid argument');
  rejects(["--size"], "--size needs a value");
  rejects(
    ["--size", "-3"],
    '--size needs a value; write --size=-3 if "-3" is meant as one',
  );
  rejects(["--quiet=no"], "--quiet takes no value");
  rejects(["--quiet", "--quiet"], "--quiet is given more than once");
  rejects(["1", "2", "3"], 'unexpected argument "3"');
});
