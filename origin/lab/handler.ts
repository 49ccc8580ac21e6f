/**
 * Owns the lab origin's request handler: it counts every request for its
 * path and logs it, answers scripted paths (GET and HEAD, before
 * anything else), then the /lab/ routes (GET and HEAD in routes.ts; POST,
 * PUT, PATCH and DELETE with 204), and hands every other request to the
 * file handler it wraps.
 *
 * Must not serve files itself nor import proxy/ or cache/.
 */

import { formatHttpDate } from "../../http/dates.ts";
import type { Handler } from "../../http/server.ts";
import type { IncomingRequest, OutgoingResponse } from "../../http/types.ts";
import { type LabContext, labFields, labResponse } from "./answers.ts";
import { answerLabRoute, LAB_PREFIX } from "./routes.ts";
import { type LabScript, scriptedResponse } from "./script.ts";
import { answerScripted } from "./script_answer.ts";
import { LabState, loggedFields, pathOfTarget } from "./state.ts";

/** What turns the lab on. */
export interface LabOptions {
  /** Scripted responses (`--script FILE`), already validated. */
  script?: LabScript;
  /**
   * Aborted when the origin stops: a pending wait (/lab/delay, a
   * script's delay) ends and its connection is closed unanswered, a
   * "slow" body is cut short. startOrigin() aborts it in shutdown().
   */
  stop?: AbortSignal;
}

/** The methods any /lab/ path answers with 204 (the body read and discarded). */
const UNSAFE: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The lab handler in front of `files`, on the clock `now` (ms since the
 * epoch); `state` holds the counters and the log (a fresh one by default).
 */
export function labHandler(
  files: Handler,
  lab: LabOptions,
  now: () => number,
  state: LabState = new LabState(),
): Handler {
  return async (req: IncomingRequest): Promise<OutgoingResponse> => {
    const { method, target, headers } = req.head;
    const path = pathOfTarget(target);
    const n = state.count(path);
    const time = now();
    const ctx: LabContext = { now: time, path, n, method, stop: lab.stop };
    let status: number | null = null;
    try {
      const res = await route(req, ctx, lab, files, state);
      status = res.abort ? null : res.status;
      return res;
    } finally {
      state.record({
        n,
        time: formatHttpDate(time),
        method,
        target,
        fields: loggedFields(headers),
        status,
      });
    }
  };
}

async function route(
  req: IncomingRequest,
  ctx: LabContext,
  lab: LabOptions,
  files: Handler,
  state: LabState,
): Promise<OutgoingResponse> {
  const { method, target, headers } = req.head;
  const safe = method === "GET" || method === "HEAD";
  const scripted = safe && lab.script
    ? scriptedResponse(lab.script, ctx.path, ctx.n)
    : undefined;
  if (scripted) return await answerScripted(scripted, ctx);
  if (!ctx.path.startsWith(LAB_PREFIX)) return await files(req);
  if (UNSAFE.has(method)) {
    while (await req.body.read() !== null) { /* discarded */ }
    return labResponse(204, labFields(ctx, []), "");
  }
  if (!safe) return await files(req); // 405 or 501, as for any path
  const q = target.indexOf("?");
  const query = q === -1 ? undefined : target.slice(q + 1);
  return await answerLabRoute(headers, query, ctx, state);
}
