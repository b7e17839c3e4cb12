package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/redis/go-redis/v9"
	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/vigie-moderation/vigie/internal/auth"
	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
	"github.com/vigie-moderation/vigie/review"
	"github.com/vigie-moderation/vigie/review/ui"
)

// reviewRole is a running review role: the moderator API and the web UI on
// one listener, the outbox relay to Kafka and the claim recoverer, over the
// real Redis and Kafka of the test services, for one fresh tenant.
type reviewRole struct {
	url      string
	tenant   string
	operator string // the tenant's operator token (admin)
	brokers  []string
	topics   kafkaio.Topics
	store    *review.Store
	rdb      *redis.Client
}

// startReview wires the review role the way `vigie review` does and mounts
// the UI next to the API with ui.Register.
func startReview(t *testing.T) *reviewRole {
	t.Helper()
	brokers := testenv.KafkaBrokers(t)
	rdb := testenv.Redis(t)
	rr := &reviewRole{
		tenant: testenv.Name("ui"), operator: "op-" + testenv.Name("token"),
		brokers: brokers, topics: testenv.Topics(t, brokers, 1), rdb: rdb,
	}
	l := logrus.New()
	l.SetLevel(logrus.WarnLevel)
	log := logrus.NewEntry(l).WithField("role", "review")
	rr.store = review.NewStore(rdb, review.StoreOptions{
		Tenants: []string{rr.tenant}, PasswordCost: bcrypt.MinCost, Logger: log,
	})
	tokens, err := auth.ParseSpec(rr.tenant+":operator:"+rr.operator, review.RoleModerator)
	require.NoError(t, err)
	api, err := review.NewAPI(review.APIConfig{Store: rr.store, Tokens: tokens, Logger: log})
	require.NoError(t, err)
	mux := http.NewServeMux()
	api.Register(mux)
	ui.Register(mux)
	srv := httptest.NewServer(mux)
	rr.url = srv.URL

	ctx, cancel := context.WithCancel(context.Background())
	writer := kafkaio.NewWriter(brokers, rr.topics.Decisions, kafkaio.WriterConfig{}, log)
	relay := review.NewRelay(review.RelayConfig{Store: rr.store, Writer: writer, Logger: log})
	done := make(chan struct{}, 2)
	go func() { _ = relay.Run(ctx); done <- struct{}{} }()
	go func() { _ = review.NewRecoverer(rr.store, time.Second).Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() {
		// Close the server first: the browser's event stream holds a
		// connection open until its context ends.
		srv.CloseClientConnections()
		srv.Close()
		cancel()
		<-done
		<-done
		_ = writer.Close()
	})
	return rr
}

// call sends a request to the API with the operator token and decodes the
// answer into out (when not nil), failing the test on another status.
func (rr *reviewRole) call(t *testing.T, method, path string, body, out any, want int) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, rr.url+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+rr.operator)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, want, resp.StatusCode, "%s %s: %s", method, path, raw)
	if out != nil {
		require.NoError(t, json.Unmarshal(raw, out), string(raw))
	}
}

// seedComment is one comment of the test queue and the words the
// classifier matched in it.
type seedComment struct {
	id, thread, parent, authorID, authorName, lang, text string
	matches                                              []seedMatch
}

type seedMatch struct {
	word, rule, label string
	weight            float64
}

// wholeText stands for a signal about the whole comment (a posting
// burst): its span is every byte of the text, and the UI must explain it
// without highlighting the text.
const wholeText = "*"

const (
	bannedAuthor = "nuit-blanche"
	spamAuthor   = "promo-invest"
)

// seedComments are 20 flagged comments in French and English. Their texts
// put accents, French quotes and emoji before the matched words, so a UI that
// confused byte and character offsets would highlight the wrong letters.
var seedComments = []seedComment{
	{"c01", "tramway-nord", "", "jb_44", "JB", "fr", "Saturé, le mot est faible. Mais 480 millions pour 9 km, c'est du vol organisé par des incapables.",
		[]seedMatch{{"incapables", "fr.insult.plural", "insult", 0.35}, {"vol organisé", "fr.accusation", "insult", 0.2}}},
	{"c02", "tramway-nord", "", bannedAuthor, "Nuit Blanche", "fr", "Encore un article écrit par un « journaliste » 🙄 qui n'a jamais pris le tram. Espèce de guignol !",
		[]seedMatch{{"Espèce de guignol", "fr.insult.vocative", "insult", 0.6}}},
	{"c03", "tramway-nord", "c02", "claire.m", "Claire M.", "fr", "@Nuit Blanche restez poli, tout le monde n'a pas votre science. Vous êtes ridicule.",
		[]seedMatch{{"Vous êtes ridicule", "fr.insult.direct", "insult", 0.55}}},
	{"c04", "tramway-nord", "", spamAuthor, "Promo Invest", "fr", "Gagnez 500€ par jour depuis chez vous grâce au bitcoin !!! Contactez-moi sur WhatsApp +33 6 12 34 56 78",
		[]seedMatch{{"Gagnez 500€ par jour", "fr.money.daily", "money", 0.45}, {"bitcoin", "any.crypto", "crypto", 0.25}, {"WhatsApp", "any.messenger", "messenger", 0.25}, {"+33 6 12 34 56 78", "spam.phone", "phone", 0.45}, {wholeText, "spam.velocity", "velocity", 0.3}}},
	{"c05", "budget-2026", "", "helene_r", "Hélène R.", "fr", "Putain de budget, ça fait trois ans qu'on nous promet des économies. Les élus sont des clowns.",
		[]seedMatch{{"Putain", "fr.profanity", "profanity", 0.2}, {"des clowns", "fr.insult.plural", "insult", 0.35}}},
	{"c06", "climate-summit", "", "greg.t", "Greg T.", "en", "Another summit, another private jet parade ✈️✈️. You people are idiots if you believe a word of it.",
		[]seedMatch{{"You people are idiots", "en.insult.direct", "insult", 0.6}}},
	{"c07", "climate-summit", "", spamAuthor, "Promo Invest", "en", "EARN $300 A DAY FROM HOME!!! Click bit.ly/easy-cash-now before it's gone 💰💰💰",
		[]seedMatch{{"EARN $300 A DAY FROM HOME", "en.work_from_home", "work_from_home", 0.5}, {"bit.ly/easy-cash-now", "signal.shortener", "link", 0.35}, {"💰💰💰", "signal.emoji_run", "spam_phrase", 0.15}}},
	{"c08", "budget-2026", "c05", "marc.d", "Marc D.", "fr", "Le maire l'a traité de « menteur » en conseil ; franchement, ferme-la, tu n'y connais rien.",
		[]seedMatch{{"ferme-la", "fr.insult.direct", "insult", 0.5}, {"menteur", "fr.insult", "insult", 0.5}, {"menteur", "fr.insult.guard", "guard", -0.45}}},
	{"c09", "climate-summit", "", bannedAuthor, "Nuit Blanche", "en", "Whoever wrote this should be fired. I know where your office is, watch yourself.",
		[]seedMatch{{"I know where your office is", "en.threat.location", "threat", 0.6}, {"watch yourself", "en.threat.veiled", "threat", 0.3}}},
	{"c10", "climate-summit", "c06", "sam_k", "Sam K.", "en", "Calm down Greg. Calling everyone idiots won't make the jets disappear, you clown.",
		[]seedMatch{{"you clown", "en.insult.vocative", "insult", 0.5}}},
	{"c11", "budget-2026", "", "anne-sophie", "Anne-Sophie", "fr", "Très bon article, merci ! Pour ceux que ça intéresse, le rapport complet est sur www.ville-exemple.fr/budget 👍",
		[]seedMatch{{"www.ville-exemple.fr/budget", "signal.link", "link", 0.2}, {"👍", "signal.emoji_run", "spam_phrase", 0.1}}},
	{"c12", "tramway-nord", "", "rageux77", "rageux77", "fr", "Tu es vraiment un abruti, retourne lire ton tract au lieu de polluer les commentaires.",
		[]seedMatch{{"un abruti", "fr.insult.direct", "insult", 0.6}}},
	{"c13", "climate-summit", "a03", "lena.w", "Lena W.", "en", "The so-called experts are clueless. Shut up and let engineers speak.",
		[]seedMatch{{"Shut up", "en.insult.imperative", "insult", 0.4}, {"clueless", "en.insult.adjective", "insult", 0.2}}},
	{"c14", "budget-2026", "", "pierre_l", "Pierre L.", "fr", "Écoutez, la dette c'est 3 000 € par habitant. Quelle bande de crétins ceux qui ont voté ça.",
		[]seedMatch{{"bande de crétins", "fr.insult.plural", "insult", 0.45}}},
	{"c15", "tramway-nord", "c12", bannedAuthor, "Nuit Blanche", "fr", "Toi le rageux, on se retrouve à la sortie du conseil 😠 et tu feras moins le malin.",
		[]seedMatch{{"on se retrouve à la sortie", "fr.threat.meet", "threat", 0.55}}},
	{"c16", "climate-summit", "", "crypto-alpha", "CryptoAlpha", "en", "Best investment of 2026: join our Telegram group t.me/alpha-signals for guaranteed 10x returns.",
		[]seedMatch{{"Telegram", "any.messenger", "messenger", 0.25}, {"t.me/alpha-signals", "signal.shortener", "link", 0.35}, {"guaranteed 10x returns", "en.money.guarantee", "money", 0.4}}},
	{"c17", "budget-2026", "", "odile.b", "Odile B.", "fr", "Les élus de l'opposition sont des vendus, tous pourris, qu'ils dégagent !",
		[]seedMatch{{"tous pourris", "fr.insult.plural", "insult", 0.35}, {"qu'ils dégagent", "fr.hostility", "insult", 0.2}}},
	{"c18", "climate-summit", "", "mike_r", "Mike R.", "en", "Honestly this is the dumbest take I've read all week. Are you stupid or paid?",
		[]seedMatch{{"Are you stupid", "en.insult.direct", "insult", 0.55}}},
	{"c19", "tramway-nord", "", "yann-b", "Yann B.", "fr", "Ça va être génial pour les habitants du nord. Les râleurs peuvent aller se faire voir.",
		[]seedMatch{{"aller se faire voir", "fr.insult.dismissal", "insult", 0.3}, {"râleurs", "fr.insult.mild", "insult", 0.2}}},
	{"c20", "budget-2026", "c14", "nadia.k", "Nadia K.", "fr", "Pierre, traiter les gens de crétins ne rend pas ton argument meilleur. Sois respectueux, espèce d'ignorant.",
		[]seedMatch{{"espèce d'ignorant", "fr.insult.vocative", "insult", 0.55}, {"crétins", "fr.insult", "insult", 0.45}, {"crétins", "fr.insult.guard", "guard", -0.4}}},
}

// allowedComments are comments of the same threads that the classifier
// allowed: Vigie queues none of them but keeps them as thread context, so
// the UI shows them around the flagged ones (c13 replies to a03).
var allowedComments = []seedComment{
	{"a01", "tramway-nord", "", "marie-l", "Marie L.", "fr", "Enfin une ligne vers le nord ! J’habite à Saint-Rémy, ça va changer mes trajets.", nil},
	{"a02", "budget-2026", "", "paul.v", "Paul V.", "fr", "Le tableau page 3 est clair : la dette baisse depuis 2022, contrairement à ce qu’on lit ici.", nil},
	{"a03", "climate-summit", "", "i-okafor", "Dr. Ines Okafor", "en", "Engineers have warned for years that summit pledges rarely come with funding. The report lists the gaps, sector by sector.", nil},
	{"a04", "budget-2026", "c05", "sophie-b", "Sophie B.", "fr", "Les économies promises portent surtout sur le fonctionnement, pas sur les écoles.", nil},
	{"a05", "climate-summit", "c06", "tom.h", "Tom H.", "en", "The jets are a fair point, but the methane agreement is real progress.", nil},
	{"a06", "tramway-nord", "c01", "luc-p", "Luc P.", "fr", "480 millions, c’est surtout le tunnel. Le reste est dans la moyenne des tramways récents.", nil},
}

// timeline is the order in which the seed reached Vigie: allowed comments
// among the flagged ones, a04 right after c05, which it answers.
var timeline = []string{
	"a01", "c01", "a06", "c02", "a02", "c03", "c04", "c05", "a04", "c06", "a05", "a03", "c07", "c08",
	"c09", "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19", "c20",
}

// historySpan is how long before the test the seed starts arriving.
const historySpan = 3 * time.Hour

// simClock is a clock the seeding moves by hand.
type simClock struct{ now time.Time }

func (c *simClock) Now() time.Time { return c.now }

// admitSeed puts the comments through Store.Admit, as the classifier does,
// with verdicts whose matches carry byte offsets. They arrive over the three
// hours before the test, through a Store on a simulated clock that also
// samples the queue every five minutes, as the review role's recoverer does
// every minute: the statistics page then draws a real history.
func (rr *reviewRole) admitSeed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	clock := &simClock{now: time.Now().UTC().Add(-historySpan).Truncate(5 * time.Minute)}
	past := review.NewStore(rr.rdb, review.StoreOptions{Now: clock.Now, Tenants: []string{rr.tenant}, PasswordCost: bcrypt.MinCost})
	byID := map[string]message.Classified{}
	for i, s := range append(append([]seedComment{}, seedComments...), allowedComments...) {
		byID[s.id] = rr.classified(t, i, s)
	}
	steps := int(historySpan / (5 * time.Minute))
	queued := 0
	for k := 0; k < steps; k++ {
		var batch []message.Classified
		for i, id := range timeline {
			if i*steps/len(timeline) == k {
				c := byID[id]
				c.Comment.CreatedAt, c.Comment.ReceivedAt = clock.now.Add(-time.Minute), clock.now.Add(-time.Minute)
				batch = append(batch, c)
			}
		}
		res, err := past.AdmitBatch(ctx, batch)
		require.NoError(t, err)
		queued += res.Queued
		require.NoError(t, past.SampleStats(ctx))
		clock.now = clock.now.Add(5 * time.Minute)
	}
	require.Equal(t, len(seedComments), queued, "every flagged seed comment is queued, no allowed one")
}

// classified builds the classifier's output for one seed comment.
func (rr *reviewRole) classified(t *testing.T, i int, s seedComment) message.Classified {
	t.Helper()
	created := time.Now().UTC() // Admit's caller sets the time it arrived.
	since := time.Date(2019+i%6, time.Month(1+i%12), 3+i, 0, 0, 0, 0, time.UTC)
	c := &message.Comment{
		V: 1, ID: s.id, Tenant: rr.tenant, ThreadID: s.thread, ThreadLang: s.lang, ParentID: s.parent,
		Author: message.Author{ID: s.authorID, Name: s.authorName, CreatedAt: &since},
		Text:   s.text, URL: "https://news.example/" + s.thread, CreatedAt: created, ReceivedAt: created,
	}
	v := message.Verdict{
		V: 1, Tenant: rr.tenant, CommentID: s.id, Action: message.ActionReview,
		Language: message.Language{Code: s.lang, Confidence: 0.93 + float64(i%5)/100, Source: "detected"},
		Ruleset:  "8f14e45fceea", ClassifiedAt: created,
	}
	labels := map[string]bool{}
	for _, m := range s.matches {
		at, end := 0, len(s.text)
		if m.word != wholeText {
			at = strings.Index(s.text, m.word)
			require.GreaterOrEqual(t, at, 0, "%s: %q not in the text", s.id, m.word)
			end = at + len(m.word)
		}
		v.Matches = append(v.Matches, message.Match{
			Rule: m.rule, Label: m.label, Weight: m.weight, Start: at, End: end,
			Normalized: strings.ToLower(m.word),
		})
		if !labels[m.label] {
			labels[m.label] = true
			v.Labels = append(v.Labels, m.label)
		}
		switch m.label {
		case "insult", "threat", "profanity", "guard":
			v.Scores.Troll = min(1, max(0, v.Scores.Troll+m.weight))
		default:
			v.Scores.Spam = min(1, v.Scores.Spam+m.weight)
		}
	}
	if max(v.Scores.Spam, v.Scores.Troll) >= 0.9 {
		v.Action = message.ActionReject
	}
	if len(s.matches) == 0 {
		v.Action = message.ActionAllow
	}
	return message.Classified{Comment: c, Verdict: v}
}

// expectation is the final state the test expects of one item.
type expectation struct {
	status, reason string
	// events are the decision kinds the item put on comments.decisions, in
	// order.
	events []string
}

// TestModeratorClearsTheQueueByKeyboard is the moderator's day in one run:
// sign in, clear 20 queued comments with the keyboard only (approve, reject
// with a reason, undo, a bulk approval, ban an author), then check every
// decision in Redis (through the API) and on the decisions topic, look at
// the author panel and the statistics, and end with an expired session.
// Screenshots of the queue, the author panel and the statistics go to
// test-artifacts/.
func TestModeratorClearsTheQueueByKeyboard(t *testing.T) {
	t.Parallel()
	rr := startReview(t)
	rr.admitSeed(t)
	const login, password = "camille", "correct horse battery staple"
	rr.call(t, "POST", "/v1/moderators", map[string]string{"login": login, "password": password, "role": "admin"}, nil, http.StatusCreated)

	b := newBrowser(t, 6*time.Minute)
	shots := artifactsDir(t)

	// Sign in.
	b.do("opening the UI", chromedp.Navigate(rr.url+"/"))
	b.waitJS("the login form", `document.querySelector('#login-title')`, 30*time.Second)
	b.screenshot(shots, "login.png")
	b.do("signing in",
		chromedp.SendKeys(chromedp.CSS("#tenant"), rr.tenant),
		chromedp.SendKeys(chromedp.CSS("#login"), login),
		chromedp.SendKeys(chromedp.CSS("#password"), password+"\r"))
	b.waitJS("the queue with 20 comments", `document.querySelector('#list-count[data-count="20"]')`, 30*time.Second)
	b.waitJS("the first comment claimed", `document.querySelector('#item[data-claim="mine"]')`, 20*time.Second)
	b.waitJS("the live stream", `document.querySelector('#live.live')`, 20*time.Second)

	focused := func() string { return eval[string](b, `document.getElementById('item').dataset.commentId`) }
	waitClaimed := func(id string) {
		t.Helper()
		b.waitJS("comment "+id+" on screen and claimed", `document.querySelector('#item[data-claim="mine"][data-comment-id="`+id+`"]')`, 20*time.Second)
	}
	order := eval[[]string](b, `[...document.querySelectorAll('#queue-list .qrow')].map((r) => r.dataset.id)`)
	require.Len(t, order, 20)
	first := order[0]
	require.Equal(t, first, focused())

	// The highlighted words are exactly the matched ones, accents and all.
	seed := map[string]seedComment{}
	for _, s := range seedComments {
		seed[s.id] = s
	}
	marks := eval[[]string](b, `[...document.querySelectorAll('#comment-text mark.hl')].map((m) => m.textContent)`)
	var words []string
	for _, m := range seed[first].matches {
		if m.word != wholeText {
			words = append(words, m.word)
		}
	}
	sort.Strings(words)
	sort.Strings(marks)
	require.Equal(t, words, marks, "highlighted spans of %s", first)

	// j and k move between comments; the one on screen is claimed, the one
	// left behind released.
	b.key("j")
	waitClaimed(order[1])
	b.key("k")
	waitClaimed(first)
	var item struct {
		Status string `json:"status"`
		Claim  *struct {
			Owner string `json:"owner"`
		} `json:"claim"`
	}
	rr.call(t, "GET", "/v1/items/"+order[1], nil, &item, http.StatusOK)
	require.Equal(t, "pending", item.Status, "the comment left behind is released")
	rr.call(t, "GET", "/v1/items/"+first, nil, &item, http.StatusOK)
	require.Equal(t, "claimed", item.Status)
	require.Equal(t, login, item.Claim.Owner)

	// goTo walks the list with j or k to a comment.
	goTo := func(id string) {
		t.Helper()
		for focused() != id {
			prev := focused()
			key := "j"
			if slices.Index(order, id) < slices.Index(order, prev) {
				key = "k"
			}
			b.key(key)
			b.waitJS("the next comment claimed", `document.querySelector('#item[data-claim="mine"]:not([data-comment-id="`+prev+`"])')`, 20*time.Second)
		}
		waitClaimed(id)
	}

	// The filters offer the values present in the queue, with their counts.
	b.waitJS("the filter values", `[...document.querySelectorAll('#filter-label option')].some((o) => o.value === 'insult' && /\(\d+\)/.test(o.textContent)) && document.querySelectorAll('#author-options option').length > 5`, 10*time.Second)

	// A reply to a comment the classifier allowed: Vigie kept the parent in
	// the thread's record, and shows the comments around it.
	goTo("c13")
	b.waitJS("the allowed parent of c13", `document.querySelector('#parent .parent-text[data-comment-id="a03"]')`, 10*time.Second)
	require.Contains(t, eval[string](b, `document.querySelector('#parent .parent-text').textContent`), "Engineers have warned")
	b.waitJS("c13 among its thread", `document.querySelector('#thread-around .around-row.self[data-comment-id="c13"]')`, 10*time.Second)

	// The queue as a moderator sees it: a reply whose parent waits too, an
	// allowed answer next to it in the thread, the legend of its strongest
	// span shown. Then back to the top.
	const shown = "c08"
	goTo(shown)
	b.waitJS("the parent comment", `document.querySelector('#parent .parent-text[data-comment-id="c05"]')`, 10*time.Second)
	b.waitJS("the thread around c08", `document.querySelector('#thread-around .around-row.self[data-comment-id="c08"]') && document.querySelector('#thread-around .around-row[data-comment-id="a04"]')`, 10*time.Second)
	b.waitJS("the author's history", `document.querySelector('#author-side .tiles')`, 10*time.Second)
	require.Equal(t, []string{"menteur"}, eval[[]string](b, `[...document.querySelectorAll('#comment-text mark.guard')].map((m) => m.textContent)`),
		"the quoted insult, lowered by its guard, is drawn apart")
	b.hover("the insult", `[...document.querySelectorAll('#comment-text mark.hl')].find((m) => m.textContent === 'ferme-la')`)
	b.waitJS("the span tooltip", `!document.getElementById('tooltip').hidden`, 5*time.Second)
	b.screenshot(shots, "queue.png")
	b.do("scrolling to the context", chromedp.Evaluate[chromedp.Void](`document.getElementById('context').scrollIntoView({block: 'end'})`))
	b.screenshot(shots, "queue-context.png")
	b.do("scrolling back", chromedp.Evaluate[chromedp.Void](`document.getElementById('item').scrollTop = 0`))
	b.do("moving the mouse away", chromedp.MouseEvent(chromedp.MouseMoved, 5, 880))
	goTo(first)

	// The plan: what the moderator decides for each comment, by keyboard.
	reasons := []string{"spam", "insult", "harassment", "threat", "hate", "off-topic", "other"}
	plan := map[string]string{}
	for _, s := range seedComments {
		switch {
		case s.authorID == bannedAuthor:
			plan[s.id] = "ban"
		case s.authorID == spamAuthor || s.authorID == "crypto-alpha":
			plan[s.id] = "reject:spam"
		case s.matches[0].weight >= 0.5:
			plan[s.id] = "reject:insult"
		default:
			plan[s.id] = "approve"
		}
	}
	// Two neighbours to approve together with x, j, x, a.
	bulk := map[string]bool{}
	for i := 1; i+1 < len(order); i++ {
		if plan[order[i]] == "approve" && plan[order[i+1]] == "approve" {
			bulk[order[i]], bulk[order[i+1]] = true, true
			break
		}
	}
	require.Len(t, bulk, 2, "the seed needs two neighbouring comments to approve")

	want := map[string]*expectation{}
	expect := func(id, decision, reason string) {
		e := want[id]
		if e == nil {
			e = &expectation{}
			want[id] = e
		}
		e.events = append(e.events, decision)
		switch decision {
		case "approve":
			e.status, e.reason = "approved", ""
		case "reject":
			e.status, e.reason = "rejected", reason
		case "undo":
			e.status, e.reason = "pending", ""
		}
	}
	digit := func(reason string) string {
		for i, r := range reasons {
			if r == reason {
				return fmt.Sprint(i + 1)
			}
		}
		t.Fatalf("no reason %q", reason)
		return ""
	}
	waitGone := func(id string) {
		t.Helper()
		b.waitJS("comment "+id+" to leave the list", `!document.querySelector('#queue-list .qrow[data-id="`+id+`"]')`, 20*time.Second)
	}
	waitNextOrEmpty := func(prev string) {
		t.Helper()
		b.waitJS("the next comment or an empty queue",
			`document.querySelector('#queue-empty') || document.querySelector('#item[data-claim="mine"]:not([data-comment-id="`+prev+`"])')`, 20*time.Second)
	}

	singles := 0
	undone := ""
	for step := 0; step < 40; step++ {
		if eval[bool](b, `!!document.querySelector('#queue-empty')`) {
			break
		}
		b.waitJS("a claimed comment", `document.querySelector('#item[data-claim="mine"]')`, 20*time.Second)
		id := focused()
		switch p := plan[id]; {
		case bulk[id]:
			var pair []string
			for _, o := range order {
				if bulk[o] {
					pair = append(pair, o)
				}
			}
			require.Equal(t, pair[0], id, "the bulk pair is met from its first comment")
			b.key("x")
			b.key("j")
			waitClaimed(pair[1])
			b.key("x")
			b.waitJS("two comments selected", `document.querySelectorAll('#queue-list .qrow.selected').length === 2`, 10*time.Second)
			b.key("a")
			for _, o := range pair {
				waitGone(o)
				expect(o, "approve", "")
				delete(bulk, o)
			}
			waitNextOrEmpty(pair[1])
		case p == "ban":
			b.key("b")
			b.waitJS("the ban dialog", `document.querySelector('#ban-dialog[open]')`, 10*time.Second)
			b.key(digit("harassment"))
			b.waitJS("the ban dialog to close", `!document.querySelector('#ban-dialog')`, 20*time.Second)
			for _, s := range seedComments {
				if s.authorID == bannedAuthor {
					waitGone(s.id)
					expect(s.id, "reject", "harassment")
				}
			}
			waitNextOrEmpty(id)
		case p == "approve":
			b.key("a")
			waitGone(id)
			expect(id, "approve", "")
			singles++
		default:
			reason := strings.TrimPrefix(p, "reject:")
			b.key("r")
			b.waitJS("the reason picker", `document.querySelector('.reason-picker')`, 10*time.Second)
			b.key(digit(reason))
			waitGone(id)
			expect(id, "reject", reason)
			singles++
		}
		if p := plan[id]; singles == 3 && undone == "" && (p == "approve" || strings.HasPrefix(p, "reject")) {
			// Undo the third decision: the comment comes back on screen,
			// and this time it is decided the other way.
			undone = id
			waitNextOrEmpty(id)
			b.key("u")
			waitClaimed(id)
			expect(id, "undo", "")
			if p == "approve" {
				plan[id] = "reject:off-topic"
			} else {
				plan[id] = "approve"
			}
			continue
		}
		if eval[bool](b, `!!document.querySelector('#queue-empty')`) {
			break
		}
		waitNextOrEmpty(id)
	}
	require.NotEmpty(t, undone, "one decision was undone")
	b.waitJS("the empty queue, every decision answered", `document.querySelector('#queue-empty') && document.querySelector('#list-count[data-inflight="0"]')`, 20*time.Second)
	require.Len(t, want, 20)

	// Every decision is in Redis, as the API reads it.
	for id, e := range want {
		var got struct {
			Status   string `json:"status"`
			Decision *struct {
				Decision  string `json:"decision"`
				Reason    string `json:"reason"`
				Moderator string `json:"moderator"`
			} `json:"decision"`
		}
		rr.call(t, "GET", "/v1/items/"+url.PathEscape(id), nil, &got, http.StatusOK)
		require.Equal(t, e.status, got.Status, "status of %s", id)
		require.NotNil(t, got.Decision, id)
		require.Equal(t, e.reason, got.Decision.Reason, "reason of %s", id)
		require.Equal(t, login, got.Decision.Moderator, "moderator of %s", id)
	}
	var author struct {
		Banned    bool   `json:"banned"`
		BanReason string `json:"ban_reason"`
		BannedBy  string `json:"banned_by"`
	}
	rr.call(t, "GET", "/v1/authors/"+bannedAuthor, nil, &author, http.StatusOK)
	require.True(t, author.Banned)
	require.Equal(t, "harassment", author.BanReason)
	require.Equal(t, login, author.BannedBy)
	var stats struct {
		Pending, Claimed, Escalated int
	}
	rr.call(t, "GET", "/v1/stats", nil, &stats, http.StatusOK)
	require.Zero(t, stats.Pending+stats.Claimed+stats.Escalated, "the queue is empty")

	// Every decision reached comments.decisions, in order per comment.
	total := 0
	for _, e := range want {
		total += len(e.events)
	}
	msgs := testenv.ReadAll(t, rr.brokers, rr.topics.Decisions, total, 90*time.Second)
	require.Len(t, msgs, total, "decision records on %s", rr.topics.Decisions)
	got := map[string][]string{}
	for _, m := range msgs {
		var d message.Decision
		require.NoError(t, json.Unmarshal(m.Value, &d))
		require.Equal(t, rr.tenant, d.Tenant)
		require.Equal(t, login, d.Moderator)
		got[d.CommentID] = append(got[d.CommentID], string(d.Decision))
	}
	for id, e := range want {
		require.Equal(t, e.events, got[id], "decision events of %s", id)
	}
	require.Equal(t, int64(total), testenv.Count(t, rr.brokers, rr.topics.Decisions), "no extra decision record")
	require.Len(t, got[undone], 3, "the undone comment has its decision, the undo and the new decision")

	// The author panel of the banned author, with a note added.
	b.do("opening the author panel", chromedp.Navigate(rr.url+"/authors/"+bannedAuthor))
	b.waitJS("the author panel", `document.querySelector('.author-hero') && document.querySelectorAll('.history-item').length === 3`, 30*time.Second)
	b.do("writing a note",
		chromedp.SendKeys(chromedp.CSS("#note-text"), "Three hostile comments in one evening, one a threat against the newsroom. Banned; check new accounts from the same thread."),
		chromedp.Click(chromedp.CSS(".note-form button[type=submit]")))
	b.waitJS("the note in the list", `document.querySelectorAll('.notes li').length === 1`, 20*time.Second)
	b.do("leaving the note field", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur(); window.scrollTo(0, 0)`))
	b.screenshot(shots, "author.png")

	// The statistics, reached by keyboard, drawn from the server: three
	// hours of queue samples and the decisions of each hour.
	var history struct {
		Points []struct {
			Pending int `json:"pending"`
		} `json:"points"`
	}
	rr.call(t, "GET", "/v1/stats/history?window=24h&step=5m", nil, &history, http.StatusOK)
	require.GreaterOrEqual(t, len(history.Points), int(historySpan/(5*time.Minute)), "a point per five minutes of the seeding")
	peak := 0
	for _, p := range history.Points {
		peak = max(peak, p.Pending)
	}
	require.Equal(t, len(seedComments), peak, "the history saw the whole seed waiting")
	var perHour struct {
		DecisionsPerHour []struct {
			Decisions int `json:"decisions"`
		} `json:"decisions_per_hour"`
	}
	rr.call(t, "GET", "/v1/stats", nil, &perHour, http.StatusOK)
	require.Len(t, perHour.DecisionsPerHour, 24)
	decided := 0
	for _, h := range perHour.DecisionsPerHour {
		decided += h.Decisions
	}
	require.GreaterOrEqual(t, decided, len(seedComments), "every comment was decided in the last hours")
	b.key("g")
	b.key("s")
	b.waitJS("the statistics", `document.querySelector('.stat-cards') && document.querySelector('.rules-table') && document.querySelectorAll('.chart rect.bar').length === 24`, 30*time.Second)
	b.waitJS("the queue's history drawn", `(() => { const d = document.querySelector('#ch-depth').parentElement.querySelector('path.line'); return d && d.getAttribute('d').split('L').length >= `+fmt.Sprint(len(history.Points))+`; })()`, 30*time.Second)
	b.waitJS("the decisions per hour", `document.querySelector('#ch-hour').parentElement.querySelector('desc').textContent.startsWith('`+fmt.Sprint(decided)+` decisions')`, 30*time.Second)
	b.screenshot(shots, "stats.png")

	// The shortcut help opens with ? and closes with Esc.
	b.key("?")
	b.waitJS("the shortcut help", `document.querySelector('dialog#help[open]')`, 10*time.Second)
	b.screenshot(shots, "help.png")
	b.key(kb.Escape)
	b.waitJS("the help to close", `!document.querySelector('dialog#help')`, 10*time.Second)

	// The admin pages list the account and the tenant's settings.
	b.do("opening the moderators", chromedp.Click(chromedp.CSS(`a.nav-link[href="/admin/moderators"]`)))
	b.waitJS("the moderator list", `[...document.querySelectorAll('table.data tbody th')].some((th) => th.textContent.startsWith('`+login+`'))`, 20*time.Second)
	b.screenshot(shots, "moderators.png")
	b.do("opening the settings", chromedp.Click(chromedp.CSS(`a.nav-link[href="/admin/settings"]`)))
	b.waitJS("the settings form", `document.querySelector('#spam_review') && document.querySelector('#spam_review').value === '0.5'`, 20*time.Second)
	b.screenshot(shots, "settings.png")

	// French, switched from the top bar and remembered.
	b.do("switching to French", chromedp.Click(chromedp.CSS(`.topbar .btn.lang`)))
	b.waitJS("the French interface", `document.documentElement.lang === 'fr' && document.querySelector('a.nav-link[href="/"]').textContent.startsWith('File')`, 10*time.Second)
	b.do("back to statistics", chromedp.Click(chromedp.CSS(`a.nav-link[href="/stats"]`)))
	b.waitJS("the French statistics", `document.querySelector('.page-head h1') && document.querySelector('.page-head h1').textContent === 'Statistiques'`, 20*time.Second)
	b.screenshot(shots, "stats-fr.png")

	// A disabled account ends the session: the next request gets 401 and
	// the UI asks to sign in again, saying why.
	rr.call(t, "PATCH", "/v1/moderators/"+login, map[string]bool{"disabled": true}, nil, http.StatusOK)
	b.do("refreshing the statistics", chromedp.Click(chromedp.CSS("#stats-refresh")))
	b.waitJS("the sign-in page saying the session ended",
		`document.querySelector('#login-title') && document.querySelector('.notice.warn') && document.querySelector('.notice.warn').textContent.includes('session est terminée')`, 20*time.Second)
	b.screenshot(shots, "session-ended.png")
	b.noProblems()
}
