package review

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/vigie-moderation/vigie/internal/auth"
)

// Moderator is a moderator account of one tenant.
type Moderator struct {
	Login     string    `json:"login"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// APIToken describes an API token without revealing it.
type APIToken struct {
	ID        string    `json:"id"`
	Login     string    `json:"login"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// apiTokenPrefix starts every API token, so a bearer token says which
// authenticator knows it and which tenant's keys to look in.
const apiTokenPrefix = "vgt."

// minPasswordLen is the shortest password an account may have.
const minPasswordLen = 12

func validLogin(l string) bool {
	if len(l) == 0 || len(l) > 64 {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '@') {
			return false
		}
	}
	return true
}

func checkPassword(p string) error {
	if len(p) < minPasswordLen {
		return invalidField("password", "must be at least %d characters", minPasswordLen)
	}
	if len(p) > 72 {
		return invalidField("password", "must be at most 72 bytes (bcrypt's limit)")
	}
	return nil
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenHash(tok string) string {
	h := auth.Hash(tok)
	return hex.EncodeToString(h[:])
}

// addModerator creates an account; it is a Conflict if the login exists.
func (s *Store) addModerator(ctx context.Context, tenant, login, password, role, actor string) (Moderator, error) {
	if !validLogin(login) {
		return Moderator{}, invalidField("login", "must be 1-64 characters of a-z, 0-9, '.', '_', '-' or '@'")
	}
	if roleRank(role) == 0 {
		return Moderator{}, invalidField("role", "must be moderator, senior or admin")
	}
	if err := checkPassword(password); err != nil {
		return Moderator{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.opts.PasswordCost)
	if err != nil {
		return Moderator{}, fmt.Errorf("hashing password: %w", err)
	}
	now := s.now().UTC()
	ok, err := s.rdb.HSetNX(ctx, moderatorKey(tenant, login), "role", role).Result()
	if err != nil {
		return Moderator{}, fmt.Errorf("creating moderator: %w", err)
	}
	if !ok {
		return Moderator{}, errorf(Conflict, "moderator %q already exists", login)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, moderatorKey(tenant, login), "password", string(hash), "disabled", "0",
			"created_at", now.Format(time.RFC3339Nano))
		p.SAdd(ctx, moderatorsKey(tenant), login)
		return nil
	})
	if err != nil {
		return Moderator{}, fmt.Errorf("creating moderator: %w", err)
	}
	if err := s.appendAudit(ctx, tenant, actor, "moderator.add", "login", login, "role", role); err != nil {
		return Moderator{}, err
	}
	return Moderator{Login: login, Role: role, CreatedAt: now}, nil
}

func parseModerator(login string, h map[string]string) (Moderator, bool) {
	if h["role"] == "" {
		return Moderator{}, false
	}
	m := Moderator{Login: login, Role: h["role"], Disabled: h["disabled"] == "1"}
	m.CreatedAt, _ = time.Parse(time.RFC3339Nano, h["created_at"])
	return m, true
}

// getModerator reads one account.
func (s *Store) getModerator(ctx context.Context, tenant, login string) (Moderator, string, error) {
	h, err := s.rdb.HGetAll(ctx, moderatorKey(tenant, login)).Result()
	if err != nil {
		return Moderator{}, "", fmt.Errorf("reading moderator: %w", err)
	}
	m, ok := parseModerator(login, h)
	if !ok {
		return Moderator{}, "", errorf(NotFound, "no moderator %q in this tenant", login)
	}
	return m, h["password"], nil
}

// listModerators returns the tenant's accounts sorted by login.
func (s *Store) listModerators(ctx context.Context, tenant string) ([]Moderator, error) {
	logins, err := s.rdb.SMembers(ctx, moderatorsKey(tenant)).Result()
	if err != nil {
		return nil, fmt.Errorf("listing moderators: %w", err)
	}
	sort.Strings(logins)
	cmds, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, l := range logins {
			p.HGetAll(ctx, moderatorKey(tenant, l))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading moderators: %w", err)
	}
	out := []Moderator{}
	for i, c := range cmds {
		if m, ok := parseModerator(logins[i], c.(*redis.MapStringStringCmd).Val()); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// moderatorChange is a partial update of an account.
type moderatorChange struct {
	Role     *string `json:"role,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
	Password *string `json:"password,omitempty"`
}

// updateModerator applies a change to an account and audits it.
func (s *Store) updateModerator(ctx context.Context, tenant, login string, ch moderatorChange, actor string) (Moderator, error) {
	m, _, err := s.getModerator(ctx, tenant, login)
	if err != nil {
		return Moderator{}, err
	}
	var set []any
	var what []string
	if ch.Role != nil {
		if roleRank(*ch.Role) == 0 {
			return Moderator{}, invalidField("role", "must be moderator, senior or admin")
		}
		set = append(set, "role", *ch.Role)
		m.Role = *ch.Role
		what = append(what, "role="+*ch.Role)
	}
	if ch.Disabled != nil {
		v := "0"
		if *ch.Disabled {
			v = "1"
		}
		set = append(set, "disabled", v)
		m.Disabled = *ch.Disabled
		what = append(what, "disabled="+v)
	}
	if ch.Password != nil {
		if err := checkPassword(*ch.Password); err != nil {
			return Moderator{}, err
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(*ch.Password), s.opts.PasswordCost)
		if err != nil {
			return Moderator{}, fmt.Errorf("hashing password: %w", err)
		}
		set = append(set, "password", string(hash))
		what = append(what, "password")
	}
	if len(set) == 0 {
		return m, nil
	}
	if err := s.rdb.HSet(ctx, moderatorKey(tenant, login), set...).Err(); err != nil {
		return Moderator{}, fmt.Errorf("updating moderator: %w", err)
	}
	if err := s.appendAudit(ctx, tenant, actor, "moderator.update", "login", login, "changed", strings.Join(what, ",")); err != nil {
		return Moderator{}, err
	}
	return m, nil
}

var (
	dummyHashOnce sync.Once
	dummyHash     []byte
)

// login checks a password and opens a session. It answers Unauthenticated
// without saying whether the login or the password was wrong, and spends a
// bcrypt comparison either way.
func (s *Store) login(ctx context.Context, tenant, login, password string) (cookie, csrf string, m Moderator, err error) {
	bad := &Error{Code: Unauthenticated, Message: "wrong tenant, login or password"}
	if !validTenant(tenant) || !validLogin(login) {
		return "", "", Moderator{}, bad
	}
	m, hash, err := s.getModerator(ctx, tenant, login)
	if err != nil && CodeOf(err) != NotFound {
		return "", "", Moderator{}, err
	}
	if err != nil || m.Disabled {
		dummyHashOnce.Do(func() {
			dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password at all"), s.opts.PasswordCost)
		})
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return "", "", Moderator{}, bad
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return "", "", Moderator{}, bad
	}
	cookie = tenant + "." + randomToken()
	csrf = randomToken()
	key := sessionKey(tenant, tokenHash(cookie))
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "login", login, "csrf", csrf, "created_at", s.now().UTC().Format(time.RFC3339Nano))
		p.PExpire(ctx, key, s.opts.SessionTTL)
		return nil
	})
	if err != nil {
		return "", "", Moderator{}, fmt.Errorf("opening session: %w", err)
	}
	if err := s.appendAudit(ctx, tenant, login, "login"); err != nil {
		return "", "", Moderator{}, err
	}
	return cookie, csrf, m, nil
}

// splitCredential splits "tenant.secret" (after prefix) and checks the tenant.
func splitCredential(v, prefix string) (tenant string, ok bool) {
	if !strings.HasPrefix(v, prefix) {
		return "", false
	}
	t, rest, found := strings.Cut(v[len(prefix):], ".")
	if !found || rest == "" || !validTenant(t) {
		return "", false
	}
	return t, true
}

// accountPrincipal resolves the account behind a session or token record,
// refusing disabled accounts; the role is the account's current one.
func (s *Store) accountPrincipal(ctx context.Context, tenant, login string) (auth.Principal, error) {
	m, _, err := s.getModerator(ctx, tenant, login)
	if CodeOf(err) == NotFound || (err == nil && m.Disabled) {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	if err != nil {
		return auth.Principal{}, err
	}
	return auth.Principal{Tenant: tenant, Subject: login, Role: m.Role}, nil
}

// lookupSession resolves a session cookie to its principal and CSRF token.
func (s *Store) lookupSession(ctx context.Context, cookie string) (auth.Principal, string, string, error) {
	tenant, ok := splitCredential(cookie, "")
	if !ok {
		return auth.Principal{}, "", "", auth.ErrUnauthenticated
	}
	h := tokenHash(cookie)
	sess, err := s.rdb.HGetAll(ctx, sessionKey(tenant, h)).Result()
	if err != nil {
		return auth.Principal{}, "", "", fmt.Errorf("reading session: %w", err)
	}
	if sess["login"] == "" {
		return auth.Principal{}, "", "", auth.ErrUnauthenticated
	}
	p, err := s.accountPrincipal(ctx, tenant, sess["login"])
	return p, h, sess["csrf"], err
}

// sessionExpiry tells when a session ends, from its key's time to live.
func (s *Store) sessionExpiry(ctx context.Context, tenant, sessionHash string) (time.Time, error) {
	ttl, err := s.rdb.PTTL(ctx, sessionKey(tenant, sessionHash)).Result()
	if err != nil {
		return time.Time{}, fmt.Errorf("reading session lifetime: %w", err)
	}
	if ttl < 0 {
		return time.Time{}, &Error{Code: Unauthenticated, Message: "the session has ended"}
	}
	return s.now().Add(ttl).UTC().Truncate(time.Second), nil
}

// logout ends a session.
func (s *Store) logout(ctx context.Context, tenant, sessionHash string) error {
	if err := s.rdb.Del(ctx, sessionKey(tenant, sessionHash)).Err(); err != nil {
		return fmt.Errorf("closing session: %w", err)
	}
	return nil
}

// createAPIToken issues a token acting as login. The token is returned once
// and only its hash is stored.
func (s *Store) createAPIToken(ctx context.Context, tenant, login, name, actor string) (string, APIToken, error) {
	if _, _, err := s.getModerator(ctx, tenant, login); err != nil {
		return "", APIToken{}, err
	}
	if len(name) > 128 || strings.ContainsAny(name, "\x00\r\n") {
		return "", APIToken{}, invalidField("name", "must be at most 128 bytes without control characters")
	}
	tok := apiTokenPrefix + tenant + "." + randomToken()
	h := tokenHash(tok)
	now := s.now().UTC()
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, apiTokenKey(tenant, h), "login", login, "name", name, "created_at", now.Format(time.RFC3339Nano))
		p.SAdd(ctx, apiTokensKey(tenant), h)
		return nil
	})
	if err != nil {
		return "", APIToken{}, fmt.Errorf("creating API token: %w", err)
	}
	id := h[:16]
	if err := s.appendAudit(ctx, tenant, actor, "token.create", "login", login, "token_id", id); err != nil {
		return "", APIToken{}, err
	}
	return tok, APIToken{ID: id, Login: login, Name: name, CreatedAt: now}, nil
}

// lookupAPIToken resolves an API token to its principal.
func (s *Store) lookupAPIToken(ctx context.Context, tok string) (auth.Principal, error) {
	tenant, ok := splitCredential(tok, apiTokenPrefix)
	if !ok {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	login, err := s.rdb.HGet(ctx, apiTokenKey(tenant, tokenHash(tok)), "login").Result()
	if errors.Is(err, redis.Nil) {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	if err != nil {
		return auth.Principal{}, fmt.Errorf("reading API token: %w", err)
	}
	return s.accountPrincipal(ctx, tenant, login)
}

// listAPITokens lists the tenant's tokens, optionally those of one login.
func (s *Store) listAPITokens(ctx context.Context, tenant, login string) ([]APIToken, error) {
	hashes, err := s.rdb.SMembers(ctx, apiTokensKey(tenant)).Result()
	if err != nil {
		return nil, fmt.Errorf("listing API tokens: %w", err)
	}
	sort.Strings(hashes)
	cmds, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, h := range hashes {
			p.HGetAll(ctx, apiTokenKey(tenant, h))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading API tokens: %w", err)
	}
	out := []APIToken{}
	for i, c := range cmds {
		h := c.(*redis.MapStringStringCmd).Val()
		if h["login"] == "" || (login != "" && h["login"] != login) {
			continue
		}
		t := APIToken{ID: hashes[i][:16], Login: h["login"], Name: h["name"]}
		t.CreatedAt, _ = time.Parse(time.RFC3339Nano, h["created_at"])
		out = append(out, t)
	}
	return out, nil
}

// revokeAPIToken deletes the token whose id is given. A non-admin may only
// revoke their own tokens (onlyLogin non-empty).
func (s *Store) revokeAPIToken(ctx context.Context, tenant, id, onlyLogin, actor string) error {
	if len(id) != 16 {
		return errorf(NotFound, "no API token %q", id)
	}
	hashes, err := s.rdb.SMembers(ctx, apiTokensKey(tenant)).Result()
	if err != nil {
		return fmt.Errorf("listing API tokens: %w", err)
	}
	for _, h := range hashes {
		if subtle.ConstantTimeCompare([]byte(h[:16]), []byte(id)) != 1 {
			continue
		}
		login, err := s.rdb.HGet(ctx, apiTokenKey(tenant, h), "login").Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("reading API token: %w", err)
		}
		if onlyLogin != "" && login != onlyLogin {
			return errorf(NotFound, "no API token %q", id)
		}
		_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, apiTokenKey(tenant, h))
			p.SRem(ctx, apiTokensKey(tenant), h)
			return nil
		})
		if err != nil {
			return fmt.Errorf("revoking API token: %w", err)
		}
		return s.appendAudit(ctx, tenant, actor, "token.revoke", "token_id", id)
	}
	return errorf(NotFound, "no API token %q", id)
}

// cookieName is the session cookie.
const cookieName = "vigie_session"

// csrfHeader carries the session's CSRF token on cookie-authenticated writes.
const csrfHeader = "X-CSRF-Token"
