package review

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

// TestKeyLayoutIsDocumented runs a short session (with a stats sample) and checks that every key
// redis-cli would show for the tenant is one docs/review.md documents.
func TestKeyLayoutIsDocumented(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.admit(b.comment("c1", "alice", message.ActionReview, "r1"), b.comment("c2", "alice", message.ActionReview))
	var cl claimResponse
	b.doJSON("POST", "/v1/queue/claim", b.tokens[RoleModerator], nil, http.StatusOK, &cl)
	b.doJSON("POST", itemPath("c2", "/decision"), b.tokens[RoleModerator], map[string]any{"decision": "reject", "reason": "spam"}, http.StatusOK, nil)
	b.doJSON("POST", "/v1/authors/alice/notes", b.tokens[RoleModerator], map[string]any{"text": "n"}, http.StatusCreated, nil)
	_, err := b.store.setSettings(ctx, b.tenant, "test", map[string]string{"mode": "pre"})
	require.NoError(t, err)
	require.NoError(t, b.store.SampleStats(ctx))

	doc, err := os.ReadFile("../docs/review.md")
	require.NoError(t, err)
	kinds := map[string]*regexp.Regexp{
		"item:": nil, "queue:pending": nil, "queue:escalated": nil, "claims": nil, "waiting": nil,
		"idx:label:": nil, "idx:lang:": nil, "idx:thread:": nil, "idx:rule:": nil, "idx:author:": nil,
		"author:": nil, "author_items:": nil, "author_notes:": nil, "outbox": nil, "outbox:cursor": nil,
		"outbox:lock": nil, "webhook:retry": nil, "webhook:body": nil, "webhook:dead": nil, "audit": nil,
		"settings": nil, "idem:": nil, "stats:rules": nil, "stats:decisions": nil, "moderators": nil,
		"moderator:": nil, "tokens": nil, "token:": nil, "session:": nil, "tmp:": nil,
		"scores": nil, "indexes": nil, "thread:": nil, "stats:history": nil,
	}
	for k := range kinds {
		require.Contains(t, string(doc), k, "docs/review.md documents %q", k)
	}
	prefix := keyPrefix(b.tenant)
	keys, err := b.rdb.Keys(ctx, strings.ReplaceAll(strings.ReplaceAll(prefix, "{", `\{`), "}", `\}`)+"*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	for _, key := range keys {
		rest := strings.TrimPrefix(key, prefix)
		ok := false
		for k := range kinds {
			if rest == k || (strings.HasSuffix(k, ":") && strings.HasPrefix(rest, k)) {
				ok = true
			}
		}
		require.True(t, ok, "key %q is not in the documented layout", key)
	}
}

// TestShellVerificationRecipe runs the openssl recipe of docs/review.md on a
// signature made by Sign.
func TestShellVerificationRecipe(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	doc, err := os.ReadFile("../docs/review.md")
	require.NoError(t, err)
	s := string(doc)
	start := strings.Index(s, "```sh\nt=$(")
	require.GreaterOrEqual(t, start, 0, "the shell recipe is in docs/review.md")
	recipe := s[start+len("```sh\n"):]
	recipe = recipe[:strings.Index(recipe, "```")]

	dir := t.TempDir()
	body := []byte(`{"v":1,"tenant":"acme","comment_id":"c-1","decision":"reject","reason":"spam"}`)
	require.NoError(t, os.WriteFile(dir+"/body.json", body, 0o600))
	const secret = "whsec-shell-0123456789"
	run := func(header string) string {
		cmd := exec.Command("bash", "-c", recipe)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HEADER="+header, "VIGIE_WEBHOOK_SECRET="+secret)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return strings.TrimSpace(string(out))
	}
	require.Equal(t, "valid", run(Sign(secret, time.Now(), body)))
	require.Equal(t, "INVALID", run(Sign("another-secret-xyz", time.Now(), body)))
	require.Equal(t, "INVALID", run(Sign(secret, time.Now().Add(-time.Hour), body)))
}
