package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/logging"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/redisio"
	"github.com/vigie-moderation/vigie/review"
)

// Config sets up one benchmark run.
type Config struct {
	Brokers   []string
	RedisAddr string
	// N is how many comments the throughput phases push. Default 100,000.
	N int
	// Partitions of the benchmark topics. Default 6.
	Partitions int
	// Rate is the paced rate of the latency phase, comments/s. Default 1,000.
	Rate int
	// LatencyFor is how long the latency phase lasts. Default 10s.
	LatencyFor time.Duration
	// Languages for the classifier. Default the seven of DESIGN.md.
	Languages []string
}

// Result holds the figures of one run.
type Result struct {
	N                  int
	PassThroughPerSec  float64
	PipelinePerSec     float64
	Flagged            int64
	LatencyRate        int
	LatencyP50, P99    time.Duration
	LatencySamples     int
	PassThroughElapsed time.Duration
	PipelineElapsed    time.Duration
}

// Run executes the benchmark and prints a report to out.
func Run(ctx context.Context, cfg Config, out io.Writer) (Result, error) {
	if cfg.N <= 0 {
		cfg.N = 100000
	}
	if cfg.Partitions <= 0 {
		cfg.Partitions = 6
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 1000
	}
	if cfg.LatencyFor <= 0 {
		cfg.LatencyFor = 10 * time.Second
	}
	if len(cfg.Languages) == 0 {
		cfg.Languages = []string{"fr", "en", "de", "es", "it", "pt", "nl"}
	}
	res := Result{N: cfg.N, LatencyRate: cfg.Rate}
	stamp := time.Now().Format("150405")
	names := []string{"bench-" + stamp + ".pass-in", "bench-" + stamp + ".pass-out", "bench-" + stamp + ".comments", "bench-" + stamp + ".verdicts", "bench-" + stamp + ".dlq"}
	var specs []kafkaio.TopicSpec
	for _, n := range names {
		specs = append(specs, kafkaio.TopicSpec{Name: n, Partitions: cfg.Partitions, ReplicationFactor: 1})
	}
	if err := kafkaio.EnsureTopics(ctx, cfg.Brokers, specs); err != nil {
		return res, err
	}
	defer func() {
		c := &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Timeout: 30 * time.Second}
		_, _ = c.DeleteTopics(context.Background(), &kafka.DeleteTopicsRequest{Topics: names})
	}()
	rdb, err := redisio.Open(ctx, cfg.RedisAddr)
	if err != nil {
		return res, err
	}
	defer rdb.Close()
	tenant := "bench-" + stamp
	defer cleanRedis(rdb, tenant)

	fmt.Fprintf(out, "loading the classifier (%v)…\n", cfg.Languages)
	engine, err := classify.NewEngine(classify.EngineConfig{
		Languages: cfg.Languages, Logger: logging.Discard(), Signals: classify.NewRedisSignals(rdb),
	})
	if err != nil {
		return res, err
	}

	// Phase 1: pass-through consumer→producer, the ceiling of the client.
	gen := NewGenerator(tenant, 1)
	fmt.Fprintf(out, "producing %d comments for the pass-through…\n", cfg.N)
	if err := produce(ctx, cfg.Brokers, names[0], gen, cfg.N); err != nil {
		return res, err
	}
	res.PassThroughElapsed, err = passThrough(ctx, cfg.Brokers, names[0], names[1], cfg.N)
	if err != nil {
		return res, err
	}
	res.PassThroughPerSec = float64(cfg.N) / res.PassThroughElapsed.Seconds()
	fmt.Fprintf(out, "pass-through: %d records in %v = %.0f records/s\n", cfg.N, res.PassThroughElapsed.Round(time.Millisecond), res.PassThroughPerSec)

	// Phase 2: the same backlog through classify → verdicts + Redis.
	gen = NewGenerator(tenant, 1)
	fmt.Fprintf(out, "producing %d comments for the pipeline…\n", cfg.N)
	if err := produce(ctx, cfg.Brokers, names[2], gen, cfg.N); err != nil {
		return res, err
	}
	store := review.NewStore(rdb, review.StoreOptions{})
	counter := &countingWriter{w: kafkaio.NewWriter(cfg.Brokers, names[3], kafkaio.WriterConfig{}, nil)}
	defer counter.w.Close()
	dlq := kafkaio.NewWriter(cfg.Brokers, names[4], kafkaio.WriterConfig{}, nil)
	defer dlq.Close()
	reader := kafkaio.NewReader(kafkaio.ReaderConfig{Brokers: cfg.Brokers, Topic: names[2], GroupID: tenant + "-classify"}, nil)
	consumer, err := classify.NewConsumer(classify.ConsumerConfig{
		Fetcher: reader, Verdicts: counter, DeadLetter: dlq, Classifier: engine, Sink: store,
		Log: logging.Discard(),
	})
	if err != nil {
		return res, err
	}
	cctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- consumer.Run(cctx) }()
	if err := counter.waitFor(ctx, int64(cfg.N), done); err != nil {
		stop()
		return res, err
	}
	res.PipelineElapsed = time.Since(start)
	res.PipelinePerSec = float64(cfg.N) / res.PipelineElapsed.Seconds()
	res.Flagged = counter.flagged.Load()
	fmt.Fprintf(out, "pipeline:     %d comments in %v = %.0f comments/s (%.0f%% of pass-through; %.0f%% flagged)\n",
		cfg.N, res.PipelineElapsed.Round(time.Millisecond), res.PipelinePerSec, 100*res.PipelinePerSec/res.PassThroughPerSec,
		100*float64(res.Flagged)/float64(cfg.N))

	// Phase 3: paced load for end-to-end latency, received_at → verdict acked.
	counter.recordLatency()
	fmt.Fprintf(out, "latency: %d comments/s for %v…\n", cfg.Rate, cfg.LatencyFor)
	if err := pace(ctx, cfg.Brokers, names[2], gen, cfg.Rate, cfg.LatencyFor, &counter.sent); err != nil {
		stop()
		return res, err
	}
	want := int64(cfg.N)
	counter.sent.Range(func(any, any) bool { want++; return true })
	if err := counter.waitFor(ctx, want, done); err != nil {
		stop()
		return res, err
	}
	stop()
	<-done
	_ = reader.Close()
	lat := counter.latencies()
	res.LatencySamples = len(lat)
	if len(lat) > 0 {
		res.LatencyP50 = lat[len(lat)/2]
		res.P99 = lat[len(lat)*99/100]
	}
	fmt.Fprintf(out, "end-to-end latency at %d/s: p50 %v, p99 %v over %d comments\n", cfg.Rate, res.LatencyP50.Round(100*time.Microsecond), res.P99.Round(100*time.Microsecond), len(lat))
	return res, nil
}

// produce writes n generated comments, in concurrent chunks so the broker,
// not the producer loop, sets the pace.
func produce(ctx context.Context, brokers []string, topic string, gen *Generator, n int) error {
	w := kafkaio.NewWriter(brokers, topic, kafkaio.WriterConfig{BatchSize: 1000, BatchTimeout: 5 * time.Millisecond}, nil)
	defer w.Close()
	const chunk = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n/chunk+1)
	sem := make(chan struct{}, 8)
	for sent := 0; sent < n; sent += chunk {
		msgs := make([]kafka.Message, 0, chunk)
		for i := sent; i < min(n, sent+chunk); i++ {
			c := gen.Next(time.Now().UTC())
			b, _ := json.Marshal(c)
			msgs = append(msgs, kafka.Message{Key: []byte(c.Key()), Value: b})
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := w.WriteMessages(ctx, msgs...); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// pace writes rate comments per second for d, each stamped with its send time.
func pace(ctx context.Context, brokers []string, topic string, gen *Generator, rate int, d time.Duration, sent *sync.Map) error {
	w := kafkaio.NewWriter(brokers, topic, kafkaio.WriterConfig{}, nil)
	w.Async = true
	var failed atomic.Value
	w.Completion = func(_ []kafka.Message, err error) {
		if err != nil {
			failed.Store(err)
		}
	}
	defer w.Close()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		due := int(time.Since(start).Seconds() * float64(rate))
		var msgs []kafka.Message
		for ; n < due; n++ {
			c := gen.Next(time.Now().UTC())
			sent.Store(c.ID, c.ReceivedAt)
			b, _ := json.Marshal(c)
			msgs = append(msgs, kafka.Message{Key: []byte(c.Key()), Value: b})
		}
		if len(msgs) > 0 {
			if err := w.WriteMessages(ctx, msgs...); err != nil {
				return err
			}
		}
	}
	if err, ok := failed.Load().(error); ok {
		return err
	}
	return nil
}

// passThrough copies n records from in to out with a consumer group and
// batched commits — the same client and loop shape as the classifier, minus
// the classification and Redis.
func passThrough(ctx context.Context, brokers []string, in, out string, n int) (time.Duration, error) {
	r := kafkaio.NewReader(kafkaio.ReaderConfig{Brokers: brokers, Topic: in, GroupID: in + "-group"}, nil)
	defer r.Close()
	w := &countingWriter{w: kafkaio.NewWriter(brokers, out, kafkaio.WriterConfig{}, nil)}
	defer w.w.Close()
	consumer, err := classify.NewConsumer(classify.ConsumerConfig{
		Fetcher: r, Verdicts: copyWriter{w}, DeadLetter: w, Classifier: nopClassifier{}, Sink: nopSink{},
		Log: logging.Discard(),
	})
	if err != nil {
		return 0, err
	}
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- consumer.Run(cctx) }()
	if err := w.waitFor(ctx, int64(n), done); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

type nopClassifier struct{}

func (nopClassifier) Classify(_ context.Context, c *message.Comment, _ classify.Policy) (message.Verdict, error) {
	return message.Verdict{CommentID: c.ID, Tenant: c.Tenant, Action: message.ActionAllow}, nil
}

type nopSink struct{}

func (nopSink) Admit(context.Context, []message.Classified) error { return nil }

// copyWriter stands in for the verdict writer of the pass-through.
type copyWriter struct{ w *countingWriter }

func (c copyWriter) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	return c.w.WriteMessages(ctx, msgs...)
}

// countingWriter counts acknowledged records and, once asked, the latency of
// each from its comment's received_at.
type countingWriter struct {
	w       *kafka.Writer
	n       atomic.Int64
	flagged atomic.Int64
	mu      sync.Mutex
	record  bool
	lat     []time.Duration
	// sent maps the comment ids of the latency phase to their send time.
	sent sync.Map
}

func (c *countingWriter) recordLatency() {
	c.mu.Lock()
	c.record = true
	c.mu.Unlock()
}

func (c *countingWriter) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	if err := c.w.WriteMessages(ctx, msgs...); err != nil {
		return err
	}
	for _, m := range msgs {
		if !bytes.Contains(m.Value, []byte(`"action":"allow"`)) {
			c.flagged.Add(1)
		}
	}
	now := time.Now()
	c.mu.Lock()
	if c.record {
		for _, m := range msgs {
			var v struct {
				CommentID string `json:"comment_id"`
			}
			_ = json.Unmarshal(m.Value, &v)
			if t, ok := c.sent.Load(v.CommentID); ok {
				c.lat = append(c.lat, now.Sub(t.(time.Time)))
			}
		}
	}
	c.mu.Unlock()
	c.n.Add(int64(len(msgs)))
	return nil
}

func (c *countingWriter) latencies() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.lat)
	slices.Sort(out)
	return out
}

// waitFor waits until n records were acknowledged, the consumer failed, or
// ctx ended.
func (c *countingWriter) waitFor(ctx context.Context, n int64, done <-chan error) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for c.n.Load() < n {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-done:
			if err == nil {
				err = errors.New("consumer stopped early")
			}
			return fmt.Errorf("after %d of %d records: %w", c.n.Load(), n, err)
		case <-tick.C:
		}
	}
	return nil
}

func cleanRedis(rdb *redis.Client, tenant string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, "vigie:{"+tenant+"}:*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 1000 {
			rdb.Unlink(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Unlink(ctx, keys...)
	}
}
