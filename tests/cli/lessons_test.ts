/**
 * Tests the lessons module without a lab: the commands as printed for a
 * lab's URLs, how to print one lesson again, the lessons' own
 * consistency (a check compares only with an earlier step's response,
 * commands name only the lab's URLs), and that the README's Lessons
 * section is the module's text for the default ports.
 */

import assert from "../helpers/assert.ts";
import { REPO } from "../helpers/cli_process.ts";
import {
  allLessonsText,
  commandOf,
  DEFAULT_LAB_URLS,
  type LabUrls,
  lessonInvocation,
  lessonRequestFrom,
  LESSONS,
  lessonsMenu,
  lessonText,
  requestedLessons,
} from "../../cli/lessons.ts";
import { UsageError } from "../../cli/args.ts";

const MOVED: LabUrls = {
  proxy: "http://127.0.0.1:40001",
  admin: "http://127.0.0.1:40002",
  origin: "http://127.0.0.1:40003",
};

Deno.test("commandOf() puts the lab's URLs in and adds --admin to a clock command only when the admin listener moved", () => {
  const curl = {
    command: "curl -s '{proxy}/a' '{origin}/b' '{admin}/c'",
    lookFor: "",
    expect: { kind: "text", matches: /x/ },
  } as const;
  assert.equal(
    commandOf(curl, MOVED),
    "curl -s 'http://127.0.0.1:40001/a' 'http://127.0.0.1:40003/b' " +
      "'http://127.0.0.1:40002/c'",
  );
  const clock = { ...curl, command: "./cachelab clock advance 30" };
  assert.equal(
    commandOf(clock, DEFAULT_LAB_URLS),
    "./cachelab clock advance 30",
  );
  assert.equal(
    commandOf(clock, MOVED),
    "./cachelab clock advance 30 --admin http://127.0.0.1:40002",
  );
});

Deno.test("lessonInvocation() names the lab's ports only when they are not the defaults", () => {
  assert.equal(
    lessonInvocation(DEFAULT_LAB_URLS, "3"),
    "./cachelab lab --lesson 3",
  );
  assert.equal(
    lessonInvocation(MOVED, "N"),
    "./cachelab lab --lesson N 40001 --admin-port 40002 --origin-port 40003",
  );
  assert.equal(
    lessonInvocation({ ...DEFAULT_LAB_URLS, origin: MOVED.origin }, "all"),
    "./cachelab lab --lesson all --origin-port 40003",
  );
});

Deno.test("lessonRequestFrom() takes a lesson number or all, with the lab's ports", () => {
  const ports = { port: 40001, adminPort: 40002, originPort: 40003 };
  assert.deepEqual(lessonRequestFrom("2", ports), { which: 2, urls: MOVED });
  assert.deepEqual(lessonRequestFrom("all", ports), {
    which: "all",
    urls: MOVED,
  });
  assert.equal(
    requestedLessons(lessonRequestFrom("2", ports)),
    lessonText(2, MOVED),
  );
  assert.equal(
    requestedLessons(lessonRequestFrom("all", ports)),
    allLessonsText(MOVED),
  );
});

Deno.test("lessonRequestFrom() refuses a number naming no lesson, and port 0", () => {
  const ports = { port: 12345, adminPort: 12346, originPort: 20000 };
  for (const text of ["0", String(LESSONS.length + 1), "1.5", "01", "", "x"]) {
    assert.throws(
      () => lessonRequestFrom(text, ports),
      (e) =>
        e instanceof UsageError &&
        e.message ===
          `--lesson must be a lesson number from 1 to ${LESSONS.length}, or all`,
      text,
    );
  }
  assert.throws(
    () => lessonRequestFrom("1", { ...ports, originPort: 0 }),
    (e) => e instanceof UsageError && e.message.includes("not 0"),
  );
});

Deno.test("lessonsMenu() lists every lesson's title, numbered, in under 37 lines", () => {
  const menu = lessonsMenu(DEFAULT_LAB_URLS);
  const lines = menu.trimEnd().split("\n");
  assert.ok(lines.length < 37, `${lines.length} lines`);
  LESSONS.forEach((lesson, i) => {
    assert.ok(lines.includes(`  ${i + 1}. ${lesson.title}`), lesson.title);
  });
  assert.ok(menu.includes("./cachelab lab --lesson N"));
  assert.ok(
    lines[0]!.startsWith(
      "Lessons: watch the live page http://127.0.0.1:12346/ ",
    ),
  );
});

Deno.test("lessonText() refuses a lesson number outside 1..the number of lessons", () => {
  for (const n of [0, LESSONS.length + 1]) {
    assert.throws(
      () => lessonText(n, DEFAULT_LAB_URLS),
      (e) => e instanceof RangeError && e.message.startsWith("Cannot print"),
    );
  }
});

Deno.test("lessonText() prints each command once, followed by its look-for comment, comments under 80 columns", () => {
  LESSONS.forEach((lesson, i) => {
    const lines = lessonText(i + 1, MOVED).trimEnd().split("\n");
    assert.equal(lines[0], `# Lesson ${i + 1}: ${lesson.title}`);
    const commands = lines.filter((line) => !line.startsWith("#"));
    assert.deepEqual(commands, lesson.steps.map((s) => commandOf(s, MOVED)));
    for (const command of commands) {
      const next = lines[lines.indexOf(command) + 1] ?? "";
      assert.ok(next.startsWith("#   look for: "), next);
    }
    for (const line of lines.filter((l) => l.startsWith("#"))) {
      assert.ok(line.length < 80, line);
    }
  });
});

Deno.test("allLessonsText() names only the lab's own addresses in its commands, and the admin listener's in clock commands", () => {
  const commands = allLessonsText(MOVED).split("\n").filter((line) =>
    line !== "" && !line.startsWith("#")
  );
  assert.ok(commands.length >= LESSONS.length * 2, commands.join("\n"));
  for (const line of commands) {
    assert.match(line, /^(curl |for i in |\.\/cachelab clock advance \d+ )/);
    const named = [...line.matchAll(/http:\/\/[^/' ]+/g)].map((m) => m[0]);
    assert.ok(named.length > 0, line);
    for (const url of named) {
      assert.ok(Object.values(MOVED).includes(url), `${url} in ${line}`);
    }
    if (line.startsWith("./cachelab clock")) {
      assert.ok(line.endsWith(` --admin ${MOVED.admin}`), line);
    }
  }
});

Deno.test("LESSONS compare bodies only with earlier steps that printed a response, and name only the lab's URLs", () => {
  for (const lesson of LESSONS) {
    lesson.steps.forEach((step, k) => {
      const words = step.command.match(/\{[a-z]+\}/g) ?? [];
      for (const word of words) {
        assert.ok(["{proxy}", "{origin}", "{admin}"].includes(word), word);
      }
      const expect = step.expect;
      if (expect.kind !== "response") return;
      for (const other of [expect.sameBodyAs, expect.otherBodyThan]) {
        if (other === undefined) continue;
        assert.ok(other < k, `${lesson.title} step ${k}: ${other}`);
        assert.equal(lesson.steps[other]?.expect.kind, "response");
      }
      assert.ok(step.command.startsWith("curl -si"), step.command);
    });
  }
});

Deno.test("README.md's Lessons section shows allLessonsText() for the default ports", async () => {
  const readme = await Deno.readTextFile(`${REPO}README.md`);
  const block = "```sh\n" + allLessonsText(DEFAULT_LAB_URLS) + "```";
  assert.ok(
    readme.includes(block),
    "README.md has the lessons as ./cachelab lab --lesson all prints them; " +
      "paste its output again",
  );
});
