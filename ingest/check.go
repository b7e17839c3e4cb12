package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/metrics"
	"github.com/vigie-moderation/vigie/internal/problem"
)

// ErrIDConflict reports a comment id already recorded with another text,
// in a comment not marked as an edit. Answered 409.
var ErrIDConflict = errors.New(`this id was already submitted with another text; send "edited": true to replace it`)

// ErrInProgress reports a comment id another request is writing right now.
// Answered 409 with Retry-After: 1.
var ErrInProgress = errors.New("another request is submitting this id right now; retry in a second")

// errRepeated reports one id twice, with different texts, in one batch.
var errRepeated = errors.New("this id appears twice in the batch with different texts")

// IDError names the comment a submission failed on.
type IDError struct {
	ID  string
	Err error
}

func (e *IDError) Error() string { return "comment " + strconv.Quote(e.ID) + ": " + e.Err.Error() }

// Unwrap returns the cause: ErrIDConflict, ErrInProgress or a batch error.
func (e *IDError) Unwrap() error { return e.Err }

// CheckResult is the answer of POST /v1/check.
type CheckResult struct {
	// ID is the comment id.
	ID string `json:"id"`
	// Action is the verdict's action: allow, review (hold) or reject.
	Action message.Action `json:"action"`
	// Nudge is the message for the author when Action is review or reject.
	Nudge *Nudge `json:"nudge,omitempty"`
	// Verdict is the full verdict, as the pipeline publishes it on
	// comments.verdicts.
	Verdict message.Verdict `json:"verdict"`
	// Replayed is true when an earlier request with the same id and text
	// was answered the same and nothing was written this time.
	Replayed bool `json:"-"`
}

func newCheckResult(c *message.Comment, v message.Verdict, replayed bool) CheckResult {
	return CheckResult{ID: c.ID, Action: v.Action, Nudge: NudgeFor(&v, c.ThreadLang), Verdict: v, Replayed: replayed}
}

// dedupe drops repeats of one id within a batch when their texts are equal
// and refuses the batch when they differ.
func dedupe(cs []*message.Comment) ([]*message.Comment, error) {
	if len(cs) < 2 {
		return cs, nil
	}
	first := make(map[string]*message.Comment, len(cs))
	out := cs[:0:0]
	for _, c := range cs {
		if prev, ok := first[c.ID]; ok {
			if prev.Text != c.Text {
				return nil, &IDError{ID: c.ID, Err: errRepeated}
			}
			continue
		}
		first[c.ID] = c
		out = append(out, c)
	}
	return out, nil
}

// Submit writes comments to the comments topic, idempotently when Redis is
// configured: a comment whose id was recorded with the same text is not
// written again, an edit (Edited) of a recorded one is. It returns how many
// comments it wrote. Nothing is written when it fails; the error is an
// *IDError (ErrIDConflict, ErrInProgress, a repeated id) or a failure of
// Kafka or Redis.
func (a *API) Submit(ctx context.Context, comments []*message.Comment) (int, error) {
	comments, err := dedupe(comments)
	if err != nil {
		return 0, err
	}
	if a.ledger == nil {
		return len(comments), a.Publish(ctx, comments)
	}
	token := newToken()
	seen, err := a.ledger.reserve(ctx, token, comments)
	if err != nil {
		return 0, err
	}
	var fresh []*message.Comment
	var failure error
	for i, s := range seen {
		switch s.outcome {
		case reserved:
			fresh = append(fresh, comments[i])
		case conflict:
			failure = cmpOr(failure, &IDError{ID: comments[i].ID, Err: ErrIDConflict})
		case busy:
			failure = cmpOr(failure, &IDError{ID: comments[i].ID, Err: ErrInProgress})
		}
	}
	if failure != nil {
		a.release(ctx, token, fresh)
		return 0, failure
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	if err := a.Publish(ctx, fresh); err != nil {
		a.release(ctx, token, fresh)
		return 0, err
	}
	a.record(ctx, token, kindSubmit, fresh, nil)
	return len(fresh), nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// release gives reservations back; a failure only delays retries until the
// reservations expire, so it is logged, not returned.
func (a *API) release(ctx context.Context, token string, cs []*message.Comment) {
	if len(cs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := a.ledger.release(ctx, token, cs); err != nil {
		a.cfg.Log.WithError(err).WithField("tenant", cs[0].Tenant).Warn("comment ids not released; retries wait for the reservation to expire")
	}
}

// record marks written comments; the write already happened, so a failure
// is logged: until the reservation expires a retry is answered 409, after
// it the comment is written again, which the pipeline absorbs.
func (a *API) record(ctx context.Context, token, kind string, cs []*message.Comment, verdicts []string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := a.ledger.record(ctx, token, kind, cs, verdicts); err != nil {
		a.cfg.Log.WithError(err).WithField("tenant", cs[0].Tenant).Warn("written comments not recorded as seen")
	}
}

// classify runs the classifier under the tenant's policy.
func (a *API) classify(ctx context.Context, c *message.Comment) (message.Verdict, error) {
	p, err := a.cfg.Policies(ctx, c.Tenant)
	if err != nil {
		return message.Verdict{}, fmt.Errorf("reading the policy of tenant %s: %w", c.Tenant, err)
	}
	v, err := a.cfg.Classifier.Classify(ctx, c, p)
	if err != nil {
		return message.Verdict{}, fmt.Errorf("classifying: %w", err)
	}
	return v, nil
}

// Check classifies c synchronously with the pipeline's classifier and
// writes it to the comments topic with its verdict attached, so the
// classify role does not classify it again and a flagged comment reaches
// the review queue. With Redis it is idempotent like Submit: the same id
// and text get the first verdict back and nothing is written; an edit is
// classified again. It needs a Classifier.
func (a *API) Check(ctx context.Context, c *message.Comment) (CheckResult, error) {
	if a.cfg.Classifier == nil {
		return CheckResult{}, errors.New("no classifier is configured")
	}
	c.Verdict = nil
	if a.ledger == nil {
		return a.checkAndWrite(ctx, c, "")
	}
	token := newToken()
	seen, err := a.ledger.reserve(ctx, token, []*message.Comment{c})
	if err != nil {
		return CheckResult{}, err
	}
	s := seen[0]
	switch s.outcome {
	case conflict:
		return CheckResult{}, &IDError{ID: c.ID, Err: ErrIDConflict}
	case busy:
		return CheckResult{}, &IDError{ID: c.ID, Err: ErrInProgress}
	case replay:
		if s.kind == kindCheck && s.verdict != "" {
			var v message.Verdict
			if err := json.Unmarshal([]byte(s.verdict), &v); err == nil {
				return newCheckResult(c, v, true), nil
			}
		}
		// Submitted asynchronously before: the pipeline classifies that
		// record with the same engine, so classify here without writing.
		v, err := a.classify(ctx, c)
		if err != nil {
			return CheckResult{}, err
		}
		return newCheckResult(c, v, true), nil
	}
	return a.checkAndWrite(ctx, c, token)
}

// checkAndWrite classifies c, writes it with its verdict and, when token is
// set, records or releases its reservation.
func (a *API) checkAndWrite(ctx context.Context, c *message.Comment, token string) (CheckResult, error) {
	cs := []*message.Comment{c}
	v, err := a.classify(ctx, c)
	if err == nil {
		c.Verdict = &v
		err = a.Publish(ctx, cs)
	}
	if err != nil {
		if token != "" {
			a.release(ctx, token, cs)
		}
		return CheckResult{}, err
	}
	if token != "" {
		b, _ := json.Marshal(v) // a verdict of plain fields always encodes
		a.record(ctx, token, kindCheck, cs, []string{string(b)})
	}
	return newCheckResult(c, v, false), nil
}

func (a *API) postCheck(w http.ResponseWriter, r *http.Request) {
	p, ok := a.admit(w, r)
	if !ok {
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		metrics.CommentsRejected.WithLabelValues("media_type").Inc()
		problem.Write(w, r, http.StatusUnsupportedMediaType, "send the comment as application/json")
		return
	}
	body, ok := a.readBody(w, r)
	if !ok {
		return
	}
	c, err := Parse(body, p.Tenant, a.cfg.Now().UTC())
	if err != nil {
		a.badInput(w, r, err, 0)
		return
	}
	res, err := a.Check(r.Context(), c)
	if err != nil {
		a.submitError(w, r, p.Tenant, err)
		return
	}
	if res.Replayed {
		w.Header().Set(ReplayedHeader, "true")
	}
	a.cfg.Log.WithFields(logrus.Fields{"tenant": c.Tenant, "comment_id": c.ID, "action": res.Action}).Debug("checked")
	writeJSON(w, http.StatusOK, res)
}
