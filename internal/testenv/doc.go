// Package testenv gives tests the real Kafka broker and redis-server that
// `make test` starts on 127.0.0.1, with per-test topic names and tenants so
// parallel tests never collide. A missing service fails the test with a
// message saying how to start it; only `go test -short` skips such tests, by
// explicit request.
package testenv
