package review

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/problem"
)

// APIConfig configures the moderator API. The zero value of every optional
// field picks the default named in its comment.
type APIConfig struct {
	// Store is the review queue. Required.
	Store *Store
	// Tokens resolves the operator-configured bearer tokens
	// (VIGIE_MODERATOR_TOKENS, "tenant:name:token"). May be nil. Moderator
	// accounts' API tokens and login sessions work alongside it.
	Tokens auth.Authenticator
	// StaticTokenRole is the role granted to principals from Tokens whose
	// role is "moderator", the role auth.ParseSpec gives them. Default
	// "admin": operator tokens are the bootstrap credential that creates the
	// first accounts. Set "moderator" to keep them at that role.
	StaticTokenRole string
	// Logger receives request errors. Default: discard.
	Logger *logrus.Entry
	// Now is the clock of session cookies. Default: the Store's clock.
	Now func() time.Time
	// UndoWindow is how long after a decision it can be undone. Default 10m.
	UndoWindow time.Duration
	// SecureCookies marks the session cookie Secure; set it when the API is
	// served over TLS (directly or behind a TLS-terminating proxy).
	SecureCookies bool
	// DefaultLease is the claim lease when a request names none. Default 5m.
	DefaultLease time.Duration
	// MaxLease bounds the lease a request may ask for. Default 1h.
	MaxLease time.Duration
	// MaxBodyBytes bounds request bodies. Default 64 KiB.
	MaxBodyBytes int64
}

// API serves the moderator HTTP API over a Store.
type API struct {
	cfg   APIConfig
	store *Store
	log   *logrus.Entry
}

// NewAPI checks cfg and returns the API.
func NewAPI(cfg APIConfig) (*API, error) {
	if cfg.Store == nil {
		return nil, errors.New("review: APIConfig.Store is required")
	}
	if cfg.StaticTokenRole == "" {
		cfg.StaticTokenRole = "admin"
	}
	if roleRank(cfg.StaticTokenRole) == 0 {
		return nil, fmt.Errorf("review: StaticTokenRole %q: want moderator, senior or admin", cfg.StaticTokenRole)
	}
	if cfg.Logger == nil {
		cfg.Logger = cfg.Store.opts.Logger
	}
	if cfg.Now == nil {
		cfg.Now = cfg.Store.opts.Now
	}
	if cfg.UndoWindow == 0 {
		cfg.UndoWindow = 10 * time.Minute
	}
	if cfg.DefaultLease == 0 {
		cfg.DefaultLease = 5 * time.Minute
	}
	if cfg.MaxLease == 0 {
		cfg.MaxLease = time.Hour
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	return &API{cfg: cfg, store: cfg.Store, log: cfg.Logger}, nil
}

// Roles, from least to most powerful.
const (
	RoleModerator = "moderator"
	RoleSenior    = "senior"
	RoleAdmin     = "admin"
)

// roleRank orders roles; 0 is not a moderator role at all.
func roleRank(role string) int {
	switch role {
	case RoleModerator:
		return 1
	case RoleSenior:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// caller is the authenticated principal of a request.
type caller struct {
	auth.Principal
	rank int
	// session is the hash of the session cookie when the request
	// authenticated with one; such writes need the CSRF token.
	session string
	csrf    string
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *caller) error

// Register mounts the moderator API on mux.
func (a *API) Register(mux *http.ServeMux) {
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, a.wrap(rt.minRole, rt.h))
	}
}

type route struct {
	pattern string
	minRole string // "" for unauthenticated routes
	h       handlerFunc
}

// Routes lists the method and path of every route Register mounts, in
// ServeMux pattern syntax.
func (a *API) Routes() []string {
	var out []string
	for _, rt := range a.routes() {
		out = append(out, rt.pattern)
	}
	return out
}

func (a *API) wrap(minRole string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		var c *caller
		if minRole != "" {
			var err error
			c, err = a.authenticate(r)
			if err == nil {
				err = a.checkCSRF(r, c)
			}
			if err == nil && c.rank < roleRank(minRole) {
				err = errorf(Forbidden, "this needs the %s role", minRole)
			}
			if err != nil {
				a.writeError(w, r, err)
				return
			}
		}
		if err := h(w, r, c); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// writeError answers with the problem document for err.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var se *statusError
	if errors.As(err, &se) {
		problem.Write(w, r, se.status, se.msg)
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		a.log.WithError(err).WithField("path", r.URL.Path).Error("review API request failed")
		problem.Write(w, r, http.StatusInternalServerError, "internal error")
		return
	}
	status := httpStatus(e.Code)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigie"`)
	}
	if e.Code == Internal {
		a.log.WithError(err).WithField("path", r.URL.Path).Error("review API request failed")
	}
	problem.WriteDetails(w, r, problem.Details{Status: status, Detail: e.Message, Field: e.Field})
}

// statusError carries an HTTP status that has no review Code (413, 415).
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

// decodeBody reads a JSON body into v. An empty body leaves v as it is;
// other content types get 415, oversized bodies 413, bad JSON 400.
func (a *API) decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &statusError{http.StatusUnsupportedMediaType, "the body must be application/json"}
		}
	} else {
		return &statusError{http.StatusUnsupportedMediaType, "the body must be application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &statusError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", a.cfg.MaxBodyBytes)}
		}
		return errorf(Invalid, "reading body: %v", err)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(Invalid, "invalid JSON body: %v", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// queryInt reads an integer query parameter within [lo, hi].
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, invalidField(name, "must be a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

// pathID returns a path wildcard checked like a publisher identifier.
func pathID(r *http.Request, name string) (string, error) {
	v := r.PathValue(name)
	if v == "" || len(v) > 256 || strings.ContainsAny(v, "\x00\r\n") {
		return "", invalidField(name, "must be 1-256 bytes without control characters")
	}
	return v, nil
}
