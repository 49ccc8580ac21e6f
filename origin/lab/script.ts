/**
 * Owns the format of `cachelab origin --script FILE`: parsing and strictly
 * validating its JSON into rules, and which rule and response answer a
 * path's nth request. Pure: text in, rules or one-line reason out.
 *
 * Must not read files nor answer requests (cli/origin.ts reads the file,
 * script_answer.ts answers).
 */

import type { Field } from "../../http/headers.ts";
import { fieldRefusal } from "./fields.ts";
import { jsonErrorAt } from "./json_error.ts";

/** The longest delay a script may ask for (ms), as /lab/delay. */
export const MAX_DELAY_MS = 60_000;

/** One scripted response. */
export interface ScriptResponse {
  /** 200-599; 200 when absent from the file (null is refused, as any wrong type). */
  status: number;
  /** Response fields in file order; an array value gives repeated fields. */
  fields: Field[];
  /** The body text ("" when absent); none is sent for 204, 304 or HEAD. */
  body: string;
  /** Milliseconds to wait before the head (0..60000). */
  delay: number;
  /** close/rst: end the connection instead; slow: the body one byte every 100 ms. */
  fault?: "close" | "rst" | "slow";
}

/** A rule: requests to `path` (exact, or a prefix when it ends in "*"). */
export interface ScriptRule {
  path: string;
  responses: ScriptResponse[];
}

/** A parsed script. */
export interface LabScript {
  rules: ScriptRule[];
}

/** The script, or why it is refused: "rules[0].responses[1].status: expected ...". */
export type ScriptResult =
  | { kind: "ok"; script: LabScript }
  | { kind: "bad"; reason: string };

/** Parses and validates the text of a script file. */
export function parseLabScript(text: string): ScriptResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "bad", reason: `not JSON: ${jsonErrorAt(text)}` };
  }
  try {
    return { kind: "ok", script: readScript(json) };
  } catch (e) {
    if (e instanceof ScriptError) return { kind: "bad", reason: e.message };
    throw e;
  }
}

/** Whether `rule.path` matches the request path `path`. */
export function ruleMatches(rule: ScriptRule, path: string): boolean {
  if (rule.path.endsWith("*")) return path.startsWith(rule.path.slice(0, -1));
  return path === rule.path;
}

/**
 * The response for the nth request (n >= 1) to `path`: the first
 * matching rule's responses[n-1], its last one for any later request;
 * undefined when no rule matches.
 */
export function scriptedResponse(
  script: LabScript,
  path: string,
  n: number,
): ScriptResponse | undefined {
  const rule = script.rules.find((r) => ruleMatches(r, path));
  if (rule === undefined) return undefined;
  const index = Math.min(Math.max(n, 1), rule.responses.length) - 1;
  return rule.responses[index];
}

class ScriptError extends Error {}

/**
 * The chars a request-target can hold as the server reads it (RFC 9112
 * §3.2, http/head.ts): visible ASCII and obs bytes; a rule path with a
 * space, a control character or a char above U+00FF could never match.
 */
const REQUEST_PATH = /^[\x21-\x7e\x80-\xff]+$/;

const PATH_EXPECTED =
  'expected a path without spaces, control characters, "?" or "#", "*" only at its end';

/** A key as shown in a reason: as is when plain, else quoted (one line). */
function keyText(key: string): string {
  return /^[\x21-\x7e]+$/.test(key) ? key : JSON.stringify(key);
}

function fail(at: string, expected: string): never {
  throw new ScriptError(`${at}: ${expected}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function onlyKeys(
  v: Record<string, unknown>,
  at: string,
  keys: string[],
): void {
  for (const key of Object.keys(v)) {
    if (!keys.includes(key)) {
      fail(
        `${at}.${keyText(key)}`,
        `unknown key (expected one of ${keys.join(", ")})`,
      );
    }
  }
}

function readScript(json: unknown): LabScript {
  if (!isObject(json)) fail("(top)", 'expected an object {"rules": [...]}');
  onlyKeys(json, "(top)", ["rules"]);
  const rules = json.rules;
  if (!Array.isArray(rules)) fail("rules", "expected an array");
  return { rules: rules.map((rule, i) => readRule(rule, `rules[${i}]`)) };
}

function readRule(rule: unknown, at: string): ScriptRule {
  if (!isObject(rule)) fail(at, "expected an object");
  onlyKeys(rule, at, ["path", "responses"]);
  const path = rule.path;
  if (typeof path !== "string") fail(`${at}.path`, "expected a string");
  if (!path.startsWith("/")) {
    fail(`${at}.path`, 'expected a path starting with "/"');
  }
  if (
    !REQUEST_PATH.test(path) || /[?#]/.test(path) ||
    path.slice(0, -1).includes("*")
  ) {
    fail(`${at}.path`, PATH_EXPECTED);
  }
  const responses = rule.responses;
  if (!Array.isArray(responses) || responses.length === 0) {
    fail(`${at}.responses`, "expected a non-empty array");
  }
  return {
    path,
    responses: responses.map((r, i) =>
      readResponse(r, `${at}.responses[${i}]`)
    ),
  };
}

function readResponse(value: unknown, at: string): ScriptResponse {
  if (!isObject(value)) fail(at, "expected an object");
  onlyKeys(value, at, ["status", "fields", "body", "delay", "fault"]);
  // absent only when the key is missing: null is a wrong type, not the default
  const status = value.status === undefined ? 200 : value.status;
  if (
    !Number.isInteger(status) || (status as number) < 200 ||
    (status as number) > 599
  ) {
    fail(`${at}.status`, "expected an integer from 200 to 599");
  }
  const body = value.body === undefined ? "" : value.body;
  if (typeof body !== "string") fail(`${at}.body`, "expected a string");
  const delay = value.delay === undefined ? 0 : value.delay;
  if (
    !Number.isInteger(delay) || (delay as number) < 0 ||
    (delay as number) > MAX_DELAY_MS
  ) {
    fail(`${at}.delay`, `expected an integer from 0 to ${MAX_DELAY_MS} (ms)`);
  }
  const fault = value.fault;
  if (
    fault !== undefined && fault !== "close" && fault !== "rst" &&
    fault !== "slow"
  ) {
    fail(`${at}.fault`, 'expected "close", "rst" or "slow"');
  }
  if (fault === "slow" && body === "") {
    fail(`${at}.fault`, '"slow" needs a non-empty body');
  }
  const response: ScriptResponse = {
    status: status as number,
    fields: readFields(value.fields, `${at}.fields`),
    body,
    delay: delay as number,
  };
  if (fault !== undefined) response.fault = fault;
  return response;
}

function readFields(value: unknown, at: string): Field[] {
  if (value === undefined) return [];
  if (!isObject(value)) {
    fail(
      at,
      "expected an object of field names to strings or arrays of strings",
    );
  }
  const fields: Field[] = [];
  for (const [name, v] of Object.entries(value)) {
    const values = Array.isArray(v) ? v : [v];
    if (values.length === 0 || values.some((x) => typeof x !== "string")) {
      fail(
        `${at}.${keyText(name)}`,
        "expected a string or a non-empty array of strings",
      );
    }
    for (const one of values as string[]) {
      const refusal = fieldRefusal(name, one);
      if (refusal !== undefined) fail(`${at}.${keyText(name)}`, refusal);
      fields.push([name, one]);
    }
  }
  return fields;
}
