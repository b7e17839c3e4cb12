package review

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

type claimResponse struct {
	Claims []claimedItem `json:"claims"`
}

func TestConcurrentClaimsOfOneItemHaveOneWinner(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.admit(b.comment("only", "alice", message.ActionReview))
	const n = 100
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out claimResponse
			b.doJSON("POST", "/v1/queue/claim", b.tokens[RoleModerator], map[string]any{"limit": 1, "lease_seconds": 60}, http.StatusOK, &out)
			mu.Lock()
			wins += len(out.Claims)
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, 1, wins)

	// The same race on a named item between 100 different moderators.
	b.admit(b.comment("named", "bob", message.ActionReview))
	winners := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			owner := "moderator-" + string(rune('a'+i%26)) + randomHex(2)
			cl, err := b.store.claim(context.Background(), b.tenant, "pending", owner, 1, time.Minute, []string{"named"})
			if err == nil && len(cl) == 1 {
				winners <- owner
			}
		}(i)
	}
	wg.Wait()
	close(winners)
	require.Len(t, winners, 1)
	var it itemView
	b.doJSON("GET", itemPath("named", ""), b.tokens[RoleModerator], nil, http.StatusOK, &it)
	require.Equal(t, "claimed", it.Status)
	require.Equal(t, <-winners, it.Claim.Owner)
}

func TestLeaseExpiryAndStaleToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.admit(b.comment("c1", "alice", message.ActionReview))
	mod, senior := b.tokens[RoleModerator], b.tokens[RoleSenior]

	var first claimResponse
	b.doJSON("POST", "/v1/queue/claim", mod, map[string]any{"limit": 5}, http.StatusOK, &first)
	require.Len(t, first.Claims, 1)
	c1 := first.Claims[0]
	require.Equal(t, b.clock.Now().Add(5*time.Minute), c1.LeaseUntil.Local().In(time.UTC))
	require.Equal(t, c1.Token, c1.Item.Claim.Token)

	// Someone else cannot decide an item held by another, with or without token.
	status, _ := b.do("POST", itemPath("c1", "/decision"), senior, map[string]any{"decision": "approve"})
	require.Equal(t, http.StatusConflict, status)
	status, _ = b.do("POST", itemPath("c1", "/decision"), senior, map[string]any{"decision": "approve", "token": c1.Token})
	require.Equal(t, http.StatusConflict, status)
	// Others see the claim but not its token.
	var seen itemView
	b.doJSON("GET", itemPath("c1", ""), senior, nil, http.StatusOK, &seen)
	require.Equal(t, "mod", seen.Claim.Owner)
	require.Zero(t, seen.Claim.Token)

	// The lease can be extended by its holder.
	var ext Claim
	b.doJSON("POST", itemPath("c1", "/extend"), mod, map[string]any{"token": c1.Token, "lease_seconds": 600}, http.StatusOK, &ext)
	require.Equal(t, b.clock.Now().Add(10*time.Minute), ext.LeaseUntil.In(time.UTC))

	// Nothing is recovered before expiry.
	rec := NewRecoverer(b.store, 10*time.Millisecond)
	_, err := rec.RecoverOnce(context.Background())
	require.NoError(t, err)
	b.clock.Advance(9 * time.Minute)
	_, err = rec.RecoverOnce(context.Background())
	require.NoError(t, err)
	b.doJSON("GET", itemPath("c1", ""), mod, nil, http.StatusOK, &seen)
	require.Equal(t, "claimed", seen.Status)

	// After expiry the running recoverer returns the item to the queue.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	b.clock.Advance(2 * time.Minute)
	eventually(t, 5*time.Second, func() bool {
		it, err := b.store.getItem(context.Background(), b.tenant, "c1")
		return err == nil && it.Status == "pending"
	}, "the expired claim comes back")
	cancel()
	require.NoError(t, <-done)

	// The senior claims it now; the first moderator's token is stale.
	var second claimResponse
	b.doJSON("POST", "/v1/queue/claim", senior, map[string]any{"limit": 1}, http.StatusOK, &second)
	require.Len(t, second.Claims, 1)
	require.Greater(t, second.Claims[0].Token, c1.Token)
	status, body := b.do("POST", itemPath("c1", "/decision"), mod, map[string]any{"decision": "reject", "reason": "spam", "token": c1.Token})
	require.Equal(t, http.StatusConflict, status, string(body))
	status, _ = b.do("POST", itemPath("c1", "/extend"), mod, map[string]any{"token": c1.Token})
	require.Equal(t, http.StatusConflict, status)
	b.doJSON("POST", itemPath("c1", "/decision"), senior, map[string]any{"decision": "approve", "token": second.Claims[0].Token}, http.StatusOK, nil)
	require.Len(t, b.outbox(), 1)
}

func TestDecisionWithoutTokenAndRelease(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.admit(b.comment("c1", "alice", message.ActionReview), b.comment("c2", "alice", message.ActionReview))
	mod, senior := b.tokens[RoleModerator], b.tokens[RoleSenior]
	// Nobody holds c1: a decision without a token is accepted.
	b.doJSON("POST", itemPath("c1", "/decision"), senior, map[string]any{"decision": "approve"}, http.StatusOK, nil)

	var cl claimedItem
	b.doJSON("POST", itemPath("c2", "/claim"), mod, map[string]any{"lease_seconds": 30}, http.StatusOK, &cl)
	// Its holder may decide without the token too.
	status, _ := b.do("POST", itemPath("c2", "/release"), senior, map[string]any{"token": cl.Token})
	require.Equal(t, http.StatusConflict, status)
	b.doJSON("POST", itemPath("c2", "/release"), mod, map[string]any{"token": cl.Token}, http.StatusNoContent, nil)
	var page queuePage
	b.doJSON("GET", "/v1/queue", mod, nil, http.StatusOK, &page)
	require.Len(t, page.Items, 1)
	require.Equal(t, "c2", page.Items[0].CommentID)

	b.doJSON("POST", itemPath("c2", "/claim"), mod, nil, http.StatusOK, &cl)
	b.doJSON("POST", itemPath("c2", "/decision"), mod, map[string]any{"decision": "reject", "reason": "hate"}, http.StatusOK, nil)
	// An expired claim nobody picked up does not block others.
	b.admit(b.comment("c3", "alice", message.ActionReview))
	b.doJSON("POST", itemPath("c3", "/claim"), mod, map[string]any{"lease_seconds": 30}, http.StatusOK, &cl)
	b.clock.Advance(31 * time.Second)
	b.doJSON("POST", itemPath("c3", "/decision"), senior, map[string]any{"decision": "approve"}, http.StatusOK, nil)
}

func TestQueueOrderFiltersAndStarvation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	low := b.comment("low", "alice", message.ActionReview)
	b.admit(low)
	b.clock.Advance(30 * time.Minute)
	high := b.comment("high", "bob", message.ActionReview, "r-spam")
	high.Verdict.Scores.Spam = 0.95
	b.admit(high)
	// A band-3 item outranks a band-0 one that waited only 30 minutes...
	_, ids, err := b.store.listIDs(ctx, b.tenant, "pending", Filter{}, SortPriority, 0, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"high", "low"}, ids)
	// ...but not one that waited longer than three bands' worth.
	b.clock.Advance(4 * time.Hour)
	newer := b.comment("newer", "carol", message.ActionReview, "r-spam")
	newer.Verdict.Scores.Spam = 0.95
	newer.Comment.ThreadID = "thread-2"
	b.admit(newer)
	_, ids, err = b.store.listIDs(ctx, b.tenant, "pending", Filter{}, SortPriority, 0, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"high", "low", "newer"}, ids)

	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"rule=r-spam", []string{"high", "newer"}},
		{"label=spam&thread=thread-2", []string{"newer"}},
		{"author=alice", []string{"low"}},
		{"lang=fr", []string{"high", "low", "newer"}},
		{"lang=de", nil},
	} {
		var page queuePage
		b.doJSON("GET", "/v1/queue?"+tc.q, b.tokens[RoleModerator], nil, http.StatusOK, &page)
		var got []string
		for _, it := range page.Items {
			got = append(got, it.CommentID)
		}
		require.Equal(t, tc.want, got, tc.q)
	}
	// A filtered claim takes from the filtered set only.
	var out claimResponse
	b.doJSON("POST", "/v1/queue/claim", b.tokens[RoleModerator], map[string]any{"limit": 5, "filter": map[string]any{"author": "carol"}}, http.StatusOK, &out)
	require.Len(t, out.Claims, 1)
	require.Equal(t, "newer", out.Claims[0].CommentID)
	var page queuePage
	b.doJSON("GET", "/v1/queue?queue=claimed", b.tokens[RoleModerator], nil, http.StatusOK, &page)
	require.Len(t, page.Items, 1)
}
