-- Compare-and-set write of one or more profiles, all or nothing.
-- KEYS: five per profile, in RedisKeys order: record, sequence, versions, version bodies, indexed.
-- ARGV[1]: 'check' (fail with code 2 if an index entry is not yet published) or 'mark' (the caller
--          has published the index entries; record them as published).
-- ARGV[2]: versions kept per key (0 keeps none).
-- ARGV[3..]: four per profile: expected revision ('0' = none), payload, versioning ('N', 'S', 'P'),
--            user ids joined by ','.
-- Returns {0, rev, payload, created, updated, ...} on a conflict (one quadruple per profile, '' for no
-- record), {2} when index entries must be published first, {1, now, rev, rev, ...} when written.
local mode = ARGV[1]
local retention = tonumber(ARGV[2])
local n = #KEYS / 5

local function entries(uids)
  local e = {'k'}
  for u in string.gmatch(uids, '[^,]+') do e[#e + 1] = 'u:' .. u end
  return e
end

local conflict = false
for i = 0, n - 1 do
  local cur = redis.call('HGET', KEYS[i * 5 + 1], 'rev')
  if (cur or '0') ~= ARGV[3 + i * 4] then conflict = true end
end
if conflict then
  local out = {0}
  for i = 0, n - 1 do
    local f = redis.call('HMGET', KEYS[i * 5 + 1], 'rev', 'payload', 'created', 'updated')
    for j = 1, 4 do out[#out + 1] = f[j] or '' end
  end
  return out
end

for i = 0, n - 1 do
  local ix = KEYS[i * 5 + 5]
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

local function keep(vz, vh, id, payload, created, updated, uids)
  if retention <= 0 or redis.call('ZSCORE', vz, id) then return end
  redis.call('ZADD', vz, nowS, id)
  redis.call('HSET', vh, 'p:' .. id, payload, 'm:' .. id, created .. ' ' .. updated .. ' ' .. uids)
  local excess = redis.call('ZCARD', vz) - retention
  if excess > 0 then
    for _, old in ipairs(redis.call('ZRANGE', vz, 0, excess - 1)) do
      redis.call('HDEL', vh, 'p:' .. old, 'm:' .. old)
    end
    redis.call('ZREMRANGEBYRANK', vz, 0, excess - 1)
  end
end

local out = {1, nowS}
for i = 0, n - 1 do
  local rec, seq, vz, vh = KEYS[i * 5 + 1], KEYS[i * 5 + 2], KEYS[i * 5 + 3], KEYS[i * 5 + 4]
  local payload, versioning, uids = ARGV[4 + i * 4], ARGV[5 + i * 4], ARGV[6 + i * 4]
  -- Revisions grow by at least one per write and jump to the server's clock in microseconds, so they
  -- never repeat for a key: not after remove (the sequence key stays), and not after purge either
  -- unless the server's clock went back by more than the time since the key's last write.
  local rev = tonumber(redis.call('GET', seq) or '0') + 1
  if now > rev then rev = now end
  local revS = string.format('%d', rev)
  local cur = redis.call('HMGET', rec, 'rev', 'payload', 'created', 'updated', 'uids')
  if versioning == 'P' and cur[1] then keep(vz, vh, cur[1], cur[2], cur[3], cur[4], cur[5] or '') end
  local created = cur[3] or nowS
  redis.call('HSET', rec, 'rev', revS, 'payload', payload, 'created', created, 'updated', nowS, 'uids', uids)
  redis.call('SET', seq, revS)
  if versioning == 'S' then keep(vz, vh, revS, payload, created, nowS, uids) end
  out[#out + 1] = revS
end
return out
