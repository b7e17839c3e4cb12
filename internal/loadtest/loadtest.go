package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/vigie-moderation/vigie/internal/bench"
)

// Config describes one load run. The zero value of every field but URL and
// Key picks the default named in its comment.
type Config struct {
	// URL is the base URL of the ingest role, e.g. http://127.0.0.1:8080.
	URL string
	// Key is a publisher API key.
	Key string
	// Path is the endpoint under load. Default "/v1/check".
	Path string
	// Rate is the requests per second sent, on a fixed schedule whatever
	// the answers' latency (open loop). Default 500.
	Rate float64
	// Duration is how long the measured part lasts. Default 30s.
	Duration time.Duration
	// Warmup runs at Rate before measuring, to open connections and warm
	// caches; its requests are not counted. Default 5s.
	Warmup time.Duration
	// Timeout bounds one request. Default 5s.
	Timeout time.Duration
	// Seed makes the comment mix reproducible. Default 1.
	Seed uint64
}

// Report is the outcome of a run.
type Report struct {
	Sent     int
	OK       int
	Failures map[string]int
	// Achieved is the rate requests were actually sent at.
	Achieved                 float64
	P50, P90, P99, P999, Max time.Duration
}

func (r Report) String() string {
	return fmt.Sprintf("sent %d at %.1f req/s, %d ok, failures %v\nlatency p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
		r.Sent, r.Achieved, r.OK, r.Failures, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.P999), ms(r.Max))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func (c *Config) defaults() error {
	if c.URL == "" || c.Key == "" {
		return errors.New("loadtest: URL and Key are required")
	}
	if c.Path == "" {
		c.Path = "/v1/check"
	}
	if c.Rate <= 0 {
		c.Rate = 500
	}
	if c.Duration <= 0 {
		c.Duration = 30 * time.Second
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	} else if c.Warmup == 0 {
		c.Warmup = 5 * time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return nil
}

// Run sends comments of the benchmark mix (internal/bench), each with a
// fresh id so none is an idempotent replay, at a fixed rate, and measures
// each request's latency from the moment it was due to be sent, so a slow
// answer that delays later requests counts against the server (no
// coordinated omission). It prints progress to out.
func Run(ctx context.Context, cfg Config, out io.Writer) (Report, error) {
	if err := cfg.defaults(); err != nil {
		return Report{}, err
	}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	warm := int(cfg.Warmup / interval)
	total := warm + int(cfg.Duration/interval)
	var run [4]byte
	_, _ = rand.Read(run[:])
	gen := bench.NewGenerator("loadtest", cfg.Seed)
	bodies := make([][]byte, total)
	for i := range bodies {
		c := gen.Next(time.Now())
		b, err := json.Marshal(map[string]any{
			"id": fmt.Sprintf("lt-%s-%d", hex.EncodeToString(run[:]), i), "thread_id": c.ThreadID,
			"thread_lang": c.ThreadLang, "author": map[string]any{"id": c.Author.ID}, "text": c.Text,
		})
		if err != nil {
			return Report{}, err
		}
		bodies[i] = b
	}
	tr := &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: cfg.Timeout}

	fmt.Fprintf(out, "loadtest: POST %s%s at %.0f req/s: %s warm-up, then %s measured (%d requests)\n",
		cfg.URL, cfg.Path, cfg.Rate, cfg.Warmup, cfg.Duration, total-warm)
	var (
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, total-warm)
		failures = map[string]int{}
		wg       sync.WaitGroup
	)
	start := time.Now()
	var measureStart time.Time
	sent := 0
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				wg.Wait()
				return Report{}, ctx.Err()
			}
		}
		if i == warm {
			measureStart = time.Now()
		}
		counted := i >= warm
		if counted {
			sent++
		}
		wg.Add(1)
		go func(body []byte) {
			defer wg.Done()
			outcome := send(ctx, hc, cfg, body)
			d := time.Since(due)
			if !counted {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if outcome != "" {
				failures[outcome]++
				return
			}
			lat = append(lat, d)
		}(bodies[i])
	}
	sendTime := time.Since(measureStart)
	wg.Wait()
	slices.Sort(lat)
	r := Report{Sent: sent, OK: len(lat), Failures: failures, Achieved: float64(sent) / sendTime.Seconds()}
	if len(lat) > 0 {
		q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		r.P50, r.P90, r.P99, r.P999, r.Max = q(0.50), q(0.90), q(0.99), q(0.999), lat[len(lat)-1]
	}
	fmt.Fprintln(out, r)
	return r, nil
}

// send posts one body and returns "" on a 2xx answer, else what failed.
func send(ctx context.Context, hc *http.Client, cfg Config, body []byte) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL+cfg.Path, bytes.NewReader(body))
	if err != nil {
		return "request"
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "transport"
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Sprint(resp.StatusCode)
	}
	return ""
}

// Main runs `vigie loadtest` with args (flags, each also read from a
// VIGIE_LOADTEST_* environment variable) and prints the report to out. It
// fails when a request failed or when --max-p99 is set and exceeded.
func Main(ctx context.Context, args []string, out io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("vigie loadtest", flag.ContinueOnError)
	env := func(name, def string) string {
		if v, ok := os.LookupEnv("VIGIE_LOADTEST_" + name); ok {
			return v
		}
		return def
	}
	fs.StringVar(&cfg.URL, "url", env("URL", "http://127.0.0.1:8080"), "base URL of the ingest role (env VIGIE_LOADTEST_URL)")
	fs.StringVar(&cfg.Key, "key", env("KEY", ""), "publisher API key (env VIGIE_LOADTEST_KEY)")
	fs.StringVar(&cfg.Path, "path", env("PATH", "/v1/check"), "endpoint to load (env VIGIE_LOADTEST_PATH)")
	fs.Float64Var(&cfg.Rate, "rate", 500, "requests per second, open loop")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "measured duration")
	fs.DurationVar(&cfg.Warmup, "warmup", 5*time.Second, "unmeasured warm-up at the same rate")
	fs.DurationVar(&cfg.Timeout, "timeout", 5*time.Second, "per-request timeout")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the comment mix")
	maxP99 := fs.Duration("max-p99", 0, "fail when p99 exceeds this (0: report only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r, err := Run(ctx, cfg, out)
	if err != nil {
		return err
	}
	if len(r.Failures) > 0 {
		return fmt.Errorf("%d requests failed: %v", r.Sent-r.OK, r.Failures)
	}
	if *maxP99 > 0 && r.P99 > *maxP99 {
		return fmt.Errorf("p99 %s exceeds %s", ms(r.P99), ms(*maxP99))
	}
	return nil
}
