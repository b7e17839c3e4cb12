package review

import "github.com/redis/go-redis/v9"

// Lua scripts of the review queue. Each one runs atomically, so what must
// change together (an item's status, its queues and indexes, the author's
// counters, the outbox entry and the audit entry of a decision) changes
// together or not at all. Scripts return a table whose first element says
// what happened ("ok", "replay", "notfound", "conflict", "forbidden",
// "precondition", …); store.go turns it into a result or an *Error.
//
// Times: "now" is always the caller's clock in milliseconds, passed in ARGV,
// so tests drive leases with a simulated clock. Stream trimming by age is the
// exception: stream ids carry the Redis server's clock, so scripts that trim
// a stream read the server TIME and subtract a retention passed in ARGV.
//
// Item keys: scripts that start from a queue build item keys as
// ARGV item-prefix .. comment id (itemKeyPrefix). Index, author and history
// keys of an item are stored in the item itself (fields idx, k_author,
// k_items), written by Admit from keys.go; they share the item's hash tag.

// luaPrelude holds the helper functions every script shares.
const luaPrelude = `
local function server_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- audit appends one entry to the audit stream, trimming entries older than
-- retention_ms (server clock).
local function audit(key, retention_ms, fields)
  local minid = server_ms() - tonumber(retention_ms)
  if minid < 0 then minid = 0 end
  redis.call('XADD', key, 'MINID', '~', minid, '*', unpack(fields))
end

-- publish_decision appends a message.Decision (JSON) to the outbox with its
-- Kafka key "tenant/author_id".
local function publish_decision(outbox, tenant, id, author, decision, reason, moderator, decided_at, event_id)
  local d = {v = 1, tenant = tenant, comment_id = id, decision = decision,
    moderator = moderator, decided_at = decided_at, event_id = event_id}
  if reason ~= nil and reason ~= '' then d.reason = reason end
  redis.call('XADD', outbox, '*', 'decision', cjson.encode(d), 'key', tenant .. '/' .. author)
end

-- rule_stats adds delta to the counter prefix..rule of every rule in the
-- JSON array rules_json.
local function rule_stats(key, rules_json, prefix, delta)
  if not rules_json or rules_json == '' then return end
  for _, r in ipairs(cjson.decode(rules_json)) do
    redis.call('HINCRBY', key, prefix .. r, delta)
  end
end

-- leave_waiting removes an item from the age and score ZSETs and its filter
-- indexes.
local function leave_waiting(item, id, waiting, scores)
  redis.call('ZREM', waiting, id)
  redis.call('ZREM', scores, id)
  local idx = redis.call('HGET', item, 'idx')
  if idx then
    for _, k in ipairs(cjson.decode(idx)) do redis.call('ZREM', k, id) end
  end
end

-- index adds an item to the filter indexes in the JSON array idx, scored
-- like the queues, and records those indexes in the registry that
-- GET /v1/queue/facets walks.
local function index(idx, registry, qscore, id)
  local ks = cjson.decode(idx)
  for _, k in ipairs(ks) do redis.call('ZADD', k, qscore, id) end
  if #ks > 0 then redis.call('SADD', registry, unpack(ks)) end
end

-- enter_waiting adds an item to the age and score ZSETs and its filter
-- indexes.
local function enter_waiting(item, id, waiting, scores, registry)
  local f = redis.call('HMGET', item, 'idx', 'qscore', 'enq_at', 'mscore')
  redis.call('ZADD', waiting, f[3], id)
  if f[4] then redis.call('ZADD', scores, f[4], id) end
  if f[1] then index(f[1], registry, f[2], id) end
end

-- event announces a queue change; who is the moderator who made it ('' for
-- none: an admission, an expired lease).
local function event(channel, kind, id, status, who)
  local e = {type = kind, comment_id = id, status = status}
  if who and who ~= '' then e.moderator = who end
  redis.call('PUBLISH', channel, cjson.encode(e))
end

local queue_status = {pending = true, escalated = true}
`

// admitScript admits one classified comment. It runs for every comment of
// the pipeline, most of them allowed and never stored, so the allowed path
// reads two hashes and returns; the item's fields travel as one JSON blob
// that the script decodes only when it stores the item, and that the caller
// leaves out when it knows the comment will not be stored (allowed, no
// premoderation): if the author turns out to be banned, the script answers
// "need_item" and the caller runs it again with the blob.
//
// Every comment, stored or not, also joins its thread's record of recent
// comments (a LIST of small JSON records, newest first), capped and
// expiring, from which moderators see the context of the few comments that
// are flagged.
//
// KEYS[1] item, [2] pending queue, [3] waiting, [4] author, [5] author
// items, [6] outbox, [7] audit, [8] rule stats, [9] decision log, [10] thread
// comments, [11] score index, [12] index registry.
// ARGV[1] comment id, [2] now ms, [3] flagged "1"/"0", [4] edited "1"/"0",
// [5] premoderate_until, [6] the thread record (JSON, "" for none),
// [7] records kept per thread (up to a quarter more between trims),
// [8] thread record lifetime ms, [9] the item blob (JSON, "" when left out):
// {tenant, author, event_id, decided_at, retention_ms, trust_after,
// v_action, qscore, idx (JSON array of index keys), rules (JSON array of rule
// names), channel (events), fields (item field/value pairs)}.
//
// Result: {"queued"} enqueued; {"edited"} a pending item got the edited text;
// {"duplicate"} the item exists and is left as it is (redelivery, or an edit
// of an item no longer pending); {"skipped"} not flagged, nothing stored;
// {"banned", event_id} rejected automatically; {"trusted", event_id}
// approved automatically; {"need_item"} the blob is needed and was left out.
var admitScript = redis.NewScript(luaPrelude + `
local item, id, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
local flagged, edited = ARGV[3] == '1', ARGV[4] == '1'

-- The thread record: one push per comment and a trim once the list is a
-- quarter over the cap, so a busy thread pays the trim once in cap/4
-- comments. Readers keep the latest record of each comment id, so a
-- redelivery adds nothing they show and an edit replaces the text.
if ARGV[6] ~= '' then
  local cap = tonumber(ARGV[7])
  if redis.call('LPUSH', KEYS[10], ARGV[6]) > cap + math.floor(cap / 4) then
    redis.call('LTRIM', KEYS[10], 0, cap - 1)
  end
  redis.call('PEXPIRE', KEYS[10], ARGV[8])
end

local status = redis.call('HGET', item, 'status')
if status then
  if status ~= 'pending' or not edited then return {'duplicate'} end
  if ARGV[9] == '' then return {'need_item'} end
  -- An edit replaces the text and verdict of a pending item, which keeps its
  -- place in the queue.
  local d = cjson.decode(ARGV[9])
  local old = redis.call('HMGET', item, 'idx', 'rules', 'qscore')
  for _, k in ipairs(cjson.decode(old[1])) do redis.call('ZREM', k, id) end
  rule_stats(KEYS[8], old[2], 'flagged:', -1)
  redis.call('HSET', item, unpack(d.fields))
  redis.call('HSET', item, 'idx', d.idx, 'rules', d.rules, 'edited', '1')
  if flagged then redis.call('HSET', item, 'queued_for', 'verdict') end
  index(d.idx, KEYS[12], old[3], id)
  redis.call('ZADD', KEYS[11], redis.call('HGET', item, 'mscore'), id)
  rule_stats(KEYS[8], d.rules, 'flagged:', 1)
  event(d.channel, 'edited', id, 'pending')
  return {'edited'}
end

local a = redis.call('HMGET', KEYS[4], 'banned', 'trusted', 'approved', 'ban_reason')
local banned, trusted = a[1] == '1', a[2] == '1'
local approvals = tonumber(a[3] or '0')
local premod = tonumber(ARGV[5])
local queued_for = 'verdict'
if not flagged and not banned then
  if premod > 0 and approvals < premod and not trusted then
    queued_for = 'premoderation'
  else
    return {'skipped'}
  end
end
if ARGV[9] == '' then return {'need_item'} end
local d = cjson.decode(ARGV[9])

local function create(st, qf)
  redis.call('HSET', item, unpack(d.fields))
  redis.call('HSET', item, 'status', st, 'idx', d.idx, 'rules', d.rules,
    'qscore', d.qscore, 'enq_at', now, 'fence', 0, 'queued_for', qf)
  redis.call('ZADD', KEYS[5], now, id)
end

local function auto(st, decision, reason, counter)
  create(st, 'auto')
  redis.call('HSET', item, 'decision', decision, 'reason', reason, 'moderator', 'vigie:auto',
    'decided_at', d.decided_at, 'decided_ms', now, 'event_id', d.event_id, 'undo_to', 'pending',
    'counted', counter, 'ruled', '0')
  redis.call('HINCRBY', KEYS[4], counter, 1)
  publish_decision(KEYS[6], d.tenant, id, d.author, decision, reason, 'vigie:auto', d.decided_at, d.event_id)
  audit(KEYS[7], d.retention_ms, {'at', d.decided_at, 'actor', 'vigie:auto', 'action', decision,
    'comment_id', id, 'event_id', d.event_id, 'reason', reason, 'verdict_action', d.v_action})
  redis.call('ZADD', KEYS[9], now, d.event_id)
  event(d.channel, 'decided', id, st, 'vigie:auto')
end

if banned then
  local reason = a[4]
  if not reason or reason == '' then reason = 'other' end
  auto('rejected', 'reject', reason, 'auto_rejected')
  return {'banned', d.event_id}
end

local trust_after = tonumber(d.trust_after)
if flagged and d.v_action == 'review' and (trusted or (trust_after > 0 and approvals >= trust_after)) then
  auto('approved', 'approve', 'trusted-author', 'auto_approved')
  return {'trusted', d.event_id}
end

create('pending', queued_for)
redis.call('ZADD', KEYS[2], d.qscore, id)
enter_waiting(item, id, KEYS[3], KEYS[11], KEYS[12])
rule_stats(KEYS[8], d.rules, 'flagged:', 1)
event(d.channel, 'admitted', id, 'pending')
return {'queued'}
`)

// claimScript claims up to a limit of items from a queue, in queue order or
// from a list of candidates, bumping each item's fencing token.
//
// KEYS[1] queue (pending or escalated), [2] claims.
// ARGV[1] item key prefix, [2] now ms, [3] lease ms, [4] limit, [5] owner,
// [6] queue name, [7] events channel, [8…] candidate comment ids (optional;
// without them the head of the queue is taken).
//
// Result: a flat list {id1, token1, id2, token2, …} of the items claimed;
// candidates no longer in the queue are skipped.
var claimScript = redis.NewScript(luaPrelude + `
local now, lease, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local cands = {}
if #ARGV >= 8 then
  for i = 8, #ARGV do cands[#cands + 1] = ARGV[i] end
else
  cands = redis.call('ZRANGE', KEYS[1], 0, limit - 1)
end
local out, n = {}, 0
local expires = now + lease
for _, id in ipairs(cands) do
  if n >= limit then break end
  if redis.call('ZREM', KEYS[1], id) == 1 then
    local item = ARGV[1] .. id
    local fence = redis.call('HINCRBY', item, 'fence', 1)
    redis.call('HSET', item, 'status', 'claimed', 'owner', ARGV[5], 'lease_until', expires,
      'claimed_from', ARGV[6])
    redis.call('ZADD', KEYS[2], expires, id)
    out[#out + 1] = id
    out[#out + 1] = tostring(fence)
    n = n + 1
    event(ARGV[7], 'claimed', id, 'claimed', ARGV[5])
  end
end
return out
`)

// extendScript extends the lease of a claim its owner still holds.
//
// KEYS[1] item, [2] claims.
// ARGV[1] comment id, [2] owner, [3] fencing token, [4] now ms, [5] lease ms.
//
// Result: {"ok", lease_until ms}, {"notfound"} or {"conflict", why}.
var extendScript = redis.NewScript(`
local st = redis.call('HMGET', KEYS[1], 'status', 'owner', 'fence')
if not st[1] then return {'notfound', 'no such item'} end
if st[1] ~= 'claimed' or st[3] ~= ARGV[3] or st[2] ~= ARGV[2] then
  return {'conflict', 'the claim is no longer yours: the token is stale or the item was released'}
end
local expires = tonumber(ARGV[4]) + tonumber(ARGV[5])
redis.call('HSET', KEYS[1], 'lease_until', expires)
redis.call('ZADD', KEYS[2], expires, ARGV[1])
return {'ok', tostring(expires)}
`)

// releaseScript gives a claimed item back to the queue it came from.
//
// KEYS[1] item, [2] claims, [3] pending queue, [4] escalated queue.
// ARGV[1] comment id, [2] owner, [3] fencing token, [4] events channel.
//
// Result: {"ok"}, {"notfound"} or {"conflict", why}.
var releaseScript = redis.NewScript(luaPrelude + `
local st = redis.call('HMGET', KEYS[1], 'status', 'owner', 'fence', 'claimed_from', 'qscore')
if not st[1] then return {'notfound', 'no such item'} end
if st[1] ~= 'claimed' or st[3] ~= ARGV[3] or st[2] ~= ARGV[2] then
  return {'conflict', 'the claim is no longer yours: the token is stale or the item was released'}
end
local q = KEYS[3]
if st[4] == 'escalated' then q = KEYS[4] end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', q, st[5], ARGV[1])
redis.call('HSET', KEYS[1], 'status', st[4])
redis.call('HDEL', KEYS[1], 'owner', 'lease_until', 'claimed_from')
event(ARGV[4], 'released', ARGV[1], st[4], ARGV[2])
return {'ok'}
`)

// recoverScript returns claims whose lease expired to their queue.
//
// KEYS[1] claims, [2] pending queue, [3] escalated queue.
// ARGV[1] item key prefix, [2] now ms, [3] most claims to look at,
// [4] events channel.
//
// Result: the number of items returned to a queue.
var recoverScript = redis.NewScript(luaPrelude + `
local now = tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local n = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local item = ARGV[1] .. id
  local st = redis.call('HMGET', item, 'status', 'lease_until', 'claimed_from', 'qscore')
  if st[1] == 'claimed' and tonumber(st[2]) <= now then
    local q = KEYS[2]
    if st[3] == 'escalated' then q = KEYS[3] end
    redis.call('ZADD', q, st[4], id)
    redis.call('HSET', item, 'status', st[3])
    redis.call('HDEL', item, 'owner', 'lease_until', 'claimed_from')
    event(ARGV[4], 'released', id, st[3])
    n = n + 1
  end
end
return n
`)

// decideScript records one moderator decision (approve, reject, escalate)
// exactly once: status, queues and indexes, author counters, rule feedback,
// outbox entry, audit entry and decision log together.
//
// KEYS[1] item, [2] pending queue, [3] escalated queue, [4] claims,
// [5] waiting, [6] outbox, [7] audit, [8] rule stats, [9] decision log,
// [10] idempotency key, [11] score index.
// ARGV[1] tenant, [2] comment id, [3] decision, [4] reason code,
// [5] moderator, [6] role rank (1 moderator, 2 senior, 3 admin),
// [7] fencing token ("" when none), [8] now ms, [9] decided_at (RFC 3339),
// [10] event id, [11] audit retention ms, [12] idempotency TTL ms ("0": the
// request has no idempotency key), [13] events channel, [14] note.
//
// Result: {"ok", event_id, status}; {"replay", event_id, status} when this
// request (same idempotency key, or same moderator and decision) was already
// recorded; {"notfound"|"conflict"|"forbidden", why}.
var decideScript = redis.NewScript(luaPrelude + `
local item, id, decision, me = KEYS[1], ARGV[2], ARGV[3], ARGV[5]
if ARGV[12] ~= '0' then
  local prior = redis.call('GET', KEYS[10])
  if prior then return {'replay', prior, redis.call('HGET', item, 'status') or ''} end
end
local st = redis.call('HMGET', item, 'status', 'owner', 'fence', 'lease_until', 'claimed_from',
  'moderator', 'event_id', 'author', 'rules', 'k_author', 'decision')
local status = st[1]
if not status then return {'notfound', 'no such item'} end
local target = ({approve = 'approved', reject = 'rejected', escalate = 'escalated'})[decision]
if status == 'approved' or status == 'rejected' or (status == 'escalated' and decision == 'escalate') then
  if status == target and st[6] == me then return {'replay', st[7], status} end
  return {'conflict', 'the item is already ' .. status .. '; undo that decision first'}
end
local now = tonumber(ARGV[8])
local from = status
if status == 'claimed' then
  from = st[5]
  if st[2] ~= me and tonumber(st[4]) > now then
    return {'conflict', 'the item is claimed by another moderator'}
  end
end
if ARGV[7] ~= '' and ARGV[7] ~= st[3] then
  return {'conflict', 'stale fencing token: the item was claimed again since'}
end
if from == 'escalated' and decision == 'escalate' then
  return {'conflict', 'the item is already escalated'}
end
if from == 'escalated' and tonumber(ARGV[6]) < 2 then
  return {'forbidden', 'escalated items are decided by senior moderators'}
end

redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[4], id)
local counter, ruled = target, '0'
if decision == 'escalate' then
  redis.call('ZADD', KEYS[3], redis.call('HGET', item, 'qscore'), id)
else
  leave_waiting(item, id, KEYS[5], KEYS[11])
  rule_stats(KEYS[8], st[9], target .. ':', 1)
  ruled = '1'
end
redis.call('HINCRBY', st[10], counter, 1)
redis.call('HSET', item, 'status', target, 'decision', decision, 'reason', ARGV[4], 'note', ARGV[14],
  'moderator', me, 'decided_at', ARGV[9], 'decided_ms', now, 'event_id', ARGV[10],
  'undo_to', from, 'counted', counter, 'ruled', ruled)
redis.call('HDEL', item, 'owner', 'lease_until', 'claimed_from')
publish_decision(KEYS[6], ARGV[1], id, st[8], decision, ARGV[4], me, ARGV[9], ARGV[10])
audit(KEYS[7], ARGV[11], {'at', ARGV[9], 'actor', me, 'action', decision, 'comment_id', id,
  'event_id', ARGV[10], 'reason', ARGV[4], 'verdict_action', redis.call('HGET', item, 'v_action') or '',
  'ruleset', redis.call('HGET', item, 'v_ruleset') or '', 'rules', st[9] or '[]'})
redis.call('ZADD', KEYS[9], now, ARGV[10])
redis.call('ZREMRANGEBYSCORE', KEYS[9], '-inf', now - 86400000)
if ARGV[12] ~= '0' then redis.call('SET', KEYS[10], ARGV[10], 'PX', ARGV[12]) end
event(ARGV[13], 'decided', id, target, me)
return {'ok', ARGV[10], target}
`)

// undoScript reverses the latest decision on an item with a compensating
// "undo" event: the item goes back to the queue it was decided from and the
// counters the decision moved move back. Nothing is deleted.
//
// KEYS[1] item, [2] pending queue, [3] escalated queue, [4] waiting,
// [5] outbox, [6] audit, [7] rule stats, [8] idempotency key, [9] score
// index, [10] index registry.
// ARGV[1] tenant, [2] comment id, [3] moderator, [4] now ms, [5] decided_at
// (RFC 3339), [6] event id, [7] audit retention ms, [8] undo window ms,
// [9] idempotency TTL ms ("0": none), [10] events channel, [11] the event id
// the caller means to undo ("" for the latest decision).
//
// Result: {"ok", event_id, status}; {"replay", event_id, status};
// {"notfound"|"precondition"|"conflict", why}.
var undoScript = redis.NewScript(luaPrelude + `
local item, id, me = KEYS[1], ARGV[2], ARGV[3]
if ARGV[9] ~= '0' then
  local prior = redis.call('GET', KEYS[8])
  if prior then return {'replay', prior, redis.call('HGET', item, 'status') or ''} end
end
local st = redis.call('HMGET', item, 'status', 'event_id', 'decided_ms', 'undo_to', 'qscore',
  'rules', 'k_author', 'counted', 'ruled', 'author', 'undone_event', 'undo_event')
if not st[1] then return {'notfound', 'no such item'} end
if ARGV[11] ~= '' and ARGV[11] == st[11] then return {'replay', st[12], st[1]} end
if st[1] ~= 'approved' and st[1] ~= 'rejected' and st[1] ~= 'escalated' then
  return {'precondition', 'nothing to undo: the item is ' .. st[1]}
end
if ARGV[11] ~= '' and ARGV[11] ~= st[2] then
  return {'conflict', 'that decision is no longer the latest one on the item'}
end
local now = tonumber(ARGV[4])
if now > tonumber(st[3]) + tonumber(ARGV[8]) then
  return {'precondition', 'the undo window of this decision has closed'}
end
local to = st[4]
redis.call('ZREM', KEYS[3], id)
if st[1] ~= 'escalated' then enter_waiting(item, id, KEYS[4], KEYS[9], KEYS[10]) end
if to == 'escalated' then
  redis.call('ZADD', KEYS[3], st[5], id)
else
  redis.call('ZADD', KEYS[2], st[5], id)
end
if st[8] then redis.call('HINCRBY', st[7], st[8], -1) end
if st[9] == '1' then rule_stats(KEYS[7], st[6], st[1] .. ':', -1) end
redis.call('HSET', item, 'status', to, 'undone_event', st[2], 'undo_event', ARGV[6])
redis.call('HDEL', item, 'decision', 'reason', 'note', 'moderator', 'decided_at', 'decided_ms',
  'event_id', 'undo_to', 'counted', 'ruled')
publish_decision(KEYS[5], ARGV[1], id, st[10], 'undo', st[2], me, ARGV[5], ARGV[6])
audit(KEYS[6], ARGV[7], {'at', ARGV[5], 'actor', me, 'action', 'undo', 'comment_id', id,
  'event_id', ARGV[6], 'undoes', st[2]})
if ARGV[9] ~= '0' then redis.call('SET', KEYS[8], ARGV[6], 'PX', ARGV[9]) end
event(ARGV[10], 'undone', id, to, me)
return {'ok', ARGV[6], to}
`)

// filterScript lists the items of a queue (or of the claims) that are in
// every given set, ordered by the weighted sum of their scores: weight 1 on
// the queue keeps queue order; weight 0 on the queue and 1 on the waiting or
// score ZSET orders by age or by verdict score; filter indexes weigh 0.
//
// KEYS[1] temporary key, [2…] the sets to intersect, the queue first.
// ARGV[1] offset, [2] count, [3] "1" to list the highest sum first, [4…]
// the weight of each set of KEYS[2…], in order.
//
// Result: {total, id1, id2, …}.
var filterScript = redis.NewScript(`
local args = {'ZINTERSTORE', KEYS[1], #KEYS - 1}
for i = 2, #KEYS do args[#args + 1] = KEYS[i] end
args[#args + 1] = 'WEIGHTS'
for i = 4, #ARGV do args[#args + 1] = ARGV[i] end
local total = redis.call(unpack(args))
local off = tonumber(ARGV[1])
local range = 'ZRANGE'
if ARGV[3] == '1' then range = 'ZREVRANGE' end
local ids = redis.call(range, KEYS[1], off, off + tonumber(ARGV[2]) - 1)
redis.call('DEL', KEYS[1])
local out = {total}
for _, id in ipairs(ids) do out[#out + 1] = id end
return out
`)

// facetsScript counts, for each filter index, the items of a queue it
// holds. The indexes hold every undecided item (pending, claimed and
// escalated), so for the pending queue each index's size is corrected by
// the claimed and escalated items it holds, usually few; for the escalated
// queue the escalated items' indexes are counted. Indexes found empty leave
// the registry.
//
// KEYS[1] index registry, [2] claims, [3] escalated queue.
// ARGV[1] item key prefix, [2] queue ("pending" or "escalated").
//
// Result: a flat list {index key, count, …} of the indexes with items.
var facetsScript = redis.NewScript(`
local counts = {}
local function each(set, delta)
  for _, id in ipairs(redis.call('ZRANGE', set, 0, -1)) do
    local idx = redis.call('HGET', ARGV[1] .. id, 'idx')
    if idx then
      for _, k in ipairs(cjson.decode(idx)) do counts[k] = (counts[k] or 0) + delta end
    end
  end
end
if ARGV[2] == 'escalated' then
  each(KEYS[3], 1)
else
  for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    local n = redis.call('ZCARD', k)
    if n == 0 then redis.call('SREM', KEYS[1], k) else counts[k] = n end
  end
  each(KEYS[2], -1)
  each(KEYS[3], -1)
end
local out = {}
for k, n in pairs(counts) do
  if n > 0 then
    out[#out + 1] = k
    out[#out + 1] = n
  end
end
return out
`)

// sampleScript records one sample of a tenant's queue figures in its
// history, at most one per step however many replicas sample, and drops
// samples older than the history keeps.
//
// KEYS[1] history, [2] pending queue, [3] claims, [4] escalated queue,
// [5] waiting.
// ARGV[1] now ms, [2] step ms, [3] history length ms.
//
// Result: 1 when a sample was recorded, 0 when this step had one already.
var sampleScript = redis.NewScript(`
local now, step = tonumber(ARGV[1]), tonumber(ARGV[2])
local from = now - now % step
if redis.call('ZCOUNT', KEYS[1], from, from + step - 1) > 0 then return 0 end
local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
local age = 0
if oldest[2] then age = math.max(0, now - tonumber(oldest[2])) end
redis.call('ZADD', KEYS[1], now, string.format('%d:%d:%d:%d:%d', now,
  redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4]), age))
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[3])))
return 1
`)

// auditScript appends one entry to the audit stream, trimming by age on the
// server's clock like the other scripts.
//
// KEYS[1] audit. ARGV[1] retention ms, [2…] field/value pairs.
//
// Result: the entry id.
var auditScript = redis.NewScript(`
local t = redis.call('TIME')
local minid = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[1])
if minid < 0 then minid = 0 end
local f = {}
for i = 2, #ARGV do f[#f + 1] = ARGV[i] end
return redis.call('XADD', KEYS[1], 'MINID', '~', minid, '*', unpack(f))
`)

// allScripts lists every script so Store can load them before pipelining
// EVALSHA calls.
var allScripts = []*redis.Script{
	admitScript, claimScript, extendScript, releaseScript, recoverScript,
	decideScript, undoScript, filterScript, auditScript, facetsScript, sampleScript,
}
