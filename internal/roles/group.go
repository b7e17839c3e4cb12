package roles

import (
	"context"
	"sync"
)

// group runs functions until the first returns, then cancels the rest and
// waits for them; it returns the first non-nil error.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newGroup(parent context.Context) *group {
	ctx, cancel := context.WithCancel(parent)
	return &group{ctx: ctx, cancel: cancel}
}

// Go runs fn with the group's context. When fn returns, for any reason, the
// group's context is cancelled so the other functions stop too.
func (g *group) Go(fn func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		err := fn(g.ctx)
		g.once.Do(func() { g.err = err })
		g.cancel()
	}()
}

// Wait waits for every function and returns the first result.
func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}
