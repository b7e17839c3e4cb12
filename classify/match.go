package classify

import (
	"strings"

	"github.com/vigie-moderation/vigie/internal/message"
)

// scored is a match with the category its weight goes to.
type scored struct {
	m   message.Match
	cat Category
}

// hit is one lexicon phrase found at tokens [first, last].
type hit struct {
	p           *phrase
	first, last int
}

// tokenIs reports whether a token reads as want: exactly, with its letter
// runs squeezed, without a plural ending of the language, or (for prefix
// terms) starting with it.
func (lr *langRules) tokenIs(t *Token, want string, prefix bool) bool {
	if t.Kind != TokenWord || t.InLink {
		return false
	}
	x := t.Text
	if x == want || (prefix && strings.HasPrefix(x, want)) {
		return true
	}
	if s := squeeze(x, 1); s != x && (s == want || (prefix && strings.HasPrefix(s, want))) {
		return true
	}
	for _, pl := range lr.plurals {
		if len(x) > len(pl)+2 && strings.HasSuffix(x, pl) && x[:len(x)-len(pl)] == want {
			return true
		}
	}
	return false
}

// forms lists the keys under which a token may have been indexed.
func (lr *langRules) forms(t *Token, buf []string) []string {
	buf = append(buf[:0], t.Text)
	if s := squeeze(t.Text, 1); s != t.Text {
		buf = append(buf, s)
	}
	for _, pl := range lr.plurals {
		if len(t.Text) > len(pl)+2 && strings.HasSuffix(t.Text, pl) {
			buf = append(buf, t.Text[:len(t.Text)-len(pl)])
		}
	}
	return buf
}

// find returns the phrases of ix that start at token i.
func (lr *langRules) find(ix *termIndex, toks []Token, i int, out []hit, buf []string) ([]hit, []string) {
	t := &toks[i]
	if t.Kind != TokenWord || t.InLink {
		return out, buf
	}
	buf = lr.forms(t, buf)
	for fi, f := range buf {
		for _, p := range ix.exact[f] {
			if fi > 0 && len(p.toks) == 1 && p.prefix {
				continue
			}
			if end, ok := lr.rest(p, toks, i); ok {
				out = append(out, hit{p: p, first: i, last: end})
			}
		}
		if fi == 0 {
			for _, l := range ix.plens {
				if l > len(f) {
					break
				}
				for _, p := range ix.prefixes[f[:l]] {
					out = append(out, hit{p: p, first: i, last: i})
				}
			}
		}
	}
	return out, buf
}

// rest checks the tokens after the first one and returns the last index.
func (lr *langRules) rest(p *phrase, toks []Token, i int) (int, bool) {
	if i+len(p.toks) > len(toks) {
		return 0, false
	}
	for k := 1; k < len(p.toks); k++ {
		last := k == len(p.toks)-1
		if !lr.tokenIs(&toks[i+k], p.toks[k], last && p.prefix) {
			return 0, false
		}
	}
	return i + len(p.toks) - 1, true
}

// endsAt reports whether a phrase of ix ends at one of the tokens in
// [lo, hi], and returns its first token.
func (lr *langRules) endsAt(ix *termIndex, toks []Token, lo, hi int, buf []string) (int, bool) {
	if lo < 0 {
		lo = 0
	}
	var hits []hit
	for k := max(0, lo-3); k <= hi; k++ {
		hits, buf = lr.find(ix, toks, k, hits[:0], buf)
		for _, h := range hits {
			if h.last >= lo && h.last <= hi {
				return h.first, true
			}
		}
	}
	return 0, false
}

// matchLexicons finds every lexicon term, applies the quoting and
// reporting guards and the targeting bonus, and appends the matches.
func (rs *RuleSet) matchLexicons(lr *langRules, code string, toks []Token, out []scored) []scored {
	var hits []hit
	var buf []string
	for i := range toks {
		hits, buf = lr.find(lr.terms, toks, i, hits, buf)
	}
	if len(hits) == 0 {
		return out
	}
	// Drop hits inside a longer hit ("pute" inside "fils de pute").
	kept := hits[:0]
	for i, h := range hits {
		inside := false
		for j, o := range hits {
			if i == j {
				continue
			}
			lo, ho := h.last-h.first, o.last-o.first
			if o.first <= h.first && h.last <= o.last && (ho > lo || (ho == lo && j < i)) {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, h)
		}
	}
	perLex := map[string]float64{}
	for _, h := range kept {
		lex := h.p.lex
		first, last := &toks[h.first], &toks[h.last]
		w := lex.weight
		// Repeating a word adds less each time, and at most twice its weight.
		if used := perLex[lex.id]; used+w > 2*lex.weight {
			w = max(0, 2*lex.weight-used)
		}
		perLex[lex.id] += w
		norm := joinTokens(toks[h.first : h.last+1])
		out = append(out, scored{cat: lex.category, m: message.Match{
			Rule: lex.id, Label: lex.label, Weight: w, Start: first.Start, End: last.End, Normalized: norm,
		}})
		if lex.category != CategoryTroll {
			continue
		}
		if guard, gs := rs.guard(lr, toks, h, buf); guard != "" {
			out = append(out, scored{cat: lex.category, m: message.Match{
				Rule: guard, Label: "guard", Weight: -w * (1 - rs.guardFactor),
				Start: toks[gs].Start, End: last.End, Normalized: joinTokens(toks[gs : h.last+1]),
			}})
			continue
		}
		if lex.targeted == 0 {
			continue
		}
		if m, ok := rs.target(lr, toks, h, buf); ok {
			out = append(out, scored{cat: CategoryTroll, m: message.Match{
				Rule: code + ".targeted", Label: "targeted", Weight: lex.targeted,
				Start: toks[m].Start, End: last.End, Normalized: joinTokens(toks[m : h.last+1]),
			}})
		}
	}
	return out
}

// guard reports why a troll hit does not count as meant: it is quoted, or
// it follows a reporting phrase ("traité de", "called him"). It returns the
// guard rule and the first token of the guarding context.
func (rs *RuleSet) guard(lr *langRules, toks []Token, h hit, buf []string) (string, int) {
	t := &toks[h.first]
	if t.Quoted {
		start := h.first
		for start > 0 && toks[start-1].Quoted && toks[start-1].Sentence == t.Sentence {
			start--
		}
		return "guard.quoted", start
	}
	lo := h.first - rs.window - 2
	for k := h.first - 1; k >= max(0, lo); k-- {
		if toks[k].Sentence != t.Sentence {
			lo = k + 1
			break
		}
	}
	if first, ok := lr.endsAt(lr.reporting, toks, lo, h.first-1, buf); ok && toks[first].Sentence == t.Sentence {
		return "guard.reported", first
	}
	return "", 0
}

// negations turn "tu n'es pas con" into a compliment.
var negations = map[string]bool{
	"pas": true, "not": true, "isnt": true, "arent": true, "nicht": true, "kein": true, "keine": true,
	"no": true, "non": true, "nao": true, "niet": true, "geen": true, "never": true, "jamais": true,
	"nunca": true, "mai": true, "nie": true, "nooit": true,
}

// target looks for what aims a hit at a person: a second-person word or an
// @mention shortly before it in the same sentence, a vocative right before
// it ("espèce de", "sale", "you stupid"), or an @mention right after it. It
// returns the index of the marker.
func (rs *RuleSet) target(lr *langRules, toks []Token, h hit, buf []string) (int, bool) {
	t := &toks[h.first]
	dist := 0
	for k := h.first - 1; k >= 0 && dist < rs.window; k-- {
		m := &toks[k]
		if m.Sentence != t.Sentence || m.Quoted != t.Quoted {
			break
		}
		if m.Kind == TokenWord && negations[m.Text] {
			return 0, false
		}
		if m.Kind == TokenMention || lr.secondPerson[m.Text] {
			// "tu n'es pas", "no eres", "non sei": a negation just before
			// the marker negates the attack too.
			for j := k - 1; j >= 0 && j >= k-2 && toks[j].Sentence == t.Sentence; j-- {
				if negations[toks[j].Text] {
					return 0, false
				}
			}
			return k, true
		}
		// Elided and two-letter words (t', qu', un, a, es) do not count
		// towards the distance: "t'es qu'un gros X" is as close as "you are X".
		if len(m.Text) > 2 {
			dist++
		}
	}
	if first, ok := lr.endsAt(lr.vocatives, toks, h.first-2, h.first-1, buf); ok &&
		toks[first].Sentence == t.Sentence && (first == 0 || !lr.determiners[toks[first-1].Text] || toks[first-1].Sentence != t.Sentence) {
		return first, true
	}
	for k := h.last + 1; k < len(toks) && k <= h.last+2; k++ {
		if toks[k].Sentence != toks[h.last].Sentence {
			break
		}
		if toks[k].Kind == TokenMention {
			return h.first, true
		}
	}
	return 0, false
}

func joinTokens(ts []Token) string {
	if len(ts) == 1 {
		return ts[0].Text
	}
	var b strings.Builder
	for i := range ts {
		if i > 0 {
			b.WriteByte(' ')
		}
		if ts[i].Kind == TokenMention {
			b.WriteByte('@')
		}
		b.WriteString(ts[i].Text)
	}
	return b.String()
}
