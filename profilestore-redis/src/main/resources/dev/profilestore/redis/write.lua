-- Compare-and-set write of one or more profiles, all or nothing.
-- KEYS: six per profile, in RedisKeys order: record, sequence, versions, version bodies, indexed, slot floor.
-- ARGV[1]: 'check' (fail with code 2 if an index entry is not yet published) or 'mark' (the caller
--          has published the index entries; record them as published).
-- ARGV[2]: versions kept per key (0 keeps none).
-- ARGV[3..]: four per profile: expected revision ('0' = none), payload, versioning ('N', 'S', 'P') followed
--            by the cause a snapshot is recorded with (SaveCause's name; may be empty), user ids joined by ','.
-- Returns {0, rev, payload, created, updated, ...} on a conflict (one quadruple per profile, '' for no
-- record), {2} when index entries must be published first, {1, now, rev, rev, ...} when written.
local mode = ARGV[1]
local retention = tonumber(ARGV[2])
local K = 6
local n = #KEYS / K

local function entries(uids)
  local e = {'k'}
  for u in string.gmatch(uids, '[^,]+') do e[#e + 1] = 'u:' .. u end
  return e
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
  local ix = KEYS[i * K + 5]
  local e = entries(ARGV[6 + i * 4])
  if mode == 'mark' then
    for _, m in ipairs(e) do redis.call('SADD', ix, m) end
  else
    for _, m in ipairs(e) do
      if redis.call('SISMEMBER', ix, m) == 0 then return {2} end
    end
  end
end

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nowS = string.format('%d', now)

-- Keeps a version. A preserved one (pin: the value a PRESERVE_PREVIOUS write replaced) is flagged 'x:<id>' in the
-- bodies hash and never dropped by retention, also when retention is 0: the engine reports it as kept. 'pins'
-- counts the flags, so the usual case (none) prunes by rank without looking at each version. 'c:<id>' is the
-- cause the version was kept for; an existing version keeps its own.
local function keep(vz, vh, id, payload, created, updated, uids, pin, cause)
  if redis.call('ZSCORE', vz, id) then
    if pin and redis.call('HSETNX', vh, 'x:' .. id, '1') == 1 then redis.call('HINCRBY', vh, 'pins', 1) end
    return
  end
  if retention <= 0 and not pin then return end
  redis.call('ZADD', vz, nowS, id)
  redis.call('HSET', vh, 'p:' .. id, payload, 'm:' .. id, created .. ' ' .. updated .. ' ' .. uids, 'c:' .. id, cause)
  if pin then
    redis.call('HSET', vh, 'x:' .. id, '1')
    redis.call('HINCRBY', vh, 'pins', 1)
  end
  local pins = tonumber(redis.call('HGET', vh, 'pins') or '0')
  local excess = redis.call('ZCARD', vz) - pins - retention
  if excess <= 0 then return end
  if pins == 0 then
    for _, old in ipairs(redis.call('ZRANGE', vz, 0, excess - 1)) do
      redis.call('HDEL', vh, 'p:' .. old, 'm:' .. old, 'c:' .. old)
    end
    redis.call('ZREMRANGEBYRANK', vz, 0, excess - 1)
    return
  end
  for _, old in ipairs(redis.call('ZRANGE', vz, 0, -1)) do
    if excess <= 0 then break end
    if redis.call('HEXISTS', vh, 'x:' .. old) == 0 then
      redis.call('HDEL', vh, 'p:' .. old, 'm:' .. old, 'c:' .. old)
      redis.call('ZREM', vz, old)
      excess = excess - 1
    end
  end
end

local out = {1, nowS}
for i = 0, n - 1 do
  local rec, seq, vz, vh, fl = KEYS[i * K + 1], KEYS[i * K + 2], KEYS[i * K + 3], KEYS[i * K + 4], KEYS[i * K + 6]
  local payload, uids = ARGV[4 + i * 4], ARGV[6 + i * 4]
  local versioning, cause = string.sub(ARGV[5 + i * 4], 1, 1), string.sub(ARGV[5 + i * 4], 2)
  -- Revisions strictly increase for a key: above its sequence, which remove keeps, and above the slot's floor,
  -- which purge raises to the purged key's last revision before erasing its sequence. The jump to the server's
  -- clock in microseconds keeps them above revisions issued before the floor existed (older library versions).
  local rev = tonumber(redis.call('GET', seq) or '0') + 1
  local floor = tonumber(redis.call('GET', fl) or '0') + 1
  if floor > rev then rev = floor end
  if now > rev then rev = now end
  local revS = string.format('%d', rev)
  local cur = redis.call('HMGET', rec, 'rev', 'payload', 'created', 'updated', 'uids')
  if versioning == 'P' and cur[1] then keep(vz, vh, cur[1], cur[2], cur[3], cur[4], cur[5] or '', true, 'REPLACED') end
  local created = cur[3] or nowS
  redis.call('HSET', rec, 'rev', revS, 'payload', payload, 'created', created, 'updated', nowS, 'uids', uids)
  redis.call('SET', seq, revS)
  if versioning == 'S' then keep(vz, vh, revS, payload, created, nowS, uids, false, cause) end
  out[#out + 1] = revS
end
return out
