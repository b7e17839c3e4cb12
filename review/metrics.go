package review

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigie-moderation/vigie/internal/metrics"
)

// RefreshMetrics sets the queue gauges — depth per queue and age of the
// oldest waiting item — for every tenant this Store serves, in one pipelined
// round trip. Every review replica reports the same figures; dashboards take
// their maximum.
func (s *Store) RefreshMetrics(ctx context.Context) error {
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return err
	}
	if len(tenants) == 0 {
		return nil
	}
	type figures struct {
		pending, escalated, claimed *redis.IntCmd
		oldest                      *redis.ZSliceCmd
	}
	got := make([]figures, len(tenants))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, t := range tenants {
			got[i] = figures{
				pending:   p.ZCard(ctx, queueKey(t, "pending")),
				escalated: p.ZCard(ctx, queueKey(t, "escalated")),
				claimed:   p.ZCard(ctx, claimsKey(t)),
				oldest:    p.ZRangeWithScores(ctx, waitingKey(t), 0, 0),
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading queue figures: %w", err)
	}
	now := s.now()
	for i, t := range tenants {
		f := got[i]
		metrics.QueueDepth.WithLabelValues(t, "pending").Set(float64(f.pending.Val()))
		metrics.QueueDepth.WithLabelValues(t, "escalated").Set(float64(f.escalated.Val()))
		metrics.QueueDepth.WithLabelValues(t, "claimed").Set(float64(f.claimed.Val()))
		age := 0.0
		if z := f.oldest.Val(); len(z) == 1 {
			age = max(0, now.Sub(fromMS(int64(z[0].Score))).Seconds())
		}
		metrics.QueueOldestAge.WithLabelValues(t).Set(age)
	}
	return nil
}

// metricsEvery bounds how often the Recoverer refreshes the queue gauges.
const metricsEvery = 15 * time.Second
