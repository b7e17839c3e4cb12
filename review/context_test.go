package review

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/vigie-moderation/vigie/internal/message"
)

// inThread returns a classified comment of thread, replying to parent,
// written at the given time.
func (b *bundle) inThread(id, thread, parent, author string, at time.Time, action message.Action, rules ...string) message.Classified {
	c := b.comment(id, author, action, rules...)
	c.Comment.ThreadID, c.Comment.ParentID, c.Comment.CreatedAt = thread, parent, at
	return c
}

func threadIDs(p threadPage) []string {
	var ids []string
	for _, c := range p.Comments {
		ids = append(ids, c.CommentID)
	}
	return ids
}

func TestThreadKeepsEveryCommentForContext(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mod := b.tokens[RoleModerator]
	t0 := b.clock.Now().Add(-time.Hour)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	// Admitted out of order: the thread is kept in creation order.
	res := b.admit(
		b.inThread("p2", "art-1", "", "bob", at(1), message.ActionAllow),
		b.inThread("p1", "art-1", "", "alice", at(0), message.ActionAllow),
		b.inThread("c3", "art-1", "p1", "troll", at(2), message.ActionReview, "r1"),
		b.inThread("p4", "art-1", "", "carol", at(3), message.ActionAllow),
		b.inThread("p5", "art-1", "p4", "dave", at(4), message.ActionAllow),
		b.inThread("x1", "art-2", "", "erin", at(0), message.ActionAllow),
	)
	require.Equal(t, AdmitResult{Queued: 1, Skipped: 5}, res)

	thread := func(query string) threadPage {
		t.Helper()
		var page threadPage
		b.doJSON("GET", "/v1/threads/"+query, mod, nil, http.StatusOK, &page)
		return page
	}
	page := thread("art-1/comments?around=c3&limit=3")
	require.Equal(t, []string{"p2", "c3", "p4"}, threadIDs(page))
	require.EqualValues(t, 5, page.Total)
	require.Equal(t, "c3", page.Around)
	require.NotNil(t, page.Parent, "the parent of an allowed comment is known")
	require.Equal(t, "p1", page.Parent.CommentID)
	require.Equal(t, "some text of p1", page.Parent.Text)
	require.Equal(t, message.Author{ID: "alice", Name: "A. Reader"}, page.Parent.Author)
	require.Equal(t, message.ActionAllow, page.Parent.Action)
	require.Empty(t, page.Parent.Status, "no review item for an allowed comment")
	require.Equal(t, "pending", page.Comments[1].Status)
	require.True(t, page.Comments[1].CreatedAt.Equal(at(2).UTC().Truncate(time.Nanosecond)))

	// The window stays inside the thread at its ends; without around, the
	// newest comments.
	page = thread("art-1/comments?around=p5&limit=3")
	require.Equal(t, []string{"c3", "p4", "p5"}, threadIDs(page))
	require.Equal(t, "p4", page.Parent.CommentID)
	page = thread("art-1/comments?around=p1&limit=2")
	require.Equal(t, []string{"p1", "p2"}, threadIDs(page))
	require.Nil(t, page.Parent)
	page = thread("art-1/comments?limit=2")
	require.Equal(t, []string{"p4", "p5"}, threadIDs(page))
	page = thread("art-1/comments?around=unknown&limit=2")
	require.Equal(t, []string{"p4", "p5"}, threadIDs(page))
	require.Empty(t, page.Around)
	page = thread("nothing-here/comments")
	require.Empty(t, page.Comments)
	status, _ := b.do("GET", "/v1/threads/art-1/comments?limit=0", mod, nil)
	require.Equal(t, http.StatusBadRequest, status)

	// A redelivery changes nothing; an edit replaces the text.
	edit := b.inThread("p4", "art-1", "", "carol", at(3), message.ActionAllow)
	edit.Comment.Text, edit.Comment.Edited = "carol's corrected text", true
	b.admit(b.inThread("p2", "art-1", "", "bob", at(1), message.ActionAllow), edit)
	page = thread("art-1/comments")
	require.Equal(t, []string{"p1", "p2", "c3", "p4", "p5"}, threadIDs(page))
	require.Equal(t, "carol's corrected text", page.Comments[3].Text)

	// The record expires with the thread's activity.
	ttl, err := b.rdb.PTTL(context.Background(), threadCommentsKey(b.tenant, "art-1")).Result()
	require.NoError(t, err)
	require.Greater(t, ttl, 6*24*time.Hour)
	require.LessOrEqual(t, ttl, 7*24*time.Hour)
}

func TestThreadRecordIsCappedAndSmall(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	store := NewStore(b.rdb, StoreOptions{Now: b.clock.Now, PasswordCost: bcrypt.MinCost, Tenants: []string{b.tenant}, ThreadCap: 4})
	t0 := b.clock.Now()
	var batch []message.Classified
	for i, id := range []string{"a", "b", "c", "d", "e"} {
		batch = append(batch, b.inThread(id, "busy", "", "u", t0.Add(time.Duration(i)*time.Second), message.ActionAllow))
	}
	long := b.inThread("f", "busy", "", "u", t0.Add(time.Minute), message.ActionAllow)
	long.Comment.Text = strings.Repeat("é", threadTextLimit+10)
	batch = append(batch, long)
	_, err := store.AdmitBatch(ctx, batch)
	require.NoError(t, err)

	page, err := store.threadComments(ctx, b.tenant, "busy", "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"c", "d", "e", "f"}, threadIDs(page), "once a quarter over the cap, the oldest comments beyond it are gone")
	n, err := b.rdb.LLen(ctx, threadCommentsKey(b.tenant, "busy")).Result()
	require.NoError(t, err)
	require.EqualValues(t, 4, n, "their records too")
	f := page.Comments[3]
	require.True(t, f.Truncated)
	require.Equal(t, strings.Repeat("é", threadTextLimit), f.Text)
}

func TestQueueSortOrders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	mod := b.tokens[RoleModerator]
	scored := func(id string, spam float64, action message.Action) message.Classified {
		c := b.comment(id, "alice", action, "r1")
		c.Verdict.Scores.Spam = spam
		return c
	}
	b.admit(scored("low", 0.45, message.ActionReview))
	b.clock.Advance(time.Minute)
	b.admit(scored("high", 0.95, message.ActionReject))
	b.clock.Advance(time.Minute)
	b.admit(scored("mid", 0.6, message.ActionReview))

	list := func(query string) []string {
		t.Helper()
		var page queuePage
		b.doJSON("GET", "/v1/queue?"+query, mod, nil, http.StatusOK, &page)
		var ids []string
		for _, it := range page.Items {
			ids = append(ids, it.CommentID)
		}
		return ids
	}
	require.Equal(t, []string{"high", "low", "mid"}, list(""), "priority: band first, then age")
	require.Equal(t, []string{"high", "low", "mid"}, list("sort=priority"))
	require.Equal(t, []string{"low", "high", "mid"}, list("sort=oldest"))
	require.Equal(t, []string{"mid", "high", "low"}, list("sort=newest"))
	require.Equal(t, []string{"high", "mid", "low"}, list("sort=score"))
	require.Equal(t, []string{"mid", "high"}, list("sort=newest&label=spam&limit=2"))
	require.Equal(t, []string{"high", "mid"}, list("sort=score&rule=r1&offset=0&limit=2"))

	// A decided item leaves every order; an undo brings it back.
	b.doJSON("POST", itemPath("high", "/decision"), mod, map[string]any{"decision": "reject", "reason": "spam"}, http.StatusOK, nil)
	require.Equal(t, []string{"mid", "low"}, list("sort=score"))
	b.doJSON("POST", itemPath("high", "/undo"), mod, nil, http.StatusOK, nil)
	require.Equal(t, []string{"high", "mid", "low"}, list("sort=score"))
	require.Equal(t, []string{"mid", "high", "low"}, list("sort=newest"))

	status, _ := b.do("GET", "/v1/queue?sort=random", mod, nil)
	require.Equal(t, http.StatusBadRequest, status)
}

func TestQueueFacetsCountWhatAQueueHolds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	mod, senior := b.tokens[RoleModerator], b.tokens[RoleSenior]
	c4 := b.comment("c4", "carol", message.ActionReview, "r2")
	c4.Comment.ThreadID, c4.Verdict.Language.Code = "thread-2", "en"
	b.admit(
		b.comment("c1", "alice", message.ActionReview, "r1"),
		b.comment("c2", "bob", message.ActionReview, "r1", "r2"),
		b.comment("c3", "bob", message.ActionReview, "r2"),
		c4,
	)
	// One claimed and one escalated: not in the pending queue.
	b.doJSON("POST", itemPath("c1", "/claim"), mod, nil, http.StatusOK, nil)
	b.doJSON("POST", itemPath("c3", "/decision"), mod, map[string]any{"decision": "escalate"}, http.StatusOK, nil)

	var f queueFacets
	b.doJSON("GET", "/v1/queue/facets", mod, nil, http.StatusOK, &f)
	require.Equal(t, queueFacets{
		Queue:   "pending",
		Labels:  []Facet{{"spam", 2}},
		Langs:   []Facet{{"en", 1}, {"fr", 1}},
		Threads: []Facet{{"thread-1", 1}, {"thread-2", 1}},
		Rules:   []Facet{{"r2", 2}, {"r1", 1}},
		Authors: []Facet{{"bob", 1}, {"carol", 1}},
	}, f)
	b.doJSON("GET", "/v1/queue/facets?limit=1", mod, nil, http.StatusOK, &f)
	require.Equal(t, []Facet{{"r2", 2}}, f.Rules)

	status, _ := b.do("GET", "/v1/queue/facets?queue=escalated", mod, nil)
	require.Equal(t, http.StatusForbidden, status)
	b.doJSON("GET", "/v1/queue/facets?queue=escalated", senior, nil, http.StatusOK, &f)
	require.Equal(t, []Facet{{"bob", 1}}, f.Authors)
	require.Equal(t, []Facet{{"r2", 1}}, f.Rules)

	// Decided items leave the counts, and empty indexes the registry.
	for _, id := range []string{"c1", "c2", "c4"} {
		b.doJSON("POST", itemPath(id, "/decision"), mod, map[string]any{"decision": "approve"}, http.StatusOK, nil)
	}
	b.doJSON("GET", "/v1/queue/facets", mod, nil, http.StatusOK, &f)
	require.Empty(t, f.Authors)
	require.Empty(t, f.Labels)
	left, err := b.rdb.SMembers(ctx, indexRegistryKey(b.tenant)).Result()
	require.NoError(t, err)
	require.ElementsMatch(t, []string{
		authorIndexKey(b.tenant, "bob"), threadIndexKey(b.tenant, "thread-1"), langIndexKey(b.tenant, "fr"),
		labelIndexKey(b.tenant, "spam"), ruleIndexKey(b.tenant, "r2"),
	}, left, "only the escalated item's indexes stay registered")
}

func TestStatsHistorySamplesOncePerStep(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	mod := b.tokens[RoleModerator]
	// Start on a five-minute boundary so the grouping below is exact.
	now := b.clock.Now()
	b.clock.Advance(now.Truncate(5 * time.Minute).Add(5 * time.Minute).Sub(now))
	t0 := b.clock.Now()

	b.admit(b.comment("c1", "alice", message.ActionReview), b.comment("c2", "bob", message.ActionReview), b.comment("c3", "bob", message.ActionReview))
	require.NoError(t, b.store.SampleStats(ctx))
	// Sampling again within the step, from this Store or another replica's,
	// records nothing more.
	b.clock.Advance(20 * time.Second)
	require.NoError(t, b.store.SampleStats(ctx))
	other := NewStore(b.rdb, StoreOptions{Now: b.clock.Now, Tenants: []string{b.tenant}})
	require.NoError(t, other.SampleStats(ctx))
	n, err := b.rdb.ZCard(ctx, statsHistoryKey(b.tenant)).Result()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)

	b.clock.Advance(40 * time.Second) // t0 + 1m
	b.doJSON("POST", itemPath("c1", "/claim"), mod, nil, http.StatusOK, nil)
	require.NoError(t, b.store.SampleStats(ctx))
	b.clock.Advance(5 * time.Minute) // t0 + 6m
	b.doJSON("POST", itemPath("c2", "/decision"), mod, map[string]any{"decision": "escalate"}, http.StatusOK, nil)
	require.NoError(t, b.store.SampleStats(ctx))

	var h struct {
		WindowSeconds int64        `json:"window_seconds"`
		StepSeconds   int64        `json:"step_seconds"`
		Points        []StatsPoint `json:"points"`
	}
	b.doJSON("GET", "/v1/stats/history?window=1h&step=1m", mod, nil, http.StatusOK, &h)
	require.EqualValues(t, 3600, h.WindowSeconds)
	require.EqualValues(t, 60, h.StepSeconds)
	require.Equal(t, []StatsPoint{
		{At: t0, Pending: 3},
		{At: t0.Add(time.Minute), Pending: 2, Claimed: 1, OldestAgeSeconds: 60},
		{At: t0.Add(6 * time.Minute), Pending: 1, Claimed: 1, Escalated: 1, OldestAgeSeconds: 360},
	}, h.Points)
	// Five-minute steps keep the latest sample of each.
	b.doJSON("GET", "/v1/stats/history?window=1h&step=5m", mod, nil, http.StatusOK, &h)
	require.Equal(t, []StatsPoint{
		{At: t0.Add(time.Minute), Pending: 2, Claimed: 1, OldestAgeSeconds: 60},
		{At: t0.Add(6 * time.Minute), Pending: 1, Claimed: 1, Escalated: 1, OldestAgeSeconds: 360},
	}, h.Points)
	b.doJSON("GET", "/v1/stats/history", mod, nil, http.StatusOK, &h)
	require.EqualValues(t, 24*3600, h.WindowSeconds)
	require.EqualValues(t, 300, h.StepSeconds)
	require.Len(t, h.Points, 2)

	for _, q := range []string{"window=72h", "window=1h&step=10s", "window=1h&step=2h", "window=2d"} {
		status, body := b.do("GET", "/v1/stats/history?"+q, mod, nil)
		require.Equal(t, http.StatusBadRequest, status, "%s: %s", q, body)
	}

	// Samples older than the history (48 h) are dropped.
	b.clock.Advance(49 * time.Hour)
	require.NoError(t, b.store.SampleStats(ctx))
	n, err = b.rdb.ZCard(ctx, statsHistoryKey(b.tenant)).Result()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}
