// Package loadtest is `vigie loadtest`: an open-loop HTTP load generator for
// the publisher API that sends the benchmark comment mix at a fixed rate and
// reports latency percentiles measured from each request's scheduled send
// time, so a slow server cannot hide its queueing (no coordinated omission).
// It is how the synchronous check's budget (p99 ≤ 10 ms at 500 requests/s)
// is measured.
//
// It only sends HTTP requests; it must not reach into Kafka, Redis or the
// roles it measures.
package loadtest
