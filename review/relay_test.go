package review

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/logging"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

// decisionsWriter returns a writer to a fresh decisions topic.
func decisionsWriter(t *testing.T) ([]string, string, *kafka.Writer) {
	t.Helper()
	brokers := testenv.KafkaBrokers(t)
	topics := testenv.Topics(t, brokers, 2)
	w := kafkaio.NewWriter(brokers, topics.Decisions, kafkaio.WriterConfig{}, logging.Discard())
	t.Cleanup(func() { _ = w.Close() })
	return brokers, topics.Decisions, w
}

func decodeDecisions(t *testing.T, msgs []kafka.Message) map[string]message.Decision {
	t.Helper()
	out := map[string]message.Decision{}
	for _, m := range msgs {
		var d message.Decision
		require.NoError(t, json.Unmarshal(m.Value, &d))
		out[d.EventID] = d
		require.Equal(t, d.Tenant+"/alice", string(m.Key))
	}
	return out
}

func TestRelayPublishesDecisionsToKafka(t *testing.T) {
	t.Parallel()
	b := setup(t)
	brokers, topic, w := decisionsWriter(t)
	relay := NewRelay(RelayConfig{Store: b.store, Writer: w, PollInterval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx) }()
	defer func() { cancel(); require.NoError(t, <-done) }()

	b.admit(b.comment("c1", "alice", message.ActionReview), b.comment("c2", "alice", message.ActionReview))
	var d1, d2 decideOutcome
	b.doJSON("POST", itemPath("c1", "/decision"), b.tokens[RoleModerator], map[string]any{"decision": "reject", "reason": "insult"}, http.StatusOK, &d1)
	b.doJSON("POST", itemPath("c2", "/decision"), b.tokens[RoleModerator], map[string]any{"decision": "approve"}, http.StatusOK, &d2)

	got := decodeDecisions(t, testenv.ReadAll(t, brokers, topic, 2, 30*time.Second))
	require.Len(t, got, 2)
	require.Equal(t, message.DecisionReject, got[d1.EventID].Decision)
	require.Equal(t, "insult", got[d1.EventID].Reason)
	require.Equal(t, "c2", got[d2.EventID].CommentID)
	// Once delivered everywhere, the outbox is trimmed down to its last entry.
	eventually(t, 10*time.Second, func() bool {
		n, err := b.rdb.XLen(context.Background(), outboxKey(b.tenant)).Result()
		return err == nil && n <= 1
	}, "outbox trimmed")
}

func TestOutboxDrainsAfterKafkaOutage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	brokers, topic, good := decisionsWriter(t)
	// A writer to a port where no broker listens stands for Kafka being down.
	down := kafkaio.NewWriter([]string{"127.0.0.1:1"}, topic, kafkaio.WriterConfig{MaxAttempts: 1, WriteTimeout: time.Second}, logging.Discard())
	defer down.Close()
	relay := NewRelay(RelayConfig{Store: b.store, Writer: down})

	b.admit(b.comment("c1", "alice", message.ActionReview), b.comment("c2", "alice", message.ActionReview), b.comment("c3", "alice", message.ActionReview))
	var ids []string
	for _, id := range []string{"c1", "c2", "c3"} {
		var d decideOutcome
		b.doJSON("POST", itemPath(id, "/decision"), b.tokens[RoleModerator], map[string]any{"decision": "approve"}, http.StatusOK, &d)
		ids = append(ids, d.EventID)
	}
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		_, err := relay.DrainOnce(ctx)
		require.Error(t, err)
	}
	require.Len(t, b.outbox(), 3, "nothing leaves the outbox while Kafka is down")

	// Kafka is back.
	relay.cfg.Writer = good
	n, err := relay.DrainOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	got := decodeDecisions(t, testenv.ReadAll(t, brokers, topic, 3, 30*time.Second))
	for _, id := range ids {
		require.Contains(t, got, id)
	}
	n, err = relay.DrainOnce(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "a drained outbox publishes nothing twice")
}

// receiver is an independent webhook endpoint: it checks signatures with
// its own HMAC code, as a publisher would, and answers with scripted
// statuses.
type receiver struct {
	secret string
	mu     sync.Mutex
	codes  []int // statuses to answer, in order; 200 once exhausted
	got    []message.Decision
	calls  int
	bad    int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.calls++
	if !rc.verify(r.Header.Get("Vigie-Signature"), body) {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if len(rc.codes) > 0 {
		code := rc.codes[0]
		rc.codes = rc.codes[1:]
		if code != http.StatusOK {
			w.WriteHeader(code)
			return
		}
	}
	var d message.Decision
	if json.Unmarshal(body, &d) != nil || r.Header.Get("Vigie-Event-Id") != d.EventID {
		rc.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.got = append(rc.got, d)
	w.WriteHeader(http.StatusNoContent)
}

// verify is the recipe of docs/review.md, written out independently.
func (rc *receiver) verify(header string, body []byte) bool {
	var ts, sig string
	for _, kv := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(kv, "t="); ok {
			ts = v
		}
		if v, ok := strings.CutPrefix(kv, "v1="); ok {
			sig = v
		}
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(rc.secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

func (rc *receiver) snapshot() (calls, bad int, got []message.Decision) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.calls, rc.bad, append([]message.Decision(nil), rc.got...)
}

func TestWebhooksSignedRetriedAndDeadLettered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, _, w := decisionsWriter(t)
	const secret = "whsec-test-0123456789"
	rc := &receiver{secret: secret, codes: []int{500, 500}}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	ctx := context.Background()
	_, err := b.store.setSettings(ctx, b.tenant, "test", map[string]string{"webhook_url": hook.URL, "webhook_secret": secret})
	require.NoError(t, err)
	relay := NewRelay(RelayConfig{Store: b.store, Writer: w, RetryBase: time.Second, RetryMax: 4 * time.Second, RetryBudget: 3})

	b.admit(b.comment("c1", "alice", message.ActionReview))
	var d decideOutcome
	b.doJSON("POST", itemPath("c1", "/decision"), b.tokens[RoleModerator], map[string]any{"decision": "reject", "reason": "spam"}, http.StatusOK, &d)

	// First attempt: 500. Not due again before the backoff passes.
	_, err = relay.DrainOnce(ctx)
	require.NoError(t, err)
	_, err = relay.DrainOnce(ctx)
	require.NoError(t, err)
	calls, bad, got := rc.snapshot()
	require.Equal(t, 1, calls)
	require.Zero(t, bad)
	require.Empty(t, got)
	// Second attempt after 1s: 500 again; third after 2s more: delivered.
	b.clock.Advance(time.Second)
	_, err = relay.DrainOnce(ctx)
	require.NoError(t, err)
	b.clock.Advance(2 * time.Second)
	_, err = relay.DrainOnce(ctx)
	require.NoError(t, err)
	calls, bad, got = rc.snapshot()
	require.Equal(t, 3, calls)
	require.Zero(t, bad, "every delivery carries a valid signature")
	require.Len(t, got, 1)
	require.Equal(t, d.EventID, got[0].EventID)
	require.Equal(t, message.DecisionReject, got[0].Decision)
	n, err := b.rdb.ZCard(ctx, webhookRetryKey(b.tenant)).Result()
	require.NoError(t, err)
	require.Zero(t, n)

	// A receiver that keeps failing: dead-lettered after the budget.
	rc.mu.Lock()
	rc.codes = []int{500, 500, 500, 500}
	rc.mu.Unlock()
	b.doJSON("POST", itemPath("c1", "/undo"), b.tokens[RoleModerator], nil, http.StatusOK, nil)
	for i := 0; i < 4; i++ {
		_, err = relay.DrainOnce(ctx)
		require.NoError(t, err)
		b.clock.Advance(4 * time.Second)
	}
	dead, err := b.rdb.XRange(ctx, webhookDeadKey(b.tenant), "-", "+").Result()
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Equal(t, "3", dead[0].Values["attempts"])
	require.Contains(t, dead[0].Values["last_error"], "500")

	// The package's own verifier agrees with the independent one.
	body := []byte(`{"v":1}`)
	now := time.Unix(1_700_000_000, 0)
	h := Sign(secret, now, body)
	require.True(t, rc.verify(h, body))
	require.NoError(t, VerifySignature(secret, h, body, now.Add(time.Minute), 5*time.Minute))
	require.Error(t, VerifySignature(secret, h, body, now.Add(time.Hour), 5*time.Minute))
	require.Error(t, VerifySignature("other-secret-value", h, body, now, 5*time.Minute))
}
