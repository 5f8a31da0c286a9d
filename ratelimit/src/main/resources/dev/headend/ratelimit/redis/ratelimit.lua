-- headend rate limiting on Redis: one algorithm decision per call, atomically.
-- Time is integer microseconds. Lua numbers are doubles, exact below 2^53; the Java side checks
-- that every product below stays there. The arithmetic mirrors the in-memory rules exactly.
--
-- KEYS[1]  the limiter's state
-- ARGV[1]  algorithm: "frontier" | "counter" | "log"
-- ARGV[2]  permits (>= 0)
-- ARGV[3]  now in microseconds, or "" for this server's clock (TIME)
-- frontier: ARGV[4] greedy (1|0), [5] permits per period (reduced), [6] period µs (reduced),
--           [7] capacity, [8] queue (1|0), [9] idle-reset ms
-- counter, log: ARGV[4] limit, [5] window µs, [6] idle-reset ms
-- Returns { allowed (1|0), remaining, wait µs (-1: never), reset µs }.

local function fdiv(a, b) -- floor(a / b) exactly, b > 0
  local q = math.floor(a / b)
  local r = a - q * b
  if r < 0 then q = q - 1 elseif r >= b then q = q + 1 end
  return q
end
local function fmod(a, b) return a - fdiv(a, b) * b end
local function cdiv(a, b) return -fdiv(-a, b) end
local function int(x) return string.format('%.0f', x) end
local function until_(t, now) if t > now then return t - now end return 0 end

local key = KEYS[1]
local alg = ARGV[1]
local n = tonumber(ARGV[2])
local now
if ARGV[3] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[3])
end

if alg == 'frontier' then
  local greedy = ARGV[4] == '1'
  local r, p, cap = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  local queue = ARGV[8] == '1'
  local ttl = ARGV[9]
  local function index(t)
    if greedy then return fdiv(t, p) * r + fdiv(fmod(t, p) * r, p) end
    return fdiv(t, p) * r
  end
  local function time_of(m)
    if greedy then return fdiv(m, r) * p + cdiv(fmod(m, r) * p, r) end
    return cdiv(m, r) * p
  end
  local slack, allowance = cap, 0
  if queue then slack, allowance = 0, cap end
  local f = index(now)
  local s = tonumber(redis.call('GET', key) or '')
  local start = f - slack
  if s ~= nil and s > start then start = s end
  local after = start + n
  if n > cap or after - f > allowance then
    local wait = -1
    if n <= cap then wait = until_(time_of(after - allowance), now) end
    local rem = f + allowance - start
    if rem < 0 then rem = 0 end
    return { 0, rem, wait, until_(time_of(start + slack), now) }
  end
  redis.call('SET', key, int(after), 'PX', ttl)
  local delay = 0
  if queue then delay = until_(time_of(start), now) end
  return { 1, f + allowance - after, delay, until_(time_of(after + slack), now) }

elseif alg == 'counter' then
  local limit, width, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
  local w = fdiv(now, width)
  local win, elapsed, prev, curr = w, fmod(now, width), 0, 0
  local st = redis.call('GET', key)
  if st then
    local sw, sp, sc = string.match(st, '^(-?%d+) (%d+) (%d+)$')
    sw, sp, sc = tonumber(sw), tonumber(sp), tonumber(sc)
    if sw == w - 1 then prev = sc
    elseif sw == w then prev, curr = sp, sc
    elseif sw > w then win, elapsed, prev, curr = sw, 0, sp, sc end
  end
  local function remaining(pv, cu, e)
    local rem = limit - cu - (pv - fdiv(pv * e, width))
    if rem < 0 then return 0 end
    return rem
  end
  local function reset_at(pv, cu)
    if cu > 0 then return (win + 2) * width end
    if pv > 0 then return (win + 1) * width end
    return now
  end
  local room = limit - curr - n
  if n > limit or room < 0 or prev * (width - elapsed) > room * width then
    local wait = -1
    if n <= limit then
      local t
      if room >= 0 then
        t = win * width + width - fdiv(room * width, prev)
      else
        local nxt, next_room = (win + 1) * width, limit - n
        if curr <= next_room then t = nxt else t = nxt + width - fdiv(next_room * width, curr) end
      end
      wait = until_(t, now)
    end
    return { 0, remaining(prev, curr, elapsed), wait, until_(reset_at(prev, curr), now) }
  end
  if n > 0 then
    redis.call('SET', key, int(win) .. ' ' .. int(prev) .. ' ' .. int(curr + n), 'PX', ttl)
  end
  return { 1, remaining(prev, curr + n, elapsed), 0, until_(reset_at(prev, curr + n), now) }

elseif alg == 'log' then
  -- a list of "time count" entries, oldest first
  local limit, width, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
  local horizon = now - width
  local raw = redis.call('LRANGE', key, 0, -1)
  local times, counts, first, in_window = {}, {}, #raw + 1, 0
  for i, e in ipairs(raw) do
    local t, c = string.match(e, '^(-?%d+) (%d+)$')
    times[i], counts[i] = tonumber(t), tonumber(c)
    if times[i] > horizon then
      if i < first then first = i end
      in_window = in_window + counts[i]
    end
  end
  local last = #raw
  local reset = 0
  if last >= first then reset = until_(times[last] + width, now) end
  if n > limit or in_window + n > limit then
    local wait = -1
    if n <= limit then
      local excess, freed, j = in_window + n - limit, 0, first
      while true do
        freed = freed + counts[j]
        if freed >= excess then break end
        j = j + 1
      end
      wait = until_(times[j] + width, now)
    end
    return { 0, limit - in_window, wait, reset }
  end
  if n == 0 then return { 1, limit - in_window, 0, reset } end
  if first > 1 then redis.call('LTRIM', key, first - 1, -1) end
  local at = now
  if last > 0 and times[last] > at then at = times[last] end
  if last >= first and times[last] == at then
    redis.call('LSET', key, -1, int(at) .. ' ' .. int(counts[last] + n))
  else
    redis.call('RPUSH', key, int(at) .. ' ' .. int(n))
  end
  redis.call('PEXPIRE', key, ttl)
  return { 1, limit - in_window - n, 0, until_(at + width, now) }
end
return redis.error_reply('unknown algorithm ' .. tostring(alg))
