package review

import (
	"context"

	"github.com/vigie-moderation/vigie/internal/message"
)

// PublisherModerator is the name decisions taken on a publisher's feedback
// carry, followed by ":" and the API key's id.
const PublisherModerator = "publisher"

// PublisherFeedback applies a publisher's report on a comment — spam or not,
// as Akismet clients send with submit-spam and submit-ham — to the queue, as
// a decision: a pending item is rejected as spam or approved. A comment the
// queue does not hold, or one moderators already decided, is left alone: the
// publisher's report never overrides a moderator. Repeated reports record
// the decision once.
func (s *Store) PublisherFeedback(ctx context.Context, tenant, commentID, keyID string, spam bool) error {
	in := decideInput{
		CommentID: commentID, Decision: message.DecisionApprove, Reason: "",
		Moderator: PublisherModerator + ":" + keyID, Rank: roleRank(RoleSenior),
		IdempotencyKey: "feedback:" + commentID,
	}
	if spam {
		in.Decision, in.Reason = message.DecisionReject, "spam"
	}
	outs, err := s.decide(ctx, tenant, []decideInput{in})
	if err != nil {
		return err
	}
	switch CodeOf(outs[0].Err) {
	case NotFound, Conflict, FailedPrecondition:
		return nil
	}
	return outs[0].Err
}
