-- Whether the profile's current record or one of its saved versions was written with user id ARGV[1].
-- KEYS: record, versions, version bodies.
local function has(list, uid)
  for u in string.gmatch(list or '', '[^,]+') do
    if u == uid then return true end
  end
  return false
end
if has(redis.call('HGET', KEYS[1], 'uids'), ARGV[1]) then return 1 end
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local m = redis.call('HGET', KEYS[3], 'm:' .. id)
  if m and has(string.match(m, '^%S+ %S+ (.*)$'), ARGV[1]) then return 1 end
end
return 0
