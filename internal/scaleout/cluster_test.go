package scaleout

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/config"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/logging"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/redisio"
	"github.com/vigie-moderation/vigie/internal/roles"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

// clusterPartitions is the partition count of comments in the cluster
// test: a multiple of 2 and 3, so two and three workers share it evenly.
const clusterPartitions = 6

// cluster is the three-broker Kafka and the Redis of `services.sh
// cluster-up`, or nil when they are not configured.
func cluster(t *testing.T) (brokers []string, redisAddr string) {
	t.Helper()
	k, r := os.Getenv("VIGIE_TEST_CLUSTER_KAFKA"), os.Getenv("VIGIE_TEST_CLUSTER_REDIS")
	if k == "" || r == "" {
		t.Skip("needs the three-broker cluster of `scripts/services.sh cluster-up`; `make test-cluster` runs this test")
	}
	brokers = strings.Split(k, ",")
	require.Len(t, brokers, 3, "VIGIE_TEST_CLUSTER_KAFKA lists the three brokers")
	ctx, cancel := context.WithTimeout(context.Background(), 70*time.Second)
	defer cancel()
	require.NoError(t, kafkaio.Ping(ctx, brokers))
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second}
	testenv.Eventually(t, 60*time.Second, func() bool {
		md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{}})
		return err == nil && len(md.Brokers) == 3
	}, "the cluster does not list three live brokers")
	return brokers, r
}

// clusterTopics creates a fresh set of pipeline topics at replication 3
// with min.insync.replicas 2 and checks the cluster applied both.
func clusterTopics(t *testing.T, brokers []string) kafkaio.Topics {
	t.Helper()
	base := testenv.Name("scale")
	topics := kafkaio.Topics{Comments: base + ".comments", Verdicts: base + ".verdicts", Decisions: base + ".decisions", DLQ: base + ".dlq"}
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 20 * time.Second}
	req := &kafka.CreateTopicsRequest{}
	for _, name := range topics.All() {
		req.Topics = append(req.Topics, kafka.TopicConfig{
			Topic: name, NumPartitions: clusterPartitions, ReplicationFactor: 3,
			ConfigEntries: []kafka.ConfigEntry{{ConfigName: "min.insync.replicas", ConfigValue: "2"}},
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := c.CreateTopics(ctx, req)
	require.NoError(t, err)
	for name, err := range resp.Errors {
		require.NoError(t, err, "creating %s", name)
	}
	testenv.Eventually(t, 30*time.Second, func() bool {
		md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topics.Comments}})
		if err != nil || len(md.Topics) != 1 || len(md.Topics[0].Partitions) != clusterPartitions {
			return false
		}
		for _, p := range md.Topics[0].Partitions {
			if len(p.Replicas) != 3 || len(p.Isr) != 3 {
				return false
			}
		}
		return true
	}, "comments never had %d partitions with 3 in-sync replicas each", clusterPartitions)
	testenv.Eventually(t, 30*time.Second, func() bool {
		cfg, err := c.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: topics.Comments, ConfigNames: []string{"min.insync.replicas"},
		}}})
		return err == nil && len(cfg.Resources) == 1 && len(cfg.Resources[0].ConfigEntries) == 1 &&
			cfg.Resources[0].ConfigEntries[0].ConfigValue == "2"
	}, "comments does not report min.insync.replicas=2")
	return topics
}

// Figures are what the cluster test measured, written as JSON next to the
// test log for docs/scale-out.md.
type Figures struct {
	Partitions int           `json:"partitions"`
	Comments   int           `json:"comments_per_run"`
	Runs       []RunFigures  `json:"throughput"`
	Faults     FaultFigures  `json:"faults"`
	Machine    string        `json:"machine"`
	Took       time.Duration `json:"took_ns"`
}

// RunFigures is one throughput run with a fixed number of workers.
type RunFigures struct {
	Workers         int       `json:"workers"`
	PerSecond       float64   `json:"comments_per_second"`
	Seconds         float64   `json:"seconds"`
	JoinRebalanceMS int64     `json:"join_rebalance_ms,omitempty"`
	CPUSeconds      []float64 `json:"cpu_seconds"`
	BrokerCPU       float64   `json:"broker_cpu_seconds"`
	// StageMS is the mean time per batch of each classify stage, over all
	// workers; Batches how many batches they handled.
	StageMS      map[string]float64 `json:"stage_ms_per_batch"`
	Batches      int                `json:"batches"`
	FlaggedShare float64            `json:"flagged_share"`
	PeakRSSMiB   []float64          `json:"peak_rss_mib"`
	ShutdownMS   []int64            `json:"sigterm_exit_ms"`
}

// FaultFigures is the run that kills a classify process and a broker.
type FaultFigures struct {
	Produced           int     `json:"produced"`
	Acknowledged       int     `json:"acknowledged"`
	NotAcknowledged    int     `json:"not_acknowledged"`
	Lost               int     `json:"lost"`
	QueueItems         int     `json:"queue_items"`
	QueueDuplicates    int     `json:"queue_duplicates"`
	Redelivered        int     `json:"redelivered_verdicts"`
	KillRebalanceMS    int64   `json:"sigkill_rebalance_ms"`
	KilledBroker       int     `json:"killed_broker"`
	BrokerStallMS      int64   `json:"broker_kill_longest_stall_ms"`
	DrainSeconds       float64 `json:"drain_seconds"`
	CommittedEqualsEnd bool    `json:"committed_equals_end"`
	CoordinatorKilled  bool    `json:"coordinator_killed"`
	// Restarts lists the workers that exited on their own during the run
	// (and were restarted, as Kubernetes would), with their last words.
	Restarts []string `json:"restarts"`
}

var figuresOut = flag.String("figures", "", "write the cluster test's figures as JSON to this file")

// TestScaleOut runs `vigie classify` processes in one consumer group on a
// three-broker cluster (comments at replication 3, min.insync.replicas 2):
// one, two, then three workers drain the same backlog size, for throughput
// and rebalance figures; then three workers consume a steady stream while
// one worker is SIGKILLed and the broker coordinating the group is
// SIGKILLed, and every comment Kafka acknowledged must end with a verdict
// and at most one review-queue item.
func TestScaleOut(t *testing.T) {
	brokers, redisAddr := cluster(t)
	started := time.Now()
	corpus := loadCorpus(t)
	const n = 20000
	figs := Figures{Partitions: clusterPartitions, Comments: n, Machine: machine()}

	for _, k := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("throughput-%d-workers", k), func(t *testing.T) {
			figs.Runs = append(figs.Runs, throughputRun(t, brokers, redisAddr, corpus, k, n))
		})
	}
	t.Run("faults", func(t *testing.T) {
		figs.Faults = faultRun(t, brokers, redisAddr, corpus)
	})
	figs.Took = time.Since(started)
	b, err := json.MarshalIndent(figs, "", "  ")
	require.NoError(t, err)
	t.Logf("figures:\n%s", b)
	if *figuresOut != "" {
		require.NoError(t, os.MkdirAll(filepath.Dir(*figuresOut), 0o755))
		require.NoError(t, os.WriteFile(*figuresOut, b, 0o644))
	}
}

// throughputRun starts k workers, waits until the group is stable with all
// of them, produces n comments and measures the time until the last verdict.
func throughputRun(t *testing.T, brokers []string, redisAddr string, corpus []sample, k, n int) RunFigures {
	topics := clusterTopics(t, brokers)
	group, tenant := testenv.Name("scale"), testenv.Name("scale")
	env := classifyEnv(brokers, redisAddr, topics, group, clusterPartitions, 3)
	run := RunFigures{Workers: k}
	var ws []*worker
	for i := range k {
		w := startWorker(t, fmt.Sprintf("classify-%d", i+1), env)
		ws = append(ws, w)
		ready := time.Now()
		stable := waitGroup(t, brokers, group, topics.Comments, i+1, clusterPartitions, 60*time.Second)
		if i == k-1 && k > 1 {
			run.JoinRebalanceMS = stable.Sub(ready).Milliseconds()
		}
	}
	cpu0 := make([]float64, k)
	for i, w := range ws {
		cpu0[i] = w.cpuSeconds(t)
	}
	brokerCPU0 := brokersCPU(t)
	p := newProducer(brokers, topics.Comments, tenant, corpus)
	defer p.w.Close()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	require.Equal(t, n, p.produce(ctx, n, 1000))
	testenv.Eventually(t, 3*time.Minute, func() bool { return countRecords(t, brokers, topics.Verdicts) >= int64(n) },
		"%d workers did not classify %d comments within 3 minutes", k, n)
	elapsed := time.Since(start)
	run.BrokerCPU = round1(brokersCPU(t) - brokerCPU0)
	run.Seconds = elapsed.Seconds()
	run.PerSecond = float64(n) / elapsed.Seconds()
	run.StageMS = map[string]float64{}
	secs, batches := map[string]float64{}, map[string]float64{}
	for _, w := range ws {
		s, b := w.stageSeconds(t)
		for k, v := range s {
			secs[k] += v
			batches[k] += b[k]
		}
	}
	for k, v := range secs {
		if batches[k] > 0 {
			run.StageMS[k] = round1(1000 * v / batches[k])
		}
	}
	run.Batches = int(batches["commit"])
	for i, w := range ws {
		run.CPUSeconds = append(run.CPUSeconds, round1(w.cpuSeconds(t)-cpu0[i]))
		peak, _ := w.memory(t)
		run.PeakRSSMiB = append(run.PeakRSSMiB, round1(float64(peak)/(1<<20)))
	}
	for _, w := range ws {
		sent := w.signal(t, syscall.SIGTERM)
		require.NoError(t, w.wait(t, 25*time.Second))
		run.ShutdownMS = append(run.ShutdownMS, w.exitedAt.Sub(sent).Milliseconds())
	}
	require.EqualValues(t, n, committed(t, brokers, group, topics.Comments), "every offset committed once the workers stopped")
	verdicts := verdictsByComment(t, brokers, topics.Verdicts)
	require.Len(t, verdicts, n, "one verdict per comment")
	var flaggedN int
	for _, vs := range verdicts {
		if flagged(vs[0]) {
			flaggedN++
		}
	}
	run.FlaggedShare = round1(100*float64(flaggedN)/float64(n)) / 100
	t.Logf("%d workers: %d comments in %.1fs = %.0f/s; CPU s %v (brokers %.1f); peak RSS MiB %v; %.0f%% flagged; %d batches, ms per batch %v",
		k, n, run.Seconds, run.PerSecond, run.CPUSeconds, run.BrokerCPU, run.PeakRSSMiB, 100*run.FlaggedShare, run.Batches, run.StageMS)
	return run
}

// faultRun streams comments to three workers, SIGKILLs one worker and then
// the broker that coordinates the group, and checks nothing acknowledged is
// lost and nothing is queued twice.
func faultRun(t *testing.T, brokers []string, redisAddr string, corpus []sample) FaultFigures {
	topics := clusterTopics(t, brokers)
	group, tenant := testenv.Name("faults"), testenv.Name("faults")
	env := classifyEnv(brokers, redisAddr, topics, group, clusterPartitions, 3)
	var ws []*worker
	for i := range 3 {
		ws = append(ws, startWorker(t, fmt.Sprintf("classify-%d", i+1), env))
		waitGroup(t, brokers, group, topics.Comments, i+1, clusterPartitions, 60*time.Second)
	}
	var figs FaultFigures

	// A steady stream: 100 comments every 100 ms (1,000/s) for 24 s.
	p := newProducer(brokers, topics.Comments, tenant, corpus)
	defer p.w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for end := time.Now().Add(24 * time.Second); time.Now().Before(end); <-tick.C {
			wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
			p.produce(wctx, 100, 100)
			wcancel()
		}
	}()

	// Progress of the verdicts, sampled to find the longest stall.
	progress := newProgress(brokers, topics.Verdicts)
	defer progress.stop()

	time.Sleep(6 * time.Second)
	killed := ws[2].signal(t, syscall.SIGKILL)
	_ = ws[2].wait(t, 10*time.Second)
	stable := waitGroup(t, brokers, group, topics.Comments, 2, clusterPartitions, 60*time.Second)
	figs.KillRebalanceMS = stable.Sub(killed).Milliseconds()
	t.Logf("classify-3 SIGKILLed: the group was stable on 2 workers %s later", stable.Sub(killed).Round(time.Millisecond))

	coord := coordinator(t, brokers, group)
	figs.KilledBroker, figs.CoordinatorKilled = coord, true
	live := without(t, brokers, coord)
	brokerKilled := time.Now()
	out, err := exec.Command("../../scripts/services.sh", "cluster-node", "kill", fmt.Sprint(coord)).CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Logf("broker %d (the group's coordinator) SIGKILLed", coord)

	wg.Wait()
	produced := p.next
	acked := p.ackedIDs()
	figs.Produced, figs.Acknowledged, figs.NotAcknowledged = produced, len(acked), produced-len(acked)
	t.Logf("produced %d comments, %d acknowledged", produced, len(acked))

	// Drain: every acknowledged comment gets a verdict.
	drainStart := time.Now()
	var verdicts map[string][]message.Action
	missing := func() int {
		n := 0
		for _, id := range acked {
			if len(verdicts[id]) == 0 {
				n++
			}
		}
		return n
	}
	// Like a kubelet, restart a worker that exited on its own; count it.
	survivors := ws[:2]
	restartExited := func() {
		for i, w := range survivors {
			if !w.running() {
				t.Logf("%s exited on its own (%v); restarting it as a kubelet would", w.name, w.exitErr)
				figs.Restarts = append(figs.Restarts, fmt.Sprintf("%s: %v: %s", w.name, w.exitErr, lastLine(w.out.String())))
				survivors[i] = startWorker(t, w.name+"r", env)
			}
		}
	}
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(time.Second) {
		restartExited()
		require.False(t, time.Now().After(deadline), "acknowledged comments still without a verdict after 3 minutes")
		if countRecords(t, live, topics.Verdicts) < int64(len(acked)) {
			continue
		}
		if verdicts = verdictsByComment(t, live, topics.Verdicts); missing() == 0 {
			break
		}
	}
	figs.DrainSeconds = round1(time.Since(drainStart).Seconds())
	figs.BrokerStallMS = progress.longestStallAfter(brokerKilled).Milliseconds()
	for _, id := range acked {
		if len(verdicts[id]) == 0 {
			figs.Lost++
		}
	}
	for _, vs := range verdicts {
		figs.Redelivered += len(vs) - 1
	}

	// The remaining workers stop cleanly and commit everything.
	// Comments written but not acknowledged (a batch cut by the broker's
	// death) are classified too; wait for the group to reach the end.
	for deadline := time.Now().Add(2 * time.Minute); committed(t, live, group, topics.Comments) != countRecords(t, live, topics.Comments); time.Sleep(time.Second) {
		require.False(t, time.Now().After(deadline), "the group never committed up to the end of comments")
		restartExited()
	}
	for _, w := range survivors {
		if !w.running() {
			// The stall watchdog stopped it while the others drained:
			// a kubelet would restart it; there is nothing left to do.
			figs.Restarts = append(figs.Restarts, fmt.Sprintf("%s: %v: %s (during the drain)", w.name, w.exitErr, lastLine(w.out.String())))
			continue
		}
		w.signal(t, syscall.SIGTERM)
		require.NoError(t, w.wait(t, 25*time.Second))
	}
	figs.CommittedEqualsEnd = committed(t, live, group, topics.Comments) == countRecords(t, live, topics.Comments)
	require.True(t, figs.CommittedEqualsEnd, "the group committed every record of comments")

	// The review queue holds each flagged comment once. Read the verdicts
	// again: comments written but not acknowledged were classified after
	// the drain above stopped reading.
	verdicts = verdictsByComment(t, live, topics.Verdicts)
	items := queueItems(t, live, redisAddr, topics, tenant)
	seen := map[string]int{}
	for _, id := range items {
		seen[id]++
	}
	figs.QueueItems = len(items)
	for _, k := range seen {
		figs.QueueDuplicates += k - 1
	}
	for id := range seen {
		require.NotEmpty(t, verdicts[id], "queue item %s has no verdict", id)
		require.True(t, slices.ContainsFunc(verdicts[id], flagged), "queue item %s was never flagged", id)
	}
	for id, vs := range verdicts {
		if !slices.ContainsFunc(vs, func(a message.Action) bool { return !flagged(a) }) {
			require.Contains(t, seen, id, "comment %s was flagged by every verdict but is not queued", id)
		}
	}
	rdb, err := redisio.Open(context.Background(), redisAddr)
	require.NoError(t, err)
	defer rdb.Close()
	zcard, err := rdb.ZCard(context.Background(), "vigie:{"+tenant+"}:queue:pending").Result()
	require.NoError(t, err)
	require.EqualValues(t, len(seen), zcard, "the pending queue (redis-cli ZCARD) holds one entry per flagged comment")

	out, err = exec.Command("../../scripts/services.sh", "cluster-node", "start", fmt.Sprint(coord)).CombinedOutput()
	require.NoError(t, err, "restarting broker %d: %s", coord, out)

	t.Logf("faults: %+v", figs)
	require.Zero(t, figs.Lost, "acknowledged comments lost")
	require.Zero(t, figs.QueueDuplicates, "comments queued twice")
	return figs
}

// without returns the brokers other than the one with node id node.
func without(t *testing.T, brokers []string, node int) []string {
	t.Helper()
	md := metadata(t, brokers)
	var out []string
	for _, b := range md.Brokers {
		if b.ID != node {
			out = append(out, fmt.Sprintf("%s:%d", b.Host, b.Port))
		}
	}
	require.Len(t, out, 2)
	return out
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// flagged reports whether a verdict sends its comment to the review queue.
func flagged(a message.Action) bool { return a != message.ActionAllow }

// coordinator returns the node id of the broker coordinating group.
func coordinator(t *testing.T, brokers []string, group string) int {
	t.Helper()
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.FindCoordinator(ctx, &kafka.FindCoordinatorRequest{Key: group, KeyType: kafka.CoordinatorKeyTypeConsumer})
	require.NoError(t, err)
	require.NoError(t, resp.Error)
	require.Contains(t, []int{1, 2, 3}, resp.Coordinator.NodeID)
	return resp.Coordinator.NodeID
}

// queueItems lists the tenant's pending queue through the moderator API of
// an in-process review role, page by page.
func queueItems(t *testing.T, brokers []string, redisAddr string, topics kafkaio.Topics, tenant string) []string {
	t.Helper()
	const token = "scaleout-moderator-token-0123456789"
	var cfg config.Config
	require.NoError(t, cfg.Bind(flag.NewFlagSet("review", flag.ContinueOnError)))
	cfg.Listen, cfg.KafkaBrokers, cfg.RedisAddr, cfg.Topics = "127.0.0.1:0", brokers, redisAddr, topics
	cfg.Partitions, cfg.Replication = clusterPartitions, 3
	cfg.ModeratorKeys, cfg.Tenants = tenant+":auditor:"+token, []string{tenant}
	require.NoError(t, cfg.Validate(config.RoleReview))
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- roles.Review(ctx, cfg, logging.Discard(), func(a string) { addr <- a }) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("review role stopped: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("review role not ready within 60s")
	}
	var ids []string
	for offset := 0; ; {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/v1/queue?limit=500&offset=%d", base, offset), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
		var page struct {
			Total int `json:"total"`
			Items []struct {
				CommentID string `json:"comment_id"`
			} `json:"items"`
		}
		require.NoError(t, json.Unmarshal(body, &page))
		for _, it := range page.Items {
			ids = append(ids, it.CommentID)
		}
		offset += len(page.Items)
		if len(page.Items) == 0 || offset >= page.Total {
			require.Equal(t, page.Total, len(ids), "the listing's total and its items agree")
			return ids
		}
	}
}

// progress samples a topic's record count every 100 ms.
type progress struct {
	mu      sync.Mutex
	samples []sampleAt
	done    chan struct{}
	wg      sync.WaitGroup
}

type sampleAt struct {
	at    time.Time
	count int64
}

func newProgress(brokers []string, topic string) *progress {
	p := &progress{done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 2 * time.Second}
		for {
			select {
			case <-p.done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			n, err := topicEnd(ctx, c, topic, clusterPartitions)
			cancel()
			if err == nil {
				p.mu.Lock()
				p.samples = append(p.samples, sampleAt{time.Now(), n})
				p.mu.Unlock()
			}
		}
	}()
	return p
}

func (p *progress) stop() { close(p.done); p.wg.Wait() }

// longestStallAfter returns the longest time after since during which the
// count did not grow while it was still to grow (before the last sample's
// count was reached).
func (p *progress) longestStallAfter(since time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.samples) == 0 {
		return 0
	}
	final := p.samples[len(p.samples)-1].count
	var longest time.Duration
	var last sampleAt
	for _, s := range p.samples {
		if s.at.Before(since) {
			last = s
			continue
		}
		if last.at.IsZero() {
			last = s
			continue
		}
		if s.count > last.count || s.count >= final {
			if d := s.at.Sub(last.at); d > longest && last.count < final {
				longest = d
			}
			last = s
		}
	}
	return longest
}

func topicEnd(ctx context.Context, c *kafka.Client, topic string, parts int) (int64, error) {
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for p := range parts {
		req.Topics[topic] = append(req.Topics[topic], kafka.LastOffsetOf(p))
	}
	resp, err := c.ListOffsets(ctx, req)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			return 0, p.Error
		}
		n += p.LastOffset
	}
	return n, nil
}

// brokersCPU returns the CPU seconds the three brokers have used, from the
// pid files of `services.sh cluster-up`.
func brokersCPU(t *testing.T) float64 {
	t.Helper()
	var sum float64
	for n := 1; n <= 3; n++ {
		b, err := os.ReadFile(fmt.Sprintf("../../.cache/cluster/kafka-%d/kafka.pid", n))
		if err != nil {
			return 0
		}
		var pid int
		if _, err := fmt.Sscan(string(b), &pid); err != nil {
			return 0
		}
		sum += processCPU(pid)
	}
	return sum
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// machine describes where the figures were measured.
func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	cores := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") && model == "" {
			_, model, _ = strings.Cut(l, ": ")
		}
		if strings.HasPrefix(l, "processor") {
			cores++
		}
	}
	return fmt.Sprintf("%d × %s", cores, strings.TrimSpace(model))
}
