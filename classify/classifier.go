package classify

import (
	"context"

	"github.com/vigie-moderation/vigie/internal/message"
)

// Classifier decides one comment. Implementations are safe for concurrent use
// by many goroutines; they must not keep a reference to the comment after
// Classify returns. The error is reserved for failures of the classifier's
// own dependencies (for example a Redis-backed signal that cannot be read);
// a comment that merely looks odd always gets a verdict.
type Classifier interface {
	Classify(ctx context.Context, c *message.Comment, p Policy) (message.Verdict, error)
}

// Policy is what a tenant chooses about classification: the language to fall
// back on and the score thresholds that turn scores into actions.
type Policy struct {
	// DefaultLanguage is used when neither detection nor thread_lang gives a
	// language. Default "fr".
	DefaultLanguage string `json:"default_language"`
	// SpamReview and SpamReject are the spam score thresholds for review and
	// reject. Defaults 0.5 and 0.9.
	SpamReview float64 `json:"spam_review"`
	SpamReject float64 `json:"spam_reject"`
	// TrollReview and TrollReject are the troll score thresholds. Defaults
	// 0.5 and 0.9.
	TrollReview float64 `json:"troll_review"`
	TrollReject float64 `json:"troll_reject"`
}

// DefaultPolicy returns the policy of a tenant that chose nothing.
func DefaultPolicy() Policy {
	return Policy{DefaultLanguage: "fr", SpamReview: 0.5, SpamReject: 0.9, TrollReview: 0.5, TrollReject: 0.9}
}

// Action maps scores to an action under this policy: the stricter of the
// spam and troll outcomes wins.
func (p Policy) Action(s message.Scores) message.Action {
	switch {
	case s.Spam >= p.SpamReject || s.Troll >= p.TrollReject:
		return message.ActionReject
	case s.Spam >= p.SpamReview || s.Troll >= p.TrollReview:
		return message.ActionReview
	}
	return message.ActionAllow
}
