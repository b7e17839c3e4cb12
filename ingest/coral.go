package ingest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/metrics"
	"github.com/vigie-moderation/vigie/internal/problem"
)

// The Coral adapter answers the requests of a Coral Talk "external
// moderation phase": Coral POSTs a JSON description of a new or edited
// comment, signed with the phase's signing secret(s) in X-Coral-Signature
// ("sha256=<hex HMAC-SHA256 of the body>", comma-separated when Coral is
// rotating secrets), and expects either 204 (no opinion) or 200 with
// {"status", "actions", "tags"}. docs/publisher.md shows the mapping.

// CoralSignatureHeader carries Coral's request signatures.
const CoralSignatureHeader = "X-Coral-Signature"

// CoralRequest is the body of a Coral external moderation request.
type CoralRequest struct {
	// Action is "NEW" or "EDIT".
	Action  string `json:"action"`
	Comment struct {
		Body     string  `json:"body"`
		ParentID *string `json:"parentID"`
	} `json:"comment"`
	Author struct {
		ID   string `json:"id"`
		Role string `json:"role"`
	} `json:"author"`
	Story struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	} `json:"story"`
	Site struct {
		ID string `json:"id"`
	} `json:"site"`
	TenantID     string `json:"tenantID"`
	TenantDomain string `json:"tenantDomain"`
	// Tenant is the shape older Coral releases sent instead of TenantID and
	// TenantDomain.
	Tenant *struct {
		ID     string `json:"id"`
		Domain string `json:"domain"`
	} `json:"tenant,omitempty"`
}

// CoralAction is a flag Coral adds to the comment.
type CoralAction struct {
	ActionType string `json:"actionType"`
	Reason     string `json:"reason"`
}

// CoralResponse is the body of a 200 answer to Coral.
type CoralResponse struct {
	Status  string        `json:"status,omitempty"`
	Actions []CoralAction `json:"actions,omitempty"`
	Tags    []string      `json:"tags,omitempty"`
}

// CoralComment turns a Coral request into a comment of tenant. Coral sends
// no comment id, so the id ("coral_" and 32 hex digits) is derived from the
// Coral tenant, site, story, author, parent and body: the same request sent
// twice gets the same id and the first answer. An edit (action EDIT) is a
// new body and so gets a new id, marked edited.
func CoralComment(req *CoralRequest, tenant string) (*message.Comment, error) {
	coralTenant := req.TenantID
	if coralTenant == "" && req.Tenant != nil {
		coralTenant = req.Tenant.ID
	}
	parent := ""
	if req.Comment.ParentID != nil {
		parent = *req.Comment.ParentID
	}
	if req.Action != "NEW" && req.Action != "EDIT" {
		return nil, &message.FieldError{Field: "action", Reason: `must be "NEW" or "EDIT"`}
	}
	c := &message.Comment{
		V: message.Version, Tenant: tenant,
		ID:       "coral_" + shortHash(coralTenant, req.Site.ID, req.Story.ID, req.Author.ID, parent, req.Comment.Body),
		ThreadID: boundedID("thr_", req.Story.ID), ParentID: boundedID("cmt_", parent),
		Author: message.Author{ID: boundedID("usr_", req.Author.ID)},
		Text:   req.Comment.Body, URL: req.Story.URL, Edited: req.Action == "EDIT",
	}
	if len(c.URL) > 2048 {
		c.URL = ""
	}
	return c, nil
}

// coralStatus maps a Vigie verdict to Coral's answer; nil means 204.
func coralStatus(res CheckResult) *CoralResponse {
	if res.Action == message.ActionAllow {
		return nil
	}
	reason := "COMMENT_DETECTED_TOXIC"
	if res.Nudge != nil && res.Nudge.Reason == ReasonSpam {
		reason = "COMMENT_DETECTED_SPAM"
	}
	// Coral's own spam and toxicity phases withhold what they flag until a
	// moderator looks; Vigie does the same for review and rejects outright
	// what it rejects. The flag says why in Coral's moderation queue.
	status := "SYSTEM_WITHHELD"
	if res.Action == message.ActionReject {
		status = "REJECTED"
	}
	return &CoralResponse{Status: status, Actions: []CoralAction{{ActionType: "FLAG", Reason: reason}}}
}

// verifyCoralSignature checks that one of the header's sha256 signatures is
// the HMAC-SHA256 of body under one of secrets.
func verifyCoralSignature(header string, body []byte, secrets []string) bool {
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		alg, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || alg != "sha256" {
			continue
		}
		if b, err := hex.DecodeString(v); err == nil {
			sigs = append(sigs, b)
		}
	}
	ok := false
	for _, s := range secrets {
		mac := hmac.New(sha256.New, []byte(s))
		mac.Write(body)
		want := mac.Sum(nil)
		for _, got := range sigs {
			if hmac.Equal(got, want) {
				ok = true
			}
		}
	}
	return ok
}

// SignCoral returns the X-Coral-Signature value Coral sends for body under
// secrets, for tests and for replaying a request by hand.
func SignCoral(body []byte, secrets ...string) string {
	parts := make([]string, len(secrets))
	for i, s := range secrets {
		mac := hmac.New(sha256.New, []byte(s))
		mac.Write(body)
		parts[i] = "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	return strings.Join(parts, ",")
}

// coralBucket names the rate-limit bucket of a tenant's Coral phase.
const coralBucket = "coral"

func (a *API) postCoral(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !validKeyTenant(tenant) {
		problem.Write(w, r, http.StatusNotFound, "no such tenant")
		return
	}
	body, ok := a.readBody(w, r)
	if !ok {
		return
	}
	secrets, err := NewCoralSecrets(a.cfg.Redis).secrets(r.Context(), tenant)
	if err != nil {
		a.cfg.Log.WithError(err).WithField("tenant", tenant).Warn("reading Coral secrets failed")
		problem.Write(w, r, http.StatusServiceUnavailable, "cannot check the signature right now")
		return
	}
	if !verifyCoralSignature(r.Header.Get(CoralSignatureHeader), body, secrets) {
		metrics.CommentsRejected.WithLabelValues("auth").Inc()
		problem.Write(w, r, http.StatusUnauthorized, "X-Coral-Signature does not match a signing secret registered for this tenant (vigie admin coral add-secret)")
		return
	}
	al, err := a.limiter.Take(r.Context(), tenant, coralBucket)
	if err != nil {
		a.cfg.Log.WithError(err).WithField("tenant", tenant).Warn("rate limit check failed")
		problem.Write(w, r, http.StatusServiceUnavailable, "cannot check the rate limit right now")
		return
	}
	if !al.Allowed {
		metrics.CommentsRejected.WithLabelValues("rate_limited").Inc()
		w.Header().Set("Retry-After", retryAfter(al.RetryAfter))
		problem.Write(w, r, http.StatusTooManyRequests, "the tenant's Coral rate limit is spent")
		return
	}
	var req CoralRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		a.badInput(w, r, fmt.Errorf("the body is not a Coral external moderation request: %w", err), 0)
		return
	}
	c, err := CoralComment(&req, tenant)
	if err == nil {
		now := a.cfg.Now().UTC()
		c.CreatedAt, c.ReceivedAt = now, now
		err = c.Validate()
	}
	if err != nil {
		a.badInput(w, r, err, 0)
		return
	}
	res, err := a.Check(r.Context(), c)
	if err != nil {
		a.submitError(w, r, tenant, err)
		return
	}
	a.cfg.Log.WithFields(logrus.Fields{"tenant": tenant, "comment_id": c.ID, "action": res.Action}).Debug("coral phase answered")
	w.Header().Set(ActionHeader, string(res.Action))
	resp := coralStatus(res)
	if resp == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// CoralSecrets stores the signing secrets of tenants' Coral external
// moderation phases. Coral shows a phase's secret in its admin; the
// operator registers it here. Several secrets may be registered at once, so
// that a rotation in Coral (which signs with the old and the new secret for
// a while) needs no coordination.
type CoralSecrets struct{ rdb redis.UniversalClient }

// NewCoralSecrets returns the secret store over rdb.
func NewCoralSecrets(rdb redis.UniversalClient) *CoralSecrets { return &CoralSecrets{rdb: rdb} }

// Add registers secret for tenant and returns its id.
func (s *CoralSecrets) Add(ctx context.Context, tenant, secret string) (string, error) {
	if !validKeyTenant(tenant) {
		return "", fmt.Errorf("tenant %q must be 1-64 characters of a-z, 0-9, '-' or '_'", tenant)
	}
	if len(secret) < 16 || len(secret) > 1024 {
		return "", errors.New("a Coral signing secret has 16 to 1024 characters")
	}
	id := keyHash(secret)[:16]
	if err := s.rdb.HSet(ctx, coralSecretsKey(tenant), id, secret).Err(); err != nil {
		return "", fmt.Errorf("storing Coral secret: %w", err)
	}
	return id, nil
}

// List returns the ids of tenant's secrets.
func (s *CoralSecrets) List(ctx context.Context, tenant string) ([]string, error) {
	ids, err := s.rdb.HKeys(ctx, coralSecretsKey(tenant)).Result()
	if err != nil {
		return nil, fmt.Errorf("listing Coral secrets: %w", err)
	}
	sort.Strings(ids)
	return ids, nil
}

// Remove deletes the secret with id.
func (s *CoralSecrets) Remove(ctx context.Context, tenant, id string) error {
	n, err := s.rdb.HDel(ctx, coralSecretsKey(tenant), id).Result()
	if err != nil {
		return fmt.Errorf("removing Coral secret: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("tenant %s has no Coral secret %q", tenant, id)
	}
	return nil
}

func (s *CoralSecrets) secrets(ctx context.Context, tenant string) ([]string, error) {
	return s.rdb.HVals(ctx, coralSecretsKey(tenant)).Result()
}
