/**
 * Owns /lab/bytes/N: N stable pseudo-random bytes (bytes.ts, seeded by N)
 * with the strong ETag "bytes-N", conditionals, and Range with If-Range
 * answered as origin/file_response.ts answers them for a file.
 *
 * Must not hold the bytes whole: the body is a reader over the sequence.
 */

import { ifRangeAllows } from "../../http/conditional.ts";
import type { FieldList } from "../../http/headers.ts";
import {
  contentRange,
  parseRange,
  unsatisfiedRange,
} from "../../http/range.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import {
  labBadRequest,
  type LabContext,
  labFields,
  labResponse,
} from "./answers.ts";
import { labBytesBody, MAX_LAB_BYTES } from "./bytes.ts";
import { labCondition } from "./conditional.ts";

/** Answers GET or HEAD /lab/bytes/N (`arg` is N as written in the path). */
export function answerBytes(
  arg: string,
  ctx: LabContext,
  request: FieldList,
): OutgoingResponse {
  if (!/^[0-9]{1,10}$/.test(arg) || Number(arg) > MAX_LAB_BYTES) {
    return labBadRequest(
      ctx,
      `N must be an integer from 0 to ${MAX_LAB_BYTES}`,
    );
  }
  const size = Number(arg);
  const etag = `"bytes-${size}"`;
  const validators = { etag };
  const condition = labCondition(ctx.method, request, validators);
  if (condition === "304") {
    return labResponse(304, labFields(ctx, [["ETag", etag]]), ""); // RFC 9110 §15.4.5
  }
  if (condition === "412") {
    return labResponse(
      412,
      labFields(ctx, []),
      `request ${ctx.n} for ${ctx.path}: precondition failed\n`,
    );
  }
  const fields = labFields(ctx, [["ETag", etag], ["Accept-Ranges", "bytes"]]); // RFC 9110 §14.3
  const type = "application/octet-stream";
  const rangeField = request.get("range");
  if (
    ctx.method === "GET" && // RFC 9110 §14.2: Range is defined for GET only
    rangeField !== undefined &&
    ifRangeAllows(request, { etag, date: ctx.now }) // RFC 9110 §13.2.2 step 5
  ) {
    const range = parseRange(rangeField, size);
    if (range.kind === "unsatisfiable") {
      const refusal = labFields(ctx, [["Accept-Ranges", "bytes"], [
        "Content-Range",
        unsatisfiedRange(size),
      ]]); // RFC 9110 §15.5.17
      return labResponse(
        416,
        refusal,
        `request ${ctx.n} for ${ctx.path}: range not satisfiable\n`,
      );
    }
    if (range.kind === "single") {
      fields.set("Content-Range", contentRange(range.start, range.end, size)); // RFC 9110 §15.3.7
      const length = range.end - range.start + 1;
      return labResponse(
        206,
        fields,
        labBytesBody(size, range.start, length),
        type,
      );
    }
  }
  return labResponse(200, fields, labBytesBody(size, 0, size), type);
}
