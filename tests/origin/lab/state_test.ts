import assert from "../../helpers/assert.ts";
import {
  COUNTED_PATHS,
  LabState,
  LOG_SIZE,
} from "../../../origin/lab/state.ts";

Deno.test("LabState.count() forgets the least recently seen path when more than maxPaths are seen", () => {
  const state = new LabState(3);
  state.count("/a");
  state.count("/b");
  state.count("/a"); // /a is now more recent than /b
  state.count("/c");
  state.count("/d"); // a fourth path: /b goes
  assert.equal(state.countedPaths, 3);
  assert.equal(state.countOf("/b"), 0, "forgotten: answered as never seen");
  assert.equal(state.countOf("/a"), 2);
  assert.equal(state.countOf("/c"), 1);
  assert.equal(state.countOf("/d"), 1);
  assert.equal(state.count("/b"), 1, "a forgotten path counts from 1 again");
});

Deno.test("LabState.count() forgets the oldest paths when their characters pass maxChars", () => {
  const state = new LabState(100, 10);
  state.count("/aaaa"); // 5 chars
  state.count("/bbbb"); // 10
  assert.equal(state.countedPaths, 2);
  state.count("/cc"); // 13: /aaaa goes
  assert.equal(state.countOf("/aaaa"), 0);
  assert.equal(state.countOf("/bbbb"), 1);
  assert.equal(state.countOf("/cc"), 1);
  assert.equal(state.countedPaths, 2);
  state.count("/a-path-longer-than-ten");
  assert.equal(state.countedPaths, 1, "the newest path is kept, alone");
  assert.equal(state.countOf("/a-path-longer-than-ten"), 1);
});

Deno.test("LabState.count() remembers COUNTED_PATHS paths at most by default when every request has a new path", () => {
  const state = new LabState();
  for (let i = 0; i < COUNTED_PATHS + 500; i++) state.count(`/p/${i}`);
  assert.equal(state.countedPaths, COUNTED_PATHS);
  assert.equal(state.countOf("/p/0"), 0);
  assert.equal(state.countOf("/p/499"), 0);
  assert.equal(state.countOf("/p/500"), 1);
  assert.equal(state.countOf(`/p/${COUNTED_PATHS + 499}`), 1);
});

Deno.test("LabState.record() keeps the last LOG_SIZE entries, oldest first", () => {
  const state = new LabState();
  for (let n = 1; n <= LOG_SIZE + 5; n++) {
    state.record({
      n,
      time: "Fri, 02 Jan 2026 03:04:05 GMT",
      method: "GET",
      target: "/x",
      fields: {},
      status: 200,
    });
  }
  const entries = state.entries();
  assert.equal(entries.length, LOG_SIZE);
  assert.equal(entries[0]!.n, 6);
  assert.equal(entries.at(-1)!.n, LOG_SIZE + 5);
});
