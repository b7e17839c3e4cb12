// Package scaleout proves, with real processes, what an operator relies on
// when running Vigie's classify role as a consumer group: that a `vigie
// classify` process stopped with SIGTERM finishes its batch, commits its
// offsets and exits in time, and that two or three processes share the
// partitions of comments on a three-broker Kafka cluster without losing an
// acknowledged comment or queueing one twice while a broker and a process
// die mid-run.
//
// It holds tests only. They build the vigie binary and run it as separate OS
// processes, as Kubernetes would; they never import the classify role's
// internals, only the contracts (message types, topic names, the review
// API). The shutdown test runs in the main suite against the single-node
// services; the cluster test needs the services of `scripts/services.sh
// cluster-up` and runs from `make test-cluster`, which writes the figures
// that docs/scale-out.md reports.
package scaleout
