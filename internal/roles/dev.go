package roles

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/sirupsen/logrus"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/config"
)

//go:embed samples/comments.jsonl
var sampleComments []byte

// DevCredentials are the demo tenant's credentials printed at start.
type DevCredentials struct {
	Tenant, PublisherKey, ModeratorToken string
}

// Dev runs every role in one process on one listener. Without Kafka brokers
// it starts an in-process Kafka-protocol broker, without a Redis address an
// in-process Redis; both keep everything in memory. banner receives the
// human-readable start message with the demo credentials.
func Dev(ctx context.Context, cfg config.Config, log *logrus.Entry, banner io.Writer, started Started) error {
	creds := DevCredentials{Tenant: cfg.DefaultTenant, PublisherKey: cfg.DevPublisher, ModeratorToken: cfg.DevModerator}
	if creds.PublisherKey == "" {
		creds.PublisherKey = "pub_" + randomToken()
	}
	if creds.ModeratorToken == "" {
		creds.ModeratorToken = "mod_" + randomToken()
	}
	var embedded []string
	if len(cfg.KafkaBrokers) == 0 {
		cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(0))
		if err != nil {
			return fmt.Errorf("starting the in-process Kafka broker: %w", err)
		}
		defer cluster.Close()
		cfg.KafkaBrokers = cluster.ListenAddrs()
		embedded = append(embedded, "Kafka")
	}
	if cfg.RedisAddr == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.Start(); err != nil {
			return fmt.Errorf("starting the in-process Redis: %w", err)
		}
		defer mr.Close()
		cfg.RedisAddr = mr.Addr()
		embedded = append(embedded, "Redis")
	}
	if len(embedded) > 0 {
		log.WithField("embedded", embedded).Warn("EMBEDDED MODE: in-process services keep everything in memory — nothing is durable, every comment, verdict and decision is lost when vigie dev stops; set VIGIE_KAFKA_BROKERS and VIGIE_REDIS_ADDR to use real ones")
	}

	publishers, err := auth.ParseSpec(cfg.PublisherKeys, "publisher")
	if err != nil {
		return err
	}
	publishers.Add(creds.PublisherKey, auth.Principal{Tenant: creds.Tenant, Subject: "dev-publisher", Role: "publisher"})
	moderators, err := auth.ParseSpec(cfg.ModeratorKeys, "moderator")
	if err != nil {
		return err
	}
	moderators.Add(creds.ModeratorToken, auth.Principal{Tenant: creds.Tenant, Subject: "dev-moderator", Role: "admin"})

	rt := newRuntime(ctx, cfg, log)
	if err := rt.listen(); err != nil {
		return rt.fail(err)
	}
	if err := rt.openKafka(ctx, cfg.Topics.All()...); err != nil {
		return rt.fail(err)
	}
	if err := rt.openRedis(ctx); err != nil {
		return rt.fail(err)
	}
	api, err := rt.addIngest(publishers)
	if err != nil {
		return rt.fail(err)
	}
	if err := rt.addClassify(); err != nil {
		return rt.fail(err)
	}
	if err := rt.addReview(moderators); err != nil {
		return rt.fail(err)
	}
	return rt.serve(func(addr string) {
		fmt.Fprintf(banner, "\nVigie dev is running on http://%s  (tenant %q)\n", addr, creds.Tenant)
		fmt.Fprintf(banner, "  publisher key:   %s\n  moderator token: %s\n", creds.PublisherKey, creds.ModeratorToken)
		fmt.Fprintf(banner, "  moderator UI:    http://%s/  (log in with the moderator token)\n\n", addr)
		if cfg.DevSamples {
			n, err := loadSamples(ctx, api, creds.Tenant)
			if err != nil {
				log.WithError(err).Warn("sample comments not loaded")
			} else {
				log.WithField("comments", n).Info("sample comments submitted")
			}
		}
		if started != nil {
			started(addr)
		}
	})
}

// loadSamples submits the embedded sample comments through the same path a
// publisher's submission takes.
func loadSamples(ctx context.Context, api *ingest.API, tenant string) (int, error) {
	now := time.Now().UTC()
	comments, line, err := ingest.ParseBatch(sampleComments, tenant, now)
	if err != nil {
		return 0, fmt.Errorf("sample line %d: %w", line, err)
	}
	for i, c := range comments {
		// Spread the samples over the last hour so the queue shows ages.
		c.CreatedAt = now.Add(-time.Duration(len(comments)-i) * 4 * time.Minute)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return len(comments), api.Publish(ctx, comments)
}

func randomToken() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
