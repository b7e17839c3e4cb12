// Package review owns the moderation queue: the Redis model of review items
// (keys and Lua scripts), claims with leases and fencing tokens, moderator
// decisions and their undo, author history, bans, trust and premoderation,
// the per-tenant audit log and settings, moderator accounts and sessions, the
// moderator HTTP API (/v1/queue…, /v1/items…, /v1/authors…, /v1/stats…,
// /v1/audit, /v1/session, /v1/moderators…, /v1/tokens…, /v1/settings) and the
// relay that drains each tenant's decision outbox to Kafka
// ("comments.decisions") and to signed webhooks.
//
// Every Redis key the queue uses is built by one function in keys.go and
// every Lua script lives in scripts.go; the rest of the package reaches Redis
// only through Store. Review must not touch the classifier's rules, the
// publisher API or the Kafka topics other than the decisions topic it
// produces to; it must not mount /healthz, /readyz, /metrics or
// /v1/openapi.json (cmd/vigie does, serving OpenAPI()). Comment text, passwords
// and tokens never reach a log line or the audit log.
package review
