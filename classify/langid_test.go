package classify

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// strategies are the ways language detection can run: the hybrid the engine
// uses, and lingua alone for comparison.
var strategies = []struct {
	name                string
	fastWords, lowFirst bool
}{
	{"hybrid", true, true},
	{"lingua-low-then-high", false, true},
	{"lingua-high", false, false},
}

type langSample struct {
	text, lang string
}

func loadLangSamples(tb testing.TB) []langSample {
	tb.Helper()
	f, err := os.Open("testdata/corpus.jsonl")
	require.NoError(tb, err)
	defer f.Close()
	var out []langSample
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, maxLineBytes)
	for sc.Scan() {
		var lc LabelledComment
		require.NoError(tb, json.Unmarshal(sc.Bytes(), &lc))
		out = append(out, langSample{lc.Text, lc.Lang})
	}
	return out
}

func strategyDetector(e *Engine, fast, low bool) *detector {
	d := *e.det
	d.fastWords, d.lowFirst = fast, low
	return &d
}

// TestLanguageIDStrategies checks that the fast hybrid detection loses no
// accuracy against lingua's high-accuracy mode on comments of 30 characters
// or more, and that it reaches the 97% target.
func TestLanguageIDStrategies(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	samples := loadLangSamples(t)
	acc := map[string]float64{}
	for _, s := range strategies {
		d := strategyDetector(e, s.fastWords, s.lowFirst)
		total, right := 0, 0
		for _, ls := range samples {
			if utf8.RuneCountInString(ls.text) < LangIDMinChars {
				continue
			}
			n := e.rules.Load().norm.Prepare(ls.text)
			total++
			if d.detect(n, nil).code == ls.lang {
				right++
			}
		}
		acc[s.name] = float64(right) / float64(total)
		t.Logf("%-22s %d/%d = %.3f", s.name, right, total, acc[s.name])
	}
	require.GreaterOrEqual(t, acc["hybrid"], 0.97)
	require.GreaterOrEqual(t, acc["hybrid"], acc["lingua-high"]-0.005, "the fast path must not cost accuracy")
}

// BenchmarkDetect compares the cost of the detection strategies over the
// corpus mix (normalisation included, as the engine needs it anyway).
func BenchmarkDetect(b *testing.B) {
	e := sharedEngine(b)
	samples := loadLangSamples(b)
	norm := e.rules.Load().norm
	prepared := make([]*Normalized, len(samples))
	for i, s := range samples {
		prepared[i] = norm.Prepare(s.text)
	}
	for _, s := range strategies {
		d := strategyDetector(e, s.fastWords, s.lowFirst)
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				d.detect(prepared[n%len(prepared)], nil)
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "comments/s")
		})
	}
}
