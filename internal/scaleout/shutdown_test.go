package scaleout

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/testenv"
)

// TestClassifySIGTERMCommitsWhatItWrote sends SIGTERM to a `vigie classify`
// process in the middle of a backlog, as the kubelet does when it stops a
// pod, and checks the promise of docs/operations.md: readiness turns off,
// the process exits 0 within 25 s, and the offsets the group committed are
// exactly the records whose verdicts were written — nothing processed is
// left uncommitted (it would be classified twice) and nothing committed is
// missing a verdict (it would be lost). Its JSON log names no comment text.
func TestClassifySIGTERMCommitsWhatItWrote(t *testing.T) {
	t.Parallel()
	brokers := testenv.KafkaBrokers(t)
	redisAddr := testenv.RedisAddr(t)
	topics := testenv.Topics(t, brokers, 3)
	group := testenv.Name("sigterm")
	tenant := testenv.Name("sigterm")
	corpus := loadCorpus(t)

	const n = 40000
	p := newProducer(brokers, topics.Comments, tenant, corpus)
	defer p.w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	require.Equal(t, n, p.produce(ctx, n, 1000))

	w := startWorker(t, "classify", classifyEnv(brokers, redisAddr, topics, group, 3, 1))
	testenv.Eventually(t, 90*time.Second, func() bool { return countRecords(t, brokers, topics.Verdicts) >= 2000 },
		"classify wrote no verdicts")
	sent := w.signal(t, syscall.SIGTERM)
	// Readiness goes off at once, so no Service would route to it.
	testenv.Eventually(t, 2*time.Second, func() bool {
		resp, err := http.Get("http://" + w.addr + "/readyz")
		if err != nil {
			return true
		}
		resp.Body.Close()
		return resp.StatusCode != http.StatusOK
	}, "/readyz still answers 200 after SIGTERM")
	require.NoError(t, w.wait(t, 25*time.Second), "vigie classify exits 0 on SIGTERM")
	took := w.exitedAt.Sub(sent)
	t.Logf("exited %s after SIGTERM", took.Round(time.Millisecond))

	written := countRecords(t, brokers, topics.Verdicts)
	require.Less(t, written, int64(n), "the signal must land mid-backlog for this test to mean anything")
	require.Equal(t, written, committed(t, brokers, group, topics.Comments),
		"committed offsets must equal the verdicts written: the batch in flight finished and was committed, nothing after it was")
	byComment := verdictsByComment(t, brokers, topics.Verdicts)
	require.Len(t, byComment, int(written), "no comment has two verdicts after a clean stop")

	var sawStop bool
	for _, line := range strings.Split(strings.TrimSpace(w.out.String()), "\n") {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry), "a log line that is not JSON: %s", line)
		require.NotContains(t, line, "["+tenant+"-", "a log line carries comment text: %s", line)
		if entry["msg"] == "stopped" {
			sawStop = true
			require.Equal(t, "classify", entry["role"])
		}
	}
	require.True(t, sawStop, "no \"stopped\" log line")
}
