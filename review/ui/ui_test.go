package ui_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/review"
	"github.com/vigie-moderation/vigie/review/ui"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	ui.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func TestPagesServeTheShellWithSecurityHeaders(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, path := range []string{"/", "/login", "/stats", "/authors/some%2Fauthor", "/admin/moderators", "/admin/settings"} {
		resp, body := get(t, srv.URL+path, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"), path)
		require.Equal(t, ui.ContentSecurityPolicy, resp.Header.Get("Content-Security-Policy"), path)
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'")
		require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
		require.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
		require.Contains(t, body, `<script type="module" src="/ui/js/main.js?v=`, path)
	}
}

func TestShellLanguageFollowsTheBrowser(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for accept, want := range map[string]string{
		"fr-CA,fr;q=0.9,en;q=0.5": "fr",
		"en-GB":                   "en",
		"de-DE,de;q=0.9":          "en",
		"":                        "en",
	} {
		_, body := get(t, srv.URL+"/", map[string]string{"Accept-Language": accept})
		require.Contains(t, body, `<html lang="`+want+`">`, "Accept-Language %q", accept)
	}
}

func TestShellRunsNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	_, body := get(t, srv.URL+"/", nil)
	for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
		require.Contains(t, m, ` src="/ui/`, "inline script %s", m)
	}
	require.NotContains(t, body, "style=")
	require.NotContains(t, body, "<style")
}

func TestAssetsAreServedWithTypesAndValidators(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for path, ctype := range map[string]string{
		"/ui/js/main.js":        "text/javascript; charset=utf-8",
		"/ui/css/app.css":       "text/css; charset=utf-8",
		"/ui/i18n/fr.json":      "application/json",
		"/ui/favicon.svg":       "image/svg+xml",
		"/ui/js/views/queue.js": "text/javascript; charset=utf-8",
	} {
		resp, body := get(t, srv.URL+path, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.Equal(t, ctype, resp.Header.Get("Content-Type"), path)
		require.NotEmpty(t, body, path)
		etag := resp.Header.Get("ETag")
		require.NotEmpty(t, etag, path)
		again, _ := get(t, srv.URL+path, map[string]string{"If-None-Match": etag})
		require.Equal(t, http.StatusNotModified, again.StatusCode, path)
	}
	for _, path := range []string{"/ui/nothing.js", "/ui/", "/ui/js/"} {
		resp, _ := get(t, srv.URL+path, nil)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

// TestRegisterLeavesTheAPIAlone mounts the UI next to the moderator API and
// the probes: a clash would panic, and /v1/ paths the API does not know must
// stay 404 rather than fall through to the UI.
func TestRegisterLeavesTheAPIAlone(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	api, err := review.NewAPI(review.APIConfig{Store: review.NewStore(nil, review.StoreOptions{})})
	require.NoError(t, err)
	api.Register(mux)
	ok := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }
	mux.HandleFunc("GET /healthz", ok)
	mux.HandleFunc("GET /readyz", ok)
	mux.HandleFunc("GET /metrics", ok)
	mux.HandleFunc("GET /v1/openapi.json", ok)
	require.NotPanics(t, func() { ui.Register(mux) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, path := range []string{"/v1/nothing", "/nothing", "/authors/a/b", "/ui"} {
		resp, _ := get(t, srv.URL+path, nil)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
	resp, _ := get(t, srv.URL+"/v1/session", nil)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the API still answers its own paths")
}

// assetFiles returns the text of every asset, by path under assets/.
func assetFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := "assets"
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, out)
	return out
}

// TestAssetsNameNoOutsideHost keeps the promise that the UI fetches nothing
// from another host: no absolute URL in any asset except XML namespaces,
// which browsers never fetch.
func TestAssetsNameNoOutsideHost(t *testing.T) {
	t.Parallel()
	url := regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9][a-z0-9.-]*\.[a-z]{2,}`)
	for path, text := range assetFiles(t) {
		for _, m := range url.FindAllString(text, -1) {
			require.Equal(t, "http://www.w3.org", m, "%s names an outside host: %s", path, m)
		}
		require.NotContains(t, text, "@import", path)
	}
}

// TestScriptsNeverParseHTML: comment text is shown with text nodes only.
func TestScriptsNeverParseHTML(t *testing.T) {
	t.Parallel()
	banned := []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute('style'"}
	for path, text := range assetFiles(t) {
		if !strings.HasSuffix(path, ".js") {
			continue
		}
		for _, b := range banned {
			if path == "js/dom.js" && b == "innerHTML" {
				// dom.js names innerHTML only to refuse it.
				require.Equal(t, 1, strings.Count(text, b))
				continue
			}
			require.NotContains(t, text, b, "%s uses %s", path, b)
		}
	}
}

func dictionary(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("assets", "i18n", lang+".json"))
	require.NoError(t, err)
	var d map[string]string
	require.NoError(t, json.Unmarshal(b, &d))
	return d
}

func TestDictionariesMatch(t *testing.T) {
	t.Parallel()
	en, fr := dictionary(t, "en"), dictionary(t, "fr")
	keys := func(d map[string]string) []string {
		var ks []string
		for k := range d {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	require.Equal(t, keys(en), keys(fr), "en.json and fr.json must have the same keys")
	ph := regexp.MustCompile(`\{\w+\}`)
	for k, v := range en {
		want := ph.FindAllString(v, -1)
		sort.Strings(want)
		got := ph.FindAllString(fr[k], -1)
		sort.Strings(got)
		if strings.HasSuffix(k, "_one") {
			// French may spell out "one" instead of {n}.
			continue
		}
		require.Equal(t, want, got, "placeholders of %q", k)
	}
}

// TestScriptKeysAreTranslated checks every literal key passed to t(…).
// Keys built at run time are covered by the browser test, which fails on a
// "missing translation" warning.
func TestScriptKeysAreTranslated(t *testing.T) {
	t.Parallel()
	en := dictionary(t, "en")
	call := regexp.MustCompile(`\bt\('([a-zA-Z0-9_.-]+)'`)
	plural := func(k string) bool { _, ok := en[k+"_other"]; return ok }
	n := 0
	for path, text := range assetFiles(t) {
		if !strings.HasSuffix(path, ".js") {
			continue
		}
		for _, m := range call.FindAllStringSubmatch(text, -1) {
			n++
			_, ok := en[m[1]]
			require.True(t, ok || plural(m[1]), "%s uses untranslated key %q", path, m[1])
		}
	}
	require.Greater(t, n, 100)
}
