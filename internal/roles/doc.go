// Package roles assembles Vigie's roles — ingest, classify, review and the
// all-in-one dev mode — from a validated config: it opens Kafka and Redis,
// builds the components of ingest/, classify/ and review/, mounts their
// routes and runs them until the context ends, shutting down in order.
//
// It is the composition root and holds no domain logic: a rule about
// comments, verdicts or the queue belongs to the package that owns it.
package roles
