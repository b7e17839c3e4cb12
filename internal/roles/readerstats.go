package roles

import (
	"context"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigie-moderation/vigie/internal/metrics"
)

// readerStatsInterval is how often the comments reader's statistics are
// copied into the metrics.
const readerStatsInterval = 5 * time.Second

// observeReader copies the comments reader's statistics into the metrics
// until ctx ends: the lag of the last fetched record and the rebalances
// since the previous look (kafka-go's Stats resets its counters).
func observeReader(ctx context.Context, r *kafka.Reader) error {
	t := time.NewTicker(readerStatsInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			s := r.Stats()
			metrics.Lag.Set(float64(s.Lag))
			metrics.Rebalances.Add(float64(s.Rebalances))
		}
	}
}
