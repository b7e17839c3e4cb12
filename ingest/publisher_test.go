package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

// stubClassifier decides by keywords: "idiot" is an insult held for
// review, "http" is spam rejected. It stands in for the engine where the
// rules themselves are not under test.
type stubClassifier struct{}

func (stubClassifier) Classify(_ context.Context, c *message.Comment, p classify.Policy) (message.Verdict, error) {
	lang := c.ThreadLang
	if lang == "" {
		lang = "en"
	}
	v := message.Verdict{
		V: message.Version, Tenant: c.Tenant, CommentID: c.ID, Labels: []string{}, Matches: []message.Match{},
		Language: message.Language{Code: lang, Source: "thread"}, Ruleset: "stub",
		ClassifiedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	switch {
	case strings.Contains(c.Text, "idiot"):
		v.Scores.Troll = 0.6
		v.Labels = []string{"troll", "insult"}
	case strings.Contains(c.Text, "http"):
		v.Scores.Spam = 0.95
		v.Labels = []string{"spam", "link"}
	}
	v.Action = p.Action(v.Scores)
	return v, nil
}

var (
	engineOnce sync.Once
	engine     *classify.Engine
	engineErr  error
)

// realEngine loads the classify role's engine once per test binary.
func realEngine(t testing.TB) *classify.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = classify.NewEngine(classify.EngineConfig{}) })
	require.NoError(t, engineErr)
	return engine
}

// env is a publisher API on real Kafka and Redis with a fresh tenant, topic
// set and API key.
type env struct {
	t       *testing.T
	rdb     *redis.Client
	brokers []string
	topics  kafkaio.Topics
	writer  *kafka.Writer
	tenant  string
	key     string
	keys    *ingest.Keys
	url     string
}

func newEnv(t *testing.T, opts ...func(*ingest.Config)) *env {
	t.Helper()
	e := &env{t: t, brokers: testenv.KafkaBrokers(t), rdb: testenv.Redis(t), tenant: testenv.Name("pub")}
	e.topics = testenv.Topics(t, e.brokers, 3)
	e.writer = kafkaio.NewWriter(e.brokers, e.topics.Comments, kafkaio.WriterConfig{}, nil)
	t.Cleanup(func() { _ = e.writer.Close() })
	t.Cleanup(func() {
		ctx := context.Background()
		iter := e.rdb.Scan(ctx, 0, "vigie:{"+e.tenant+"}:*", 1000).Iterator()
		for iter.Next(ctx) {
			e.rdb.Del(ctx, iter.Val())
		}
	})
	e.keys = ingest.NewKeys(e.rdb, nil)
	var err error
	e.key, _, err = e.keys.Create(context.Background(), e.tenant, "site", ingest.RateLimit{})
	require.NoError(t, err)
	e.url = e.server(opts...)
	return e
}

// server starts one more ingest instance over the env's Kafka and Redis.
func (e *env) server(opts ...func(*ingest.Config)) string {
	cfg := ingest.Config{
		Producer: e.writer, Redis: e.rdb, Classifier: stubClassifier{},
		RateLimit: ingest.RateLimit{Rate: 1000, Burst: 1000}, MaxBodyBytes: 64 << 10,
	}
	for _, o := range opts {
		o(&cfg)
	}
	api, err := ingest.New(cfg)
	require.NoError(e.t, err)
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(mux)
	e.t.Cleanup(srv.Close)
	return srv.URL
}

// do sends a request and returns the response with its body read.
func (e *env) do(url, path, token, ctype, body string, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
	require.NoError(e.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp, b
}

func (e *env) post(path, body string) (*http.Response, []byte) {
	return e.do(e.url, path, e.key, "application/json", body)
}

// count returns how many records the comments topic holds. A fresh topic's
// partitions may not have a leader yet, so offsets are asked until every
// partition answers.
func (e *env) count() int64 {
	e.t.Helper()
	var n int64
	var err error
	testenv.Eventually(e.t, 20*time.Second, func() bool {
		n, err = countRecords(e.brokers, e.topics.Comments)
		return err == nil
	}, "counting records of %s: %v", e.topics.Comments, err)
	return n
}

func countRecords(brokers []string, topic string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	meta, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return 0, err
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		return 0, fmt.Errorf("no metadata for %s", topic)
	}
	var reqs []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
	}
	resp, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return 0, err
	}
	var n int64
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			return 0, po.Error
		}
		n += po.LastOffset - po.FirstOffset
	}
	return n, nil
}

func commentJSON(id, text string, edited bool) string {
	b, _ := json.Marshal(map[string]any{
		"id": id, "thread_id": "t1", "thread_lang": "fr", "author": map[string]any{"id": "a1"}, "text": text, "edited": edited,
	})
	return string(b)
}

func TestRedisKeyAuthenticates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, body := e.post("/v1/comments", commentJSON("c1", "Bonjour", false))
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	got := testenv.ReadAll(t, e.brokers, e.topics.Comments, 1, 20*time.Second)
	require.Len(t, got, 1)
	c, err := message.DecodeComment(got[0].Value)
	require.NoError(t, err)
	require.Equal(t, e.tenant, c.Tenant, "the tenant comes from the key")

	wrong := e.key[:len(e.key)-1] + "0"
	if wrong == e.key {
		wrong = e.key[:len(e.key)-1] + "1"
	}
	for _, tok := range []string{wrong, "vk_" + e.tenant, "vk_nosuchtenant_" + strings.Repeat("a", 48), ""} {
		resp, body = e.do(e.url, "/v1/comments", tok, "application/json", commentJSON("c2", "x", false))
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, string(body))
	}
}

func TestRotatedKeyWorksUntilRevoked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	list, err := e.keys.List(ctx, e.tenant)
	require.NoError(t, err)
	require.Len(t, list, 1)
	oldID := list[0].ID

	newKey, k, err := e.keys.Rotate(ctx, e.tenant, oldID, 0)
	require.NoError(t, err)
	require.Equal(t, "site", k.Name)
	for i, tok := range []string{e.key, newKey} {
		resp, body := e.do(e.url, "/v1/comments", tok, "application/json", commentJSON("r"+string(rune('a'+i)), "Bonjour", false))
		require.Equal(t, http.StatusAccepted, resp.StatusCode, "both keys work during the rotation: %s", body)
	}
	require.NoError(t, e.keys.Revoke(ctx, e.tenant, oldID))
	resp, _ := e.do(e.url, "/v1/comments", e.key, "application/json", commentJSON("rc", "Bonjour", false))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a revoked key stops at once")
	resp, _ = e.do(e.url, "/v1/comments", newKey, "application/json", commentJSON("rd", "Bonjour", false))
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	require.ErrorIs(t, e.keys.Revoke(ctx, e.tenant, oldID), ingest.ErrKeyNotFound)
}

func TestRotationGraceExpiresOldKey(t *testing.T) {
	t.Parallel()
	rdb := testenv.Redis(t)
	tenant := testenv.Name("pub")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	keys := ingest.NewKeys(rdb, clock)
	ctx := context.Background()
	old, k, err := keys.Create(ctx, tenant, "site", ingest.RateLimit{})
	require.NoError(t, err)
	fresh, _, err := keys.Rotate(ctx, tenant, k.ID, time.Hour)
	require.NoError(t, err)
	_, err = keys.Authenticate(ctx, old)
	require.NoError(t, err, "the old key works during the grace period")
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	_, err = keys.Authenticate(ctx, old)
	require.ErrorIs(t, err, auth.ErrUnauthenticated, "the old key stops when the grace period ends")
	p, err := keys.Authenticate(ctx, fresh)
	require.NoError(t, err)
	require.Equal(t, auth.Principal{Tenant: tenant, Subject: p.Subject, Role: "publisher"}, p)
}

func TestKeyTenantMayContainUnderscore(t *testing.T) {
	t.Parallel()
	rdb := testenv.Redis(t)
	tenant := strings.ReplaceAll(testenv.Name("le_monde"), "-", "_")
	keys := ingest.NewKeys(rdb, nil)
	tok, _, err := keys.Create(context.Background(), tenant, "site", ingest.RateLimit{})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(tok, ingest.KeyPrefix+tenant+"_"))
	p, err := keys.Authenticate(context.Background(), tok)
	require.NoError(t, err)
	require.Equal(t, tenant, p.Tenant)
}

// TestRateLimitHoldsAcrossInstances sends a key's requests to two ingest
// instances in turn: the bucket is shared, so the burst is shared too.
func TestRateLimitHoldsAcrossInstances(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	second := e.server()
	ctx := context.Background()
	key, _, err := e.keys.Create(ctx, e.tenant, "limited", ingest.RateLimit{Rate: 0.01, Burst: 3})
	require.NoError(t, err)
	var codes []int
	var last *http.Response
	for i := 0; i < 6; i++ {
		url := e.url
		if i%2 == 1 {
			url = second
		}
		resp, _ := e.do(url, "/v1/comments", key, "application/json", commentJSON("rl"+string(rune('a'+i)), "Bonjour", false))
		codes = append(codes, resp.StatusCode)
		last = resp
	}
	require.Equal(t, []int{202, 202, 202, 429, 429, 429}, codes)
	require.Equal(t, "application/problem+json", last.Header.Get("Content-Type"))
	require.Equal(t, "100", last.Header.Get("Retry-After"), "one token takes 100 s at 0.01/s")
	resp, _ := e.post("/v1/comments", commentJSON("other-key", "Bonjour", false))
	require.Equal(t, http.StatusAccepted, resp.StatusCode, "another key has its own bucket")
}

func TestSubmitIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp1, body1 := e.post("/v1/comments", commentJSON("c1", "Bonjour à tous", false))
	require.Equal(t, http.StatusAccepted, resp1.StatusCode, string(body1))
	require.Empty(t, resp1.Header.Get(ingest.ReplayedHeader))
	resp2, body2 := e.post("/v1/comments", commentJSON("c1", "Bonjour à tous", false))
	require.Equal(t, http.StatusAccepted, resp2.StatusCode)
	require.Equal(t, string(body1), string(body2), "a resubmission gets the first answer")
	require.Equal(t, "true", resp2.Header.Get(ingest.ReplayedHeader))
	require.EqualValues(t, 1, e.count(), "a resubmission writes nothing")

	resp, body := e.post("/v1/comments", commentJSON("c1", "Un autre texte", false))
	require.Equal(t, http.StatusConflict, resp.StatusCode, string(body))
	require.Contains(t, string(body), `send \"edited\": true`)
	require.EqualValues(t, 1, e.count())

	resp, body = e.post("/v1/comments", commentJSON("c1", "Bonjour à tous, corrigé", true))
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	require.EqualValues(t, 2, e.count(), "an edit is written")

	batch := commentJSON("c1", "Bonjour à tous, corrigé", true) + "\n" + commentJSON("c2", "Deuxième", false) + "\n" + commentJSON("c2", "Deuxième", false)
	resp, body = e.do(e.url, "/v1/comments", e.key, "application/x-ndjson", batch)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	require.JSONEq(t, `{"accepted":2,"ids":["c1","c2"]}`, string(body), "a repeated id in a batch is one comment")
	require.EqualValues(t, 3, e.count(), "only the new comment of the batch is written")
}

func TestConcurrentDuplicatesWriteOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 16
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := e.post("/v1/check", commentJSON("dup", "Quel idiot ce ministre", false))
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for _, c := range codes {
		require.Contains(t, []int{http.StatusOK, http.StatusConflict}, c)
	}
	require.EqualValues(t, 1, e.count(), "concurrent duplicates write once: %v", codes)
}

// failingProducer fails every write until ok is set, then writes through.
type failingProducer struct {
	mu   sync.Mutex
	ok   bool
	next ingest.Producer
}

func (f *failingProducer) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	f.mu.Lock()
	ok := f.ok
	f.mu.Unlock()
	if !ok {
		return io.ErrUnexpectedEOF
	}
	return f.next.WriteMessages(ctx, msgs...)
}

func TestFailedWriteReleasesTheID(t *testing.T) {
	t.Parallel()
	var fp *failingProducer
	e := newEnv(t, func(c *ingest.Config) {
		fp = &failingProducer{next: c.Producer}
		c.Producer = fp
	})
	resp, _ := e.post("/v1/check", commentJSON("f1", "Bonjour", false))
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	fp.mu.Lock()
	fp.ok = true
	fp.mu.Unlock()
	resp, body := e.post("/v1/check", commentJSON("f1", "Bonjour", false))
	require.Equal(t, http.StatusOK, resp.StatusCode, "a retry after a failed write goes through at once: %s", body)
	require.Empty(t, resp.Header.Get(ingest.ReplayedHeader))
	require.EqualValues(t, 1, e.count())
}

func TestCheckAnswersAndRecords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, body := e.post("/v1/check", commentJSON("k1", "Bonjour à tous", false))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var ok ingest.CheckResult
	require.NoError(t, json.Unmarshal(body, &ok))
	require.Equal(t, message.ActionAllow, ok.Action)
	require.Nil(t, ok.Nudge, "an allowed comment gets no nudge")

	resp, body = e.post("/v1/check", commentJSON("k2", "Quel idiot", false))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var held ingest.CheckResult
	require.NoError(t, json.Unmarshal(body, &held))
	require.Equal(t, message.ActionReview, held.Action)
	require.NotNil(t, held.Nudge)
	require.Equal(t, ingest.Nudge{Reason: ingest.ReasonAttack, Language: "fr", Message: held.Nudge.Message}, *held.Nudge)
	require.Contains(t, held.Nudge.Message, "modérateur")

	got := testenv.ReadAll(t, e.brokers, e.topics.Comments, 2, 20*time.Second)
	require.Len(t, got, 2)
	for _, m := range got {
		c, err := message.DecodeComment(m.Value)
		require.NoError(t, err)
		require.NotNil(t, c.Verdict, "a checked comment carries its verdict so the pipeline does not classify it again")
		require.Equal(t, c.ID, c.Verdict.CommentID)
		require.Equal(t, e.tenant, c.Verdict.Tenant)
	}

	resp2, body2 := e.post("/v1/check", commentJSON("k2", "Quel idiot", false))
	require.Equal(t, http.StatusOK, resp2.StatusCode)
	require.Equal(t, "true", resp2.Header.Get(ingest.ReplayedHeader))
	require.Equal(t, string(body), string(body2), "a resubmission gets the first verdict")
	require.EqualValues(t, 2, e.count())

	resp, body = e.post("/v1/check", commentJSON("k2", "Voir http://example.com", true))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var edited ingest.CheckResult
	require.NoError(t, json.Unmarshal(body, &edited))
	require.Equal(t, message.ActionReject, edited.Action, "an edit is classified again")
	require.Equal(t, ingest.ReasonSpam, edited.Nudge.Reason)
	require.EqualValues(t, 3, e.count())
}

func TestCheckRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, _ := e.do(e.url, "/v1/check", e.key, "application/x-ndjson", commentJSON("b", "x", false))
	require.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
	resp, body := e.post("/v1/check", `{"id":"b","thread_id":"t","author":{"id":"a"}}`)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, string(body), `"field":"text"`)
	require.EqualValues(t, 0, e.count())
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.NewDecoder(bytes.NewReader(ingest.OpenAPI())).Decode(&doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."), doc.OpenAPI)
	for _, p := range []string{"/v1/comments", "/v1/check", "/1.1/verify-key", "/1.1/comment-check", "/1.1/submit-spam", "/1.1/submit-ham", "/v1/adapters/coral/{tenant}"} {
		require.Contains(t, doc.Paths, p)
	}
}
