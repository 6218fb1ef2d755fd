-- Functions shared by the scripts that write a record (write.lua, commit.lua, apply.lua): LuaScript puts this text
-- in front of theirs. A profile has seven keys, in RedisKeys order: record, sequence, versions, version bodies,
-- indexed, slot floor, intent.
local K = 7

local function server_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- Revisions strictly increase for a key: above its sequence, which remove keeps, and above the slot's floor, which
-- purge raises to the purged key's last revision before erasing its sequence. The jump to the server's clock in
-- microseconds keeps them above revisions issued before the floor existed (older library versions).
local function next_revision(seq, fl, now)
  local rev = tonumber(redis.call('GET', seq) or '0') + 1
  local floor = tonumber(redis.call('GET', fl) or '0') + 1
  if floor > rev then rev = floor end
  if now > rev then rev = now end
  return string.format('%d', rev)
end

-- The index entries a record with these user ids (joined by ',') needs: 'k' and 'u:<id>'.
local function entries(uids)
  local e = {'k'}
  for u in string.gmatch(uids, '[^,]+') do e[#e + 1] = 'u:' .. u end
  return e
end

-- Keeps a version. A preserved one (pin: the value a PRESERVE_PREVIOUS write replaced) is flagged 'x:<id>' in the
-- bodies hash and never dropped by retention, also when retention is 0: the engine reports it as kept. 'pins'
-- counts the flags, so the usual case (none) prunes by rank without looking at each version. 'c:<id>' is the
-- cause the version was kept for; an existing version keeps its own.
local function keep(vz, vh, id, payload, created, updated, uids, pin, cause, retention, savedAt)
  if redis.call('ZSCORE', vz, id) then
    if pin and redis.call('HSETNX', vh, 'x:' .. id, '1') == 1 then redis.call('HINCRBY', vh, 'pins', 1) end
    return
  end
  if retention <= 0 and not pin then return end
  redis.call('ZADD', vz, savedAt, id)
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

-- Replaces the record of the profile whose keys start at KEYS[b + 1] with revision revS, written at nowS (µs).
-- versioning: 'N' keep nothing, 'S' keep the new record as a version (with cause), 'P' preserve the replaced one.
local function put(b, revS, payload, uids, versioning, cause, nowS, retention)
  local rec, seq, vz, vh = KEYS[b + 1], KEYS[b + 2], KEYS[b + 3], KEYS[b + 4]
  local cur = redis.call('HMGET', rec, 'rev', 'payload', 'created', 'updated', 'uids')
  if versioning == 'P' and cur[1] then
    keep(vz, vh, cur[1], cur[2], cur[3], cur[4], cur[5] or '', true, 'REPLACED', retention, nowS)
  end
  local created = cur[3] or nowS
  redis.call('HSET', rec, 'rev', revS, 'payload', payload, 'created', created, 'updated', nowS, 'uids', uids)
  if tonumber(redis.call('GET', seq) or '0') < tonumber(revS) then redis.call('SET', seq, revS) end
  if versioning == 'S' then keep(vz, vh, revS, payload, created, nowS, uids, false, cause, retention, nowS) end
end

-- Marks the index entries of a record with these user ids as published in the profile's 'ix' set (KEYS[b + 5]).
local function mark(b, uids)
  for _, m in ipairs(entries(uids)) do redis.call('SADD', KEYS[b + 5], m) end
end

-- Whether every index entry of a record with these user ids is marked published.
local function marked(b, uids)
  for _, m in ipairs(entries(uids)) do
    if redis.call('SISMEMBER', KEYS[b + 5], m) == 0 then return false end
  end
  return true
end
