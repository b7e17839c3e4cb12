package classify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/logging"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

// keywordClassifier flags comments containing "spam"; the consumer tests are
// about delivery, not about classification quality.
type keywordClassifier struct{}

func (keywordClassifier) Classify(_ context.Context, c *message.Comment, p classify.Policy) (message.Verdict, error) {
	v := message.Verdict{V: 1, Tenant: c.Tenant, CommentID: c.ID, Labels: []string{}, Matches: []message.Match{}, Ruleset: "test"}
	if strings.Contains(c.Text, "spam") {
		v.Scores.Spam = 1
		v.Labels = []string{"spam"}
	}
	v.Action = p.Action(v.Scores)
	return v, nil
}

// setSink records admitted comment ids like an idempotent queue would, and
// can be told to fail.
type setSink struct {
	mu      sync.Mutex
	seen    map[string]int
	failing atomic.Bool
	calls   atomic.Int64
}

func (s *setSink) Admit(_ context.Context, batch []message.Classified) error {
	s.calls.Add(1)
	if s.failing.Load() {
		return errors.New("queue unavailable")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range batch {
		s.seen[c.Comment.ID]++
	}
	return nil
}

func (s *setSink) ids() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.seen {
		out[k] = v
	}
	return out
}

type bundle struct {
	brokers []string
	topics  kafkaio.Topics
	group   string
	sink    *setSink
}

func setup(t *testing.T) *bundle {
	t.Helper()
	brokers := testenv.KafkaBrokers(t)
	return &bundle{brokers: brokers, topics: testenv.Topics(t, brokers, 3), group: testenv.Name("g"), sink: &setSink{seen: map[string]int{}}}
}

// start runs a consumer until the returned stop function is called.
func (b *bundle) start(t *testing.T, grace time.Duration) (stop func() error) {
	t.Helper()
	reader := kafkaio.NewReader(kafkaio.ReaderConfig{Brokers: b.brokers, Topic: b.topics.Comments, GroupID: b.group}, nil)
	verdicts := kafkaio.NewWriter(b.brokers, b.topics.Verdicts, kafkaio.WriterConfig{}, nil)
	dlq := kafkaio.NewWriter(b.brokers, b.topics.DLQ, kafkaio.WriterConfig{}, nil)
	c, err := classify.NewConsumer(classify.ConsumerConfig{
		Fetcher: reader, Verdicts: verdicts, DeadLetter: dlq, Classifier: keywordClassifier{}, Sink: b.sink,
		BatchSize: 20, Grace: grace, SourceTopic: b.topics.Comments, Log: logging.Discard(),
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			result = <-done
			_ = reader.Close()
			_ = verdicts.Close()
			_ = dlq.Close()
		})
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func (b *bundle) produce(t *testing.T, values ...[]byte) {
	t.Helper()
	w := kafkaio.NewWriter(b.brokers, b.topics.Comments, kafkaio.WriterConfig{}, nil)
	defer w.Close()
	msgs := make([]kafka.Message, len(values))
	for i, v := range values {
		msgs[i] = kafka.Message{Key: []byte(fmt.Sprintf("k%d", i%7)), Value: v}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, w.WriteMessages(ctx, msgs...))
}

func comment(id, text string) []byte {
	b, _ := json.Marshal(message.Comment{
		V: 1, ID: id, Tenant: "acme", ThreadID: "t", Author: message.Author{ID: "a-" + id},
		Text: text, CreatedAt: time.Now().UTC(),
	})
	return b
}

func TestEveryCommentGetsOneVerdict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const n = 100
	var values [][]byte
	for i := range n {
		text := "un avis parfaitement banal"
		if i%4 == 0 {
			text = "buy spam now"
		}
		values = append(values, comment(fmt.Sprintf("c%03d", i), text))
	}
	b.produce(t, values...)
	stop := b.start(t, 10*time.Second)
	testenv.Eventually(t, 60*time.Second, func() bool { return len(b.sink.ids()) == n }, "the sink saw %d of %d comments", len(b.sink.ids()), n)
	require.NoError(t, stop())
	require.EqualValues(t, n, testenv.Count(t, b.brokers, b.topics.Verdicts), "one verdict per comment")
	got := testenv.ReadAll(t, b.brokers, b.topics.Verdicts, n, 30*time.Second)
	flagged := 0
	for _, m := range got {
		var v message.Verdict
		require.NoError(t, json.Unmarshal(m.Value, &v))
		if v.Action != message.ActionAllow {
			flagged++
		}
		require.Equal(t, "acme/a-"+v.CommentID, string(m.Key), "verdicts keep the comment's key")
	}
	require.Equal(t, n/4, flagged)
	require.EqualValues(t, 0, testenv.Count(t, b.brokers, b.topics.DLQ))
}

func TestPoisonRecordsGoToDLQAndConsumerGoesOn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	poison := [][]byte{
		[]byte("not json at all"),
		[]byte(`{"v":1,"id":"x"}`),
		{0xff, 0xfe, 0x00},
		[]byte(`{"v":9,"id":"x","tenant":"acme","thread_id":"t","author":{"id":"a"},"text":"hi","created_at":"2026-01-01T00:00:00Z"}`),
	}
	b.produce(t, append(poison, comment("good-1", "bonjour"))...)
	stop := b.start(t, 10*time.Second)
	testenv.Eventually(t, 60*time.Second, func() bool { return b.sink.ids()["good-1"] == 1 }, "the good comment after the poison ones was not classified")
	// The records sit on three partitions, so the good comment may be
	// handled before some poison ones: wait for all of them too.
	testenv.Eventually(t, 60*time.Second, func() bool { return testenv.Count(t, b.brokers, b.topics.DLQ) >= int64(len(poison)) },
		"not every poison record reached the DLQ")
	require.NoError(t, stop())
	dead := testenv.ReadAll(t, b.brokers, b.topics.DLQ, len(poison), 30*time.Second)
	require.Len(t, dead, len(poison))
	originals := map[string]bool{}
	for _, m := range dead {
		var dl message.DeadLetter
		require.NoError(t, json.Unmarshal(m.Value, &dl))
		require.NotEmpty(t, dl.Error)
		require.Equal(t, b.topics.Comments, dl.Topic)
		originals[string(dl.Original)] = true
	}
	for _, p := range poison {
		require.True(t, originals[string(p)], "the DLQ keeps the original bytes of %q", p)
	}
}

// TestUncommittedBatchIsRedelivered stops the consumer while its sink is
// failing, so the batch is never committed, and checks a new consumer in the
// same group gets every comment again.
func TestUncommittedBatchIsRedelivered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.sink.failing.Store(true)
	var values [][]byte
	for i := range 30 {
		values = append(values, comment(fmt.Sprintf("r%02d", i), "spam spam"))
	}
	b.produce(t, values...)
	stop := b.start(t, 200*time.Millisecond)
	testenv.Eventually(t, 60*time.Second, func() bool { return b.sink.calls.Load() >= 2 }, "the consumer never reached the sink")
	err := stop()
	require.Error(t, err, "a batch that could not be written is reported at shutdown")
	require.Empty(t, b.sink.ids())

	b.sink.failing.Store(false)
	stop = b.start(t, 10*time.Second)
	testenv.Eventually(t, 60*time.Second, func() bool { return len(b.sink.ids()) == 30 }, "after restart the sink saw %d of 30", len(b.sink.ids()))
	require.NoError(t, stop())
}

// flakyFetcher fails its first calls as a dead broker would, then hands out
// one record and blocks.
type flakyFetcher struct {
	failures  atomic.Int64
	record    kafka.Message
	delivered atomic.Bool
	committed atomic.Int64
}

func (f *flakyFetcher) FetchMessage(ctx context.Context) (kafka.Message, error) {
	if f.failures.Add(-1) >= 0 {
		return kafka.Message{}, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}
	if f.delivered.CompareAndSwap(false, true) {
		return f.record, nil
	}
	<-ctx.Done()
	return kafka.Message{}, ctx.Err()
}

func (f *flakyFetcher) CommitMessages(_ context.Context, msgs ...kafka.Message) error {
	f.committed.Add(int64(len(msgs)))
	return nil
}

type nopWriter struct{}

func (nopWriter) WriteMessages(context.Context, ...kafka.Message) error { return nil }

// TestFetchErrorsAreRetried keeps the consumer running through a broker
// outage instead of exiting.
func TestFetchErrorsAreRetried(t *testing.T) {
	t.Parallel()
	f := &flakyFetcher{record: kafka.Message{Value: comment("after-outage", "bonjour")}}
	f.failures.Store(3)
	sink := &setSink{seen: map[string]int{}}
	c, err := classify.NewConsumer(classify.ConsumerConfig{
		Fetcher: f, Verdicts: nopWriter{}, DeadLetter: nopWriter{}, Classifier: keywordClassifier{}, Sink: sink,
		Window: time.Millisecond, Log: logging.Discard(),
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	testenv.Eventually(t, 10*time.Second, func() bool { return f.committed.Load() == 1 }, "the record after the outage was not committed")
	cancel()
	require.NoError(t, <-done)
	require.Equal(t, 1, sink.ids()["after-outage"])
}
