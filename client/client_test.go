package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/client"
	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
	"github.com/vigie-moderation/vigie/review"
)

// flakyProducer fails the first n writes, then writes through.
type flakyProducer struct {
	fails atomic.Int32
	next  ingest.Producer
}

func (f *flakyProducer) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	if f.fails.Add(-1) >= 0 {
		return errors.New("broker unavailable")
	}
	return f.next.WriteMessages(ctx, msgs...)
}

type server struct {
	url, key, tenant string
	brokers          []string
	topic            string
	keys             *ingest.Keys
	producer         *flakyProducer
}

// newServer runs the real publisher API over real Kafka and Redis with the
// real classifier engine.
func newServer(t *testing.T) *server {
	t.Helper()
	brokers := testenv.KafkaBrokers(t)
	rdb := testenv.Redis(t)
	topics := testenv.Topics(t, brokers, 1)
	w := kafkaio.NewWriter(brokers, topics.Comments, kafkaio.WriterConfig{}, nil)
	t.Cleanup(func() { _ = w.Close() })
	s := &server{tenant: testenv.Name("cli"), brokers: brokers, topic: topics.Comments, producer: &flakyProducer{next: w}}
	s.keys = ingest.NewKeys(rdb, nil)
	var err error
	s.key, _, err = s.keys.Create(context.Background(), s.tenant, "site", ingest.RateLimit{})
	require.NoError(t, err)
	api, err := ingest.New(ingest.Config{Producer: s.producer, Redis: rdb, Classifier: demoEngine(t)})
	require.NoError(t, err)
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func TestCheckAndSubmitAgainstVigie(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := client.New(s.url, s.key)
	ctx := context.Background()

	res, err := c.Check(ctx, client.Comment{ID: "c1", ThreadID: "t1", ThreadLang: "fr", Author: client.Author{ID: "a1"},
		Text: "Tu es un idiot complet, espèce de crétin"})
	require.NoError(t, err)
	require.Equal(t, client.Reject, res.Action)
	require.Equal(t, "attack", res.Nudge.Reason)
	require.Equal(t, "fr", res.Nudge.Language)
	require.NotEmpty(t, res.Verdict.Matches)
	require.False(t, res.Replayed)
	again, err := c.Check(ctx, client.Comment{ID: "c1", ThreadID: "t1", ThreadLang: "fr", Author: client.Author{ID: "a1"},
		Text: "Tu es un idiot complet, espèce de crétin"})
	require.NoError(t, err)
	require.True(t, again.Replayed)
	require.Equal(t, res.Verdict, again.Verdict)

	acc, err := c.Submit(ctx, client.Comment{ID: "c2", ThreadID: "t1", Author: client.Author{ID: "a1"}, Text: "Merci"})
	require.NoError(t, err)
	require.Equal(t, []string{"c2"}, acc.IDs)
	acc, err = c.SubmitBatch(ctx, []client.Comment{
		{ID: "c3", ThreadID: "t1", Author: client.Author{ID: "a1"}, Text: "Un"},
		{ID: "c4", ThreadID: "t1", Author: client.Author{ID: "a2"}, Text: "Deux"},
	})
	require.NoError(t, err)
	require.Equal(t, 2, acc.Accepted)
	require.EqualValues(t, 4, testenv.Count(t, s.brokers, s.topic))

	_, err = c.Submit(ctx, client.Comment{ID: "c2", ThreadID: "t1", Author: client.Author{ID: "a1"}, Text: "Autre texte"})
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusConflict, apiErr.Status, "a conflict is not retried")
	require.Equal(t, "id", apiErr.Field)

	_, err = client.New(s.url, "vk_nobody_"+strings.Repeat("0", 48)).Submit(ctx, client.Comment{ID: "x", ThreadID: "t", Author: client.Author{ID: "a"}, Text: "x"})
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusUnauthorized, apiErr.Status)
}

// TestClientRetriesUnavailableVigie makes Kafka refuse the first two writes:
// the client's third attempt gets through, and the comment is written once.
func TestClientRetriesUnavailableVigie(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.producer.fails.Store(2)
	c := client.New(s.url, s.key, client.WithBackoff(time.Millisecond, 10*time.Millisecond), client.WithMaxRetryAfter(2*time.Second))
	acc, err := c.Submit(context.Background(), client.Comment{ID: "r1", ThreadID: "t", Author: client.Author{ID: "a"}, Text: "Bonjour"})
	require.NoError(t, err)
	require.Equal(t, 1, acc.Accepted)
	require.EqualValues(t, 1, testenv.Count(t, s.brokers, s.topic))
}

// TestClientWaitsOutRateLimit spends a key's one-request burst: the second
// call gets 429 with Retry-After and succeeds once the bucket refilled.
func TestClientWaitsOutRateLimit(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	key, _, err := s.keys.Create(context.Background(), s.tenant, "tight", ingest.RateLimit{Rate: 2, Burst: 1})
	require.NoError(t, err)
	c := client.New(s.url, key)
	ctx := context.Background()
	_, err = c.Submit(ctx, client.Comment{ID: "l1", ThreadID: "t", Author: client.Author{ID: "a"}, Text: "Un"})
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Submit(ctx, client.Comment{ID: "l2", ThreadID: "t", Author: client.Author{ID: "a"}, Text: "Deux"})
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "the client honoured Retry-After: 1")

	_, err = client.New(s.url, key, client.WithMaxRetryAfter(0)).Submit(ctx, client.Comment{ID: "l3", ThreadID: "t", Author: client.Author{ID: "a"}, Text: "Trois"})
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr, "a Retry-After beyond the client's patience is returned")
	require.Equal(t, http.StatusTooManyRequests, apiErr.Status)
	require.Equal(t, time.Second, apiErr.RetryAfter)
}

// scripted answers each request with the next status of its script.
type scripted struct {
	mu       sync.Mutex
	statuses []int
	retry    string
	calls    int
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	s.mu.Lock()
	st := s.statuses[min(s.calls, len(s.statuses)-1)]
	s.calls++
	s.mu.Unlock()
	if st >= 300 {
		if s.retry != "" {
			w.Header().Set("Retry-After", s.retry)
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(st)
		_, _ = io.WriteString(w, `{"type":"about:blank","title":"x","status":0,"detail":"try later"}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"accepted":1,"ids":["x"]}`)
}

func TestClientRetryPolicy(t *testing.T) {
	t.Parallel()
	cm := client.Comment{ID: "x", ThreadID: "t", Author: client.Author{ID: "a"}, Text: "x"}
	fast := client.WithBackoff(time.Millisecond, 2*time.Millisecond)
	cases := []struct {
		name     string
		statuses []int
		retry    string
		opts     []client.Option
		calls    int
		status   int
	}{
		{"503 then ok", []int{503, 503, 202}, "", nil, 3, 0},
		{"429 then ok", []int{429, 202}, "0", nil, 2, 0},
		{"409 in progress then ok", []int{409, 202}, "0", nil, 2, 0},
		{"409 conflict not retried", []int{409, 202}, "", nil, 1, 409},
		{"400 not retried", []int{400, 202}, "", nil, 1, 400},
		{"gives up after the retries", []int{503}, "", []client.Option{client.WithRetries(2)}, 3, 503},
		{"no retries", []int{503, 202}, "", []client.Option{client.WithRetries(0)}, 1, 503},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &scripted{statuses: tc.statuses, retry: tc.retry}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			_, err := client.New(srv.URL, "k", append([]client.Option{fast}, tc.opts...)...).Submit(context.Background(), cm)
			if tc.status == 0 {
				require.NoError(t, err)
			} else {
				var apiErr *client.APIError
				require.ErrorAs(t, err, &apiErr)
				require.Equal(t, tc.status, apiErr.Status)
				require.Equal(t, "try later", apiErr.Detail)
			}
			require.Equal(t, tc.calls, h.calls)
		})
	}
}

func TestClientStopsWaitingWhenContextEnds(t *testing.T) {
	t.Parallel()
	h := &scripted{statuses: []int{503}, retry: "5"}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.New(srv.URL, "k").Submit(ctx, client.Comment{ID: "x", ThreadID: "t", Author: client.Author{ID: "a"}, Text: "x"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
	require.Equal(t, 1, h.calls)
}

func TestVerifyWebhookMatchesReviewSigner(t *testing.T) {
	t.Parallel()
	secret := "whsec_0123456789abcdef"
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	d := message.Decision{V: 1, Tenant: "lemonde", CommentID: "c1", Decision: message.DecisionReject, Reason: "insult",
		Moderator: "marie", DecidedAt: now, EventID: "8c1e4f2a-0000-4000-8000-000000000001"}
	body := []byte(`{"v":1,"tenant":"lemonde","comment_id":"c1","decision":"reject","reason":"insult","moderator":"marie","decided_at":"2026-03-01T12:00:00Z","event_id":"8c1e4f2a-0000-4000-8000-000000000001"}`)
	sig := review.Sign(secret, now, body)

	got, err := client.VerifyWebhookAt(secret, sig, body, now.Add(time.Minute), client.DefaultTolerance)
	require.NoError(t, err)
	require.Equal(t, client.Decision{Tenant: d.Tenant, CommentID: d.CommentID, Decision: "reject", Reason: "insult",
		Moderator: "marie", DecidedAt: now, EventID: d.EventID}, *got)

	rotated := "t=" + strings.Split(sig, ",")[0][2:] + ",v1=" + strings.Repeat("0", 64) + "," + strings.Split(sig, ",")[1]
	_, err = client.VerifyWebhookAt(secret, rotated, body, now, client.DefaultTolerance)
	require.NoError(t, err, "one matching v1 among several is enough")

	for name, tc := range map[string]struct {
		secret, sig string
		body        []byte
		at          time.Time
	}{
		"tampered body": {secret, sig, []byte(strings.Replace(string(body), "reject", "approve", 1)), now},
		"wrong secret":  {"whsec_other_other_other", sig, body, now},
		"too old":       {secret, sig, body, now.Add(6 * time.Minute)},
		"malformed":     {secret, "v1=abc", body, now},
	} {
		_, err := client.VerifyWebhookAt(tc.secret, tc.sig, tc.body, tc.at, client.DefaultTolerance)
		require.ErrorIs(t, err, client.ErrSignature, name)
	}
}
