package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/sirupsen/logrus"
)

// Topics names the four topics of the pipeline.
type Topics struct {
	// Comments carries submitted comments. Default "comments".
	Comments string
	// Verdicts carries one verdict per comment. Default "comments.verdicts".
	Verdicts string
	// Decisions carries moderator decisions. Default "comments.decisions".
	Decisions string
	// DLQ carries records the classifier could not decode. Default "comments.dlq".
	DLQ string
}

// DefaultTopics returns the topic names of DESIGN.md.
func DefaultTopics() Topics {
	return Topics{Comments: "comments", Verdicts: "comments.verdicts", Decisions: "comments.decisions", DLQ: "comments.dlq"}
}

// All lists the topic names.
func (t Topics) All() []string { return []string{t.Comments, t.Verdicts, t.Decisions, t.DLQ} }

// WriterConfig tunes a Writer. The zero value of every field picks the
// default named in its comment.
type WriterConfig struct {
	// BatchTimeout bounds how long a record waits for companions before its
	// batch is sent. Default 2ms: kafka-go's own default of 1s would add a
	// second to every synchronous write.
	BatchTimeout time.Duration
	// BatchSize is the most records sent in one batch. Default 500.
	BatchSize int
	// WriteTimeout bounds one produce request. Default 10s.
	WriteTimeout time.Duration
	// MaxAttempts is how many times a batch is tried. Default 5.
	MaxAttempts int
	// Uncompressed turns snappy compression off. Default false. A writer
	// whose batches hold one or two records, like the synchronous check's,
	// gains nothing from compression and pays its buffers per batch.
	Uncompressed bool
}

// NewWriter returns a synchronous writer to topic that waits for every
// in-sync replica (acks=all), partitions by the murmur2 hash of the key like
// the Java client, so a publisher producing directly lands one author on the
// same partition as Vigie's ingest does, and never creates topics.
func NewWriter(brokers []string, topic string, cfg WriterConfig, log *logrus.Entry) *kafka.Writer {
	if cfg.BatchTimeout == 0 {
		cfg.BatchTimeout = 2 * time.Millisecond
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 500
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 5
	}
	w := &kafka.Writer{
		Addr:                   kafka.TCP(brokers...),
		Topic:                  topic,
		Balancer:               &kafka.Murmur2Balancer{},
		RequiredAcks:           kafka.RequireAll,
		Async:                  false,
		BatchTimeout:           cfg.BatchTimeout,
		BatchSize:              cfg.BatchSize,
		BatchBytes:             4 << 20,
		WriteTimeout:           cfg.WriteTimeout,
		ReadTimeout:            cfg.WriteTimeout,
		MaxAttempts:            cfg.MaxAttempts,
		WriteBackoffMin:        50 * time.Millisecond,
		WriteBackoffMax:        time.Second,
		Compression:            kafka.Snappy,
		AllowAutoTopicCreation: false,
	}
	if cfg.Uncompressed {
		w.Compression = 0
	}
	if log != nil {
		w.Logger = kafka.LoggerFunc(log.WithField("topic", topic).Debugf)
		w.ErrorLogger = kafka.LoggerFunc(log.WithField("topic", topic).Errorf)
	}
	return w
}

// ReaderConfig tunes a consumer-group reader.
type ReaderConfig struct {
	Brokers []string
	Topic   string
	GroupID string
	// MaxWait bounds how long a fetch waits for data. Default 250ms.
	MaxWait time.Duration
	// SessionTimeout is the group session timeout. Default 10s.
	SessionTimeout time.Duration
}

// NewReader returns a consumer-group reader that never commits on its own:
// the caller commits with CommitMessages after its sinks accepted the work,
// which is what makes delivery at-least-once. A new group starts from the
// earliest offset so nothing produced before the first start is skipped.
func NewReader(cfg ReaderConfig, log *logrus.Entry) *kafka.Reader {
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 250 * time.Millisecond
	}
	if cfg.SessionTimeout == 0 {
		cfg.SessionTimeout = 10 * time.Second
	}
	rc := kafka.ReaderConfig{
		Brokers:                cfg.Brokers,
		GroupID:                cfg.GroupID,
		Topic:                  cfg.Topic,
		MinBytes:               1,
		MaxBytes:               8 << 20,
		MaxWait:                cfg.MaxWait,
		ReadBatchTimeout:       cfg.MaxWait + 5*time.Second,
		QueueCapacity:          1000,
		CommitInterval:         0,
		StartOffset:            kafka.FirstOffset,
		HeartbeatInterval:      time.Second,
		SessionTimeout:         cfg.SessionTimeout,
		RebalanceTimeout:       cfg.SessionTimeout,
		JoinGroupBackoff:       500 * time.Millisecond,
		ReadBackoffMin:         10 * time.Millisecond,
		ReadBackoffMax:         250 * time.Millisecond,
		WatchPartitionChanges:  true,
		PartitionWatchInterval: 5 * time.Second,
	}
	if log != nil {
		rc.Logger = kafka.LoggerFunc(log.WithField("topic", cfg.Topic).Debugf)
		rc.ErrorLogger = kafka.LoggerFunc(log.WithField("topic", cfg.Topic).Errorf)
	}
	return kafka.NewReader(rc)
}

// TopicSpec describes a topic to create.
type TopicSpec struct {
	Name              string
	Partitions        int
	ReplicationFactor int
}

// EnsureTopics creates the topics that do not exist yet. A topic that already
// exists is left as it is, whatever its partition count.
func EnsureTopics(ctx context.Context, brokers []string, specs []TopicSpec) error {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 15 * time.Second}
	req := &kafka.CreateTopicsRequest{}
	for _, s := range specs {
		req.Topics = append(req.Topics, kafka.TopicConfig{
			Topic: s.Name, NumPartitions: s.Partitions, ReplicationFactor: s.ReplicationFactor,
		})
	}
	resp, err := c.CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("creating topics: %w", err)
	}
	for name, terr := range resp.Errors {
		if terr != nil && !errors.Is(terr, kafka.TopicAlreadyExists) {
			return fmt.Errorf("creating topic %q: %w", name, terr)
		}
	}
	return nil
}

// Ping asks the cluster for its metadata, which proves a broker answers.
func Ping(ctx context.Context, brokers []string) error {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second}
	if _, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{}}); err != nil {
		return fmt.Errorf("reading Kafka metadata: %w", err)
	}
	return nil
}

// GroupProgress is how far a consumer group has come on a topic: the sum of
// its committed offsets, and the records waiting after them.
type GroupProgress struct {
	Committed int64
	Lag       int64
}

// ReadGroupProgress asks the brokers for group's committed offsets on topic
// and the topic's first and last offsets. A partition the group never
// committed counts from its first offset (a new group starts there).
func ReadGroupProgress(ctx context.Context, brokers []string, group, topic string) (GroupProgress, error) {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return GroupProgress{}, err
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil {
		return GroupProgress{}, fmt.Errorf("metadata of %s: %v", topic, md.Topics)
	}
	var ids []int
	var reqs []kafka.OffsetRequest
	for _, p := range md.Topics[0].Partitions {
		ids = append(ids, p.ID)
		reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
	}
	offs, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return GroupProgress{}, err
	}
	cm, err := c.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: ids}})
	if err != nil {
		return GroupProgress{}, err
	}
	if cm.Error != nil {
		return GroupProgress{}, cm.Error
	}
	committed := map[int]int64{}
	for _, p := range cm.Topics[topic] {
		if p.Error != nil {
			return GroupProgress{}, p.Error
		}
		committed[p.Partition] = p.CommittedOffset
	}
	var g GroupProgress
	for _, p := range offs.Topics[topic] {
		if p.Error != nil {
			return GroupProgress{}, p.Error
		}
		start := p.FirstOffset
		if c, ok := committed[p.Partition]; ok && c >= 0 {
			start = max(c, p.FirstOffset)
			g.Committed += c
		}
		g.Lag += max(0, p.LastOffset-start)
	}
	return g, nil
}
