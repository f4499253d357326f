"""The Lua scripts of a create section on Redis: enter in one round trip, leave in one.

Scripts rather than `MULTI`: taking several locks all-or-none needs a read before the writes, and a
script runs atomically on the server in one round trip. Every script is safe to send twice (the
client retries once on a dropped connection): a lock or pending marker holding our own fence is
ours; a leave finds its locks gone and deletes nothing of anyone else's; a ledger merge matches ids.

Keys (all under the store's prefix): the answer, the pending marker, the locks (`lock:<name>`, the
value a random fence per section), the ledger entry (JSON, as `get` reads it). A section that finds
a lock busy flags it (`<lock>:waiting`); the holder, leaving, pushes one wake-up onto `<lock>:wake`,
which a waiter blocks on (`BLPOP`): a lock passes to the next create in about one round trip, and
an uncontended create writes no wake-up at all.

Each lock taken also leaves a *seen* marker (`seen:<name>`, living twice a lock's timeout): entering
reports whether none of its locks had one (`fresh`), that is, whether no create that could duplicate
this one held any of them lately, so none can be committing in the org now. A duplicate check started
just before entering is then as good as one started after it (`RedisIdempotencyStore` overlaps the
two); otherwise the check runs again inside the section.
"""

from __future__ import annotations

# KEYS: answer, pending, locks... (n), their seen markers... (n)
# ARGV: fence, lock ms, pending ms, has answer key ('1'/'0'), pending value (JSON with the fence), seen ms
# -> {1, cached answer} | {2, busy lock} | {0, pending found (1/0), fresh (1/0)}
ENTER = """
if ARGV[4] == '1' then
  local cached = redis.call('get', KEYS[1])
  if cached then return {1, cached} end
end
local n = (#KEYS - 2) / 2
for i = 3, 2 + n do
  local v = redis.call('get', KEYS[i])
  if v and v ~= ARGV[1] then
    redis.call('set', KEYS[i] .. ':waiting', 1, 'PX', 2000)  -- ask its holder to wake us on leaving
    return {2, KEYS[i]}
  end
end
local fresh = 1
for i = 3, 2 + n do
  local seen = redis.call('get', KEYS[i + n])
  if seen and seen ~= ARGV[1] then fresh = 0 end  -- our own: a first try whose answer was lost
  redis.call('set', KEYS[i], ARGV[1], 'PX', ARGV[2])
  redis.call('set', KEYS[i + n], ARGV[1], 'PX', ARGV[6])
end
local p = redis.call('get', KEYS[2])
if p and p ~= ARGV[5] then return {0, 1, fresh} end
redis.call('set', KEYS[2], ARGV[5], 'PX', ARGV[3])
return {0, 0, fresh}
"""

# Merge ids into the ledger entry under `key` (as `service.tools.sections.merge_records`).
_NOTE = """
local function note(key, object, created, px, max, ids)
  local raw = redis.call('get', key)
  local rows = {}
  if raw then
    local held = cjson.decode(raw)
    if type(held) == 'table' and type(held['records']) == 'table' then rows = held['records'] end
  end
  local known = {}
  for _, row in ipairs(rows) do known[string.sub(tostring(row[2]), 1, 15)] = row end
  for _, rid in ipairs(ids) do
    local row = known[string.sub(rid, 1, 15)]
    if row == nil then
      row = {object, rid, created}
      rows[#rows + 1] = row
      known[string.sub(rid, 1, 15)] = row
    elseif created then
      row[3] = true
    end
  end
  local first = math.max(1, #rows - max + 1)
  local kept = {}
  for i = first, #rows do kept[#kept + 1] = rows[i] end
  redis.call('set', key, cjson.encode({records = kept}), 'PX', px)
end
"""

# KEYS: ledger   ARGV: object, created ('1'/'0'), ledger ms, max, ids (JSON array)
NOTE = (
    _NOTE
    + """
note(KEYS[1], ARGV[1], ARGV[2] == '1', ARGV[3], tonumber(ARGV[4]), cjson.decode(ARGV[5]))
return 1
"""
)

# KEYS: answer, pending, ledger, locks...
# ARGV: fence, finished ('1': store, drop pending, note; '0': release only), answer JSON ('' for none),
#       answer ms, ledger object ('' for none), created, ledger ms, max, ids (JSON array)
# The pending marker is dropped only while no other section holds one of our locks (fencing: a
# section that outlived its locks leaves the next one's marker alone); the answer is the truth either way.
LEAVE = (
    _NOTE
    + """
local ours = true
for i = 4, #KEYS do
  local v = redis.call('get', KEYS[i])
  if v == ARGV[1] then
    redis.call('del', KEYS[i])
    if redis.call('exists', KEYS[i] .. ':waiting') == 1 then  -- one wake-up per release: the next holder
      redis.call('rpush', KEYS[i] .. ':wake', 1)
      redis.call('ltrim', KEYS[i] .. ':wake', -8, -1)
      redis.call('pexpire', KEYS[i] .. ':wake', 1000)
    end
  elseif v then
    ours = false
  end
end
if ARGV[2] == '1' then
  if ARGV[3] ~= '' then redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[4]) end
  if ours then redis.call('del', KEYS[2]) end
  if ARGV[5] ~= '' then note(KEYS[3], ARGV[5], ARGV[6] == '1', ARGV[7], tonumber(ARGV[8]), cjson.decode(ARGV[9])) end
end
return 1
"""
)
