// Package problem writes HTTP errors as RFC 9457 problem documents
// (application/problem+json), the one error format of every Vigie API. It
// owns the body shape and the status-to-title mapping; handlers decide which
// status applies.
package problem
