package classify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// TrainOptions tunes TrainModel. The zero value means the defaults the
// built-in models were trained with.
type TrainOptions struct {
	// Label is the category the model learns: comments with that label are
	// its positives, all others its negatives. Default troll.
	Label Category
	// C is the inverse strength of the L2 penalty, as in the usual
	// formulation C·Σloss + ½‖w‖². Default 10.
	C float64
	// Iterations of full-batch Adam. Default 400.
	Iterations int
	// MinDocs drops features seen in fewer comments. Default 2.
	MinDocs int
	// HardWeight counts each hard negative (an ok comment marked
	// hard_negative) this many times: a held honest comment costs a
	// publisher more than a missed troll the moderators may still see.
	// Default 2.
	HardWeight float64
	// GoldenWeight counts each allowed golden case this many times: they
	// are the innocent neighbours a rule author wrote on purpose, the
	// closest calls. Default 3.
	GoldenWeight float64
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Label == "" {
		o.Label = CategoryTroll
	}
	if o.C <= 0 {
		o.C = 10
	}
	if o.Iterations <= 0 {
		o.Iterations = 400
	}
	if o.MinDocs <= 0 {
		o.MinDocs = 2
	}
	if o.HardWeight <= 0 {
		o.HardWeight = 2
	}
	if o.GoldenWeight <= 0 {
		o.GoldenWeight = 3
	}
	return o
}

// ReadLabelled reads labelled comments, one JSON object per line (the
// corpus format of `vigie eval`). Blank lines are skipped; a line that does
// not parse or has another label than ok, spam or troll is an error naming
// the line.
func ReadLabelled(name string, in io.Reader) ([]LabelledComment, error) {
	var out []LabelledComment
	var bad error
	err := eachLine(context.Background(), in, func(line int, raw []byte) error {
		lc, err := parseLabelled(raw)
		if err != nil {
			bad = fmt.Errorf("%s:%d: %v", name, line, err)
			return bad
		}
		out = append(out, lc)
		return nil
	})
	switch {
	case err == nil:
		return out, nil
	case err == bad:
		return nil, err
	}
	return nil, fmt.Errorf("%s: %w", name, err)
}

// trainDoc is one comment as the trainer sees it: the vocabulary indices of
// its distinct features and the value each carries (1/√n).
type trainDoc struct {
	idx []int32
	x   float64
	y   float64
	c   float64 // how many times it counts
}

// TrainModel fits a model of the category opt.Label to labelled comments,
// reading each with the engine's current normaliser, and returns it in its
// text form (see ParseModel). Comments with that label are the positives,
// all others the negatives. The result depends only on the comments, their order and the
// options, so a committed model can be checked against its corpora.
func (e *Engine) TrainModel(comments []LabelledComment, opt TrainOptions) ([]byte, error) {
	opt = opt.withDefaults()
	if opt.Label != CategoryTroll && opt.Label != CategorySpam {
		return nil, fmt.Errorf("label %q: want troll or spam", opt.Label)
	}
	if len(comments) == 0 {
		return nil, fmt.Errorf("no labelled comments to train on")
	}
	norm := e.rules.Load().norm
	var buf featureBuf
	// Distinct features per comment, as strings, in first-seen order.
	docs := make([][]string, len(comments))
	df := map[string]int{}
	for i := range comments {
		seen := map[string]bool{}
		eachFeature(norm.Prepare(comments[i].Text).Tokens, &buf, func(key []byte, _, _ int) {
			if !seen[string(key)] {
				seen[string(key)] = true
				docs[i] = append(docs[i], string(key))
			}
		})
		for _, f := range docs[i] {
			df[f]++
		}
	}
	var vocab []string
	for f, n := range df {
		if n >= opt.MinDocs {
			vocab = append(vocab, f)
		}
	}
	sort.Strings(vocab)
	index := make(map[string]int32, len(vocab))
	for i, f := range vocab {
		index[f] = int32(i)
	}
	td := make([]trainDoc, len(comments))
	pos := 0
	for i, fs := range docs {
		d := trainDoc{c: 1}
		switch {
		case comments[i].golden && comments[i].Label == LabelOK:
			d.c = opt.GoldenWeight
		case comments[i].HardNegative:
			d.c = opt.HardWeight
		}
		if len(fs) > 0 {
			d.x = 1 / math.Sqrt(float64(len(fs)))
		}
		for _, f := range fs {
			if j, ok := index[f]; ok {
				d.idx = append(d.idx, j)
			}
		}
		if comments[i].Label == string(opt.Label) {
			d.y = 1
			pos++
		}
		td[i] = d
	}
	if pos == 0 || pos == len(td) {
		return nil, fmt.Errorf("need both %s and other comments to train on, have %d of %d %s", opt.Label, pos, len(td), opt.Label)
	}
	w, bias := fitLogistic(td, len(vocab), opt.C, opt.Iterations)

	var out bytes.Buffer
	fmt.Fprintf(&out, "%s\nlabel %s\n// Trained by `vigie train` on %d comments (%d %s), %d features\n", modelHeader, opt.Label, len(td), pos, opt.Label, len(vocab))
	fmt.Fprintf(&out, "// seen in at least %d comments; C=%g, hard negatives x%g, golden allow cases x%g,\n// %d iterations. Regenerate with `make model`.\n", opt.MinDocs, opt.C, opt.HardWeight, opt.GoldenWeight, opt.Iterations)
	fmt.Fprintf(&out, "bias %s\n", strconv.FormatFloat(bias, 'g', 6, 64))
	for i, f := range vocab {
		// Weights too small to move a score are left out; they would only
		// make the file longer.
		if math.Abs(w[i]) < 0.005 {
			continue
		}
		fmt.Fprintf(&out, "%s\t%s\n", strconv.FormatFloat(w[i], 'g', 4, 64), f)
	}
	return out.Bytes(), nil
}

// fitLogistic minimises the mean logistic loss plus λ/2‖w‖² (the bias is
// not penalised) by full-batch Adam from zero. Full batches in a fixed
// order keep the result reproducible.
func fitLogistic(docs []trainDoc, features int, c float64, iterations int) ([]float64, float64) {
	const (
		rate   = 0.05
		beta1  = 0.9
		beta2  = 0.999
		epsAdm = 1e-8
	)
	n := 0.0
	for _, d := range docs {
		n += d.c
	}
	w := make([]float64, features+1) // the last one is the bias
	g := make([]float64, features+1)
	m1 := make([]float64, features+1)
	m2 := make([]float64, features+1)
	lambda := 1 / (c * n)
	b1, b2 := 1.0, 1.0
	for it := 0; it < iterations; it++ {
		clear(g)
		for _, d := range docs {
			z := w[features]
			for _, j := range d.idx {
				z += w[j] * d.x
			}
			r := d.c * (sigmoid(z) - d.y) / n
			for _, j := range d.idx {
				g[j] += r * d.x
			}
			g[features] += r
		}
		for j := 0; j < features; j++ {
			g[j] += lambda * w[j]
		}
		b1 *= beta1
		b2 *= beta2
		for j := range w {
			m1[j] = beta1*m1[j] + (1-beta1)*g[j]
			m2[j] = beta2*m2[j] + (1-beta2)*g[j]*g[j]
			w[j] -= rate * (m1[j] / (1 - b1)) / (math.Sqrt(m2[j]/(1-b2)) + epsAdm)
		}
	}
	return w[:features], w[features]
}
