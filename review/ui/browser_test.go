package ui_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromiumPath finds Debian's chromium ($VIGIE_CHROMIUM overrides). The
// test command (scripts/services.sh up) installs it when it is missing.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("drives chromium; skipped because -short was given (make test runs it)")
	}
	if p := os.Getenv("VIGIE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: run `make services-up` (it installs Debian's chromium) or set VIGIE_CHROMIUM")
	return ""
}

// browser is one headless chromium tab and the page problems it reported.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

// newBrowser starts chromium with a fresh profile, a 1440×900 window and an
// English locale; it is closed when the test ends or after timeout.
func newBrowser(t *testing.T, timeout time.Duration) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US,en"),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	base, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	b := &browser{t: t, ctx: ctx}
	// Console starts the browser and subscribes before any page loads.
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// Failed requests (a 401 after the session ended, a 404 the
			// test asks for) are the browser's network log, not the page's
			// problems.
			if m.Source == "network" {
				continue
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				b.problem("%s", m.String())
			}
		}
	}()
	b.do("sizing the viewport", chromedp.EmulateViewport(1440, 900))
	return b
}

func (b *browser) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// noProblems fails the test if the page threw or logged an error or a
// warning (a missing translation is a warning).
func (b *browser) noProblems() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	require.Empty(b.t, b.problems, "the page reported problems")
}

// do runs chromedp actions and fails the test on error, naming the step.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// eval evaluates a JavaScript expression, awaiting a promise, and decodes
// its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitJS polls a JavaScript condition until it is true or the deadline of
// within passes. It waits for a state, never for a fixed time.
func (b *browser) waitJS(what, cond string, within time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!(`+cond+`)`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			state, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify({app: document.getElementById('app')?.dataset, item: document.getElementById('item')?.dataset, count: document.getElementById('list-count')?.textContent, toasts: [...document.querySelectorAll('.toast-msg')].map(e => e.textContent), url: location.href})`))
			b.t.Fatalf("waiting for %s (%s): not true after %s (err %v); page: %s", what, cond, within, err, state)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// key presses keys one after the other, as a moderator's keyboard would.
func (b *browser) key(k string) {
	b.t.Helper()
	b.do("pressing "+k, chromedp.KeyEvent(k))
}

// hover moves the mouse over the centre of the element the JavaScript
// expression el returns.
func (b *browser) hover(what, el string) {
	b.t.Helper()
	box := eval[[]float64](b, `(() => { const r = (`+el+`).getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
	b.do("hovering "+what, chromedp.MouseEvent(chromedp.MouseMoved, box[0], box[1]))
}

// screenshot saves the viewport as a PNG under dir.
func (b *browser) screenshot(dir, name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	require.NoError(b.t, err, "screenshot "+name)
	require.NoError(b.t, os.MkdirAll(dir, 0o755))
	p := filepath.Join(dir, name)
	require.NoError(b.t, os.WriteFile(p, png, 0o644))
	b.t.Logf("screenshot: %s", p)
	return p
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}

// artifactsDir is test-artifacts/ at the repository root.
func artifactsDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "test-artifacts")
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("no go.mod above %s", wd)
		}
	}
}
