// Package classify owns the classify role: the Kafka consumer that reads
// comments, and the classifier that turns each one into a Verdict — text
// normalisation, language detection with lingua-go and the rule engine.
//
// It writes verdicts to Kafka and hands flagged comments to a Sink (the review
// queue); it must not reach into the review queue's Redis keys itself, nor
// serve HTTP beyond its health and metrics endpoints.
package classify
