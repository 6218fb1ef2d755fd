-- Erases a profile: record, revision sequence, versions and index bookkeeping.
-- KEYS: the five profile keys. Returns the index entries that were published for it.
local published = redis.call('SMEMBERS', KEYS[5])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return published
