import assert from "../../helpers/assert.ts";
import { waitUnlessStopped } from "../../../origin/lab/wait.ts";

Deno.test("waitUnlessStopped() resolves true when the time passes without a stop", async () => {
  const stop = new AbortController();
  assert.equal(await waitUnlessStopped(1, stop.signal), true);
  assert.equal(await waitUnlessStopped(1), true);
});

Deno.test("waitUnlessStopped() resolves false and clears its timer when stopped before the time passes", async () => {
  const stop = new AbortController();
  const waiting = waitUnlessStopped(60_000, stop.signal);
  stop.abort();
  assert.equal(await waiting, false); // the op sanitizer fails the test on a timer left behind
});

Deno.test("waitUnlessStopped() resolves false at once when stopped already", async () => {
  const stop = new AbortController();
  stop.abort();
  assert.equal(await waitUnlessStopped(60_000, stop.signal), false);
});
