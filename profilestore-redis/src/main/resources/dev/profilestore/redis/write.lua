-- Compare-and-set write of one or more profiles, all or nothing (common.lua comes first).
-- KEYS: seven per profile, in RedisKeys order.
-- ARGV[1]: 'check' (fail with code 2 if an index entry is not yet published) or 'mark' (the caller
--          has published the index entries; record them as published).
-- ARGV[2]: versions kept per key (0 keeps none).
-- ARGV[3..]: four per profile: expected revision ('0' = none), payload, versioning ('N', 'S', 'P') followed
--            by the cause a snapshot is recorded with (SaveCause's name; may be empty), user ids joined by ','.
-- Returns {0, rev, payload, created, updated, ...} on a conflict (one quadruple per profile, '' for no
-- record), {2} when index entries must be published first, {3, i} when profile i (from 0) holds the intent of a
-- trade across Cluster slots (the caller resolves it and tries again; nothing was written), {1, now, rev, rev, ...}
-- when written.
local mode = ARGV[1]
local retention = tonumber(ARGV[2])
local n = #KEYS / K

for i = 0, n - 1 do
  if redis.call('EXISTS', KEYS[i * K + 7]) == 1 then return {3, i} end
end

local conflict = false
for i = 0, n - 1 do
  local cur = redis.call('HGET', KEYS[i * K + 1], 'rev')
  if (cur or '0') ~= ARGV[3 + i * 4] then conflict = true end
end
if conflict then
  local out = {0}
  for i = 0, n - 1 do
    local f = redis.call('HMGET', KEYS[i * K + 1], 'rev', 'payload', 'created', 'updated')
    for j = 1, 4 do out[#out + 1] = f[j] or '' end
  end
  return out
end

for i = 0, n - 1 do
  if mode == 'mark' then
    mark(i * K, ARGV[6 + i * 4])
  elseif not marked(i * K, ARGV[6 + i * 4]) then
    return {2}
  end
end

local now = server_now()
local nowS = string.format('%d', now)
local out = {1, nowS}
for i = 0, n - 1 do
  local revS = next_revision(KEYS[i * K + 2], KEYS[i * K + 6], now)
  local v = ARGV[5 + i * 4]
  put(i * K, revS, ARGV[4 + i * 4], ARGV[6 + i * 4], string.sub(v, 1, 1), string.sub(v, 2), nowS, retention)
  out[#out + 1] = revS
end
return out
