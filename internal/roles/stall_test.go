package roles

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/kafkaio"
)

func TestWatchProgress(t *testing.T) {
	t.Parallel()
	log := logrus.NewEntry(logrus.New())
	const after, every = 60 * time.Millisecond, 5 * time.Millisecond

	// Records waiting and no commit moving: a stall, reported once
	// stallAfter has passed.
	var calls atomic.Int64
	stuck := func(context.Context) (kafkaio.GroupProgress, error) {
		calls.Add(1)
		return kafkaio.GroupProgress{Committed: 40, Lag: 7}, nil
	}
	start := time.Now()
	err := watchProgress(context.Background(), stuck, after, every, log)
	require.ErrorContains(t, err, "committed nothing")
	require.ErrorContains(t, err, "7 records waiting")
	require.GreaterOrEqual(t, time.Since(start), after)
	require.Greater(t, calls.Load(), int64(2))

	// Commits moving, nothing waiting, or the brokers out of reach: no
	// stall, whatever the time; the watch ends with its context.
	var n atomic.Int64
	for name, read := range map[string]func(context.Context) (kafkaio.GroupProgress, error){
		"moving": func(context.Context) (kafkaio.GroupProgress, error) {
			return kafkaio.GroupProgress{Committed: n.Add(1), Lag: 500}, nil
		},
		"idle": func(context.Context) (kafkaio.GroupProgress, error) {
			return kafkaio.GroupProgress{Committed: 40}, nil
		},
		"unreachable": func(context.Context) (kafkaio.GroupProgress, error) {
			return kafkaio.GroupProgress{}, errors.New("dial tcp: connection refused")
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 4*after)
			defer cancel()
			require.NoError(t, watchProgress(ctx, read, after, every, log))
			require.ErrorIs(t, ctx.Err(), context.DeadlineExceeded, "the watch returned before its context ended")
		})
	}
}
