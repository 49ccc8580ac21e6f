/**
 * Tests that every lab lesson does what it says: `cachelab lab 0` is
 * started (the product's permissions), the lesson is printed the way its
 * menu says (`./cachelab lab --lesson N ...`), the printed commands are
 * the module's, and each one is run as printed (curl as the independent
 * peer, `./cachelab clock ...` through main.ts) and its output checked
 * against what the lesson says to look for. One lab per lesson; the
 * origin's counters are the oracle, never a sleep.
 */

import assert from "../helpers/assert.ts";
import { LineProcess } from "../helpers/cli_process.ts";
import {
  commandOf,
  type LabUrls,
  lessonInvocation,
  LESSONS,
  lessonsMenu,
} from "../../cli/lessons.ts";
import { runPrinted, runStep, type StepOutput } from "./lesson_runner.ts";

/** `cachelab lab 0`, its three URLs read from its first three lines. */
class RunningLab implements AsyncDisposable {
  readonly process: LineProcess;
  readonly urls: LabUrls;

  private constructor(process: LineProcess, urls: LabUrls) {
    this.process = process;
    this.urls = urls;
  }

  static async start(): Promise<RunningLab> {
    const process = await LineProcess.cachelab(["lab", "0"]);
    try {
      const url = "(http://127\\.0\\.0\\.1:\\d+)$";
      const [, proxy = ""] = await process.waitFor(
        new RegExp(`^listening on ${url}`),
      );
      const [, admin = ""] = await process.waitFor(
        new RegExp(`^admin on ${url}`),
      );
      const [, origin = ""] = await process.waitFor(
        new RegExp(`^origin on ${url}`),
      );
      return new RunningLab(process, { proxy, admin, origin });
    } catch (error) {
      await process[Symbol.asyncDispose]();
      throw error;
    }
  }

  /** SIGTERM (the lab removes its temporary folders), then the exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.process.signal("SIGTERM");
      await this.process.finish();
    } finally {
      await this.process[Symbol.asyncDispose]();
    }
  }
}

/** The commands of a printed lesson: its lines that are not comments. */
function commandsIn(printed: string): string[] {
  return printed.split("\n").filter((line) =>
    line.trim() !== "" && !line.startsWith("#")
  );
}

Deno.test("cachelab lab prints the lessons menu after its three address lines, under 40 lines in all", async () => {
  await using lab = await RunningLab.start();
  const menu = lessonsMenu(lab.urls).trimEnd().split("\n");
  const printed: string[] = [];
  for (const _ of menu) {
    const line = await lab.process.nextLine();
    assert.ok(line !== undefined, `the menu goes on: ${printed.join("\n")}`);
    printed.push(line);
  }
  assert.deepEqual(printed, menu);
  assert.ok(3 + menu.length < 40, `${3 + menu.length} lines`);
  assert.ok(menu.join("\n").includes(lessonInvocation(lab.urls, "N")));
});

for (const [index, lesson] of LESSONS.entries()) {
  const n = index + 1;
  Deno.test(`lesson ${n} (${lesson.title}) shows what it says when its printed commands run against cachelab lab 0`, async () => {
    await using lab = await RunningLab.start();
    const printed = await runPrinted(lessonInvocation(lab.urls, String(n)));
    const commands = lesson.steps.map((step) => commandOf(step, lab.urls));
    assert.deepEqual(commandsIn(printed), commands);
    const outputs: StepOutput[] = [];
    for (const [k, step] of lesson.steps.entries()) {
      const command = commands[k]!;
      try {
        outputs.push(await runStep(command, step.expect, outputs));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `Lesson ${n}, step ${k + 1} (${command}), looking for ` +
            `"${step.lookFor}": ${reason}`,
        );
      }
    }
  });
}
