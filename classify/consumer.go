package classify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/metrics"
)

// Fetcher is the consumer-group side of Kafka the consumer needs; kafka-go's
// *kafka.Reader satisfies it. FetchMessage must not commit: offsets move only
// through CommitMessages, after the sinks accepted a batch.
type Fetcher interface {
	FetchMessage(ctx context.Context) (kafka.Message, error)
	CommitMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Writer writes records and returns once they are acknowledged.
type Writer interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Sink receives every classified comment of a batch before its offsets are
// committed. It must be idempotent per (tenant, comment id), because a batch
// is delivered again after a crash or a rebalance.
type Sink interface {
	Admit(ctx context.Context, batch []message.Classified) error
}

// PolicySource returns a tenant's classification policy.
type PolicySource func(ctx context.Context, tenant string) (Policy, error)

// ConsumerConfig wires a Consumer.
type ConsumerConfig struct {
	Fetcher    Fetcher
	Verdicts   Writer // topic comments.verdicts
	DeadLetter Writer // topic comments.dlq
	Classifier Classifier
	Sink       Sink
	// Policies gives each tenant's policy. Default: DefaultPolicy for all.
	Policies PolicySource
	// BatchSize is the most records handled and committed together. Default 500.
	BatchSize int
	// Window is how long to wait for a batch to fill once it has a record.
	// Default 20ms.
	Window time.Duration
	// Workers classify a batch in parallel. Default 16 × GOMAXPROCS: the
	// classifier waits on a Redis round trip for its spam signals, and the
	// extra goroutines keep the cores busy meanwhile (measured with vigie
	// bench: 4 per core left them idle half the time).
	Workers int
	// Grace bounds how long the batch in flight may take to finish after the
	// context is cancelled. Default 15s.
	Grace time.Duration
	// SourceTopic is recorded in dead letters. Default "comments".
	SourceTopic string
	Log         *logrus.Entry
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Consumer is the classify role's loop: fetch a batch, classify it, write
// verdicts and dead letters, admit to the review queue, then commit.
type Consumer struct{ cfg ConsumerConfig }

// NewConsumer checks cfg and fills its defaults.
func NewConsumer(cfg ConsumerConfig) (*Consumer, error) {
	if cfg.Fetcher == nil || cfg.Verdicts == nil || cfg.DeadLetter == nil || cfg.Classifier == nil || cfg.Sink == nil {
		return nil, errors.New("classify: Fetcher, Verdicts, DeadLetter, Classifier and Sink are required")
	}
	if cfg.Policies == nil {
		cfg.Policies = func(context.Context, string) (Policy, error) { return DefaultPolicy(), nil }
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.Window <= 0 {
		cfg.Window = 20 * time.Millisecond
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16 * runtime.GOMAXPROCS(0)
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 15 * time.Second
	}
	if cfg.SourceTopic == "" {
		cfg.SourceTopic = "comments"
	}
	if cfg.Log == nil {
		cfg.Log = logrus.NewEntry(logrus.StandardLogger())
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Consumer{cfg: cfg}, nil
}

// Run consumes until ctx is cancelled. Fetching stops at once; batches
// already fetched into a batch are finished and committed within Grace.
// Records fetched but not in a finished batch are not committed and will be
// delivered again.
//
// Two stages overlap: while one batch is written to Kafka and Redis and
// committed, the next is being classified, so the CPU-bound stage does not
// wait on network round trips. Deliveries stay in fetch order, one at a
// time, so a batch is never committed before the one fetched ahead of it.
func (c *Consumer) Run(ctx context.Context) error {
	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	records := make(chan kafka.Message, c.cfg.BatchSize)
	fetchErr := make(chan error, 1)
	go func() {
		defer close(records)
		backoff := 100 * time.Millisecond
		for {
			m, err := c.cfg.Fetcher.FetchMessage(fetchCtx)
			if err != nil {
				if fetchCtx.Err() != nil {
					return
				}
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
					fetchErr <- fmt.Errorf("fetching message: %w", err)
					return
				}
				// A broker that died or a group coordinator that moved
				// is a passing fault: wait and fetch again rather than
				// restart the process.
				metrics.SinkRetries.WithLabelValues("fetch").Inc()
				c.cfg.Log.WithError(err).Warn("fetching from Kafka failed; retrying")
				select {
				case <-time.After(backoff):
				case <-fetchCtx.Done():
					return
				}
				backoff = min(backoff*2, 5*time.Second)
				continue
			}
			backoff = 100 * time.Millisecond
			metrics.Consumed.Inc()
			select {
			case records <- m:
			case <-fetchCtx.Done():
				return
			}
		}
	}()

	ready := make(chan *prepared, 1)
	delivered := make(chan error, 1)
	go func() {
		var err error
		for p := range ready {
			if err != nil {
				continue // drain: nothing after a failed batch may commit
			}
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Grace)
			err = c.deliver(wctx, ctx, p)
			cancel()
			if err != nil {
				stopFetch()
			}
		}
		delivered <- err
	}()

	err := c.batches(ctx, records, fetchErr, ready)
	close(ready)
	if derr := <-delivered; derr != nil {
		return derr
	}
	return err
}

// batches collects fetched records into batches, classifies each and hands
// it to the delivery stage, until the records stop or ctx is cancelled.
func (c *Consumer) batches(ctx context.Context, records <-chan kafka.Message, fetchErr <-chan error, ready chan<- *prepared) error {
	for {
		batch := make([]kafka.Message, 0, c.cfg.BatchSize)
		select {
		case m, ok := <-records:
			if !ok {
				select {
				case err := <-fetchErr:
					return err
				default:
					return nil
				}
			}
			batch = append(batch, m)
		case <-ctx.Done():
			return nil
		}
		timer := time.NewTimer(c.cfg.Window)
	fill:
		for len(batch) < c.cfg.BatchSize {
			select {
			case m, ok := <-records:
				if !ok {
					break fill
				}
				batch = append(batch, m)
			case <-timer.C:
				break fill
			}
		}
		timer.Stop()
		// A batch fetched before cancellation is still classified and
		// delivered, so its offsets are committed rather than redelivered.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Grace)
		p, err := c.prepare(wctx, ctx, batch)
		cancel()
		if err != nil {
			return err
		}
		ready <- p
	}
}

// prepared is a classified batch waiting to be written and committed.
type prepared struct {
	batch    []kafka.Message
	items    []message.Classified
	verdicts []kafka.Message
	dead     []kafka.Message
}

// Process handles one batch: decode, classify, write verdicts and dead
// letters, admit to the review queue, commit. Sink failures are retried with
// backoff until stop is cancelled; then Process returns without committing,
// so the batch is delivered again.
func (c *Consumer) Process(ctx, stop context.Context, batch []kafka.Message) error {
	p, err := c.prepare(ctx, stop, batch)
	if err != nil {
		return err
	}
	return c.deliver(ctx, stop, p)
}

// prepare decodes and classifies a batch: the CPU-bound stage.
func (c *Consumer) prepare(ctx, stop context.Context, batch []kafka.Message) (*prepared, error) {
	start := time.Now()
	p := &prepared{batch: batch, items: make([]message.Classified, 0, len(batch))}
	for _, m := range batch {
		cm, err := message.DecodeComment(m.Value)
		if err != nil {
			p.dead = append(p.dead, c.deadLetter(m, err))
			continue
		}
		if cm.ReceivedAt.IsZero() {
			cm.ReceivedAt = m.Time
		}
		p.items = append(p.items, message.Classified{Comment: cm})
	}
	metrics.StageDuration.WithLabelValues("decode").Observe(time.Since(start).Seconds())

	t := time.Now()
	if err := c.retry(ctx, stop, "classify", func(ctx context.Context) error { return c.classifyAll(ctx, p.items) }); err != nil {
		return nil, err
	}
	metrics.StageDuration.WithLabelValues("classify").Observe(time.Since(t).Seconds())

	p.verdicts = make([]kafka.Message, len(p.items))
	for i, it := range p.items {
		b, err := json.Marshal(it.Verdict)
		if err != nil {
			return nil, fmt.Errorf("encoding verdict: %w", err)
		}
		p.verdicts[i] = kafka.Message{Key: []byte(it.Comment.Key()), Value: b}
		metrics.Classified.WithLabelValues(string(it.Verdict.Action), it.Verdict.Language.Code).Inc()
		for _, l := range it.Verdict.Labels {
			metrics.Labels.WithLabelValues(l).Inc()
		}
	}
	return p, nil
}

// deliver writes a prepared batch's dead letters, verdicts and queue items —
// the three at once, since each is idempotent or tolerates repeats — and
// then commits its offsets: the I/O-bound stage.
func (c *Consumer) deliver(ctx, stop context.Context, p *prepared) error {
	sinks := []struct {
		name string
		do   func(context.Context) error
	}{
		{"dlq", func(ctx context.Context) error {
			if len(p.dead) == 0 {
				return nil
			}
			return c.cfg.DeadLetter.WriteMessages(ctx, p.dead...)
		}},
		{"verdicts", func(ctx context.Context) error {
			if len(p.verdicts) == 0 {
				return nil
			}
			return c.cfg.Verdicts.WriteMessages(ctx, p.verdicts...)
		}},
		{"queue", func(ctx context.Context) error {
			if len(p.items) == 0 {
				return nil
			}
			return c.cfg.Sink.Admit(ctx, p.items)
		}},
	}
	errs := make([]error, len(sinks))
	var wg sync.WaitGroup
	for i, s := range sinks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			errs[i] = c.retry(ctx, stop, s.name, s.do)
			metrics.StageDuration.WithLabelValues(s.name).Observe(time.Since(t).Seconds())
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	t := time.Now()
	if err := c.retry(ctx, stop, "commit", func(ctx context.Context) error { return c.cfg.Fetcher.CommitMessages(ctx, p.batch...) }); err != nil {
		return err
	}
	metrics.StageDuration.WithLabelValues("commit").Observe(time.Since(t).Seconds())
	metrics.DeadLetters.Add(float64(len(p.dead)))
	return nil
}

// retry runs do until it succeeds. Once stop is cancelled a failure ends the
// attempts: the batch stays uncommitted and comes back after restart.
func (c *Consumer) retry(ctx, stop context.Context, name string, do func(context.Context) error) error {
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := do(ctx)
		if err == nil {
			return nil
		}
		metrics.SinkRetries.WithLabelValues(name).Inc()
		c.cfg.Log.WithError(err).WithFields(logrus.Fields{"sink": name, "attempt": attempt}).Warn("writing batch results failed; retrying")
		if stop.Err() != nil || ctx.Err() != nil {
			return fmt.Errorf("%s: giving up at shutdown, batch left uncommitted: %w", name, err)
		}
		select {
		case <-time.After(backoff):
		case <-stop.Done():
			return fmt.Errorf("%s: giving up at shutdown, batch left uncommitted: %w", name, err)
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (c *Consumer) deadLetter(m kafka.Message, cause error) kafka.Message {
	c.cfg.Log.WithFields(logrus.Fields{"partition": m.Partition, "offset": m.Offset}).WithError(cause).Warn("record sent to the dead-letter topic")
	dl := message.DeadLetter{
		V: message.Version, Original: m.Value, Key: m.Key, Error: cause.Error(),
		Topic: c.cfg.SourceTopic, Partition: m.Partition, Offset: m.Offset, FailedAt: c.cfg.Now().UTC(),
	}
	if m.Topic != "" {
		dl.Topic = m.Topic
	}
	b, _ := json.Marshal(dl) // a struct of plain fields always encodes
	return kafka.Message{Key: m.Key, Value: b}
}

// classifyAll fills in each item's verdict, classifying in parallel. A
// comment that already carries a verdict from the synchronous check keeps it,
// so nothing is classified twice.
func (c *Consumer) classifyAll(ctx context.Context, items []message.Classified) error {
	policies := map[string]Policy{}
	for _, it := range items {
		t := it.Comment.Tenant
		if _, ok := policies[t]; ok {
			continue
		}
		p, err := c.cfg.Policies(ctx, t)
		if err != nil {
			return fmt.Errorf("reading policy of tenant %s: %w", t, err)
		}
		policies[t] = p
	}
	var (
		wg       sync.WaitGroup
		next     = make(chan int)
		firstErr error
		mu       sync.Mutex
	)
	for w := 0; w < min(c.cfg.Workers, len(items)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				cm := items[i].Comment
				if cm.Verdict != nil && cm.Verdict.CommentID == cm.ID && cm.Verdict.Tenant == cm.Tenant {
					items[i].Verdict = *cm.Verdict
					continue
				}
				v, err := c.cfg.Classifier.Classify(ctx, cm, policies[cm.Tenant])
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("classifying comment: %w", err)
					}
					mu.Unlock()
					continue
				}
				items[i].Verdict = v
			}
		}()
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
	return firstErr
}
