package classify

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/vigie-moderation/vigie/internal/message"
)

// The learned models are a second opinion for what the lexicons do not
// list: one logistic regression per category (troll, spam) over the words,
// word pairs and letter n-grams of a comment's matching form, trained on
// the labelled corpora and golden files in classify/testdata by `vigie
// train` (make model). Writers of abuse change words from one round to the
// next; letter n-grams ("connard", "conasse", "connerie" share "<con") and
// the company words keep ("toi", "you", "!") carry over where a phrase list
// does not.
//
// A model only ever sends a comment to review, never rejects it, and its
// flag is explained like a rule's: one match per word that pushed the
// score most.

//go:embed rules/troll.model
var defaultTrollModel []byte

//go:embed rules/spam.model
var defaultSpamModel []byte

// DefaultModel returns the model of a category built into the binary, in
// its text form (see ParseModel), or nil for an unknown category.
func DefaultModel(c Category) []byte {
	switch c {
	case CategoryTroll:
		return bytes.Clone(defaultTrollModel)
	case CategorySpam:
		return bytes.Clone(defaultSpamModel)
	}
	return nil
}

// Model is a trained model of one category. It is read-only once parsed
// and safe for concurrent use.
type Model struct {
	category Category
	bias     float64
	weights  map[uint64]float32
	hash     string
}

// featureSeed hashes feature strings. It is fixed per process: a model's
// weights are keyed by it when the model is parsed, and features are hashed
// with it when a comment is scored.
var featureSeed = maphash.MakeSeed()

func featureHash(b []byte) uint64 { return maphash.Bytes(featureSeed, b) }

// Model file format: a header line "vigie-model 1", a line "label troll"
// or "label spam", a line "bias B", then one line per feature,
// "WEIGHT<TAB>FEATURE". A feature is a word
// ("idiot"), two words separated by a space ("t es"), or a letter n-gram of
// one word marked with "#" and with "<" and ">" at the word's edges
// ("#<idi"). Blank lines and lines starting with "//" are ignored.
const modelHeader = "vigie-model 1"

// ParseModel reads a model in its text form. Errors name the line.
func ParseModel(name string, data []byte) (*Model, error) {
	m := &Model{weights: make(map[uint64]float32, bytes.Count(data, []byte{'\n'}))}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line, header, label, bias := 0, false, false, false
	for sc.Scan() {
		line++
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "//") {
			continue
		}
		switch {
		case !header:
			if l != modelHeader {
				return nil, fmt.Errorf("%s:%d: want %q as the first line", name, line, modelHeader)
			}
			header = true
		case !label:
			v, _ := strings.CutPrefix(l, "label ")
			if c := Category(v); c != CategoryTroll && c != CategorySpam {
				return nil, fmt.Errorf("%s:%d: want \"label troll\" or \"label spam\" after the header", name, line)
			}
			m.category, label = Category(v), true
		case !bias:
			v, ok := strings.CutPrefix(l, "bias ")
			b, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil || math.IsNaN(b) || math.IsInf(b, 0) {
				return nil, fmt.Errorf("%s:%d: want \"bias NUMBER\" after the label", name, line)
			}
			m.bias, bias = b, true
		default:
			ws, feat, ok := strings.Cut(l, "\t")
			w, err := strconv.ParseFloat(ws, 32)
			if !ok || err != nil || feat == "" || math.IsNaN(w) || math.IsInf(w, 0) || !utf8.ValidString(feat) {
				return nil, fmt.Errorf("%s:%d: want \"WEIGHT<TAB>FEATURE\"", name, line)
			}
			h := featureHash([]byte(feat))
			if _, dup := m.weights[h]; dup {
				return nil, fmt.Errorf("%s:%d: feature %q listed twice", name, line, feat)
			}
			m.weights[h] = float32(w)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !bias {
		return nil, fmt.Errorf("%s: not a model: want %q, a label and a bias line", name, modelHeader)
	}
	sum := sha256.Sum256(data)
	m.hash = hex.EncodeToString(sum[:8])
	return m, nil
}

// Hash is the first 16 hex digits of the SHA-256 of the model file.
func (m *Model) Hash() string { return m.hash }

// Category is the score the model feeds: troll or spam.
func (m *Model) Category() Category { return m.category }

// Features returns how many weighted features the model holds.
func (m *Model) Features() int { return len(m.weights) }

// featureBuf is scratch space reused across comments.
type featureBuf struct {
	key   []byte
	edges []int
	seen  []uint64 // open-addressing set of feature hashes; 0 is empty
	feats []feature
}

// feature is the first occurrence of a distinct feature in a comment: its
// hash and the tokens it came from (b is a for a single word).
type feature struct {
	h    uint64
	a, b int32
}

var featureBufs = sync.Pool{New: func() any { return &featureBuf{} }}

// resetSeen sizes the seen set for up to n features and empties it.
func (buf *featureBuf) resetSeen(n int) {
	size := 64
	for size < 2*n {
		size <<= 1
	}
	if cap(buf.seen) < size {
		buf.seen = make([]uint64, size)
		return
	}
	buf.seen = buf.seen[:size]
	clear(buf.seen)
}

// firstSeen adds h to the seen set and reports whether it was new.
func (buf *featureBuf) firstSeen(h uint64) bool {
	if h == 0 {
		h = 1
	}
	mask := uint64(len(buf.seen) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch buf.seen[i] {
		case 0:
			buf.seen[i] = h
			return true
		case h:
			return false
		}
	}
}

// Model features, shared by training and scoring.
const (
	minGram = 3
	maxGram = 5
)

// eachFeature calls fn for every feature occurrence of the tokens, in
// order, with the feature's text (valid only during the call).
func eachFeature(toks []Token, buf *featureBuf, fn func(key []byte, a, b int)) {
	for i := range toks {
		w := toks[i].Text
		if w == "" {
			continue
		}
		buf.key = append(buf.key[:0], w...)
		fn(buf.key, i, i)
		if i+1 < len(toks) && toks[i+1].Text != "" {
			buf.key = append(append(buf.key, ' '), toks[i+1].Text...)
			fn(buf.key, i, i+1)
		}
		// Letter n-grams of "<word>", cut on rune boundaries.
		buf.key = append(append(append(buf.key[:0], "#<"...), w...), '>')
		buf.edges = buf.edges[:0]
		for j := 1; j <= len(buf.key); {
			buf.edges = append(buf.edges, j)
			if j == len(buf.key) {
				break
			}
			_, size := utf8.DecodeRune(buf.key[j:])
			j += size
		}
		// edges[k] is the byte offset of the k-th rune after "#".
		for n := minGram; n <= maxGram; n++ {
			for k := 0; k+n < len(buf.edges); k++ {
				g := buf.key[buf.edges[k]:buf.edges[k+n]]
				// Put the "#" marker in front without copying the word
				// again: the gram is rebuilt at the buffer's end.
				start := len(buf.key)
				buf.key = append(append(buf.key, '#'), g...)
				fn(buf.key[start:], i, i)
				buf.key = buf.key[:start]
			}
		}
	}
}

// modelReading is a model's reading of one comment: the probability that
// it belongs to the model's category, and each token's share of the
// evidence for it.
type modelReading struct {
	p     float64
	share []float64 // per token; positive pushes toward the category
}

// distinct returns the distinct features of the tokens, each at its first
// occurrence, in order. The slice is the buffer's and is valid until its
// next use; every model of a rule set reads the same one.
func (buf *featureBuf) distinct(toks []Token) []feature {
	bound := 0
	for i := range toks {
		bound += 2 + 3*(len(toks[i].Text)+2)
	}
	buf.resetSeen(bound)
	buf.feats = buf.feats[:0]
	eachFeature(toks, buf, func(key []byte, a, b int) {
		if h := featureHash(key); buf.firstSeen(h) {
			buf.feats = append(buf.feats, feature{h: h, a: int32(a), b: int32(b)})
		}
	})
	return buf.feats
}

// read scores a comment of ntok tokens from its distinct features. Every
// distinct feature weighs 1/√n, n the number of distinct features, whether
// the model knows it or not (the form the model was trained on); a feature
// that repeats counts once, for the tokens where it first appears.
func (m *Model) read(feats []feature, ntok int) modelReading {
	r := modelReading{share: make([]float64, ntok)}
	if len(feats) == 0 {
		r.p = sigmoid(m.bias)
		return r
	}
	sum := 0.0
	for _, f := range feats {
		w, ok := m.weights[f.h]
		if !ok {
			continue
		}
		sum += float64(w)
		if f.a == f.b {
			r.share[f.a] += float64(w)
		} else {
			r.share[f.a] += float64(w) / 2
			r.share[f.b] += float64(w) / 2
		}
	}
	x := 1 / math.Sqrt(float64(len(feats)))
	for i := range r.share {
		r.share[i] *= x
	}
	r.p = sigmoid(m.bias + sum*x)
	return r
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// modelWords is how many words a model flag points at.
const modelWords = 3

// learned is a model the rule set runs and the probability from which it
// sends a comment to review.
type learned struct {
	model     *Model
	threshold float64
}

// secondOpinion asks the models about a comment the rules let through.
// When a model's probability reaches its threshold, the comment gets just
// enough weight in the model's category to reach the policy's review
// threshold — a model sends to review, it never rejects — spread over the
// words that pushed it most, each a "model.troll" or "model.spam" match
// labelled "learned". Comments the rules already flagged, as spam or
// troll, are left as they are, and so are comments where a rule guard
// cancelled abuse (quoted, reported, self-mockery): the models do not
// overrule the rules' reading.
func (rs *RuleSet) secondOpinion(n *Normalized, ms []scored, p Policy) []scored {
	if len(rs.models) == 0 || len(n.Tokens) == 0 {
		return ms
	}
	// Where the rules read abuse and found it quoted, reported or aimed at
	// the writer, that reading stands.
	if hasLabel(ms, "guard") {
		return ms
	}
	s := sums(ms)
	if s.Spam >= p.SpamReview || s.Troll >= p.TrollReview {
		return ms
	}
	// The models read the same features: gather them once.
	buf := featureBufs.Get().(*featureBuf)
	defer featureBufs.Put(buf)
	feats := buf.distinct(n.Tokens)
	for _, l := range rs.models {
		r := l.model.read(feats, len(n.Tokens))
		if r.p < l.threshold {
			continue
		}
		need := p.TrollReview - s.Troll
		if l.model.category == CategorySpam {
			need = p.SpamReview - s.Spam
		}
		ms = r.explain(n, l.model.category, need, ms)
	}
	return ms
}

// explain appends the matches of a flag worth weight in category c: the
// words with the largest positive share, best first, the weight split
// between them by share.
func (r modelReading) explain(n *Normalized, c Category, weight float64, ms []scored) []scored {
	rule := "model." + string(c)
	var top [modelWords]int
	k := 0
	for i, s := range r.share {
		if s <= 0 {
			continue
		}
		j := k
		if k < modelWords {
			k++
		} else if s <= r.share[top[modelWords-1]] {
			continue
		} else {
			j = modelWords - 1
		}
		for ; j > 0 && r.share[top[j-1]] < s; j-- {
			top[j] = top[j-1]
		}
		top[j] = i
	}
	if k == 0 {
		return append(ms, scored{cat: c, m: message.Match{
			Rule: rule, Label: "learned", Weight: weight, Start: 0, End: len(n.Original),
			Normalized: fmt.Sprintf("p=%.2f", r.p),
		}})
	}
	var total float64
	for _, i := range top[:k] {
		total += r.share[i]
	}
	left := weight
	for x, i := range top[:k] {
		w := weight * r.share[i] / total
		if x == k-1 {
			w = left
		}
		left -= w
		t := n.Tokens[i]
		ms = append(ms, scored{cat: c, m: message.Match{
			Rule: rule, Label: "learned", Weight: w, Start: t.Start, End: t.End, Normalized: t.Text,
		}})
	}
	return ms
}
