-- Phase 2 of a trade across Cluster slots (ClusterCommit), the commit point, in the slot of the trade's primary
-- profile: writes the primary's record as write.lua does and creates the commit record {state COMMITTED,
-- participants}, in one atomic step. A reader that finds an intent of the trade expired marks the record ABORTED
-- (status.lua, same slot), so exactly one of the two wins (common.lua comes first).
-- KEYS[1]: the commit record; KEYS[2..8]: the primary's seven keys, in RedisKeys order.
-- ARGV[1]: participants, ARGV[2]: commit by, in µs of this server's clock (the earliest deadline of the intents),
-- ARGV[3]: how long an ABORTED record is kept (ms), ARGV[4]: 'check' or 'mark' (as write.lua), ARGV[5]: versions
-- kept per key, ARGV[6..9]: the primary's expected revision, payload, versioning and cause, user ids.
-- Returns {1, now, rev} when committed; {0, rev, payload, created, updated} on the primary's revision conflict
-- (aborted); {2} when the primary's index entries must be published first, {3} when another trade's intent holds
-- the primary (nothing decided in both cases); {4, state} when the trade was decided before (a reader aborted it);
-- {5} when too late (aborted).
local function abort()
  redis.call('HSET', KEYS[1], 'state', 'ABORTED')
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
local state = redis.call('HGET', KEYS[1], 'state')
if state then return {4, state} end
local now = server_now()
if now > tonumber(ARGV[2]) then
  abort()
  return {5}
end
if redis.call('EXISTS', KEYS[8]) == 1 then return {3} end
local cur = redis.call('HMGET', KEYS[2], 'rev', 'payload', 'created', 'updated')
if (cur[1] or '0') ~= ARGV[6] then
  abort()
  return {0, cur[1] or '', cur[2] or '', cur[3] or '', cur[4] or ''}
end
if ARGV[4] == 'mark' then
  mark(1, ARGV[9])
elseif not marked(1, ARGV[9]) then
  return {2}
end
local nowS = string.format('%d', now)
local revS = next_revision(KEYS[3], KEYS[7], now)
put(1, revS, ARGV[7], ARGV[9], string.sub(ARGV[8], 1, 1), string.sub(ARGV[8], 2), nowS, tonumber(ARGV[5]))
redis.call('HSET', KEYS[1], 'state', 'COMMITTED', 'parts', ARGV[1])
return {1, nowS, revS}
