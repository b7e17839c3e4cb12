package review

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

func TestAdmitQueuesFlaggedCommentsOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res := b.admit(
		b.comment("c1", "alice", message.ActionReview, "r-link"),
		b.comment("c2", "bob", message.ActionAllow),
		b.comment("c3", "carol", message.ActionReject, "r-insult"),
	)
	require.Equal(t, AdmitResult{Queued: 2, Skipped: 1}, res)

	// A redelivered batch changes nothing.
	res = b.admit(b.comment("c1", "alice", message.ActionReview, "r-link"), b.comment("c2", "bob", message.ActionAllow))
	require.Equal(t, AdmitResult{Duplicate: 1, Skipped: 1}, res)

	var page queuePage
	b.doJSON("GET", "/v1/queue", b.tokens[RoleModerator], nil, http.StatusOK, &page)
	require.EqualValues(t, 2, page.Total)
	require.Len(t, page.Items, 2)
	// c3 is in a higher band (reject) so it comes first.
	require.Equal(t, "c3", page.Items[0].CommentID)
	require.Equal(t, "c1", page.Items[1].CommentID)
	it := page.Items[1]
	require.Equal(t, "pending", it.Status)
	require.Equal(t, "some text of c1", it.Comment.Text)
	require.Equal(t, "alice", it.Comment.Author.ID)
	require.Equal(t, "thread-1", it.Comment.ThreadID)
	require.Equal(t, "https://news.example/a/1", it.Comment.URL)
	require.Equal(t, message.ActionReview, it.Verdict.Action)
	require.Equal(t, "r-link", it.Verdict.Matches[0].Rule)
}

func TestAdmitEditReplacesPendingButNeverDecided(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.admit(b.comment("c1", "alice", message.ActionReview, "r1"), b.comment("c2", "alice", message.ActionReview, "r1"))
	b.doJSON("POST", itemPath("c2", "/decision"), b.tokens[RoleModerator], map[string]any{"decision": "approve"}, http.StatusOK, nil)

	e1 := b.comment("c1", "alice", message.ActionReview, "r2")
	e1.Comment.Edited, e1.Comment.Text = true, "edited text"
	e2 := b.comment("c2", "alice", message.ActionReject, "r2")
	e2.Comment.Edited, e2.Comment.Text = true, "edited after approval"
	require.Equal(t, AdmitResult{Edited: 1, Duplicate: 1}, b.admit(e1, e2))

	var it itemView
	b.doJSON("GET", itemPath("c1", ""), b.tokens[RoleModerator], nil, http.StatusOK, &it)
	require.Equal(t, "edited text", it.Comment.Text)
	require.True(t, it.Edited)
	require.Equal(t, "r2", it.Verdict.Matches[0].Rule)
	b.doJSON("GET", itemPath("c2", ""), b.tokens[RoleModerator], nil, http.StatusOK, &it)
	require.Equal(t, "approved", it.Status)
	require.Equal(t, "some text of c2", it.Comment.Text)

	// The rule index follows the edit.
	var page queuePage
	b.doJSON("GET", "/v1/queue?rule=r1", b.tokens[RoleModerator], nil, http.StatusOK, &page)
	require.Empty(t, page.Items)
	b.doJSON("GET", "/v1/queue?rule=r2", b.tokens[RoleModerator], nil, http.StatusOK, &page)
	require.Len(t, page.Items, 1)
}

func TestDecisionRecordedExactlyOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.admit(b.comment("c1", "alice", message.ActionReview, "r1"))
	body := map[string]any{"decision": "reject", "reason": "spam", "note": "link farm"}
	var first, again decideOutcome
	b.doJSON("POST", itemPath("c1", "/decision"), b.tokens[RoleModerator], body, http.StatusOK, &first)
	require.Equal(t, "rejected", first.Status)
	require.False(t, first.Replayed)
	// The same request retried (a lost response) records nothing new.
	b.doJSON("POST", itemPath("c1", "/decision"), b.tokens[RoleModerator], body, http.StatusOK, &again)
	require.True(t, again.Replayed)
	require.Equal(t, first.EventID, again.EventID)
	// A different decision must undo the first one.
	status, _ := b.do("POST", itemPath("c1", "/decision"), b.tokens[RoleModerator], map[string]any{"decision": "approve"})
	require.Equal(t, http.StatusConflict, status)

	out := b.outbox()
	require.Len(t, out, 1)
	d := out[0]
	require.Equal(t, message.Decision{
		V: 1, Tenant: b.tenant, CommentID: "c1", Decision: message.DecisionReject, Reason: "spam",
		Moderator: "mod", DecidedAt: d.DecidedAt, EventID: first.EventID,
	}, d)
	require.WithinDuration(t, b.clock.Now(), d.DecidedAt, time.Millisecond)

	var page queuePage
	b.doJSON("GET", "/v1/queue", b.tokens[RoleModerator], nil, http.StatusOK, &page)
	require.Empty(t, page.Items)
}

func TestDecisionWithIdempotencyKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.admit(b.comment("c1", "alice", message.ActionReview))
	send := func() decideOutcome {
		req, err := http.NewRequest("POST", b.srv.URL+itemPath("c1", "/decision"), jsonBody(t, map[string]any{"decision": "approve"}))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+b.tokens[RoleModerator])
		req.Header.Set("Idempotency-Key", "req-42")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var o decideOutcome
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&o))
		return o
	}
	first := send()
	// Undo, then the original request arrives again: the key still says it
	// was recorded, so it is not applied a second time.
	b.doJSON("POST", itemPath("c1", "/undo"), b.tokens[RoleModerator], nil, http.StatusOK, nil)
	again := send()
	require.True(t, again.Replayed)
	require.Equal(t, first.EventID, again.EventID)
	require.Len(t, b.outbox(), 2) // approve, undo
}

func TestDecisionValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.admit(b.comment("c1", "alice", message.ActionReview))
	tok := b.tokens[RoleModerator]
	status, _ := b.do("POST", itemPath("c1", "/decision"), tok, map[string]any{"decision": "maybe"})
	require.Equal(t, http.StatusBadRequest, status)
	status, _ = b.do("POST", itemPath("nope", "/decision"), tok, map[string]any{"decision": "approve"})
	require.Equal(t, http.StatusNotFound, status)

	req, _ := http.NewRequest("POST", b.srv.URL+itemPath("c1", "/decision"), jsonBody(t, map[string]any{"decision": "approve"}))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))

	req, _ = http.NewRequest("POST", b.srv.URL+itemPath("c1", "/decision"), stringsReader("{not json"))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	big := map[string]any{"decision": "reject", "note": string(make([]byte, 70<<10))}
	status, _ = b.do("POST", itemPath("c1", "/decision"), tok, big)
	require.Equal(t, http.StatusRequestEntityTooLarge, status)

	// A free-text reason is kept as the note under the code "other".
	var out decideOutcome
	b.doJSON("POST", itemPath("c1", "/decision"), tok, map[string]any{"decision": "reject", "reason": "rude words"}, http.StatusOK, &out)
	var it itemView
	b.doJSON("GET", itemPath("c1", ""), tok, nil, http.StatusOK, &it)
	require.Equal(t, "other", it.Decision.Reason)
	require.Equal(t, "rude words", it.Decision.Note)
}

func TestOpaqueIdentifiersInKeysAndPaths(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := "a/b:c {x} é?#%"
	author := "user:42/x"
	b.admit(b.comment(id, author, message.ActionReview))
	var it itemView
	b.doJSON("GET", itemPath(id, ""), b.tokens[RoleModerator], nil, http.StatusOK, &it)
	require.Equal(t, id, it.CommentID)
	b.doJSON("POST", itemPath(id, "/decision"), b.tokens[RoleModerator], map[string]any{"decision": "approve"}, http.StatusOK, nil)
	var av authorView
	b.doJSON("GET", "/v1/authors/"+pathEscape(author), b.tokens[RoleModerator], nil, http.StatusOK, &av)
	require.EqualValues(t, 1, av.Counts["approved"])
	n, err := b.rdb.Exists(context.Background(), itemKey(b.tenant, id)).Result()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}
