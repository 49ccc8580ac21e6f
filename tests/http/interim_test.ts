import assert from "../helpers/assert.ts";
import { FieldList } from "../../http/headers.ts";
import { InterimSender, isInterimStatus } from "../../http/interim.ts";
import { RecordingSink } from "../helpers/byte_io.ts";

Deno.test("isInterimStatus() is true for 100 and 102-199, never for 101 nor a final status (RFC 9110 §15.2)", () => {
  const interim = [99, 100, 101, 102, 103, 199, 200, 304].filter(
    isInterimStatus,
  );
  assert.deepEqual(interim, [100, 102, 103, 199]);
});

Deno.test("InterimSender.send() writes 100 once and other 1xx each time to an HTTP/1.1 client", async () => {
  const sink = new RecordingSink();
  const sender = new InterimSender(sink, "HTTP/1.1");
  await sender.send(100);
  await sender.send(100);
  await sender.send(103, new FieldList([["Link", "</a.css>"]]));
  assert.equal(sender.continueSent, true);
  assert.equal(
    sink.text,
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n",
  );
});

Deno.test("InterimSender.send() writes nothing to an HTTP/1.0 client (RFC 9110 §15.2)", async () => {
  const sink = new RecordingSink();
  const sender = new InterimSender(sink, "HTTP/1.0");
  await sender.send(100);
  await sender.send(103);
  assert.equal(sink.text, "");
});

Deno.test("InterimSender.send() throws and writes nothing for 101 or a final status", async () => {
  const sink = new RecordingSink();
  const sender = new InterimSender(sink, "HTTP/1.1");
  for (const status of [101, 200, 99]) {
    await assert.rejects(sender.send(status), /Cannot send/);
  }
  assert.equal(sink.text, "");
});
