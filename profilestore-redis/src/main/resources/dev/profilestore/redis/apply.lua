-- Phase 3 of a trade across Cluster slots (ClusterCommit), after the commit point: rolls one participant's intent
-- forward (writes the record with the reserved revision as write.lua would) and deletes the intent. Run by the
-- coordinator, or by any reader that met the intent and found the trade committed (common.lua comes first).
-- KEYS: the profile's seven keys, in RedisKeys order. ARGV[1]: trade id, ARGV[2]: versions kept per key.
-- Returns {1, rev, updated, pub, uids} when applied, {0} when the profile holds no intent of that trade (applied
-- already).
local it = redis.call('HMGET', KEYS[7], 'txn', 'rev', 'p', 'v', 'u', 't', 'pub')
if it[1] ~= ARGV[1] then return {0} end
-- The coordinator published the entries before the commit point, while this intent kept purge away.
mark(0, it[5])
put(0, it[2], it[3], it[5], string.sub(it[4], 1, 1), string.sub(it[4], 2), it[6], tonumber(ARGV[2]))
redis.call('DEL', KEYS[7])
return {1, it[2], it[6], it[7], it[5]}
