package classify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/vigie-moderation/vigie/internal/message"
)

// The labels of the evaluation corpus.
const (
	LabelOK    = "ok"
	LabelSpam  = "spam"
	LabelTroll = "troll"
)

var evalLabels = []string{LabelOK, LabelSpam, LabelTroll}

// LabelledComment is one line of an evaluation corpus: a Comment (the
// DESIGN.md contract) with the expected outcome beside it.
type LabelledComment struct {
	message.Comment
	// Label is "ok", "spam" or "troll".
	Label string `json:"label"`
	// Category refines the label (insult, threat, money, quote ...).
	Category string `json:"category"`
	// Lang is the language the comment is really written in.
	Lang string `json:"lang"`
	// HardNegative marks an ok comment built to tempt a filter: heated but
	// civil, quoting an insult, swearing at a thing.
	HardNegative bool `json:"hard_negative"`
	// Disguised marks spam or abuse written to dodge filters.
	Disguised bool `json:"disguised"`

	// golden marks a golden case (GoldenCase.Labelled).
	golden bool
}

// PRF holds precision, recall and F1 for one label.
type PRF struct {
	TP, FP, FN int
	Precision  float64
	Recall     float64
	F1         float64
}

func (p *PRF) finish() {
	if p.TP+p.FP > 0 {
		p.Precision = float64(p.TP) / float64(p.TP+p.FP)
	} else {
		p.Precision = 1
	}
	if p.TP+p.FN > 0 {
		p.Recall = float64(p.TP) / float64(p.TP+p.FN)
	} else {
		p.Recall = 1
	}
	if p.Precision+p.Recall > 0 {
		p.F1 = 2 * p.Precision * p.Recall / (p.Precision + p.Recall)
	}
}

// EvalMiss is a comment the classifier got wrong.
type EvalMiss struct {
	ID       string          `json:"id"`
	Lang     string          `json:"lang"`
	Want     string          `json:"want"`
	Got      string          `json:"got"`
	Category string          `json:"category"`
	Text     string          `json:"text"`
	Scores   message.Scores  `json:"scores"`
	Matches  []message.Match `json:"matches"`
}

// Report is the outcome of Evaluate.
type Report struct {
	Total int
	// Labels holds precision, recall and F1 per label.
	Labels map[string]*PRF
	// Languages holds the same per language (by the corpus's lang field).
	Languages map[string]map[string]*PRF
	// Confusion counts comments by expected label, then predicted label.
	Confusion map[string]map[string]int
	// HardNegatives counts the hard negatives and how many were flagged.
	HardNegatives, HardNegativesFlagged int
	// Disguised counts disguised abuse and spam, and how many were caught.
	Disguised, DisguisedCaught int
	// LangIDTotal and LangIDCorrect count comments of LangIDMinChars or more
	// characters and how many got their language right.
	LangIDTotal, LangIDCorrect int
	// LangIDAllTotal and LangIDAllCorrect count every comment.
	LangIDAllTotal, LangIDAllCorrect int
	// FalsePositives are comments flagged with the wrong label (or flagged
	// when ok); FalseNegatives are spam or abuse let through or mislabelled.
	FalsePositives, FalseNegatives []EvalMiss
	// BadLines are input lines that could not be used, with their error.
	BadLines []string
}

// LangIDMinChars is the length from which language identification is held
// to its accuracy target.
const LangIDMinChars = 30

// HardNegativeRate is the share of hard negatives flagged.
func (r *Report) HardNegativeRate() float64 {
	if r.HardNegatives == 0 {
		return 0
	}
	return float64(r.HardNegativesFlagged) / float64(r.HardNegatives)
}

// LangIDAccuracy is language-ID accuracy on comments of LangIDMinChars or more.
func (r *Report) LangIDAccuracy() float64 {
	if r.LangIDTotal == 0 {
		return 0
	}
	return float64(r.LangIDCorrect) / float64(r.LangIDTotal)
}

// parseLabelled decodes one corpus line and checks its label.
func parseLabelled(raw []byte) (LabelledComment, error) {
	var lc LabelledComment
	if err := json.Unmarshal(raw, &lc); err != nil {
		return lc, err
	}
	if lc.Label != LabelOK && lc.Label != LabelSpam && lc.Label != LabelTroll {
		return lc, fmt.Errorf("label %q is not ok, spam or troll", lc.Label)
	}
	return lc, nil
}

// PredictedLabel reads a verdict as a corpus label: "ok" when allowed, else
// the category that reached its review threshold (the higher score when
// both did).
func PredictedLabel(v message.Verdict, p Policy) string {
	if v.Action == message.ActionAllow {
		return LabelOK
	}
	spam := v.Scores.Spam >= p.SpamReview
	troll := v.Scores.Troll >= p.TrollReview
	switch {
	case spam && troll:
		if v.Scores.Spam > v.Scores.Troll {
			return LabelSpam
		}
		return LabelTroll
	case spam:
		return LabelSpam
	}
	return LabelTroll
}

// Evaluate is `vigie eval`: it classifies every labelled comment of in (JSON
// lines, see LabelledComment) under the default policy, in order, and
// writes a report to out — precision, recall and F1 per label and per
// language, the confusion matrix, each false positive and negative with its
// matches, the hard-negative rate and language-ID accuracy. The Report
// carries the same numbers for tests.
func Evaluate(ctx context.Context, c Classifier, in io.Reader, out io.Writer) (Report, error) {
	r := Report{
		Labels:    map[string]*PRF{},
		Languages: map[string]map[string]*PRF{},
		Confusion: map[string]map[string]int{},
	}
	for _, l := range evalLabels {
		r.Labels[l] = &PRF{}
		r.Confusion[l] = map[string]int{}
	}
	p := DefaultPolicy()
	err := eachLine(ctx, in, func(line int, raw []byte) error {
		lc, err := parseLabelled(raw)
		if err != nil {
			r.BadLines = append(r.BadLines, fmt.Sprintf("line %d: %v", line, err))
			return nil
		}
		if lc.V == 0 {
			lc.V = message.Version
		}
		if lc.Tenant == "" {
			lc.Tenant = "eval"
		}
		v, err := c.Classify(ctx, &lc.Comment, p)
		if err != nil {
			return fmt.Errorf("classifying line %d: %w", line, err)
		}
		r.add(&lc, v, PredictedLabel(v, p))
		return nil
	})
	if err != nil {
		return r, err
	}
	for _, prf := range r.Labels {
		prf.finish()
	}
	for _, m := range r.Languages {
		for _, prf := range m {
			prf.finish()
		}
	}
	if err := r.Write(out); err != nil {
		return r, fmt.Errorf("writing report: %w", err)
	}
	return r, nil
}

func (r *Report) add(lc *LabelledComment, v message.Verdict, got string) {
	want := lc.Label
	r.Total++
	r.Confusion[want][got]++
	lang := lc.Lang
	if lang == "" {
		lang = "?"
	}
	if r.Languages[lang] == nil {
		r.Languages[lang] = map[string]*PRF{}
		for _, l := range evalLabels {
			r.Languages[lang][l] = &PRF{}
		}
	}
	for _, set := range []map[string]*PRF{r.Labels, r.Languages[lang]} {
		if got == want {
			set[want].TP++
		} else {
			set[want].FN++
			set[got].FP++
		}
	}
	if lc.HardNegative {
		r.HardNegatives++
		if got != LabelOK {
			r.HardNegativesFlagged++
		}
	}
	if lc.Disguised {
		r.Disguised++
		if got == want {
			r.DisguisedCaught++
		}
	}
	if lc.Lang != "" {
		ok := v.Language.Code == lc.Lang
		r.LangIDAllTotal++
		if ok {
			r.LangIDAllCorrect++
		}
		if utf8.RuneCountInString(lc.Text) >= LangIDMinChars {
			r.LangIDTotal++
			if ok {
				r.LangIDCorrect++
			}
		}
	}
	if got != want {
		miss := EvalMiss{ID: lc.ID, Lang: lang, Want: want, Got: got, Category: lc.Category, Text: lc.Text, Scores: v.Scores, Matches: v.Matches}
		if got != LabelOK {
			r.FalsePositives = append(r.FalsePositives, miss)
		}
		if want != LabelOK {
			r.FalseNegatives = append(r.FalseNegatives, miss)
		}
	}
}

// Write prints the report as text.
func (r *Report) Write(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "comments: %d\n\n", r.Total)
	fmt.Fprintf(b, "%-8s %9s %9s %9s %5s %5s %5s\n", "label", "precision", "recall", "f1", "tp", "fp", "fn")
	for _, l := range evalLabels {
		p := r.Labels[l]
		fmt.Fprintf(b, "%-8s %9.3f %9.3f %9.3f %5d %5d %5d\n", l, p.Precision, p.Recall, p.F1, p.TP, p.FP, p.FN)
	}
	fmt.Fprintf(b, "\nper language (precision/recall/f1)\n%-5s", "lang")
	for _, l := range evalLabels {
		fmt.Fprintf(b, " %-20s", l)
	}
	b.WriteByte('\n')
	langs := make([]string, 0, len(r.Languages))
	for l := range r.Languages {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, lang := range langs {
		fmt.Fprintf(b, "%-5s", lang)
		for _, l := range evalLabels {
			p := r.Languages[lang][l]
			fmt.Fprintf(b, " %-20s", fmt.Sprintf("%.2f/%.2f/%.2f", p.Precision, p.Recall, p.F1))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(b, "\nconfusion (rows: expected, columns: predicted)\n%-8s", "")
	for _, l := range evalLabels {
		fmt.Fprintf(b, " %6s", l)
	}
	b.WriteByte('\n')
	for _, want := range evalLabels {
		fmt.Fprintf(b, "%-8s", want)
		for _, got := range evalLabels {
			fmt.Fprintf(b, " %6d", r.Confusion[want][got])
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(b, "\nhard negatives flagged: %d/%d (%.1f%%)\n", r.HardNegativesFlagged, r.HardNegatives, 100*r.HardNegativeRate())
	fmt.Fprintf(b, "disguised caught: %d/%d\n", r.DisguisedCaught, r.Disguised)
	fmt.Fprintf(b, "language ID (>= %d chars): %d/%d (%.1f%%); all comments: %d/%d\n", LangIDMinChars,
		r.LangIDCorrect, r.LangIDTotal, 100*r.LangIDAccuracy(), r.LangIDAllCorrect, r.LangIDAllTotal)
	for _, sec := range []struct {
		name string
		ms   []EvalMiss
	}{{"false positives", r.FalsePositives}, {"false negatives", r.FalseNegatives}} {
		fmt.Fprintf(b, "\n%s: %d\n", sec.name, len(sec.ms))
		for _, m := range sec.ms {
			fmt.Fprintf(b, "- %s [%s] want %s (%s), got %s, spam %.2f troll %.2f: %q\n", m.ID, m.Lang, m.Want, m.Category, m.Got, m.Scores.Spam, m.Scores.Troll, m.Text)
			for _, mt := range m.Matches {
				fmt.Fprintf(b, "    %s %s %+.2f [%d,%d) %q\n", mt.Rule, mt.Label, mt.Weight, mt.Start, mt.End, mt.Normalized)
			}
		}
	}
	if len(r.BadLines) > 0 {
		fmt.Fprintf(b, "\nunusable lines: %d\n", len(r.BadLines))
		for _, l := range r.BadLines {
			fmt.Fprintf(b, "- %s\n", l)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
