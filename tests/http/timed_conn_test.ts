/**
 * Unit tests of a downstream connection's inactivity state: a head read
 * ended by the head deadline, and a deadline that raced a complete head.
 */
import assert from "../helpers/assert.ts";
import { isHttpError } from "../../http/errors.ts";
import { ConnectionState, TimedConn } from "../../http/timed_conn.ts";
import { deferred } from "../helpers/deadline.ts";

/** A connection whose reads wait until the test hands them bytes. */
function heldConn() {
  const reads: ReturnType<typeof deferred<number | null>>[] = [];
  const conn = {
    read(p: Uint8Array) {
      const d = deferred<number | null>();
      reads.push(d);
      return d.promise.then((n) => {
        if (n) p.fill(0x61, 0, n);
        return n;
      });
    },
    write: (p: Uint8Array) => Promise.resolve(p.length),
  } as unknown as Deno.Conn;
  return { conn, reads };
}

const TIMEOUTS = { headTimeoutMs: 60_000, idleTimeoutMs: 60_000 };

Deno.test("TimedConn.read() ends a pending head read with a timeout error once the head deadline passed", async () => {
  const { conn, reads } = heldConn();
  const state = new ConnectionState();
  const io = new TimedConn(conn, state, TIMEOUTS);
  io.waitingForHead = true;
  const read = io.read(new Uint8Array(8));
  state.expireHead();
  await assert.rejects(read, (e) => isHttpError(e, "timeout"));
  await assert.rejects(
    io.read(new Uint8Array(8)),
    (e) => isHttpError(e, "timeout"),
  );
  for (const r of reads) r.resolve(null); // the socket reads left behind end
});

Deno.test("ConnectionState.headArrived() voids a head expiry that raced a complete head", async () => {
  const { conn, reads } = heldConn();
  const state = new ConnectionState();
  const io = new TimedConn(conn, state, TIMEOUTS);
  io.waitingForHead = true;
  state.timedOut = true; // what the sweeper sets with the expiry
  state.expireHead();
  state.headArrived();
  assert.equal(state.timedOut, false);
  const read = io.read(new Uint8Array(8));
  reads[0]!.resolve(3);
  assert.equal(await read, 3);
  assert.equal(state.inHead, true);
  assert.equal(state.idle, false);
});
