/**
 * Owns the shape of a lab lesson: a title, what it shows (with its RFC
 * section), and steps, each one shell command exactly as printed (with
 * `{proxy}`, `{origin}` and `{admin}` standing for the lab's URLs), what
 * a learner looks for in its output, and the same thing as a check a
 * test runs on that output (tests/e2e/lessons_test.ts).
 *
 * Must not hold lessons (cli/lesson_list*.ts do) nor print them
 * (cli/lessons.ts).
 */

/** A check on one response field of a `curl -si` output. */
export interface FieldCheck {
  /** The field name, any case. */
  name: string;
  /** The value holds this text (case-insensitive). */
  includes?: string;
  /** The value matches this pattern. */
  matches?: RegExp;
  /** The field is not there. */
  absent?: true;
}

/**
 * What a step's output must show:
 * - `response`: the output of `curl -si`: one response, its status,
 *   fields and body; `sameBodyAs` / `otherBodyThan` compare the body with
 *   the response of an earlier step of the lesson (its index), so "the
 *   origin was not asked" is read from the body the lab's origin numbers
 *   ("request N for PATH").
 * - `lines`: one line per response (`curl -w`), `count` of them, each
 *   matching `every`, at least one matching `some`.
 * - `text`: the whole output, trimmed, matches; with `poll`, the command
 *   is run again until it does (bounded): for what happens in the
 *   background.
 * - `log`: the output is the lab origin's `/lab/log`; its newest request
 *   whose target starts with `target` carried the request field `field`
 *   with `value` and was answered `status`.
 */
export type Expectation =
  | {
    kind: "response";
    status: number;
    fields?: readonly FieldCheck[];
    body?: RegExp;
    sameBodyAs?: number;
    otherBodyThan?: number;
  }
  | {
    kind: "lines";
    count: number;
    every?: RegExp;
    some?: RegExp;
  }
  | { kind: "text"; matches: RegExp; poll?: true }
  | {
    kind: "log";
    target: string;
    field: string;
    value: string;
    status: number;
  };

/** One command of a lesson. */
export interface Step {
  /**
   * The shell command as printed, `{proxy}`, `{origin}` and `{admin}`
   * replaced by the lab's URLs; a command starting `./cachelab clock`
   * gets `--admin URL` appended when the admin listener is not on its
   * default address.
   */
  command: string;
  /** What to look for in its output, for a reader (one or two lines). */
  lookFor: string;
  /** The same, checked by the lessons' test. */
  expect: Expectation;
}

/** One experiment: run its steps in order. */
export interface Lesson {
  title: string;
  /** One or two sentences: what it shows, with the RFC section. */
  shows: string;
  steps: readonly Step[];
}
