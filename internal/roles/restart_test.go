package roles_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/logging"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/redisio"
	"github.com/vigie-moderation/vigie/internal/testenv"
	"github.com/vigie-moderation/vigie/review"
)

// crashingSink writes to the real queue and then fails, as a process that
// dies after its Redis writes but before committing its Kafka offsets.
type crashingSink struct {
	store   *review.Store
	crashed atomic.Bool
}

func (s *crashingSink) Admit(ctx context.Context, batch []message.Classified) error {
	if err := s.store.Admit(ctx, batch); err != nil {
		return err
	}
	s.crashed.Store(true)
	return errors.New("process killed before commit")
}

// TestClassifyRestartLosesAndDuplicatesNothing stops the classify consumer
// after it wrote a batch to the queue but before it committed, starts a new
// one in the same group, and checks the queue holds every flagged comment
// exactly once.
func TestClassifyRestartLosesAndDuplicatesNothing(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ctx := context.Background()
	rdb, err := redisio.Open(ctx, p.cfg.RedisAddr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = rdb.Close() })
	store := review.NewStore(rdb, review.StoreOptions{})
	engine, err := classify.NewEngine(classify.EngineConfig{Languages: p.cfg.Languages, Logger: logging.Discard()})
	require.NoError(t, err)

	const n = 60
	w := kafkaio.NewWriter(p.brokers, p.cfg.Topics.Comments, kafkaio.WriterConfig{}, nil)
	var msgs []kafka.Message
	for i := range n {
		c := corpus[i%len(corpus)]
		cm := message.Comment{V: 1, ID: fmt.Sprintf("r%03d", i), Tenant: p.tenant, ThreadID: "t", ThreadLang: "fr",
			Author: message.Author{ID: fmt.Sprintf("a%d", i)}, Text: c.text, CreatedAt: time.Now().UTC()}
		b, _ := json.Marshal(cm)
		msgs = append(msgs, kafka.Message{Key: []byte(cm.Key()), Value: b})
	}
	require.NoError(t, w.WriteMessages(ctx, msgs...))
	require.NoError(t, w.Close())

	run := func(sink classify.Sink, grace time.Duration) (stop func() error) {
		reader := kafkaio.NewReader(kafkaio.ReaderConfig{Brokers: p.brokers, Topic: p.cfg.Topics.Comments, GroupID: p.cfg.ClassifyGroup}, nil)
		verdicts := kafkaio.NewWriter(p.brokers, p.cfg.Topics.Verdicts, kafkaio.WriterConfig{}, nil)
		dlq := kafkaio.NewWriter(p.brokers, p.cfg.Topics.DLQ, kafkaio.WriterConfig{}, nil)
		c, err := classify.NewConsumer(classify.ConsumerConfig{
			Fetcher: reader, Verdicts: verdicts, DeadLetter: dlq, Classifier: engine, Sink: sink,
			BatchSize: 25, Grace: grace, Log: logging.Discard(),
		})
		require.NoError(t, err)
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- c.Run(cctx) }()
		return func() error {
			cancel()
			err := <-done
			_ = reader.Close()
			_ = verdicts.Close()
			_ = dlq.Close()
			return err
		}
	}

	crash := &crashingSink{store: store}
	stop := run(crash, 100*time.Millisecond)
	testenv.Eventually(t, 60*time.Second, crash.crashed.Load, "the first consumer never wrote to the queue")
	require.Error(t, stop(), "the first consumer stops with its batch uncommitted")
	// The crashed batch's verdicts were written; they will be written again.
	before := testenv.Count(t, p.brokers, p.cfg.Topics.Verdicts)

	stop = run(store, 10*time.Second)
	testenv.Eventually(t, 60*time.Second, func() bool { return testenv.Count(t, p.brokers, p.cfg.Topics.Verdicts) >= before+n },
		"the restarted consumer did not classify every comment")
	require.NoError(t, stop())

	// Every comment has a verdict (a redelivered batch may add repeats).
	verdicts := testenv.ReadAll(t, p.brokers, p.cfg.Topics.Verdicts, int(testenv.Count(t, p.brokers, p.cfg.Topics.Verdicts)), 30*time.Second)
	ids := map[string]bool{}
	flagged := map[string]bool{}
	for _, m := range verdicts {
		var v message.Verdict
		require.NoError(t, json.Unmarshal(m.Value, &v))
		ids[v.CommentID] = true
		if v.Action != message.ActionAllow {
			flagged[v.CommentID] = true
		}
	}
	require.Len(t, ids, n, "no comment is lost")

	reviewURL := p.start(t, "review")
	items := queue(t, reviewURL, modToken)
	perID := map[string]int{}
	for _, it := range items {
		perID[it.CommentID]++
	}
	require.Len(t, items, len(flagged), "each flagged comment is queued exactly once")
	for id, k := range perID {
		require.Equal(t, 1, k, "comment %s queued %d times", id, k)
	}
}
