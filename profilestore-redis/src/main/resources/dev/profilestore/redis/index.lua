-- Adds a key to (ARGV[1] = 'add') or removes it from ('rem') the store's key index KEYS[1] and the
-- user-id sets KEYS[2..]. All these keys share the store's hash tag.
local key = ARGV[2]
if ARGV[1] == 'add' then
  redis.call('ZADD', KEYS[1], 0, key)
  for i = 2, #KEYS do redis.call('SADD', KEYS[i], key) end
else
  redis.call('ZREM', KEYS[1], key)
  for i = 2, #KEYS do redis.call('SREM', KEYS[i], key) end
end
return 1
