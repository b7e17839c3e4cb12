package ingest

import "github.com/redis/go-redis/v9"

// Lua scripts of the ingest role. Each one runs atomically, so two replicas
// answering the same comment id, or spending the same key's tokens, never
// both win. Times are the caller's clock in milliseconds, passed in ARGV, so
// tests can drive them.

// reserveScript reserves a comment id before its comment is written to
// Kafka, or reports what an earlier request already recorded for it.
//
// KEYS[1] seen key.
// ARGV[1] SHA-256 (hex) of the text, [2] reservation token, [3] reservation
// TTL ms, [4] "1" when the comment is an edit.
//
// Result: {"reserved"} the caller owns the id until it records or releases
// it (or the reservation expires); {"done", kind, verdict} the same text was
// already recorded by endpoint kind ("check" or "submit") with this verdict
// JSON ("" for "submit"); {"conflict"} a different text was recorded and the
// comment is not marked as an edit; {"busy"} another request holds the
// reservation. Asking again with the token that holds the reservation
// answers {"reserved"}, so a pipeline may be run twice. An edit of a
// recorded comment keeps the recorded fields as prev_* so releasing the
// reservation restores them.
var reserveScript = redis.NewScript(`
local h = redis.call('HMGET', KEYS[1], 'state', 'hash', 'kind', 'verdict', 'token')
local state, hash = h[1], h[2]
if state == 'pending' and h[5] == ARGV[2] then return {'reserved'} end
if not state then
  redis.call('HSET', KEYS[1], 'state', 'pending', 'hash', ARGV[1], 'token', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'reserved'}
end
if state == 'pending' then return {'busy'} end
if hash == ARGV[1] then return {'done', h[3] or '', h[4] or ''} end
if ARGV[4] ~= '1' then return {'conflict'} end
redis.call('HSET', KEYS[1], 'state', 'pending', 'hash', ARGV[1], 'token', ARGV[2],
  'prev_hash', hash, 'prev_kind', h[3] or '', 'prev_verdict', h[4] or '')
redis.call('HDEL', KEYS[1], 'kind', 'verdict')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {'reserved'}
`)

// recordScript records what a reserved submission became once Kafka
// acknowledged it.
//
// KEYS[1] seen key.
// ARGV[1] reservation token, [2] kind ("check" or "submit"), [3] verdict
// JSON or "", [4] idempotency TTL ms.
//
// Result: 1 recorded; 0 the reservation was no longer the caller's (it
// expired and another request took the id), nothing changed.
var recordScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done', 'kind', ARGV[2], 'verdict', ARGV[3])
redis.call('HDEL', KEYS[1], 'token', 'prev_hash', 'prev_kind', 'prev_verdict')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`)

// releaseScript gives up a reservation after the write failed, so a retry
// can go through at once: it deletes the entry, or, for an edit, restores
// what was recorded before.
//
// KEYS[1] seen key.
// ARGV[1] reservation token, [2] idempotency TTL ms.
//
// Result: 1 released; 0 the reservation was not the caller's.
var releaseScript = redis.NewScript(`
local h = redis.call('HMGET', KEYS[1], 'token', 'prev_hash', 'prev_kind', 'prev_verdict')
if h[1] ~= ARGV[1] then return 0 end
if not h[2] then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('HSET', KEYS[1], 'state', 'done', 'hash', h[2], 'kind', h[3], 'verdict', h[4])
redis.call('HDEL', KEYS[1], 'token', 'prev_hash', 'prev_kind', 'prev_verdict')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

// rateLimitScript takes tokens from a key's token bucket.
//
// KEYS[1] bucket (rateLimitKey), [2] the API key's record (apiKeyKey), whose
// fields rate and burst, when set and positive, override the defaults.
// ARGV[1] now ms, [2] default rate (tokens per second), [3] default burst,
// [4] tokens this request costs.
//
// Result: {allowed 1/0, tokens left (floor), ms until the request would be
// allowed (0 when allowed), burst}.
var rateLimitScript = redis.NewScript(`
local now, cost = tonumber(ARGV[1]), tonumber(ARGV[4])
local o = redis.call('HMGET', KEYS[2], 'rate', 'burst')
local rate, burst = tonumber(o[1] or '0') or 0, tonumber(o[2] or '0') or 0
if rate <= 0 then rate = tonumber(ARGV[2]) end
if burst <= 0 then burst = tonumber(ARGV[3]) end
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(b[1]), tonumber(b[2])
if not tokens or not ts then tokens, ts = burst, now end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
  ts = now
end
local allowed, wait = 0, 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, math.floor(tokens), wait, burst}
`)
