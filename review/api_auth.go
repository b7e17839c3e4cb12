package review

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/vigie-moderation/vigie/internal/auth"
)

// authenticate resolves the request's credential: a bearer token (an API
// token "vgt.…" from Redis, else an operator token from APIConfig.Tokens) or,
// without an Authorization header, the session cookie.
func (a *API) authenticate(r *http.Request) (*caller, error) {
	ctx := r.Context()
	unauth := &Error{Code: Unauthenticated, Message: "missing or invalid credentials"}
	if tok := auth.BearerToken(r); tok != "" {
		var p auth.Principal
		var err error
		switch {
		case len(tok) > len(apiTokenPrefix) && tok[:len(apiTokenPrefix)] == apiTokenPrefix:
			p, err = a.store.lookupAPIToken(ctx, tok)
		case a.cfg.Tokens != nil:
			p, err = a.cfg.Tokens.Authenticate(ctx, tok)
			if err == nil && p.Role == RoleModerator {
				p.Role = a.cfg.StaticTokenRole
			}
		default:
			err = auth.ErrUnauthenticated
		}
		if errors.Is(err, auth.ErrUnauthenticated) {
			return nil, unauth
		}
		if err != nil {
			return nil, err
		}
		if !validTenant(p.Tenant) {
			return nil, unauth
		}
		return &caller{Principal: p, rank: roleRank(p.Role)}, nil
	}
	if r.Header.Get("Authorization") != "" {
		return nil, unauth
	}
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return nil, unauth
	}
	p, sess, csrf, err := a.store.lookupSession(ctx, ck.Value)
	if errors.Is(err, auth.ErrUnauthenticated) {
		return nil, unauth
	}
	if err != nil {
		return nil, err
	}
	return &caller{Principal: p, rank: roleRank(p.Role), session: sess, csrf: csrf}, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF protects cookie-authenticated writes: a cross-site request
// (Sec-Fetch-Site, or an Origin other than the request's host) is refused,
// and the X-CSRF-Token header must carry the session's token. Bearer-token
// requests need neither: browsers never attach those on their own.
func (a *API) checkCSRF(r *http.Request, c *caller) error {
	if c.session == "" || safeMethod(r.Method) {
		return nil
	}
	if crossSite(r) {
		return errorf(Forbidden, "cross-site request refused")
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(c.csrf)) != 1 {
		return errorf(Forbidden, "missing or wrong %s header", csrfHeader)
	}
	return nil
}

// crossSite reports whether the browser says the request comes from another
// site or origin.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return true
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return true
		}
	}
	return false
}

type loginRequest struct {
	Tenant   string `json:"tenant"`
	Login    string `json:"login"`
	Password string `json:"password"`
}

type sessionView struct {
	Tenant    string     `json:"tenant"`
	Login     string     `json:"login"`
	Role      string     `json:"role"`
	CSRFToken string     `json:"csrf_token,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// handleLogin opens a session: POST /v1/session.
func (a *API) handleLogin(w http.ResponseWriter, r *http.Request, _ *caller) error {
	if crossSite(r) {
		return errorf(Forbidden, "cross-site request refused")
	}
	var req loginRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		return err
	}
	cookie, csrf, m, err := a.store.login(r.Context(), req.Tenant, req.Login, req.Password)
	if err != nil {
		return err
	}
	exp := a.cfg.Now().Add(a.store.opts.SessionTTL).UTC()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: cookie, Path: "/", Expires: exp, MaxAge: int(a.store.opts.SessionTTL.Seconds()),
		HttpOnly: true, Secure: a.cfg.SecureCookies, SameSite: http.SameSiteStrictMode,
	})
	a.log.WithField("tenant", req.Tenant).WithField("login", req.Login).Info("moderator logged in")
	writeJSON(w, http.StatusOK, sessionView{Tenant: req.Tenant, Login: m.Login, Role: m.Role, CSRFToken: csrf, ExpiresAt: &exp})
	return nil
}

// handleSession describes the caller: GET /v1/session. A login session
// says when it expires; token callers have no expiry.
func (a *API) handleSession(w http.ResponseWriter, r *http.Request, c *caller) error {
	v := sessionView{Tenant: c.Tenant, Login: c.Subject, Role: c.Role, CSRFToken: c.csrf}
	if c.session != "" {
		exp, err := a.store.sessionExpiry(r.Context(), c.Tenant, c.session)
		if err != nil {
			return err
		}
		v.ExpiresAt = &exp
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// handleLogout closes the session: DELETE /v1/session.
func (a *API) handleLogout(w http.ResponseWriter, r *http.Request, c *caller) error {
	if c.session != "" {
		if err := a.store.logout(r.Context(), c.Tenant, c.session); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.cfg.SecureCookies, SameSite: http.SameSiteStrictMode,
	})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
