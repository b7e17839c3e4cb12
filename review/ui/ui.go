package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"golang.org/x/text/language"
)

//go:embed assets
var assetFS embed.FS

//go:embed shell.html
var shellSource string

// ContentSecurityPolicy is sent with every page and asset. Scripts, styles,
// fonts and connections are limited to the serving origin: the UI loads
// nothing from elsewhere and runs no inline script or style attribute.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Pages lists the paths, in ServeMux pattern syntax, at which Register serves
// the application shell. The client-side router renders the right view for
// each; deep links and reloads work on all of them.
var Pages = []string{
	"GET /{$}",
	"GET /login",
	"GET /stats",
	"GET /authors/{author_id}",
	"GET /admin/moderators",
	"GET /admin/settings",
}

// AssetPrefix is the path under which the embedded assets are served.
const AssetPrefix = "/ui/"

// Register mounts the web UI on mux: the application shell at each path of
// Pages and the embedded assets under AssetPrefix. None of them clashes
// with the moderator API (/v1/…) or with /healthz, /readyz and /metrics.
func Register(mux *http.ServeMux) {
	s := newServer()
	for _, p := range Pages {
		mux.HandleFunc(p, s.serveShell)
	}
	mux.HandleFunc("GET "+AssetPrefix+"{path...}", s.serveAsset)
}

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

type server struct {
	assets  map[string]asset
	shell   *template.Template
	version string
	langs   language.Matcher
}

// supported lists the interface languages, the first being the fallback.
var supported = []language.Tag{language.English, language.French}

func newServer() *server {
	s := &server{assets: map[string]asset{}, langs: language.NewMatcher(supported)}
	all := sha256.New()
	err := fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		all.Write(sum[:])
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".json":
			ct = "application/json"
		case ".svg":
			ct = "image/svg+xml"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		s.assets[strings.TrimPrefix(p, "assets/")] = asset{
			body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`,
		}
		return nil
	})
	if err != nil {
		// The assets are compiled into the binary: failing to read them is
		// a build defect, not a run-time condition.
		panic("ui: reading embedded assets: " + err.Error())
	}
	s.version = hex.EncodeToString(all.Sum(nil)[:6])
	s.shell = template.Must(template.New("shell").Parse(shellSource))
	return s
}

// securityHeaders sets the headers every response of the UI carries.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

// shellData is what the shell template needs: the language to start in (the
// browser's preference; the page may switch) and the asset version that
// busts caches when the binary changes.
type shellData struct {
	Lang    string
	Version string
}

func (s *server) serveShell(w http.ResponseWriter, r *http.Request) {
	tag, _ := language.MatchStrings(s.langs, r.Header.Get("Accept-Language"))
	base, _ := tag.Base()
	var buf bytes.Buffer
	if err := s.shell.Execute(&buf, shellData{Lang: base.String(), Version: s.version}); err != nil {
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	securityHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Language")
	_, _ = w.Write(buf.Bytes())
}

func (s *server) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets[r.PathValue("path")]
	h := w.Header()
	securityHeaders(h)
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	// Revalidate every time: the ETag makes that a cheap 304, and an
	// upgraded binary is picked up without a stale module graph.
	h.Set("Cache-Control", "no-cache")
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(a.body)
}
