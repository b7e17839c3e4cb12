package review

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigie-moderation/vigie/internal/message"
)

// routes is the route table of the moderator API.
func (a *API) routes() []route {
	return []route{
		{"GET /v1/queue", RoleModerator, a.handleQueue},
		{"POST /v1/queue/claim", RoleModerator, a.handleClaim},
		{"POST /v1/queue/decisions", RoleModerator, a.handleBulk},
		{"GET /v1/queue/events", RoleModerator, a.handleEvents},
		{"GET /v1/queue/facets", RoleModerator, a.handleFacets},
		{"GET /v1/threads/{thread_id}/comments", RoleModerator, a.handleThread},
		{"GET /v1/items/{comment_id}", RoleModerator, a.handleItem},
		{"POST /v1/items/{comment_id}/claim", RoleModerator, a.handleItemClaim},
		{"POST /v1/items/{comment_id}/extend", RoleModerator, a.handleExtend},
		{"POST /v1/items/{comment_id}/release", RoleModerator, a.handleRelease},
		{"POST /v1/items/{comment_id}/decision", RoleModerator, a.handleDecision},
		{"POST /v1/items/{comment_id}/undo", RoleModerator, a.handleUndo},
		{"GET /v1/authors/{author_id}", RoleModerator, a.handleAuthor},
		{"POST /v1/authors/{author_id}/notes", RoleModerator, a.handleAuthorNote},
		{"POST /v1/authors/{author_id}/reject-pending", RoleModerator, a.handleRejectPending},
		{"PUT /v1/authors/{author_id}/ban", RoleSenior, a.handleBan},
		{"DELETE /v1/authors/{author_id}/ban", RoleSenior, a.setAuthorFlag("banned", false)},
		{"PUT /v1/authors/{author_id}/trust", RoleSenior, a.setAuthorFlag("trusted", true)},
		{"DELETE /v1/authors/{author_id}/trust", RoleSenior, a.setAuthorFlag("trusted", false)},
		{"GET /v1/stats", RoleModerator, a.handleStats},
		{"GET /v1/stats/rules", RoleModerator, a.handleRuleStats},
		{"GET /v1/stats/history", RoleModerator, a.handleStatsHistory},
		{"GET /v1/audit", RoleSenior, a.handleAudit},
		{"POST /v1/session", "", a.handleLogin},
		{"GET /v1/session", RoleModerator, a.handleSession},
		{"DELETE /v1/session", RoleModerator, a.handleLogout},
		{"GET /v1/moderators", RoleAdmin, a.handleModerators},
		{"POST /v1/moderators", RoleAdmin, a.handleAddModerator},
		{"PATCH /v1/moderators/{login}", RoleAdmin, a.handleUpdateModerator},
		{"GET /v1/tokens", RoleModerator, a.handleTokens},
		{"POST /v1/tokens", RoleModerator, a.handleCreateToken},
		{"DELETE /v1/tokens/{token_id}", RoleModerator, a.handleRevokeToken},
		{"GET /v1/settings", RoleAdmin, a.handleSettings},
		{"PATCH /v1/settings", RoleAdmin, a.handleSetSettings},
	}
}

// itemView is an item as the API shows it.
type itemView struct {
	CommentID   string           `json:"comment_id"`
	Status      string           `json:"status"`
	QueuedFor   string           `json:"queued_for,omitempty"`
	Band        int              `json:"band"`
	EnqueuedAt  time.Time        `json:"enqueued_at"`
	Edited      bool             `json:"edited,omitempty"`
	Comment     *message.Comment `json:"comment"`
	Verdict     *message.Verdict `json:"verdict"`
	Claim       *claimView       `json:"claim,omitempty"`
	Decision    *decisionView    `json:"decision,omitempty"`
	UndoneEvent string           `json:"undone_event,omitempty"`
}

type claimView struct {
	Owner      string    `json:"owner"`
	Queue      string    `json:"queue"`
	LeaseUntil time.Time `json:"lease_until"`
	// Token is shown to the claim's owner only.
	Token int64 `json:"token,omitempty"`
}

type decisionView struct {
	Decision  string    `json:"decision"`
	Reason    string    `json:"reason,omitempty"`
	Note      string    `json:"note,omitempty"`
	Moderator string    `json:"moderator"`
	DecidedAt time.Time `json:"decided_at"`
	EventID   string    `json:"event_id"`
	UndoUntil time.Time `json:"undo_until"`
}

func (a *API) view(it *item, c *caller) itemView {
	v := itemView{
		CommentID: it.CommentID, Status: it.Status, QueuedFor: it.QueuedFor, Band: it.Band,
		EnqueuedAt: it.EnqueuedAt, Edited: it.Edited, Comment: it.Comment, Verdict: it.Verdict,
		UndoneEvent: it.UndoneOf,
	}
	if it.Status == "claimed" {
		v.Claim = &claimView{Owner: it.Owner, Queue: it.ClaimedOf, LeaseUntil: it.LeaseUntil}
		if c != nil && it.Owner == c.Subject {
			v.Claim.Token = it.Fence
		}
	}
	if it.EventID != "" {
		v.Decision = &decisionView{
			Decision: it.Decision, Reason: it.Reason, Note: it.Note, Moderator: it.Moderator,
			DecidedAt: it.DecidedAt, EventID: it.EventID, UndoUntil: it.DecidedAt.Add(a.cfg.UndoWindow),
		}
	}
	return v
}

func filterFromQuery(r *http.Request) Filter {
	q := r.URL.Query()
	return Filter{Label: q.Get("label"), Lang: q.Get("lang"), Thread: q.Get("thread"), Author: q.Get("author"), Rule: q.Get("rule")}
}

type queuePage struct {
	Queue  string     `json:"queue"`
	Sort   string     `json:"sort"`
	Total  int64      `json:"total"`
	Offset int        `json:"offset"`
	Items  []itemView `json:"items"`
}

// handleQueue lists a queue:
// GET /v1/queue?queue=&sort=&label=&lang=&thread=&author=&rule=&offset=&limit=.
func (a *API) handleQueue(w http.ResponseWriter, r *http.Request, c *caller) error {
	queue := r.URL.Query().Get("queue")
	if queue == "" {
		queue = "pending"
	}
	if queue == "escalated" && c.rank < roleRank(RoleSenior) {
		return errorf(Forbidden, "the escalated queue is for senior moderators")
	}
	sort := r.URL.Query().Get("sort")
	if sort == "" {
		sort = SortPriority
	}
	if !validSort(sort) {
		return invalidField("sort", "must be priority, oldest, newest or score")
	}
	limit, err := queryInt(r, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	offset, err := queryInt(r, "offset", 0, 0, 1_000_000)
	if err != nil {
		return err
	}
	total, its, err := a.store.listQueue(r.Context(), c.Tenant, queue, filterFromQuery(r), sort, offset, limit)
	if err != nil {
		return err
	}
	page := queuePage{Queue: queue, Sort: sort, Total: total, Offset: offset, Items: make([]itemView, 0, len(its))}
	for _, it := range its {
		page.Items = append(page.Items, a.view(it, c))
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// handleItem shows one item: GET /v1/items/{comment_id}.
func (a *API) handleItem(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "comment_id")
	if err != nil {
		return err
	}
	it, err := a.store.getItem(r.Context(), c.Tenant, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.view(it, c))
	return nil
}

// reasonCodes are the reasons a rejection may give.
var reasonCodes = map[string]bool{
	"spam": true, "insult": true, "harassment": true, "threat": true, "hate": true, "off-topic": true, "other": true,
}

type decisionRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason,omitempty"`
	Note     string `json:"note,omitempty"`
	Token    *int64 `json:"token,omitempty"`
}

// normalise checks a decision request. A reason that is not one of the codes
// is kept as the note and the code becomes "other", so a free-text reason is
// never lost; a rejection always carries a code.
func (d *decisionRequest) normalise() error {
	switch message.DecisionKind(d.Decision) {
	case message.DecisionApprove, message.DecisionReject, message.DecisionEscalate:
	default:
		return invalidField("decision", "must be approve, reject or escalate")
	}
	if d.Reason != "" && !reasonCodes[d.Reason] {
		if d.Note == "" {
			d.Note = d.Reason
		}
		d.Reason = "other"
	}
	if d.Decision == string(message.DecisionReject) && d.Reason == "" {
		d.Reason = "other"
	}
	if !utf8.ValidString(d.Note) || utf8.RuneCountInString(d.Note) > 1000 {
		return invalidField("note", "must be valid UTF-8 of at most 1000 characters")
	}
	return nil
}

func idempotencyHeader(r *http.Request) (string, error) {
	k := r.Header.Get("Idempotency-Key")
	if len(k) > 200 || strings.ContainsAny(k, "\x00\r\n") {
		return "", invalidField("Idempotency-Key", "must be at most 200 bytes without control characters")
	}
	return k, nil
}

// handleDecision records a decision: POST /v1/items/{comment_id}/decision.
func (a *API) handleDecision(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "comment_id")
	if err != nil {
		return err
	}
	var req decisionRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := req.normalise(); err != nil {
		return err
	}
	idem, err := idempotencyHeader(r)
	if err != nil {
		return err
	}
	outs, err := a.store.decide(r.Context(), c.Tenant, []decideInput{{
		CommentID: id, Decision: message.DecisionKind(req.Decision), Reason: req.Reason, Note: req.Note,
		Moderator: c.Subject, Rank: c.rank, Token: req.Token, IdempotencyKey: idem,
	}})
	if err != nil {
		return err
	}
	if outs[0].Err != nil {
		return outs[0].Err
	}
	a.log.WithField("tenant", c.Tenant).WithField("comment_id", id).WithField("decision", req.Decision).
		WithField("moderator", c.Subject).Debug("decision recorded")
	writeJSON(w, http.StatusOK, outs[0])
	return nil
}

type undoRequest struct {
	// EventID, when given, names the decision the caller means to undo; the
	// undo is refused if another decision has replaced it.
	EventID string `json:"event_id,omitempty"`
}

// handleUndo reverses the latest decision: POST /v1/items/{comment_id}/undo.
func (a *API) handleUndo(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "comment_id")
	if err != nil {
		return err
	}
	var req undoRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	idem, err := idempotencyHeader(r)
	if err != nil {
		return err
	}
	out, err := a.store.undo(r.Context(), c.Tenant, id, c.Subject, req.EventID, idem, a.cfg.UndoWindow)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type claimRequest struct {
	Limit        int    `json:"limit,omitempty"`
	LeaseSeconds int    `json:"lease_seconds,omitempty"`
	Queue        string `json:"queue,omitempty"`
	Filter       Filter `json:"filter,omitempty"`
}

type claimedItem struct {
	Claim
	Item itemView `json:"item"`
}

func (a *API) lease(seconds int) (time.Duration, error) {
	if seconds == 0 {
		return a.cfg.DefaultLease, nil
	}
	d := time.Duration(seconds) * time.Second
	if seconds < 0 || d > a.cfg.MaxLease {
		return 0, invalidField("lease_seconds", "must be from 1 to %d", int(a.cfg.MaxLease.Seconds()))
	}
	return d, nil
}

// handleClaim hands out items: POST /v1/queue/claim.
func (a *API) handleClaim(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req claimRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	if req.Limit == 0 {
		req.Limit = 1
	}
	if req.Limit < 0 || req.Limit > 100 {
		return invalidField("limit", "must be from 1 to 100")
	}
	if req.Queue == "" {
		req.Queue = "pending"
	}
	if req.Queue != "pending" && req.Queue != "escalated" {
		return invalidField("queue", "must be pending or escalated")
	}
	if req.Queue == "escalated" && c.rank < roleRank(RoleSenior) {
		return errorf(Forbidden, "the escalated queue is for senior moderators")
	}
	lease, err := a.lease(req.LeaseSeconds)
	if err != nil {
		return err
	}
	var cands []string
	if len(req.Filter.keys(c.Tenant)) > 0 {
		// Candidates come from a filtered listing; the claim script takes
		// only those still in the queue, so a race costs items, not safety.
		if _, cands, err = a.store.listIDs(r.Context(), c.Tenant, req.Queue, req.Filter, SortPriority, 0, req.Limit*4); err != nil {
			return err
		}
		if len(cands) == 0 {
			writeJSON(w, http.StatusOK, map[string]any{"claims": []claimedItem{}})
			return nil
		}
	}
	claims, err := a.store.claim(r.Context(), c.Tenant, req.Queue, c.Subject, req.Limit, lease, cands)
	if err != nil {
		return err
	}
	out, err := a.withItems(r, c, claims)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"claims": out})
	return nil
}

func (a *API) withItems(r *http.Request, c *caller, claims []Claim) ([]claimedItem, error) {
	ids := make([]string, len(claims))
	for i, cl := range claims {
		ids[i] = cl.CommentID
	}
	its, err := a.store.getItems(r.Context(), c.Tenant, ids)
	if err != nil {
		return nil, err
	}
	out := make([]claimedItem, 0, len(claims))
	for i, cl := range claims {
		ci := claimedItem{Claim: cl}
		if its[i] != nil {
			ci.Item = a.view(its[i], c)
		}
		out = append(out, ci)
	}
	return out, nil
}

type itemClaimRequest struct {
	LeaseSeconds int `json:"lease_seconds,omitempty"`
}

// handleItemClaim claims one named item: POST /v1/items/{comment_id}/claim.
// Claiming an item one already holds renews the lease and keeps the token.
func (a *API) handleItemClaim(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "comment_id")
	if err != nil {
		return err
	}
	var req itemClaimRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	lease, err := a.lease(req.LeaseSeconds)
	if err != nil {
		return err
	}
	it, err := a.store.getItem(r.Context(), c.Tenant, id)
	if err != nil {
		return err
	}
	queue := it.Status
	switch it.Status {
	case "pending":
	case "escalated":
		if c.rank < roleRank(RoleSenior) {
			return errorf(Forbidden, "escalated items are for senior moderators")
		}
	case "claimed":
		if it.Owner != c.Subject {
			return errorf(Conflict, "the item is claimed by another moderator")
		}
		cl, err := a.store.extend(r.Context(), c.Tenant, id, c.Subject, it.Fence, lease)
		if err != nil {
			return err
		}
		out, err := a.withItems(r, c, []Claim{cl})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, out[0])
		return nil
	default:
		return errorf(FailedPrecondition, "the item is already %s", it.Status)
	}
	claims, err := a.store.claim(r.Context(), c.Tenant, queue, c.Subject, 1, lease, []string{id})
	if err != nil {
		return err
	}
	if len(claims) == 0 {
		return errorf(Conflict, "the item was claimed or decided meanwhile")
	}
	out, err := a.withItems(r, c, claims)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out[0])
	return nil
}

type tokenRequest struct {
	Token        int64 `json:"token"`
	LeaseSeconds int   `json:"lease_seconds,omitempty"`
}

// handleExtend renews a lease: POST /v1/items/{comment_id}/extend.
func (a *API) handleExtend(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "comment_id")
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	lease, err := a.lease(req.LeaseSeconds)
	if err != nil {
		return err
	}
	cl, err := a.store.extend(r.Context(), c.Tenant, id, c.Subject, req.Token, lease)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cl)
	return nil
}

// handleRelease gives a claim back: POST /v1/items/{comment_id}/release.
func (a *API) handleRelease(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "comment_id")
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	if err := a.store.release(r.Context(), c.Tenant, id, c.Subject, req.Token); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type bulkRequest struct {
	CommentIDs []string `json:"comment_ids,omitempty"`
	// Filter selects the first Limit items of Queue instead of CommentIDs.
	Filter   *Filter `json:"filter,omitempty"`
	Queue    string  `json:"queue,omitempty"`
	Limit    int     `json:"limit,omitempty"`
	Decision string  `json:"decision"`
	Reason   string  `json:"reason,omitempty"`
	Note     string  `json:"note,omitempty"`
}

type bulkResult struct {
	CommentID string `json:"comment_id"`
	EventID   string `json:"event_id,omitempty"`
	Status    string `json:"status,omitempty"`
	Replayed  bool   `json:"replayed,omitempty"`
	// Error explains why this item was not decided; HTTPStatus is the status
	// a single decision would have got.
	Error      string `json:"error,omitempty"`
	HTTPStatus int    `json:"http_status"`
}

func bulkResults(outs []decideOutcome) []bulkResult {
	res := make([]bulkResult, len(outs))
	for i, o := range outs {
		res[i] = bulkResult{CommentID: o.CommentID, EventID: o.EventID, Status: o.Status, Replayed: o.Replayed, HTTPStatus: http.StatusOK}
		if o.Err != nil {
			res[i].HTTPStatus = httpStatus(CodeOf(o.Err))
			res[i].Error = "internal error"
			if CodeOf(o.Err) != Internal {
				res[i].Error = o.Err.Error()
			}
		}
	}
	return res
}

// handleBulk decides a selection: POST /v1/queue/decisions. Each item is
// decided on its own (items held by others are refused one by one); the
// answer lists every item's outcome.
func (a *API) handleBulk(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req bulkRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	d := decisionRequest{Decision: req.Decision, Reason: req.Reason, Note: req.Note}
	if err := d.normalise(); err != nil {
		return err
	}
	ids := req.CommentIDs
	switch {
	case len(ids) > 0 && req.Filter != nil:
		return invalidField("filter", "give comment_ids or filter, not both")
	case len(ids) > 500:
		return invalidField("comment_ids", "at most 500 items per request")
	case req.Filter != nil:
		if req.Queue == "" {
			req.Queue = "pending"
		}
		if req.Queue != "pending" && req.Queue != "escalated" {
			return invalidField("queue", "must be pending or escalated")
		}
		if req.Limit == 0 {
			req.Limit = 100
		}
		if req.Limit < 0 || req.Limit > 500 {
			return invalidField("limit", "must be from 1 to 500")
		}
		var err error
		if _, ids, err = a.store.listIDs(r.Context(), c.Tenant, req.Queue, *req.Filter, SortPriority, 0, req.Limit); err != nil {
			return err
		}
	case len(ids) == 0:
		return invalidField("comment_ids", "give comment_ids or filter")
	}
	ins := make([]decideInput, 0, len(ids))
	for _, id := range ids {
		if id == "" || len(id) > 256 {
			return invalidField("comment_ids", "ids must be 1-256 bytes")
		}
		ins = append(ins, decideInput{
			CommentID: id, Decision: message.DecisionKind(d.Decision), Reason: d.Reason, Note: d.Note,
			Moderator: c.Subject, Rank: c.rank,
		})
	}
	outs := []decideOutcome{}
	if len(ins) > 0 {
		var err error
		if outs, err = a.store.decide(r.Context(), c.Tenant, ins); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": bulkResults(outs)})
	return nil
}
