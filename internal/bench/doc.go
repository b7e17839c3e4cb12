// Package bench is the pipeline benchmark behind `vigie bench` and `make
// bench`: it pushes a generated mix of comments through real Kafka, the
// classify consumer and the Redis review queue, and, in the same run, through
// a pass-through consumer→producer with the same client, so the two figures
// can be compared as a ratio on a noisy machine. It owns measurement only and
// cleans up the topics and keys it creates.
package bench
