package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/metrics"
	"github.com/vigie-moderation/vigie/internal/problem"
)

// Check reports whether a dependency is usable; a non-nil error makes the
// role not ready.
type Check func(ctx context.Context) error

// Server is a role's HTTP server. Register routes on Mux before Run.
type Server struct {
	Mux    *http.ServeMux
	log    *logrus.Entry
	checks map[string]Check
	ready  atomic.Bool
	srv    *http.Server
	ln     net.Listener
}

// New returns a server with /healthz, /readyz and /metrics mounted. Readiness
// stays off until SetReady(true).
func New(log *logrus.Entry) *Server {
	s := &Server{Mux: http.NewServeMux(), log: log, checks: map[string]Check{}}
	s.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	s.Mux.HandleFunc("GET /readyz", s.readyz)
	s.Mux.Handle("GET /metrics", metrics.Handler())
	return s
}

// AddCheck adds a readiness check under name.
func (s *Server) AddCheck(name string, c Check) { s.checks[name] = c }

// SetReady turns readiness on or off.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		problem.Write(w, r, http.StatusServiceUnavailable, "not ready: starting or shutting down")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	for name, c := range s.checks {
		if err := c(ctx); err != nil {
			problem.Write(w, r, http.StatusServiceUnavailable, fmt.Sprintf("%s: %v", name, err))
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ready\n"))
}

// Listen binds addr, so callers learn a bad or busy address before starting
// any other work. It returns the bound address (useful with port 0).
func (s *Server) Listen(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listening on %s: %w", addr, err)
	}
	s.ln = ln
	return ln.Addr().String(), nil
}

// Run serves until ctx is done, then turns readiness off and lets in-flight
// requests finish within grace.
func (s *Server) Run(ctx context.Context, grace time.Duration) error {
	if s.ln == nil {
		return errors.New("serve: Listen was not called")
	}
	s.srv = &http.Server{
		Handler:           s.middleware(s.Mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving HTTP: %w", err)
	case <-ctx.Done():
	}
	s.SetReady(false)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down HTTP: %w", err)
	}
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush lets server-sent events through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// middleware records metrics per route pattern, recovers from panics with a
// 500 problem (logging the route, never the body) and sets security headers.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.WithField("route", r.Pattern).Errorf("panic serving request: %v", p)
				if rec.status == 0 {
					problem.Write(rec, r, http.StatusInternalServerError, "internal error")
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			metrics.HTTPRequests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
			metrics.HTTPDuration.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(rec, r)
	})
}
