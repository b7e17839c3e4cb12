package review

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/vigie-moderation/vigie/internal/message"
)

// threadTextLimit bounds, in characters, the text a thread record keeps of
// each comment: enough to read a parent or a neighbour, small enough that
// recording every comment of the pipeline stays cheap.
const threadTextLimit = 1000

// ThreadComment is what Vigie remembers of one comment of a thread, flagged
// or not, so moderators see the comments around the ones they judge.
type ThreadComment struct {
	CommentID string         `json:"comment_id"`
	ParentID  string         `json:"parent_id,omitempty"`
	Author    message.Author `json:"author"`
	// Text is the comment's text, cut to threadTextLimit characters when
	// Truncated is true.
	Text      string         `json:"text"`
	Truncated bool           `json:"truncated,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	Action    message.Action `json:"action"`
	// Status is the status of the comment's review item when Vigie holds
	// one (flagged, premoderated or decided automatically); empty when the
	// comment was allowed without review. It is read, not stored.
	Status string `json:"status,omitempty"`
}

// newThreadComment is the record Admit keeps of c: the author's id and name
// only, and the text cut to threadTextLimit characters.
func newThreadComment(c *message.Comment, action message.Action) ThreadComment {
	tc := ThreadComment{
		CommentID: c.ID, ParentID: c.ParentID, Author: message.Author{ID: c.Author.ID, Name: c.Author.Name},
		Text: c.Text, CreatedAt: c.CreatedAt.UTC(), Action: action,
	}
	if utf8.RuneCountInString(tc.Text) > threadTextLimit {
		n := 0
		for i := range tc.Text {
			if n == threadTextLimit {
				tc.Text, tc.Truncated = tc.Text[:i], true
				break
			}
			n++
		}
	}
	return tc
}

// threadPage is the answer of GET /v1/threads/{thread_id}/comments.
type threadPage struct {
	ThreadID string `json:"thread_id"`
	// Total is how many comments of the thread Vigie keeps.
	Total int64 `json:"total"`
	// Around is the comment the page is centred on, when asked and kept;
	// otherwise the page holds the newest comments.
	Around string `json:"around,omitempty"`
	// Comments are in creation order, oldest first.
	Comments []ThreadComment `json:"comments"`
	// Parent is the comment Around replies to, when Vigie keeps it (whether
	// or not it is among Comments).
	Parent *ThreadComment `json:"parent,omitempty"`
}

// threadComments reads up to limit comments of a thread in creation order,
// centred on around when it is kept, else the newest, with the parent of
// around. The record holds at most ThreadCap × 1.25 entries, so it is read
// whole; the newest entry of each comment id wins (redeliveries, edits).
func (s *Store) threadComments(ctx context.Context, tenant, threadID, around string, limit int) (threadPage, error) {
	page := threadPage{ThreadID: threadID, Comments: []ThreadComment{}}
	raws, err := s.rdb.LRange(ctx, threadCommentsKey(tenant, threadID), 0, -1).Result()
	if err != nil {
		return page, fmt.Errorf("reading thread: %w", err)
	}
	seen := make(map[string]bool, len(raws))
	all := make([]ThreadComment, 0, len(raws))
	for _, raw := range raws {
		var c ThreadComment
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return page, fmt.Errorf("decoding a record of thread %q: %w", threadID, err)
		}
		if !seen[c.CommentID] {
			seen[c.CommentID] = true
			all = append(all, c)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		return a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.CommentID < b.CommentID)
	})
	page.Total = int64(len(all))
	start := len(all) - limit
	var parent *ThreadComment
	for i, c := range all {
		if c.CommentID == around {
			page.Around = around
			start = min(i-(limit-1)/2, len(all)-limit)
			for j := range all {
				if c.ParentID != "" && all[j].CommentID == c.ParentID {
					parent = &all[j]
				}
			}
			break
		}
	}
	start = max(0, start)
	page.Comments = append(page.Comments, all[start:min(len(all), start+limit)]...)
	if parent != nil {
		p := *parent
		page.Parent = &p
	}
	// The status of each comment's review item, when Vigie holds one.
	shown := make([]*ThreadComment, 0, len(page.Comments)+1)
	for i := range page.Comments {
		shown = append(shown, &page.Comments[i])
	}
	if page.Parent != nil {
		shown = append(shown, page.Parent)
	}
	if len(shown) == 0 {
		return page, nil
	}
	statuses := make([]*redis.StringCmd, len(shown))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range shown {
			statuses[i] = p.HGet(ctx, itemKey(tenant, c.CommentID), "status")
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return page, fmt.Errorf("reading the status of thread comments: %w", err)
	}
	for i, c := range shown {
		c.Status = statuses[i].Val()
	}
	return page, nil
}
