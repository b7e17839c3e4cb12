// Package message holds the wire contracts that travel between Vigie's roles:
// the Comment a publisher submits, the Verdict the classifier emits, the
// Decision a moderator takes and the DeadLetter a poison record becomes.
//
// These types are the JSON documents described in DESIGN.md ("Contracts"):
// snake_case fields versioned by "v", unknown fields ignored, missing required
// fields reported as errors. The package owns encoding and validation only; it
// must not know about Kafka, Redis or HTTP.
package message
