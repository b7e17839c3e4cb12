package roles

import (
	"context"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/kafkaio"
)

// stallAfter and stallCheckEvery tune watchProgress in the classify role.
// A healthy consumer commits after every batch, well under a second apart
// while records wait; a minute without a commit while records wait is a
// stall, not a slow batch.
const (
	stallAfter      = 60 * time.Second
	stallCheckEvery = 5 * time.Second
)

// watchProgress ends with an error when the consumer group has records
// waiting on its topic but has committed nothing for stallAfter. kafka-go
// readers can stop fetching without an error after the group's coordinator
// broker dies (seen in the scale-out fault test; segmentio/kafka-go#955),
// and a new process with a fresh session is the cure: the error stops the
// role, the process exits non-zero and the orchestrator restarts it. The
// batch in flight was not committed, so it is delivered again. A check that
// cannot reach the brokers says nothing and is skipped: with Kafka down a
// restart would not help.
func watchProgress(ctx context.Context, read func(context.Context) (kafkaio.GroupProgress, error),
	after, every time.Duration, log *logrus.Entry) error {
	t := time.NewTicker(every)
	defer t.Stop()
	var last int64 = -1
	since := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		qctx, cancel := context.WithTimeout(ctx, every)
		g, err := read(qctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.WithError(err).Debug("checking the group's progress failed")
			continue
		}
		if g.Committed != last || g.Lag == 0 {
			last, since = g.Committed, time.Now()
			continue
		}
		if stalled := time.Since(since); stalled >= after {
			return fmt.Errorf("the consumer group committed nothing for %s with %d records waiting: "+
				"exiting so that a new process rejoins the group with a fresh Kafka session", stalled.Round(time.Second), g.Lag)
		}
	}
}
