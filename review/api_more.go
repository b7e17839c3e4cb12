package review

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type authorView struct {
	AuthorID string           `json:"author_id"`
	Counts   map[string]int64 `json:"counts"`
	Comments int64            `json:"comments"`
	// Undecided counts the author's items still waiting for a decision.
	Undecided int64  `json:"undecided"`
	Banned    bool   `json:"banned"`
	BanReason string `json:"ban_reason,omitempty"`
	BannedBy  string `json:"banned_by,omitempty"`
	BannedAt  string `json:"banned_at,omitempty"`
	// Trusted is true when the author is trusted explicitly or through the
	// tenant's trust_after setting; TrustedExplicitly only for the former.
	Trusted           bool         `json:"trusted"`
	TrustedExplicitly bool         `json:"trusted_explicitly"`
	Premoderated      bool         `json:"premoderated"`
	Recent            []itemView   `json:"recent"`
	Notes             []authorNote `json:"notes"`
}

// handleAuthor shows an author's history: GET /v1/authors/{author_id}.
func (a *API) handleAuthor(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "author_id")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "recent", 20, 1, 200)
	if err != nil {
		return err
	}
	rec, err := a.store.getAuthor(r.Context(), c.Tenant, id, limit)
	if err != nil {
		return err
	}
	st, err := a.store.TenantSettings(r.Context(), c.Tenant)
	if err != nil {
		return err
	}
	approved := rec.Counts["approved"]
	v := authorView{
		AuthorID: id, Counts: rec.Counts, Comments: rec.TotalComments, Undecided: rec.Undecided,
		Banned: rec.Banned, BanReason: rec.BanReason, BannedBy: rec.BannedBy, BannedAt: rec.BannedAt,
		TrustedExplicitly: rec.TrustedFlag,
		Trusted:           rec.TrustedFlag || (st.TrustAfter > 0 && approved >= int64(st.TrustAfter)),
		Premoderated:      !rec.TrustedFlag && st.PremoderateUntil > 0 && approved < int64(st.PremoderateUntil),
		Recent:            []itemView{}, Notes: rec.Notes,
	}
	if v.Notes == nil {
		v.Notes = []authorNote{}
	}
	for _, it := range rec.Recent {
		v.Recent = append(v.Recent, a.view(it, c))
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

type noteRequest struct {
	Text string `json:"text"`
}

// handleAuthorNote adds a note: POST /v1/authors/{author_id}/notes.
func (a *API) handleAuthorNote(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "author_id")
	if err != nil {
		return err
	}
	var req noteRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Text) == "" || !utf8.ValidString(req.Text) || utf8.RuneCountInString(req.Text) > 2000 {
		return invalidField("text", "must be 1-2000 characters of valid UTF-8")
	}
	n, err := a.store.addAuthorNote(r.Context(), c.Tenant, id, c.Subject, req.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, n)
	return nil
}

type authorActionRequest struct {
	Reason string `json:"reason,omitempty"`
	Note   string `json:"note,omitempty"`
	// RejectPending, for a ban, also rejects the author's undecided items.
	// Default true.
	RejectPending *bool `json:"reject_pending,omitempty"`
}

func (req *authorActionRequest) reason() (string, string, error) {
	d := decisionRequest{Decision: "reject", Reason: req.Reason, Note: req.Note}
	if err := d.normalise(); err != nil {
		return "", "", err
	}
	return d.Reason, d.Note, nil
}

// handleRejectPending rejects every undecided item of an author:
// POST /v1/authors/{author_id}/reject-pending.
func (a *API) handleRejectPending(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "author_id")
	if err != nil {
		return err
	}
	var req authorActionRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	reason, note, err := req.reason()
	if err != nil {
		return err
	}
	outs, err := a.store.rejectUndecided(r.Context(), c.Tenant, id, reason, note, c.Subject, c.rank)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": bulkResults(outs)})
	return nil
}

// handleBan bans an author: PUT /v1/authors/{author_id}/ban. Their future
// comments are rejected on admission; their undecided items are rejected now
// unless reject_pending is false.
func (a *API) handleBan(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "author_id")
	if err != nil {
		return err
	}
	var req authorActionRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	reason, note, err := req.reason()
	if err != nil {
		return err
	}
	if err := a.store.setAuthorFlag(r.Context(), c.Tenant, id, "banned", true, reason, c.Subject); err != nil {
		return err
	}
	outs := []decideOutcome{}
	if req.RejectPending == nil || *req.RejectPending {
		if outs, err = a.store.rejectUndecided(r.Context(), c.Tenant, id, reason, note, c.Subject, c.rank); err != nil {
			return err
		}
	}
	a.log.WithField("tenant", c.Tenant).WithField("author_id", id).WithField("moderator", c.Subject).Info("author banned")
	writeJSON(w, http.StatusOK, map[string]any{"banned": true, "results": bulkResults(outs)})
	return nil
}

// setAuthorFlag returns the handler that sets or clears one of an author's
// flags: lifting a ban (DELETE /v1/authors/{author_id}/ban), trusting (PUT
// /v1/authors/{author_id}/trust) or withdrawing trust (DELETE …/trust).
// Banning takes a reason and rejects pending items, so it has its own.
func (a *API) setAuthorFlag(flag string, value bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *caller) error {
		id, err := pathID(r, "author_id")
		if err != nil {
			return err
		}
		if err := a.store.setAuthorFlag(r.Context(), c.Tenant, id, flag, value, "", c.Subject); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// handleStats shows queue figures: GET /v1/stats.
func (a *API) handleStats(w http.ResponseWriter, r *http.Request, c *caller) error {
	st, err := a.store.stats(r.Context(), c.Tenant)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// handleRuleStats shows per-rule feedback: GET /v1/stats/rules.
func (a *API) handleRuleStats(w http.ResponseWriter, r *http.Request, c *caller) error {
	fb, err := a.store.ruleFeedback(r.Context(), c.Tenant)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": fb})
	return nil
}

// handleStatsHistory shows the queue figures over time:
// GET /v1/stats/history?window=24h&step=5m, one point per step (the latest
// sample in it) over the window that ends now, oldest first.
func (a *API) handleStatsHistory(w http.ResponseWriter, r *http.Request, c *caller) error {
	minStep, keep := a.store.opts.StatsStep, a.store.opts.StatsHistory
	window, err := queryDuration(r, "window", 24*time.Hour, minStep, keep)
	if err != nil {
		return err
	}
	step, err := queryDuration(r, "step", max(minStep, 5*time.Minute), minStep, window)
	if err != nil {
		return err
	}
	if window/step > 3000 {
		return invalidField("step", "gives more than 3000 points over the window; take a longer step")
	}
	pts, err := a.store.statsHistory(r.Context(), c.Tenant, window, step)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"window_seconds": int64(window.Seconds()), "step_seconds": int64(step.Seconds()), "points": pts,
	})
	return nil
}

// queryDuration reads a duration query parameter ("90s", "5m", "24h") within
// [lo, hi].
func queryDuration(r *http.Request, name string, def, lo, hi time.Duration) (time.Duration, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return min(max(def, lo), hi), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		return 0, invalidField(name, "must be a duration such as 5m or 24h, from %s to %s", lo, hi)
	}
	return d, nil
}

// handleFacets shows the filter values present in a queue and how many
// items each selects: GET /v1/queue/facets?queue=&limit=.
func (a *API) handleFacets(w http.ResponseWriter, r *http.Request, c *caller) error {
	queue := r.URL.Query().Get("queue")
	switch queue {
	case "", "pending":
		queue = "pending"
	case "escalated":
		if c.rank < roleRank(RoleSenior) {
			return errorf(Forbidden, "the escalated queue is for senior moderators")
		}
	default:
		return invalidField("queue", "must be pending or escalated")
	}
	limit, err := queryInt(r, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	f, err := a.store.facets(r.Context(), c.Tenant, queue, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// handleThread shows a thread's recent comments, flagged or not:
// GET /v1/threads/{thread_id}/comments?around=&limit=.
func (a *API) handleThread(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "thread_id")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 20, 1, 200)
	if err != nil {
		return err
	}
	around := r.URL.Query().Get("around")
	if len(around) > 256 {
		return invalidField("around", "must be a comment id of at most 256 bytes")
	}
	page, err := a.store.threadComments(r.Context(), c.Tenant, id, around, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

var streamIDPattern = regexp.MustCompile(`^[0-9]{1,20}-[0-9]{1,20}$`)

// handleAudit pages the audit log, newest first: GET /v1/audit?before=&limit=.
func (a *API) handleAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	before := r.URL.Query().Get("before")
	if before != "" && !streamIDPattern.MatchString(before) {
		return invalidField("before", "must be an audit entry id such as 1700000000000-0")
	}
	es, err := a.store.audit(r.Context(), c.Tenant, before, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
	return nil
}

// handleModerators lists accounts: GET /v1/moderators.
func (a *API) handleModerators(w http.ResponseWriter, r *http.Request, c *caller) error {
	ms, err := a.store.listModerators(r.Context(), c.Tenant)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"moderators": ms})
	return nil
}

type addModeratorRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

// handleAddModerator creates an account: POST /v1/moderators.
func (a *API) handleAddModerator(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req addModeratorRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	m, err := a.store.addModerator(r.Context(), c.Tenant, req.Login, req.Password, req.Role, c.Subject)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

// handleUpdateModerator changes role, disabled flag or password:
// PATCH /v1/moderators/{login}.
func (a *API) handleUpdateModerator(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req moderatorChange
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	m, err := a.store.updateModerator(r.Context(), c.Tenant, r.PathValue("login"), req, c.Subject)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// handleTokens lists API tokens, an admin's all of the tenant's, anyone
// else's their own: GET /v1/tokens.
func (a *API) handleTokens(w http.ResponseWriter, r *http.Request, c *caller) error {
	login := c.Subject
	if c.rank >= roleRank(RoleAdmin) {
		login = ""
	}
	ts, err := a.store.listAPITokens(r.Context(), c.Tenant, login)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": ts})
	return nil
}

type createTokenRequest struct {
	Name string `json:"name"`
	// Login is the account the token acts as; only admins may name another
	// account than their own.
	Login string `json:"login,omitempty"`
}

// handleCreateToken issues an API token, shown once: POST /v1/tokens.
func (a *API) handleCreateToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req createTokenRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	login := req.Login
	if login == "" {
		login = c.Subject
	}
	if login != c.Subject && c.rank < roleRank(RoleAdmin) {
		return errorf(Forbidden, "only admins create tokens for other accounts")
	}
	tok, meta, err := a.store.createAPIToken(r.Context(), c.Tenant, login, req.Name, c.Subject)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "id": meta.ID, "login": meta.Login, "name": meta.Name, "created_at": meta.CreatedAt})
	return nil
}

// handleRevokeToken revokes a token: DELETE /v1/tokens/{token_id}.
func (a *API) handleRevokeToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	only := c.Subject
	if c.rank >= roleRank(RoleAdmin) {
		only = ""
	}
	if err := a.store.revokeAPIToken(r.Context(), c.Tenant, r.PathValue("token_id"), only, c.Subject); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type settingsView struct {
	TenantSettings
	WebhookSecretSet bool `json:"webhook_secret_set"`
}

func viewSettings(st TenantSettings) settingsView {
	if st.Languages == nil {
		st.Languages = []string{}
	}
	return settingsView{TenantSettings: st, WebhookSecretSet: st.WebhookSecret != ""}
}

// handleSettings shows the tenant's settings, never the webhook secret:
// GET /v1/settings.
func (a *API) handleSettings(w http.ResponseWriter, r *http.Request, c *caller) error {
	st, err := a.store.TenantSettings(r.Context(), c.Tenant)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewSettings(st))
	return nil
}

// handleSetSettings changes some settings: PATCH /v1/settings with a JSON
// object of setting → value (null clears a setting back to its default).
func (a *API) handleSetSettings(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req map[string]any
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	change := map[string]string{}
	for k, v := range req {
		switch t := v.(type) {
		case nil:
			change[k] = ""
		case string:
			change[k] = t
		case float64:
			change[k] = strconv.FormatFloat(t, 'f', -1, 64)
		case []any:
			var parts []string
			for _, x := range t {
				s, ok := x.(string)
				if !ok {
					return invalidField(k, "must be a list of strings")
				}
				parts = append(parts, s)
			}
			change[k] = strings.Join(parts, ",")
		default:
			return invalidField(k, "has an unsupported type %T", v)
		}
	}
	st, err := a.store.setSettings(r.Context(), c.Tenant, c.Subject, change)
	if err != nil {
		return err
	}
	a.log.WithField("tenant", c.Tenant).WithField("moderator", c.Subject).Info("tenant settings changed")
	writeJSON(w, http.StatusOK, viewSettings(st))
	return nil
}

// handleEvents streams queue changes as server-sent events:
// GET /v1/queue/events. Each event is "event: <type>" (admitted, edited,
// claimed, released, decided, undone) with data
// {"type","comment_id","status","moderator"}, moderator being who claimed,
// released, decided or undid ("vigie:auto" for automatic decisions, absent
// for admissions and expired leases); a comment line every 15s keeps proxies
// from closing the stream.
func (a *API) handleEvents(w http.ResponseWriter, r *http.Request, c *caller) error {
	fl, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("response writer cannot flush")
	}
	ctx := r.Context()
	sub := a.store.rdb.Subscribe(ctx, eventsChannel(c.Tenant))
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		return fmt.Errorf("subscribing to queue events: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	ch := sub.Channel()
	beat := time.NewTicker(15 * time.Second)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case m, ok := <-ch:
			if !ok {
				return nil
			}
			kind := "change"
			if i := strings.Index(m.Payload, `"type":"`); i >= 0 {
				rest := m.Payload[i+8:]
				if j := strings.IndexByte(rest, '"'); j > 0 {
					kind = rest[:j]
				}
			}
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", kind, m.Payload)
		}
		fl.Flush()
	}
}
