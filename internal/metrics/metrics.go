package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every Vigie metric plus the Go and process collectors.
var Registry = prometheus.NewRegistry()

func init() {
	Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// stageBuckets cover 50µs to ~3s, the range from one rule pass to a slow
// Kafka round trip.
var stageBuckets = prometheus.ExponentialBuckets(0.00005, 2.5, 13)

var (
	// HTTPRequests counts API requests by route pattern and status code.
	HTTPRequests = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigie_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"}))
	// HTTPDuration observes API latency by route pattern.
	HTTPDuration = register(prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "vigie_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: stageBuckets,
	}, []string{"route"}))
	// CommentsAccepted counts comments ingest wrote to Kafka.
	CommentsAccepted = register(prometheus.NewCounter(prometheus.CounterOpts{
		Name: "vigie_ingest_comments_accepted_total", Help: "Comments acknowledged by Kafka and answered 202.",
	}))
	// CommentsRejected counts comments ingest refused, by reason.
	CommentsRejected = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigie_ingest_comments_rejected_total", Help: "Publisher submissions refused, by reason.",
	}, []string{"reason"}))
	// Consumed counts records the classify role fetched.
	Consumed = register(prometheus.NewCounter(prometheus.CounterOpts{
		Name: "vigie_classify_records_consumed_total", Help: "Records fetched from the comments topic.",
	}))
	// Classified counts verdicts by action and language.
	Classified = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigie_classify_comments_total", Help: "Comments classified, by action and language.",
	}, []string{"action", "language"}))
	// Labels counts verdict labels.
	Labels = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigie_classify_labels_total", Help: "Labels given by the classifier.",
	}, []string{"label"}))
	// DeadLetters counts records sent to the dead-letter topic.
	DeadLetters = register(prometheus.NewCounter(prometheus.CounterOpts{
		Name: "vigie_classify_dead_letters_total", Help: "Records that could not be decoded and went to the DLQ.",
	}))
	// StageDuration observes the time of each pipeline stage per batch.
	StageDuration = register(prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "vigie_classify_stage_duration_seconds", Help: "Time per batch spent in each classify stage.", Buckets: stageBuckets,
	}, []string{"stage"}))
	// SinkRetries counts failed attempts to write a batch's results.
	SinkRetries = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigie_classify_sink_retries_total", Help: "Retries of fetching, classifying, writing verdicts, queue items or offsets.",
	}, []string{"sink"}))
	// Lag is the consumer lag the classify reader reports.
	Lag = register(prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "vigie_classify_consumer_lag", Help: "Records behind the end of the comments topic, as last seen.",
	}))
	// Rebalances counts the consumer-group rebalances the classify reader
	// went through: each one pauses consumption while partitions move.
	Rebalances = register(prometheus.NewCounter(prometheus.CounterOpts{
		Name: "vigie_classify_rebalances_total", Help: "Consumer-group rebalances seen by the classify reader.",
	}))
	// QueueDepth is the number of review-queue items per tenant and queue
	// (pending, escalated, claimed), as the review role last read them.
	QueueDepth = register(prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vigie_review_queue_depth", Help: "Review-queue items by tenant and queue.",
	}, []string{"tenant", "queue"}))
	// QueueOldestAge is the age of the oldest item waiting for a moderator,
	// per tenant.
	QueueOldestAge = register(prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "vigie_review_queue_oldest_age_seconds", Help: "Age of the oldest item waiting for a moderator, by tenant.",
	}, []string{"tenant"}))
	// Decisions counts moderator decisions by kind (approve, reject,
	// escalate, undo).
	Decisions = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigie_review_decisions_total", Help: "Moderator decisions by tenant and decision.",
	}, []string{"tenant", "decision"}))
	// WebhookDeliveries counts webhook delivery attempts by outcome
	// (delivered, failed, dead).
	WebhookDeliveries = register(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vigie_review_webhook_deliveries_total", Help: "Webhook delivery attempts by tenant and outcome.",
	}, []string{"tenant", "outcome"}))
)

func register[C prometheus.Collector](c C) C {
	Registry.MustRegister(c)
	return c
}

// Handler serves the registry in the Prometheus text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry})
}
