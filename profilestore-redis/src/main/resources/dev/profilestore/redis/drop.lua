-- Drops the intent of an aborted trade across Cluster slots, if it is still that trade's.
-- KEYS[1]: the profile's intent key. ARGV[1]: the trade id. Returns 1 when dropped, 0 otherwise.
if redis.call('HGET', KEYS[1], 'txn') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
