/**
 * Owns running a lab lesson's steps as a learner would: each command as
 * printed, through `sh -c` (curl is the independent peer: no proxy
 * variables, no ~/.curlrc), except `./cachelab ...`, run as `deno run
 * <the product's permissions> main.ts ...`; and checking each output
 * against the step's expectation (cli/lesson_types.ts).
 *
 * Must not sleep as an oracle: an expectation about background work
 * re-runs its command until it holds, bounded by a deadline.
 */

import type { Expectation, FieldCheck } from "../../cli/lesson_types.ts";
import { REPO, runCachelab, runToEnd } from "../helpers/cli_process.ts";

/** How long a polled step may take to come true. */
const POLL_MS = 15_000;
/** Between two runs of a polled command (not an oracle: the count is). */
const POLL_GAP_MS = 50;

/** One response as `curl -si` printed it. */
export interface PrintedResponse {
  status: number;
  fields: [string, string][];
  body: string;
}

/** What a step printed, and the response in it when it was curl -si. */
export interface StepOutput {
  command: string;
  stdout: string;
  response?: PrintedResponse;
}

/** Runs one printed command to its end; throws when it exits non-zero. */
export async function runPrinted(command: string): Promise<string> {
  const result = command.startsWith("./cachelab ")
    ? await runCachelab(command.slice("./cachelab ".length).split(" "))
    : await runToEnd("sh", ["-c", command], {
      cwd: REPO,
      clearEnv: true,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    });
  if (result.code !== 0) {
    throw new Error(
      `Cannot run "${command}": exit ${result.code}: ${result.stderr}`,
    );
  }
  return result.stdout;
}

/**
 * The first response in the output of `curl -si`: status line, fields,
 * and the body that follows (as text).
 */
export function parseCurlResponse(output: string): PrintedResponse {
  const end = output.indexOf("\r\n\r\n");
  if (!output.startsWith("HTTP/") || end === -1) {
    throw new Error(`Cannot read a response in: ${JSON.stringify(output)}`);
  }
  const [statusLine = "", ...fieldLines] = output.slice(0, end).split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const fields = fieldLines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return { status, fields, body: output.slice(end + 4) };
}

/** Runs the step's command and checks its output; returns what it printed. */
export async function runStep(
  command: string,
  expect: Expectation,
  earlier: readonly StepOutput[],
): Promise<StepOutput> {
  if (expect.kind === "text" && expect.poll) {
    return await poll(command, expect.matches);
  }
  const stdout = await runPrinted(command);
  const output: StepOutput = { command, stdout };
  switch (expect.kind) {
    case "response":
      output.response = parseCurlResponse(stdout);
      checkResponse(output.response, expect, earlier);
      break;
    case "lines":
      checkLines(stdout, expect);
      break;
    case "text":
      check(expect.matches.test(stdout.trim()), `${expect.matches}`, stdout);
      break;
    case "log":
      checkLog(stdout, expect);
      break;
  }
  return output;
}

async function poll(command: string, pattern: RegExp): Promise<StepOutput> {
  const deadline = Date.now() + POLL_MS;
  for (;;) {
    const stdout = await runPrinted(command);
    if (pattern.test(stdout.trim())) return { command, stdout };
    if (Date.now() > deadline) {
      throw new Error(
        `Cannot see ${pattern} from "${command}" within ${POLL_MS} ms: ` +
          `it printed ${JSON.stringify(stdout)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_GAP_MS));
  }
}

function check(ok: boolean, wanted: string, output: string): void {
  if (!ok) {
    throw new Error(`Expected ${wanted}; got: ${JSON.stringify(output)}`);
  }
}

function checkResponse(
  response: PrintedResponse,
  expect: Extract<Expectation, { kind: "response" }>,
  earlier: readonly StepOutput[],
): void {
  const shown = JSON.stringify(response);
  check(response.status === expect.status, `status ${expect.status}`, shown);
  for (const field of expect.fields ?? []) checkField(response, field);
  const body = response.body.trim();
  if (expect.body) check(expect.body.test(body), `body ${expect.body}`, shown);
  if (expect.sameBodyAs !== undefined) {
    const other = bodyOf(earlier, expect.sameBodyAs);
    check(body === other, `the body of step ${expect.sameBodyAs}`, shown);
  }
  if (expect.otherBodyThan !== undefined) {
    const other = bodyOf(earlier, expect.otherBodyThan);
    check(body !== other, `a body other than ${other}`, shown);
  }
}

function bodyOf(earlier: readonly StepOutput[], index: number): string {
  const response = earlier[index]?.response;
  if (!response) {
    throw new Error(`Cannot compare: step ${index} has no response`);
  }
  return response.body.trim();
}

function checkField(response: PrintedResponse, check_: FieldCheck): void {
  const values = response.fields
    .filter(([name]) => name.toLowerCase() === check_.name.toLowerCase())
    .map(([, value]) => value);
  const shown = JSON.stringify(response.fields);
  if (check_.absent) {
    check(values.length === 0, `no ${check_.name}`, shown);
    return;
  }
  const value = values.join(", ");
  check(values.length > 0, `a ${check_.name} field`, shown);
  if (check_.includes !== undefined) {
    check(
      value.toLowerCase().includes(check_.includes.toLowerCase()),
      `${check_.name} including ${check_.includes}`,
      shown,
    );
  }
  if (check_.matches !== undefined) {
    check(
      check_.matches.test(value),
      `${check_.name} matching ${check_.matches}`,
      shown,
    );
  }
}

function checkLines(
  stdout: string,
  expect: Extract<Expectation, { kind: "lines" }>,
): void {
  const lines = stdout.split("\n").filter((line) => line.trim() !== "");
  check(lines.length === expect.count, `${expect.count} lines`, stdout);
  const every = expect.every;
  if (every) check(lines.every((l) => every.test(l)), `${every}`, stdout);
  const some = expect.some;
  if (some) check(lines.some((l) => some.test(l)), `${some}`, stdout);
}

interface LoggedRequest {
  target: string;
  fields: Record<string, string>;
  status: number;
}

function checkLog(
  stdout: string,
  expect: Extract<Expectation, { kind: "log" }>,
): void {
  const { requests } = JSON.parse(stdout) as { requests: LoggedRequest[] };
  const last = requests.findLast((r) => r.target.startsWith(expect.target));
  const shown = JSON.stringify(last ?? requests);
  check(last !== undefined, `a request for ${expect.target}`, shown);
  const value = Object.entries(last!.fields).find(([name]) =>
    name.toLowerCase() === expect.field.toLowerCase()
  )?.[1];
  check(value === expect.value, `${expect.field}: ${expect.value}`, shown);
  check(last!.status === expect.status, `status ${expect.status}`, shown);
}
