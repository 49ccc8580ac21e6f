/**
 * Owns answering a request with a scripted response (script.ts): its
 * delay, its fault (close, rst, or a slow body of one byte every 100 ms)
 * and its fields, status and body.
 *
 * Must not choose the response (script.ts) nor count requests.
 */

import type { BodyReader, OutgoingResponse } from "../../http/types.ts";
import { type LabContext, labFields, labResponse, stopped } from "./answers.ts";
import type { ScriptResponse } from "./script.ts";
import { waitUnlessStopped } from "./wait.ts";

/** The pause between two bytes of a "slow" body (ms). */
export const SLOW_BYTE_MS = 100;

const encoder = new TextEncoder();

/** Answers with `scripted` after its delay. */
export async function answerScripted(
  scripted: ScriptResponse,
  ctx: LabContext,
): Promise<OutgoingResponse> {
  if (
    scripted.delay > 0 && !await waitUnlessStopped(scripted.delay, ctx.stop)
  ) {
    return stopped(ctx);
  }
  const fields = labFields(ctx, scripted.fields);
  if (scripted.fault === "close") {
    return { status: 0, headers: fields, abort: "close" };
  }
  if (scripted.fault === "rst") {
    return { status: 0, headers: fields, abort: "reset" };
  }
  const bytes = encoder.encode(scripted.body);
  if (scripted.fault === "slow") {
    return labResponse(
      scripted.status,
      fields,
      slowBody(bytes, SLOW_BYTE_MS, ctx.stop),
    );
  }
  return labResponse(scripted.status, fields, bytes);
}

/**
 * A reader of `bytes`: the first at once, then one every `pauseMs`.
 * Cancelled, a read returns null; once `stop` aborts, a read throws
 * ("Cannot send the slow body: the origin is stopping"), so the body is
 * cut short and the server closes the connection. No timer is left
 * behind either way.
 */
export function slowBody(
  bytes: Uint8Array,
  pauseMs = SLOW_BYTE_MS,
  stop?: AbortSignal,
): BodyReader {
  let next = 0;
  const cancelled = new AbortController();
  const ended = stop === undefined
    ? cancelled.signal
    : AbortSignal.any([cancelled.signal, stop]);
  return {
    length: bytes.length,
    async read() {
      if (next >= bytes.length || cancelled.signal.aborted) return null;
      if (next > 0 || stop?.aborted) {
        await waitUnlessStopped(pauseMs, ended);
        if (cancelled.signal.aborted) return null; // cancelled while waiting
        if (stop?.aborted) {
          throw new Error("Cannot send the slow body: the origin is stopping");
        }
      }
      return bytes.slice(next, ++next);
    },
    trailers: () => undefined,
    cancel() {
      cancelled.abort();
      return Promise.resolve();
    },
  };
}
