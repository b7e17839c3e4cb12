package classify

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigie-moderation/vigie/internal/message"
)

// GoldenCase is one block of a golden file (classify/testdata/golden/*.txt):
// a comment and the verdict the rules must give it. The rule tests run
// them; the troll model trains on them, so the innocent neighbours written
// beside each rule family teach it what not to flag.
type GoldenCase struct {
	// File and Line say where the block starts.
	File string
	Line int
	// Text is the comment; Thread its thread language, when given.
	Text   string
	Thread string
	// Action is allow, review or reject; Labels the verdict's labels in
	// order (nil when the block does not say, empty for "-").
	Action string
	Labels []string
	// Spans are the matches the verdict must hold: rule and original text.
	Spans [][2]string
	// Lang is the language the verdict must carry, when given.
	Lang string
}

// ReadGolden parses a golden file: blocks separated by blank lines, each
// starting with "> text" and followed by "thread xx", "action A",
// "labels a, b" (or "-"), "span RULE \"text\"" and "lang xx" lines; lines
// starting with "#" are comments. Errors name the line.
func ReadGolden(name string, in io.Reader) ([]GoldenCase, error) {
	var out []GoldenCase
	var cur *GoldenCase
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), maxLineBytes)
	ln := 0
	for sc.Scan() {
		ln++
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "":
			continue
		case strings.HasPrefix(l, "> "):
			out = append(out, GoldenCase{File: filepath.Base(name), Line: ln, Text: l[2:]})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("%s:%d: directive before the first \"> text\" line", name, ln)
		}
		key, val, _ := strings.Cut(l, " ")
		switch key {
		case "thread":
			cur.Thread = val
		case "action":
			cur.Action = val
		case "lang":
			cur.Lang = val
		case "labels":
			cur.Labels = []string{}
			if val != "-" {
				for _, s := range strings.Split(val, ",") {
					cur.Labels = append(cur.Labels, strings.TrimSpace(s))
				}
			}
		case "span":
			rule, quoted, ok := strings.Cut(val, " ")
			if !ok || len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
				return nil, fmt.Errorf("%s:%d: want span RULE \"text\"", name, ln)
			}
			cur.Spans = append(cur.Spans, [2]string{rule, quoted[1 : len(quoted)-1]})
		default:
			return nil, fmt.Errorf("%s:%d: unknown directive %q", name, ln, key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, ln+1, err)
	}
	for _, c := range out {
		switch c.Action {
		case string(message.ActionAllow), string(message.ActionReview), string(message.ActionReject):
		default:
			return nil, fmt.Errorf("%s:%d: want an action line: allow, review or reject", name, c.Line)
		}
	}
	return out, nil
}

// Labelled reads the case as a labelled comment for training: an allowed
// comment is a hard negative (golden allow cases are innocent neighbours
// of a rule), a flagged one is spam when spam is its first label and
// trolling otherwise (Engine.LabelGolden asks the rules when the case
// lists no labels).
func (g GoldenCase) Labelled() LabelledComment {
	lc := LabelledComment{golden: true, Comment: message.Comment{
		V: message.Version, ID: fmt.Sprintf("%s:%d", g.File, g.Line), Text: g.Text, ThreadLang: g.Thread,
	}}
	switch {
	case g.Action == string(message.ActionAllow):
		lc.Label, lc.HardNegative = LabelOK, true
	case len(g.Labels) > 0 && g.Labels[0] == LabelSpam:
		lc.Label = LabelSpam
	default:
		lc.Label = LabelTroll
	}
	return lc
}

// LabelGolden turns golden cases into labelled comments for training (see
// GoldenCase.Labelled). A flagged case that does not list its labels gets
// the category the rules alone give it, without the model and the
// duplicate and velocity signals.
func (e *Engine) LabelGolden(ctx context.Context, cases []GoldenCase) ([]LabelledComment, error) {
	rules := *e.rules.Load()
	rules.models = nil
	out := make([]LabelledComment, 0, len(cases))
	for _, g := range cases {
		lc := g.Labelled()
		if g.Action != string(message.ActionAllow) && g.Labels == nil {
			v, err := e.classify(ctx, &rules, &lc.Comment, DefaultPolicy(), nil)
			if err != nil {
				return nil, err
			}
			if PredictedLabel(v, DefaultPolicy()) == LabelSpam {
				lc.Label = LabelSpam
			}
		}
		out = append(out, lc)
	}
	return out, nil
}

// ReadTrainingFile reads one training file: a golden file (.txt, labelled
// by LabelGolden) or a labelled corpus (any other name, see ReadLabelled).
func (e *Engine) ReadTrainingFile(ctx context.Context, path string) ([]LabelledComment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if !strings.HasSuffix(path, ".txt") {
		return ReadLabelled(path, f)
	}
	cases, err := ReadGolden(path, f)
	if err != nil {
		return nil, err
	}
	return e.LabelGolden(ctx, cases)
}
