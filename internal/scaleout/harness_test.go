package scaleout

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

var (
	binDir    string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	var err error
	if binDir, err = os.MkdirTemp("", "vigie-scaleout-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		_ = os.RemoveAll(binDir)
	} else {
		fmt.Fprintf(os.Stderr, "the vigie processes' full logs are kept in %s\n", binDir)
	}
	os.Exit(code)
}

// vigieBinary builds cmd/vigie once per test binary, as a release would be
// built (no race detector: the processes are the system under test, not the
// test's own code).
func vigieBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binPath = filepath.Join(binDir, "vigie")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/vigie")
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/vigie: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// worker is one `vigie classify` process.
type worker struct {
	name     string
	cmd      *exec.Cmd
	addr     string
	out      *testenv.Buffer
	done     chan struct{}
	exitErr  error
	exitedAt time.Time
}

// classifyEnv is the environment of a classify process reading topics with
// group, on the given services.
func classifyEnv(brokers []string, redisAddr string, topics kafkaio.Topics, group string, partitions, replication int) map[string]string {
	return map[string]string{
		"VIGIE_KAFKA_BROKERS":     strings.Join(brokers, ","),
		"VIGIE_REDIS_ADDR":        redisAddr,
		"VIGIE_TOPIC_COMMENTS":    topics.Comments,
		"VIGIE_TOPIC_VERDICTS":    topics.Verdicts,
		"VIGIE_TOPIC_DECISIONS":   topics.Decisions,
		"VIGIE_TOPIC_DLQ":         topics.DLQ,
		"VIGIE_TOPIC_PARTITIONS":  strconv.Itoa(partitions),
		"VIGIE_TOPIC_REPLICATION": strconv.Itoa(replication),
		"VIGIE_CLASSIFY_GROUP":    group,
		"VIGIE_LOG_FORMAT":        "json",
		"VIGIE_SHUTDOWN_GRACE":    "20s",
	}
}

// startWorker starts `vigie classify` with env (VIGIE_* variables of the
// test's own environment are dropped) and waits until /readyz answers 200.
// The process is killed when the test ends if it still runs.
func startWorker(t *testing.T, name string, env map[string]string) *worker {
	t.Helper()
	w := &worker{name: name, out: &testenv.Buffer{}, done: make(chan struct{})}
	w.addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	w.cmd = exec.Command(vigieBinary(t), "classify")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VIGIE_") {
			w.cmd.Env = append(w.cmd.Env, kv)
		}
	}
	for k, v := range env {
		w.cmd.Env = append(w.cmd.Env, k+"="+v)
	}
	w.cmd.Env = append(w.cmd.Env, "VIGIE_LISTEN="+w.addr)
	w.cmd.Stdout, w.cmd.Stderr = w.out, w.out
	require.NoError(t, w.cmd.Start())
	go func() {
		w.exitErr = w.cmd.Wait()
		w.exitedAt = time.Now()
		close(w.done)
	}()
	t.Cleanup(func() {
		if w.running() {
			_ = w.cmd.Process.Kill()
			<-w.done
		}
		_ = os.WriteFile(filepath.Join(binDir, w.name+".log"), []byte(w.out.String()), 0o644)
		if t.Failed() {
			t.Logf("---- %s output, last 4 KiB without connection retries (exit: %v) ----\n%s", w.name, w.exitErr, tail(quiet(w.out.String()), 4096))
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		if !w.running() {
			t.Fatalf("%s exited during start: %v\n%s", name, w.exitErr, w.out.String())
		}
		if resp, err := http.Get("http://" + w.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return w
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within 90s:\n%s", name, w.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (w *worker) running() bool {
	select {
	case <-w.done:
		return false
	default:
		return true
	}
}

func (w *worker) signal(t *testing.T, sig syscall.Signal) time.Time {
	t.Helper()
	now := time.Now()
	require.NoError(t, w.cmd.Process.Signal(sig), "signalling %s", w.name)
	return now
}

// wait waits up to timeout for the process to exit and returns its error.
func (w *worker) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-w.done:
		return w.exitErr
	case <-time.After(timeout):
		t.Fatalf("%s still runs %s later", w.name, timeout)
		return nil
	}
}

// memory returns the process's peak and current resident set in bytes.
func (w *worker) memory(t *testing.T) (peak, now int64) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	require.NoError(t, err)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[2] == "kB" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "VmHWM:":
				peak = kb << 10
			case "VmRSS:":
				now = kb << 10
			}
		}
	}
	return peak, now
}

// cpuSeconds returns the user+system CPU time the process has used.
func (w *worker) cpuSeconds(t *testing.T) float64 {
	t.Helper()
	return processCPU(w.cmd.Process.Pid)
}

// processCPU returns the user+system CPU seconds of pid, 0 if it is gone.
func processCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ is 100 on Linux
}

// stageSeconds reads the process's /metrics and returns, per classify
// stage, the seconds spent in it and the batches it handled.
func (w *worker) stageSeconds(t *testing.T) (seconds map[string]float64, batches map[string]float64) {
	t.Helper()
	resp, err := http.Get("http://" + w.addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	seconds, batches = map[string]float64{}, map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		m := stageLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[3], 64)
		if m[1] == "sum" {
			seconds[m[2]] += v
		} else {
			batches[m[2]] += v
		}
	}
	require.NoError(t, sc.Err())
	return seconds, batches
}

var stageLine = regexp.MustCompile(`^vigie_classify_stage_duration_seconds_(sum|count)\{stage="([a-z]+)"\} (\S+)$`)

// quiet drops the lines a client repeats while a broker is down.
func quiet(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, "failed to dial") && !strings.Contains(l, "Unable to establish connection") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// sample is a text of the project's labelled corpus.
type sample struct {
	text, lang string
}

func loadCorpus(t *testing.T) []sample {
	t.Helper()
	f, err := os.Open("../../classify/testdata/corpus.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c struct {
			Text       string `json:"text"`
			ThreadLang string `json:"thread_lang"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c))
		out = append(out, sample{c.Text, c.ThreadLang})
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out)
	return out
}

// producer writes comments with acks=all and remembers the ids Kafka
// acknowledged; those are the ones that must never be lost.
type producer struct {
	w      *kafka.Writer
	tenant string
	langs  []string
	vocab  map[string][]string // words of the corpus per language
	next   int
	mu     sync.Mutex
	acked  []string
	failed int
}

func newProducer(brokers []string, topic, tenant string, corpus []sample) *producer {
	p := &producer{
		w:      kafkaio.NewWriter(brokers, topic, kafkaio.WriterConfig{}, nil),
		tenant: tenant, vocab: map[string][]string{},
	}
	for _, s := range corpus {
		if _, ok := p.vocab[s.lang]; !ok {
			p.langs = append(p.langs, s.lang)
		}
		p.vocab[s.lang] = append(p.vocab[s.lang], strings.Fields(s.text)...)
	}
	sort.Strings(p.langs)
	return p
}

// comment builds the i-th comment from its own author, in one of the
// corpus's languages: 12 to 23 words drawn at random from that language's
// vocabulary (the corpus's civil and abusive texts alike). Reusing corpus
// texts verbatim would make thousands of near-duplicates, which the
// classifier rightly flags as a spam campaign. A marker makes each text
// findable in logs.
func (p *producer) comment(i int) message.Comment {
	lang := p.langs[i%len(p.langs)]
	vocab := p.vocab[lang]
	rng := rand.New(rand.NewPCG(uint64(i), 0x5ca1e))
	words := make([]string, 12+rng.IntN(12))
	for j := range words {
		words[j] = vocab[rng.IntN(len(vocab))]
	}
	return message.Comment{
		V: 1, ID: fmt.Sprintf("c%07d", i), Tenant: p.tenant, ThreadID: fmt.Sprintf("thread-%d", i%50),
		ThreadLang: lang, Author: message.Author{ID: fmt.Sprintf("reader-%d", i)},
		Text: fmt.Sprintf("%s [%s-%d]", strings.Join(words, " "), p.tenant, i), CreatedAt: time.Now().UTC(),
	}
}

// produce writes n comments in batches of size batch and returns how many
// were acknowledged.
func (p *producer) produce(ctx context.Context, n, batch int) int {
	ok := 0
	for n > 0 {
		k := min(n, batch)
		msgs := make([]kafka.Message, k)
		ids := make([]string, k)
		for j := range k {
			c := p.comment(p.next)
			p.next++
			b, _ := json.Marshal(c)
			msgs[j] = kafka.Message{Key: []byte(c.Key()), Value: b}
			ids[j] = c.ID
		}
		n -= k
		if err := p.w.WriteMessages(ctx, msgs...); err != nil {
			p.mu.Lock()
			p.failed += k
			p.mu.Unlock()
			continue
		}
		p.mu.Lock()
		p.acked = append(p.acked, ids...)
		p.mu.Unlock()
		ok += k
	}
	return ok
}

func (p *producer) ackedIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.acked...)
}

// verdictsByComment reads every record of the verdicts topic and counts the
// verdicts of each comment, keeping the actions seen.
func verdictsByComment(t *testing.T, brokers []string, topic string) map[string][]message.Action {
	t.Helper()
	total := countRecords(t, brokers, topic)
	out := map[string][]message.Action{}
	if total == 0 {
		return out
	}
	for _, m := range readAll(t, brokers, topic, total) {
		var v message.Verdict
		require.NoError(t, json.Unmarshal(m.Value, &v))
		out[v.CommentID] = append(out[v.CommentID], v.Action)
	}
	return out
}

// metadata fetches the cluster's brokers and the given topics (none: no
// topic).
func metadata(t *testing.T, brokers []string, topics ...string) *kafka.MetadataResponse {
	t.Helper()
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: append([]string{}, topics...)})
	require.NoError(t, err)
	return md
}

// partitions returns the partition ids of topic.
func partitions(t *testing.T, brokers []string, topic string) []int {
	t.Helper()
	md := metadata(t, brokers, topic)
	require.Len(t, md.Topics, 1)
	require.NoError(t, md.Topics[0].Error)
	var out []int
	for _, p := range md.Topics[0].Partitions {
		out = append(out, p.ID)
	}
	return out
}

// countRecords sums the end offsets of topic's partitions (the topics are
// fresh: they start at offset 0 and nothing is deleted during a test).
func countRecords(t *testing.T, brokers []string, topic string) int64 {
	t.Helper()
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for _, p := range partitions(t, brokers, topic) {
		req.Topics[topic] = append(req.Topics[topic], kafka.LastOffsetOf(p))
	}
	var resp *kafka.ListOffsetsResponse
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp, err = c.ListOffsets(ctx, req)
		cancel()
		if err == nil {
			for _, p := range resp.Topics[topic] {
				if p.Error != nil {
					err = p.Error
				}
			}
		}
		if err == nil {
			break
		}
		time.Sleep(250 * time.Millisecond) // a leader moving after a broker died
	}
	require.NoError(t, err)
	var n int64
	for _, p := range resp.Topics[topic] {
		n += p.LastOffset
	}
	return n
}

// readAll reads want records of topic from the beginning of each partition.
func readAll(t *testing.T, brokers []string, topic string, want int64) []kafka.Message {
	t.Helper()
	var (
		mu  sync.Mutex
		out []kafka.Message
		wg  sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	// The ends are read first: records written after want was counted (a
	// redelivered batch still being written) are read too, and counted.
	ends := map[int]int64{}
	var total int64
	for _, p := range partitions(t, brokers, topic) {
		ends[p] = countPartition(ctx, brokers, topic, p)
		total += ends[p]
	}
	require.GreaterOrEqual(t, total, want, "%s holds fewer records than counted before", topic)
	for p, end := range ends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p, MaxBytes: 8 << 20, MaxWait: 100 * time.Millisecond})
			defer r.Close()
			for off := int64(0); off < end; off++ {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					return
				}
				mu.Lock()
				out = append(out, m)
				mu.Unlock()
				off = m.Offset
			}
		}()
	}
	wg.Wait()
	require.EqualValues(t, total, len(out), "read %d of the %d records of %s", len(out), total, topic)
	return out
}

func countPartition(ctx context.Context, brokers []string, topic string, p int) int64 {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	resp, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(p)}}})
	if err != nil || len(resp.Topics[topic]) != 1 {
		return 0
	}
	return resp.Topics[topic][0].LastOffset
}

// committed returns the sum over partitions of group's committed offsets on
// topic (a partition with no commit counts 0).
func committed(t *testing.T, brokers []string, group, topic string) int64 {
	t.Helper()
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := c.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: partitions(t, brokers, topic)}})
	require.NoError(t, err)
	require.NoError(t, resp.Error)
	var n int64
	for _, p := range resp.Topics[topic] {
		require.NoError(t, p.Error)
		if p.CommittedOffset > 0 {
			n += p.CommittedOffset
		}
	}
	return n
}

// groupState describes the consumer group: its state, members and how many
// partitions of topic are assigned.
type groupState struct {
	state    string
	members  int
	assigned int
}

func describeGroup(brokers []string, group, topic string) (groupState, error) {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err != nil {
		return groupState{}, err
	}
	if len(resp.Groups) != 1 {
		return groupState{}, fmt.Errorf("describing group %s: %d groups in the answer", group, len(resp.Groups))
	}
	g := resp.Groups[0]
	if g.Error != nil {
		return groupState{}, g.Error
	}
	st := groupState{state: g.GroupState, members: len(g.Members)}
	for _, m := range g.Members {
		for _, tp := range m.MemberAssignments.Topics {
			if tp.Topic == topic {
				st.assigned += len(tp.Partitions)
			}
		}
	}
	return st, nil
}

// waitGroup waits until the group is stable with members members sharing
// all parts partitions and returns when that was first seen.
func waitGroup(t *testing.T, brokers []string, group, topic string, members, parts int, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last groupState
	var lastErr error
	for time.Now().Before(deadline) {
		st, err := describeGroup(brokers, group, topic)
		if err == nil && st.state == "Stable" && st.members == members && st.assigned == parts {
			return time.Now()
		}
		last, lastErr = st, err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("group %s not stable with %d members on %d partitions within %s (last: %+v, %v)", group, members, parts, timeout, last, lastErr)
	return time.Time{}
}
