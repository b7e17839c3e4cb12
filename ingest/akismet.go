package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
	"github.com/sirupsen/logrus"
	"golang.org/x/text/encoding/htmlindex"

	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/metrics"
)

// The Akismet adapter answers Akismet's REST API (version 1.1) so that a
// site already using an Akismet client only changes the host it talks to
// and puts a Vigie publisher key where the Akismet key was. docs/publisher.md
// lists what is matched and what differs.

// Akismet answers and headers, as the Akismet API defines them.
const (
	akismetThanks    = "Thanks for making the web a better place."
	akismetProTip    = "X-akismet-pro-tip"
	akismetDebugHelp = "X-akismet-debug-help"
	akismetGUID      = "X-akismet-guid"
	// ActionHeader carries Vigie's own action (allow, review, reject) on
	// Akismet answers, for clients that can use more than spam/not spam.
	ActionHeader = "X-Vigie-Action"
)

// akismetGuaranteedSpam is the author name and e-mail local part with which
// Akismet's documentation tells integrators to test a spam answer.
const akismetGuaranteedSpam = "akismet-guaranteed-spam"

// Feedback is a publisher's own verdict on a comment, sent through the
// Akismet adapter: submit-spam (Spam true) or submit-ham (Spam false).
type Feedback struct {
	Tenant    string
	CommentID string
	Spam      bool
	// KeyID names the API key that sent it.
	KeyID string
	At    time.Time
}

// FeedbackSink receives publisher feedback, for instance to apply it to the
// review queue like a moderator decision. It must be idempotent per
// (tenant, comment id, spam), since Akismet clients may send a report twice.
type FeedbackSink interface {
	PublisherFeedback(ctx context.Context, f Feedback) error
}

// maxFeedback bounds each tenant's feedback stream (approximately).
const maxFeedback = 100_000

func akismetText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// akismetForm parses the form body within MaxBodyBytes, answering itself
// when it cannot.
func (a *API) akismetForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			akismetText(w, http.StatusRequestEntityTooLarge, "the body is too large")
			return nil, false
		}
		w.Header().Set(akismetDebugHelp, "send the fields as application/x-www-form-urlencoded")
		akismetText(w, http.StatusBadRequest, "invalid")
		return nil, false
	}
	return r.PostForm, true
}

// akismetPrincipal authenticates the form's api_key (or key, its older
// name) and spends a request of its rate limit, answering as Akismet does
// when the key is not valid.
func (a *API) akismetPrincipal(w http.ResponseWriter, r *http.Request, form url.Values) (auth.Principal, bool) {
	key := form.Get("api_key")
	if key == "" {
		key = form.Get("key")
	}
	p, err := a.resolve(r.Context(), key)
	if err != nil {
		if errors.Is(err, auth.ErrUnauthenticated) || errors.Is(err, errNotPublisher) {
			metrics.CommentsRejected.WithLabelValues("auth").Inc()
			w.Header().Set(akismetDebugHelp, "api_key must be a Vigie publisher API key")
			akismetText(w, http.StatusOK, "invalid")
		} else {
			a.cfg.Log.WithError(err).Warn("publisher key lookup failed")
			akismetText(w, http.StatusServiceUnavailable, "cannot check the API key right now")
		}
		return p, false
	}
	al, err := a.take(r.Context(), p)
	if err != nil {
		a.cfg.Log.WithError(err).WithField("tenant", p.Tenant).Warn("rate limit check failed")
		akismetText(w, http.StatusServiceUnavailable, "cannot check the rate limit right now")
		return p, false
	}
	if !al.Allowed {
		metrics.CommentsRejected.WithLabelValues("rate_limited").Inc()
		w.Header().Set("Retry-After", retryAfter(al.RetryAfter))
		akismetText(w, http.StatusTooManyRequests, "rate limited")
		return p, false
	}
	return p, true
}

func (a *API) akismetVerifyKey(w http.ResponseWriter, r *http.Request) {
	form, ok := a.akismetForm(w, r)
	if !ok {
		return
	}
	key := form.Get("api_key")
	if key == "" {
		key = form.Get("key")
	}
	_, err := a.resolve(r.Context(), key)
	switch {
	case err == nil:
		akismetText(w, http.StatusOK, "valid")
	case errors.Is(err, auth.ErrUnauthenticated) || errors.Is(err, errNotPublisher):
		w.Header().Set(akismetDebugHelp, "api_key must be a Vigie publisher API key")
		akismetText(w, http.StatusOK, "invalid")
	default:
		a.cfg.Log.WithError(err).Warn("publisher key lookup failed")
		akismetText(w, http.StatusServiceUnavailable, "cannot check the API key right now")
	}
}

func (a *API) akismetCommentCheck(w http.ResponseWriter, r *http.Request) {
	form, ok := a.akismetForm(w, r)
	if !ok {
		return
	}
	p, ok := a.akismetPrincipal(w, r, form)
	if !ok {
		return
	}
	c, err := AkismetComment(form, p.Tenant, a.cfg.Now().UTC())
	if err != nil {
		metrics.CommentsRejected.WithLabelValues("invalid").Inc()
		w.Header().Set(akismetDebugHelp, err.Error())
		akismetText(w, http.StatusBadRequest, "invalid")
		return
	}
	w.Header().Set(akismetGUID, c.ID)
	if strings.EqualFold(form.Get("comment_author"), akismetGuaranteedSpam) ||
		strings.EqualFold(form.Get("comment_author_email"), akismetGuaranteedSpam+"@example.com") {
		akismetText(w, http.StatusOK, "true")
		return
	}
	var res CheckResult
	if isTrue(form.Get("is_test")) {
		// A test request is classified but recorded nowhere.
		var v message.Verdict
		if v, err = a.classify(r.Context(), c); err == nil {
			res = newCheckResult(c, v, false)
		}
	} else {
		res, err = a.Check(r.Context(), c)
	}
	if err != nil {
		var ie *IDError
		if errors.As(err, &ie) {
			w.Header().Set(akismetDebugHelp, ie.Error())
			akismetText(w, http.StatusConflict, "invalid")
			return
		}
		a.cfg.Log.WithError(err).WithFields(logrus.Fields{"tenant": c.Tenant, "comment_id": c.ID}).Warn("akismet comment-check failed")
		akismetText(w, http.StatusServiceUnavailable, "cannot check the comment right now")
		return
	}
	w.Header().Set(ActionHeader, string(res.Action))
	if res.Action == message.ActionAllow {
		akismetText(w, http.StatusOK, "false")
		return
	}
	if res.Action == message.ActionReject && res.Nudge != nil && res.Nudge.Reason == ReasonSpam {
		w.Header().Set(akismetProTip, "discard")
	}
	akismetText(w, http.StatusOK, "true")
}

func isTrue(v string) bool { return v == "1" || strings.EqualFold(v, "true") }

// akismetSubmit serves submit-spam (spam true) and submit-ham.
func (a *API) akismetSubmit(spam bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		form, ok := a.akismetForm(w, r)
		if !ok {
			return
		}
		p, ok := a.akismetPrincipal(w, r, form)
		if !ok {
			return
		}
		c, err := AkismetComment(form, p.Tenant, a.cfg.Now().UTC())
		if err != nil {
			w.Header().Set(akismetDebugHelp, err.Error())
			akismetText(w, http.StatusBadRequest, "invalid")
			return
		}
		if isTrue(form.Get("is_test")) {
			akismetText(w, http.StatusOK, akismetThanks)
			return
		}
		f := Feedback{Tenant: p.Tenant, CommentID: c.ID, Spam: spam, KeyID: p.Subject, At: a.cfg.Now().UTC()}
		if err := a.RecordFeedback(r.Context(), f); err != nil {
			a.cfg.Log.WithError(err).WithFields(logrus.Fields{"tenant": c.Tenant, "comment_id": c.ID}).Warn("publisher feedback not recorded")
			akismetText(w, http.StatusServiceUnavailable, "cannot record the report right now")
			return
		}
		akismetText(w, http.StatusOK, akismetThanks)
	}
}

// RecordFeedback records a publisher's spam or ham report: appended to the
// tenant's feedback stream in Redis when Redis is configured, and handed to
// Config.Feedback when set.
func (a *API) RecordFeedback(ctx context.Context, f Feedback) error {
	kind := "ham"
	if f.Spam {
		kind = "spam"
	}
	if a.cfg.Redis != nil {
		err := a.cfg.Redis.XAdd(ctx, &redis.XAddArgs{
			Stream: feedbackKey(f.Tenant), MaxLen: maxFeedback, Approx: true,
			Values: []any{"comment_id", f.CommentID, "kind", kind, "key_id", f.KeyID, "at", f.At.UnixMilli()},
		}).Err()
		if err != nil {
			return fmt.Errorf("appending feedback: %w", err)
		}
	}
	if a.cfg.Feedback != nil {
		if err := a.cfg.Feedback.PublisherFeedback(ctx, f); err != nil {
			return fmt.Errorf("handing feedback on: %w", err)
		}
	}
	return nil
}

// AkismetComment turns Akismet's form fields into a comment of tenant.
// Akismet sends no comment id, so the id is derived from the fields that
// identify a comment ("ak_" and 32 hex digits), unless the Vigie extension
// field comment_id gives one: the same comment sent twice gets the same id,
// which is what makes comment-check idempotent and lets submit-spam and
// submit-ham, which resend the same fields, name the checked comment.
// Author ids are derived from the e-mail address, else the name, else the
// IP address, hashed so no personal data becomes an id; the IP address
// itself is kept only as ip_hash.
func AkismetComment(form url.Values, tenant string, now time.Time) (*message.Comment, error) {
	text, err := akismetText8(form.Get("comment_content"), form.Get("blog_charset"))
	if err != nil {
		return nil, err
	}
	get := func(name string) string { return strings.TrimSpace(form.Get(name)) }
	thread := get("permalink")
	if thread == "" {
		thread = get("blog")
	}
	c := &message.Comment{
		V: message.Version, Tenant: tenant, ThreadID: boundedID("thr_", thread), Text: text,
		URL: get("permalink"), ReceivedAt: now, CreatedAt: now,
		Edited: get("recheck_reason") == "edit",
	}
	if len(c.URL) > 2048 {
		c.URL = ""
	}
	if c.ThreadID == "" {
		c.ThreadID = "akismet"
	}
	if t, err := time.Parse(time.RFC3339, get("comment_date_gmt")); err == nil {
		c.CreatedAt = t.UTC()
	}
	if l := strings.ToLower(get("blog_lang")); len(l) >= 2 && l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z' && (len(l) == 2 || l[2] == '_' || l[2] == '-' || l[2] == ',') {
		c.ThreadLang = l[:2]
	}
	if name := get("comment_author"); utf8.ValidString(name) && len(name) <= 256 && !strings.ContainsAny(name, "\x00\r\n") {
		c.Author.Name = name
	}
	switch email, name, ip := strings.ToLower(get("comment_author_email")), get("comment_author"), get("user_ip"); {
	case email != "":
		c.Author.ID = "ak_" + shortHash(tenant, "email", email)
	case name != "":
		c.Author.ID = "ak_" + shortHash(tenant, "name", name)
	case ip != "":
		c.Author.ID = "ak_" + shortHash(tenant, "ip", ip)
	default:
		c.Author.ID = "anonymous"
	}
	if ip := get("user_ip"); ip != "" {
		c.Author.IPHash = shortHash(tenant, "ip", ip)
	}
	if id := get("comment_id"); id != "" {
		c.ID = id
	} else {
		c.ID = "ak_" + shortHash(tenant, get("blog"), get("permalink"), get("comment_type"), get("comment_author"),
			get("comment_author_email"), get("comment_author_url"), get("comment_date_gmt"), text)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// akismetText8 returns the comment text as UTF-8, decoding it from the
// blog's charset when it is not UTF-8 already.
func akismetText8(text, charset string) (string, error) {
	if utf8.ValidString(text) {
		return text, nil
	}
	if charset == "" {
		return "", &message.FieldError{Field: "comment_content", Reason: "is not valid UTF-8 and blog_charset names no charset"}
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return "", &message.FieldError{Field: "blog_charset", Reason: fmt.Sprintf("%q is not a known charset", charset)}
	}
	out, err := enc.NewDecoder().String(text)
	if err != nil || !utf8.ValidString(out) {
		return "", &message.FieldError{Field: "comment_content", Reason: "cannot be decoded from " + charset}
	}
	return out, nil
}

// shortHash is 32 hex digits of the SHA-256 of parts, NUL-separated.
func shortHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// boundedID returns s when it fits in an id (256 bytes, no control
// characters), else prefix and a hash of s.
func boundedID(prefix, s string) string {
	if s == "" {
		return ""
	}
	if len(s) <= 256 && utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\r\n") {
		return s
	}
	return prefix + shortHash(s)
}
