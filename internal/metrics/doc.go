// Package metrics declares Vigie's Prometheus metrics in one registry, so
// every role exposes the same names at /metrics and a dashboard can rely on
// them. It owns metric names, labels and buckets; the roles only observe.
package metrics
