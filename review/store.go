package review

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/message"
)

// StoreOptions tunes a Store. The zero value of every field picks the
// default named in its comment.
type StoreOptions struct {
	// Now is the clock of leases, decisions and undo windows. Default
	// time.Now; tests pass a simulated clock.
	Now func() time.Time
	// BandStep is how much waiting time one score band is worth: an item one
	// band higher is served first unless the lower one has waited BandStep
	// longer. Default 1h.
	BandStep time.Duration
	// AuditRetention is how long audit entries are kept. Default 90 days.
	AuditRetention time.Duration
	// SettingsCacheTTL is how long TenantSettings answers from memory.
	// Default 2s; a negative value disables the cache.
	SettingsCacheTTL time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered. Default 24h.
	IdempotencyTTL time.Duration
	// PasswordCost is the bcrypt cost of moderator passwords. Default 12.
	PasswordCost int
	// SessionTTL is how long a login session lasts. Default 12h.
	SessionTTL time.Duration
	// Logger receives warnings about comments Admit skips. Default: discard.
	Logger *logrus.Entry
	// ThreadCap is how many recent comments of one thread Admit keeps for
	// context (GET /v1/threads/{thread_id}/comments); the record grows to a
	// quarter more before it is trimmed back. Default 200.
	ThreadCap int
	// ThreadTTL is how long a thread's record of recent comments lives after
	// its latest comment. Default 7 days.
	ThreadTTL time.Duration
	// StatsStep is how often the queue figures of each tenant are sampled
	// for GET /v1/stats/history (by the Recoverer's loop, on this Store's
	// clock). Default 1m.
	StatsStep time.Duration
	// StatsHistory is how long queue samples are kept. Default 48h.
	StatsHistory time.Duration
	// Tenants, when not empty, limits the tenants the Relay and the
	// Recoverer of this Store serve, to shard them or to keep parallel tests
	// apart. Default: every tenant in the registry (tenantsKey).
	Tenants []string
}

// Store is the Redis side of the review queue: every read and write of
// review data goes through it. It is safe for concurrent use.
type Store struct {
	rdb  redis.UniversalClient
	opts StoreOptions

	mu       sync.Mutex
	settings map[string]cachedSettings
	// sampled is the start (ms) of the latest stats step sampled per tenant,
	// so the Recoverer's loop calls sampleScript once per step.
	sampled map[string]int64
}

type cachedSettings struct {
	s       TenantSettings
	expires time.Time
}

// NewStore returns a Store over rdb. The caller keeps ownership of rdb.
func NewStore(rdb redis.UniversalClient, opts StoreOptions) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BandStep == 0 {
		opts.BandStep = time.Hour
	}
	if opts.AuditRetention == 0 {
		opts.AuditRetention = 90 * 24 * time.Hour
	}
	if opts.SettingsCacheTTL == 0 {
		opts.SettingsCacheTTL = 2 * time.Second
	}
	if opts.IdempotencyTTL == 0 {
		opts.IdempotencyTTL = 24 * time.Hour
	}
	if opts.PasswordCost == 0 {
		opts.PasswordCost = 12
	}
	if opts.SessionTTL == 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.ThreadCap == 0 {
		opts.ThreadCap = 200
	}
	if opts.ThreadTTL == 0 {
		opts.ThreadTTL = 7 * 24 * time.Hour
	}
	if opts.StatsStep == 0 {
		opts.StatsStep = time.Minute
	}
	if opts.StatsHistory == 0 {
		opts.StatsHistory = 48 * time.Hour
	}
	if opts.Logger == nil {
		l := logrus.New()
		l.SetOutput(discard{})
		opts.Logger = logrus.NewEntry(l)
	}
	return &Store{rdb: rdb, opts: opts, settings: map[string]cachedSettings{}, sampled: map[string]int64{}}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func (s *Store) now() time.Time { return s.opts.Now() }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// newEventID returns a random UUID (version 4) naming one decision event.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// validTenant accepts the tenant names of message.ValidTenant except "_",
// whose hash tag holds the tenant registry.
func validTenant(t string) bool { return t != "_" && message.ValidTenant(t) }

// pipelined runs fn in one pipeline. Scripts are called by EVALSHA there; if
// the server does not know a script yet (first use, restart, SCRIPT FLUSH)
// the scripts are loaded and the whole pipeline runs again, which is safe
// because every command pipelined by Store is idempotent.
func (s *Store) pipelined(ctx context.Context, fn func(redis.Pipeliner)) ([]redis.Cmder, error) {
	wrapped := func(p redis.Pipeliner) error { fn(p); return nil }
	cmds, err := s.rdb.Pipelined(ctx, wrapped)
	if err == nil || !hasNoScript(cmds) {
		return cmds, err
	}
	for _, sc := range allScripts {
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			return nil, fmt.Errorf("loading Lua script: %w", err)
		}
	}
	return s.rdb.Pipelined(ctx, wrapped)
}

func hasNoScript(cmds []redis.Cmder) bool {
	for _, c := range cmds {
		if err := c.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			return true
		}
	}
	return false
}

// scriptReply turns the {kind, a, b} reply of a script into its parts or an
// *Error for the failure kinds.
func scriptReply(v any) (kind string, rest []string, err error) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return "", nil, fmt.Errorf("unexpected script reply %T", v)
	}
	parts := make([]string, len(arr))
	for i, x := range arr {
		switch t := x.(type) {
		case string:
			parts[i] = t
		case int64:
			parts[i] = strconv.FormatInt(t, 10)
		}
	}
	kind, rest = parts[0], parts[1:]
	msg := ""
	if len(rest) > 0 {
		msg = rest[0]
	}
	switch kind {
	case "notfound":
		return kind, rest, errorf(NotFound, "%s", msg)
	case "conflict":
		return kind, rest, errorf(Conflict, "%s", msg)
	case "forbidden":
		return kind, rest, errorf(Forbidden, "%s", msg)
	case "precondition":
		return kind, rest, errorf(FailedPrecondition, "%s", msg)
	}
	return kind, rest, nil
}

// band sorts a verdict into a score band, 0 (least urgent) to 3.
func band(v *message.Verdict) int {
	m := math.Max(v.Scores.Spam, v.Scores.Troll)
	switch {
	case m >= 0.9 || v.Action == message.ActionReject:
		return 3
	case m >= 0.7:
		return 2
	case m >= 0.4:
		return 1
	}
	return 0
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// AdmitResult counts what Admit did with a batch.
type AdmitResult struct {
	Queued, Edited, Duplicate, Skipped, AutoRejected, AutoApproved, Invalid int
}

// Admit hands the review queue every classified comment of a batch, flagged
// or not. It applies author bans (automatic rejection), trust (automatic
// approval) and premoderation, and queues flagged comments. It is idempotent
// per (tenant, comment id): a redelivered comment never creates a second
// item nor touches a decided one; an edit (Comment.Edited) replaces the text
// and verdict of an item that is still pending. Every comment also joins its
// thread's record of recent comments (GET /v1/threads/{thread_id}/comments).
// All comments go to Redis in one pipelined round trip, plus a second one for
// the rare allowed comments of banned authors (see AdmitBatch). An error
// means some comments may not have been admitted: the caller retries the
// batch (and must not commit its offsets).
func (s *Store) Admit(ctx context.Context, batch []message.Classified) error {
	_, err := s.AdmitBatch(ctx, batch)
	return err
}

// AdmitBatch is Admit returning what happened to the batch.
//
// Most comments are allowed and never stored, so their script call carries
// no item fields (see admitScript): only a comment that may be stored —
// flagged, edited, or of a tenant with premoderation — sends its item blob
// at once. The rare allowed comment of a banned author is then rejected
// automatically in a second round trip with its blob.
func (s *Store) AdmitBatch(ctx context.Context, batch []message.Classified) (AdmitResult, error) {
	var res AdmitResult
	if len(batch) == 0 {
		return res, nil
	}
	now := s.now()
	settings := map[string]TenantSettings{}
	calls := make([]admitCall, 0, len(batch))
	for i := range batch {
		c := batch[i].Comment
		if c == nil || !validTenant(c.Tenant) || c.ID == "" || c.Author.ID == "" {
			res.Invalid++
			s.opts.Logger.WithField("index", i).Warn("review: skipping a classified comment without tenant, id or author")
			continue
		}
		st, ok := settings[c.Tenant]
		if !ok {
			var err error
			if st, err = s.TenantSettings(ctx, c.Tenant); err != nil {
				return res, err
			}
			settings[c.Tenant] = st
		}
		withItem := batch[i].Verdict.Flagged() || c.Edited || st.PremoderateUntil > 0
		calls = append(calls, s.admitCall(&batch[i], st, now, withItem))
	}
	if len(calls) == 0 {
		return res, nil
	}
	kinds, err := s.runAdmit(ctx, settings, calls)
	if err != nil {
		return res, err
	}
	var again []admitCall
	for i, kind := range kinds {
		if kind == "need_item" {
			again = append(again, s.admitCall(calls[i].comment, settings[calls[i].comment.Comment.Tenant], now, true))
			continue
		}
		res.count(kind)
	}
	if len(again) > 0 {
		kinds, err := s.runAdmit(ctx, nil, again)
		if err != nil {
			return res, err
		}
		for _, kind := range kinds {
			res.count(kind)
		}
	}
	return res, nil
}

func (r *AdmitResult) count(kind string) {
	switch kind {
	case "queued":
		r.Queued++
	case "edited":
		r.Edited++
	case "duplicate":
		r.Duplicate++
	case "skipped":
		r.Skipped++
	case "banned":
		r.AutoRejected++
	case "trusted":
		r.AutoApproved++
	}
}

// admitCall is one admitScript call of a batch.
type admitCall struct {
	comment *message.Classified
	keys    []string
	args    []any
}

// admitBlob is the item blob of admitScript (see its comment).
type admitBlob struct {
	Tenant      string   `json:"tenant"`
	Author      string   `json:"author"`
	EventID     string   `json:"event_id"`
	DecidedAt   string   `json:"decided_at"`
	RetentionMS string   `json:"retention_ms"`
	TrustAfter  string   `json:"trust_after"`
	VAction     string   `json:"v_action"`
	QScore      string   `json:"qscore"`
	Idx         string   `json:"idx"`
	Rules       string   `json:"rules"`
	Channel     string   `json:"channel"`
	Fields      []string `json:"fields"`
}

// admitCall builds the script call for one classified comment; withItem
// adds the item blob the script needs to store it.
func (s *Store) admitCall(cl *message.Classified, st TenantSettings, now time.Time, withItem bool) admitCall {
	c, v := cl.Comment, &cl.Verdict
	t := c.Tenant
	flagged, edited := "0", "0"
	if v.Flagged() {
		flagged = "1"
	}
	if c.Edited {
		edited = "1"
	}
	keys := []string{
		itemKey(t, c.ID), queueKey(t, "pending"), waitingKey(t), authorKey(t, c.Author.ID),
		authorItemsKey(t, c.Author.ID), outboxKey(t), auditKey(t), ruleStatsKey(t), decisionLogKey(t),
		threadCommentsKey(t, c.ThreadID), scoreIndexKey(t), indexRegistryKey(t),
	}
	record := ""
	if c.ThreadID != "" {
		record = mustJSON(newThreadComment(c, v.Action))
	}
	blob := ""
	if withItem {
		blob = mustJSON(s.itemBlob(cl, st, now))
	}
	args := []any{
		c.ID, ms(now), flagged, edited, st.PremoderateUntil, record,
		s.opts.ThreadCap, s.opts.ThreadTTL.Milliseconds(), blob,
	}
	return admitCall{comment: cl, keys: keys, args: args}
}

// itemBlob gathers what admitScript stores for a comment it keeps.
func (s *Store) itemBlob(cl *message.Classified, st TenantSettings, now time.Time) admitBlob {
	c, v := cl.Comment, &cl.Verdict
	t := c.Tenant
	stored := *c
	stored.Verdict = nil
	var rules []string
	for _, m := range v.Matches {
		rules = append(rules, m.Rule)
	}
	rules = uniq(rules)
	labels := uniq(v.Labels)
	idx := []string{authorIndexKey(t, c.Author.ID), threadIndexKey(t, c.ThreadID)}
	if v.Language.Code != "" {
		idx = append(idx, langIndexKey(t, v.Language.Code))
	}
	for _, l := range labels {
		idx = append(idx, labelIndexKey(t, l))
	}
	for _, r := range rules {
		idx = append(idx, ruleIndexKey(t, r))
	}
	b := band(v)
	qscore := ms(now) - int64(b)*s.opts.BandStep.Milliseconds()
	return admitBlob{
		Tenant: t, Author: c.Author.ID, EventID: newEventID(),
		DecidedAt:   now.UTC().Format(time.RFC3339Nano),
		RetentionMS: strconv.FormatInt(s.opts.AuditRetention.Milliseconds(), 10),
		TrustAfter:  strconv.Itoa(st.TrustAfter), VAction: string(v.Action),
		QScore: strconv.FormatInt(qscore, 10), Idx: mustJSON(idx), Rules: mustJSON(rules),
		Channel: eventsChannel(t),
		Fields: []string{
			"comment", mustJSON(&stored), "verdict", mustJSON(v), "author", c.Author.ID,
			"thread", c.ThreadID, "lang", v.Language.Code, "labels", mustJSON(labels),
			"v_action", string(v.Action), "v_ruleset", v.Ruleset, "band", strconv.Itoa(b),
			"mscore", strconv.FormatFloat(math.Max(v.Scores.Spam, v.Scores.Troll), 'f', -1, 64),
			"k_author", authorKey(t, c.Author.ID), "k_items", authorItemsKey(t, c.Author.ID),
		},
	}
}

// runAdmit runs admit calls in one pipeline (registering tenants first) and
// returns each call's outcome kind.
func (s *Store) runAdmit(ctx context.Context, tenants map[string]TenantSettings, calls []admitCall) ([]string, error) {
	cmds, err := s.pipelined(ctx, func(p redis.Pipeliner) {
		for t := range tenants {
			p.SAdd(ctx, tenantsKey(), t)
		}
		for _, c := range calls {
			admitScript.EvalSha(ctx, p, c.keys, c.args...)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("admitting %d comments: %w", len(calls), err)
	}
	kinds := make([]string, 0, len(calls))
	for _, cmd := range cmds[len(tenants):] {
		kind, _, err := scriptReply(cmd.(*redis.Cmd).Val())
		if err != nil {
			return nil, fmt.Errorf("admitting comments: %w", err)
		}
		kinds = append(kinds, kind)
	}
	return kinds, nil
}

// registerTenant records tenant in the registry the relay and recoverer walk.
func (s *Store) registerTenant(ctx context.Context, tenant string) error {
	return s.rdb.SAdd(ctx, tenantsKey(), tenant).Err()
}

// Tenants lists the tenants with review data that this Store's relay and
// recoverer serve (see StoreOptions.Tenants).
func (s *Store) Tenants(ctx context.Context) ([]string, error) {
	if len(s.opts.Tenants) > 0 {
		return s.opts.Tenants, nil
	}
	ts, err := s.rdb.SMembers(ctx, tenantsKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("listing tenants: %w", err)
	}
	sort.Strings(ts)
	return ts, nil
}

// item is a review item as stored in its hash.
type item struct {
	CommentID  string
	Status     string
	QueuedFor  string
	Band       int
	EnqueuedAt time.Time
	Edited     bool
	Comment    *message.Comment
	Verdict    *message.Verdict
	Owner      string
	Fence      int64
	LeaseUntil time.Time
	ClaimedOf  string
	Decision   string
	Reason     string
	Note       string
	Moderator  string
	DecidedAt  time.Time
	EventID    string
	UndoneOf   string
	Author     string
}

func parseItem(id string, h map[string]string) (*item, error) {
	if len(h) == 0 || h["status"] == "" {
		return nil, nil
	}
	it := &item{
		CommentID: id, Status: h["status"], QueuedFor: h["queued_for"], Edited: h["edited"] == "1",
		Owner: h["owner"], ClaimedOf: h["claimed_from"], Decision: h["decision"], Reason: h["reason"],
		Note: h["note"], Moderator: h["moderator"], EventID: h["event_id"], UndoneOf: h["undone_event"],
		Author: h["author"],
	}
	it.Band, _ = strconv.Atoi(h["band"])
	it.Fence, _ = strconv.ParseInt(h["fence"], 10, 64)
	if v, err := strconv.ParseInt(h["enq_at"], 10, 64); err == nil {
		it.EnqueuedAt = fromMS(v)
	}
	if v, err := strconv.ParseInt(h["lease_until"], 10, 64); err == nil {
		it.LeaseUntil = fromMS(v)
	}
	if v, err := strconv.ParseInt(h["decided_ms"], 10, 64); err == nil {
		it.DecidedAt = fromMS(v)
	}
	if c := h["comment"]; c != "" {
		it.Comment = new(message.Comment)
		if err := json.Unmarshal([]byte(c), it.Comment); err != nil {
			return nil, fmt.Errorf("decoding stored comment %q: %w", id, err)
		}
	}
	if v := h["verdict"]; v != "" {
		it.Verdict = new(message.Verdict)
		if err := json.Unmarshal([]byte(v), it.Verdict); err != nil {
			return nil, fmt.Errorf("decoding stored verdict %q: %w", id, err)
		}
	}
	return it, nil
}

// getItems reads items by id in one round trip; missing ones are nil.
func (s *Store) getItems(ctx context.Context, tenant string, ids []string) ([]*item, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cmds, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range ids {
			p.HGetAll(ctx, itemKey(tenant, id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading items: %w", err)
	}
	out := make([]*item, len(ids))
	for i, c := range cmds {
		if out[i], err = parseItem(ids[i], c.(*redis.MapStringStringCmd).Val()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// getItem reads one item or returns a NotFound error.
func (s *Store) getItem(ctx context.Context, tenant, id string) (*item, error) {
	its, err := s.getItems(ctx, tenant, []string{id})
	if err != nil {
		return nil, err
	}
	if its[0] == nil {
		return nil, errorf(NotFound, "no item %q in this tenant", id)
	}
	return its[0], nil
}

// Filter narrows a queue listing to items matching every non-empty field.
type Filter struct {
	Label, Lang, Thread, Author, Rule string
}

func (f Filter) keys(tenant string) []string {
	var ks []string
	if f.Label != "" {
		ks = append(ks, labelIndexKey(tenant, f.Label))
	}
	if f.Lang != "" {
		ks = append(ks, langIndexKey(tenant, f.Lang))
	}
	if f.Thread != "" {
		ks = append(ks, threadIndexKey(tenant, f.Thread))
	}
	if f.Author != "" {
		ks = append(ks, authorIndexKey(tenant, f.Author))
	}
	if f.Rule != "" {
		ks = append(ks, ruleIndexKey(tenant, f.Rule))
	}
	return ks
}

// Sort orders of a queue listing.
const (
	// SortPriority is the queue's own order: score band, then age.
	SortPriority = "priority"
	// SortOldest lists the longest-waiting items first.
	SortOldest = "oldest"
	// SortNewest lists the latest-admitted items first.
	SortNewest = "newest"
	// SortScore lists the items with the highest verdict score (the higher
	// of spam and troll) first; equal scores in descending comment id order.
	SortScore = "score"
)

// validSort reports whether sort names a listing order.
func validSort(sort string) bool {
	switch sort {
	case SortPriority, SortOldest, SortNewest, SortScore:
		return true
	}
	return false
}

// queueSetKey names the ZSET behind a queue name: pending, escalated, or
// claimed (the claims, ordered by lease expiry).
func queueSetKey(tenant, queue string) (string, error) {
	switch queue {
	case "pending", "escalated":
		return queueKey(tenant, queue), nil
	case "claimed":
		return claimsKey(tenant), nil
	}
	return "", invalidField("queue", "must be pending, escalated or claimed")
}

// listIDs returns the ids of a queue in the order sort names (a Sort…
// constant), filtered, and the total count.
func (s *Store) listIDs(ctx context.Context, tenant, queue string, f Filter, sort string, offset, limit int) (int64, []string, error) {
	qk, err := queueSetKey(tenant, queue)
	if err != nil {
		return 0, nil, err
	}
	fk := f.keys(tenant)
	if len(fk) == 0 && sort == SortPriority {
		var card *redis.IntCmd
		var ids *redis.StringSliceCmd
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			card = p.ZCard(ctx, qk)
			ids = p.ZRange(ctx, qk, int64(offset), int64(offset+limit-1))
			return nil
		})
		if err != nil {
			return 0, nil, fmt.Errorf("listing queue: %w", err)
		}
		return card.Val(), ids.Val(), nil
	}
	// The intersection takes its order from the weighted scores: the queue's
	// own (priority), or the waiting set's (enqueue time) or the score
	// index's with the queue weighing nothing.
	keys := []string{filterTempKey(tenant, randomHex(8)), qk}
	desc := "0"
	weights := []any{1}
	switch sort {
	case SortOldest, SortNewest:
		keys = append(keys, waitingKey(tenant))
		weights = []any{0, 1}
		if sort == SortNewest {
			desc = "1"
		}
	case SortScore:
		keys = append(keys, scoreIndexKey(tenant))
		weights, desc = []any{0, 1}, "1"
	}
	keys = append(keys, fk...)
	for range fk {
		weights = append(weights, 0)
	}
	v, err := filterScript.Run(ctx, s.rdb, keys, append([]any{offset, limit, desc}, weights...)...).Slice()
	if err != nil {
		return 0, nil, fmt.Errorf("filtering queue: %w", err)
	}
	total, _ := v[0].(int64)
	ids := make([]string, 0, len(v)-1)
	for _, x := range v[1:] {
		ids = append(ids, x.(string))
	}
	return total, ids, nil
}

// listQueue returns a page of a queue with the items' contents.
func (s *Store) listQueue(ctx context.Context, tenant, queue string, f Filter, sort string, offset, limit int) (int64, []*item, error) {
	total, ids, err := s.listIDs(ctx, tenant, queue, f, sort, offset, limit)
	if err != nil {
		return 0, nil, err
	}
	its, err := s.getItems(ctx, tenant, ids)
	if err != nil {
		return 0, nil, err
	}
	out := its[:0]
	for _, it := range its {
		if it != nil {
			out = append(out, it)
		}
	}
	return total, out, nil
}

// decideInput is one decision to record.
type decideInput struct {
	CommentID string
	Decision  message.DecisionKind
	Reason    string
	Note      string
	Moderator string
	Rank      int
	// Token is the fencing token of the caller's claim, if it holds one.
	Token *int64
	// IdempotencyKey makes a retried request return the first outcome.
	IdempotencyKey string
}

// decideOutcome is what recording a decision did.
type decideOutcome struct {
	CommentID string `json:"comment_id"`
	EventID   string `json:"event_id,omitempty"`
	Status    string `json:"status,omitempty"`
	// Replayed is true when the decision had been recorded before and this
	// call changed nothing.
	Replayed bool  `json:"replayed,omitempty"`
	Err      error `json:"-"`
}

func (s *Store) decideArgs(tenant string, in decideInput, now time.Time) ([]string, []any) {
	token := ""
	if in.Token != nil {
		token = strconv.FormatInt(*in.Token, 10)
	}
	idemTTL := int64(0)
	idem := idempotencyKey(tenant, "-")
	if in.IdempotencyKey != "" {
		idemTTL = s.opts.IdempotencyTTL.Milliseconds()
		idem = idempotencyKey(tenant, in.IdempotencyKey)
	}
	keys := []string{
		itemKey(tenant, in.CommentID), queueKey(tenant, "pending"), queueKey(tenant, "escalated"),
		claimsKey(tenant), waitingKey(tenant), outboxKey(tenant), auditKey(tenant), ruleStatsKey(tenant),
		decisionLogKey(tenant), idem, scoreIndexKey(tenant),
	}
	args := []any{
		tenant, in.CommentID, string(in.Decision), in.Reason, in.Moderator, in.Rank, token,
		ms(now), now.UTC().Format(time.RFC3339Nano), newEventID(), s.opts.AuditRetention.Milliseconds(),
		idemTTL, eventsChannel(tenant), in.Note,
	}
	return keys, args
}

// decide records decisions, each exactly once, in one round trip. Each
// outcome carries its own error; the returned error is for Redis failures.
func (s *Store) decide(ctx context.Context, tenant string, ins []decideInput) ([]decideOutcome, error) {
	now := s.now()
	cmds, err := s.pipelined(ctx, func(p redis.Pipeliner) {
		p.SAdd(ctx, tenantsKey(), tenant)
		for _, in := range ins {
			keys, args := s.decideArgs(tenant, in, now)
			decideScript.EvalSha(ctx, p, keys, args...)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("recording decisions: %w", err)
	}
	out := make([]decideOutcome, len(ins))
	for i, c := range cmds[1:] {
		out[i].CommentID = ins[i].CommentID
		if c.Err() != nil {
			out[i].Err = fmt.Errorf("recording decision: %w", c.Err())
			continue
		}
		kind, rest, err := scriptReply(c.(*redis.Cmd).Val())
		if err != nil {
			out[i].Err = err
			continue
		}
		out[i].EventID, out[i].Status, out[i].Replayed = rest[0], rest[1], kind == "replay"
	}
	return out, nil
}

// undo reverses the latest decision on an item within window.
func (s *Store) undo(ctx context.Context, tenant, commentID, moderator, eventID, idemKey string, window time.Duration) (decideOutcome, error) {
	now := s.now()
	idemTTL := int64(0)
	idem := idempotencyKey(tenant, "-")
	if idemKey != "" {
		idemTTL = s.opts.IdempotencyTTL.Milliseconds()
		idem = idempotencyKey(tenant, idemKey)
	}
	keys := []string{
		itemKey(tenant, commentID), queueKey(tenant, "pending"), queueKey(tenant, "escalated"),
		waitingKey(tenant), outboxKey(tenant), auditKey(tenant), ruleStatsKey(tenant), idem,
		scoreIndexKey(tenant), indexRegistryKey(tenant),
	}
	if err := s.registerTenant(ctx, tenant); err != nil {
		return decideOutcome{}, fmt.Errorf("registering tenant: %w", err)
	}
	v, err := undoScript.Run(ctx, s.rdb, keys, tenant, commentID, moderator, ms(now),
		now.UTC().Format(time.RFC3339Nano), newEventID(), s.opts.AuditRetention.Milliseconds(),
		window.Milliseconds(), idemTTL, eventsChannel(tenant), eventID).Result()
	if err != nil {
		return decideOutcome{}, fmt.Errorf("undoing decision: %w", err)
	}
	kind, rest, err := scriptReply(v)
	if err != nil {
		return decideOutcome{}, err
	}
	return decideOutcome{CommentID: commentID, EventID: rest[0], Status: rest[1], Replayed: kind == "replay"}, nil
}

// Claim is an item handed to one moderator for a while.
type Claim struct {
	CommentID  string    `json:"comment_id"`
	Token      int64     `json:"token"`
	LeaseUntil time.Time `json:"lease_until"`
}

// claim takes up to limit items from a queue (or the given candidates) for
// owner, for lease.
func (s *Store) claim(ctx context.Context, tenant, queue, owner string, limit int, lease time.Duration, candidates []string) ([]Claim, error) {
	now := s.now()
	args := []any{itemKeyPrefix(tenant), ms(now), lease.Milliseconds(), limit, owner, queue, eventsChannel(tenant)}
	for _, c := range candidates {
		args = append(args, c)
	}
	v, err := claimScript.Run(ctx, s.rdb, []string{queueKey(tenant, queue), claimsKey(tenant)}, args...).Slice()
	if err != nil {
		return nil, fmt.Errorf("claiming items: %w", err)
	}
	until := fromMS(ms(now) + lease.Milliseconds())
	out := make([]Claim, 0, len(v)/2)
	for i := 0; i+1 < len(v); i += 2 {
		tok, _ := strconv.ParseInt(v[i+1].(string), 10, 64)
		out = append(out, Claim{CommentID: v[i].(string), Token: tok, LeaseUntil: until})
	}
	return out, nil
}

// extend renews the lease of a claim owner holds with token.
func (s *Store) extend(ctx context.Context, tenant, id, owner string, token int64, lease time.Duration) (Claim, error) {
	v, err := extendScript.Run(ctx, s.rdb, []string{itemKey(tenant, id), claimsKey(tenant)},
		id, owner, token, ms(s.now()), lease.Milliseconds()).Result()
	if err != nil {
		return Claim{}, fmt.Errorf("extending lease: %w", err)
	}
	_, rest, err := scriptReply(v)
	if err != nil {
		return Claim{}, err
	}
	until, _ := strconv.ParseInt(rest[0], 10, 64)
	return Claim{CommentID: id, Token: token, LeaseUntil: fromMS(until)}, nil
}

// release gives a claimed item back to its queue.
func (s *Store) release(ctx context.Context, tenant, id, owner string, token int64) error {
	v, err := releaseScript.Run(ctx, s.rdb, []string{
		itemKey(tenant, id), claimsKey(tenant), queueKey(tenant, "pending"), queueKey(tenant, "escalated"),
	}, id, owner, token, eventsChannel(tenant)).Result()
	if err != nil {
		return fmt.Errorf("releasing claim: %w", err)
	}
	_, _, err = scriptReply(v)
	return err
}

// recoverExpired returns the expired claims of every tenant to their queues
// and reports how many it returned.
func (s *Store) recoverExpired(ctx context.Context) (int, error) {
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	now := ms(s.now())
	total := 0
	for _, t := range tenants {
		for {
			n, err := recoverScript.Run(ctx, s.rdb, []string{
				claimsKey(t), queueKey(t, "pending"), queueKey(t, "escalated"),
			}, itemKeyPrefix(t), now, 500, eventsChannel(t)).Int()
			if err != nil {
				return total, fmt.Errorf("recovering claims of tenant %s: %w", t, err)
			}
			total += n
			if n < 500 {
				break
			}
		}
	}
	return total, nil
}

// appendAudit writes one audit entry for actions that are not decisions.
func (s *Store) appendAudit(ctx context.Context, tenant, actor, action string, fields ...string) error {
	args := []any{s.opts.AuditRetention.Milliseconds(), "at", s.now().UTC().Format(time.RFC3339Nano), "actor", actor, "action", action}
	for _, f := range fields {
		args = append(args, f)
	}
	if err := auditScript.Run(ctx, s.rdb, []string{auditKey(tenant)}, args...).Err(); err != nil {
		return fmt.Errorf("writing audit entry: %w", err)
	}
	return nil
}
