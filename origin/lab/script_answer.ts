/**
 * Owns answering a request with a scripted response (script.ts): its
 * delay, its fault (close, rst, or a slow body of one byte every 100 ms)
 * and its fields, status and body.
 *
 * Must not choose the response (script.ts) nor count requests.
 */

import type { BodyReader, OutgoingResponse } from "../../http/types.ts";
import {
  type LabContext,
  labFields,
  labResponse,
  TEXT_TYPE,
} from "./answers.ts";
import type { ScriptResponse } from "./script.ts";

/** The pause between two bytes of a "slow" body (ms). */
export const SLOW_BYTE_MS = 100;

const encoder = new TextEncoder();

/** Answers with `scripted` after its delay. */
export async function answerScripted(
  scripted: ScriptResponse,
  ctx: LabContext,
): Promise<OutgoingResponse> {
  if (scripted.delay > 0) await sleep(scripted.delay);
  const type = scripted.body === "" ? null : TEXT_TYPE;
  const fields = labFields(ctx, scripted.fields, type);
  if (scripted.fault === "close") {
    return { status: 0, headers: fields, abort: "close" };
  }
  if (scripted.fault === "rst") {
    return { status: 0, headers: fields, abort: "reset" };
  }
  const bytes = encoder.encode(scripted.body);
  if (scripted.fault === "slow") {
    return labResponse(scripted.status, fields, slowBody(bytes));
  }
  return labResponse(scripted.status, fields, bytes);
}

/** A reader of `bytes`: the first at once, then one every SLOW_BYTE_MS. */
export function slowBody(
  bytes: Uint8Array,
  pauseMs = SLOW_BYTE_MS,
): BodyReader {
  let next = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  return {
    length: bytes.length,
    async read() {
      if (next >= bytes.length) return null;
      if (next > 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, pauseMs);
        });
        timer = undefined;
        if (next < 0) return null; // cancelled while waiting
      }
      return bytes.slice(next, ++next);
    },
    trailers: () => undefined,
    cancel() {
      next = -1;
      if (timer !== undefined) clearTimeout(timer);
      wake?.();
      return Promise.resolve();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
