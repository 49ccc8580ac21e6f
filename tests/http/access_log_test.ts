import assert from "../helpers/assert.ts";
import {
  type AccessLogEntry,
  BatchedLineWriter,
  formatAccessLog,
  formatClfTime,
} from "../../http/access_log.ts";

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37, 250);

function entry(over: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    remoteAddr: "127.0.0.1",
    time: NOV_6_1994,
    requestLine: "GET /index.html HTTP/1.1",
    status: 200,
    bytes: 1234,
    ...over,
  };
}

Deno.test("formatAccessLog() writes a Common Log Format line", () => {
  assert.equal(
    formatAccessLog(entry()),
    '127.0.0.1 - - [06/Nov/1994:08:49:37 +0000] "GET /index.html HTTP/1.1" 200 1234',
  );
});

Deno.test('formatAccessLog() writes "-" when no body bytes were sent', () => {
  assert.match(formatAccessLog(entry({ bytes: 0, status: 304 })), /" 304 -$/);
});

Deno.test("formatAccessLog() appends the suffix words after the CLF fields", () => {
  assert.match(
    formatAccessLog(entry({ suffix: "HIT 3ms" })),
    /" 200 1234 HIT 3ms$/,
  );
  assert.match(formatAccessLog(entry({ suffix: "" })), /" 200 1234$/);
});

Deno.test("formatAccessLog() escapes quotes, backslashes, controls and obs-text in the request line", () => {
  const line = formatAccessLog(
    entry({ requestLine: 'GET /"a"\\b\x1b[31m\n\xe9\x7f HTTP/1.1' }),
  );
  assert.match(
    line,
    /"GET \/\\x22a\\x22\\x5cb\\x1b\[31m\\x0a\\xe9\\x7f HTTP\/1.1"/,
  );
  assert.equal(line.includes("\n"), false);
});

Deno.test("formatAccessLog() writes '-' for a request line it never read", () => {
  assert.match(
    formatAccessLog(entry({ requestLine: "-", status: 400 })),
    /"-" 400/,
  );
});

Deno.test("formatClfTime() pads day, hours, minutes and seconds (UTC)", () => {
  assert.equal(
    formatClfTime(Date.UTC(2026, 0, 2, 3, 4, 5)),
    "02/Jan/2026:03:04:05 +0000",
  );
  assert.equal(
    formatClfTime(Date.UTC(2026, 11, 31, 23, 59, 59, 999)),
    "31/Dec/2026:23:59:59 +0000",
  );
});

Deno.test("BatchedLineWriter.line() writes lines queued in one task with one write", async () => {
  const writes: string[] = [];
  const out = new BatchedLineWriter((b) =>
    writes.push(new TextDecoder().decode(b))
  );
  out.line("one");
  out.line("two");
  out.line("three");
  assert.equal(writes.length, 0);
  await Promise.resolve();
  assert.deepEqual(writes, ["one\ntwo\nthree\n"]);
});

Deno.test("BatchedLineWriter.line() flushes at once past 16 KiB", () => {
  const writes: string[] = [];
  const out = new BatchedLineWriter((b) =>
    writes.push(new TextDecoder().decode(b))
  );
  out.line("x".repeat(10_000));
  assert.equal(writes.length, 0);
  out.line("y".repeat(10_000));
  assert.equal(writes.length, 1);
  assert.equal(writes[0]!.length, 20_002);
});

Deno.test("BatchedLineWriter.flush() writes pending lines and nothing when empty", () => {
  const writes: string[] = [];
  const out = new BatchedLineWriter((b) =>
    writes.push(new TextDecoder().decode(b))
  );
  out.flush();
  assert.equal(writes.length, 0);
  out.line("a");
  out.flush();
  out.flush();
  assert.deepEqual(writes, ["a\n"]);
});

Deno.test("BatchedLineWriter.flush() swallows a failing stream", () => {
  const out = new BatchedLineWriter(() => {
    throw new Error("Cannot write: closed");
  });
  out.line("a");
  out.flush();
});
