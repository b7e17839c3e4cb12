package review

// Redis key layout. Every key of the review queue is built here and nowhere
// else. All keys start with "vigie:{tenant}:": the braces are a Redis Cluster
// hash tag, so one tenant's keys share one slot and the multi-key Lua scripts
// in scripts.go stay legal on a cluster. Identifiers that come from publishers
// (comment ids, author ids, thread ids) and from the classifier (labels, rule
// names) are opaque strings and always form the LAST segment of a key, after a
// fixed segment naming the key's kind, so no id can make two kinds of key
// collide. Items store the keys of the indexes and of the author they belong
// to (fields k_author, k_items, idx), so scripts that start from an item reach
// those keys without rebuilding names; scripts that walk a queue build item
// keys as itemKeyPrefix(tenant) followed by the comment id, the one place a
// key name is completed inside Lua. docs/review.md shows the layout as
// redis-cli displays it.

// keyPrefix is the prefix of every key of tenant.
func keyPrefix(tenant string) string { return "vigie:{" + tenant + "}:" }

// tenantsKey is the SET of tenants that have review data (items, outbox
// entries), which the relay and the recoverer walk. It lives under the
// reserved hash tag "{_}", which no tenant can take ('_' alone is a valid
// tenant name, so Admit and the API refuse the tenant "_").
func tenantsKey() string { return "vigie:{_}:tenants" }

// itemKeyPrefix is the prefix of item keys; scripts append a comment id.
func itemKeyPrefix(tenant string) string { return keyPrefix(tenant) + "item:" }

// itemKey is the HASH of one review item: status, comment and verdict JSON,
// claim (owner, fence, lease_until), decision fields and the keys it is
// indexed under.
func itemKey(tenant, commentID string) string { return itemKeyPrefix(tenant) + commentID }

// queueKey is the ZSET of items waiting in a queue ("pending" or
// "escalated"), scored by priority: enqueue time in milliseconds minus the
// item's band times StoreOptions.BandStep. Lowest score is served first.
func queueKey(tenant, queue string) string { return keyPrefix(tenant) + "queue:" + queue }

// claimsKey is the ZSET of claimed items scored by lease expiry
// (milliseconds), which the recoverer scans.
func claimsKey(tenant string) string { return keyPrefix(tenant) + "claims" }

// waitingKey is the ZSET of undecided items (pending, claimed, escalated)
// scored by enqueue time, which gives the age of the oldest one.
func waitingKey(tenant string) string { return keyPrefix(tenant) + "waiting" }

// labelIndexKey is the ZSET of undecided items carrying label, scored like
// the queues so an intersection keeps queue order.
func labelIndexKey(tenant, label string) string { return keyPrefix(tenant) + "idx:label:" + label }

// langIndexKey is the ZSET of undecided items in language code.
func langIndexKey(tenant, code string) string { return keyPrefix(tenant) + "idx:lang:" + code }

// threadIndexKey is the ZSET of undecided items of one thread.
func threadIndexKey(tenant, threadID string) string {
	return keyPrefix(tenant) + "idx:thread:" + threadID
}

// ruleIndexKey is the ZSET of undecided items a rule fired on.
func ruleIndexKey(tenant, rule string) string { return keyPrefix(tenant) + "idx:rule:" + rule }

// authorIndexKey is the ZSET of undecided items by one author.
func authorIndexKey(tenant, authorID string) string {
	return keyPrefix(tenant) + "idx:author:" + authorID
}

// scoreIndexKey is the ZSET of undecided items scored by their verdict's
// higher score (max of spam and troll), for listings sorted by score.
func scoreIndexKey(tenant string) string { return keyPrefix(tenant) + "scores" }

// indexRegistryKey is the SET of the filter index keys (idx:…) that may hold
// items; GET /v1/queue/facets walks it and drops the empty ones.
func indexRegistryKey(tenant string) string { return keyPrefix(tenant) + "indexes" }

// threadCommentsKey is the LIST of JSON records (ThreadComment) of a
// thread's recent comments, every comment Admit saw and not only flagged
// ones, newest admitted first; capped (StoreOptions.ThreadCap) and expiring
// (StoreOptions.ThreadTTL) after the latest. A comment redelivered or edited
// has several records: readers keep the newest.
func threadCommentsKey(tenant, threadID string) string {
	return keyPrefix(tenant) + "thread:" + threadID
}

// filterTempKey is a short-lived ZSET holding the intersection of a queue and
// its filters while a script reads it; name is random per call.
func filterTempKey(tenant, name string) string { return keyPrefix(tenant) + "tmp:" + name }

// authorKey is the HASH of one author: decision counts, banned and trusted
// flags, the ban reason.
func authorKey(tenant, authorID string) string { return keyPrefix(tenant) + "author:" + authorID }

// authorItemsKey is the ZSET of every item of one author, decided or not,
// scored by admission time: the author's history.
func authorItemsKey(tenant, authorID string) string {
	return keyPrefix(tenant) + "author_items:" + authorID
}

// authorNotesKey is the LIST of moderator notes about one author, newest
// first, JSON each.
func authorNotesKey(tenant, authorID string) string {
	return keyPrefix(tenant) + "author_notes:" + authorID
}

// outboxKey is the STREAM of decisions not yet known to be delivered; the
// relay reads it from the cursors in outboxCursorKey and trims what every
// destination has passed.
func outboxKey(tenant string) string { return keyPrefix(tenant) + "outbox" }

// outboxCursorKey is the HASH of the last outbox entry id each destination
// ("kafka", "webhook") has taken.
func outboxCursorKey(tenant string) string { return keyPrefix(tenant) + "outbox:cursor" }

// outboxLockKey is the STRING lease one relay holds while draining a tenant,
// so two relays never publish the same tenant's outbox at once.
func outboxLockKey(tenant string) string { return keyPrefix(tenant) + "outbox:lock" }

// webhookRetryKey is the ZSET of webhook deliveries that failed, by event id,
// scored by the time of their next attempt (milliseconds).
func webhookRetryKey(tenant string) string { return keyPrefix(tenant) + "webhook:retry" }

// webhookBodyKey is the HASH event id → JSON {attempts, body} of the
// deliveries in webhookRetryKey.
func webhookBodyKey(tenant string) string { return keyPrefix(tenant) + "webhook:body" }

// webhookDeadKey is the STREAM of webhook deliveries that ran out of their
// retry budget, trimmed by age.
func webhookDeadKey(tenant string) string { return keyPrefix(tenant) + "webhook:dead" }

// auditKey is the append-only STREAM of what moderators and Vigie did,
// trimmed by age.
func auditKey(tenant string) string { return keyPrefix(tenant) + "audit" }

// settingsKey is the HASH of the tenant's settings (TenantSettings).
func settingsKey(tenant string) string { return keyPrefix(tenant) + "settings" }

// idempotencyKey is the STRING holding the event id a request with this
// Idempotency-Key recorded; it expires after a day.
func idempotencyKey(tenant, key string) string { return keyPrefix(tenant) + "idem:" + key }

// ruleStatsKey is the HASH of per-rule feedback counters: fields
// "flagged:<rule>", "approved:<rule>", "rejected:<rule>".
func ruleStatsKey(tenant string) string { return keyPrefix(tenant) + "stats:rules" }

// decisionLogKey is the ZSET of recent decision event ids scored by decision
// time (milliseconds), trimmed to a day: decisions per hour.
func decisionLogKey(tenant string) string { return keyPrefix(tenant) + "stats:decisions" }

// statsHistoryKey is the ZSET of queue samples scored by sample time
// (milliseconds), at most one per StoreOptions.StatsStep, members
// "at_ms:pending:claimed:escalated:oldest_age_ms", trimmed to
// StoreOptions.StatsHistory.
func statsHistoryKey(tenant string) string { return keyPrefix(tenant) + "stats:history" }

// eventsChannel is the Pub/Sub channel on which scripts announce queue
// changes ("admitted", "claimed", "decided", "undone", "released") for the
// server-sent events of GET /v1/queue/events.
func eventsChannel(tenant string) string { return keyPrefix(tenant) + "events" }

// moderatorsKey is the SET of moderator logins of the tenant.
func moderatorsKey(tenant string) string { return keyPrefix(tenant) + "moderators" }

// moderatorKey is the HASH of one moderator account: password hash (bcrypt),
// role, disabled flag, created_at.
func moderatorKey(tenant, login string) string { return keyPrefix(tenant) + "moderator:" + login }

// apiTokensKey is the SET of the SHA-256 hashes (hex) of the tenant's API
// tokens, for listing and revoking.
func apiTokensKey(tenant string) string { return keyPrefix(tenant) + "tokens" }

// apiTokenKey is the HASH of one API token, found by the SHA-256 (hex) of the
// token: login, name, created_at. The token itself is never stored.
func apiTokenKey(tenant, hash string) string { return keyPrefix(tenant) + "token:" + hash }

// sessionKey is the HASH of one login session, found by the SHA-256 (hex) of
// the cookie value: login, role, csrf token; it expires with the session.
func sessionKey(tenant, hash string) string { return keyPrefix(tenant) + "session:" + hash }
