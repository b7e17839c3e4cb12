package classify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// watchInterval is how often WatchRules looks at the rule file.
var watchInterval = 2 * time.Second

// WatchRules reloads the rule file when its content changes and on SIGHUP,
// until ctx is done. It polls: a stat every interval, and a content hash
// when the modification time, size or resolved path changed. Polling the
// resolved path (rather than watching an inode) follows Kubernetes
// ConfigMap updates, which swap a "..data" symlink instead of writing the
// file. Every reload and every refused file is logged; a refused file keeps
// the running rule set. It returns ErrNoRulesPath when the engine runs on
// the built-in rules, and nil when ctx is done.
func (e *Engine) WatchRules(ctx context.Context) error {
	if e.cfg.RulesPath == "" {
		return ErrNoRulesPath
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	ticker := time.NewTicker(watchInterval)
	defer ticker.Stop()
	return e.watch(ctx, ticker.C, hup)
}

// recordLoaded remembers which file version the running rules came from.
func (e *Engine) recordLoaded(data []byte) {
	st, _ := e.statRules()
	st.sum = sha256.Sum256(data)
	e.loaded = st
}

// fileState identifies one version of the rule file cheaply.
type fileState struct {
	resolved string
	mod      time.Time
	size     int64
	sum      [32]byte
}

func (e *Engine) statRules() (fileState, error) {
	path := e.cfg.RulesPath
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fileState{}, err
	}
	fi, err := os.Stat(resolved)
	if err != nil {
		return fileState{}, err
	}
	return fileState{resolved: resolved, mod: fi.ModTime(), size: fi.Size()}, nil
}

// watch is WatchRules with its clock and signal channel injected, so tests
// drive it without sleeping.
func (e *Engine) watch(ctx context.Context, tick <-chan time.Time, hup <-chan os.Signal) error {
	// Compare against the file the engine loaded, not against whatever is
	// there when the watch starts.
	e.reload.Lock()
	last := e.loaded
	e.reload.Unlock()
	reload := func(why string) {
		data, err := os.ReadFile(e.cfg.RulesPath)
		if err != nil {
			e.log.WithError(err).WithField("rules", e.cfg.RulesPath).Error("rule file unreadable; keeping the running rule set")
			return
		}
		sum := sha256.Sum256(data)
		if why == "changed" && bytes.Equal(sum[:], last.sum[:]) {
			return
		}
		last.sum = sum
		old := e.Ruleset()
		if err := e.Reload(); err != nil {
			e.log.WithError(err).WithField("rules", e.cfg.RulesPath).Error("rule file refused; keeping the running rule set " + old)
			return
		}
		e.reload.Lock()
		last = e.loaded
		e.reload.Unlock()
		e.log.WithFields(map[string]any{"rules": e.cfg.RulesPath, "ruleset": e.Ruleset(), "previous": old, "trigger": why}).Info("rules reloaded")
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			reload("SIGHUP")
		case <-tick:
			st, err := e.statRules()
			if err != nil {
				continue // mid-swap or removed; the old rules keep running
			}
			if st.resolved != last.resolved || !st.mod.Equal(last.mod) || st.size != last.size {
				last.resolved, last.mod, last.size = st.resolved, st.mod, st.size
				reload("changed")
			}
		}
	}
}
