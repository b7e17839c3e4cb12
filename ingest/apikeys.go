package ingest

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/message"
)

// KeyPrefix starts every publisher API key Vigie issues. A key reads
// "vk_<tenant>_<48 hex digits>": the tenant names the Redis hash tag to look
// in, so a key is found without knowing its tenant first, and the random
// part never contains '_', so the last '_' ends the tenant.
const KeyPrefix = "vk_"

// keySecretHex is the length of a key's random part: 24 bytes in hex.
const keySecretHex = 48

// ErrKeyNotFound reports an API key id the tenant does not have.
var ErrKeyNotFound = errors.New("no such API key")

// APIKey describes a publisher API key without revealing it.
type APIKey struct {
	// ID is the first 16 hex digits of the key's SHA-256; it names the key
	// in listings, logs and revocation.
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is when a rotated-out key stops working; zero means never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Limit overrides the default rate limit when its fields are positive.
	Limit RateLimit `json:"limit,omitzero"`
}

// Keys is the Redis store of publisher API keys. It keeps only each key's
// SHA-256 and compares it in constant time. A tenant may hold any number of
// active keys, which is what makes rotation free of downtime: create the new
// key, deploy it, then revoke (or let expire) the old one. Keys implements
// auth.Authenticator and is safe for concurrent use.
type Keys struct {
	rdb redis.UniversalClient
	now func() time.Time
}

// NewKeys returns the key store over rdb; now is its clock (nil for
// time.Now).
func NewKeys(rdb redis.UniversalClient, now func() time.Time) *Keys {
	if now == nil {
		now = time.Now
	}
	return &Keys{rdb: rdb, now: now}
}

// validKeyTenant accepts the tenant names of message.ValidTenant except "_",
// whose hash tag the review queue reserves for its tenant registry.
func validKeyTenant(t string) bool { return t != "_" && message.ValidTenant(t) }

// parseKey returns the tenant a key claims and whether it is well formed.
func parseKey(token string) (string, bool) {
	if !strings.HasPrefix(token, KeyPrefix) {
		return "", false
	}
	rest := token[len(KeyPrefix):]
	i := strings.LastIndexByte(rest, '_')
	if i <= 0 || len(rest)-i-1 != keySecretHex {
		return "", false
	}
	for _, c := range rest[i+1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	tenant := rest[:i]
	return tenant, validKeyTenant(tenant)
}

func keyHash(token string) string {
	h := auth.Hash(token)
	return hex.EncodeToString(h[:])
}

// Create issues a new key for tenant. The key is returned once; only its
// hash is stored.
func (k *Keys) Create(ctx context.Context, tenant, name string, limit RateLimit) (string, APIKey, error) {
	if !validKeyTenant(tenant) {
		return "", APIKey{}, fmt.Errorf("tenant %q must be 1-64 characters of a-z, 0-9, '-' or '_'", tenant)
	}
	if name == "" || len(name) > 128 || strings.ContainsAny(name, "\x00\r\n") {
		return "", APIKey{}, errors.New("the key name must be 1-128 bytes without control characters")
	}
	if err := limit.validate(true); err != nil {
		return "", APIKey{}, err
	}
	var b [keySecretHex / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", APIKey{}, fmt.Errorf("drawing a random key: %w", err)
	}
	token := KeyPrefix + tenant + "_" + hex.EncodeToString(b[:])
	h := keyHash(token)
	key := APIKey{ID: h[:16], Tenant: tenant, Name: name, CreatedAt: k.now().UTC().Truncate(time.Millisecond), Limit: limit}
	_, err := k.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, apiKeyKey(tenant, key.ID),
			"hash", h, "name", name, "created_at", key.CreatedAt.UnixMilli(), "expires_at", 0,
			"rate", strconv.FormatFloat(limit.Rate, 'f', -1, 64), "burst", limit.Burst)
		p.SAdd(ctx, apiKeysKey(tenant), key.ID)
		return nil
	})
	if err != nil {
		return "", APIKey{}, fmt.Errorf("storing API key: %w", err)
	}
	return token, key, nil
}

func parseAPIKey(tenant, id string, h map[string]string) APIKey {
	key := APIKey{ID: id, Tenant: tenant, Name: h["name"]}
	if ms, err := strconv.ParseInt(h["created_at"], 10, 64); err == nil {
		key.CreatedAt = time.UnixMilli(ms).UTC()
	}
	if ms, err := strconv.ParseInt(h["expires_at"], 10, 64); err == nil && ms > 0 {
		key.ExpiresAt = time.UnixMilli(ms).UTC()
	}
	key.Limit.Rate, _ = strconv.ParseFloat(h["rate"], 64)
	key.Limit.Burst, _ = strconv.Atoi(h["burst"])
	return key
}

// Get returns one key of tenant by id.
func (k *Keys) Get(ctx context.Context, tenant, id string) (APIKey, error) {
	h, err := k.rdb.HGetAll(ctx, apiKeyKey(tenant, id)).Result()
	if err != nil {
		return APIKey{}, fmt.Errorf("reading API key: %w", err)
	}
	if h["hash"] == "" {
		return APIKey{}, fmt.Errorf("%w: tenant %s has no key %q", ErrKeyNotFound, tenant, id)
	}
	return parseAPIKey(tenant, id, h), nil
}

// List returns tenant's keys, oldest first, expired ones included until
// they are revoked.
func (k *Keys) List(ctx context.Context, tenant string) ([]APIKey, error) {
	ids, err := k.rdb.SMembers(ctx, apiKeysKey(tenant)).Result()
	if err != nil {
		return nil, fmt.Errorf("listing API keys: %w", err)
	}
	cmds, err := k.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range ids {
			p.HGetAll(ctx, apiKeyKey(tenant, id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading API keys: %w", err)
	}
	out := []APIKey{}
	for i, c := range cmds {
		h := c.(*redis.MapStringStringCmd).Val()
		if h["hash"] == "" {
			continue
		}
		out = append(out, parseAPIKey(tenant, ids[i], h))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Revoke deletes a key at once: the next request made with it gets 401.
func (k *Keys) Revoke(ctx context.Context, tenant, id string) error {
	if _, err := k.Get(ctx, tenant, id); err != nil {
		return err
	}
	_, err := k.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, apiKeyKey(tenant, id))
		p.SRem(ctx, apiKeysKey(tenant), id)
		p.Del(ctx, rateLimitKey(tenant, id))
		return nil
	})
	if err != nil {
		return fmt.Errorf("revoking API key: %w", err)
	}
	return nil
}

// Rotate issues a successor of key id with the same name and limits. The
// old key keeps working: until it is revoked when grace is 0, else for
// grace, after which it stops authenticating.
func (k *Keys) Rotate(ctx context.Context, tenant, id string, grace time.Duration) (string, APIKey, error) {
	old, err := k.Get(ctx, tenant, id)
	if err != nil {
		return "", APIKey{}, err
	}
	token, key, err := k.Create(ctx, tenant, old.Name, old.Limit)
	if err != nil {
		return "", APIKey{}, err
	}
	if grace > 0 {
		until := k.now().Add(grace).UnixMilli()
		if err := k.rdb.HSet(ctx, apiKeyKey(tenant, id), "expires_at", until).Err(); err != nil {
			return "", APIKey{}, fmt.Errorf("setting the old key's expiry: %w", err)
		}
	}
	return token, key, nil
}

// Authenticate implements auth.Authenticator. The principal's Subject is
// the key id, which also names its rate-limit bucket.
func (k *Keys) Authenticate(ctx context.Context, token string) (auth.Principal, error) {
	tenant, ok := parseKey(token)
	if !ok {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	h := keyHash(token)
	id := h[:16]
	v, err := k.rdb.HMGet(ctx, apiKeyKey(tenant, id), "hash", "expires_at").Result()
	if err != nil {
		return auth.Principal{}, fmt.Errorf("reading API key: %w", err)
	}
	stored, _ := v[0].(string)
	if subtle.ConstantTimeCompare([]byte(stored), []byte(h)) != 1 {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	if exp, _ := v[1].(string); exp != "" && exp != "0" {
		ms, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || k.now().UnixMilli() >= ms {
			return auth.Principal{}, auth.ErrUnauthenticated
		}
	}
	return auth.Principal{Tenant: tenant, Subject: id, Role: "publisher"}, nil
}

// RateLimit is a token bucket: Rate requests per second on average, with
// bursts of up to Burst.
type RateLimit struct {
	Rate  float64 `json:"rate,omitempty"`
	Burst int     `json:"burst,omitempty"`
}

// validate checks the limit; optional allows zero fields (use the default).
func (l RateLimit) validate(optional bool) error {
	if math.IsNaN(l.Rate) || l.Rate < 0 || l.Rate > 1e6 || l.Burst < 0 || l.Burst > 1e6 {
		return errors.New("the rate must be 0-1000000 per second and the burst 0-1000000")
	}
	if !optional && (l.Rate <= 0 || l.Burst <= 0) {
		return errors.New("the rate and the burst must be positive")
	}
	return nil
}
