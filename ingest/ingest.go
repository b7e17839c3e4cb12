package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/metrics"
	"github.com/vigie-moderation/vigie/internal/problem"
)

// MaxBatch is the most comments one NDJSON request may carry.
const MaxBatch = 1000

// Producer writes records to the comments topic. WriteMessages returns only
// after the broker acknowledged every record (kafka-go's *kafka.Writer with
// RequiredAcks=all satisfies it); an error means none may be assumed written.
type Producer interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Config wires the ingest API.
type Config struct {
	// Producer writes to the comments topic. Required.
	Producer Producer
	// Auth resolves operator-configured publisher keys to tenants. Required
	// unless Redis is set; with Redis, the keys issued by `vigie admin keys`
	// (Keys) are accepted too, after Auth's.
	Auth auth.Authenticator
	// Redis keeps the publisher API keys, the rate-limit buckets shared by
	// every ingest replica, the idempotency ledger and the Coral signing
	// secrets. Optional: without it only Auth's keys work, requests are not
	// rate limited, a resubmitted comment is written again and the Coral
	// adapter is not mounted.
	Redis redis.UniversalClient
	// Classifier decides POST /v1/check and the Akismet and Coral adapters
	// synchronously. It must be the classify role's engine (same rule file,
	// same languages) so a synchronous verdict equals the pipeline's.
	// Optional: without it those routes are not mounted.
	Classifier classify.Classifier
	// Policies gives a tenant's classification policy, the same source the
	// classify role uses. Default: classify.DefaultPolicy for every tenant.
	Policies classify.PolicySource
	// RateLimit is the limit of a key that has none of its own. Default 50
	// requests per second with bursts of 100.
	RateLimit RateLimit
	// IdempotencyTTL is how long a comment id is remembered, so that a
	// resubmission is answered without writing. Default 24h.
	IdempotencyTTL time.Duration
	// Feedback receives the spam and ham reports of the Akismet adapter
	// (submit-spam, submit-ham) as moderator-like feedback. Optional: the
	// reports are always appended to the tenant's feedback stream in Redis.
	Feedback FeedbackSink
	// MaxBodyBytes bounds a request body. Default 1 MiB.
	MaxBodyBytes int64
	// WriteTimeout bounds the wait for Kafka's acknowledgement before
	// answering 503. Default 10s.
	WriteTimeout time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Log receives one line per failed write; never comment text.
	Log *logrus.Entry
}

// API is the publisher HTTP API.
type API struct {
	cfg     Config
	auth    auth.Authenticator
	keys    *Keys
	limiter *Limiter
	ledger  *ledger
}

// New returns the publisher API after checking its configuration.
func New(cfg Config) (*API, error) {
	if cfg.Producer == nil || (cfg.Auth == nil && cfg.Redis == nil) {
		return nil, errors.New("ingest: Producer and Auth (or Redis) are required")
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = logrus.NewEntry(logrus.StandardLogger())
	}
	if cfg.Policies == nil {
		cfg.Policies = func(context.Context, string) (classify.Policy, error) { return classify.DefaultPolicy(), nil }
	}
	if cfg.RateLimit == (RateLimit{}) {
		cfg.RateLimit = RateLimit{Rate: 50, Burst: 100}
	}
	if cfg.IdempotencyTTL == 0 {
		cfg.IdempotencyTTL = 24 * time.Hour
	}
	a := &API{cfg: cfg, auth: cfg.Auth}
	if cfg.Redis != nil {
		a.keys = NewKeys(cfg.Redis, cfg.Now)
		if cfg.Auth != nil {
			a.auth = auth.Chain{cfg.Auth, a.keys}
		} else {
			a.auth = a.keys
		}
		l, err := NewLimiter(cfg.Redis, cfg.RateLimit, cfg.Now)
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		a.limiter = l
		// A reservation outlives the longest write it guards, so it only
		// lapses when the process that took it is gone.
		a.ledger = &ledger{rdb: cfg.Redis, reserveTTL: cfg.WriteTimeout + 5*time.Second, ttl: cfg.IdempotencyTTL}
	}
	return a, nil
}

// Register mounts the publisher routes on mux: POST /v1/comments always;
// POST /v1/check and the Akismet routes (/1.1/…) when a Classifier is
// configured; the Coral Talk route when Redis is too. Serving
// /v1/openapi.json is left to the caller (see OpenAPI).
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/comments", a.postComments)
	if a.cfg.Classifier == nil {
		return
	}
	mux.HandleFunc("POST /v1/check", a.postCheck)
	mux.HandleFunc("POST /1.1/verify-key", a.akismetVerifyKey)
	mux.HandleFunc("POST /1.1/comment-check", a.akismetCommentCheck)
	mux.HandleFunc("POST /1.1/submit-spam", a.akismetSubmit(true))
	mux.HandleFunc("POST /1.1/submit-ham", a.akismetSubmit(false))
	if a.cfg.Redis != nil {
		mux.HandleFunc("POST /v1/adapters/coral/{tenant}", a.postCoral)
	}
}

// Accepted is the 202 answer to a submission.
type Accepted struct {
	Accepted int      `json:"accepted"`
	IDs      []string `json:"ids"`
}

// errNotPublisher reports a valid credential that is not a publisher key.
var errNotPublisher = errors.New("this credential is not a publisher API key")

// resolve authenticates a publisher key. Errors are auth.ErrUnauthenticated,
// errNotPublisher, or a failure to ask the key store.
func (a *API) resolve(ctx context.Context, token string) (auth.Principal, error) {
	p, err := a.auth.Authenticate(ctx, token)
	if err != nil {
		return auth.Principal{}, err
	}
	if p.Role != "publisher" {
		return auth.Principal{}, errNotPublisher
	}
	return p, nil
}

// Authenticate resolves the request's bearer key, answering 401, 403 or 503
// itself when it fails.
func (a *API) Authenticate(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	p, err := a.resolve(r.Context(), auth.BearerToken(r))
	switch {
	case err == nil:
		return p, true
	case errors.Is(err, auth.ErrUnauthenticated):
		metrics.CommentsRejected.WithLabelValues("auth").Inc()
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigie-publisher"`)
		problem.Write(w, r, http.StatusUnauthorized, "a valid publisher API key is required: Authorization: Bearer <key>")
	case errors.Is(err, errNotPublisher):
		metrics.CommentsRejected.WithLabelValues("auth").Inc()
		problem.Write(w, r, http.StatusForbidden, err.Error())
	default:
		a.cfg.Log.WithError(err).Warn("publisher key lookup failed")
		problem.Write(w, r, http.StatusServiceUnavailable, "cannot check the API key right now")
	}
	return auth.Principal{}, false
}

// take spends one request of p's rate limit. Without Redis every request
// is allowed.
func (a *API) take(ctx context.Context, p auth.Principal) (Allowance, error) {
	if a.limiter == nil {
		return Allowance{Allowed: true}, nil
	}
	return a.limiter.Take(ctx, p.Tenant, p.Subject)
}

// admit authenticates the request and spends one request of its key's rate
// limit, answering 401, 403, 429 or 503 itself when it fails.
func (a *API) admit(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	p, ok := a.Authenticate(w, r)
	if !ok {
		return p, false
	}
	al, err := a.take(r.Context(), p)
	if err != nil {
		a.cfg.Log.WithError(err).WithField("tenant", p.Tenant).Warn("rate limit check failed")
		problem.Write(w, r, http.StatusServiceUnavailable, "cannot check the rate limit right now; retry later")
		return p, false
	}
	if !al.Allowed {
		metrics.CommentsRejected.WithLabelValues("rate_limited").Inc()
		w.Header().Set("Retry-After", retryAfter(al.RetryAfter))
		problem.Write(w, r, http.StatusTooManyRequests, fmt.Sprintf("this key's rate limit (bursts of %d) is spent; retry after the Retry-After delay", al.Limit))
		return p, false
	}
	return p, true
}

// retryAfter renders a wait as whole seconds, at least 1.
func retryAfter(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10)
}

// readBody reads the request body within MaxBodyBytes, answering 413 or 400
// itself when it fails.
func (a *API) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			metrics.CommentsRejected.WithLabelValues("too_large").Inc()
			problem.Write(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", a.cfg.MaxBodyBytes))
			return nil, false
		}
		problem.Write(w, r, http.StatusBadRequest, "reading the body: "+err.Error())
		return nil, false
	}
	return body, true
}

// ReplayedHeader is set to "true" on an answer that repeats what an earlier
// request with the same comment id and text was answered; nothing was
// written.
const ReplayedHeader = "Idempotent-Replayed"

func (a *API) postComments(w http.ResponseWriter, r *http.Request) {
	p, ok := a.admit(w, r)
	if !ok {
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/x-ndjson") {
		metrics.CommentsRejected.WithLabelValues("media_type").Inc()
		problem.Write(w, r, http.StatusUnsupportedMediaType, "send one comment as application/json or a batch as application/x-ndjson")
		return
	}
	body, ok := a.readBody(w, r)
	if !ok {
		return
	}
	now := a.cfg.Now().UTC()
	var comments []*message.Comment
	if mt == "application/json" {
		c, perr := Parse(body, p.Tenant, now)
		if perr != nil {
			a.badInput(w, r, perr, 0)
			return
		}
		comments = append(comments, c)
	} else {
		var line int
		comments, line, err = ParseBatch(body, p.Tenant, now)
		if err != nil {
			a.badInput(w, r, err, line)
			return
		}
	}
	// A repeated id in a batch is one comment (Submit refuses the batch
	// when the repeats differ), so it is listed once.
	ids := make([]string, 0, len(comments))
	listed := make(map[string]bool, len(comments))
	for _, c := range comments {
		if !listed[c.ID] {
			listed[c.ID] = true
			ids = append(ids, c.ID)
		}
	}
	written, err := a.Submit(r.Context(), comments)
	if err != nil {
		a.submitError(w, r, p.Tenant, err)
		return
	}
	if written == 0 {
		w.Header().Set(ReplayedHeader, "true")
	}
	writeJSON(w, http.StatusAccepted, Accepted{Accepted: len(ids), IDs: ids})
}

// submitError answers a failed Submit or Check.
func (a *API) submitError(w http.ResponseWriter, r *http.Request, tenant string, err error) {
	var ie *IDError
	switch {
	case errors.As(err, &ie) && errors.Is(err, ErrIDConflict):
		metrics.CommentsRejected.WithLabelValues("conflict").Inc()
		problem.WriteDetails(w, r, problem.Details{Status: http.StatusConflict, Detail: err.Error(), Field: "id"})
	case errors.As(err, &ie) && errors.Is(err, ErrInProgress):
		metrics.CommentsRejected.WithLabelValues("conflict").Inc()
		w.Header().Set("Retry-After", "1")
		problem.WriteDetails(w, r, problem.Details{Status: http.StatusConflict, Detail: err.Error(), Field: "id"})
	case errors.As(err, &ie):
		a.badInput(w, r, err, 0)
	default:
		a.cfg.Log.WithError(err).WithField("tenant", tenant).Warn("comments not accepted")
		problem.Write(w, r, http.StatusServiceUnavailable, "the comment log cannot take the write right now; nothing was accepted, retry later")
	}
}

func (a *API) badInput(w http.ResponseWriter, r *http.Request, err error, line int) {
	metrics.CommentsRejected.WithLabelValues("invalid").Inc()
	d := problem.Details{Status: http.StatusBadRequest, Detail: err.Error(), Line: line}
	var fe *message.FieldError
	if errors.As(err, &fe) {
		d.Field = fe.Field
	}
	problem.WriteDetails(w, r, d)
}

// Publish writes comments to Kafka and waits for the acknowledgement.
func (a *API) Publish(ctx context.Context, comments []*message.Comment) error {
	msgs := make([]kafka.Message, len(comments))
	for i, c := range comments {
		b, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encoding comment: %w", err)
		}
		msgs[i] = kafka.Message{Key: []byte(c.Key()), Value: b, Time: c.ReceivedAt}
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.WriteTimeout)
	defer cancel()
	if err := a.cfg.Producer.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("writing %d comments: %w", len(msgs), err)
	}
	metrics.CommentsAccepted.Add(float64(len(msgs)))
	return nil
}

// Parse decodes one submitted comment for tenant, fills what the service
// owns (tenant, received_at, a v=1 and created_at default) and validates it.
// The tenant in the body, if any, is overwritten: it comes from the key.
func Parse(b []byte, tenant string, now time.Time) (*message.Comment, error) {
	// encoding/json would quietly turn invalid bytes into U+FFFD; refuse
	// them instead, so what is moderated is what was sent.
	if !utf8.Valid(b) {
		return nil, &message.FieldError{Field: "body", Reason: "is not valid UTF-8"}
	}
	var c message.Comment
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("the body is not a JSON comment object: %w", err)
	}
	if dec.More() {
		return nil, errors.New("the body holds more than one JSON value; send a batch as application/x-ndjson")
	}
	if c.V == 0 {
		c.V = message.Version
	}
	c.Tenant = tenant
	c.ReceivedAt = now
	c.Verdict = nil
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// ParseBatch decodes an NDJSON batch. It is all or nothing: the first bad
// line is reported with its 1-based number and nothing is accepted.
func ParseBatch(b []byte, tenant string, now time.Time) ([]*message.Comment, int, error) {
	var out []*message.Comment
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), len(b)+1)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		if len(out) == MaxBatch {
			return nil, line, fmt.Errorf("a batch holds at most %d comments", MaxBatch)
		}
		c, err := Parse(raw, tenant, now)
		if err != nil {
			return nil, line, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, line, fmt.Errorf("reading the batch: %w", err)
	}
	if len(out) == 0 {
		return nil, 0, errors.New("the batch holds no comment")
	}
	return out, 0, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
