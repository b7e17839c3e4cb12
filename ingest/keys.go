package ingest

// Redis key layout of the ingest role. Every key ingest uses is built here
// and nowhere else. All keys start with "vigie:{tenant}:", the Redis Cluster
// hash tag that keeps one tenant's keys in one slot. The second segment
// names the owner or the kind of key ("ingest:", "apikey", "ratelimit:",
// "coral:") so nothing here can collide with the review queue's keys
// (review/keys.go: item:, queue:, idx:, author:, token:, idem:, …).
// Identifiers that come from publishers (comment ids, bucket names) are
// always the last segment.

// keyPrefix is the prefix of every key of tenant.
func keyPrefix(tenant string) string { return "vigie:{" + tenant + "}:" }

// seenKey is the HASH that makes a submission idempotent: the state of the
// comment id ("pending" while a request holds the reservation, "done" once
// Kafka acknowledged it), the SHA-256 of its text, the reservation token,
// which endpoint recorded it and, for /v1/check, the verdict JSON. A pending
// entry expires after the reservation TTL, a done one after the
// idempotency TTL.
func seenKey(tenant, commentID string) string { return keyPrefix(tenant) + "ingest:seen:" + commentID }

// apiKeysKey is the SET of the ids of the tenant's publisher API keys, for
// listing.
func apiKeysKey(tenant string) string { return keyPrefix(tenant) + "apikeys" }

// apiKeyKey is the HASH of one publisher API key, found by its id (the first
// 16 hex digits of the key's SHA-256): the full SHA-256 (hex), name,
// created_at, expires_at (unix ms, 0 for never), rate and burst (0 for the
// defaults). The key itself is never stored.
func apiKeyKey(tenant, id string) string { return keyPrefix(tenant) + "apikey:" + id }

// rateLimitKey is the HASH token bucket of one API key (fields tokens, ts in
// unix ms), shared by every ingest replica. It expires once a full bucket
// would have refilled.
func rateLimitKey(tenant, bucket string) string { return keyPrefix(tenant) + "ratelimit:" + bucket }

// coralSecretsKey is the HASH of the tenant's Coral Talk signing secrets,
// secret id (first 16 hex digits of its SHA-256) → secret. Secrets are kept
// in clear because verifying an HMAC needs them.
func coralSecretsKey(tenant string) string { return keyPrefix(tenant) + "coral:secrets" }

// feedbackKey is the STREAM of the spam/ham reports publishers send through
// the Akismet adapter (submit-spam, submit-ham), capped in length: fields
// comment_id, kind ("spam" or "ham"), key id.
func feedbackKey(tenant string) string { return keyPrefix(tenant) + "ingest:feedback" }
