package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vigie-moderation/vigie/internal/message"
)

// Principal is an authenticated caller. Tenant is the only tenant it may see.
type Principal struct {
	Tenant string
	// Subject names the caller: a moderator's login or a publisher key's name.
	Subject string
	// Role is "publisher" for publisher keys and "moderator", "senior" or
	// "admin" for moderators.
	Role string
}

// ErrUnauthenticated reports a missing or unknown credential. Callers answer
// 401 without saying which of the two it was.
var ErrUnauthenticated = errors.New("missing or invalid credentials")

// Authenticator resolves a bearer token to a Principal. Implementations are
// safe for concurrent use and return ErrUnauthenticated for a token they do
// not know.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// BearerToken returns the token of an "Authorization: Bearer …" header, or "".
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):])
	}
	return ""
}

// Hash returns the SHA-256 of a token. Tokens are random and long, so a fast
// hash is enough to keep them out of memory dumps and Redis in clear.
func Hash(token string) [32]byte { return sha256.Sum256([]byte(token)) }

type staticEntry struct {
	hash [32]byte
	p    Principal
}

// Static is an Authenticator over a fixed list of tokens, configured by the
// operator. It keeps only the tokens' hashes and compares every entry in
// constant time, so neither timing nor a memory dump gives a token away.
type Static struct{ entries []staticEntry }

// NewStatic returns an empty Static authenticator.
func NewStatic() *Static { return &Static{} }

// Add registers token for principal p.
func (s *Static) Add(token string, p Principal) {
	s.entries = append(s.entries, staticEntry{Hash(token), p})
}

// Authenticate implements Authenticator.
func (s *Static) Authenticate(_ context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrUnauthenticated
	}
	h := Hash(token)
	var found Principal
	ok := 0
	for _, e := range s.entries {
		if subtle.ConstantTimeCompare(h[:], e.hash[:]) == 1 {
			found, ok = e.p, 1
		}
	}
	if ok == 0 {
		return Principal{}, ErrUnauthenticated
	}
	return found, nil
}

// ParseSpec reads a comma-separated list of "tenant:subject:token" entries
// (the format of VIGIE_PUBLISHER_KEYS and VIGIE_MODERATOR_TOKENS) into a
// Static authenticator whose principals get role. Tokens must be at least 16
// characters: shorter ones are guessable.
func ParseSpec(spec, role string) (*Static, error) {
	s := NewStatic()
	for i, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		parts := strings.SplitN(item, ":", 3)
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return nil, fmt.Errorf("entry %d: want tenant:name:token", i+1)
		}
		if len(parts[2]) < 16 {
			return nil, fmt.Errorf("entry %d (tenant %q): token is shorter than 16 characters", i+1, parts[0])
		}
		if !message.ValidTenant(parts[0]) {
			return nil, fmt.Errorf("entry %d: tenant %q must be 1-64 characters of a-z, 0-9, '-' or '_'", i+1, parts[0])
		}
		s.Add(parts[2], Principal{Tenant: parts[0], Subject: parts[1], Role: role})
	}
	return s, nil
}

// Chain tries each authenticator in turn and returns the first principal found.
type Chain []Authenticator

// Authenticate implements Authenticator.
func (c Chain) Authenticate(ctx context.Context, token string) (Principal, error) {
	for _, a := range c {
		p, err := a.Authenticate(ctx, token)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, ErrUnauthenticated) {
			return Principal{}, err
		}
	}
	return Principal{}, ErrUnauthenticated
}
