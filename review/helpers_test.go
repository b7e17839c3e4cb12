package review

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

// clock is a simulated clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC().Truncate(time.Millisecond)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// bundle is what most tests need: a store and an API server over real Redis
// for one random tenant, and credentials per role.
type bundle struct {
	t      *testing.T
	rdb    *redis.Client
	clock  *clock
	store  *Store
	api    *API
	srv    *httptest.Server
	tenant string
	// static is the operator token of the tenant (admin by default).
	static string
	// tokens maps a role to an API token of an account with that role
	// (logins "mod", "senior", "admin").
	tokens map[string]string
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{t: t, rdb: testenv.Redis(t), clock: newClock(), tenant: testenv.Name("ten")}
	b.store = NewStore(b.rdb, StoreOptions{Now: b.clock.Now, PasswordCost: bcrypt.MinCost, Tenants: []string{b.tenant}})
	b.static = "static-" + randomHex(12)
	tokens, err := auth.ParseSpec(b.tenant+":operator:"+b.static, RoleModerator)
	require.NoError(t, err)
	b.api, err = NewAPI(APIConfig{Store: b.store, Tokens: tokens})
	require.NoError(t, err)
	mux := http.NewServeMux()
	b.api.Register(mux)
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	b.tokens = map[string]string{}
	ctx := context.Background()
	for login, role := range map[string]string{"mod": RoleModerator, "senior": RoleSenior, "admin": RoleAdmin} {
		_, err := b.store.addModerator(ctx, b.tenant, login, "password-"+login+"-long", role, "test")
		require.NoError(t, err)
		tok, _, err := b.store.createAPIToken(ctx, b.tenant, login, "test", "test")
		require.NoError(t, err)
		b.tokens[role] = tok
	}
	return b
}

// comment returns a classified comment of the bundle's tenant.
func (b *bundle) comment(id, author string, action message.Action, rules ...string) message.Classified {
	return classified(b.tenant, id, author, action, rules...)
}

func classified(tenant, id, author string, action message.Action, rules ...string) message.Classified {
	now := time.Now().UTC()
	c := &message.Comment{
		V: 1, ID: id, Tenant: tenant, ThreadID: "thread-1", Author: message.Author{ID: author, Name: "A. Reader"},
		Text: "some text of " + id, URL: "https://news.example/a/1", CreatedAt: now, ReceivedAt: now,
	}
	v := message.Verdict{
		V: 1, Tenant: tenant, CommentID: id, Action: action, Language: message.Language{Code: "fr", Confidence: 0.9},
		Ruleset: "rs1", ClassifiedAt: now,
	}
	for _, r := range rules {
		v.Matches = append(v.Matches, message.Match{Rule: r, Label: "spam", Weight: 0.6, Start: 0, End: 4, Normalized: "some"})
		v.Labels = append(v.Labels, "spam")
		v.Scores.Spam = 0.6
	}
	return message.Classified{Comment: c, Verdict: v}
}

func (b *bundle) admit(cs ...message.Classified) AdmitResult {
	b.t.Helper()
	res, err := b.store.AdmitBatch(context.Background(), cs)
	require.NoError(b.t, err)
	return res
}

// do sends a request with a bearer token ("" for none) and a JSON body (nil
// for none) and returns the status and the body.
func (b *bundle) do(method, path, token string, body any) (int, []byte) {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(b.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, b.srv.URL+path, rd)
	require.NoError(b.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return resp.StatusCode, out
}

// doJSON is do expecting status want and decoding the body into out.
func (b *bundle) doJSON(method, path, token string, body any, want int, out any) {
	b.t.Helper()
	status, raw := b.do(method, path, token, body)
	require.Equal(b.t, want, status, "%s %s: %s", method, path, raw)
	if out != nil {
		require.NoError(b.t, json.Unmarshal(raw, out), string(raw))
	}
}

func itemPath(id, suffix string) string { return "/v1/items/" + url.PathEscape(id) + suffix }

// outbox returns the decisions waiting in the tenant's outbox.
func (b *bundle) outbox() []message.Decision {
	b.t.Helper()
	msgs, err := b.rdb.XRange(context.Background(), outboxKey(b.tenant), "-", "+").Result()
	require.NoError(b.t, err)
	var out []message.Decision
	for _, m := range msgs {
		var d message.Decision
		require.NoError(b.t, json.Unmarshal([]byte(m.Values["decision"].(string)), &d))
		out = append(out, d)
	}
	return out
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s: %s", timeout, msg)
		}
		<-tick.C
	}
}

func jsonBody(t *testing.T, v any) io.Reader {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return bytes.NewReader(raw)
}

func stringsReader(s string) io.Reader { return bytes.NewReader([]byte(s)) }

func pathEscape(s string) string { return url.PathEscape(s) }
