-- Erases a profile: record, revision sequence, versions and index bookkeeping.
-- KEYS: the seven profile keys (RedisKeys order). Returns the index entries that were published for it, or {'!'}
-- (no entry looks like that) when a trade's intent holds the profile: the caller resolves it and tries again.
-- The slot's revision floor (KEYS[6], which names no profile) is raised to the key's last revision first, so a
-- later write of the key still gets a greater revision although its own sequence is erased.
if redis.call('EXISTS', KEYS[7]) == 1 then return {'!'} end
local published = redis.call('SMEMBERS', KEYS[5])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if last > tonumber(redis.call('GET', KEYS[6]) or '0') then
  redis.call('SET', KEYS[6], string.format('%d', last))
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return published
