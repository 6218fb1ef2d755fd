-- Pins a saved version: flags it 'x:<id>' in the bodies hash like the value a PRESERVE_PREVIOUS write replaced,
-- so retention never drops it, and counts the flag in 'pins' as write.lua does. Pinning twice counts once.
-- KEYS[1]: the versions sorted set, KEYS[2]: the bodies hash. ARGV[1]: the version id.
-- Returns 1 when the version exists (now pinned), 0 when there is no such version.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 0
end
if redis.call('HSETNX', KEYS[2], 'x:' .. ARGV[1], '1') == 1 then
  redis.call('HINCRBY', KEYS[2], 'pins', 1)
end
return 1
