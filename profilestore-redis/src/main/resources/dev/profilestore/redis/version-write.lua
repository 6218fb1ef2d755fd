-- Adds a saved version carried over from another store (Storage.writeVersion), with its original save time.
-- KEYS: the seven keys of the profile, in RedisKeys order: record, sequence, versions, version bodies, indexed,
--       slot floor, intent.
-- ARGV[1]: payload, ARGV[2]: saved-at in µs (the zset score), ARGV[3]: created µs, ARGV[4]: updated µs,
-- ARGV[5]: user ids joined by ',' (already published to the store's user-id sets by the caller),
-- ARGV[6]: '1' to pin the version, ARGV[7]: the cause it was kept for (SaveCause's name), as write.lua keeps it.
-- The revision is allocated as write.lua allocates one, and becomes the key's last revision, so the key's next
-- write gets a greater one. The record and its revision are not touched; retention is not applied (the next
-- snapshot write applies it). Returns the new version's id, or 0 when a trade's intent holds the profile and
-- has reserved a revision (the caller resolves it and tries again).
if redis.call('EXISTS', KEYS[7]) == 1 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rev = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
local floor = tonumber(redis.call('GET', KEYS[6]) or '0') + 1
if floor > rev then rev = floor end
if now > rev then rev = now end
local id = string.format('%d', rev)
redis.call('SET', KEYS[2], id)
redis.call('ZADD', KEYS[3], ARGV[2], id)
redis.call('HSET', KEYS[4], 'p:' .. id, ARGV[1], 'm:' .. id, ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. ARGV[5], 'c:' .. id,
  ARGV[7])
if ARGV[6] == '1' then
  redis.call('HSET', KEYS[4], 'x:' .. id, '1')
  redis.call('HINCRBY', KEYS[4], 'pins', 1)
end
for u in string.gmatch(ARGV[5], '[^,]+') do redis.call('SADD', KEYS[5], 'u:' .. u) end
return id
