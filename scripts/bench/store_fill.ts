/**
 * Owns filling a store with N small entries for the store probes
 * (store_probe.ts), as the proxy
 * would store them after misses for the bench origin's fresh URLs: the
 * response head parsed by http/head.ts, the draft made by cache/draft.ts
 * (so metadata strings are as many and as long as the proxy's), the body
 * written and committed through the store's writer, CONC at a time.
 *
 * Must not be imported by product code; not a test.
 */

import { draftOf } from "../../cache/draft.ts";
import type { Store } from "../../cache/store.ts";
import { FieldList } from "../../http/headers.ts";
import { parseResponseHead } from "../../http/head.ts";

/** How many entries, how large, how many writes at a time. */
export interface FillPlan {
  entries: number;
  size: number;
  conc: number;
  /** The keys stored are pushed here when given. */
  keys?: string[];
}

const REQUEST_FIELDS = new FieldList([
  ["Host", "127.0.0.1:18091"],
  ["User-Agent", "wrk"],
]);

/** Stores `plan.entries` entries of `plan.size` bytes; throws when a commit fails. */
export async function fillStore(store: Store, plan: FillPlan): Promise<void> {
  const body = new Uint8Array(plan.size).fill(7);
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: plan.conc }, async () => {
      while (next < plan.entries) {
        const i = next++;
        const now = started + i;
        const head = parseResponseHead(
          "HTTP/1.1 200 OK\r\n" +
            `Date: ${new Date(now).toUTCString()}\r\n` +
            "Cache-Control: max-age=3600\r\n" +
            "Last-Modified: Mon, 30 Nov 2026 05:53:39 GMT\r\n" +
            `ETag: "400-1a22b041c87"\r\n` +
            "Content-Type: application/octet-stream\r\n" +
            "Accept-Ranges: bytes\r\n" +
            `Content-Length: ${plan.size}\r\n\r\n`,
        );
        const key = `http://127.0.0.1:18091/1k.bin?n=${started}-${i}`;
        const writer = store.begin(draftOf({
          key,
          method: "GET",
          requestFields: REQUEST_FIELDS,
          status: head.status,
          reason: head.reason,
          responseFields: head.headers,
          requestTime: now,
          responseTime: now,
        }));
        await writer.write(body);
        if (!await writer.commit(plan.size)) {
          throw new Error(`Cannot fill the store: the commit of ${key} failed`);
        }
        plan.keys?.push(key);
      }
    }),
  );
}
