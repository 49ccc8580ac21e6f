/**
 * Owns the Lua scripts that change entries in Redis, each one atomic (a
 * script runs alone on the server): commit (switch a variant's metadata
 * in, with its inline body, refused when the key was purged since the
 * write began or, for a compare-and-set, when the slot changed), rekey
 * (update or re-file a stored version), remove and purge, and reading
 * the metadata fields alone. Each one deletes the parts (inline fields,
 * chunks) that no metadata names any more (commit and rekey leave a
 * replaced version's chunks OLD_CHUNKS_KEEP_MS for its open readers;
 * remove and purge delete them at once), and sets the hash's and the
 * chunks' expiry at their entries' keep-until (none while one is null).
 *
 * Must not decide what to store: the store computes every metadata JSON;
 * the scripts only parse it for body files, sizes and keep-until.
 */

import {
  CHUNK_BYTES,
  INLINE_MAX,
  MAX_CHUNKS,
  MAX_PIECES,
  STORED_MAX_BYTES,
} from "./layout.ts";

/**
 * How long the chunks of a body re-filed under a new name, or of a
 * version a commit replaced (or joined into a whole), stay for readers
 * open on them (1 min).
 */
const OLD_CHUNKS_KEEP_MS = 60_000;

/** How long a hash whose variants are all gone keeps its key and purge generation (1 h). */
const EMPTY_KEEP_MS = 3_600_000;

/** Helpers every script shares (files of a meta, dropping them, expiry). */
const COMMON = `
local INLINE = ${INLINE_MAX}
local CHUNK = ${CHUNK_BYTES}
local SIZE_MAX = ${STORED_MAX_BYTES}
local function sized(n)
  return type(n) == 'number' and n >= 0 and n <= SIZE_MAX and n == math.floor(n)
end
-- never trusts a size or count past what a node writes (a hostile or
-- corrupt meta is nil: every loop over its chunks stays bounded)
local function decode(raw)
  if not raw then return nil end
  local ok, m = pcall(cjson.decode, raw)
  if not (ok and type(m) == 'table' and type(m.bodyFile) == 'string'
    and sized(m.bodySize)) then return nil end
  if m.partial ~= nil and m.partial ~= cjson.null then
    local ps = type(m.partial) == 'table' and m.partial.pieces
    if type(ps) ~= 'table' or #ps > ${MAX_PIECES} then return nil end
    local total = 0
    for _, p in ipairs(ps) do
      if type(p) ~= 'table' or type(p.file) ~= 'string'
        or type(p.start) ~= 'number' or type(p['end']) ~= 'number'
        or not sized(p['end'] - p.start + 1) then return nil end
      total = total + p['end'] - p.start + 1
    end
    if total > SIZE_MAX then return nil end
  end
  return m
end
local function files(m)
  local out = {}
  if type(m.partial) == 'table' and type(m.partial.pieces) == 'table' then
    for _, p in ipairs(m.partial.pieces) do
      out[#out + 1] = {p.file, p['end'] - p.start + 1}
    end
  else
    out[1] = {m.bodyFile, m.bodySize}
  end
  return out
end
local function chunkKeys(prefix, f)
  local keys = {}
  if f[2] > INLINE then
    for i = 0, math.min(math.ceil(f[2] / CHUNK), ${MAX_CHUNKS}) - 1 do
      keys[#keys + 1] = prefix .. f[1] .. ':' .. i
    end
  end
  return keys
end
local function drop(h, prefix, f)
  redis.call('HDEL', h, 'b:' .. f[1])
  for _, k in ipairs(chunkKeys(prefix, f)) do redis.call('DEL', k) end
end
-- a replaced version: its inline field goes, its chunks stay a while for
-- the readers open on them (never longer than they would have)
local function retire(h, prefix, f)
  redis.call('HDEL', h, 'b:' .. f[1])
  for _, k in ipairs(chunkKeys(prefix, f)) do
    redis.call('PEXPIRE', k, ${OLD_CHUNKS_KEEP_MS}, 'LT')
  end
end
local function variantFields(h)
  local out = {}
  for _, name in ipairs(redis.call('HKEYS', h)) do
    if string.sub(name, 1, 2) == 'v:' then out[#out + 1] = name end
  end
  return out
end
local function expireAt(k, keepUntil)
  if type(keepUntil) == 'number' then
    redis.call('PEXPIREAT', k, string.format('%.0f', keepUntil))
  else
    redis.call('PERSIST', k)
  end
end
local function expire(h, prefix)
  local latest = 0
  local forever = false
  local fields = variantFields(h)
  for _, name in ipairs(fields) do
    local m = decode(redis.call('HGET', h, name))
    if m then
      local ku = m.keepUntil
      if type(ku) ~= 'number' then forever = true
      elseif ku > latest then latest = ku end
      for _, f in ipairs(files(m)) do
        for _, k in ipairs(chunkKeys(prefix, f)) do expireAt(k, ku) end
      end
    end
  end
  if #fields == 0 then
    for _, name in ipairs(redis.call('HKEYS', h)) do
      if string.sub(name, 1, 2) == 'b:' then redis.call('HDEL', h, name) end
    end
    redis.call('PEXPIRE', h, ${EMPTY_KEEP_MS})
  elseif forever then redis.call('PERSIST', h)
  else expireAt(h, latest) end
end
`;

/**
 * KEYS: hash, purge log (PURGE_EPOCH). ARGV: chunk prefix, key, variant
 * field, meta JSON, expected "<purge generation>|<purge epoch>" (each ""
 * for none; the generation led by "+" when the hash existed then, refused
 * when it no longer does: a purge mark evicted with it cannot be told
 * from none; refused when a purge of the key, or by a prefix of its target
 * URI, or of all ran since the write read them; also when the log no
 * longer tells), expected current body file ("*": any,
 * "": none), inline body field ("" for none), inline bytes, more files
 * the slot no longer needs ("name\\tsize" lines), deadline (ms since
 * the epoch on the real clock, "" for none: past it, by Redis's TIME, the
 * caller has stopped waiting for the reply and nothing is done, so that a
 * commit whose reply timed out never lands later). Returns {status, old
 * body file, old body size}: status 1 stored, 0 purged since, -1 the
 * slot changed (compare-and-set failed), -2 too late (the deadline
 * passed), -3 a part the new meta names is missing (a chunk evicted or
 * expired, an inline field gone) or the meta is not one the store
 * writes: nothing is stored, the older entry stays.
 */
export const COMMIT = COMMON + `
local h = KEYS[1]
if ARGV[10] ~= '' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if now > tonumber(ARGV[10]) then return {-2, '', -1} end
end
local g = redis.call('HGET', h, 'g')
if not g then g = '' end
local seenG, seenEpoch = string.match(ARGV[5], '^(.*)|(.*)$')
local seenHash = string.sub(seenG, 1, 1) == '+'
if seenHash then seenG = string.sub(seenG, 2) end
if g ~= seenG then return {0, '', -1} end
-- the hash the write saw is gone (evicted, expired): its purge mark may
-- have gone with it, so the write may predate a purge (refused)
if seenHash and redis.call('EXISTS', h) == 0 then return {0, '', -1} end
local epoch = redis.call('HGET', KEYS[2], 'n')
if not epoch then epoch = '' end
if epoch ~= seenEpoch then
  local from = tonumber(seenEpoch) or 0
  local to = tonumber(epoch)
  if not to or to < from then return {0, '', -1} end
  local uri = ARGV[2]
  local via = string.find(uri, ' via ', 1, true)
  if via then uri = string.sub(uri, 1, via - 1) end
  for e = from + 1, to do
    local p = redis.call('HGET', KEYS[2], 'p:' .. e)
    if not p or string.sub(uri, 1, #p) == p then return {0, '', -1} end
  end
end
local oldMeta = decode(redis.call('HGET', h, ARGV[3]))
local oldFile = ''
if oldMeta then oldFile = oldMeta.bodyFile end
if ARGV[6] ~= '*' and ARGV[6] ~= oldFile then return {-1, oldFile, -1} end
local new = decode(ARGV[4])
if not new then return {-3, oldFile, -1} end
local named = {}
for _, f in ipairs(files(new)) do
  named[f[1]] = true
  if f[2] > INLINE then
    local keys = chunkKeys(ARGV[1], f)
    for i = 1, #keys, 512 do
      local last = math.min(i + 511, #keys)
      if redis.call('EXISTS', unpack(keys, i, last)) ~= last - i + 1 then
        return {-3, oldFile, -1}
      end
    end
  elseif ARGV[7] ~= 'b:' .. f[1] and redis.call('HEXISTS', h, 'b:' .. f[1]) == 0 then
    return {-3, oldFile, -1}
  end
end
redis.call('HSET', h, 'k', ARGV[2], ARGV[3], ARGV[4])
if ARGV[7] ~= '' then redis.call('HSET', h, ARGV[7], ARGV[8]) end
local oldSize = -1
if oldMeta then
  oldSize = oldMeta.bodySize
  for _, f in ipairs(files(oldMeta)) do
    if not named[f[1]] then retire(h, ARGV[1], f) end
  end
end
for line in string.gmatch(ARGV[9], '[^\\n]+') do
  local name, size = string.match(line, '^(.*)\\t(%d+)$')
  if name and not named[name] then retire(h, ARGV[1], {name, tonumber(size)}) end
end
expire(h, ARGV[1])
return {1, oldFile, oldSize}
`;

/** How many purges by prefix the purge log remembers (older writes are refused). */
const PURGES_KEPT = 1000;

/**
 * KEYS: purge log (PURGE_EPOCH). ARGV: the prefix of a purge by prefix
 * ("" for a purge of all). Raises the epoch (field `n`) and records the
 * prefix under `p:<epoch>`, forgetting the one PURGES_KEPT before.
 * Returns the new epoch.
 */
export const PURGED = `
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], 'p:' .. n, ARGV[1])
redis.call('HDEL', KEYS[1], 'p:' .. (n - ${PURGES_KEPT}))
return n
`;

/**
 * KEYS: hash. ARGV: chunk prefix, old variant field, expected body file,
 * new variant field, new meta JSON, its body file: the old one, or (a
 * complete entry re-filed under another variant) a new name the body's
 * parts are renamed to, so that the old version is gone. Returns {1,
 * size of an entry it replaced at the new variant or -1, that entry's
 * body file or ""} or {0} when the old version is no longer stored.
 */
export const REKEY = COMMON + `
local h = KEYS[1]
local m = decode(redis.call('HGET', h, ARGV[2]))
if not m or m.bodyFile ~= ARGV[3] then return {0, -1, ''} end
local replaced, replacedFile = -1, ''
if ARGV[4] ~= ARGV[2] then
  local there = decode(redis.call('HGET', h, ARGV[4]))
  if there then
    replaced = there.bodySize
    replacedFile = there.bodyFile
    for _, f in ipairs(files(there)) do
      if f[1] ~= m.bodyFile then drop(h, ARGV[1], f) end
    end
  end
  redis.call('HDEL', h, ARGV[2])
end
if ARGV[6] ~= ARGV[3] then
  local body = redis.call('HGET', h, 'b:' .. ARGV[3])
  if body then
    redis.call('HSET', h, 'b:' .. ARGV[6], body)
    redis.call('HDEL', h, 'b:' .. ARGV[3])
  end
  local f = {ARGV[3], m.bodySize}
  for i, k in ipairs(chunkKeys(ARGV[1], f)) do
    if redis.call('EXISTS', k) == 1 then
      redis.call('COPY', k, ARGV[1] .. ARGV[6] .. ':' .. (i - 1), 'REPLACE')
      redis.call('PEXPIRE', k, ${OLD_CHUNKS_KEEP_MS})
    end
  end
end
redis.call('HSET', h, ARGV[4], ARGV[5])
expire(h, ARGV[1])
return {1, replaced, replacedFile}
`;

/**
 * KEYS: hash. ARGV: chunk prefix, variant field ("" for every variant),
 * expected body file ("*": any), "1" to count a purge (the generation
 * goes up, so writes begun before it are not committed). Returns
 * {variants removed, their body bytes, their body files...}.
 */
export const REMOVE = COMMON + `
local h = KEYS[1]
local fields = {ARGV[2]}
if ARGV[2] == '' then fields = variantFields(h) end
local removed, bytes, gone = 0, 0, {}
for _, name in ipairs(fields) do
  local raw = redis.call('HGET', h, name)
  local m = decode(raw)
  if m and (ARGV[3] == '*' or m.bodyFile == ARGV[3]) then
    for _, f in ipairs(files(m)) do drop(h, ARGV[1], f) end
    redis.call('HDEL', h, name)
    removed = removed + 1
    bytes = bytes + m.bodySize
    gone[#gone + 1] = m.bodyFile
  elseif raw and not m then
    redis.call('HDEL', h, name)
  end
end
if ARGV[4] == '1' then redis.call('HINCRBY', h, 'g', 1) end
if redis.call('EXISTS', h) == 1 then expire(h, ARGV[1]) end
local out = {removed, bytes}
for _, file in ipairs(gone) do out[#out + 1] = file end
return out
`;

/**
 * KEYS: hash. ARGV: variant field ("" to skip the check), the body file
 * it must still name, how many inline fields follow, those fields, then
 * chunk keys. Returns {1 when the variant still names that body file,
 * how many of the chunk keys exist, each inline field's value}.
 */
export const OPEN = `
local h = KEYS[1]
local current = 1
if ARGV[1] ~= '' then
  local raw = redis.call('HGET', h, ARGV[1])
  current = 0
  if raw then
    local ok, m = pcall(cjson.decode, raw)
    if ok and type(m) == 'table' and m.bodyFile == ARGV[2] then current = 1 end
  end
end
local n = tonumber(ARGV[3])
local out = {current, 0}
for i = 1, n do out[#out + 1] = redis.call('HGET', h, ARGV[3 + i]) end
local chunks = {}
for i = 4 + n, #ARGV do chunks[#chunks + 1] = ARGV[i] end
if #chunks > 0 then out[2] = redis.call('EXISTS', unpack(chunks)) end
return out
`;

/** KEYS: hash. Returns the key (field k) and the metadata JSON of every variant, without bodies. */
export const METAS = COMMON + `
local h = KEYS[1]
local out = {redis.call('HGET', h, 'k') or ''}
for _, name in ipairs(variantFields(h)) do
  out[#out + 1] = redis.call('HGET', h, name)
end
return out
`;
