package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Comment is a comment as a publisher submits it. ID, ThreadID, Author.ID
// and Text are required; the tenant comes from the API key.
type Comment struct {
	// ID is your comment id: with your tenant it is the idempotency key, so
	// sending the same comment twice is safe.
	ID       string `json:"id"`
	ThreadID string `json:"thread_id"`
	// ThreadLang is the article's language (ISO 639-1), used when the text
	// is too short to detect its language.
	ThreadLang string    `json:"thread_lang,omitempty"`
	ParentID   string    `json:"parent_id,omitempty"`
	Author     Author    `json:"author"`
	Text       string    `json:"text"`
	URL        string    `json:"url,omitempty"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	// Edited marks a new text for an id sent before; without it a different
	// text under a known id is refused with 409.
	Edited bool `json:"edited,omitempty"`
}

// Author identifies who wrote a comment.
type Author struct {
	ID        string     `json:"id"`
	Name      string     `json:"name,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	IPHash    string     `json:"ip_hash,omitempty"`
}

// Action is what Vigie asks you to do with a comment.
type Action string

// The actions of a verdict.
const (
	// Allow: publish the comment.
	Allow Action = "allow"
	// Review: hold it; a moderator decides, and the decision comes back on
	// comments.decisions and by webhook.
	Review Action = "review"
	// Reject: do not publish it.
	Reject Action = "reject"
)

// Nudge is a short message for the author of a held or rejected comment,
// in the comment's language, saying what to change.
type Nudge struct {
	// Reason is "attack", "spam", "shouting" or "other".
	Reason   string `json:"reason"`
	Language string `json:"language"`
	Message  string `json:"message"`
}

// Match is one rule that fired, with the byte span of the text it matched.
type Match struct {
	Rule       string  `json:"rule"`
	Label      string  `json:"label"`
	Weight     float64 `json:"weight"`
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Normalized string  `json:"normalized"`
}

// Verdict is the classifier's decision, as published on comments.verdicts.
type Verdict struct {
	Tenant    string `json:"tenant"`
	CommentID string `json:"comment_id"`
	Action    Action `json:"action"`
	Scores    struct {
		Spam  float64 `json:"spam"`
		Troll float64 `json:"troll"`
	} `json:"scores"`
	Labels   []string `json:"labels"`
	Language struct {
		Code       string  `json:"code"`
		Confidence float64 `json:"confidence"`
		Source     string  `json:"source"`
	} `json:"language"`
	Matches      []Match   `json:"matches"`
	Ruleset      string    `json:"ruleset"`
	ClassifiedAt time.Time `json:"classified_at"`
}

// CheckResult is the answer to Check.
type CheckResult struct {
	ID     string `json:"id"`
	Action Action `json:"action"`
	// Nudge is set when Action is Review or Reject.
	Nudge   *Nudge  `json:"nudge,omitempty"`
	Verdict Verdict `json:"verdict"`
	// Replayed is true when Vigie had already answered this comment (same
	// id and text) and this answer repeats the first one.
	Replayed bool `json:"-"`
}

// Accepted is the answer to Submit and SubmitBatch.
type Accepted struct {
	Accepted int      `json:"accepted"`
	IDs      []string `json:"ids"`
	// Replayed is true when every comment had been accepted before and
	// nothing was written this time.
	Replayed bool `json:"-"`
}

// APIError is an error answer of the Vigie API: its HTTP status and RFC 9457
// problem document.
type APIError struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	// Field names the input field at fault, Line the NDJSON line.
	Field string `json:"field,omitempty"`
	Line  int    `json:"line,omitempty"`
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration `json:"-"`
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("vigie: %d %s", e.Status, e.Title)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client. Default: one with a 10 s timeout.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithRetries sets how many times a request is retried after a 503, a 429,
// a 409 "in progress" or a network error. Default 4; 0 disables retries.
func WithRetries(n int) Option { return func(c *Client) { c.retries = n } }

// WithBackoff sets the first and the longest wait between retries when the
// server sends no Retry-After. Waits double from min to max, with jitter.
// Default 100 ms to 5 s.
func WithBackoff(min, max time.Duration) Option {
	return func(c *Client) { c.minBackoff, c.maxBackoff = min, max }
}

// WithMaxRetryAfter sets the longest Retry-After the client waits for;
// a longer one (a spent rate limit, say) returns the *APIError at once so
// the caller can decide. Default 30 s.
func WithMaxRetryAfter(d time.Duration) Option { return func(c *Client) { c.maxRetryAfter = d } }

// Client calls the Vigie publisher API. It is safe for concurrent use.
type Client struct {
	base          string
	key           string
	http          *http.Client
	retries       int
	minBackoff    time.Duration
	maxBackoff    time.Duration
	maxRetryAfter time.Duration
	sleep         func(ctx context.Context, d time.Duration) error
}

// New returns a client of the Vigie instance at baseURL (for example
// "https://vigie.example.com") authenticating with a publisher API key.
func New(baseURL, key string, opts ...Option) *Client {
	c := &Client{
		base: strings.TrimRight(baseURL, "/"), key: key,
		http:    &http.Client{Timeout: 10 * time.Second},
		retries: 4, minBackoff: 100 * time.Millisecond, maxBackoff: 5 * time.Second,
		maxRetryAfter: 30 * time.Second, sleep: sleepCtx,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Check classifies one comment synchronously and returns the verdict. Vigie
// also records it, so a held comment reaches the moderators' queue; calling
// Check again for the same id and text returns the first verdict.
func (c *Client) Check(ctx context.Context, cm Comment) (*CheckResult, error) {
	body, err := json.Marshal(cm)
	if err != nil {
		return nil, fmt.Errorf("encoding comment: %w", err)
	}
	var res CheckResult
	replayed, err := c.do(ctx, "/v1/check", "application/json", body, &res)
	if err != nil {
		return nil, err
	}
	res.Replayed = replayed
	return &res, nil
}

// Submit sends one comment for asynchronous moderation. It returns once the
// comment is durably in Vigie's log.
func (c *Client) Submit(ctx context.Context, cm Comment) (*Accepted, error) {
	body, err := json.Marshal(cm)
	if err != nil {
		return nil, fmt.Errorf("encoding comment: %w", err)
	}
	return c.accept(ctx, "application/json", body)
}

// SubmitBatch sends up to 1000 comments in one request, all or nothing.
func (c *Client) SubmitBatch(ctx context.Context, cms []Comment) (*Accepted, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range cms {
		if err := enc.Encode(&cms[i]); err != nil {
			return nil, fmt.Errorf("encoding comment %d: %w", i, err)
		}
	}
	return c.accept(ctx, "application/x-ndjson", buf.Bytes())
}

func (c *Client) accept(ctx context.Context, ctype string, body []byte) (*Accepted, error) {
	var res Accepted
	replayed, err := c.do(ctx, "/v1/comments", ctype, body, &res)
	if err != nil {
		return nil, err
	}
	res.Replayed = replayed
	return &res, nil
}

// do POSTs body, retrying what may succeed later, and decodes a 2xx answer
// into out. It reports whether the answer was a replay.
func (c *Client) do(ctx context.Context, path, ctype string, body []byte, out any) (bool, error) {
	for attempt := 0; ; attempt++ {
		replayed, wait, err := c.once(ctx, path, ctype, body, out)
		if err == nil {
			return replayed, nil
		}
		if wait < 0 || attempt >= c.retries || ctx.Err() != nil {
			return false, err
		}
		if wait == 0 {
			wait = c.backoff(attempt)
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return false, fmt.Errorf("%w (last attempt: %v)", serr, err)
		}
	}
}

// backoff is the wait before retry attempt+1: exponential with full jitter.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.minBackoff << min(attempt, 20)
	if d <= 0 || d > c.maxBackoff {
		d = c.maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// once makes one attempt. wait says what to do on error: -1 do not retry,
// 0 retry after the backoff, >0 retry after that long.
func (c *Client) once(ctx context.Context, path, ctype string, body []byte, out any) (bool, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return false, -1, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// Every publisher call is idempotent per comment id, so a request
		// lost on the way can be sent again.
		return false, 0, fmt.Errorf("calling Vigie: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return false, 0, fmt.Errorf("reading Vigie's answer: %w", err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return false, -1, fmt.Errorf("decoding Vigie's answer: %w", err)
		}
		return resp.Header.Get("Idempotent-Replayed") == "true", 0, nil
	}
	apiErr := &APIError{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
	_ = json.Unmarshal(b, apiErr)
	apiErr.Status = resp.StatusCode
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		apiErr.RetryAfter = time.Duration(s) * time.Second
	}
	retryable := resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests ||
		// 409 with Retry-After: another request is writing the same
		// comment id right now; the next attempt gets its answer.
		(resp.StatusCode == http.StatusConflict && resp.Header.Get("Retry-After") != "")
	switch {
	case !retryable:
		return false, -1, apiErr
	case apiErr.RetryAfter > c.maxRetryAfter:
		return false, -1, apiErr
	case apiErr.RetryAfter > 0:
		return false, apiErr.RetryAfter, apiErr
	case resp.Header.Get("Retry-After") == "0":
		return false, time.Nanosecond, apiErr
	}
	return false, 0, apiErr
}
