package roles

import (
	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/review"
)

// policyFromSettings maps a tenant's settings, kept by the review queue, to
// the classifier's policy.
func policyFromSettings(s review.TenantSettings) classify.Policy {
	p := classify.DefaultPolicy()
	if s.DefaultLanguage != "" {
		p.DefaultLanguage = s.DefaultLanguage
	}
	p.SpamReview, p.SpamReject = s.SpamReview, s.SpamReject
	p.TrollReview, p.TrollReject = s.TrollReview, s.TrollReject
	return p
}
