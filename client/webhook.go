package client

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header that signs Vigie's webhook deliveries:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the
// tenant's webhook secret>". Several v1 entries may appear.
const SignatureHeader = "Vigie-Signature"

// DefaultTolerance is how far a webhook's timestamp may be from now before
// VerifyWebhook refuses it, which bounds replays of a captured delivery.
const DefaultTolerance = 5 * time.Minute

// ErrSignature reports a webhook whose signature does not verify.
var ErrSignature = errors.New("vigie: webhook signature does not verify")

// Decision is a moderator's decision about a comment, as delivered on the
// comments.decisions topic and by webhook. Deliveries are at least once:
// drop repeats by EventID.
type Decision struct {
	Tenant    string `json:"tenant"`
	CommentID string `json:"comment_id"`
	// Decision is "approve", "reject", "escalate" or "undo" (which cancels
	// the previous decision on the comment).
	Decision  string    `json:"decision"`
	Reason    string    `json:"reason,omitempty"`
	Moderator string    `json:"moderator"`
	DecidedAt time.Time `json:"decided_at"`
	EventID   string    `json:"event_id"`
}

// VerifyWebhook checks the Vigie-Signature header of a webhook delivery
// against its raw body with the tenant's webhook secret, refusing
// timestamps more than DefaultTolerance away, and decodes the decision.
// Pass the body exactly as received: re-encoded JSON does not verify.
func VerifyWebhook(secret, signature string, body []byte) (*Decision, error) {
	return VerifyWebhookAt(secret, signature, body, time.Now(), DefaultTolerance)
}

// VerifyWebhookAt is VerifyWebhook with an explicit clock and tolerance.
func VerifyWebhookAt(secret, signature string, body []byte, now time.Time, tolerance time.Duration) (*Decision, error) {
	var ts string
	var sigs []string
	for _, part := range strings.Split(signature, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return nil, fmt.Errorf("%w: malformed %s header", ErrSignature, SignatureHeader)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return nil, fmt.Errorf("%w: timestamp is %v away from now", ErrSignature, d.Round(time.Second))
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	want := mac.Sum(nil)
	ok := false
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			ok = true
		}
	}
	if !ok {
		return nil, ErrSignature
	}
	var d Decision
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("decoding the decision: %w", err)
	}
	return &d, nil
}
