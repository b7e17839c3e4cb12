// Package k8s holds Vigie's Kubernetes manifests — a kustomize base per role
// (base/ingest, base/classify, base/review, with base/common shared),
// optional features as components (strimzi, keda, redis, monitoring) and the
// dev and prod overlays — and the tests that keep them deployable.
//
// No Go code ships from here. The tests build every overlay with kustomize's
// own library, decode every object strictly into the Kubernetes API types
// (unknown fields are errors) or, for the Strimzi, KEDA and Prometheus
// Operator resources that have no types in k8s.io/api, into small structs of
// the fields Vigie uses; then they check what an operator relies on: probes,
// requests and limits, non-root read-only containers, disruption budgets,
// network policies, secrets referenced and never embedded, settings that
// `vigie` accepts, the rule file mounted where VIGIE_RULES points, and no
// more classify replicas than partitions of comments. They also check that
// the Dockerfile at the repository root builds what it claims: a static,
// non-root binary from files the build context keeps.
//
// It must not hold application settings of its own: every value a role reads
// is a VIGIE_* variable documented in internal/config.
package k8s
