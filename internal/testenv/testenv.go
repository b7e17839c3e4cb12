package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/redisio"
)

// Default service addresses, as started by scripts/services.sh.
const (
	DefaultKafka = "127.0.0.1:19092"
	DefaultRedis = "127.0.0.1:16379"
)

func needServices(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("needs a real %s; skipped because -short was given (make test runs it)", what)
	}
}

// KafkaBrokers returns the brokers of the test Kafka ($VIGIE_TEST_KAFKA,
// default 127.0.0.1:19092) after checking that they answer.
func KafkaBrokers(t testing.TB) []string {
	t.Helper()
	needServices(t, "Kafka")
	addr := os.Getenv("VIGIE_TEST_KAFKA")
	if addr == "" {
		addr = DefaultKafka
	}
	brokers := strings.Split(addr, ",")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := kafkaio.Ping(ctx, brokers); err != nil {
		t.Fatalf("Kafka at %s does not answer (%v): start it with `make services-up` or run `make test`", addr, err)
	}
	return brokers
}

// Embedded is the VIGIE_TEST_REDIS value that runs the Redis tests against
// the in-process Redis of `vigie dev` (miniredis) instead of redis-server:
// the same suite proves the queue's Lua scripts work in both.
const Embedded = "embedded"

var (
	embeddedOnce sync.Once
	embeddedAddr string
)

// embeddedRedis starts one in-process Redis for the test binary. Its clock
// follows the wall clock, as a real server's does, so TTLs expire.
func embeddedRedis(t testing.TB) string {
	embeddedOnce.Do(func() {
		m := miniredis.NewMiniRedis()
		if err := m.Start(); err != nil {
			t.Fatalf("starting the embedded Redis: %v", err)
		}
		embeddedAddr = m.Addr()
		go func() {
			for range time.Tick(50 * time.Millisecond) {
				m.SetTime(time.Now())
				m.FastForward(0)
			}
		}()
	})
	return embeddedAddr
}

func redisAddr(t testing.TB) string {
	switch addr := os.Getenv("VIGIE_TEST_REDIS"); addr {
	case "":
		return DefaultRedis
	case Embedded:
		return embeddedRedis(t)
	default:
		return addr
	}
}

// Redis returns a client of the test redis-server ($VIGIE_TEST_REDIS,
// default 127.0.0.1:16379, or Embedded), closed when the test ends.
func Redis(t testing.TB) *redis.Client {
	t.Helper()
	needServices(t, "Redis")
	addr := redisAddr(t)
	c, err := redisio.Open(context.Background(), addr)
	if err != nil {
		t.Fatalf("Redis at %s does not answer (%v): start it with `make services-up` or run `make test`", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// RedisAddr returns the address of the test redis-server after checking it answers.
func RedisAddr(t testing.TB) string {
	t.Helper()
	Redis(t)
	return redisAddr(t)
}

// Name returns prefix followed by a random suffix, for topics, groups and
// tenants that no other test uses.
func Name(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// Topics creates a fresh set of pipeline topics with the given partition
// count and deletes them when the test ends.
func Topics(t testing.TB, brokers []string, partitions int) kafkaio.Topics {
	t.Helper()
	base := Name("t")
	topics := kafkaio.Topics{
		Comments: base + ".comments", Verdicts: base + ".verdicts",
		Decisions: base + ".decisions", DLQ: base + ".dlq",
	}
	var specs []kafkaio.TopicSpec
	for _, name := range topics.All() {
		specs = append(specs, kafkaio.TopicSpec{Name: name, Partitions: partitions, ReplicationFactor: 1})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafkaio.EnsureTopics(ctx, brokers, specs); err != nil {
		t.Fatalf("creating test topics: %v", err)
	}
	// CreateTopics returns before every partition has a leader; wait until
	// each answers an offset request, so the test's first call does not
	// meet "Not Leader For Partition".
	for _, name := range topics.All() {
		for {
			if _, err := offsets(ctx, brokers, name); err == nil {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("topic %s has no leader for every partition after 30s", name)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Cleanup(func() {
		c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
		_, _ = c.DeleteTopics(context.Background(), &kafka.DeleteTopicsRequest{Topics: topics.All()})
	})
	return topics
}

// ReadAll consumes topic from the beginning (no consumer group) until want
// records were read or the timeout passes, and returns what it read.
func ReadAll(t testing.TB, brokers []string, topic string, want int, timeout time.Duration) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	meta, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil || len(meta.Topics) != 1 {
		t.Fatalf("reading metadata of %s: %v", topic, err)
	}
	out := make(chan kafka.Message, 1024)
	for _, p := range meta.Topics[0].Partitions {
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers: brokers, Topic: topic, Partition: p.ID, MinBytes: 1, MaxBytes: 8 << 20,
			MaxWait: 100 * time.Millisecond,
		})
		go func() {
			defer r.Close()
			for {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					return
				}
				select {
				case out <- m:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	var got []kafka.Message
	for len(got) < want {
		select {
		case m := <-out:
			got = append(got, m)
		case <-ctx.Done():
			return got
		}
	}
	return got
}

// Count returns how many records topic holds, summing every partition's
// last offset minus its first: an exact figure that needs no waiting.
func Count(t testing.TB, brokers []string, topic string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := offsets(ctx, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// offsets sums the records held by every partition of topic.
func offsets(ctx context.Context, brokers []string, topic string) (int64, error) {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	meta, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil || len(meta.Topics) != 1 {
		return 0, fmt.Errorf("reading metadata of %s: %v", topic, err)
	}
	if meta.Topics[0].Error != nil {
		return 0, fmt.Errorf("metadata of %s: %w", topic, meta.Topics[0].Error)
	}
	var reqs []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
	}
	resp, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return 0, fmt.Errorf("listing offsets of %s: %w", topic, err)
	}
	var n int64
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			return 0, fmt.Errorf("listing offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		n += po.LastOffset - po.FirstOffset
	}
	return n, nil
}

// Eventually polls cond every 20ms until it holds or timeout passes, then
// fails the test with msg. It waits for a condition, never a fixed time.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: "+msg, append([]any{timeout}, args...)...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Buffer collects output written by another goroutine or process — a role's
// banner, a child process's logs — for the test to read while it runs.
type Buffer struct {
	mu sync.Mutex
	b  []byte
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
