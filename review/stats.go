package review

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// HourCount is the number of decisions recorded in one hour.
type HourCount struct {
	// Start is the start of the hour (UTC).
	Start     time.Time `json:"start"`
	Decisions int64     `json:"decisions"`
}

// decisionsPerHour counts the decision log in the 24 clock hours that end
// with the current one (which is partial), oldest first. The log keeps a
// day, so the first hour is complete.
func decisionsPerHour(ctx context.Context, p redis.Pipeliner, tenant string, now int64) func() []HourCount {
	const hour = int64(time.Hour / time.Millisecond)
	first := now - now%hour - 23*hour
	cmds := make([]*redis.IntCmd, 24)
	for i := range cmds {
		from := first + int64(i)*hour
		cmds[i] = p.ZCount(ctx, decisionLogKey(tenant), strconv.FormatInt(from, 10), "("+strconv.FormatInt(from+hour, 10))
	}
	return func() []HourCount {
		out := make([]HourCount, len(cmds))
		for i, c := range cmds {
			out[i] = HourCount{Start: fromMS(first + int64(i)*hour), Decisions: c.Val()}
		}
		return out
	}
}

// SampleStats records the queue figures of every tenant this Store serves
// in their history (GET /v1/stats/history), once per StoreOptions.StatsStep
// of the Store's clock. The Recoverer calls it on every tick; calling it
// more often, or from several replicas, records nothing more.
func (s *Store) SampleStats(ctx context.Context) error {
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return err
	}
	now := ms(s.now())
	step := s.opts.StatsStep.Milliseconds()
	from := now - now%step
	var due []string
	s.mu.Lock()
	for _, t := range tenants {
		if s.sampled[t] != from {
			due = append(due, t)
		}
	}
	s.mu.Unlock()
	if len(due) == 0 {
		return nil
	}
	cmds, err := s.pipelined(ctx, func(p redis.Pipeliner) {
		for _, t := range due {
			sampleScript.EvalSha(ctx, p, []string{
				statsHistoryKey(t), queueKey(t, "pending"), claimsKey(t), queueKey(t, "escalated"), waitingKey(t),
			}, now, step, s.opts.StatsHistory.Milliseconds())
		}
	})
	if err != nil {
		return fmt.Errorf("sampling queue figures: %w", err)
	}
	s.mu.Lock()
	for i, t := range due {
		if cmds[i].Err() == nil {
			s.sampled[t] = from
		}
	}
	s.mu.Unlock()
	return nil
}

// StatsPoint is one point of the queue's history.
type StatsPoint struct {
	// At is when the sample was taken.
	At               time.Time `json:"at"`
	Pending          int64     `json:"pending"`
	Claimed          int64     `json:"claimed"`
	Escalated        int64     `json:"escalated"`
	OldestAgeSeconds float64   `json:"oldest_age_seconds"`
}

// statsHistory returns one point per step over the window that ends now:
// the latest sample taken in each step that has one, oldest first.
func (s *Store) statsHistory(ctx context.Context, tenant string, window, step time.Duration) ([]StatsPoint, error) {
	now := ms(s.now())
	raw, err := s.rdb.ZRangeByScore(ctx, statsHistoryKey(tenant), &redis.ZRangeBy{
		Min: strconv.FormatInt(now-window.Milliseconds(), 10), Max: strconv.FormatInt(now, 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("reading queue history: %w", err)
	}
	out := []StatsPoint{}
	stepMS := step.Milliseconds()
	last := int64(-1)
	for _, m := range raw {
		f := strings.Split(m, ":")
		if len(f) != 5 {
			continue
		}
		var n [5]int64
		for i := range f {
			n[i], _ = strconv.ParseInt(f[i], 10, 64)
		}
		p := StatsPoint{At: fromMS(n[0]), Pending: n[1], Claimed: n[2], Escalated: n[3], OldestAgeSeconds: float64(n[4]) / 1000}
		if b := n[0] - n[0]%stepMS; b == last {
			out[len(out)-1] = p
		} else {
			last = b
			out = append(out, p)
		}
	}
	return out, nil
}

// Facet is one value of a queue filter and the number of items it selects.
type Facet struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// queueFacets are the filter values present in a queue, most frequent first.
type queueFacets struct {
	Queue   string  `json:"queue"`
	Labels  []Facet `json:"labels"`
	Langs   []Facet `json:"langs"`
	Threads []Facet `json:"threads"`
	Rules   []Facet `json:"rules"`
	Authors []Facet `json:"authors"`
}

// facets counts the filter values of a queue ("pending" or "escalated")
// from the filter indexes, keeping the limit most frequent of each kind.
func (s *Store) facets(ctx context.Context, tenant, queue string, limit int) (queueFacets, error) {
	v, err := facetsScript.Run(ctx, s.rdb, []string{indexRegistryKey(tenant), claimsKey(tenant), queueKey(tenant, "escalated")},
		itemKeyPrefix(tenant), queue).Slice()
	if err != nil {
		return queueFacets{}, fmt.Errorf("counting filter values: %w", err)
	}
	kinds := map[string]*[]Facet{}
	out := queueFacets{Queue: queue, Labels: []Facet{}, Langs: []Facet{}, Threads: []Facet{}, Rules: []Facet{}, Authors: []Facet{}}
	kinds[labelIndexKey(tenant, "")] = &out.Labels
	kinds[langIndexKey(tenant, "")] = &out.Langs
	kinds[threadIndexKey(tenant, "")] = &out.Threads
	kinds[ruleIndexKey(tenant, "")] = &out.Rules
	kinds[authorIndexKey(tenant, "")] = &out.Authors
	for i := 0; i+1 < len(v); i += 2 {
		key, _ := v[i].(string)
		n, _ := v[i+1].(int64)
		for prefix, list := range kinds {
			if value, ok := strings.CutPrefix(key, prefix); ok {
				*list = append(*list, Facet{Value: value, Count: n})
			}
		}
	}
	for _, list := range kinds {
		sort.Slice(*list, func(i, j int) bool {
			a, b := (*list)[i], (*list)[j]
			return a.Count > b.Count || (a.Count == b.Count && a.Value < b.Value)
		})
		if len(*list) > limit {
			*list = (*list)[:limit]
		}
	}
	return out, nil
}
