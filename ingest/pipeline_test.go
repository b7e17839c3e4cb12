package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
	"github.com/vigie-moderation/vigie/review"
)

// admitSink hands batches to the real review queue and keeps what it saw.
type admitSink struct {
	store *review.Store
	mu    sync.Mutex
	res   review.AdmitResult
	items map[string]message.Classified
}

func (s *admitSink) Admit(ctx context.Context, batch []message.Classified) error {
	r, err := s.store.AdmitBatch(ctx, batch)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Queued += r.Queued
	s.res.Edited += r.Edited
	s.res.Duplicate += r.Duplicate
	for _, it := range batch {
		s.items[it.Comment.ID] = it
	}
	return nil
}

func (s *admitSink) snapshot() (review.AdmitResult, map[string]message.Classified) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := make(map[string]message.Classified, len(s.items))
	for k, v := range s.items {
		items[k] = v
	}
	return s.res, items
}

// startPipeline runs the classify role's consumer with the real engine on
// the env's topics, admitting to the real review queue.
func startPipeline(t *testing.T, e *env, eng classify.Classifier) *admitSink {
	t.Helper()
	sink := &admitSink{store: review.NewStore(e.rdb, review.StoreOptions{}), items: map[string]message.Classified{}}
	reader := kafkaio.NewReader(kafkaio.ReaderConfig{Brokers: e.brokers, Topic: e.topics.Comments, GroupID: testenv.Name("g")}, nil)
	verdicts := kafkaio.NewWriter(e.brokers, e.topics.Verdicts, kafkaio.WriterConfig{}, nil)
	dlq := kafkaio.NewWriter(e.brokers, e.topics.DLQ, kafkaio.WriterConfig{}, nil)
	consumer, err := classify.NewConsumer(classify.ConsumerConfig{
		Fetcher: reader, Verdicts: verdicts, DeadLetter: dlq, Classifier: eng, Sink: sink,
		SourceTopic: e.topics.Comments, Window: 5 * time.Millisecond,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- consumer.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
		_ = reader.Close()
		_ = verdicts.Close()
		_ = dlq.Close()
	})
	return sink
}

// TestCheckVerdictEqualsPipelines submits the same texts once through
// /v1/check and once through /v1/comments: the verdict the check answered
// (and attached) equals the one the classify role computes.
func TestCheckVerdictEqualsPipelines(t *testing.T) {
	t.Parallel()
	eng := realEngine(t)
	e := newEnv(t, func(c *ingest.Config) { c.Classifier = eng })
	sink := startPipeline(t, e, eng)
	texts := []string{
		"Bonjour à tous, article très intéressant sur la réforme.",
		"Tu es un idiot complet, espèce de crétin",
		"ACHETEZ MAINTENANT!!! http://bit.ly/xyz whatsapp +33 6 12 34 56 78 gagnez de l'argent",
		"You are a complete moron and everyone here knows it, you idiot",
		"Ich finde den Artikel gut geschrieben, danke.",
		"Visita www.casino-gratis.xyz para ganar dinero rápido, contacto por telegram",
	}
	checked := map[string]ingest.CheckResult{}
	for i, text := range texts {
		resp, body := e.post("/v1/check", commentJSON(fmt.Sprintf("chk-%d", i), text, false))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var res ingest.CheckResult
		require.NoError(t, json.Unmarshal(body, &res))
		checked[res.ID] = res
		resp, body = e.post("/v1/comments", commentJSON(fmt.Sprintf("sub-%d", i), text, false))
		require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	}
	var items map[string]message.Classified
	testenv.Eventually(t, 60*time.Second, func() bool {
		_, items = sink.snapshot()
		return len(items) == 2*len(texts)
	}, "the pipeline admitted %d of %d comments", len(items), 2*len(texts))

	ignore := cmpopts.IgnoreFields(message.Verdict{}, "CommentID", "ClassifiedAt")
	flagged := 0
	for i := range texts {
		synced := items[fmt.Sprintf("chk-%d", i)].Verdict
		pipe := items[fmt.Sprintf("sub-%d", i)].Verdict
		answered := checked[fmt.Sprintf("chk-%d", i)].Verdict
		require.Empty(t, cmp.Diff(answered, synced, cmpopts.EquateEmpty()), "the pipeline kept the attached verdict (-answered +kept)")
		require.Empty(t, cmp.Diff(pipe, synced, ignore, cmpopts.EquateEmpty()), "text %d: synchronous verdict differs from the pipeline's (-pipeline +check)", i)
		if synced.Flagged() {
			flagged++
		}
	}
	require.GreaterOrEqual(t, flagged, 3, "the sample exercises flagged comments")
}

// TestEditReplacesPendingItem checks a flagged comment, then an edit of it:
// the edit is classified again and replaces the item waiting in the review
// queue instead of adding one.
func TestEditReplacesPendingItem(t *testing.T) {
	t.Parallel()
	eng := realEngine(t)
	e := newEnv(t, func(c *ingest.Config) { c.Classifier = eng })
	sink := startPipeline(t, e, eng)

	resp, body := e.post("/v1/check", commentJSON("e1", "Tu es un idiot complet, espèce de crétin", false))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var first ingest.CheckResult
	require.NoError(t, json.Unmarshal(body, &first))
	require.True(t, first.Verdict.Flagged())
	testenv.Eventually(t, 60*time.Second, func() bool { r, _ := sink.snapshot(); return r.Queued == 1 }, "the flagged comment was not queued")

	resp, body = e.post("/v1/check", commentJSON("e1", "Gagnez de l'argent sur http://bit.ly/xyz, contact whatsapp +33 6 12 34 56 78", true))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var edited ingest.CheckResult
	require.NoError(t, json.Unmarshal(body, &edited))
	require.NotEqual(t, first.Verdict.Labels, edited.Verdict.Labels, "the edit was classified again")
	testenv.Eventually(t, 60*time.Second, func() bool { r, _ := sink.snapshot(); return r.Edited == 1 }, "the edit did not replace the pending item")
	r, items := sink.snapshot()
	require.Equal(t, 1, r.Queued, "the edit created no second item")
	require.Equal(t, edited.Verdict.Labels, items["e1"].Verdict.Labels)
}
