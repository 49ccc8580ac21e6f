/**
 * Owns the GET and HEAD routes under /lab/: headers, etag, last-modified,
 * status, delay, bytes (routes_bytes.ts), close, rst, count and log, each
 * answered from the path, its parameters (fields.ts) and the lab's
 * counters (state.ts).
 *
 * Must not count or log requests (handler.ts does, once per request) nor
 * read the clock: the time is in the LabContext.
 */

import { formatHttpDate, parseHttpDate } from "../../http/dates.ts";
import type { Field, FieldList } from "../../http/headers.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import {
  labBadRequest,
  type LabContext,
  labFields,
  labNotFound,
  labResponse,
  requestLine,
  stopped,
} from "./answers.ts";
import { labCondition, type LabValidators } from "./conditional.ts";
import {
  type LabParams,
  parseLabParams,
  parseStatus,
  twice,
} from "./fields.ts";
import { answerBytes } from "./routes_bytes.ts";
import { MAX_DELAY_MS } from "./script.ts";
import type { LabState } from "./state.ts";
import { waitUnlessStopped } from "./wait.ts";

/** The lab's routes live under this prefix. */
export const LAB_PREFIX = "/lab/";

/**
 * Answers a GET or HEAD to a /lab/ path (`ctx.path` starts with "/lab/";
 * `query` is the target's query without "?", if any).
 */
export async function answerLabRoute(
  request: FieldList,
  query: string | undefined,
  ctx: LabContext,
  state: LabState,
): Promise<OutgoingResponse> {
  const rest = ctx.path.slice(LAB_PREFIX.length);
  const slash = rest.indexOf("/");
  const route = slash === -1 ? rest : rest.slice(0, slash);
  const arg = slash === -1 ? undefined : rest.slice(slash + 1);
  if (arg === undefined) {
    if (route === "headers") {
      return withParams(query, ctx, (p) => answer(ctx, request, p));
    }
    if (route === "close") {
      return { status: 0, headers: labFields(ctx, []), abort: "close" };
    }
    if (route === "rst") {
      return { status: 0, headers: labFields(ctx, []), abort: "reset" };
    }
    if (route === "count") return answerCount(query, ctx, state);
    if (route === "log") return answerLog(ctx, state);
    return labNotFound(ctx);
  }
  if (route === "etag") return answerEtag(arg, query, ctx, request);
  if (route === "last-modified") {
    return answerLastModified(arg, query, ctx, request);
  }
  if (route === "status") {
    const status = parseStatus(arg);
    if (status === undefined) {
      return labBadRequest(
        ctx,
        "the status must be an integer from 200 to 599",
      );
    }
    return withParams(
      query,
      ctx,
      (p) =>
        p.status !== undefined && p.status !== status // the path and the query
          ? labBadRequest(ctx, twice("status"))
          : answer(ctx, request, { ...p, status }),
    );
  }
  if (route === "delay") {
    if (!/^[0-9]{1,5}$/.test(arg) || Number(arg) > MAX_DELAY_MS) {
      return labBadRequest(
        ctx,
        `the delay must be an integer from 0 to ${MAX_DELAY_MS} (ms)`,
      );
    }
    const parsed = parseLabParams(query);
    if (parsed.kind === "bad") return labBadRequest(ctx, parsed.reason);
    if (!await waitUnlessStopped(Number(arg), ctx.stop)) {
      return stopped(ctx);
    }
    return answer(ctx, request, parsed.params);
  }
  if (route === "bytes") return answerBytes(arg, ctx, request);
  return labNotFound(ctx);
}

/** Parses the parameters, then answers with `then`, or 400. */
function withParams(
  query: string | undefined,
  ctx: LabContext,
  then: (params: LabParams) => OutgoingResponse,
): OutgoingResponse {
  const parsed = parseLabParams(query);
  if (parsed.kind === "bad") return labBadRequest(ctx, parsed.reason);
  return then(parsed.params);
}

/**
 * The answer of the field-parameter routes: the connection closed
 * unanswered once close-after is passed, 500 once fail-after is passed, else the status asked for (200 by default) with the fields
 * asked for after `validatorFields`; a 200 with validators answers its
 * conditionals first (RFC 9110 §13.2.1: only when it would be 2xx).
 */
function answer(
  ctx: LabContext,
  request: FieldList,
  params: LabParams,
  validators: LabValidators = {},
): OutgoingResponse {
  if (params.closeAfter !== undefined && ctx.n > params.closeAfter) {
    return { status: 0, headers: labFields(ctx, []), abort: "close" };
  }
  if (params.failAfter !== undefined && ctx.n > params.failAfter) {
    return labResponse(
      500,
      labFields(ctx, []),
      `request ${ctx.n} for ${ctx.path}: failing after ${params.failAfter}\n`,
    );
  }
  const status = params.status ?? 200;
  const sent: Field[] = [];
  if (validators.etag !== undefined) sent.push(["ETag", validators.etag]);
  if (validators.lastModified !== undefined) {
    sent.push(["Last-Modified", formatHttpDate(validators.lastModified)]);
  }
  const fields = [...sent, ...params.fields];
  if (status === 200 && sent.length > 0) {
    const condition = labCondition(ctx.method, request, validators);
    if (condition === "304") {
      return labResponse(304, labFields(ctx, fields), ""); // RFC 9110 §15.4.5
    }
    if (condition === "412") {
      return labResponse(
        412,
        labFields(ctx, sent),
        `request ${ctx.n} for ${ctx.path}: precondition failed\n`,
      );
    }
  }
  return labResponse(status, labFields(ctx, fields), requestLine(ctx));
}

/** /lab/etag/TAG: a strong ETag "TAG" (TAG percent-decoded, etagc only). */
function answerEtag(
  arg: string,
  query: string | undefined,
  ctx: LabContext,
  request: FieldList,
): OutgoingResponse {
  const tag = decode(arg);
  if (tag === undefined || tag === "" || !/^[\x21\x23-\x7e]+$/.test(tag)) { // RFC 9110 §8.8.3: etagc
    return labBadRequest(
      ctx,
      "the tag must be visible ASCII without '\"' or spaces",
    );
  }
  return withParams(
    query,
    ctx,
    (p) => answer(ctx, request, p, { etag: `"${tag}"` }),
  );
}

/** /lab/last-modified/HTTP-DATE: that Last-Modified (percent-decoded date). */
function answerLastModified(
  arg: string,
  query: string | undefined,
  ctx: LabContext,
  request: FieldList,
): OutgoingResponse {
  const text = decode(arg);
  const date = text === undefined ? undefined : parseHttpDate(text);
  if (date === undefined) {
    return labBadRequest(
      ctx,
      "the path must end in an HTTP-date, e.g. Wed, 21 Oct 2015 07:28:00 GMT",
    );
  }
  // RFC 9110 §8.8.2.1: a date later than the Date sent is sent as the Date, and compared as sent
  const lastModified = Math.min(date, Math.floor(ctx.now / 1000) * 1000);
  return withParams(
    query,
    ctx,
    (p) => answer(ctx, request, p, { lastModified }),
  );
}

/** /lab/count?path=P: how many requests were read for P (its value percent-decoded). */
function answerCount(
  query: string | undefined,
  ctx: LabContext,
  state: LabState,
): OutgoingResponse {
  const paths = (query ?? "").split("&").filter((p) => p.startsWith("path="));
  const path = paths.length === 1 ? decode(paths[0]!.slice(5)) : undefined;
  if (path === undefined || path === "") {
    return labBadRequest(
      ctx,
      "give exactly one path=P (the path without its query)",
    );
  }
  const fields = labFields(ctx, [["Cache-Control", "no-store"]]);
  return labResponse(200, fields, `${state.countOf(path)}\n`);
}

/** /lab/log: the last requests, newest last, as JSON. */
function answerLog(ctx: LabContext, state: LabState): OutgoingResponse {
  const fields = labFields(ctx, [["Cache-Control", "no-store"]]);
  return labResponse(
    200,
    fields,
    JSON.stringify({ requests: state.entries() }) + "\n",
    "application/json",
  );
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
