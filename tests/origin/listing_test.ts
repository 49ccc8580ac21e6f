import assert from "../helpers/assert.ts";
import {
  escapeHtml,
  MAX_LISTING_ENTRIES,
  readListing,
  renderListing,
} from "../../origin/listing.ts";
import { makeFixture } from "./fixtures.ts";

Deno.test("escapeHtml() escapes the five HTML-special characters", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});

Deno.test("renderListing() escapes the title and percent-encodes links", () => {
  const html = renderListing("/<x>/", [
    { name: "d&d", isDirectory: true },
    { name: "a:b?#.txt", isDirectory: false },
  ], false);
  assert.match(html, /<title>Index of \/&lt;x&gt;\/<\/title>/);
  assert.match(html, /<a href="d%26d\/">d&amp;d\/<\/a>/);
  assert.match(html, /<a href="a%3Ab%3F%23\.txt">a:b\?#\.txt<\/a>/); // ":" cannot start a scheme
});

Deno.test("renderListing() cuts very long listings with a note", () => {
  const entries = Array.from({ length: MAX_LISTING_ENTRIES + 3 }, (_, i) => ({
    name: `f${i}`,
    isDirectory: false,
  }));
  const html = renderListing("/", entries, true);
  assert.match(html, /\(3 more entries not shown\)/);
  assert.doesNotMatch(html, new RegExp(`href="f${MAX_LISTING_ENTRIES}"`));
});

Deno.test("readListing() puts directories first, then names in order", async () => {
  await using fx = await makeFixture();
  const entries = await readListing(`${fx.root}/sub`);
  assert.deepEqual(entries, [
    { name: "dir2", isDirectory: true },
    { name: "a <b>&.txt", isDirectory: false },
    { name: 'q"uote.txt', isDirectory: false },
  ]);
});
