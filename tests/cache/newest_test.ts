/**
 * Table tests of which response wins when two for one stored variant
 * arrive out of order (cache/newest.ts, RFC 9111 §4).
 */

import assert from "../helpers/assert.ts";
import { storedIsNewer, updateOutdated } from "../../cache/newest.ts";
import { dateAt, stored } from "./policy_fixtures.ts";

/** A stored response that arrived `at` seconds after T0, varying on Accept-Language when `lang` is given. */
function response(at: number, lang?: string) {
  return stored({
    headers: [
      ["Date", dateAt(at)],
      ["Cache-Control", "max-age=60"],
      ...(lang ? [["Vary", "Accept-Language"] as [string, string]] : []),
    ],
    request: lang ? [["Accept-Language", lang]] : [],
    requestAt: at,
  });
}

Deno.test("storedIsNewer() is true only when a response for the same variant arrived later (RFC 9111 §4)", () => {
  assert.equal(storedIsNewer(response(1), [response(2)]), true);
  assert.equal(storedIsNewer(response(2), [response(1)]), false);
  assert.equal(storedIsNewer(response(2), [response(2)]), false, "a tie");
  assert.equal(storedIsNewer(response(1), []), false);
  assert.equal(
    storedIsNewer(response(1, "en"), [response(2, "fr")]),
    false,
    "another variant",
  );
  assert.equal(storedIsNewer(response(1, "en"), [response(2, "en")]), true);
});

Deno.test("updateOutdated() is true when a response stored for the updated or the re-keyed variant arrived after the update (RFC 9111 §4)", () => {
  const previous = response(0, "en");
  const update = { ...previous, responseTime: response(5).responseTime };
  assert.equal(updateOutdated({ previous, entry: update }, [previous]), false);
  assert.equal(
    updateOutdated({ previous, entry: update }, [response(6, "en")]),
    true,
    "the stored one was replaced after the update arrived",
  );
  const rekeyed = { ...update, vary: response(0, "fr").vary };
  assert.equal(
    updateOutdated({ previous, entry: rekeyed }, [previous, response(6, "fr")]),
    true,
    "the variant it moves to holds a later response",
  );
});
