package classify

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

const tinyRules = `version: 1
languages:
  en:
    second_person: [you]
    lexicons:
      - id: en.insult
        label: insult
        weight: 0.3
        targeted: 0.55
        terms: [idiot]
`

func TestDefaultRulesParse(t *testing.T) {
	t.Parallel()
	rs, err := ParseRules("default.yaml", defaultRules)
	require.NoError(t, err)
	require.Len(t, rs.Hash(), 16)
	require.Greater(t, rs.termCount, 1500)
	for _, l := range DefaultLanguages {
		require.Contains(t, rs.langs, l)
	}
}

func TestRuleErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"syntax", "version: 1\nlanguages:\n  en: [unclosed\n", []string{"bad.yaml:"}},
		{"unknown field", "version: 1\nlanguages:\n  en:\n    lexicon: []\n", []string{"bad.yaml:4:", "lexicon"}},
		{"weight", strings.Replace(tinyRules, "weight: 0.3", "weight: 1.5", 1), []string{"bad.yaml:8:", "weight 1.5 is outside [0, 1]"}},
		{"label", strings.Replace(tinyRules, "label: insult", "label: rude", 1), []string{"bad.yaml:7:", `unknown label "rude"`}},
		{"short prefix", strings.Replace(tinyRules, "terms: [idiot]", "terms: [idiot, ab*]", 1), []string{"bad.yaml:10:", "at least four letters"}},
		{"language", strings.Replace(tinyRules, "  en:", "  english:", 1), []string{"bad.yaml:4:", "two-letter"}},
		{"version", strings.Replace(tinyRules, "version: 1", "version: 2", 1), []string{"bad.yaml:1:", "version must be 1"}},
		{"window", "signals:\n  window: soon\n" + tinyRules, []string{"bad.yaml:2:", "positive duration"}},
		{"near window", strings.Replace(tinyRules, "terms: [idiot]", "near: [they]\n        near_window: 20\n        terms: [idiot]", 1),
			[]string{"bad.yaml:11:", "near_window 20 is outside [1, 12]"}},
		{"near window alone", strings.Replace(tinyRules, "terms: [idiot]", "near_window: 3\n        terms: [idiot]", 1),
			[]string{"bad.yaml:10:", "near_window without near"}},
		{"named weight", strings.Replace(tinyRules, "targeted: 0.55", "targeted: 0.55\n        named: 1.2", 1),
			[]string{"bad.yaml:10:", "en.insult named: weight 1.2 is outside [0, 1]"}},
		{"named on spam", strings.Replace(strings.Replace(tinyRules, "label: insult", "label: money", 1), "targeted: 0.55", "named: 0.2", 1),
			[]string{"bad.yaml:9:", "named is for troll labels"}},
		{"disguised on spam", strings.Replace(strings.Replace(tinyRules, "label: insult", "label: money", 1), "targeted: 0.55", "disguised: true", 1),
			[]string{"bad.yaml:9:", "disguised is for troll labels"}},
		{"pointer frame", strings.Replace(tinyRules, "    lexicons:", "    pointer_frames: [that there]\n    lexicons:", 1),
			[]string{"bad.yaml:5:", `pointer frame "that there"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRules("bad.yaml", []byte(tc.yaml))
			require.Error(t, err)
			var re RuleErrors
			require.True(t, errors.As(err, &re), "error %T is not RuleErrors", err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestRulesValidationReportsEveryProblem(t *testing.T) {
	t.Parallel()
	bad := strings.Replace(strings.Replace(tinyRules, "weight: 0.3", "weight: -1", 1), "targeted: 0.55", "targeted: 2", 1)
	_, err := ParseRules("bad.yaml", []byte(bad))
	var re RuleErrors
	require.ErrorAs(t, err, &re)
	require.Len(t, re, 2)
	require.Equal(t, 8, re[0].Line)
	require.Equal(t, 9, re[1].Line)
}

type ruleFileBundle struct {
	dir, path string
	engine    *Engine
	hook      *test.Hook
}

func setupRuleFile(t *testing.T, content string) *ruleFileBundle {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	logger, hook := test.NewNullLogger()
	e, err := NewEngine(EngineConfig{RulesPath: path, Logger: logrus.NewEntry(logger), Languages: []string{"en", "fr"}})
	require.NoError(t, err)
	return &ruleFileBundle{dir: dir, path: path, engine: e, hook: hook}
}

func TestNewEngineRefusesBadRuleFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "rules.yaml")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(tinyRules, "label: insult", "label: rude", 1)), 0o644))
	_, err := NewEngine(EngineConfig{RulesPath: path, Languages: []string{"en", "fr"}})
	require.ErrorContains(t, err, "rules.yaml:7:")
}

func TestReloadKeepsOldRulesOnError(t *testing.T) {
	t.Parallel()
	b := setupRuleFile(t, tinyRules)
	old := b.engine.Ruleset()
	require.NoError(t, os.WriteFile(b.path, []byte("version: 1\nlanguages: [oops"), 0o644))
	require.Error(t, b.engine.Reload())
	require.Equal(t, old, b.engine.Ruleset())

	c := &message.Comment{ID: "x", Text: "You are an idiot, honestly, and everyone can see it.", CreatedAt: time.Unix(0, 0)}
	v, err := b.engine.Classify(context.Background(), c, DefaultPolicy())
	require.NoError(t, err)
	require.Equal(t, message.ActionReview, v.Action, "the old rules keep classifying")

	require.NoError(t, os.WriteFile(b.path, []byte(strings.Replace(tinyRules, "[idiot]", "[idiot, fool]", 1)), 0o644))
	require.NoError(t, b.engine.Reload())
	require.NotEqual(t, old, b.engine.Ruleset())
}

// TestWatchRulesFollowsConfigMapSwap drives the watcher with an injected
// clock: a Kubernetes ConfigMap update replaces the "..data" symlink the
// rule file points through, without touching the file's own path.
func TestWatchRulesFollowsConfigMapSwap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	v1 := filepath.Join(dir, "..2025_01_01")
	v2 := filepath.Join(dir, "..2025_01_02")
	require.NoError(t, os.Mkdir(v1, 0o755))
	require.NoError(t, os.Mkdir(v2, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(v1, "rules.yaml"), []byte(tinyRules), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(v2, "rules.yaml"), []byte(strings.Replace(tinyRules, "[idiot]", "[idiot, fool]", 1)), 0o644))
	require.NoError(t, os.Symlink(filepath.Base(v1), filepath.Join(dir, "..data")))
	path := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.Symlink(filepath.Join("..data", "rules.yaml"), path))

	logger, hook := test.NewNullLogger()
	e, err := NewEngine(EngineConfig{RulesPath: path, Logger: logrus.NewEntry(logger), Languages: []string{"en", "fr"}})
	require.NoError(t, err)
	first := e.Ruleset()

	ctx, cancel := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	hup := make(chan os.Signal)
	done := make(chan error, 1)
	go func() { done <- e.watch(ctx, tick, hup) }()

	// Swap the symlink atomically, as the kubelet does.
	tmp := filepath.Join(dir, "..data_tmp")
	require.NoError(t, os.Symlink(filepath.Base(v2), tmp))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, "..data")))
	tick <- time.Now()
	tick <- time.Now() // the second tick returns only after the first reload finished
	require.NotEqual(t, first, e.Ruleset(), "log: %v", hook.AllEntries())
	second := e.Ruleset()

	// A broken file is refused and logged; SIGHUP forces a read.
	require.NoError(t, os.WriteFile(filepath.Join(v2, "rules.yaml"), []byte("version: 1\nlanguages:\n  en:\n    lexicons: [{id: x, label: rude, terms: [a]}]\n"), 0o644))
	hup <- syscall.SIGHUP
	tick <- time.Now()
	require.Equal(t, second, e.Ruleset())
	cancel()
	require.NoError(t, <-done)

	var refused, reloaded bool
	for _, en := range hook.AllEntries() {
		refused = refused || strings.Contains(en.Message, "refused")
		reloaded = reloaded || strings.Contains(en.Message, "reloaded")
	}
	require.True(t, reloaded)
	require.True(t, refused)
}

func TestWatchRulesNeedsAFile(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	require.ErrorIs(t, e.WatchRules(context.Background()), ErrNoRulesPath)
}

func TestCheckStream(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	in := strings.Join([]string{
		`{"id":"1","text":"T'es vraiment un connard, tout le monde le sait."}`,
		``,
		`{"id":"2"}`,
		`not json`,
		`{"id":"3","text":"Merci pour cet article, très instructif sur la réforme des retraites."}`,
	}, "\n")
	var out bytes.Buffer
	require.NoError(t, CheckStream(context.Background(), e, strings.NewReader(in), &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4)
	require.Contains(t, lines[0], `"comment_id":"1"`)
	require.Contains(t, lines[0], `"action":"review"`)
	require.Contains(t, lines[0], `"language":{"code":"fr"`)
	require.Contains(t, lines[0], `"ruleset":"`+e.Ruleset()+`"`)
	require.Contains(t, lines[0], `"start":`)
	require.Equal(t, `{"line":3,"error":"text: is required"}`, lines[1])
	require.Contains(t, lines[2], `{"line":4,"error":"decoding comment JSON`)
	require.Contains(t, lines[3], `"action":"allow"`)
	require.Contains(t, lines[3], `"labels":[]`)
	require.Contains(t, lines[3], `"matches":[]`)
}

// TestLexiconConditions runs the two conditional lexicon options on a small
// rule file: near (a context phrase before the term) and unless_followed_by.
func TestLexiconConditions(t *testing.T) {
	t.Parallel()
	rs, err := ParseRules("cond.yaml", []byte(`version: 1
languages:
  en:
    lexicons:
      - id: en.dehumanising
        label: dehumanising
        weight: 0.6
        near: [these people, migrants]
        near_window: 5
        terms: [vermin, rats]
      - id: en.threat.find
        label: threat
        weight: 0.9
        unless_followed_by: [a, the]
        terms: [i will find you]
`))
	require.NoError(t, err)
	rules := func(text string) []string { return englishMatches(rs, text) }
	require.Equal(t, []string{"en.dehumanising:vermin"}, rules("These people are vermin."))
	require.Equal(t, []string{"en.dehumanising:rats"}, rules("The migrants, rats all of them"))
	require.Empty(t, rules("Rats live in the subway."), "no context")
	require.Empty(t, rules("The subway has rats, say these people."), "the context must come first")
	require.Empty(t, rules("Migrants are not vermin."), "counter-speech")
	require.Empty(t, rules("These people were here. Rats everywhere."), "another sentence")
	require.Equal(t, []string{"en.threat.find:i will find you"}, rules("I will find you, wherever you are"))
	require.Empty(t, rules("I will find you a better source."))
}

// TestCooccurrenceConditions covers also_near (a second cue anywhere)
// and speaks_to (the comment addresses someone).
func TestCooccurrenceConditions(t *testing.T) {
	t.Parallel()
	rs, err := ParseRules("cooc.yaml", []byte(`version: 1
languages:
  en:
    second_person: [you]
    possessives: [your]
    lexicons:
      - id: en.appearance.cooc
        label: insult
        weight: 0.5
        near: [diet, belly]
        near_anywhere: true
        also_near: [presenter, you]
        terms: [walrus, emojipig]
      - id: en.belittle
        label: insult
        weight: 0.5
        speaks_to: true
        near: [school, crayons]
        near_anywhere: true
        terms: [above your pay grade, out of depth]
`))
	require.NoError(t, err)
	rules := func(text string) []string { return englishMatches(rs, text) }
	require.Equal(t, []string{"en.appearance.cooc:walrus"}, rules("That presenter needs a diet. A walrus on screen."))
	require.Equal(t, []string{"en.appearance.cooc:emojipig"}, rules("Look at that belly 🐷, presenter of the year"))
	require.Empty(t, rules("The walrus diet is mostly clams."), "no person")
	require.Empty(t, rules("The presenter showed a walrus on screen."), "no body cue")
	require.Equal(t, []string{"en.belittle:above your pay grade"}, rules("School policy is above your pay grade."))
	require.Empty(t, rules("Out of depth at school, the new head teacher resigned."), "nobody addressed")
	require.Empty(t, rules("Above your pay grade, you say?"), "no second cue")
}

func TestPointersAndPossessives(t *testing.T) {
	t.Parallel()
	rs, err := ParseRules("point.yaml", []byte(`version: 1
languages:
  en:
    determiners: [a, an, the, this]
    possessives: [your]
    relatives: [friend, face]
    plurals: [s]
    pointers: [this guy, that one]
    pointer_frames: [that ... there]
    lexicons:
      - id: en.insult
        label: insult
        weight: 0.3
        targeted: 0.55
        terms: [idiot, moron, ugly]
`))
	require.NoError(t, err)
	aimed := func(text string) bool {
		n := rs.norm.Prepare(text)
		for _, m := range rs.matchLexicons(rs.rules("en"), "en", n.Tokens, nil) {
			if m.m.Label == "targeted" {
				return true
			}
		}
		return false
	}
	for _, s := range []string{
		"What an idiot this guy.", "Idiot, that one.", "This guy is really an idiot.",
		"That moron there again.", "Your friends are morons.", "Your ugly face.",
	} {
		require.True(t, aimed(s), s)
	}
	for _, s := range []string{
		"This guy said the idea was idiotic and moronic, a stupid idea.", "Your friends are not morons.",
		"Your friend was right. The plan is idiot proof.", "That moron, there is no doubt.",
		"Quoting: \"what an idiot this guy\".",
	} {
		require.False(t, aimed(s), s)
	}
}

// englishMatches lists "rule:normalised" for each lexicon match of text
// read with rs's English rules.
func englishMatches(rs *RuleSet, text string) []string {
	n := rs.norm.Prepare(text)
	var out []string
	for _, m := range rs.matchLexicons(rs.rules("en"), "en", n.Tokens, nil) {
		out = append(out, m.m.Rule+":"+m.m.Normalized)
	}
	return out
}
