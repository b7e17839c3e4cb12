// Package ingest owns the publisher API of the ingest role: it authenticates
// a publisher key to its tenant, validates submitted comments, and writes them
// to the "comments" topic, answering 202 only after Kafka acknowledged the
// write with acks=all.
//
// It must not classify asynchronously submitted comments, touch the review
// queue's Redis keys, or trust a tenant named in a request body.
package ingest
