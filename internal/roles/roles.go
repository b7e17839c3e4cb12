package roles

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/config"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/redisio"
	"github.com/vigie-moderation/vigie/internal/serve"
	"github.com/vigie-moderation/vigie/review"
	"github.com/vigie-moderation/vigie/review/ui"
)

// Started is called once a role listens and is ready, with its address.
// Tests use it to learn a port chosen by the system (listen on :0).
type Started func(addr string)

// runtime is what one process shares between the roles it runs.
type runtime struct {
	cfg     config.Config
	log     *logrus.Entry
	brokers []string
	rdb     *redis.Client
	srv     *serve.Server
	g       *group
	// after runs, in reverse order, once every role stopped: closing
	// writers only after their users finished.
	after []func()
	// openapi collects the OpenAPI documents of the mounted APIs.
	openapi [][]byte
	store   *review.Store
	addr    string
	// classifier is the one engine of the process, shared by the
	// synchronous check and the consumer so both decide alike.
	classifier *classify.Engine
}

func newRuntime(ctx context.Context, cfg config.Config, log *logrus.Entry) *runtime {
	return &runtime{cfg: cfg, log: log, srv: serve.New(log), g: newGroup(ctx)}
}

func (rt *runtime) openKafka(ctx context.Context, topics ...string) error {
	rt.brokers = rt.cfg.KafkaBrokers
	if err := kafkaio.Ping(ctx, rt.brokers); err != nil {
		return fmt.Errorf("connecting to Kafka %v: %w", rt.brokers, err)
	}
	var specs []kafkaio.TopicSpec
	for _, t := range topics {
		specs = append(specs, kafkaio.TopicSpec{Name: t, Partitions: rt.cfg.Partitions, ReplicationFactor: rt.cfg.Replication})
	}
	if err := kafkaio.EnsureTopics(ctx, rt.brokers, specs); err != nil {
		return err
	}
	rt.srv.AddCheck("kafka", func(ctx context.Context) error { return kafkaio.Ping(ctx, rt.brokers) })
	return nil
}

func (rt *runtime) openRedis(ctx context.Context) error {
	rdb, err := redisio.Open(ctx, rt.cfg.RedisAddr)
	if err != nil {
		return err
	}
	rt.rdb = rdb
	rt.after = append(rt.after, func() { _ = rdb.Close() })
	rt.srv.AddCheck("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
	rt.store = review.NewStore(rdb, review.StoreOptions{Tenants: rt.cfg.Tenants, Logger: rt.log})
	return nil
}

func (rt *runtime) writer(topic string, cfg kafkaio.WriterConfig) *kafka.Writer {
	w := kafkaio.NewWriter(rt.brokers, topic, cfg, rt.log)
	rt.after = append(rt.after, func() { _ = w.Close() })
	return w
}

// addIngest mounts the publisher API, with the synchronous check on the
// process's engine.
func (rt *runtime) addIngest(keys auth.Authenticator) (*ingest.API, error) {
	engine, err := rt.engine()
	if err != nil {
		return nil, err
	}
	api, err := ingest.New(ingest.Config{
		// The check answers on the publisher's submit path, after Kafka
		// acknowledged: a 50 µs batch wait (records that arrive while a
		// partition's produce request is in flight batch up anyway; a
		// 500 µs wait cost the lone record 0.7 ms at p50), and small
		// batches, since kafka-go allocates room for BatchSize records
		// per batch and most batches carry one record (500-record batches
		// made that the heaviest allocation of a check, and GC its p99).
		Producer: rt.writer(rt.cfg.Topics.Comments, kafkaio.WriterConfig{
			BatchTimeout: 50 * time.Microsecond, BatchSize: 8, Uncompressed: true,
		}),
		Auth:           keys,
		Redis:          rt.rdb,
		Classifier:     engine,
		Policies:       rt.policies,
		RateLimit:      ingest.RateLimit{Rate: rt.cfg.RateLimit, Burst: rt.cfg.RateBurst},
		IdempotencyTTL: rt.cfg.IdempotencyTTL,
		Feedback:       queueFeedback{rt.store},
		MaxBodyBytes:   rt.cfg.MaxBodyBytes,
		Log:            rt.log.WithField("role", "ingest"),
	})
	if err != nil {
		return nil, err
	}
	api.Register(rt.srv.Mux)
	rt.openapi = append(rt.openapi, ingest.OpenAPI())
	return api, nil
}

// queueFeedback applies the Akismet adapter's spam and ham reports to the
// review queue as decisions.
type queueFeedback struct{ store *review.Store }

func (q queueFeedback) PublisherFeedback(ctx context.Context, f ingest.Feedback) error {
	return q.store.PublisherFeedback(ctx, f.Tenant, f.CommentID, f.KeyID, f.Spam)
}

// engine loads the classifier once per process, with its spam signals in
// Redis, and follows the rule file when one is configured.
func (rt *runtime) engine() (*classify.Engine, error) {
	if rt.classifier != nil {
		return rt.classifier, nil
	}
	log := rt.log.WithField("component", "classifier")
	engine, err := classify.NewEngine(classify.EngineConfig{
		Languages: rt.cfg.Languages, RulesPath: rt.cfg.RulesPath, Logger: log,
		// Duplicate and velocity signals live in Redis, so every replica
		// sees what the others classified.
		Signals: classify.NewRedisSignals(rt.rdb),
	})
	if err != nil {
		return nil, fmt.Errorf("loading the classifier: %w", err)
	}
	if rt.cfg.RulesPath != "" {
		rt.g.Go(func(ctx context.Context) error {
			err := engine.WatchRules(ctx)
			if ctx.Err() != nil {
				return nil
			}
			return err
		})
	}
	rt.classifier = engine
	return engine, nil
}

// addClassify starts the consumer group on the comments topic.
func (rt *runtime) addClassify() error {
	log := rt.log.WithField("role", "classify")
	engine, err := rt.engine()
	if err != nil {
		return err
	}
	reader := kafkaio.NewReader(kafkaio.ReaderConfig{
		Brokers: rt.brokers, Topic: rt.cfg.Topics.Comments, GroupID: rt.cfg.ClassifyGroup,
	}, log)
	consumer, err := classify.NewConsumer(classify.ConsumerConfig{
		Fetcher:     reader,
		Verdicts:    rt.writer(rt.cfg.Topics.Verdicts, kafkaio.WriterConfig{}),
		DeadLetter:  rt.writer(rt.cfg.Topics.DLQ, kafkaio.WriterConfig{}),
		Classifier:  engine,
		Sink:        rt.store,
		Policies:    rt.policies,
		BatchSize:   rt.cfg.ClassifyBatch,
		Window:      rt.cfg.ClassifyWindow,
		Grace:       rt.cfg.ShutdownGrace,
		SourceTopic: rt.cfg.Topics.Comments,
		Log:         log,
	})
	if err != nil {
		return err
	}
	rt.g.Go(func(ctx context.Context) error { return observeReader(ctx, reader) })
	rt.g.Go(func(ctx context.Context) error {
		read := func(ctx context.Context) (kafkaio.GroupProgress, error) {
			return kafkaio.ReadGroupProgress(ctx, rt.brokers, rt.cfg.ClassifyGroup, rt.cfg.Topics.Comments)
		}
		return watchProgress(ctx, read, stallAfter, stallCheckEvery, log)
	})
	rt.g.Go(func(ctx context.Context) error {
		err := consumer.Run(ctx)
		// Closing the reader leaves the group at once, so the partitions
		// move to another replica without waiting for the session timeout.
		if cerr := reader.Close(); cerr != nil && err == nil && ctx.Err() == nil {
			err = fmt.Errorf("closing the comments reader: %w", cerr)
		}
		if err != nil {
			return fmt.Errorf("classify consumer: %w", err)
		}
		return nil
	})
	return nil
}

// policies adapts the tenant settings kept by the review queue into the
// classifier's policy.
func (rt *runtime) policies(ctx context.Context, tenant string) (classify.Policy, error) {
	s, err := rt.store.TenantSettings(ctx, tenant)
	if err != nil {
		return classify.Policy{}, err
	}
	return policyFromSettings(s), nil
}

// addReview mounts the moderator API and starts the outbox relay and the
// claim recoverer.
func (rt *runtime) addReview(tokens auth.Authenticator) error {
	log := rt.log.WithField("role", "review")
	api, err := review.NewAPI(review.APIConfig{
		Store: rt.store, Tokens: tokens, Logger: log,
		UndoWindow: rt.cfg.UndoWindow, SecureCookies: rt.cfg.SecureCookies,
	})
	if err != nil {
		return err
	}
	api.Register(rt.srv.Mux)
	ui.Register(rt.srv.Mux)
	rt.openapi = append(rt.openapi, review.OpenAPI())
	relay := review.NewRelay(review.RelayConfig{
		Store: rt.store, Writer: rt.writer(rt.cfg.Topics.Decisions, kafkaio.WriterConfig{}),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, Logger: log,
	})
	rt.g.Go(relay.Run)
	rt.g.Go(review.NewRecoverer(rt.store, 5*time.Second).Run)
	return nil
}

// listen binds the listener and serves at once, so /healthz answers while
// the roles load (the language models take a moment); /readyz stays off
// until serve.
func (rt *runtime) listen() error {
	addr, err := rt.srv.Listen(rt.cfg.Listen)
	if err != nil {
		return err
	}
	rt.addr = addr
	rt.g.Go(func(ctx context.Context) error { return rt.srv.Run(ctx, rt.cfg.ShutdownGrace) })
	return nil
}

// serve turns readiness on and waits until the group ends; then it runs the
// deferred closers.
func (rt *runtime) serve(started Started) error {
	rt.mountOpenAPI()
	rt.srv.SetReady(true)
	rt.log.WithField("listen", rt.addr).Info("ready")
	if started != nil {
		started(rt.addr)
	}
	stopping := make(chan time.Time, 1)
	go func() {
		<-rt.g.ctx.Done()
		t := time.Now()
		rt.log.Info("shutting down: readiness off, no new work, finishing what is in flight")
		stopping <- t
	}()
	err := rt.g.Wait()
	rt.close()
	entry := rt.log.WithField("took", time.Since(<-stopping).Round(time.Millisecond).String())
	if err != nil {
		entry = entry.WithError(err)
	}
	entry.Info("stopped")
	return err
}

func (rt *runtime) close() {
	for i := len(rt.after) - 1; i >= 0; i-- {
		rt.after[i]()
	}
}

// fail stops what was started and returns err.
func (rt *runtime) fail(err error) error {
	rt.g.cancel()
	_ = rt.g.Wait()
	rt.close()
	return err
}

// Ingest runs the ingest role.
func Ingest(ctx context.Context, cfg config.Config, log *logrus.Entry, started Started) error {
	keys, err := auth.ParseSpec(cfg.PublisherKeys, "publisher")
	if err != nil {
		return err
	}
	rt := newRuntime(ctx, cfg, log)
	if err := rt.listen(); err != nil {
		return rt.fail(err)
	}
	if err := rt.openKafka(ctx, cfg.Topics.Comments); err != nil {
		return rt.fail(err)
	}
	if err := rt.openRedis(ctx); err != nil {
		return rt.fail(err)
	}
	if _, err := rt.addIngest(keys); err != nil {
		return rt.fail(err)
	}
	return rt.serve(started)
}

// Classify runs the classify role.
func Classify(ctx context.Context, cfg config.Config, log *logrus.Entry, started Started) error {
	rt := newRuntime(ctx, cfg, log)
	if err := rt.listen(); err != nil {
		return rt.fail(err)
	}
	if err := rt.openKafka(ctx, cfg.Topics.Comments, cfg.Topics.Verdicts, cfg.Topics.DLQ); err != nil {
		return rt.fail(err)
	}
	if err := rt.openRedis(ctx); err != nil {
		return rt.fail(err)
	}
	if err := rt.addClassify(); err != nil {
		return rt.fail(err)
	}
	return rt.serve(started)
}

// Review runs the review role.
func Review(ctx context.Context, cfg config.Config, log *logrus.Entry, started Started) error {
	tokens, err := auth.ParseSpec(cfg.ModeratorKeys, "moderator")
	if err != nil {
		return err
	}
	rt := newRuntime(ctx, cfg, log)
	if err := rt.listen(); err != nil {
		return rt.fail(err)
	}
	if err := rt.openKafka(ctx, cfg.Topics.Decisions); err != nil {
		return rt.fail(err)
	}
	if err := rt.openRedis(ctx); err != nil {
		return rt.fail(err)
	}
	if err := rt.addReview(tokens); err != nil {
		return rt.fail(err)
	}
	return rt.serve(started)
}
