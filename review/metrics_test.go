package review

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/metrics"
)

// TestQueueGaugesFollowTheQueue checks the gauges operators alert on read
// what the queue holds.
func TestQueueGaugesFollowTheQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.admit(
		b.comment("m1", "a1", message.ActionReview),
		b.comment("m2", "a2", message.ActionReject),
		b.comment("m3", "a3", message.ActionAllow),
	)
	b.clock.Advance(90 * time.Second)
	require.NoError(t, b.store.RefreshMetrics(context.Background()))
	require.Equal(t, 2.0, testutil.ToFloat64(metrics.QueueDepth.WithLabelValues(b.tenant, "pending")))
	require.Equal(t, 0.0, testutil.ToFloat64(metrics.QueueDepth.WithLabelValues(b.tenant, "escalated")))
	require.InDelta(t, 90, testutil.ToFloat64(metrics.QueueOldestAge.WithLabelValues(b.tenant)), 1)

	code, body := b.do("POST", itemPath("m1", "/decision"), b.static, map[string]string{"decision": "approve"})
	require.Equal(t, 200, code, string(body))
	require.NoError(t, b.store.RefreshMetrics(context.Background()))
	require.Equal(t, 1.0, testutil.ToFloat64(metrics.QueueDepth.WithLabelValues(b.tenant, "pending")))
}
