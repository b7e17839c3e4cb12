// Package ingest owns the publisher API of the ingest role: it authenticates
// a publisher key to its tenant, rate-limits it, validates submitted
// comments, and writes them to the "comments" topic, answering only after
// Kafka acknowledged the write with acks=all.
//
// Besides asynchronous submission (POST /v1/comments) it serves the
// synchronous check (POST /v1/check): the comment is classified with the
// classify role's engine, answered with its verdict and a nudge for the
// author, and written with the verdict attached so the pipeline does not
// classify it again. Both are idempotent per (tenant, comment id) through a
// ledger in Redis. Two adapters let existing platforms use the same path:
// an Akismet-compatible API (/1.1/…) and a Coral Talk external moderation
// phase (/v1/adapters/coral/{tenant}). The package also owns publisher API
// keys (vk_<tenant>_<random>, stored hashed, several active per tenant),
// their per-key token buckets, the Coral signing secrets, the `vigie admin
// keys|coral` commands (Admin) and the OpenAPI description of all of it
// (openapi.json, OpenAPI).
//
// Every Redis key it uses is built in keys.go and every Lua script lives in
// scripts.go. It must not classify asynchronously submitted comments, touch
// the review queue's Redis keys, write to topics other than "comments", or
// trust a tenant named in a request body. Logs carry tenant and comment id,
// never comment text, keys, secrets or IP addresses.
package ingest
