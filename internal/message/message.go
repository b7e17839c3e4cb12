package message

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Version is the contract version this build writes and the only one it reads.
const Version = 1

// MaxTextChars is the largest comment text accepted, counted in Unicode code points.
const MaxTextChars = 10000

// maxIDBytes bounds identifiers (ids, tenants, thread and author ids) so a
// record cannot smuggle megabytes into Redis keys or Kafka keys.
const maxIDBytes = 256

// Author identifies who wrote a comment. Only ID is required; the rest helps
// moderators and spam signals.
type Author struct {
	ID        string     `json:"id"`
	Name      string     `json:"name,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	IPHash    string     `json:"ip_hash,omitempty"`
}

// Comment is one reader comment as it travels on the "comments" topic. The
// pair (Tenant, ID) is its idempotency key.
type Comment struct {
	V          int       `json:"v"`
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	ThreadID   string    `json:"thread_id"`
	ThreadLang string    `json:"thread_lang,omitempty"`
	ParentID   string    `json:"parent_id,omitempty"`
	Author     Author    `json:"author"`
	Text       string    `json:"text"`
	URL        string    `json:"url,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	ReceivedAt time.Time `json:"received_at"`
	Edited     bool      `json:"edited,omitempty"`
	// Verdict is attached by the synchronous check so the pipeline does not
	// classify the comment a second time. Publishers never set it.
	Verdict *Verdict `json:"verdict,omitempty"`
}

// Key returns the Kafka record key, "tenant/author_id", which keeps one
// author's comments in order on one partition.
func (c *Comment) Key() string { return c.Tenant + "/" + c.Author.ID }

// FieldError names the field that made a document invalid.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// ErrVersion reports a document written for a contract version this build does not read.
var ErrVersion = errors.New("unsupported contract version")

func checkID(field, v string, required bool) error {
	switch {
	case v == "" && required:
		return &FieldError{field, "is required"}
	case len(v) > maxIDBytes:
		return &FieldError{field, fmt.Sprintf("is longer than %d bytes", maxIDBytes)}
	case !utf8.ValidString(v):
		return &FieldError{field, "is not valid UTF-8"}
	case strings.ContainsAny(v, "\x00\r\n"):
		return &FieldError{field, "contains a control character"}
	}
	return nil
}

// ValidateText checks the text rules shared by every entry point: present,
// valid UTF-8 and at most MaxTextChars code points.
func ValidateText(text string) error {
	if strings.TrimSpace(text) == "" {
		return &FieldError{"text", "is required"}
	}
	if !utf8.ValidString(text) {
		return &FieldError{"text", "is not valid UTF-8"}
	}
	if n := utf8.RuneCountInString(text); n > MaxTextChars {
		return &FieldError{"text", fmt.Sprintf("has %d characters, more than the limit of %d", n, MaxTextChars)}
	}
	return nil
}

// Validate checks every field a comment needs on the "comments" topic.
func (c *Comment) Validate() error {
	if c.V != Version {
		return fmt.Errorf("%w: v=%d (this build reads v=%d)", ErrVersion, c.V, Version)
	}
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"id", c.ID, true},
		{"tenant", c.Tenant, true},
		{"thread_id", c.ThreadID, true},
		{"author.id", c.Author.ID, true},
		{"parent_id", c.ParentID, false},
		{"author.name", c.Author.Name, false},
		{"author.ip_hash", c.Author.IPHash, false},
	} {
		if err := checkID(f.name, f.v, f.required); err != nil {
			return err
		}
	}
	if !ValidTenant(c.Tenant) {
		return &FieldError{"tenant", "must be 1-64 characters of a-z, 0-9, '-' or '_'"}
	}
	if c.ThreadLang != "" && !validLangCode(c.ThreadLang) {
		return &FieldError{"thread_lang", "must be a two-letter ISO 639-1 code such as \"fr\""}
	}
	if c.CreatedAt.IsZero() {
		return &FieldError{"created_at", "is required (RFC 3339 time)"}
	}
	if len(c.URL) > 2048 || !utf8.ValidString(c.URL) {
		return &FieldError{"url", "must be valid UTF-8 of at most 2048 bytes"}
	}
	return ValidateText(c.Text)
}

func validLangCode(s string) bool {
	if len(s) != 2 {
		return false
	}
	for i := 0; i < 2; i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// DecodeComment parses and validates one Comment record. Any error means the
// record is poison for the pipeline: it goes to the dead-letter topic.
func DecodeComment(b []byte) (*Comment, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("record is not valid UTF-8")
	}
	var c Comment
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decoding comment JSON: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Action is what a verdict asks the publisher to do with a comment.
type Action string

// The three actions, from most to least permissive.
const (
	ActionAllow  Action = "allow"
	ActionReview Action = "review"
	ActionReject Action = "reject"
)

// Scores are the summed rule weights per category, each clamped to [0, 1].
type Scores struct {
	Spam  float64 `json:"spam"`
	Troll float64 `json:"troll"`
}

// Language is the detected language of a comment with the detector's
// confidence in [0, 1]. Confidence is 0 when the code came from a fallback.
type Language struct {
	Code       string  `json:"code"`
	Confidence float64 `json:"confidence"`
	// Source says where the code came from: "detected", "thread" or "tenant".
	Source string `json:"source,omitempty"`
}

// Match explains one rule that fired: which rule, what it adds, and where in
// the original text, as byte offsets [Start, End).
type Match struct {
	Rule       string  `json:"rule"`
	Label      string  `json:"label"`
	Weight     float64 `json:"weight"`
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Normalized string  `json:"normalized"`
}

// Verdict is the classifier's decision about one comment, published for every
// comment on "comments.verdicts".
type Verdict struct {
	V            int       `json:"v"`
	Tenant       string    `json:"tenant"`
	CommentID    string    `json:"comment_id"`
	Action       Action    `json:"action"`
	Scores       Scores    `json:"scores"`
	Labels       []string  `json:"labels"`
	Language     Language  `json:"language"`
	Matches      []Match   `json:"matches"`
	Ruleset      string    `json:"ruleset"`
	ClassifiedAt time.Time `json:"classified_at"`
}

// Flagged reports whether the verdict sends the comment to human review.
// Rejected comments are queued too, so moderators can overturn them.
func (v *Verdict) Flagged() bool { return v.Action != ActionAllow }

// DecisionKind is what a moderator decided.
type DecisionKind string

// The decisions a moderator can take, and undo as a compensating event.
const (
	DecisionApprove  DecisionKind = "approve"
	DecisionReject   DecisionKind = "reject"
	DecisionEscalate DecisionKind = "escalate"
	DecisionUndo     DecisionKind = "undo"
)

// Decision is one moderator decision, published on "comments.decisions" and
// to the tenant's webhook. EventID is unique per decision and lets receivers
// drop the duplicates that at-least-once delivery can produce.
type Decision struct {
	V         int          `json:"v"`
	Tenant    string       `json:"tenant"`
	CommentID string       `json:"comment_id"`
	Decision  DecisionKind `json:"decision"`
	Reason    string       `json:"reason,omitempty"`
	Moderator string       `json:"moderator"`
	DecidedAt time.Time    `json:"decided_at"`
	EventID   string       `json:"event_id"`
}

// DeadLetter is a record the pipeline could not process, kept with its
// original bytes (base64 in JSON) and where it came from.
type DeadLetter struct {
	V         int       `json:"v"`
	Original  []byte    `json:"original"`
	Key       []byte    `json:"key,omitempty"`
	Error     string    `json:"error"`
	Topic     string    `json:"topic"`
	Partition int       `json:"partition"`
	Offset    int64     `json:"offset"`
	FailedAt  time.Time `json:"failed_at"`
}

// ValidTenant reports whether name is a valid tenant name: 1 to 64 characters
// of a-z, 0-9, '-' and '_'. The narrow alphabet keeps tenant names safe inside
// Redis keys, where '{' or '}' would break the cluster hash tag, and inside
// the "tenant/author_id" Kafka key.
func ValidTenant(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Classified is a comment together with the verdict the classifier gave it:
// what the classify role hands to the review queue, which enqueues the
// flagged ones and applies author bans, trust and premoderation to all.
type Classified struct {
	Comment *Comment
	Verdict Verdict
}
