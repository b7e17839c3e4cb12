package review

import (
	"context"
	"time"
)

// Recoverer returns claims whose lease expired to the queue they came from,
// so an item a moderator abandoned (closed tab, crash) comes back, and
// samples the queue figures for their history (Store.SampleStats). Expiry
// and sampling steps are judged by the Store's clock; the loop itself ticks
// on real time.
type Recoverer struct {
	store    *Store
	interval time.Duration
}

// NewRecoverer returns a Recoverer that scans every interval (default 1s
// when interval is 0).
func NewRecoverer(store *Store, interval time.Duration) *Recoverer {
	if interval <= 0 {
		interval = time.Second
	}
	return &Recoverer{store: store, interval: interval}
}

// RecoverOnce returns every expired claim of every tenant now and reports how
// many it returned.
func (r *Recoverer) RecoverOnce(ctx context.Context) (int, error) {
	return r.store.recoverExpired(ctx)
}

// Run recovers expired claims and samples the queue figures until ctx is
// done, then returns nil. Redis errors are retried at the next tick.
func (r *Recoverer) Run(ctx context.Context) error {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	var lastMetrics time.Time
	for {
		if _, err := r.store.recoverExpired(ctx); err != nil && ctx.Err() == nil {
			r.store.opts.Logger.WithError(err).Warn("recovering expired claims")
		}
		if err := r.store.SampleStats(ctx); err != nil && ctx.Err() == nil {
			r.store.opts.Logger.WithError(err).Warn("sampling queue figures")
		}
		if time.Since(lastMetrics) >= metricsEvery {
			if err := r.store.RefreshMetrics(ctx); err != nil && ctx.Err() == nil {
				r.store.opts.Logger.WithError(err).Warn("refreshing queue metrics")
			}
			lastMetrics = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
