/**
 * Owns what a server does with a request body around its handler: sends
 * 100 Continue when the handler first reads a body the client announced
 * with Expect (RFC 9110 §10.1.1), and afterwards drains a small unread
 * rest so the connection can carry the next request, or says it cannot.
 *
 * Must not decide framing (framing.ts) nor write responses.
 */

import type { WireBody } from "./body.ts";
import type { BodyReader } from "./types.ts";

/** Bodies smaller than this left unread by a handler are drained, not a reason to close. */
const DRAIN_LIMIT = 256 * 1024;

/** False when the unread rest of the request body is too large to drain. */
export function mayDrain(body: WireBody): boolean {
  if (body.complete) return true;
  return body.length === undefined || body.length <= DRAIN_LIMIT;
}

/** Reads what the handler left of the request body, if it is small. */
export async function finishRequestBody(body: WireBody): Promise<boolean> {
  if (body.complete) return true;
  if (!mayDrain(body)) return false;
  let drained = 0;
  try {
    for (let c = await body.read(); c !== null; c = await body.read()) {
      drained += c.length;
      if (drained > DRAIN_LIMIT) return false;
    }
  } catch {
    return false;
  }
  return body.complete;
}

/** A body that sends 100 Continue before its first read (RFC 9110 §10.1.1). */
export function continueOnRead(
  body: WireBody,
  sendContinue: () => Promise<void>,
): BodyReader {
  let sent = false;
  return {
    length: body.length,
    async read() {
      if (!sent) {
        sent = true;
        await sendContinue();
      }
      return await body.read();
    },
    trailers: () => body.trailers(),
    cancel: () => body.cancel(),
  };
}
