/**
 * Unit tests of the admission order at the connection limit, over fake
 * connections: idle keep-alive connections go first (oldest idle first),
 * then lingering ones; fresh, mid-head and busy ones never; a wait is
 * counted, and counted as waiting for a timeout only when one happened.
 */
import assert from "../helpers/assert.ts";
import { Admission } from "../../http/admission.ts";
import { ConnectionState } from "../../http/timed_conn.ts";
import { EventCounter, withDeadline } from "../helpers/deadline.ts";

/** A stand-in connection that records its close. */
function fakeConn(name: string): Deno.Conn & { closed: boolean } {
  const conn = { name, closed: false, close: () => (conn.closed = true) };
  return conn as unknown as Deno.Conn & { closed: boolean };
}

function setup() {
  const open = new Map<Deno.Conn, ConnectionState>();
  const events = new EventCounter();
  const admission = new Admission(open, events.add);
  const add = (name: string, requests: number) => {
    const conn = fakeConn(name);
    const state = new ConnectionState();
    state.requests = requests;
    open.set(conn, state);
    state.onChange = () => admission.changed(conn, state);
    return { conn, state };
  };
  return { open, events, admission, add };
}

Deno.test("Admission.makeRoom() closes the longest-idle keep-alive connection, then lingering ones, never fresh or busy ones", async () => {
  const { open, events, admission, add } = setup();
  const fresh = add("fresh", 0); // idle, but never served: not closable
  const busy = add("busy", 1);
  busy.state.setIdle(false); // inside a request
  const idleLater = add("idle-later", 1);
  const lingering = add("lingering", 2);
  const idleFirst = add("idle-first", 3);
  idleLater.state.setIdle(false);
  idleFirst.state.setIdle(false);
  idleFirst.state.setIdle(true); // idle since now
  idleLater.state.setIdle(true); // idle since later
  lingering.state.setIdle(false);
  lingering.state.setLingering(true);
  const stopping = () => false;
  assert.equal(await admission.makeRoom(5, stopping), true);
  assert.deepEqual([idleFirst.conn.closed, idleLater.conn.closed], [
    true,
    false,
  ]);
  assert.equal(await admission.makeRoom(4, stopping), true);
  assert.equal(idleLater.conn.closed, true);
  assert.equal(await admission.makeRoom(3, stopping), true);
  assert.equal(lingering.conn.closed, true);
  assert.deepEqual([fresh.conn.closed, busy.conn.closed], [false, false]);
  assert.equal(open.size, 2);
  assert.equal(events.get("idle_closed_to_admit"), 2);
  assert.equal(events.get("lingering_closed_to_admit"), 1);
  assert.equal(events.get("admissions_waited"), 0);
});

Deno.test("Admission.makeRoom() waits when nothing may be closed, and admits once a connection turns idle", async () => {
  const { events, admission, add } = setup();
  const busy = add("busy", 1);
  busy.state.setIdle(false);
  const room = admission.makeRoom(1, () => false);
  await Promise.resolve();
  assert.equal(events.get("connections:full"), 1);
  busy.state.setIdle(true); // its response went out
  assert.equal(await withDeadline(room, 1000, "admission"), true);
  assert.equal(busy.conn.closed, true);
  assert.equal(events.get("admissions_waited"), 1);
  assert.equal(events.get("admissions_waited_for_timeout"), 0);
});

Deno.test("Admission.makeRoom() counts a wait that a timeout ended as waiting for a timeout", async () => {
  const { events, admission, add } = setup();
  const slow = add("slow", 0);
  slow.state.inHead = true;
  const room = admission.makeRoom(1, () => false);
  await Promise.resolve();
  admission.timedOut(); // the sweeper: head timeout
  admission.left(slow.conn, slow.state); // its task ended after the 408
  assert.equal(await withDeadline(room, 1000, "admission"), true);
  assert.equal(events.get("admissions_waited_for_timeout"), 1);
});

Deno.test("Admission.makeRoom() resolves false when the server stops during the wait", async () => {
  const { admission, add } = setup();
  add("busy", 0);
  let stopping = false;
  const room = admission.makeRoom(1, () => stopping);
  stopping = true;
  admission.wake();
  assert.equal(await withDeadline(room, 1000, "admission"), false);
});
