package classify

import (
	"context"
	"math/bits"
	"strings"
	"sync"
	"time"
)

// Observation is what the classifier tells Signals about one comment.
type Observation struct {
	Tenant    string
	CommentID string
	AuthorID  string
	// Fingerprint is the SimHash of the comment's normalised words. Two
	// texts are near duplicates when their fingerprints differ in at most
	// NearDuplicateBits bits. Zero means the text was too short to
	// fingerprint: only velocity is counted.
	Fingerprint uint64
	// At is when the comment was written (its created_at).
	At time.Time
	// Window is how far back the counts look.
	Window time.Duration
}

// Counts is what Signals saw within the window, this comment included.
type Counts struct {
	// Duplicates is how many comments (from anyone, this one included) had a
	// near-duplicate fingerprint.
	Duplicates int
	// DuplicateAuthors is how many distinct authors wrote them.
	DuplicateAuthors int
	// AuthorComments is how many comments this author wrote.
	AuthorComments int
}

// NearDuplicateBits is the largest Hamming distance between two
// fingerprints that still counts as the same text.
const NearDuplicateBits = 7

// Signals keeps the shared state behind the stateful spam signals: the same
// or nearly the same text posted many times or by several authors, and one
// author posting fast.
//
// Contract for implementations:
//   - Observe records the observation and returns the counts in the window
//     [At-Window, At], the observation included, scoped to its Tenant (one
//     tenant never sees another's comments).
//   - Observe is idempotent per (Tenant, CommentID): the pipeline delivers
//     at least once, and a redelivered comment must not count twice.
//   - It must be cheap — one round trip at most, since it runs on the
//     classification hot path for every comment — and safe for concurrent
//     use. A Redis implementation should do the whole observation in one Lua
//     script (or one pipeline), keying by "vigie:{tenant}:" so every key
//     of a tenant shares a hash slot, and should expire what falls out of
//     the window. Callers may batch observations, so implementations must
//     not depend on call order beyond At.
//   - Near duplicates: a fingerprint matches another when they differ in at
//     most NearDuplicateBits bits. Splitting the 64 bits into eight 8-bit
//     bands and indexing each band finds every such pair (by pigeonhole one
//     band is equal), which is how MemorySignals and a Redis implementation
//     can look them up without a scan.
//   - An error means the state could not be read; the engine reports it
//     from Classify so the caller can retry, rather than guess.
type Signals interface {
	Observe(ctx context.Context, o Observation) (Counts, error)
}

// MemorySignals is an in-process Signals for one replica: `vigie check`,
// tests and deployments without Redis. Its memory is bounded by the window
// and by maxEntries.
type MemorySignals struct {
	mu      sync.Mutex
	max     int
	entries []memEntry // in arrival order
	seen    map[memKey]bool
	bands   [nbands]map[bandKey][]int // band value → indexes into entries
	authors map[memKey][]time.Time
	base    int // index of entries[0] in the stream, for stable band indexes
}

type memKey struct{ tenant, id string }

// nbands bands of 64/nbands bits: with at most NearDuplicateBits (< nbands)
// differing bits, one band is always equal.
const nbands = 8

type bandKey struct {
	band   uint8
	tenant string
	v      uint8
}

type memEntry struct {
	key    memKey
	author string
	fp     uint64
	at     time.Time
}

// NewMemorySignals returns an empty in-memory Signals that keeps at most
// maxEntries fingerprints (default 100,000 when maxEntries <= 0).
func NewMemorySignals(maxEntries int) *MemorySignals {
	if maxEntries <= 0 {
		maxEntries = 100_000
	}
	m := &MemorySignals{max: maxEntries, seen: map[memKey]bool{}, authors: map[memKey][]time.Time{}}
	for i := range m.bands {
		m.bands[i] = map[bandKey][]int{}
	}
	return m
}

// Observe implements Signals.
func (m *MemorySignals) Observe(_ context.Context, o Observation) (Counts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := memKey{o.Tenant, o.CommentID}
	since := o.At.Add(-o.Window)
	ak := memKey{o.Tenant, o.AuthorID}
	if !m.seen[key] {
		m.seen[key] = true
		m.authors[ak] = append(m.authors[ak], o.At)
		if o.Fingerprint != 0 {
			idx := m.base + len(m.entries)
			m.entries = append(m.entries, memEntry{key: key, author: o.AuthorID, fp: o.Fingerprint, at: o.At})
			for b := range nbands {
				bk := bandKey{uint8(b), o.Tenant, uint8(o.Fingerprint >> (8 * b))}
				m.bands[b][bk] = append(m.bands[b][bk], idx)
			}
		}
		m.evict()
	}
	var c Counts
	for _, t := range m.authors[ak] {
		if !t.Before(since) && !t.After(o.At.Add(o.Window)) {
			c.AuthorComments++
		}
	}
	if o.Fingerprint == 0 {
		return c, nil
	}
	counted := map[int]bool{}
	authors := map[string]bool{}
	for b := range nbands {
		for _, idx := range m.bands[b][bandKey{uint8(b), o.Tenant, uint8(o.Fingerprint >> (8 * b))}] {
			if idx < m.base || counted[idx] {
				continue
			}
			e := &m.entries[idx-m.base]
			if e.at.Before(since) || bits.OnesCount64(e.fp^o.Fingerprint) > NearDuplicateBits {
				continue
			}
			counted[idx] = true
			authors[e.author] = true
		}
	}
	c.Duplicates = len(counted)
	c.DuplicateAuthors = len(authors)
	return c, nil
}

// evict drops the oldest entries beyond the bound. Band lists keep stale
// indexes below base; they are skipped on read and pruned here.
func (m *MemorySignals) evict() {
	over := len(m.entries) - m.max
	if over <= 0 {
		return
	}
	for _, e := range m.entries[:over] {
		delete(m.seen, e.key)
	}
	m.entries = append(m.entries[:0:0], m.entries[over:]...)
	m.base += over
	for b := range m.bands {
		for k, idxs := range m.bands[b] {
			keep := idxs[:0]
			for _, i := range idxs {
				if i >= m.base {
					keep = append(keep, i)
				}
			}
			if len(keep) == 0 {
				delete(m.bands[b], k)
			} else {
				m.bands[b][k] = keep
			}
		}
	}
	for k, ts := range m.authors {
		if len(ts) > 1000 {
			m.authors[k] = append(ts[:0:0], ts[len(ts)-1000:]...)
		}
	}
}

// SimHash fingerprints a comment's words: overlapping word pairs (shingles)
// are hashed and each of the 64 bits takes the majority vote. Small edits
// flip few bits, so near-duplicate spam stays within NearDuplicateBits. Texts
// of fewer than minWords words return 0 ("too short to tell": "merci !" from
// many readers is not a campaign).
func SimHash(toks []Token, minWords int) uint64 {
	words := make([]string, 0, len(toks))
	for i := range toks {
		if toks[i].Kind == TokenWord {
			words = append(words, digitless(toks[i].Text))
		}
	}
	if len(words) < minWords || len(words) == 0 {
		return 0
	}
	var v [64]int
	add := func(h uint64) {
		for b := range 64 {
			if h&(1<<b) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
	}
	// Features: every word and every pair of neighbouring words.
	for i := range words {
		h := fnv64(words[i])
		add(h)
		if i+1 < len(words) {
			add(h ^ bits.RotateLeft64(fnv64(words[i+1]), 17))
		}
	}
	var fp uint64
	for b := range 64 {
		if v[b] > 0 {
			fp |= 1 << b
		}
	}
	if fp == 0 {
		fp = 1
	}
	return fp
}

// fnv64 is FNV-1a with a final mix; stable across processes and releases.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// digitless replaces every digit of w with 0. Campaigns vary their numbers —
// amounts, phone numbers, "gain12" and "gain77" in links — from one copy to
// the next; read as the same word, the copies keep near-identical
// fingerprints.
func digitless(w string) string {
	if strings.IndexFunc(w, func(r rune) bool { return r >= '1' && r <= '9' }) < 0 {
		return w
	}
	b := []byte(w)
	for i, c := range b {
		if c >= '1' && c <= '9' {
			b[i] = '0'
		}
	}
	return string(b)
}
