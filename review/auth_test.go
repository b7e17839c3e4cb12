package review

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := setup(t)
	b.admit(b.comment("mine", "alice", message.ActionReview))
	other.admit(other.comment("theirs", "bob", message.ActionReview))
	mod := b.tokens[RoleModerator]

	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		want                      int
	}{
		{"no credentials", "GET", "/v1/queue", "", nil, http.StatusUnauthorized},
		{"unknown token", "GET", "/v1/queue", "not-a-token-at-all", nil, http.StatusUnauthorized},
		{"forged API token", "GET", "/v1/queue", apiTokenPrefix + b.tenant + ".forged", nil, http.StatusUnauthorized},
		{"no credentials on a write", "POST", itemPath("mine", "/decision"), "", map[string]any{"decision": "approve"}, http.StatusUnauthorized},
		{"another tenant's item", "GET", itemPath("theirs", ""), mod, nil, http.StatusNotFound},
		{"decide another tenant's item", "POST", itemPath("theirs", "/decision"), mod, map[string]any{"decision": "approve"}, http.StatusNotFound},
		{"another tenant's author", "GET", "/v1/authors/bob", mod, nil, http.StatusNotFound},
		{"moderator bans", "PUT", "/v1/authors/alice/ban", mod, nil, http.StatusForbidden},
		{"moderator reads audit", "GET", "/v1/audit", mod, nil, http.StatusForbidden},
		{"moderator manages accounts", "POST", "/v1/moderators", mod, map[string]any{"login": "x", "password": "long-enough-password", "role": "admin"}, http.StatusForbidden},
		{"senior changes settings", "PATCH", "/v1/settings", b.tokens[RoleSenior], map[string]any{"mode": "pre"}, http.StatusForbidden},
		{"senior lists moderators", "GET", "/v1/moderators", b.tokens[RoleSenior], nil, http.StatusForbidden},
		{"admin lists moderators", "GET", "/v1/moderators", b.tokens[RoleAdmin], nil, http.StatusOK},
		{"operator token is admin", "GET", "/v1/settings", b.static, nil, http.StatusOK},
		{"moderator reads own queue", "GET", "/v1/queue", mod, nil, http.StatusOK},
	} {
		status, body := b.do(tc.method, tc.path, tc.token, tc.body)
		require.Equal(t, tc.want, status, "%s: %s", tc.name, body)
		if status >= 400 {
			var p map[string]any
			require.NoError(t, json.Unmarshal(body, &p), tc.name)
			require.EqualValues(t, tc.want, p["status"], tc.name)
		}
	}

	// A disabled account's token stops working at once; a role change applies at once.
	b.doJSON("PATCH", "/v1/moderators/mod", b.tokens[RoleAdmin], map[string]any{"role": "senior"}, http.StatusOK, nil)
	status, _ := b.do("GET", "/v1/audit", mod, nil)
	require.Equal(t, http.StatusOK, status)
	b.doJSON("PATCH", "/v1/moderators/mod", b.tokens[RoleAdmin], map[string]any{"disabled": true}, http.StatusOK, nil)
	status, _ = b.do("GET", "/v1/queue", mod, nil)
	require.Equal(t, http.StatusUnauthorized, status)
}

// browser is an HTTP client with a cookie jar, like a moderator's browser.
type browser struct {
	t    *testing.T
	b    *bundle
	c    *http.Client
	csrf string
}

func (br *browser) do(method, path string, body any, hdr map[string]string) (int, []byte) {
	br.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, br.b.srv.URL+path, rd)
	require.NoError(br.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := br.c.Do(req)
	require.NoError(br.t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func TestSessionsAndCSRF(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.admit(b.comment("c1", "alice", message.ActionReview), b.comment("c2", "alice", message.ActionReview))
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	br := &browser{t: t, b: b, c: &http.Client{Jar: jar}}

	status, _ := br.do("POST", "/v1/session", map[string]any{"tenant": b.tenant, "login": "mod", "password": "wrong password!"}, nil)
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = br.do("POST", "/v1/session", map[string]any{"tenant": b.tenant, "login": "nobody", "password": "wrong password!"}, nil)
	require.Equal(t, http.StatusUnauthorized, status)

	// Log in and look at the cookie the browser got.
	req, _ := http.NewRequest("POST", b.srv.URL+"/v1/session", jsonBody(t, map[string]any{"tenant": b.tenant, "login": "mod", "password": "password-mod-long"}))
	req.Header.Set("Content-Type", "application/json")
	resp, err := br.c.Do(req)
	require.NoError(t, err)
	var sess sessionView
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&sess))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	setCookie := resp.Header.Get("Set-Cookie")
	require.Contains(t, setCookie, "HttpOnly")
	require.Contains(t, setCookie, "SameSite=Strict")
	require.NotContains(t, setCookie, "Secure") // plain HTTP test server
	require.Equal(t, "moderator", sess.Role)
	require.NotEmpty(t, sess.CSRFToken)

	// Reads work with the cookie alone; the session says when it ends, so
	// every tab can warn before it does.
	status, _ = br.do("GET", "/v1/queue", nil, nil)
	require.Equal(t, http.StatusOK, status)
	var again sessionView
	status, raw := br.do("GET", "/v1/session", nil, nil)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, json.Unmarshal(raw, &again))
	require.NotNil(t, sess.ExpiresAt)
	require.NotNil(t, again.ExpiresAt)
	require.WithinDuration(t, *sess.ExpiresAt, *again.ExpiresAt, 5*time.Second)
	require.WithinDuration(t, b.clock.Now().Add(12*time.Hour), *again.ExpiresAt, 5*time.Second)
	var viaToken sessionView
	b.doJSON("GET", "/v1/session", b.tokens[RoleModerator], nil, http.StatusOK, &viaToken)
	require.Nil(t, viaToken.ExpiresAt, "API tokens do not expire")
	// A cross-site POST is refused even with the right token...
	status, _ = br.do("POST", itemPath("c1", "/decision"), map[string]any{"decision": "approve"},
		map[string]string{"Origin": "https://evil.example", csrfHeader: sess.CSRFToken})
	require.Equal(t, http.StatusForbidden, status)
	status, _ = br.do("POST", itemPath("c1", "/decision"), map[string]any{"decision": "approve"},
		map[string]string{"Sec-Fetch-Site": "cross-site", csrfHeader: sess.CSRFToken})
	require.Equal(t, http.StatusForbidden, status)
	// ...so is a same-site one without the token...
	status, _ = br.do("POST", itemPath("c1", "/decision"), map[string]any{"decision": "approve"}, nil)
	require.Equal(t, http.StatusForbidden, status)
	// ...and a same-origin one with it passes.
	status, body := br.do("POST", itemPath("c1", "/decision"), map[string]any{"decision": "approve"},
		map[string]string{"Origin": b.srv.URL, "Sec-Fetch-Site": "same-origin", csrfHeader: sess.CSRFToken})
	require.Equal(t, http.StatusOK, status, string(body))

	// Logout ends the session server-side.
	status, _ = br.do("DELETE", "/v1/session", nil, map[string]string{csrfHeader: sess.CSRFToken})
	require.Equal(t, http.StatusNoContent, status)
	status, _ = br.do("GET", "/v1/queue", nil, nil)
	require.Equal(t, http.StatusUnauthorized, status)
}

func TestSecureCookieUnderTLS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	api, err := NewAPI(APIConfig{Store: b.store, SecureCookies: true})
	require.NoError(t, err)
	mux := http.NewServeMux()
	api.Register(mux)
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest("POST", "/v1/session", strings.NewReader(`{"tenant":"`+b.tenant+`","login":"admin","password":"password-admin-long"}`))
	req.Header.Set("Content-Type", "application/json")
	mux.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.status)
	require.Contains(t, rec.header.Get("Set-Cookie"), "Secure")
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

func TestModeratorsTokensAndSettingsThroughAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.tokens[RoleAdmin]
	var m Moderator
	b.doJSON("POST", "/v1/moderators", admin, map[string]any{"login": "zoe", "password": "a-long-password", "role": "senior"}, http.StatusCreated, &m)
	require.Equal(t, "senior", m.Role)
	status, _ := b.do("POST", "/v1/moderators", admin, map[string]any{"login": "zoe", "password": "a-long-password", "role": "senior"})
	require.Equal(t, http.StatusConflict, status)
	status, _ = b.do("POST", "/v1/moderators", admin, map[string]any{"login": "short", "password": "short", "role": "senior"})
	require.Equal(t, http.StatusBadRequest, status)

	var tok struct {
		Token string `json:"token"`
		ID    string `json:"id"`
	}
	b.doJSON("POST", "/v1/tokens", admin, map[string]any{"name": "script", "login": "zoe"}, http.StatusCreated, &tok)
	require.True(t, strings.HasPrefix(tok.Token, apiTokenPrefix+b.tenant+"."))
	var sv sessionView
	b.doJSON("GET", "/v1/session", tok.Token, nil, http.StatusOK, &sv)
	require.Equal(t, "zoe", sv.Login)
	require.Equal(t, "senior", sv.Role)
	// Moderators cannot mint tokens for others, nor revoke others' tokens.
	status, _ = b.do("POST", "/v1/tokens", b.tokens[RoleModerator], map[string]any{"login": "zoe"})
	require.Equal(t, http.StatusForbidden, status)
	status, _ = b.do("DELETE", "/v1/tokens/"+tok.ID, b.tokens[RoleModerator], nil)
	require.Equal(t, http.StatusNotFound, status)
	b.doJSON("DELETE", "/v1/tokens/"+tok.ID, admin, nil, http.StatusNoContent, nil)
	status, _ = b.do("GET", "/v1/session", tok.Token, nil)
	require.Equal(t, http.StatusUnauthorized, status)

	var sv2 settingsView
	b.doJSON("GET", "/v1/settings", admin, nil, http.StatusOK, &sv2)
	require.Equal(t, DefaultTenantSettings().SpamReview, sv2.SpamReview)
	status, _ = b.do("PATCH", "/v1/settings", admin, map[string]any{"webhook_url": "https://hooks.example/x"})
	require.Equal(t, http.StatusBadRequest, status, "a webhook URL needs a secret")
	status, raw := b.do("PATCH", "/v1/settings", admin, map[string]any{
		"webhook_url": "https://hooks.example/x", "webhook_secret": "whsec-0123456789abcdef",
		"mode": "pre", "languages": []string{"fr", "en"}, "spam_review": 0.4, "trust_after": 5,
	})
	require.Equal(t, http.StatusOK, status, string(raw))
	require.NotContains(t, string(raw), "whsec-0123456789abcdef")
	require.NoError(t, json.Unmarshal(raw, &sv2))
	require.True(t, sv2.WebhookSecretSet)
	require.Equal(t, []string{"fr", "en"}, sv2.Languages)
	st, err := b.store.TenantSettings(context.Background(), b.tenant)
	require.NoError(t, err)
	require.Equal(t, "pre", st.Mode)
	require.Equal(t, 5, st.TrustAfter)
	require.Equal(t, 0.4, st.SpamReview)
	status, _ = b.do("PATCH", "/v1/settings", admin, map[string]any{"spam_review": 0.95})
	require.Equal(t, http.StatusBadRequest, status, "review above reject")
	status, _ = b.do("PATCH", "/v1/settings", admin, map[string]any{"colour": "blue"})
	require.Equal(t, http.StatusBadRequest, status)
}

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Admin(ctx, b.store, args, &out)
		return out.String(), err
	}
	out, err := run("moderators", "add", b.tenant, "yann", "senior")
	require.NoError(t, err)
	require.Contains(t, out, "password: ")
	pw := strings.TrimSpace(out[strings.Index(out, "password: ")+len("password: "):])
	_, _, _, err = b.store.login(ctx, b.tenant, "yann", pw)
	require.NoError(t, err)

	out, err = run("moderators", "list", b.tenant)
	require.NoError(t, err)
	require.Contains(t, out, "yann")
	require.Contains(t, out, "senior")
	_, err = run("moderators", "role", b.tenant, "yann", "admin")
	require.NoError(t, err)
	out, err = run("tokens", "create", b.tenant, "yann", "cron")
	require.NoError(t, err)
	tok := strings.TrimSpace(out[strings.Index(out, "token: ")+len("token: "):])
	p, err := b.store.lookupAPIToken(ctx, tok)
	require.NoError(t, err)
	require.Equal(t, RoleAdmin, p.Role)
	out, err = run("tokens", "list", b.tenant)
	require.NoError(t, err)
	require.Contains(t, out, "cron")
	_, err = run("moderators", "disable", b.tenant, "yann")
	require.NoError(t, err)
	_, err = b.store.lookupAPIToken(ctx, tok)
	require.Error(t, err)

	out, err = run("settings", "set", b.tenant, "mode=pre", "premoderate_until=3")
	require.NoError(t, err)
	require.Contains(t, out, "mode=pre")
	out, err = run("settings", "get", b.tenant)
	require.NoError(t, err)
	require.Contains(t, out, "premoderate_until=3")
	_, err = run("settings", "set", b.tenant, "mode=sometimes")
	require.Equal(t, Invalid, CodeOf(err))

	out, err = run("moderators")
	require.ErrorIs(t, err, ErrUsage)
	require.Contains(t, out, "usage: vigie admin")
	_, err = run("frobnicate", "x", b.tenant)
	require.ErrorIs(t, err, ErrUsage)
}
