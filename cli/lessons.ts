/**
 * Owns the lab's lessons as `cachelab lab` prints them: the short menu
 * after its three address lines, and one lesson (or all) with its
 * commands for the lab's URLs, each followed by what to look for as a
 * shell comment, so a block can be pasted into a terminal as it is.
 *
 * Must not start anything nor run the commands: cli/lab.ts prints what
 * this returns; tests/e2e/lessons_test.ts runs the same steps.
 */

import { UsageError } from "./args.ts";
import type { Lesson, Step } from "./lesson_types.ts";
import {
  FRESHNESS,
  NO_STORE_LESSON,
  REVALIDATION,
  VARY_LESSON,
} from "./lessons_basic.ts";
import {
  COLLAPSING,
  INVALIDATION,
  STALE_IF_ERROR,
  STALE_WHILE_REVALIDATE,
} from "./lessons_stale.ts";

export type { Expectation, FieldCheck, Lesson, Step } from "./lesson_types.ts";

/** The lessons, in the order the menu numbers them from 1. */
export const LESSONS: readonly Lesson[] = [
  FRESHNESS,
  REVALIDATION,
  VARY_LESSON,
  NO_STORE_LESSON,
  STALE_WHILE_REVALIDATE,
  STALE_IF_ERROR,
  INVALIDATION,
  COLLAPSING,
];

/** The lab's three listeners, each `http://HOST:PORT` (no trailing slash). */
export interface LabUrls {
  proxy: string;
  admin: string;
  origin: string;
}

/** Where `cachelab lab` listens by default (and `cachelab clock` looks). */
export const DEFAULT_LAB_URLS: LabUrls = {
  proxy: "http://127.0.0.1:12345",
  admin: "http://127.0.0.1:12346",
  origin: "http://127.0.0.1:20000",
};

/**
 * `step.command` for the lab at `urls`: `{proxy}`, `{origin}` and
 * `{admin}` replaced, and `--admin URL` added to a `./cachelab clock`
 * command when the admin listener is not at its default address.
 */
export function commandOf(step: Step, urls: LabUrls): string {
  const command = step.command
    .replaceAll("{proxy}", urls.proxy)
    .replaceAll("{origin}", urls.origin)
    .replaceAll("{admin}", urls.admin);
  const moved = urls.admin !== DEFAULT_LAB_URLS.admin;
  return command.startsWith("./cachelab clock") && moved
    ? `${command} --admin ${urls.admin}`
    : command;
}

/**
 * How to print lesson `which` (a number, "N" or "all") for the lab at
 * `urls`: `./cachelab lab --lesson N`, with the lab's ports when they
 * are not the defaults.
 */
export function lessonInvocation(urls: LabUrls, which: string): string {
  const proxy = new URL(urls.proxy);
  const words = ["./cachelab", "lab", "--lesson", which];
  const portOf = (url: string) => new URL(url).port;
  if (urls.proxy !== DEFAULT_LAB_URLS.proxy) words.push(proxy.port);
  if (urls.admin !== DEFAULT_LAB_URLS.admin) {
    words.push("--admin-port", portOf(urls.admin));
  }
  if (urls.origin !== DEFAULT_LAB_URLS.origin) {
    words.push("--origin-port", portOf(urls.origin));
  }
  return words.join(" ");
}

/** The menu `cachelab lab` prints after its three address lines (ends in a newline). */
export function lessonsMenu(urls: LabUrls): string {
  const lines = [
    `Lessons: watch the live page ${urls.admin}/ as you go (its buttons ` +
    "move the clock too).",
    ...LESSONS.map((lesson, i) => `  ${i + 1}. ${lesson.title}`),
    `Print one, curl commands with what to look for: ${
      lessonInvocation(urls, "N")
    } (or all).`,
    'The lab origin\'s bodies say "request N for PATH": its count for the',
    "path; a response from the cache repeats it. Each lesson has URLs of its",
    "own: run it once per lab (a second run finds them stored).",
  ];
  return lines.join("\n") + "\n";
}

/** Lesson number `n` (from 1) as printed: title, what it shows, commands (ends in a newline). */
export function lessonText(n: number, urls: LabUrls): string {
  const lesson = LESSONS[n - 1];
  if (lesson === undefined) {
    throw new RangeError(
      `Cannot print lesson ${n}: lessons are numbered 1 to ${LESSONS.length}`,
    );
  }
  const lines = [
    `# Lesson ${n}: ${lesson.title}`,
    ...wrap(lesson.shows, 76).map((line) => `# ${line}`),
  ];
  for (const step of lesson.steps) {
    lines.push(commandOf(step, urls));
    const [first = "", ...rest] = wrap(`look for: ${step.lookFor}`, 72);
    lines.push(`#   ${first}`, ...rest.map((line) => `#     ${line}`));
  }
  return lines.join("\n") + "\n";
}

/** What `cachelab lab --lesson N|all` prints: lesson N, or all of them, for the lab at `urls`. */
export interface LessonRequest {
  which: number | "all";
  urls: LabUrls;
}

/**
 * The LessonRequest for `--lesson TEXT` (a lesson number or "all") and a
 * lab on 127.0.0.1 at these ports; UsageError when TEXT names no lesson
 * or a port is 0 (the lab printed the ports it picked: give those).
 */
export function lessonRequestFrom(
  text: string,
  ports: { port: number; adminPort: number; originPort: number },
): LessonRequest {
  const n = Number(text);
  const numbered = /^[1-9][0-9]*$/.test(text) && n <= LESSONS.length;
  if (text !== "all" && !numbered) {
    throw new UsageError(
      `--lesson must be a lesson number from 1 to ${LESSONS.length}, or all`,
    );
  }
  const { port, adminPort, originPort } = ports;
  if (port === 0 || adminPort === 0 || originPort === 0) {
    throw new UsageError(
      "--lesson prints commands for a running lab: give its ports, not 0",
    );
  }
  const url = (p: number) => `http://127.0.0.1:${p}`;
  return {
    which: text === "all" ? "all" : n,
    urls: { proxy: url(port), admin: url(adminPort), origin: url(originPort) },
  };
}

/** The text a LessonRequest prints (ends in a newline). */
export function requestedLessons(request: LessonRequest): string {
  return request.which === "all"
    ? allLessonsText(request.urls)
    : lessonText(request.which, request.urls);
}

/** Every lesson, one after the other, a blank line between them. */
export function allLessonsText(urls: LabUrls): string {
  return LESSONS.map((_, i) => lessonText(i + 1, urls)).join("\n");
}

/** `text` in lines of at most `width` characters, broken at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
