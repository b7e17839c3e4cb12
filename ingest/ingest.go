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
	"time"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"

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
	// Auth resolves publisher keys to tenants. Required.
	Auth auth.Authenticator
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
type API struct{ cfg Config }

// New returns the publisher API after checking its configuration.
func New(cfg Config) (*API, error) {
	if cfg.Producer == nil || cfg.Auth == nil {
		return nil, errors.New("ingest: Producer and Auth are required")
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
	return &API{cfg: cfg}, nil
}

// Register mounts the publisher routes on mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/comments", a.postComments)
}

// Accepted is the 202 answer to a submission.
type Accepted struct {
	Accepted int      `json:"accepted"`
	IDs      []string `json:"ids"`
}

// Authenticate resolves the request's bearer key, answering 401 itself when
// it fails.
func (a *API) Authenticate(w http.ResponseWriter, r *http.Request) (auth.Principal, bool) {
	p, err := a.cfg.Auth.Authenticate(r.Context(), auth.BearerToken(r))
	if err != nil {
		metrics.CommentsRejected.WithLabelValues("auth").Inc()
		if errors.Is(err, auth.ErrUnauthenticated) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigie-publisher"`)
			problem.Write(w, r, http.StatusUnauthorized, "a valid publisher API key is required: Authorization: Bearer <key>")
		} else {
			problem.Write(w, r, http.StatusServiceUnavailable, "cannot check the API key right now")
		}
		return auth.Principal{}, false
	}
	if p.Role != "publisher" {
		problem.Write(w, r, http.StatusForbidden, "this credential is not a publisher API key")
		return auth.Principal{}, false
	}
	return p, true
}

func (a *API) postComments(w http.ResponseWriter, r *http.Request) {
	p, ok := a.Authenticate(w, r)
	if !ok {
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/x-ndjson") {
		metrics.CommentsRejected.WithLabelValues("media_type").Inc()
		problem.Write(w, r, http.StatusUnsupportedMediaType, "send one comment as application/json or a batch as application/x-ndjson")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			metrics.CommentsRejected.WithLabelValues("too_large").Inc()
			problem.Write(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", a.cfg.MaxBodyBytes))
			return
		}
		problem.Write(w, r, http.StatusBadRequest, "reading the body: "+err.Error())
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
	if err := a.Publish(r.Context(), comments); err != nil {
		a.cfg.Log.WithError(err).WithField("tenant", p.Tenant).Warn("comments not acknowledged by Kafka")
		problem.Write(w, r, http.StatusServiceUnavailable, "the comment log cannot take the write right now; nothing was accepted, retry later")
		return
	}
	resp := Accepted{Accepted: len(comments), IDs: make([]string, len(comments))}
	for i, c := range comments {
		resp.IDs[i] = c.ID
	}
	writeJSON(w, http.StatusAccepted, resp)
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
