package review

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

func TestUndoIsACompensatingEventWithinItsWindow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mod := b.tokens[RoleModerator]
	b.admit(b.comment("c1", "alice", message.ActionReview, "r1"), b.comment("c2", "alice", message.ActionReview, "r1"))
	var dec decideOutcome
	b.doJSON("POST", itemPath("c1", "/decision"), mod, map[string]any{"decision": "reject", "reason": "spam"}, http.StatusOK, &dec)

	var undo decideOutcome
	b.doJSON("POST", itemPath("c1", "/undo"), mod, map[string]any{"event_id": dec.EventID}, http.StatusOK, &undo)
	require.Equal(t, "pending", undo.Status)
	// Retrying the same undo changes nothing more.
	var again decideOutcome
	b.doJSON("POST", itemPath("c1", "/undo"), mod, map[string]any{"event_id": dec.EventID}, http.StatusOK, &again)
	require.True(t, again.Replayed)
	require.Equal(t, undo.EventID, again.EventID)
	// Nothing left to undo.
	status, _ := b.do("POST", itemPath("c1", "/undo"), mod, nil)
	require.Equal(t, http.StatusPreconditionFailed, status)

	out := b.outbox()
	require.Len(t, out, 2)
	require.Equal(t, message.DecisionUndo, out[1].Decision)
	require.Equal(t, dec.EventID, out[1].Reason)
	require.Equal(t, "c1", out[1].CommentID)

	// The item is back in the queue and in its indexes; the counters moved back.
	var page queuePage
	b.doJSON("GET", "/v1/queue?rule=r1", mod, nil, http.StatusOK, &page)
	require.Len(t, page.Items, 2)
	var av authorView
	b.doJSON("GET", "/v1/authors/alice", mod, nil, http.StatusOK, &av)
	require.Zero(t, av.Counts["rejected"])
	fb, err := b.store.ruleFeedback(context.Background(), b.tenant)
	require.NoError(t, err)
	require.Equal(t, []RuleFeedback{{Rule: "r1", Flagged: 2}}, fb)

	// Past the window an undo is refused.
	b.doJSON("POST", itemPath("c2", "/decision"), mod, map[string]any{"decision": "approve"}, http.StatusOK, nil)
	b.clock.Advance(11 * time.Minute)
	status, _ = b.do("POST", itemPath("c2", "/undo"), mod, nil)
	require.Equal(t, http.StatusPreconditionFailed, status)
}

func TestEscalationGoesToSeniors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mod, senior := b.tokens[RoleModerator], b.tokens[RoleSenior]
	b.admit(b.comment("c1", "alice", message.ActionReview))
	b.doJSON("POST", itemPath("c1", "/decision"), mod, map[string]any{"decision": "escalate", "reason": "threat"}, http.StatusOK, nil)
	var page queuePage
	b.doJSON("GET", "/v1/queue", mod, nil, http.StatusOK, &page)
	require.Empty(t, page.Items)
	status, _ := b.do("GET", "/v1/queue?queue=escalated", mod, nil)
	require.Equal(t, http.StatusForbidden, status)
	status, _ = b.do("POST", itemPath("c1", "/decision"), mod, map[string]any{"decision": "reject"})
	require.Equal(t, http.StatusForbidden, status)

	var out claimResponse
	b.doJSON("POST", "/v1/queue/claim", senior, map[string]any{"queue": "escalated"}, http.StatusOK, &out)
	require.Len(t, out.Claims, 1)
	b.doJSON("POST", itemPath("c1", "/decision"), senior, map[string]any{"decision": "reject", "reason": "threat", "token": out.Claims[0].Token}, http.StatusOK, nil)
	// Undoing the senior's decision puts the item back in the senior queue.
	b.doJSON("POST", itemPath("c1", "/undo"), senior, nil, http.StatusOK, nil)
	b.doJSON("GET", "/v1/queue?queue=escalated", senior, nil, http.StatusOK, &page)
	require.Len(t, page.Items, 1)
	kinds := []message.DecisionKind{}
	for _, d := range b.outbox() {
		kinds = append(kinds, d.Decision)
	}
	require.Equal(t, []message.DecisionKind{message.DecisionEscalate, message.DecisionReject, message.DecisionUndo}, kinds)
}

func TestBulkDecisions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mod, senior := b.tokens[RoleModerator], b.tokens[RoleSenior]
	b.admit(
		b.comment("c1", "alice", message.ActionReview, "r1"), b.comment("c2", "alice", message.ActionReview, "r1"),
		b.comment("c3", "bob", message.ActionReview, "r2"), b.comment("c4", "bob", message.ActionReview, "r2"),
	)
	var held claimedItem
	b.doJSON("POST", itemPath("c2", "/claim"), senior, nil, http.StatusOK, &held)

	var res struct {
		Results []bulkResult `json:"results"`
	}
	b.doJSON("POST", "/v1/queue/decisions", mod, map[string]any{
		"comment_ids": []string{"c1", "c2", "missing"}, "decision": "approve",
	}, http.StatusOK, &res)
	require.Len(t, res.Results, 3)
	require.Equal(t, http.StatusOK, res.Results[0].HTTPStatus)
	require.Equal(t, http.StatusConflict, res.Results[1].HTTPStatus)
	require.Equal(t, http.StatusNotFound, res.Results[2].HTTPStatus)

	// By filter: every pending item a rule flagged.
	b.doJSON("POST", "/v1/queue/decisions", mod, map[string]any{
		"filter": map[string]any{"rule": "r2"}, "decision": "reject", "reason": "spam",
	}, http.StatusOK, &res)
	require.Len(t, res.Results, 2)
	for _, r := range res.Results {
		require.Equal(t, "rejected", r.Status)
	}
	require.Len(t, b.outbox(), 3)
}

func TestAuthorsBanTrustAndPremoderation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mod, senior := b.tokens[RoleModerator], b.tokens[RoleSenior]
	ctx := context.Background()

	// Reject everything pending from one author.
	b.admit(b.comment("s1", "spammer", message.ActionReview), b.comment("s2", "spammer", message.ActionReject), b.comment("x", "other", message.ActionReview))
	var res struct {
		Results []bulkResult `json:"results"`
	}
	b.doJSON("POST", "/v1/authors/spammer/reject-pending", mod, map[string]any{"reason": "spam"}, http.StatusOK, &res)
	require.Len(t, res.Results, 2)

	// Ban: moderators may not, seniors may; pending items are rejected and
	// future comments rejected automatically, allowed ones included.
	b.admit(b.comment("t1", "troll", message.ActionReview))
	status, _ := b.do("PUT", "/v1/authors/troll/ban", mod, map[string]any{"reason": "harassment"})
	require.Equal(t, http.StatusForbidden, status)
	b.doJSON("PUT", "/v1/authors/troll/ban", senior, map[string]any{"reason": "harassment", "note": "repeat offender"}, http.StatusOK, &res)
	require.Len(t, res.Results, 1)
	require.Equal(t, "rejected", res.Results[0].Status)
	got := b.admit(b.comment("t2", "troll", message.ActionAllow), b.comment("t3", "troll", message.ActionReview))
	require.Equal(t, 2, got.AutoRejected)
	// The allowed comment left out its item fields at first: the second
	// round trip stored it whole.
	var t2 itemView
	b.doJSON("GET", itemPath("t2", ""), mod, nil, http.StatusOK, &t2)
	require.Equal(t, "rejected", t2.Status)
	require.Equal(t, "some text of t2", t2.Comment.Text)
	require.Equal(t, message.ActionAllow, t2.Verdict.Action)
	var av authorView
	b.doJSON("GET", "/v1/authors/troll", mod, nil, http.StatusOK, &av)
	require.True(t, av.Banned)
	require.Equal(t, "harassment", av.BanReason)
	require.EqualValues(t, 1, av.Counts["rejected"])
	require.EqualValues(t, 2, av.Counts["auto_rejected"])
	require.Len(t, av.Recent, 3)
	out := b.outbox()
	last := out[len(out)-1]
	require.Equal(t, "vigie:auto", last.Moderator)
	require.Equal(t, message.DecisionReject, last.Decision)
	require.Equal(t, "harassment", last.Reason)
	// An automatic rejection can be undone like any decision.
	b.doJSON("POST", itemPath("t3", "/undo"), senior, nil, http.StatusOK, nil)
	b.doJSON("DELETE", "/v1/authors/troll/ban", senior, nil, http.StatusNoContent, nil)
	require.Equal(t, 1, b.admit(b.comment("t4", "troll", message.ActionReview)).Queued)

	// Premoderation holds new authors' clean comments; trust approves after N.
	_, err := b.store.setSettings(ctx, b.tenant, "test", map[string]string{"premoderate_until": "1", "trust_after": "2"})
	require.NoError(t, err)
	require.Equal(t, AdmitResult{Queued: 1}, b.admit(b.comment("n1", "newbie", message.ActionAllow)))
	var it itemView
	b.doJSON("GET", itemPath("n1", ""), mod, nil, http.StatusOK, &it)
	require.Equal(t, "premoderation", it.QueuedFor)
	b.doJSON("POST", itemPath("n1", "/decision"), mod, map[string]any{"decision": "approve"}, http.StatusOK, nil)
	require.Equal(t, AdmitResult{Skipped: 1, Queued: 1}, b.admit(b.comment("n2", "newbie", message.ActionAllow), b.comment("n3", "newbie", message.ActionReview)))
	b.doJSON("POST", itemPath("n3", "/decision"), mod, map[string]any{"decision": "approve"}, http.StatusOK, nil)
	// Two approvals: trusted now, a review verdict is approved automatically
	// but a reject verdict still goes to moderators.
	require.Equal(t, AdmitResult{AutoApproved: 1, Queued: 1}, b.admit(b.comment("n4", "newbie", message.ActionReview), b.comment("n5", "newbie", message.ActionReject)))
	b.doJSON("GET", "/v1/authors/newbie", mod, nil, http.StatusOK, &av)
	require.True(t, av.Trusted)
	require.False(t, av.Premoderated)

	// Explicit trust, and notes.
	b.doJSON("PUT", "/v1/authors/vip/trust", senior, nil, http.StatusNoContent, nil)
	require.Equal(t, 1, b.admit(b.comment("v1", "vip", message.ActionReview)).AutoApproved)
	b.doJSON("POST", "/v1/authors/vip/notes", mod, map[string]any{"text": "columnist"}, http.StatusCreated, nil)
	b.doJSON("GET", "/v1/authors/vip", mod, nil, http.StatusOK, &av)
	require.True(t, av.TrustedExplicitly)
	require.Len(t, av.Notes, 1)
	require.Equal(t, "columnist", av.Notes[0].Text)
	status, _ = b.do("GET", "/v1/authors/nobody", mod, nil)
	require.Equal(t, http.StatusNotFound, status)
}

func TestAuditStatsAndRuleFeedback(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mod, senior := b.tokens[RoleModerator], b.tokens[RoleSenior]
	b.admit(b.comment("c1", "alice", message.ActionReview, "r1"), b.comment("c2", "alice", message.ActionReview, "r1", "r2"), b.comment("c3", "bob", message.ActionReview, "r2"))
	b.clock.Advance(90 * time.Second)
	b.doJSON("POST", itemPath("c1", "/decision"), mod, map[string]any{"decision": "reject", "reason": "spam"}, http.StatusOK, nil)
	b.doJSON("POST", itemPath("c2", "/decision"), mod, map[string]any{"decision": "approve"}, http.StatusOK, nil)

	var st queueStats
	b.doJSON("GET", "/v1/stats", mod, nil, http.StatusOK, &st)
	require.Len(t, st.DecisionsPerHour, 24)
	now := b.clock.Now()
	require.Equal(t, now.Truncate(time.Hour), st.DecisionsPerHour[23].Start, "the current hour is the last bucket")
	require.Equal(t, now.Truncate(time.Hour).Add(-23*time.Hour), st.DecisionsPerHour[0].Start)
	require.EqualValues(t, 2, st.DecisionsPerHour[23].Decisions)
	st.DecisionsPerHour = nil
	require.Equal(t, queueStats{Pending: 1, OldestAgeSeconds: 90, DecisionsLastHour: 2, DecisionsLastDay: 2}, st)

	var fb struct {
		Rules []RuleFeedback `json:"rules"`
	}
	b.doJSON("GET", "/v1/stats/rules", mod, nil, http.StatusOK, &fb)
	half, zero := 0.5, 0.0
	require.Equal(t, []RuleFeedback{
		{Rule: "r1", Flagged: 2, Rejected: 1, Approved: 1, Precision: &half},
		{Rule: "r2", Flagged: 2, Approved: 1, Precision: &zero},
	}, fb.Rules)

	status, _ := b.do("GET", "/v1/audit", mod, nil)
	require.Equal(t, http.StatusForbidden, status)
	var audit struct {
		Entries []AuditEntry `json:"entries"`
	}
	b.doJSON("GET", "/v1/audit?limit=2", senior, nil, http.StatusOK, &audit)
	require.Len(t, audit.Entries, 2)
	e := audit.Entries[0].Fields
	require.Equal(t, "approve", e["action"])
	require.Equal(t, "mod", e["actor"])
	require.Equal(t, "c2", e["comment_id"])
	require.Equal(t, "review", e["verdict_action"])
	require.Equal(t, "rs1", e["ruleset"])
	for _, en := range audit.Entries {
		for _, v := range en.Fields {
			require.NotContains(t, v, "some text of", "no comment text in the audit log")
		}
	}
	var older struct {
		Entries []AuditEntry `json:"entries"`
	}
	b.doJSON("GET", "/v1/audit?before="+audit.Entries[1].ID, senior, nil, http.StatusOK, &older)
	require.NotEmpty(t, older.Entries) // account and token creation of setup
	require.Equal(t, "token.create", older.Entries[0].Fields["action"])
}
