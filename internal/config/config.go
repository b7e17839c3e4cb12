package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
)

// Config holds every setting of every role. Each field's flag and
// environment variable are listed in Bind, the one place that names them.
type Config struct {
	Listen         string
	KafkaBrokers   []string
	RedisAddr      string
	Topics         kafkaio.Topics
	Partitions     int
	Replication    int
	ClassifyGroup  string
	PublisherKeys  string
	ModeratorKeys  string
	Languages      []string
	RulesPath      string
	LogLevel       string
	LogFormat      string
	ShutdownGrace  time.Duration
	ClassifyBatch  int
	SecureCookies  bool
	DevPublisher   string
	DevModerator   string
	DevSamples     bool
	UndoWindow     time.Duration
	DefaultTenant  string
	MaxBodyBytes   int64
	ClassifyWindow time.Duration
	Tenants        []string
	RateLimit      float64
	RateBurst      int
	IdempotencyTTL time.Duration
}

// setting is one configurable value: its flag name, environment variable,
// default and help text.
type setting struct {
	flag, env, def, help string
	set                  func(string) error
}

// Settings returns the table of settings bound to c, in documentation order.
// Bind and the README's configuration table both come from it.
func (c *Config) settings() []setting {
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	list := func(p *[]string) func(string) error {
		return func(v string) error {
			*p = nil
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					*p = append(*p, s)
				}
			}
			return nil
		}
	}
	num := func(p *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			*p = n
			return nil
		}
	}
	dur := func(p *time.Duration) func(string) error {
		return func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("%q is not a duration such as 30s or 5m", v)
			}
			*p = d
			return nil
		}
	}
	boolean := func(p *bool) func(string) error {
		return func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*p = b
			return nil
		}
	}
	return []setting{
		{"listen", "VIGIE_LISTEN", "127.0.0.1:8080", "HTTP listen address (API, UI, /healthz, /readyz, /metrics)", str(&c.Listen)},
		{"kafka-brokers", "VIGIE_KAFKA_BROKERS", "", "comma-separated Kafka bootstrap brokers; empty in `vigie dev` starts an in-process broker", list(&c.KafkaBrokers)},
		{"redis-addr", "VIGIE_REDIS_ADDR", "", "Redis host:port or redis:// URL; empty in `vigie dev` starts an in-process Redis", str(&c.RedisAddr)},
		{"topic-comments", "VIGIE_TOPIC_COMMENTS", "comments", "topic of submitted comments", str(&c.Topics.Comments)},
		{"topic-verdicts", "VIGIE_TOPIC_VERDICTS", "comments.verdicts", "topic of verdicts, one per comment", str(&c.Topics.Verdicts)},
		{"topic-decisions", "VIGIE_TOPIC_DECISIONS", "comments.decisions", "topic of moderator decisions", str(&c.Topics.Decisions)},
		{"topic-dlq", "VIGIE_TOPIC_DLQ", "comments.dlq", "dead-letter topic for records that cannot be decoded", str(&c.Topics.DLQ)},
		{"topic-partitions", "VIGIE_TOPIC_PARTITIONS", "6", "partitions of topics Vigie creates when they are missing", num(&c.Partitions)},
		{"topic-replication", "VIGIE_TOPIC_REPLICATION", "1", "replication factor of topics Vigie creates", num(&c.Replication)},
		{"classify-group", "VIGIE_CLASSIFY_GROUP", "vigie-classify", "consumer group of the classify role", str(&c.ClassifyGroup)},
		{"classify-batch", "VIGIE_CLASSIFY_BATCH", "500", "most comments classified and committed together", num(&c.ClassifyBatch)},
		{"classify-window", "VIGIE_CLASSIFY_WINDOW", "20ms", "how long the classifier waits to fill a batch", dur(&c.ClassifyWindow)},
		{"publisher-keys", "VIGIE_PUBLISHER_KEYS", "", "publisher API keys, comma-separated tenant:name:key entries (keys ≥16 characters)", str(&c.PublisherKeys)},
		{"moderator-tokens", "VIGIE_MODERATOR_TOKENS", "", "operator-issued moderator tokens, comma-separated tenant:moderator:token entries", str(&c.ModeratorKeys)},
		{"languages", "VIGIE_LANGUAGES", "fr,en,de,es,it,pt,nl", "languages the detector chooses from (ISO 639-1)", list(&c.Languages)},
		{"rules", "VIGIE_RULES", "", "rule file (YAML); empty uses the built-in rules", str(&c.RulesPath)},
		{"log-level", "VIGIE_LOG_LEVEL", "info", "debug, info, warn or error", str(&c.LogLevel)},
		{"log-format", "VIGIE_LOG_FORMAT", "text", "text or json", str(&c.LogFormat)},
		{"shutdown-grace", "VIGIE_SHUTDOWN_GRACE", "20s", "how long in-flight work may take after SIGTERM", dur(&c.ShutdownGrace)},
		{"secure-cookies", "VIGIE_SECURE_COOKIES", "false", "mark session cookies Secure (set when served over TLS)", boolean(&c.SecureCookies)},
		{"undo-window", "VIGIE_UNDO_WINDOW", "10m", "how long a moderator decision can be undone", dur(&c.UndoWindow)},
		{"max-body-bytes", "VIGIE_MAX_BODY_BYTES", "1048576", "largest publisher request body", func(v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			c.MaxBodyBytes = n
			return nil
		}},
		{"rate-limit", "VIGIE_RATE_LIMIT", "50", "ingest: requests per second a publisher key may make unless it has its own limit", func(v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", v)
			}
			c.RateLimit = f
			return nil
		}},
		{"rate-burst", "VIGIE_RATE_BURST", "100", "ingest: requests a publisher key may make at once above its rate", num(&c.RateBurst)},
		{"idempotency-ttl", "VIGIE_IDEMPOTENCY_TTL", "24h", "ingest: how long a comment id is remembered, so a resubmission writes nothing", dur(&c.IdempotencyTTL)},
		{"tenants", "VIGIE_TENANTS", "", "review: serve only these tenants' outboxes and claims (comma-separated); empty serves all", list(&c.Tenants)},
		{"dev-publisher-key", "VIGIE_DEV_PUBLISHER_KEY", "", "vigie dev: the demo tenant's publisher key (random when empty)", str(&c.DevPublisher)},
		{"dev-moderator-token", "VIGIE_DEV_MODERATOR_TOKEN", "", "vigie dev: the demo tenant's moderator token (random when empty)", str(&c.DevModerator)},
		{"dev-samples", "VIGIE_DEV_SAMPLES", "true", "vigie dev: submit the sample comments at start", boolean(&c.DevSamples)},
		{"dev-tenant", "VIGIE_DEV_TENANT", "demo", "vigie dev: the demo tenant's name", str(&c.DefaultTenant)},
	}
}

// Bind registers every setting on fs. A flag's default is its environment
// variable when set, so flags override the environment which overrides the
// built-in default. Bad environment values are reported by Load, naming the
// variable.
func (c *Config) Bind(fs *flag.FlagSet) error {
	for _, s := range c.settings() {
		def := s.def
		source := "default"
		if v, ok := os.LookupEnv(s.env); ok {
			def, source = v, s.env
		}
		if err := s.set(def); err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		set := s.set
		fs.Func(s.flag, fmt.Sprintf("%s (env %s, default %q)", s.help, s.env, s.def), set)
	}
	return nil
}

// Doc returns the settings as rows of flag, environment variable, default and
// description, for documentation.
func Doc() [][4]string {
	var c Config
	var rows [][4]string
	for _, s := range c.settings() {
		rows = append(rows, [4]string{"--" + s.flag, s.env, s.def, s.help})
	}
	return rows
}

// Role names which role a Config is validated for.
type Role string

// The roles of the vigie binary.
const (
	RoleIngest   Role = "ingest"
	RoleClassify Role = "classify"
	RoleReview   Role = "review"
	RoleDev      Role = "dev"
)

// Validate checks the settings role needs, returning an error that names the
// flag and environment variable at fault.
func (c *Config) Validate(role Role) error {
	var errs []error
	bad := func(flagName, msg string) {
		for _, s := range c.settings() {
			if s.flag == flagName {
				errs = append(errs, fmt.Errorf("--%s / %s: %s", s.flag, s.env, msg))
				return
			}
		}
		errs = append(errs, fmt.Errorf("--%s: %s", flagName, msg))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", fmt.Sprintf("%q is not host:port", c.Listen))
	}
	if role != RoleDev {
		if len(c.KafkaBrokers) == 0 {
			bad("kafka-brokers", "is required (host:port of at least one broker)")
		}
		if c.RedisAddr == "" {
			bad("redis-addr", "is required")
		}
	}
	for _, b := range c.KafkaBrokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			bad("kafka-brokers", fmt.Sprintf("%q is not host:port", b))
		}
	}
	for name, t := range map[string]string{"topic-comments": c.Topics.Comments, "topic-verdicts": c.Topics.Verdicts, "topic-decisions": c.Topics.Decisions, "topic-dlq": c.Topics.DLQ} {
		if !validTopic(t) {
			bad(name, fmt.Sprintf("%q is not a valid Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)", t))
		}
	}
	if c.Partitions < 1 || c.Partitions > 1000 {
		bad("topic-partitions", "must be between 1 and 1000")
	}
	if c.Replication < 1 || c.Replication > 10 {
		bad("topic-replication", "must be between 1 and 10")
	}
	if c.ClassifyBatch < 1 || c.ClassifyBatch > 10000 {
		bad("classify-batch", "must be between 1 and 10000")
	}
	if c.ClassifyWindow <= 0 || c.ClassifyWindow > 10*time.Second {
		bad("classify-window", "must be between 1ms and 10s")
	}
	if len(c.Languages) < 1 {
		bad("languages", "needs at least one language")
	}
	for _, l := range c.Languages {
		if len(l) != 2 || strings.ToLower(l) != l {
			bad("languages", fmt.Sprintf("%q is not a lowercase two-letter ISO 639-1 code", l))
		}
	}
	if c.RulesPath != "" {
		if _, err := os.Stat(c.RulesPath); err != nil {
			bad("rules", fmt.Sprintf("cannot read rule file: %v", err))
		}
	}
	if c.ShutdownGrace < time.Second || c.ShutdownGrace > 5*time.Minute {
		bad("shutdown-grace", "must be between 1s and 5m")
	}
	if c.UndoWindow < 0 {
		bad("undo-window", "must not be negative")
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 64<<20 {
		bad("max-body-bytes", "must be between 1024 and 67108864")
	}
	if _, err := auth.ParseSpec(c.PublisherKeys, "publisher"); err != nil {
		bad("publisher-keys", err.Error())
	}
	if _, err := auth.ParseSpec(c.ModeratorKeys, "moderator"); err != nil {
		bad("moderator-tokens", err.Error())
	}
	if c.RateLimit <= 0 || c.RateLimit > 1e6 {
		bad("rate-limit", "must be above 0 and at most 1000000")
	}
	if c.RateBurst < 1 || c.RateBurst > 1e6 {
		bad("rate-burst", "must be between 1 and 1000000")
	}
	if c.IdempotencyTTL < time.Minute || c.IdempotencyTTL > 30*24*time.Hour {
		bad("idempotency-ttl", "must be between 1m and 720h")
	}
	if role == RoleDev {
		for flagName, v := range map[string]string{"dev-publisher-key": c.DevPublisher, "dev-moderator-token": c.DevModerator} {
			if v != "" && len(v) < 16 {
				bad(flagName, "must be at least 16 characters")
			}
		}
	}
	return errors.Join(errs...)
}

func validTopic(t string) bool {
	if t == "" || len(t) > 249 || t == "." || t == ".." {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
