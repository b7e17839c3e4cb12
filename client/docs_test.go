package client_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/review"
)

// shellRecipe returns the webhook verification shell block of
// docs/publisher.md.
func shellRecipe(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("../docs/publisher.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "<!-- webhook-shell-begin -->\n```sh\n")
	require.True(t, ok, "the recipe's begin marker is missing")
	block, _, ok := strings.Cut(rest, "```\n<!-- webhook-shell-end -->")
	require.True(t, ok, "the recipe's end marker is missing")
	return block
}

// TestShellWebhookRecipe runs the documented shell verification against
// signatures made by the review role's signer.
func TestShellWebhookRecipe(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatalf("the recipe needs openssl: %v", err)
	}
	recipe := shellRecipe(t)
	secret := "whsec_0123456789abcdef"
	body := []byte(`{"v":1,"tenant":"lemonde","comment_id":"c-1042","decision":"reject","reason":"insult","moderator":"marie","decided_at":"2026-03-01T12:00:00Z","event_id":"8c1e4f2a"}` + "\n")
	good := review.Sign(secret, time.Now(), body)
	parts := strings.SplitN(good, ",", 2)
	cases := []struct {
		name, signature, secret string
		ok                      bool
	}{
		{"valid", good, secret, true},
		{"two signatures", parts[0] + ",v1=" + strings.Repeat("ab", 32) + "," + parts[1], secret, true},
		{"wrong secret", good, "whsec_another_secret", false},
		{"stale", review.Sign(secret, time.Now().Add(-10*time.Minute), body), secret, false},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "body.json"), body, 0o600))
		cmd := exec.Command("bash", "-c", recipe)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "SIGNATURE="+tc.signature, "VIGIE_WEBHOOK_SECRET="+tc.secret)
		out, err := cmd.CombinedOutput()
		if tc.ok {
			require.NoError(t, err, "%s: %s", tc.name, out)
			require.Equal(t, "verified\n", string(out), tc.name)
		} else {
			require.Error(t, err, "%s: %s", tc.name, out)
		}
	}
}
