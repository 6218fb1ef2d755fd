-- The outcome of a trade across Cluster slots (ClusterCommit), asked by whoever met one of its intents, in the slot
-- of its commit record. An absent record past the intent's deadline (by this server's clock, the one commit.lua
-- checks) is made ABORTED, so a late commit point can no longer succeed.
-- KEYS[1]: the commit record. ARGV[1]: the deadline of the intent met (µs), ARGV[2]: how long an ABORTED record is
-- kept (ms), ARGV[3]: '1' to abort an undecided trade whatever the time (its own coordinator, after a lost reply).
-- Returns {state, participants}: state 'COMMITTED', 'ABORTED' or 'PENDING' (undecided, before the deadline).
local s = redis.call('HMGET', KEYS[1], 'state', 'parts')
if s[1] then return {s[1], s[2] or ''} end
local t = redis.call('TIME')
if ARGV[3] == '1' or tonumber(t[1]) * 1000000 + tonumber(t[2]) > tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'state', 'ABORTED')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'ABORTED', ''}
end
return {'PENDING', ''}
