-- headend refresh-token store, one script for every operation so each is atomic.
-- ARGV[1] is the operation, ARGV[2] the key prefix. Times are integer milliseconds since the epoch
-- from the caller's clock. Session key: prefix.."s:"..id (hash: sub, claims, exp, cur, revoked).
-- Token key: prefix.."t:"..sha256 (hash: sid, exp); spent tokens stay until the session ends.
local op = ARGV[1]
local prefix = ARGV[2]

if op == 'create' then
  -- KEYS: session, first token. ARGV[3..8]: id, subject, claims, session exp, token hash, token exp
  redis.call('HSET', KEYS[1], 'sub', ARGV[4], 'claims', ARGV[5], 'exp', ARGV[6], 'cur', ARGV[7],
    'revoked', '0')
  redis.call('PEXPIREAT', KEYS[1], ARGV[6])
  redis.call('HSET', KEYS[2], 'sid', ARGV[3], 'exp', ARGV[8])
  redis.call('PEXPIREAT', KEYS[2], ARGV[6])
  return 'OK'
end

if op == 'rotate' then
  -- KEYS: presented token. ARGV[3..6]: presented hash, new hash, now, new token exp
  local t = redis.call('HMGET', KEYS[1], 'sid', 'exp')
  if not t[1] then return {'UNKNOWN'} end
  local skey = prefix .. 's:' .. t[1]
  local s = redis.call('HMGET', skey, 'sub', 'claims', 'exp', 'cur', 'revoked')
  if not s[1] then return {'UNKNOWN'} end
  local function reply(outcome) return {outcome, t[1], s[1], s[2], s[3]} end
  if s[5] == '1' then return reply('REVOKED') end
  if s[4] ~= ARGV[3] then
    redis.call('HSET', skey, 'revoked', '1')
    return reply('REUSED')
  end
  local now = tonumber(ARGV[5])
  if now >= tonumber(s[3]) or now >= tonumber(t[2]) then return reply('EXPIRED') end
  redis.call('HSET', skey, 'cur', ARGV[4])
  local nkey = prefix .. 't:' .. ARGV[4]
  redis.call('HSET', nkey, 'sid', t[1], 'exp', ARGV[6])
  redis.call('PEXPIREAT', nkey, s[3])
  return reply('ROTATED')
end

if op == 'revoke_token' then
  -- KEYS: token. Returns the session id, or false.
  local sid = redis.call('HGET', KEYS[1], 'sid')
  if not sid then return false end
  local skey = prefix .. 's:' .. sid
  if redis.call('EXISTS', skey) == 1 then redis.call('HSET', skey, 'revoked', '1') end
  return sid
end

if op == 'revoke_session' then
  -- KEYS: session
  if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'revoked', '1') end
  return 'OK'
end

return redis.error_reply('unknown operation ' .. tostring(op))
