package classify

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Quality floor on our corpus. The targets are spam P>=0.95 R>=0.90,
// troll P>=0.90 R>=0.85, hard negatives flagged <=5%, language ID >=97% on
// comments of 30+ characters; the floors below are what the engine reaches
// today, a little under, so a change that loses quality fails here.
var corpusFloors = qualityFloors{
	spamPrecision: 0.97, spamRecall: 0.95, trollPrecision: 0.97, trollRecall: 0.95,
	hardNegatives: 0.02, langID: 0.99,
}

// qualityFloors are the least a corpus must score; hardNegatives is the most
// of its hard negatives that may be flagged.
type qualityFloors struct {
	spamPrecision, spamRecall, trollPrecision, trollRecall, hardNegatives, langID float64
}

// evaluateCorpus scores the corpus at path with a fresh engine and its own
// signals: duplicate campaigns in a corpus are only visible when the
// observations start empty. It returns the report and the printed text.
func evaluateCorpus(t *testing.T, path string) (Report, string) {
	t.Helper()
	e, err := NewEngine(EngineConfig{Signals: NewMemorySignals(0)})
	require.NoError(t, err)
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out bytes.Buffer
	r, err := Evaluate(context.Background(), e, f, &out)
	require.NoError(t, err)
	t.Log("\n" + out.String())
	require.Empty(t, r.BadLines)
	return r, out.String()
}

// requireFloors fails the test when r scores under f.
func requireFloors(t *testing.T, r Report, f qualityFloors) {
	t.Helper()
	require.GreaterOrEqual(t, r.Labels[LabelSpam].Precision, f.spamPrecision)
	require.GreaterOrEqual(t, r.Labels[LabelSpam].Recall, f.spamRecall)
	require.GreaterOrEqual(t, r.Labels[LabelTroll].Precision, f.trollPrecision)
	require.GreaterOrEqual(t, r.Labels[LabelTroll].Recall, f.trollRecall)
	require.LessOrEqual(t, r.HardNegativeRate(), f.hardNegatives)
	require.GreaterOrEqual(t, r.LangIDAccuracy(), f.langID)
}

func TestCorpusQualityGate(t *testing.T) {
	t.Parallel()
	r, out := evaluateCorpus(t, "testdata/corpus.jsonl")
	require.GreaterOrEqual(t, r.Total, 400)
	require.GreaterOrEqual(t, r.Disguised, 40)
	ok := r.Confusion[LabelOK][LabelOK] + r.Confusion[LabelOK][LabelSpam] + r.Confusion[LabelOK][LabelTroll]
	require.GreaterOrEqual(t, 3*r.HardNegatives, ok, "at least a third of the ok comments are hard negatives")
	require.Len(t, r.Languages, 7)
	requireFloors(t, r, corpusFloors)

	for _, want := range []string{"precision", "confusion", "hard negatives flagged", "language ID", "false positives", "false negatives"} {
		require.Contains(t, out, want)
	}
}

// Quality floor on the held-out corpus (testdata/heldout.jsonl): 428
// comments in seven languages written independently of the rules, before
// they were read, and harder than the corpus (half the ok comments are hard
// negatives). The floors sit a little under what the engine reaches (spam
// 1.00/1.00, troll 1.00/0.983, no hard negative flagged, language ID 99.7%)
// and never under the targets. The rules were tuned on this corpus
// after it was written, so it no longer measures generalisation on its own:
// blind batches written after each round of fixes scored recall of about
// 0.7-0.8 on first contact; see docs/rules.md before tuning further.
var heldoutFloors = qualityFloors{
	spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.95,
	hardNegatives: 0.02, langID: 0.98,
}

func TestHeldoutQualityGate(t *testing.T) {
	t.Parallel()
	r, _ := evaluateCorpus(t, "testdata/heldout.jsonl")
	require.GreaterOrEqual(t, r.Total, 350)
	require.GreaterOrEqual(t, r.Disguised, 60)
	ok := r.Confusion[LabelOK][LabelOK] + r.Confusion[LabelOK][LabelSpam] + r.Confusion[LabelOK][LabelTroll]
	require.GreaterOrEqual(t, 5*ok, 2*r.Total, "at least 40% of the comments are ok")
	require.GreaterOrEqual(t, 2*r.HardNegatives, ok, "at least half of the ok comments are hard negatives")
	require.Len(t, r.Languages, 7)
	requireFloors(t, r, heldoutFloors)
}

// blindRounds are the blind rounds, oldest first: comments in seven
// languages written by independent writers who never saw the rules, each
// scored untouched on first contact (the figure that measures
// generalisation, recorded in firstContact: spam and troll precision/recall,
// hard negatives flagged) before its misses were studied and the families
// they revealed added. The floors sit a little under what the engine
// reaches now; like the held-out corpus the rounds guard against
// regressions only, all the more since the troll model is trained on them:
// TestModelFirstContact measures generalisation on the newest round, and a
// fresh round measures it best.
var blindRounds = []struct {
	file         string
	minComments  int
	firstContact string
	floors       qualityFloors
}{
	{"testdata/blind1.jsonl", 450, "spam 0.955/0.875, troll 0.991/0.790, 4.8%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.97, hardNegatives: 0.03, langID: 0.98}},
	{"testdata/blind2.jsonl", 450, "spam 0.977/0.708, troll 0.951/0.685, 5.5%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.95, trollRecall: 0.97, hardNegatives: 0.04, langID: 0.98}},
	{"testdata/blind3.jsonl", 330, "spam 0.962/0.851, troll 0.988/0.781, 2.9%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.97, hardNegatives: 0.03, langID: 0.98}},
	{"testdata/blind4.jsonl", 280, "spam 0.928/0.928, troll 0.984/0.708, 6.2%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.97, hardNegatives: 0.03, langID: 0.98}},
	// Round 5 was scored once on first contact, then studied: the families
	// its misses revealed (veiled and visit threats, death wishes, diet
	// jibes, app-store and product searches, ...) lifted it to spam
	// 0.983/0.935, troll 1.000/0.821, 1.1% (0.910 troll recall after round
	// 6); the floors sit a little under.
	{"testdata/blind5.jsonl", 250, "spam 0.981/0.823, troll 1.000/0.679, 1.1%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.92, trollPrecision: 0.98, trollRecall: 0.88, hardNegatives: 0.02, langID: 0.98}},
	// Round 6, studied by family: whereabouts and ambush threats, put-downs
	// about schooling, dehumanising and body-shaming co-occurrences, dating
	// self-introductions, tradesmen's pitches, opening hours. It reached
	// spam 1.000/1.000, troll 1.000/0.977, 0%; the families also lifted
	// round 5's troll recall from 0.846 to 0.910.
	{"testdata/blind6.jsonl", 280, "spam 0.986/0.958, troll 0.984/0.682, 2.1%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.95, hardNegatives: 0.02, langID: 0.98}},
	// Round 7 showed round 6's families did not transfer (troll recall 0.506
	// on first contact). Disguise as intent (conditional terms spelled to
	// pass a filter count, death and body words count only disguised),
	// whereabouts and exposure threats, the smirk emoji, put-downs of the
	// author, pharma testimonials, spelled-out dots and civic notices took
	// it to spam 1.000/0.984, troll 1.000/0.948, 0%.
	{"testdata/blind7.jsonl", 240, "spam 0.926/0.794, troll 0.951/0.506, 6.6%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.95, trollPrecision: 0.97, trollRecall: 0.92, hardNegatives: 0.02, langID: 0.98}},
	// Round 8 (troll recall 0.571 on first contact): charity scams paid to
	// private channels, shouted abuse, death wished in the imperative,
	// threats by whereabouts and weapon emoji, sexism and patronising pet
	// names by co-occurring word classes took it to 1.000 on every figure.
	{"testdata/blind8.jsonl", 240, "spam 0.981/0.810, troll 0.978/0.571, 1.2%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.97, hardNegatives: 0.02, langID: 0.98}},
	// Round 9 (troll recall 0.623 on first contact): phishing look-alike
	// hosts, followers for sale, trading testimonials, whereabouts without
	// a verb, winks beside a posture, patronising pet names set off by
	// commas, and precision fixes (clause_end, sentence floods) took it to
	// spam 1.000/1.000, troll 0.987/0.987, 1.1%.
	{"testdata/blind9.jsonl", 240, "spam 0.947/0.857, troll 0.941/0.623, 4.5%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.95, hardNegatives: 0.02, langID: 0.98}},
	// Round 10 (troll recall 0.636 on first contact): contempt for the old
	// and the poor as a class, body shaming after weight loss, put-downs of
	// the author's article, mishaps wished, insinuated fires, watched
	// exits, place names that read as insults took it to spam 1.000/1.000,
	// troll 0.986/0.935, 1.1%.
	{"testdata/blind10.jsonl", 240, "spam 1.000/0.952, troll 0.961/0.636, 2.3%",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.90, hardNegatives: 0.02, langID: 0.98}},
	// Round 11 (troll recall 0.649 on first contact) was not studied by
	// family: with round 12 it chose the troll model's settings. Trained
	// without it, rules and model score troll 0.940/0.818, 5.6%; the
	// built-in model is trained on it.
	{"testdata/blind11.jsonl", 240, "spam 0.967/0.921, troll 0.980/0.649, 3.4%",
		qualityFloors{spamPrecision: 0.95, spamRecall: 0.90, trollPrecision: 0.96, trollRecall: 0.95, hardNegatives: 0.04, langID: 0.98}},
	// Round 12: rules alone troll 0.959/0.610; rules and a model trained
	// without it, at the settings it helped choose, troll 0.932/0.883, 3.4%.
	{"testdata/blind12.jsonl", 240, "spam 1.000/0.952, troll 0.959/0.610, 2.2% (rules alone)",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.92, trollPrecision: 0.94, trollRecall: 0.95, hardNegatives: 0.03, langID: 0.98}},
	// Rounds 13 and 14 were written after the model's settings were fixed
	// and scored with the built-in model of the day, which had not seen
	// them: round 13 spam 0.968/0.968, troll 0.920/0.896, 5.4%; round 14
	// spam 1.000/0.905, troll 0.944/0.870, 3.4% (rules alone: troll
	// 0.961/0.636 and 0.980/0.623).
	{"testdata/blind13.jsonl", 240, "spam 0.968/0.968, troll 0.920/0.896, 5.4% (rules and model)",
		qualityFloors{spamPrecision: 0.95, spamRecall: 0.95, trollPrecision: 0.95, trollRecall: 0.95, hardNegatives: 0.05, langID: 0.98}},
	{"testdata/blind14.jsonl", 240, "spam 1.000/0.905, troll 0.944/0.870, 3.4% (rules and model)",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.88, trollPrecision: 0.95, trollRecall: 0.95, hardNegatives: 0.02, langID: 0.98}},
	// Round 15, scored once with the built-in model trained through round
	// 14: spam 0.984/0.984, troll 0.905/0.870, 6.7% (rules alone 0.979/
	// 0.597, 2.2%). Two of the model's four hard negatives were comments a
	// rule guard had read as quoted or self-mocking; since the model defers
	// to guards, the same model scores troll 0.931/0.870, 4.5%.
	{"testdata/blind15.jsonl", 240, "spam 0.984/0.984, troll 0.905/0.870, 6.7% (rules and model)",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.95, hardNegatives: 0.03, langID: 0.98}},
	// Round 16, scored once with the built-in model trained through round
	// 15 (threshold 0.35, deferring to guards): spam 0.967/0.937, troll
	// 0.921/0.909, 6.6% (rules alone 0.960/0.623, 4.4%). It then chose,
	// with the civil corpus, the threshold of 0.40.
	{"testdata/blind16.jsonl", 240, "spam 0.967/0.937, troll 0.921/0.909, 6.6% (rules and model)",
		qualityFloors{spamPrecision: 0.95, spamRecall: 0.92, trollPrecision: 0.95, trollRecall: 0.95, hardNegatives: 0.05, langID: 0.98}},
	// Round 17, scored once with the built-in model and settings of round
	// 16 (threshold 0.40, civil comments in training): spam 0.982/0.889,
	// troll 0.932/0.896, 5.5% (rules alone troll 0.942/0.636, 4.4%).
	{"testdata/blind17.jsonl", 240, "spam 0.982/0.889, troll 0.932/0.896, 5.5% (rules and model)",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.95, trollRecall: 0.95, hardNegatives: 0.05, langID: 0.98}},
	// Round 18, 504 comments (twice a round), scored once with the rules
	// and troll model of round 17: spam 0.991/0.881, troll 0.956/0.851,
	// 2.9% (rules alone troll 0.989/0.584, 1.1%); with the spam model,
	// trained without it (threshold 0.70, chosen on rounds 11-17), spam
	// 0.992/0.929: every target.
	{"testdata/blind18.jsonl", 480, "spam 0.992/0.929, troll 0.956/0.851, 2.9% (rules and both models)",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.95, trollPrecision: 0.95, trollRecall: 0.95, hardNegatives: 0.03, langID: 0.98}},
	// Round 19, scored once with the system that round 18 measured (both
	// models trained through round 18): spam 0.984/0.984, troll
	// 1.000/0.883, 1.1% (rules alone spam 0.982/0.889, troll 1.000/0.649).
	{"testdata/blind19.jsonl", 240, "spam 0.984/0.984, troll 1.000/0.883, 1.1% (rules and both models)",
		qualityFloors{spamPrecision: 0.97, spamRecall: 0.97, trollPrecision: 0.97, trollRecall: 0.95, hardNegatives: 0.02, langID: 0.98}},
}

func TestBlindRoundsQualityGate(t *testing.T) {
	t.Parallel()
	for _, round := range blindRounds {
		t.Run(round.file, func(t *testing.T) {
			t.Parallel()
			t.Logf("first contact, before tuning on it: %s", round.firstContact)
			r, _ := evaluateCorpus(t, round.file)
			require.GreaterOrEqual(t, r.Total, round.minComments)
			require.Len(t, r.Languages, 7)
			requireFloors(t, r, round.floors)
		})
	}
}

// TestCivilQualityGate: testdata/civil.jsonl holds 560 ordinary comments
// (80 per language: opinions, questions, anecdotes, sarcasm, complaints,
// capitals, chat) that a fair moderator publishes without hesitation, the
// bulk of real traffic. The rules alone flag none. The troll model, trained
// on one half and scored on the other, flagged 23 (4.1%) at the threshold
// of 0.40 and 30 (5.4%) at 0.35: what a publisher pays in review for the
// model's recall. The built-in model is trained on all of it, so the gate
// guards regressions only.
func TestCivilQualityGate(t *testing.T) {
	t.Parallel()
	r, _ := evaluateCorpus(t, "testdata/civil.jsonl")
	require.GreaterOrEqual(t, r.Total, 560)
	require.Len(t, r.Languages, 7)
	flagged := r.Confusion[LabelOK][LabelSpam] + r.Confusion[LabelOK][LabelTroll]
	require.LessOrEqual(t, flagged, 3, "civil comments flagged")
	require.GreaterOrEqual(t, r.LangIDAccuracy(), 0.99)
}

func TestEvaluateReportsBadLines(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	in := strings.Join([]string{
		`{"id":"a","text":"Merci pour cet article très clair sur la réforme.","label":"ok","lang":"fr"}`,
		`not json`,
		`{"id":"b","text":"T'es vraiment un connard fini.","label":"troll","lang":"fr"}`,
		`{"id":"c","text":"hello","label":"maybe"}`,
	}, "\n")
	var out bytes.Buffer
	r, err := Evaluate(context.Background(), e, strings.NewReader(in), &out)
	require.NoError(t, err)
	require.Equal(t, 2, r.Total)
	require.Len(t, r.BadLines, 2)
	require.Contains(t, r.BadLines[0], "line 2")
	require.Contains(t, r.BadLines[1], "line 4")
	require.Equal(t, 1, r.Labels[LabelTroll].TP)
	require.Equal(t, 1, r.Labels[LabelOK].TP)
}
