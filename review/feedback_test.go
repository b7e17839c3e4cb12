package review

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

// TestPublisherFeedbackDecidesPendingItemsOnly checks a publisher's spam
// report rejects a pending item once, and never overrides a moderator.
func TestPublisherFeedbackDecidesPendingItemsOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.admit(b.comment("f1", "a1", message.ActionReview), b.comment("f2", "a2", message.ActionReview))

	require.NoError(t, b.store.PublisherFeedback(ctx, b.tenant, "f1", "key-1", true))
	require.NoError(t, b.store.PublisherFeedback(ctx, b.tenant, "f1", "key-1", true), "a repeated report is harmless")
	it, err := b.store.getItem(ctx, b.tenant, "f1")
	require.NoError(t, err)
	require.Equal(t, "rejected", it.Status)

	code, body := b.do("POST", itemPath("f2", "/decision"), b.static, map[string]string{"decision": "reject", "reason": "insult"})
	require.Equal(t, 200, code, string(body))
	require.NoError(t, b.store.PublisherFeedback(ctx, b.tenant, "f2", "key-1", false), "ham on a decided item is ignored")
	it, err = b.store.getItem(ctx, b.tenant, "f2")
	require.NoError(t, err)
	require.Equal(t, "rejected", it.Status, "the moderator's decision stands")

	require.NoError(t, b.store.PublisherFeedback(ctx, b.tenant, "never-queued", "key-1", true))

	var rejects int
	for _, d := range b.outbox() {
		if d.CommentID == "f1" {
			rejects++
			require.Equal(t, "publisher:key-1", d.Moderator)
			require.Equal(t, message.DecisionReject, d.Decision)
		}
	}
	require.Equal(t, 1, rejects, "the report is published once")
}
