-- Deletes a profile's current record if it is still at the expected revision (a compare-and-set, so a removal
-- that lands after its caller gave up cannot delete a later write). Versions, the revision sequence and the
-- index bookkeeping stay, as with a plain remove: the next write of the key continues the sequence.
-- KEYS[1]: the record, KEYS[2]: the profile's intent key. ARGV[1]: the expected revision.
-- Returns 1 when deleted, 0 otherwise, 3 when a trade's intent holds the profile (the caller resolves it first).
if redis.call('EXISTS', KEYS[2]) == 1 then return 3 end
if redis.call('HGET', KEYS[1], 'rev') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
