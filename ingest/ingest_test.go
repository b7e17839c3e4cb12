package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

const key = "pub-key-0123456789abcdef"

// recorder is a Producer that keeps what it was given, or fails.
type recorder struct {
	mu   sync.Mutex
	msgs []kafka.Message
	fail error
}

func (r *recorder) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	if r.fail != nil {
		return r.fail
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, msgs...)
	return nil
}

type bundle struct {
	srv  *httptest.Server
	prod *recorder
}

func setup(t *testing.T, p ingest.Producer) *httptest.Server {
	t.Helper()
	keys := auth.NewStatic()
	keys.Add(key, auth.Principal{Tenant: "lemonde", Subject: "site", Role: "publisher"})
	keys.Add("moderator-token-0123456789", auth.Principal{Tenant: "lemonde", Subject: "m", Role: "moderator"})
	api, err := ingest.New(ingest.Config{Producer: p, Auth: keys, MaxBodyBytes: 64 << 10})
	require.NoError(t, err)
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, token, ctype, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/v1/comments", strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	return resp, doc
}

const good = `{"id":"c1","tenant":"someone-else","thread_id":"t1","author":{"id":"a1"},"text":"Bonjour à tous"}`

func TestSubmitOneTakesTenantFromKey(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	srv := setup(t, rec)
	resp, doc := post(t, srv.URL, key, "application/json", good)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, doc)
	require.Len(t, rec.msgs, 1)
	c, err := message.DecodeComment(rec.msgs[0].Value)
	require.NoError(t, err)
	require.Equal(t, "lemonde", c.Tenant, "the tenant comes from the key, never from the body")
	require.Equal(t, "lemonde/a1", string(rec.msgs[0].Key))
	require.False(t, c.ReceivedAt.IsZero())
}

func TestSubmitBatch(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	srv := setup(t, rec)
	body := good + "\n\n" + strings.Replace(good, `"c1"`, `"c2"`, 1) + "\n"
	resp, doc := post(t, srv.URL, key, "application/x-ndjson", body)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, doc)
	require.EqualValues(t, 2, doc["accepted"])
	require.Len(t, rec.msgs, 2)
}

func TestBadInputGetsProblem(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", message.MaxTextChars+1)
	cases := []struct {
		name, token, ctype, body string
		status                   int
		field                    string
	}{
		{"no key", "", "application/json", good, 401, ""},
		{"wrong key", "nope-nope-nope-nope", "application/json", good, 401, ""},
		{"moderator token", "moderator-token-0123456789", "application/json", good, 403, ""},
		{"wrong type", key, "text/plain", good, 415, ""},
		{"no type", key, "", good, 415, ""},
		{"bad json", key, "application/json", `{"id":`, 400, ""},
		{"two values", key, "application/json", good + good, 400, ""},
		{"missing text", key, "application/json", `{"id":"c","thread_id":"t","author":{"id":"a"}}`, 400, "text"},
		{"missing author", key, "application/json", `{"id":"c","thread_id":"t","text":"x"}`, 400, "author.id"},
		{"text too long", key, "application/json", `{"id":"c","thread_id":"t","author":{"id":"a"},"text":"` + long + `"}`, 400, "text"},
		{"invalid utf8", key, "application/json", "{\"id\":\"c\",\"thread_id\":\"t\",\"author\":{\"id\":\"a\"},\"text\":\"\xff\xfe\"}", 400, ""},
		{"wrong version", key, "application/json", `{"v":2,"id":"c","thread_id":"t","author":{"id":"a"},"text":"x"}`, 400, ""},
		{"bad batch line", key, "application/x-ndjson", good + "\nnot json\n", 400, ""},
		{"body too large", key, "application/json", `{"text":"` + strings.Repeat("a", 70<<10) + `"}`, 413, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			srv := setup(t, rec)
			resp, doc := post(t, srv.URL, tc.token, tc.ctype, tc.body)
			require.Equal(t, tc.status, resp.StatusCode, doc)
			require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
			require.EqualValues(t, tc.status, doc["status"])
			require.NotEmpty(t, doc["detail"])
			if tc.field != "" {
				require.Equal(t, tc.field, doc["field"])
			}
			require.Empty(t, rec.msgs, "nothing is written for a refused request")
		})
	}
}

func TestBatchErrorNamesLine(t *testing.T) {
	t.Parallel()
	srv := setup(t, &recorder{})
	resp, doc := post(t, srv.URL, key, "application/x-ndjson", good+"\n"+`{"id":"x","thread_id":"t","author":{"id":"a"}}`+"\n")
	require.Equal(t, 400, resp.StatusCode)
	require.EqualValues(t, 2, doc["line"])
}

func TestKafkaFailureIs503(t *testing.T) {
	t.Parallel()
	srv := setup(t, &recorder{fail: errors.New("broker gone")})
	resp, doc := post(t, srv.URL, key, "application/json", good)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, doc)
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
}

// TestAcknowledgedByRealKafka proves a 202 means the record is in the topic.
func TestAcknowledgedByRealKafka(t *testing.T) {
	t.Parallel()
	brokers := testenv.KafkaBrokers(t)
	topics := testenv.Topics(t, brokers, 3)
	w := kafkaio.NewWriter(brokers, topics.Comments, kafkaio.WriterConfig{}, nil)
	t.Cleanup(func() { _ = w.Close() })
	srv := setup(t, w)
	resp, doc := post(t, srv.URL, key, "application/json", good)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, doc)
	got := testenv.ReadAll(t, brokers, topics.Comments, 1, 20*time.Second)
	require.Len(t, got, 1)
	c, err := message.DecodeComment(got[0].Value)
	require.NoError(t, err)
	require.Equal(t, "c1", c.ID)
	require.Equal(t, "lemonde", c.Tenant)
}
