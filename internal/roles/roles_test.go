package roles_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/config"
	"github.com/vigie-moderation/vigie/internal/logging"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/roles"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

const (
	pubKey   = "pub-test-key-0123456789"
	modToken = "mod-test-token-0123456789"
)

// corpus is a small mix of comments and whether the classifier must flag
// them; the classifier's quality is tested in classify/, here it only has to
// be unambiguous.
var corpus = []struct {
	text    string
	flagged bool
}{
	{"Merci pour cet article très complet sur le budget de la ville.", false},
	{"Je ne suis pas d'accord, les chiffres de la mairie sont contestables.", false},
	{"T'es vraiment un abruti, retourne lire tes tracts.", true},
	{"Gagnez 500€ par jour depuis chez vous !!! WhatsApp +33 6 12 34 56 78 https://bit.ly/xyz", true},
	{"Interesting piece, though the maintenance costs are missing.", false},
	{"You are a pathetic idiot, shut up.", true},
	{"Quelqu'un sait si la réunion publique est maintenue jeudi ?", false},
	{"Earn $$$ fast from home! DM me on Telegram @easy_cash or visit http://cash-now.xyz", true},
}

type pipeline struct {
	cfg     config.Config
	brokers []string
	tenant  string
	addrs   map[string]string
}

func baseConfig(t *testing.T) config.Config {
	t.Helper()
	var cfg config.Config
	require.NoError(t, cfg.Bind(flag.NewFlagSet("test", flag.ContinueOnError)))
	cfg.Listen = "127.0.0.1:0"
	cfg.ShutdownGrace = 5 * time.Second
	cfg.ClassifyWindow = 5 * time.Millisecond
	return cfg
}

// startRole runs a role until the test ends and returns its address.
func startRole(t *testing.T, name string, run func(ctx context.Context, started roles.Started) error) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s stopped with: %v", name, err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("%s did not stop within 30s of cancellation", name)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		t.Fatalf("%s failed to start: %v", name, err)
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start within 60s", name)
	}
	return ""
}

func newPipeline(t *testing.T) *pipeline {
	t.Helper()
	brokers := testenv.KafkaBrokers(t)
	p := &pipeline{brokers: brokers, tenant: testenv.Name("e2e"), addrs: map[string]string{}}
	cfg := baseConfig(t)
	cfg.KafkaBrokers = brokers
	cfg.RedisAddr = testenv.RedisAddr(t)
	// The relay and recoverer serve this test's tenant only, so parallel
	// tests sharing the Redis never relay each other's decisions.
	cfg.Tenants = []string{p.tenant}
	cfg.Topics = testenv.Topics(t, brokers, 3)
	cfg.ClassifyGroup = testenv.Name("classify")
	cfg.PublisherKeys = p.tenant + ":site:" + pubKey
	cfg.ModeratorKeys = p.tenant + ":alice:" + modToken
	require.NoError(t, cfg.Validate(config.RoleDev))
	p.cfg = cfg
	return p
}

func (p *pipeline) start(t *testing.T, role string) string {
	t.Helper()
	log := logging.Discard()
	var run func(ctx context.Context, started roles.Started) error
	switch role {
	case "ingest":
		run = func(ctx context.Context, s roles.Started) error { return roles.Ingest(ctx, p.cfg, log, s) }
	case "classify":
		run = func(ctx context.Context, s roles.Started) error { return roles.Classify(ctx, p.cfg, log, s) }
	case "review":
		run = func(ctx context.Context, s roles.Started) error { return roles.Review(ctx, p.cfg, log, s) }
	}
	addr := startRole(t, role, run)
	p.addrs[role] = addr
	return addr
}

func call(t *testing.T, method, url, token, ctype, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

type queueItem struct {
	CommentID string          `json:"comment_id"`
	Status    string          `json:"status"`
	Verdict   message.Verdict `json:"verdict"`
	Comment   message.Comment `json:"comment"`
}

func queue(t *testing.T, reviewURL, token string) []queueItem {
	t.Helper()
	code, body := call(t, "GET", reviewURL+"/v1/queue?limit=500", token, "", "")
	require.Equal(t, http.StatusOK, code, string(body))
	var q struct {
		Items []queueItem `json:"items"`
	}
	require.NoError(t, json.Unmarshal(body, &q))
	return q.Items
}

func submission(n int) (string, map[string]bool) {
	var b strings.Builder
	flagged := map[string]bool{}
	for i := range n {
		c := corpus[i%len(corpus)]
		id := fmt.Sprintf("c%03d", i)
		line, _ := json.Marshal(map[string]any{
			// One author per text: the same text from several authors is a
			// spam campaign, which the duplicate signal rightly flags.
			"id": id, "thread_id": "budget-2027", "author": map[string]string{"id": fmt.Sprintf("reader-%d", i%len(corpus))},
			"text": c.text,
		})
		b.Write(line)
		b.WriteByte('\n')
		flagged[id] = c.flagged
	}
	return b.String(), flagged
}

// TestPipelineEndToEnd submits comments to ingest, lets classify and review
// run as separate roles on real Kafka and Redis, and follows a decision out.
func TestPipelineEndToEnd(t *testing.T) {
	t.Parallel()
	p := newPipeline(t)
	ingestURL := p.start(t, "ingest")
	p.start(t, "classify")
	reviewURL := p.start(t, "review")

	const n = 40
	body, flagged := submission(n)
	code, resp := call(t, "POST", ingestURL+"/v1/comments", pubKey, "application/x-ndjson", body)
	require.Equal(t, http.StatusAccepted, code, string(resp))

	testenv.Eventually(t, 90*time.Second, func() bool { return testenv.Count(t, p.brokers, p.cfg.Topics.Verdicts) >= n },
		"fewer than %d verdicts", n)
	verdicts := testenv.ReadAll(t, p.brokers, p.cfg.Topics.Verdicts, n, 30*time.Second)
	require.Len(t, verdicts, n)
	seen := map[string]bool{}
	wantQueued := map[string]bool{}
	for _, m := range verdicts {
		var v message.Verdict
		require.NoError(t, json.Unmarshal(m.Value, &v))
		require.False(t, seen[v.CommentID], "a second verdict for %s", v.CommentID)
		seen[v.CommentID] = true
		require.Equal(t, p.tenant, v.Tenant)
		if v.Action != message.ActionAllow {
			wantQueued[v.CommentID] = true
		}
	}
	require.EqualValues(t, n, testenv.Count(t, p.brokers, p.cfg.Topics.Verdicts), "exactly one verdict per comment")
	for id, want := range flagged {
		// The obvious attacks and spam are flagged; the rest may be too
		// (repeated texts are a campaign), which classify/ tests judge.
		if want {
			require.True(t, wantQueued[id], "comment %s should be flagged", id)
		}
	}
	require.Less(t, len(wantQueued), n, "not every comment is flagged")

	var items []queueItem
	testenv.Eventually(t, 30*time.Second, func() bool { items = queue(t, reviewURL, modToken); return len(items) >= len(wantQueued) },
		"the queue holds fewer items than flagged comments")
	gotQueued := map[string]int{}
	for _, it := range items {
		gotQueued[it.CommentID]++
		require.NotEmpty(t, it.Verdict.Matches, "a queued item explains its verdict")
	}
	for id := range wantQueued {
		require.Equal(t, 1, gotQueued[id], "flagged comment %s is queued exactly once", id)
	}
	require.Len(t, gotQueued, len(wantQueued))

	// A decision, retried, appears once on comments.decisions.
	first, second := items[0].CommentID, items[1].CommentID
	url := reviewURL + "/v1/items/" + first + "/decision"
	code, resp = call(t, "POST", url, modToken, "application/json", `{"decision":"reject","reason":"insult"}`)
	require.Equal(t, http.StatusOK, code, string(resp))
	code, resp = call(t, "POST", url, modToken, "application/json", `{"decision":"reject","reason":"insult"}`)
	require.Less(t, code, 300, "a retried decision is accepted: %s", resp)
	// The outbox is drained in order, so once the second decision is on the
	// topic a duplicate of the first would be there too.
	code, resp = call(t, "POST", reviewURL+"/v1/items/"+second+"/decision", modToken, "application/json", `{"decision":"approve"}`)
	require.Equal(t, http.StatusOK, code, string(resp))
	testenv.Eventually(t, 30*time.Second, func() bool { return testenv.Count(t, p.brokers, p.cfg.Topics.Decisions) >= 2 }, "decisions did not reach Kafka")
	decisions := testenv.ReadAll(t, p.brokers, p.cfg.Topics.Decisions, 2, 20*time.Second)
	require.EqualValues(t, 2, testenv.Count(t, p.brokers, p.cfg.Topics.Decisions), "the retried decision is published once")
	byComment := map[string]message.Decision{}
	for _, m := range decisions {
		var d message.Decision
		require.NoError(t, json.Unmarshal(m.Value, &d))
		byComment[d.CommentID] = d
	}
	require.Equal(t, message.DecisionReject, byComment[first].Decision)
	require.Equal(t, "alice", byComment[first].Moderator)
	require.NotEmpty(t, byComment[first].EventID)
	require.Equal(t, message.DecisionApprove, byComment[second].Decision)

	// Credentials are per tenant and per role.
	code, _ = call(t, "GET", reviewURL+"/v1/queue", "", "", "")
	require.Equal(t, http.StatusUnauthorized, code)
	code, _ = call(t, "GET", reviewURL+"/v1/queue", pubKey, "", "")
	require.Equal(t, http.StatusUnauthorized, code, "a publisher key is not a moderator token")
	code, _ = call(t, "POST", ingestURL+"/v1/comments", modToken, "application/json", `{}`)
	require.Equal(t, http.StatusUnauthorized, code, "a moderator token is not a publisher key")
}

// TestKafkaProducersAndPoisonRecords has kcat, a client that is not ours,
// produce a comment in the documented JSON and a malformed record straight
// to the comments topic.
func TestKafkaProducersAndPoisonRecords(t *testing.T) {
	t.Parallel()
	kcat, err := exec.LookPath("kcat")
	require.NoError(t, err, "kcat is needed (scripts/services.sh up installs it)")
	p := newPipeline(t)
	p.start(t, "classify")

	doc := fmt.Sprintf(`{"v":1,"id":"kcat-1","tenant":%q,"thread_id":"t1","author":{"id":"a1"},"text":"You are a complete moron.","created_at":"2026-11-26T10:00:00Z"}`, p.tenant)
	produce := func(key, value string) {
		cmd := exec.Command(kcat, "-b", strings.Join(p.brokers, ","), "-t", p.cfg.Topics.Comments, "-P", "-K", "\t", "-X", "acks=all")
		cmd.Stdin = strings.NewReader(key + "\t" + value + "\n")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	produce("garbage", "{this is not json")
	produce(p.tenant+"/a1", doc)

	testenv.Eventually(t, 60*time.Second, func() bool { return testenv.Count(t, p.brokers, p.cfg.Topics.Verdicts) >= 1 }, "no verdict for the kcat comment")
	got := testenv.ReadAll(t, p.brokers, p.cfg.Topics.Verdicts, 1, 20*time.Second)
	require.Len(t, got, 1)
	var v message.Verdict
	require.NoError(t, json.Unmarshal(got[0].Value, &v))
	require.Equal(t, "kcat-1", v.CommentID)
	require.NotEqual(t, message.ActionAllow, v.Action, "%+v", v)

	testenv.Eventually(t, 30*time.Second, func() bool { return testenv.Count(t, p.brokers, p.cfg.Topics.DLQ) >= 1 }, "the malformed record did not reach the DLQ")
	dead := testenv.ReadAll(t, p.brokers, p.cfg.Topics.DLQ, 1, 20*time.Second)
	var dl message.DeadLetter
	require.NoError(t, json.Unmarshal(dead[0].Value, &dl))
	require.Equal(t, "{this is not json", string(dl.Original))
	require.Contains(t, dl.Error, "decoding")

	// kcat reads the verdict back too, as a publisher consuming verdicts would.
	cmd := exec.Command(kcat, "-b", strings.Join(p.brokers, ","), "-t", p.cfg.Topics.Verdicts, "-C", "-o", "beginning", "-c", "1", "-e", "-q")
	out, err := cmd.Output()
	require.NoError(t, err)
	require.True(t, bytes.Contains(out, []byte(`"comment_id":"kcat-1"`)), string(out))
}

// TestDevEmbedded runs `vigie dev` with its in-process broker and Redis.
func TestDevEmbedded(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(t)
	cfg.Listen = freeAddr(t)
	cfg.DevPublisher, cfg.DevModerator = pubKey, modToken
	require.NoError(t, cfg.Validate(config.RoleDev))
	var banner testenv.Buffer
	start := time.Now()
	healthy := make(chan time.Duration, 1)
	go func() {
		for time.Since(start) < 60*time.Second {
			if resp, err := http.Get("http://" + cfg.Listen + "/healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					healthy <- time.Since(start)
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		healthy <- time.Hour
	}()
	base := startRole(t, "dev", func(ctx context.Context, s roles.Started) error {
		return roles.Dev(ctx, cfg, logging.Discard(), &banner, s)
	})
	require.Less(t, <-healthy, 10*time.Second, "vigie dev answers /healthz within 10s")
	require.Contains(t, banner.String(), pubKey)
	require.Contains(t, banner.String(), modToken)

	testenv.Eventually(t, 30*time.Second, func() bool { return len(queue(t, base, modToken)) > 0 }, "the sample comments did not fill the queue")

	code, resp := call(t, "POST", base+"/v1/comments", pubKey, "application/json",
		`{"id":"mine-1","thread_id":"t","author":{"id":"me"},"text":"Espèce de crétin, tu racontes n'importe quoi."}`)
	require.Equal(t, http.StatusAccepted, code, string(resp))
	testenv.Eventually(t, 30*time.Second, func() bool {
		for _, it := range queue(t, base, modToken) {
			if it.CommentID == "mine-1" {
				return true
			}
		}
		return false
	}, "the submitted comment did not reach the queue")
	code, resp = call(t, "POST", base+"/v1/items/mine-1/decision", modToken, "application/json", `{"decision":"reject","reason":"insult"}`)
	require.Equal(t, http.StatusOK, code, string(resp))
	code, _ = call(t, "GET", base+"/v1/queue", "wrong-token-0123456789", "", "")
	require.Equal(t, http.StatusUnauthorized, code)

	// An Akismet client's spam report rejects the comment in the queue.
	const spam = "Gagnez 500€ par jour depuis chez vous !!! WhatsApp +33 6 12 34 56 78 https://bit.ly/xyz"
	code, resp = call(t, "POST", base+"/v1/comments", pubKey, "application/json",
		`{"id":"ak-1","thread_id":"t","author":{"id":"promo"},"text":"`+spam+`"}`)
	require.Equal(t, http.StatusAccepted, code, string(resp))
	testenv.Eventually(t, 30*time.Second, func() bool {
		for _, it := range queue(t, base, modToken) {
			if it.CommentID == "ak-1" {
				return true
			}
		}
		return false
	}, "the spam comment did not reach the queue")
	form := url.Values{"api_key": {pubKey}, "blog": {"https://news.example"}, "comment_id": {"ak-1"},
		"comment_content": {spam}, "user_ip": {"192.0.2.7"}}
	code, resp = call(t, "POST", base+"/1.1/submit-spam", "", "application/x-www-form-urlencoded", form.Encode())
	require.Equal(t, http.StatusOK, code, string(resp))
	code, resp = call(t, "GET", base+"/v1/items/ak-1", modToken, "", "")
	require.Equal(t, http.StatusOK, code, string(resp))
	require.Contains(t, string(resp), `"status":"rejected"`)
	require.Contains(t, string(resp), `publisher:`)

	code, _ = call(t, "GET", base+"/readyz", "", "", "")
	require.Equal(t, http.StatusOK, code)
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}
