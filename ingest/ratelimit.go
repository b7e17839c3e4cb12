package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter enforces per-key rate limits with token buckets kept in Redis, so
// every ingest replica spends from the same bucket. It is safe for
// concurrent use.
type Limiter struct {
	rdb redis.UniversalClient
	def RateLimit
	now func() time.Time
}

// NewLimiter returns a limiter whose buckets default to def; a key's own
// limit (APIKey.Limit) overrides it. now is the clock (nil for time.Now).
func NewLimiter(rdb redis.UniversalClient, def RateLimit, now func() time.Time) (*Limiter, error) {
	if err := def.validate(false); err != nil {
		return nil, fmt.Errorf("default rate limit: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{rdb: rdb, def: def, now: now}, nil
}

// Allowance is the outcome of taking a token.
type Allowance struct {
	Allowed bool
	// Remaining is how many requests the bucket still holds.
	Remaining int
	// RetryAfter is how long until a request would be allowed; zero when
	// Allowed.
	RetryAfter time.Duration
	// Limit is the bucket's burst size.
	Limit int
}

// Take spends one token from the bucket of key id in tenant. An error means
// Redis could not be asked; the caller decides whether to refuse.
func (l *Limiter) Take(ctx context.Context, tenant, id string) (Allowance, error) {
	res, err := rateLimitScript.Run(ctx, l.rdb,
		[]string{rateLimitKey(tenant, id), apiKeyKey(tenant, id)},
		l.now().UnixMilli(), l.def.Rate, l.def.Burst, 1).Int64Slice()
	if err != nil {
		return Allowance{}, fmt.Errorf("taking a rate-limit token: %w", err)
	}
	if len(res) != 4 {
		return Allowance{}, fmt.Errorf("unexpected rate-limit reply %v", res)
	}
	return Allowance{
		Allowed: res[0] == 1, Remaining: int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Millisecond, Limit: int(res[3]),
	}, nil
}
