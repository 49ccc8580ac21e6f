-- wrk script for the miss path, used by scripts/bench/wrk.ts: every request
-- asks for a URL never asked before, PATH?n=TAG-THREAD-COUNTER, where TAG is
-- different for each run (wrk ... -- PATH TAG), so each proxy must go to the
-- origin every time (they all key on the query string).
local path = "/"
local tag = "0"
local counter = 0
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  path = args[1] or path
  tag = args[2] or tag
end

function request()
  counter = counter + 1
  local number = thread_number or 0
  return wrk.format("GET", path .. "?n=" .. tag .. "-" .. number .. "-" .. counter)
end
