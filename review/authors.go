package review

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigie-moderation/vigie/internal/message"
)

// authorNote is a moderator's note about an author.
type authorNote struct {
	At     time.Time `json:"at"`
	Author string    `json:"by"`
	Text   string    `json:"text"`
}

// authorRecord is what the Store knows about one author.
type authorRecord struct {
	Counts        map[string]int64
	Banned        bool
	BanReason     string
	BannedBy      string
	BannedAt      string
	TrustedFlag   bool
	Undecided     int64
	Recent        []*item
	Notes         []authorNote
	TotalComments int64
}

// counterNames are the author counters the scripts maintain.
var counterNames = []string{"approved", "rejected", "escalated", "auto_approved", "auto_rejected"}

// getAuthor reads an author's counters, flags, recent items and notes.
func (s *Store) getAuthor(ctx context.Context, tenant, authorID string, recent int) (*authorRecord, error) {
	var h *redis.MapStringStringCmd
	var ids *redis.StringSliceCmd
	var notes *redis.StringSliceCmd
	var undecided, total *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		h = p.HGetAll(ctx, authorKey(tenant, authorID))
		ids = p.ZRevRange(ctx, authorItemsKey(tenant, authorID), 0, int64(recent-1))
		notes = p.LRange(ctx, authorNotesKey(tenant, authorID), 0, 49)
		undecided = p.ZCard(ctx, authorIndexKey(tenant, authorID))
		total = p.ZCard(ctx, authorItemsKey(tenant, authorID))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading author: %w", err)
	}
	hv := h.Val()
	if len(hv) == 0 && total.Val() == 0 && len(notes.Val()) == 0 {
		return nil, errorf(NotFound, "no author %q in this tenant", authorID)
	}
	rec := &authorRecord{
		Counts: map[string]int64{}, Banned: hv["banned"] == "1", BanReason: hv["ban_reason"],
		BannedBy: hv["banned_by"], BannedAt: hv["banned_at"], TrustedFlag: hv["trusted"] == "1",
		Undecided: undecided.Val(), TotalComments: total.Val(),
	}
	for _, n := range counterNames {
		rec.Counts[n], _ = strconv.ParseInt(hv[n], 10, 64)
	}
	its, err := s.getItems(ctx, tenant, ids.Val())
	if err != nil {
		return nil, err
	}
	for _, it := range its {
		if it != nil {
			rec.Recent = append(rec.Recent, it)
		}
	}
	for _, raw := range notes.Val() {
		var n authorNote
		if json.Unmarshal([]byte(raw), &n) == nil {
			rec.Notes = append(rec.Notes, n)
		}
	}
	return rec, nil
}

// addAuthorNote stores a note (newest first, the last 100 kept) and audits
// that a note was written, without its text.
func (s *Store) addAuthorNote(ctx context.Context, tenant, authorID, by, text string) (authorNote, error) {
	n := authorNote{At: s.now().UTC(), Author: by, Text: text}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, authorNotesKey(tenant, authorID), mustJSON(n))
		p.LTrim(ctx, authorNotesKey(tenant, authorID), 0, 99)
		return nil
	})
	if err != nil {
		return authorNote{}, fmt.Errorf("writing note: %w", err)
	}
	return n, s.appendAudit(ctx, tenant, by, "author.note", "author_id", authorID)
}

// setAuthorFlag bans or trusts an author (or lifts it) and audits it.
func (s *Store) setAuthorFlag(ctx context.Context, tenant, authorID, flag string, on bool, reason, actor string) error {
	k := authorKey(tenant, authorID)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		switch {
		case on && flag == "banned":
			p.HSet(ctx, k, "banned", "1", "ban_reason", reason, "banned_by", actor,
				"banned_at", s.now().UTC().Format(time.RFC3339))
		case on:
			p.HSet(ctx, k, flag, "1")
		case flag == "banned":
			p.HDel(ctx, k, "banned", "ban_reason", "banned_by", "banned_at")
		default:
			p.HDel(ctx, k, flag)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("updating author: %w", err)
	}
	action := "author.ban"
	switch {
	case flag == "banned" && !on:
		action = "author.unban"
	case flag == "trusted" && on:
		action = "author.trust"
	case flag == "trusted":
		action = "author.untrust"
	}
	return s.appendAudit(ctx, tenant, actor, action, "author_id", authorID, "reason", reason)
}

// rejectUndecided rejects every undecided item of an author that the
// moderator may decide, one decision each.
func (s *Store) rejectUndecided(ctx context.Context, tenant, authorID, reason, note, moderator string, rank int) ([]decideOutcome, error) {
	ids, err := s.rdb.ZRange(ctx, authorIndexKey(tenant, authorID), 0, 999).Result()
	if err != nil {
		return nil, fmt.Errorf("listing author's items: %w", err)
	}
	if len(ids) == 0 {
		return []decideOutcome{}, nil
	}
	ins := make([]decideInput, len(ids))
	for i, id := range ids {
		ins[i] = decideInput{CommentID: id, Decision: message.DecisionReject, Reason: reason, Note: note, Moderator: moderator, Rank: rank}
	}
	return s.decide(ctx, tenant, ins)
}

// queueStats are the figures of GET /v1/stats.
type queueStats struct {
	Pending           int64   `json:"pending"`
	Escalated         int64   `json:"escalated"`
	Claimed           int64   `json:"claimed"`
	OldestAgeSeconds  float64 `json:"oldest_age_seconds"`
	DecisionsLastHour int64   `json:"decisions_last_hour"`
	DecisionsLastDay  int64   `json:"decisions_last_day"`
	// DecisionsPerHour counts decisions (automatic ones included) in each
	// of the last 24 clock hours, oldest first, the current hour last.
	DecisionsPerHour []HourCount `json:"decisions_per_hour"`
}

func (s *Store) stats(ctx context.Context, tenant string) (queueStats, error) {
	now := ms(s.now())
	var pend, esc, cl, hour, day *redis.IntCmd
	var oldest *redis.ZSliceCmd
	var perHour func() []HourCount
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		perHour = decisionsPerHour(ctx, p, tenant, now)
		pend = p.ZCard(ctx, queueKey(tenant, "pending"))
		esc = p.ZCard(ctx, queueKey(tenant, "escalated"))
		cl = p.ZCard(ctx, claimsKey(tenant))
		oldest = p.ZRangeWithScores(ctx, waitingKey(tenant), 0, 0)
		hour = p.ZCount(ctx, decisionLogKey(tenant), strconv.FormatInt(now-3_600_000, 10), "+inf")
		day = p.ZCount(ctx, decisionLogKey(tenant), strconv.FormatInt(now-86_400_000, 10), "+inf")
		return nil
	})
	if err != nil {
		return queueStats{}, fmt.Errorf("reading queue figures: %w", err)
	}
	st := queueStats{
		Pending: pend.Val(), Escalated: esc.Val(), Claimed: cl.Val(), DecisionsLastHour: hour.Val(),
		DecisionsLastDay: day.Val(), DecisionsPerHour: perHour(),
	}
	if o := oldest.Val(); len(o) == 1 {
		st.OldestAgeSeconds = max(0, float64(now-int64(o[0].Score))/1000)
	}
	return st, nil
}

// RuleFeedback is how moderators judged the items one rule flagged.
type RuleFeedback struct {
	Rule     string `json:"rule"`
	Flagged  int64  `json:"flagged"`
	Rejected int64  `json:"rejected"`
	Approved int64  `json:"approved"`
	// Precision is rejected / (rejected + approved): the share of the
	// rule's decided items where moderators agreed with it. Null before any
	// decision.
	Precision *float64 `json:"precision"`
}

func (s *Store) ruleFeedback(ctx context.Context, tenant string) ([]RuleFeedback, error) {
	h, err := s.rdb.HGetAll(ctx, ruleStatsKey(tenant)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading rule feedback: %w", err)
	}
	by := map[string]*RuleFeedback{}
	for k, v := range h {
		kind, rule, ok := strings.Cut(k, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		f := by[rule]
		if f == nil {
			f = &RuleFeedback{Rule: rule}
			by[rule] = f
		}
		switch kind {
		case "flagged":
			f.Flagged = n
		case "approved":
			f.Approved = n
		case "rejected":
			f.Rejected = n
		}
	}
	out := make([]RuleFeedback, 0, len(by))
	for _, f := range by {
		if d := f.Approved + f.Rejected; d > 0 {
			p := float64(f.Rejected) / float64(d)
			f.Precision = &p
		}
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rule < out[j].Rule })
	return out, nil
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
}

// audit returns audit entries newest first, before the entry id before.
func (s *Store) audit(ctx context.Context, tenant, before string, limit int) ([]AuditEntry, error) {
	end := "+"
	if before != "" {
		end = "(" + before
	}
	msgs, err := s.rdb.XRevRangeN(ctx, auditKey(tenant), end, "-", int64(limit)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading audit log: %w", err)
	}
	out := make([]AuditEntry, 0, len(msgs))
	for _, m := range msgs {
		e := AuditEntry{ID: m.ID, Fields: map[string]string{}}
		for k, v := range m.Values {
			e.Fields[k], _ = v.(string)
		}
		out = append(out, e)
	}
	return out, nil
}
