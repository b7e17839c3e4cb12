package classify

import (
	"context"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// RedisSignals is the Signals of a classify role running as a service: the
// fingerprints and author timelines live in Redis, so every replica of the
// consumer group sees the comments the others classified.
//
// Keys, all under the tenant's hash tag:
//
//	vigie:{tenant}:sig:author:<author_id>   ZSET comment_id → created_at (ms)
//	vigie:{tenant}:sig:band:<b>:<v>         ZSET "<fingerprint hex>|<len(author_id)>:<author_id><comment_id>" → created_at (ms)
//
// where <b> is one of the eight 8-bit bands of the SimHash and <v> its value.
// A member names its comment, so a redelivered comment re-adds itself rather
// than counting twice. Author timelines are trimmed and expire with every
// observation; the band keys — at most 8 × 256 per tenant — are trimmed and
// given a TTL of twice the window by one observation in four, and every read
// filters by the window, so stale members cost memory, never counts.
type RedisSignals struct {
	rdb redis.UniversalClient
	// perBand bounds the candidates read from one band, newest first, so a
	// flood of one text cannot make a lookup unbounded. Campaigns are
	// recent and the signals' thresholds are small counts, so the newest
	// few dozen candidates per band are enough to reach them.
	perBand int64
}

// NewRedisSignals returns Signals kept in rdb.
func NewRedisSignals(rdb redis.UniversalClient) *RedisSignals {
	return &RedisSignals{rdb: rdb, perBand: 8}
}

func sigAuthorKey(tenant, author string) string {
	return "vigie:{" + tenant + "}:sig:author:" + author
}

func sigBandKey(tenant string, band int, v uint8) string {
	return "vigie:{" + tenant + "}:sig:band:" + strconv.Itoa(band) + ":" + strconv.Itoa(int(v))
}

// Observe implements Signals in one pipelined round trip.
func (r *RedisSignals) Observe(ctx context.Context, o Observation) (Counts, error) {
	at := o.At.UnixMilli()
	since := o.At.Add(-o.Window).UnixMilli()
	ttl := 2 * o.Window
	minScore := strconv.FormatInt(since, 10)
	var authorCount *redis.IntCmd
	var bandMembers [nbands]*redis.StringSliceCmd
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		ak := sigAuthorKey(o.Tenant, o.AuthorID)
		p.ZAdd(ctx, ak, redis.Z{Score: float64(at), Member: o.CommentID})
		p.ZRemRangeByScore(ctx, ak, "-inf", "("+minScore)
		authorCount = p.ZCount(ctx, ak, minScore, "+inf")
		p.PExpire(ctx, ak, ttl)
		if o.Fingerprint == 0 {
			return nil
		}
		member := bandMember(o.Fingerprint, o.AuthorID, o.CommentID)
		// Reads filter by the window, so trimming and expiring the band
		// keys is housekeeping: one observation in four does it, which
		// saves the server a quarter of this call's work.
		housekeep := fnv64(o.CommentID)%4 == 0
		for b := range nbands {
			k := sigBandKey(o.Tenant, b, uint8(o.Fingerprint>>(8*b)))
			p.ZAdd(ctx, k, redis.Z{Score: float64(at), Member: member})
			if housekeep {
				p.ZRemRangeByScore(ctx, k, "-inf", "("+minScore)
				p.PExpire(ctx, k, ttl)
			}
			bandMembers[b] = p.ZRevRangeByScore(ctx, k, &redis.ZRangeBy{Min: minScore, Max: "+inf", Count: r.perBand})
		}
		return nil
	})
	if err != nil {
		return Counts{}, fmt.Errorf("observing spam signals in Redis: %w", err)
	}
	c := Counts{AuthorComments: int(authorCount.Val())}
	if o.Fingerprint == 0 {
		return c, nil
	}
	comments := map[string]bool{}
	authors := map[string]bool{}
	for _, cmd := range bandMembers {
		for _, m := range cmd.Val() {
			fp, author, id, ok := parseBandMember(m)
			if !ok || comments[id] || bits.OnesCount64(fp^o.Fingerprint) > NearDuplicateBits {
				continue
			}
			comments[id] = true
			authors[author] = true
		}
	}
	c.Duplicates = len(comments)
	c.DuplicateAuthors = len(authors)
	return c, nil
}

// bandMember encodes a band entry. The author id is length-prefixed because
// ids are publishers' opaque strings and may contain any separator.
func bandMember(fp uint64, author, commentID string) string {
	return strconv.FormatUint(fp, 16) + "|" + strconv.Itoa(len(author)) + ":" + author + commentID
}

func parseBandMember(m string) (fp uint64, author, commentID string, ok bool) {
	fpHex, rest, ok := strings.Cut(m, "|")
	if !ok {
		return 0, "", "", false
	}
	n, rest, ok := strings.Cut(rest, ":")
	if !ok {
		return 0, "", "", false
	}
	alen, err := strconv.Atoi(n)
	if err != nil || alen < 0 || alen > len(rest) {
		return 0, "", "", false
	}
	if fp, err = strconv.ParseUint(fpHex, 16, 64); err != nil {
		return 0, "", "", false
	}
	return fp, rest[:alen], rest[alen:], true
}
