import assert from "../helpers/assert.ts";
import {
  contentTypeFor,
  DEFAULT_MEDIA_TYPE,
} from "../../origin/media_types.ts";

/** [name, file name, Content-Type] */
// deno-fmt-ignore
const TYPES: [string, string, string][] = [
  ["gives text/plain a charset", "1.txt", "text/plain; charset=utf-8"],
  ["gives HTML a charset", "index.html", "text/html; charset=utf-8"],
  ["gives CSS a charset", "site.css", "text/css; charset=utf-8"],
  ["gives JavaScript a charset", "app.js", "text/javascript; charset=utf-8"],
  ["gives a module script a charset", "app.mjs", "text/javascript; charset=utf-8"],
  ["gives JSON a charset", "data.json", "application/json; charset=utf-8"],
  ["gives a +json type a charset", "site.webmanifest", "application/manifest+json; charset=utf-8"],
  ["gives an image no charset", "a.png", "image/png"],
  ["reads the extension in any case", "NOTES.TXT", "text/plain; charset=utf-8"],
  ["uses the last segment of a path with dots in folders", "/srv/a.dir/file", DEFAULT_MEDIA_TYPE],
  ["uses the last extension", "archive.tar.gz", "application/gzip"],
  ["sends octet-stream for an unknown extension", "2.binary", DEFAULT_MEDIA_TYPE],
  ["sends octet-stream without an extension", "Makefile", DEFAULT_MEDIA_TYPE],
  ["sends octet-stream for a dotfile", ".bashrc", DEFAULT_MEDIA_TYPE],
];

for (const [name, file, type] of TYPES) {
  Deno.test(`contentTypeFor() ${name}`, () => {
    assert.equal(contentTypeFor(file), type);
  });
}
