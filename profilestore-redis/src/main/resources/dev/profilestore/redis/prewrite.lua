-- Phase 1 of a trade across Cluster slots (ClusterCommit), for one profile that is not the trade's primary: checks
-- the expected revision and that no other trade holds the profile, reserves the new revision, and stores the write
-- as an intent. The record itself is not changed: readers keep seeing the committed one (common.lua comes first).
-- KEYS: the profile's seven keys, in RedisKeys order.
-- ARGV[1]: trade id, ARGV[2]: commit record key, ARGV[3]: participants, ARGV[4]: the intent's lifetime in µs,
-- ARGV[5]: expected revision ('0' = none), ARGV[6]: payload, ARGV[7]: versioning and cause (as write.lua),
-- ARGV[8]: user ids joined by ','.
-- Returns {1, rev, now, deadline, pub} when stored (pub '1' when an index entry is not yet marked published: the
-- coordinator publishes it before the commit point), {0, rev, payload, created, updated} on a revision conflict
-- ('' for no record), {3} when another trade's intent is there (nothing was written).
if redis.call('EXISTS', KEYS[7]) == 1 then return {3} end
local cur = redis.call('HMGET', KEYS[1], 'rev', 'payload', 'created', 'updated')
if (cur[1] or '0') ~= ARGV[5] then return {0, cur[1] or '', cur[2] or '', cur[3] or '', cur[4] or ''} end
local now = server_now()
local nowS = string.format('%d', now)
local revS = next_revision(KEYS[2], KEYS[6], now)
-- Reserved now, so the revision reported before the roll forward is the one it writes; an abort burns it.
redis.call('SET', KEYS[2], revS)
local pub = marked(0, ARGV[8]) and '0' or '1'
local deadline = string.format('%d', now + tonumber(ARGV[4]))
redis.call('HSET', KEYS[7], 'txn', ARGV[1], 'ck', ARGV[2], 'parts', ARGV[3], 'dl', deadline, 'rev', revS,
  'p', ARGV[6], 'v', ARGV[7], 'u', ARGV[8], 't', nowS, 'pub', pub)
return {1, revS, nowS, deadline, pub}
