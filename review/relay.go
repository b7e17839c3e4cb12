package review

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/metrics"
)

// RelayConfig configures a Relay. The zero value of every optional field
// picks the default named in its comment.
type RelayConfig struct {
	// Store is the review queue whose outboxes the relay drains. Required.
	Store *Store
	// Writer produces to the decisions topic; build it with
	// kafkaio.NewWriter (acks=all). Required.
	Writer *kafka.Writer
	// HTTPClient delivers webhooks. Default: a client with a 10s timeout
	// that does not follow redirects.
	HTTPClient *http.Client
	// Logger receives delivery failures. Default: the Store's logger.
	Logger *logrus.Entry
	// Now is the clock of webhook signatures and retry schedules. Default:
	// the Store's clock.
	Now func() time.Time
	// PollInterval is how often an idle relay looks for new entries.
	// Default 100ms.
	PollInterval time.Duration
	// BatchSize is the most outbox entries read at once. Default 500.
	BatchSize int
	// LockTTL is how long a relay holds a tenant's outbox after its last
	// renewal, so a crashed relay's tenants pass to another. Default 30s.
	LockTTL time.Duration
	// RetryBase is the wait before the first webhook retry; each retry
	// doubles it up to RetryMax. Defaults 10s and 1h.
	RetryBase, RetryMax time.Duration
	// RetryBudget is how many attempts a webhook delivery gets before it is
	// dead-lettered. Default 12 (about 10 hours with the default backoff).
	RetryBudget int
	// DeadRetention is how long dead-lettered deliveries are kept. Default 30
	// days.
	DeadRetention time.Duration
}

// Relay drains every tenant's outbox: each decision goes to the decisions
// topic (at least once, in outbox order per tenant) and, for tenants with a
// webhook URL, to a signed webhook with retries. A Kafka outage delays
// decisions but loses none: an entry leaves the outbox only after Kafka
// acknowledged it and the webhook side has taken it. Several relays may run
// at once; a per-tenant lease keeps one of them on each tenant.
type Relay struct {
	cfg   RelayConfig
	store *Store
	log   *logrus.Entry
	owner string
}

// NewRelay returns a Relay; Run starts it.
func NewRelay(cfg RelayConfig) *Relay {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = cfg.Store.opts.Logger
	}
	if cfg.Now == nil {
		cfg.Now = cfg.Store.opts.Now
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 100 * time.Millisecond
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 500
	}
	if cfg.LockTTL == 0 {
		cfg.LockTTL = 30 * time.Second
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 10 * time.Second
	}
	if cfg.RetryMax == 0 {
		cfg.RetryMax = time.Hour
	}
	if cfg.RetryBudget == 0 {
		cfg.RetryBudget = 12
	}
	if cfg.DeadRetention == 0 {
		cfg.DeadRetention = 30 * 24 * time.Hour
	}
	return &Relay{cfg: cfg, store: cfg.Store, log: cfg.Logger, owner: randomHex(12)}
}

// Run drains outboxes until ctx is done, then returns nil. Failures (Kafka
// or Redis down, webhook errors) are logged and retried; they never stop it.
func (r *Relay) Run(ctx context.Context) error {
	if r.cfg.Writer == nil {
		return errors.New("review: RelayConfig.Writer is required")
	}
	t := time.NewTicker(r.cfg.PollInterval)
	defer t.Stop()
	for {
		if _, err := r.DrainOnce(ctx); err != nil && ctx.Err() == nil {
			r.log.WithError(err).Warn("draining decision outboxes")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// DrainOnce makes one pass over every tenant and reports how many decisions
// it published to Kafka. Run calls it in a loop; tests and tools may call it
// directly.
func (r *Relay) DrainOnce(ctx context.Context) (int, error) {
	tenants, err := r.store.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	var firstErr error
	for _, t := range tenants {
		n, err := r.drainTenant(ctx, t)
		total += n
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("tenant %s: %w", t, err)
		}
	}
	return total, firstErr
}

// lockScript takes or renews a tenant's relay lease.
//
// KEYS[1] lock. ARGV[1] owner, [2] TTL ms.
//
// Result: 1 if the caller holds the lease now, 0 if another relay does.
var lockScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

func (r *Relay) drainTenant(ctx context.Context, tenant string) (int, error) {
	rdb := r.store.rdb
	held, err := lockScript.Run(ctx, rdb, []string{outboxLockKey(tenant)}, r.owner, r.cfg.LockTTL.Milliseconds()).Int()
	if err != nil {
		return 0, fmt.Errorf("taking outbox lease: %w", err)
	}
	if held == 0 {
		return 0, nil
	}
	// Kafka and the webhook are drained independently: an outage of one
	// delays only its own deliveries.
	published := 0
	var kafkaErr error
	for {
		n, err := r.drainKafka(ctx, tenant)
		published += n
		if err != nil {
			kafkaErr = err
			break
		}
		if n < r.cfg.BatchSize {
			break
		}
	}
	hookErr := r.drainWebhook(ctx, tenant)
	if hookErr == nil {
		hookErr = r.retryWebhooks(ctx, tenant)
	}
	return published, errors.Join(kafkaErr, hookErr, r.trim(ctx, tenant))
}

// outboxEntries reads the entries after cursor.
func (r *Relay) outboxEntries(ctx context.Context, tenant, dest string) ([]redis.XMessage, error) {
	cur, err := r.store.rdb.HGet(ctx, outboxCursorKey(tenant), dest).Result()
	if errors.Is(err, redis.Nil) {
		cur = "0-0"
	} else if err != nil {
		return nil, fmt.Errorf("reading %s cursor: %w", dest, err)
	}
	msgs, err := r.store.rdb.XRangeN(ctx, outboxKey(tenant), "("+cur, "+", int64(r.cfg.BatchSize)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading outbox: %w", err)
	}
	return msgs, nil
}

func (r *Relay) setCursor(ctx context.Context, tenant, dest, id string) error {
	if err := r.store.rdb.HSet(ctx, outboxCursorKey(tenant), dest, id).Err(); err != nil {
		return fmt.Errorf("moving %s cursor: %w", dest, err)
	}
	return nil
}

func field(m redis.XMessage, name string) string {
	s, _ := m.Values[name].(string)
	return s
}

// drainKafka publishes one batch to Kafka and moves the cursor past it only
// once Kafka acknowledged every record. A crash in between republishes the
// batch: receivers drop duplicates by event_id.
func (r *Relay) drainKafka(ctx context.Context, tenant string) (int, error) {
	msgs, err := r.outboxEntries(ctx, tenant, "kafka")
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	recs := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		recs[i] = kafka.Message{Key: []byte(field(m, "key")), Value: []byte(field(m, "decision"))}
	}
	if err := r.cfg.Writer.WriteMessages(ctx, recs...); err != nil {
		return 0, fmt.Errorf("publishing %d decisions to Kafka: %w", len(recs), err)
	}
	for _, rec := range recs {
		var d struct {
			Decision string `json:"decision"`
		}
		if json.Unmarshal(rec.Value, &d) == nil && d.Decision != "" {
			metrics.Decisions.WithLabelValues(tenant, d.Decision).Inc()
		}
	}
	return len(msgs), r.setCursor(ctx, tenant, "kafka", msgs[len(msgs)-1].ID)
}

// trim deletes the outbox entries every destination has taken.
func (r *Relay) trim(ctx context.Context, tenant string) error {
	cur, err := r.store.rdb.HMGet(ctx, outboxCursorKey(tenant), "kafka", "webhook").Result()
	if err != nil {
		return fmt.Errorf("reading cursors: %w", err)
	}
	k, _ := cur[0].(string)
	w, _ := cur[1].(string)
	if k == "" || w == "" {
		return nil
	}
	minID := k
	if streamIDLess(w, k) {
		minID = w
	}
	// MINID keeps entries >= minID, so the last delivered entry stays until
	// the next one passes it: harmless, and it keeps XTRIM exact.
	if err := r.store.rdb.XTrimMinID(ctx, outboxKey(tenant), minID).Err(); err != nil {
		return fmt.Errorf("trimming outbox: %w", err)
	}
	return nil
}

// streamIDLess compares two stream ids "ms-seq".
func streamIDLess(a, b string) bool {
	am, as, _ := strings.Cut(a, "-")
	bm, bs, _ := strings.Cut(b, "-")
	ami, _ := strconv.ParseUint(am, 10, 64)
	bmi, _ := strconv.ParseUint(bm, 10, 64)
	if ami != bmi {
		return ami < bmi
	}
	asi, _ := strconv.ParseUint(as, 10, 64)
	bsi, _ := strconv.ParseUint(bs, 10, 64)
	return asi < bsi
}

// SignatureHeader is the header that carries a webhook's signature:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>".
const SignatureHeader = "Vigie-Signature"

// Sign returns the SignatureHeader value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a SignatureHeader value against body: one of its v1
// signatures must match and its timestamp must be within tolerance of now.
// It is the receiver's side of Sign, documented in docs/review.md.
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errors.New("malformed signature header")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("signature timestamp outside the tolerance")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no matching signature")
}

// deliver POSTs one decision to the tenant's webhook and counts the outcome.
func (r *Relay) deliver(ctx context.Context, tenant string, st TenantSettings, eventID string, body []byte) error {
	err := r.post(ctx, st, eventID, body)
	outcome := "delivered"
	if err != nil {
		outcome = "failed"
	}
	metrics.WebhookDeliveries.WithLabelValues(tenant, outcome).Inc()
	return err
}

// post sends one signed webhook request.
func (r *Relay) post(ctx context.Context, st TenantSettings, eventID string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, st.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigie-webhook/1")
	req.Header.Set("Vigie-Event-Id", eventID)
	req.Header.Set(SignatureHeader, Sign(st.WebhookSecret, r.cfg.Now(), body))
	resp, err := r.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("posting webhook: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// retryEntry is a failed webhook delivery waiting for its next attempt.
type retryEntry struct {
	Attempts  int    `json:"attempts"`
	Body      string `json:"body"`
	LastError string `json:"last_error"`
}

func (r *Relay) backoff(attempts int) time.Duration {
	d := r.cfg.RetryBase
	for i := 1; i < attempts && d < r.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, r.cfg.RetryMax)
}

// drainWebhook makes the first delivery attempt of new outbox entries. A
// failed one is scheduled for retry, so one slow receiver does not hold the
// others back; without a webhook URL the entries are passed over.
func (r *Relay) drainWebhook(ctx context.Context, tenant string) error {
	msgs, err := r.outboxEntries(ctx, tenant, "webhook")
	if err != nil || len(msgs) == 0 {
		return err
	}
	st, err := r.store.TenantSettings(ctx, tenant)
	if err != nil {
		return err
	}
	if st.WebhookURL != "" {
		for _, m := range msgs {
			body := []byte(field(m, "decision"))
			var d struct {
				EventID string `json:"event_id"`
			}
			_ = json.Unmarshal(body, &d)
			if err := r.deliver(ctx, tenant, st, d.EventID, body); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				r.log.WithField("tenant", tenant).WithField("event_id", d.EventID).WithError(err).Info("webhook delivery failed; will retry")
				if err := r.scheduleRetry(ctx, tenant, d.EventID, retryEntry{Attempts: 1, Body: string(body), LastError: err.Error()}); err != nil {
					return err
				}
			}
		}
	}
	return r.setCursor(ctx, tenant, "webhook", msgs[len(msgs)-1].ID)
}

func (r *Relay) scheduleRetry(ctx context.Context, tenant, eventID string, e retryEntry) error {
	next := r.cfg.Now().Add(r.backoff(e.Attempts))
	_, err := r.store.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, webhookBodyKey(tenant), eventID, mustJSON(e))
		p.ZAdd(ctx, webhookRetryKey(tenant), redis.Z{Score: float64(ms(next)), Member: eventID})
		return nil
	})
	if err != nil {
		return fmt.Errorf("scheduling webhook retry: %w", err)
	}
	return nil
}

// retryWebhooks makes the attempts that are due; a delivery out of budget
// goes to the dead-letter stream.
func (r *Relay) retryWebhooks(ctx context.Context, tenant string) error {
	rdb := r.store.rdb
	due, err := rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
		Key: webhookRetryKey(tenant), Start: "-inf", Stop: strconv.FormatInt(ms(r.cfg.Now()), 10),
		ByScore: true, Count: 100,
	}).Result()
	if err != nil || len(due) == 0 {
		return err
	}
	st, err := r.store.TenantSettings(ctx, tenant)
	if err != nil {
		return err
	}
	for _, id := range due {
		raw, err := rdb.HGet(ctx, webhookBodyKey(tenant), id).Result()
		if errors.Is(err, redis.Nil) {
			rdb.ZRem(ctx, webhookRetryKey(tenant), id)
			continue
		}
		if err != nil {
			return fmt.Errorf("reading webhook retry: %w", err)
		}
		var e retryEntry
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return fmt.Errorf("decoding webhook retry: %w", err)
		}
		err = errors.New("the tenant has no webhook URL any more")
		if st.WebhookURL != "" {
			err = r.deliver(ctx, tenant, st, id, []byte(e.Body))
		}
		if err == nil {
			_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.ZRem(ctx, webhookRetryKey(tenant), id)
				p.HDel(ctx, webhookBodyKey(tenant), id)
				return nil
			})
			if err != nil {
				return fmt.Errorf("clearing webhook retry: %w", err)
			}
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e.Attempts++
		e.LastError = err.Error()
		if e.Attempts < r.cfg.RetryBudget {
			if err := r.scheduleRetry(ctx, tenant, id, e); err != nil {
				return err
			}
			continue
		}
		r.log.WithField("tenant", tenant).WithField("event_id", id).WithField("attempts", e.Attempts).
			Warn("webhook delivery dead-lettered after its retry budget")
		metrics.WebhookDeliveries.WithLabelValues(tenant, "dead").Inc()
		minID := strconv.FormatInt(time.Now().Add(-r.cfg.DeadRetention).UnixMilli(), 10)
		_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.XAdd(ctx, &redis.XAddArgs{
				Stream: webhookDeadKey(tenant), MinID: minID, Approx: true,
				Values: []any{"event_id", id, "body", e.Body, "attempts", e.Attempts, "last_error", e.LastError},
			})
			p.ZRem(ctx, webhookRetryKey(tenant), id)
			p.HDel(ctx, webhookBodyKey(tenant), id)
			return nil
		})
		if err != nil {
			return fmt.Errorf("dead-lettering webhook delivery: %w", err)
		}
	}
	return nil
}
