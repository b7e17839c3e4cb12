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
	if s := lr.squeezed(t); s != x && (s == want || (prefix && strings.HasPrefix(s, want))) {
		return true
	}
	if s := unstretchedEnd(t); s != x && (s == want || (prefix && strings.HasPrefix(s, want))) {
		return true
	}
	for _, pl := range lr.plurals {
		if lr.pluralOf(x, pl) && x[:len(x)-len(pl)] == want {
			return true
		}
	}
	return false
}

// squeezed returns a token's word with every doubled letter single
// ("stuupid", "looser"). Outside English doubled letters are spelling
// ("negeer" is not "neger", "misst" not "mist", "année" not "âne"), so
// there only a word stretched for emphasis ("idioooot") is squeezed.
func (lr *langRules) squeezed(t *Token) string {
	if lr.code != "en" && lr.code != "any" && !t.stretched {
		return t.Text
	}
	return squeeze(t.Text, 1)
}

// unstretchedEnd returns a stretched word with only its last letter run
// made single: "imbecillee" (from "IMBECILLEEEEE") is "imbecille", whose
// own double letter squeezing would lose.
func unstretchedEnd(t *Token) string {
	x := t.Text
	if !t.stretched || len(x) < 3 || x[len(x)-1] != x[len(x)-2] || !isLetterByte(x[len(x)-1]) {
		return x
	}
	i := len(x) - 1
	for i > 0 && x[i-1] == x[len(x)-1] {
		i--
	}
	return x[:i+1]
}

// pluralOf reports whether x may be a plural made with the ending pl. In
// English "-es" only follows a hissing sound or an o ("bitches",
// "heroes"): "rates" is not "rat" + "es", "poses" not "pos" + "es".
func (lr *langRules) pluralOf(x, pl string) bool {
	if len(x) <= len(pl)+2 || !strings.HasSuffix(x, pl) {
		return false
	}
	stem := x[:len(x)-len(pl)]
	switch {
	case lr.code == "en" && pl == "es":
		return strings.ContainsRune("xzo", rune(stem[len(stem)-1])) ||
			strings.HasSuffix(stem, "ss") || strings.HasSuffix(stem, "ch") || strings.HasSuffix(stem, "sh")
	case lr.code == "nl" && pl == "en":
		// Dutch nouns in -er, -el, -em, -je take -s ("negers"): "negeren"
		// is to ignore. Short stems with -en are verbs ("stomen").
		return len(stem) >= 5 && !strings.HasSuffix(stem, "er") && !strings.HasSuffix(stem, "el") &&
			!strings.HasSuffix(stem, "em") && !strings.HasSuffix(stem, "je")
	case lr.code == "de" && pl == "er":
		return len(stem) >= 5 // "sauer" is sour, not "Sau" + "er"
	}
	return true
}

// forms lists the keys under which a token may have been indexed.
func (lr *langRules) forms(t *Token, buf []string) []string {
	buf = append(buf[:0], t.Text)
	if s := lr.squeezed(t); s != t.Text {
		buf = append(buf, s)
	}
	if s := unstretchedEnd(t); s != t.Text {
		buf = append(buf, s)
	}
	if t.unstretched != "" && t.unstretched != t.Text {
		buf = append(buf, t.unstretched)
	}
	for _, pl := range lr.plurals {
		if lr.pluralOf(t.Text, pl) {
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
// One filler word of the language may stand inside the phrase, in its
// sentence: "ik weet ook waar je woont" is "ik weet waar je woont", "je
// sais bien où tu habites" is "je sais où tu habites". Writers pad a
// fixed phrase that way far more often than they change it.
func (lr *langRules) rest(p *phrase, toks []Token, i int) (int, bool) {
	if i+len(p.toks) > len(toks) {
		return 0, false
	}
	fill := fillers[lr.code]
	j, skipped := i, false
	for k := 1; k < len(p.toks); k++ {
		j++
		if j >= len(toks) {
			return 0, false
		}
		last := k == len(p.toks)-1
		if lr.tokenIs(&toks[j], p.toks[k], last && p.prefix) {
			continue
		}
		if !skipped && fill[toks[j].Text] && j+1 < len(toks) && toks[j+1].Sentence == toks[i].Sentence &&
			lr.tokenIs(&toks[j+1], p.toks[k], last && p.prefix) {
			skipped = true
			j++
			continue
		}
		return 0, false
	}
	return j, true
}

// fillers are the particles and adverbs a writer slips into a fixed
// phrase without changing what it says (folded). Negations are never
// fillers.
var fillers = map[string]map[string]bool{
	"fr": toSet(strings.Fields(`bien vraiment donc aussi meme deja tres encore toujours juste franchement bon`)),
	"en": toSet(strings.Fields(`really just also even actually so totally very still all already literally`)),
	"de": toSet(strings.Fields(`ja doch auch schon echt wirklich eben halt mal genau sehr noch ganz`)),
	"es": toSet(strings.Fields(`ya bien muy tambien incluso realmente pues aun todavia`)),
	"it": toSet(strings.Fields(`gia pure anche proprio davvero bene molto ancora poi`)),
	"pt": toSet(strings.Fields(`ja bem tambem mesmo muito ainda realmente`)),
	"nl": toSet(strings.Fields(`ook wel echt al nog gewoon heel zelfs toch even`)),
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
	hits = lr.findSplit(toks, hits)
	if len(hits) == 0 {
		return out
	}
	// Drop the hits whose lexicon's conditions do not hold: a context
	// word nearby (near), no cancelling word right after (unless_followed_by).
	valid := hits[:0]
	for _, h := range hits {
		if lr.conditionsHold(h, toks, buf) {
			valid = append(valid, h)
		}
	}
	hits = valid
	// Drop hits inside a longer hit ("pute" inside "fils de pute"); of two
	// hits on the same words the heavier lexicon wins, then the first.
	kept := make([]hit, 0, len(hits))
	for i, h := range hits {
		inside := false
		for j, o := range hits {
			if i == j {
				continue
			}
			// Offer cues and scam warnings are context: a longer one
			// ("risultati garantiti") does not hide a heavier term inside it.
			if cueLabels[o.p.lex.label] && !cueLabels[h.p.lex.label] {
				continue
			}
			lo, ho := h.last-h.first, o.last-o.first
			if o.first <= h.first && h.last <= o.last && (ho > lo || (ho == lo && (o.p.lex.weight > h.p.lex.weight ||
				(o.p.lex.weight == h.p.lex.weight && j < i)))) {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, h)
		}
	}
	var covered []bool // tokens inside a troll hit, for addressed()
	perLex := map[string]float64{}
	var seen map[*phrase]bool // terms already counted, for repeats
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
		idx := len(out)
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
		if lex.targeted == 0 && lex.named == 0 {
			continue
		}
		ms, me, ok := rs.target(lr, toks, h, buf)
		if !ok && lex.weight >= minAddressWeight {
			if covered == nil {
				covered = make([]bool, len(toks))
				for _, o := range kept {
					if o.p.lex.category == CategoryTroll {
						for k := o.first; k <= o.last; k++ {
							covered[k] = true
						}
					}
				}
			}
			ms, me, ok = lr.addressed(toks, h, covered)
		}
		rule, weight := code+".targeted", lex.targeted
		if !ok && intended(toks, h) {
			// Spelling an insult to slip past a filter ("c@nnard", "i d i o t
			// s", "con nard") is meaning it: it counts as aimed.
			ms, me, ok, rule = h.first, h.last, true, code+disguisedSuffix
		}
		if !ok && lex.named > 0 && !toks[h.first].Quoted && !lr.selfReference(toks, h) {
			if ms, ok = lr.named(toks, h); ok {
				me, rule, weight = h.last, code+".named", lex.named
			}
		}
		if !ok && lr.selfDescribed(toks, h) {
			// "Sou tão burro que ...", "anyone dumber than me?": the
			// commenter laughing at themselves attacks no one.
			out = append(out, scored{cat: lex.category, m: message.Match{
				Rule: code + ".self", Label: "guard", Weight: -w,
				Start: first.Start, End: last.End, Normalized: norm,
			}})
			continue
		}
		if ok {
			out = append(out, scored{cat: CategoryTroll, m: message.Match{
				Rule: rule, Label: "targeted", Weight: weight,
				Start: toks[ms].Start, End: toks[me].End, Normalized: joinTokens(toks[ms : me+1]),
			}})
		} else if seen[h.p] {
			// "la buse variable ... pas une buse": a word that insults only
			// when aimed, repeated without aim, is the topic, not more
			// abuse; it counts once. Different insults still add up.
			out = out[:idx]
			perLex[lex.id] -= w
		}
		if seen == nil {
			seen = map[*phrase]bool{}
		}
		seen[h.p] = true
	}
	return out
}

// cueLabels are the labels of context lexicons, which never hide another
// lexicon's term.
var cueLabels = map[string]bool{"offer": true, "warning": true, "community": true, "tax": true, "alert": true}

// disguisedSuffix ends the rule name of the bonus a disguised term gets.
const disguisedSuffix = ".disguised"

// disguisedHit reports a term written to dodge a filter: leetspeak or
// spaced letters in one of its words, or a one-word term split in two
// ("con nard"). Quoted terms never count.
func disguisedHit(toks []Token, h hit) bool {
	if toks[h.first].Quoted {
		return false
	}
	if len(h.p.toks) == 1 && h.last > h.first {
		return true
	}
	for k := h.first; k <= h.last; k++ {
		if toks[k].Disguised {
			return true
		}
	}
	return false
}

// intended reports a troll term whose spelling shows it is meant: written
// in disguise (any label but profanity, which people disguise out of
// politeness), or a name shouted on its own and stretched
// ("Baaaaalleeeeenaaaa 🐋", "IDIOOOOT !"; not "ce film est idioooot", nor
// "noooo he diiiied").
func intended(toks []Token, h hit) bool {
	lex := h.p.lex
	if lex.category != CategoryTroll || lex.label == "profanity" || toks[h.first].Quoted {
		return false
	}
	if disguisedHit(toks, h) {
		return true
	}
	if lex.label != "insult" && lex.label != "slur" && lex.label != "dehumanising" || h.first != h.last || !toks[h.first].stretched {
		return false
	}
	t := &toks[h.first]
	if h.first > 0 && toks[h.first-1].Clause == t.Clause {
		return false
	}
	for k := h.last + 1; k < len(toks) && toks[k].Clause == t.Clause; k++ {
		if !isEmojiWord(toks[k].Text) {
			return false
		}
	}
	return true
}

// minAddressWeight: only terms of a lexicon at least this heavy (real
// insults, not "liar" or "pathetic") count as addressed when they stand
// alone in their clause.
const minAddressWeight = 0.3

// maxAddressWords bounds the clause an addressed insult stands in.
const maxAddressWords = 4

// addressed reports an insult used as a form of address: it stands in a
// clause of its own, made only of abuse, vocatives, exclamatives,
// second-person words and short particles — "Tocard !", "Ferme-la, connard,
// tu pollues", "Gorda asquerosa, ni te mires", "Quel crétin !" as a reply.
// A determiner in the clause ("ce connard", "the
// idiot") makes it about someone else, a negation ("no eres tonto") undoes
// it, and any other word ("stupid printer") makes it a description, as does
// a next clause that names its subject ("Stupide, cette réforme"). It returns the clause's token span.
func (lr *langRules) addressed(toks []Token, h hit, covered []bool) (int, int, bool) {
	t := &toks[h.first]
	if t.Quoted {
		return 0, 0, false
	}
	lo, hi := h.first, h.last
	for lo > 0 && toks[lo-1].Clause == t.Clause {
		lo--
	}
	for hi+1 < len(toks) && toks[hi+1].Clause == t.Clause {
		hi++
	}
	// "Stupide, cette réforme": the next clause names what is described.
	// "Que imbecil, meu Deus": an oath names no one.
	if nx := hi + 1; nx < len(toks) && toks[nx].Sentence == t.Sentence && lr.determiners[toks[nx].Text] &&
		!(myWords[toks[nx].Text] && nx+1 < len(toks) && oathWords[toks[nx+1].Text]) {
		return 0, 0, false
	}
	if selfApposed(toks, lo) {
		return 0, 0, false
	}
	words := 0
	for k := lo; k <= hi; k++ {
		m := &toks[k]
		if m.Kind == TokenMention {
			continue
		}
		words++
		switch {
		case words > maxAddressWords, m.Quoted, m.InLink, negations[m.Text]:
			return 0, 0, false
		case lr.determiners[m.Text] && !lr.exclamationEnds(toks, k):
			// "He is an idiot", "I'm an idiot": an article outside an
			// exclamation describes someone; it is no form of address.
			return 0, 0, false
		case lr.exclWords[m.Text] && k < h.first:
			// "What a moron.", "Wat een ongelooflijke randdebiel."
		case lr.determiners[m.Text]:
			return 0, 0, false
		case covered[k], lr.secondPerson[m.Text], lr.isVocativeWord(m.Text), intensifiers[m.Text] && k < h.first:
		case isEmojiWord(m.Text):
			// "Süße 😘": an emoji read as a word is no word of the address.
		case len(m.Text) <= 2 && !isDigits(m.Text):
		default:
			return 0, 0, false
		}
	}
	return lo, hi, true
}

// exclamationEnds reports an exclamative phrase ("what a", "wat een")
// ending at token k in its clause: its article belongs to the exclamation.
func (lr *langRules) exclamationEnds(toks []Token, k int) bool {
	first, ok := lr.endsAt(lr.exclamatives, toks, k, k, nil)
	return ok && toks[first].Clause == toks[k].Clause
}

// intensifiers strengthen an insult without naming anyone: "what an
// absolute muppet", "wat een ongelooflijke randdebiel" (folded).
var intensifiers = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		vrai vraie sacre sacree parfait parfaite fini finie complet complete total totale gros grosse
		absolute absolutely utter complete total real proper bloody fucking massive
		echter echte voll totaler totale absoluter absolute richtiger richtige verdammter
		verdadero autentico completo total pedazo menudo tremendo tremenda
		vero autentico completo totale gran grandissimo
		verdadeiro completo total grande tremendo tremenda baita
		ongelooflijke ongelofelijke volslagen complete totale echte enorme`) {
		m[w] = true
	}
	return m
}()

// myWords and oathWords make an oath ("mon Dieu", "meu Deus", "my God"),
// which does not name what an insult before it describes.
var (
	myWords   = map[string]bool{"mon": true, "meu": true, "my": true, "mein": true, "mio": true, "dios": true, "mijn": true, "mi": true}
	oathWords = map[string]bool{"dieu": true, "deus": true, "god": true, "gott": true, "dio": true, "mio": true}
)

// isVocativeWord reports a one-word vocative ("sale", "pauvre", "du").
func (lr *langRules) isVocativeWord(w string) bool {
	for _, p := range lr.vocatives.exact[w] {
		if len(p.toks) == 1 {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Split words: "con nard", "kanker lijer", "bit coin".
const (
	minSplitJoined = 6 // letters of the rebuilt word
	minSplitPiece  = 2 // letters of each piece
)

// findSplit adds the one-word terms written in two pieces: two adjacent
// words one separator apart whose concatenation is a term. Function words
// of the language are never glued ("mari con" is not "maricon"), and
// short rebuilt words are left alone ("mer de" stays the sea).
func (lr *langRules) findSplit(toks []Token, hits []hit) []hit {
	var jb [64]byte
	for i := 0; i+1 < len(toks); i++ {
		a, b := &toks[i], &toks[i+1]
		if a.Kind != TokenWord || b.Kind != TokenWord || a.InLink || b.InLink || a.Clause != b.Clause ||
			b.fstart-a.fend != 1 || len(a.Text) < minSplitPiece || len(b.Text) < minSplitPiece {
			continue
		}
		n := len(a.Text) + len(b.Text)
		if n < minSplitJoined || n > len(jb) || lr.function[a.Text] || lr.function[b.Text] ||
			isDigits(a.Text) || isDigits(b.Text) {
			continue
		}
		j := append(append(jb[:0], a.Text...), b.Text...)
		for _, p := range lr.terms.exact[string(j)] {
			if len(p.toks) == 1 && !p.prefix {
				hits = append(hits, hit{p: p, first: i, last: i + 1})
			}
		}
	}
	return hits
}

// conditionsHold checks a hit against its lexicon's conditions: a context
// phrase shortly before it in the same sentence and no negation just
// before it (near), and no cancelling word right after (unless_followed_by).
func (lr *langRules) conditionsHold(h hit, toks []Token, buf []string) bool {
	lex := h.p.lex
	sent := toks[h.first].Sentence
	// "Ferme-la !", "ferme-la une bonne fois": the clause ends or a
	// function word follows; "on ferme la piscine" names what is closed.
	if nx := h.last + 1; lex.clauseEnd && nx < len(toks) && toks[nx].Clause == toks[h.last].Clause &&
		!isEmojiWord(toks[nx].Text) && !lr.function[toks[nx].Text] {
		return false
	}
	if lex.unlessNext != nil && h.last+1 < len(toks) {
		if nx := &toks[h.last+1]; nx.Sentence == sent && lex.unlessNext[nx.Text] {
			return false
		}
	}
	// Disguise shows intent: a troll term spelled to slip past a filter
	// needs no context to mean harm ("Ung3zi3f3r" with no group named,
	// "b a l e n a" with no body word), and some terms count only then.
	if intended(toks, h) {
		return true
	}
	if lex.disguised {
		return false
	}
	if lex.speaksTo && !lr.speaksToAny(toks) && !standsApart(toks, h) {
		return false
	}
	if lex.alsoNear != nil && !lr.cueElsewhere(lex.alsoNear, h, toks, buf) {
		return false
	}
	if lex.near == nil {
		return true
	}
	// Counter-speech: "les migrants ne sont pas des rats", "immigrants
	// are not vermin", "sind keine Tiere".
	for k := h.first - 1; k >= 0 && k >= h.first-nearNegationWindow && toks[k].Sentence == sent; k-- {
		if negations[toks[k].Text] || noOne[toks[k].Text] {
			return false
		}
	}
	// Co-occurrence: the cue may stand anywhere else in the comment.
	if lex.nearAnywhere {
		return lr.cueElsewhere(lex.near, h, toks, buf)
	}
	// The context stands before the term, as the subject it describes:
	// "ces migrants sont des rats", not "les chiens sont des animaux,
	// ces gens le savent".
	lo := max(0, h.first-lex.nearWindow)
	for lo < h.first && toks[lo].Sentence != sent {
		lo++
	}
	if lo < h.first {
		if first, ok := lr.endsAt(lex.near, toks, lo, h.first-1, buf); ok && toks[first].Sentence == sent {
			return true
		}
	}
	return false
}

// cueElsewhere reports a phrase of ix anywhere in the comment outside the
// hit, before or after it: the second cue of a co-occurrence.
func (lr *langRules) cueElsewhere(ix *termIndex, h hit, toks []Token, buf []string) bool {
	if h.first > 0 {
		if _, ok := lr.endsAt(ix, toks, 0, h.first-1, buf); ok {
			return true
		}
	}
	if h.last+1 < len(toks) {
		if first, ok := lr.endsAt(ix, toks, h.last+1, len(toks)-1, buf); ok && first > h.last {
			return true
		}
	}
	return false
}

// standsApart reports a hit that is a clause of its own, set off by
// punctuation on both sides: "..., ma petite.", "..., cara, il ...". A pet
// name standing apart is said to someone even when the imperative before
// it carries no pronoun ("Apprenez ..., ma petite"); "ma petite fille" is
// no address.
func standsApart(toks []Token, h hit) bool {
	t := &toks[h.first]
	before := h.first == 0 || toks[h.first-1].Clause != t.Clause
	after := h.last+1 == len(toks) || toks[h.last+1].Clause != toks[h.last].Clause
	return before && after && h.first > 0
}

// speaksToAny reports whether any sentence of the comment speaks to or
// points at someone (see speaksTo).
func (lr *langRules) speaksToAny(toks []Token) bool { return lr.speaksTo(toks, anySentence) }

// nearNegationWindow: a negation this close before a conditional term
// (near) cancels it.
const nearNegationWindow = 3

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
	if first, ok := lr.endsAt(lr.reporting, toks, lo, h.first-1, buf); ok && toks[first].Sentence == t.Sentence &&
		!relativeSubject(lr.code, toks, first, h.first) {
		return "guard.reported", first
	}
	return "", 0
}

// relativeSubject reports a reporting verb inside a relative clause that
// names the subject a copula then insults: "the guy who wrote this is an
// absolute cunt", "celui qui a écrit ça est un abruti". The verb describes
// the person; it does not report the insult.
func relativeSubject(code string, toks []Token, first, term int) bool {
	rel := relativesAfter[code]
	if first == 0 || rel == nil || !(rel[toks[first-1].Text] || (first > 1 && rel[toks[first-2].Text])) {
		return false
	}
	for k := first + 1; k < term; k++ {
		if copulas[toks[k].Text] || toks[k].Text == "s" {
			return true
		}
	}
	return false
}

// noOne are the negative pronouns that empty a conditional term of anyone
// it could hit: "Espero que ninguém morra nessa estrada", "Ojalá nadie
// muera", "Spero che nessuno muoia" wish no death (folded). They are not
// negations elsewhere: "nobody asked you, idiot" still aims the insult.
var noOne = map[string]bool{
	"personne": true, "nobody": true, "niemand": true, "nadie": true, "nessuno": true,
	"ninguem": true, "ninguno": true, "nenhum": true,
}

// negations turn "tu n'es pas con" into a compliment.
var negations = map[string]bool{
	"pas": true, "not": true, "isnt": true, "arent": true, "nicht": true, "kein": true, "keine": true,
	"no": true, "non": true, "nao": true, "niet": true, "geen": true, "never": true, "jamais": true,
	"nunca": true, "mai": true, "nie": true, "nooit": true,
}

// target looks for what aims a hit at a person: a second-person word or an
// @mention shortly before it in the same sentence, a vocative right before
// it ("espèce de", "sale", "you stupid"), an @mention right after it, a
// second-person word right after it in the same clause ("what a moron you
// are", "qué subnormal eres"), or an exclamative right before it in a
// sentence that speaks to someone ("quel abruti ce mec, tu sors d'où ?"). It
// returns the token span from the marker to the hit (or the hit to the
// marker).
func (rs *RuleSet) target(lr *langRules, toks []Token, h hit, buf []string) (int, int, bool) {
	t := &toks[h.first]
	dist := 0
	for k := h.first - 1; k >= 0 && dist < rs.window; k-- {
		m := &toks[k]
		// "Tu as raison, c'est idiot": the marker must be in the same
		// clause as the insult.
		if m.Clause != t.Clause || m.Quoted != t.Quoted {
			break
		}
		if m.Kind == TokenWord && negations[m.Text] {
			return 0, 0, false
		}
		if m.Kind == TokenMention || lr.secondPerson[m.Text] {
			// "tu n'es pas", "no eres", "non sei": a negation just before
			// the marker negates the attack too.
			for j := k - 1; j >= 0 && j >= k-2 && toks[j].Sentence == t.Sentence; j-- {
				if negations[toks[j].Text] {
					return 0, 0, false
				}
			}
			return k, h.last, true
		}
		// Elided and two-letter words (t', qu', un, a, es) and linking
		// words do not count towards the distance: "t'es qu'un gros X" is
		// as close as "you are X", and so is "vous êtes vraiment une bande de X".
		if len(m.Text) > 2 && !linkWords[m.Text] {
			dist++
		}
	}
	// "Ich bin so ein Idiot", "I'm such an idiot": speaking of oneself is
	// not an attack, whatever marker follows.
	if lr.selfReference(toks, h) {
		return 0, 0, false
	}
	if first, ok := lr.endsAt(lr.vocatives, toks, h.first-2, h.first-1, buf); ok &&
		toks[first].Sentence == t.Sentence && (first == 0 || !lr.determiners[toks[first-1].Text] || toks[first-1].Sentence != t.Sentence) {
		return first, h.last, true
	}
	for k := h.last + 1; k < len(toks) && k <= h.last+2; k++ {
		if toks[k].Sentence != toks[h.last].Sentence {
			break
		}
		if toks[k].Kind == TokenMention {
			return h.first, k, true
		}
	}
	// Forward: the marker follows within forwardWindow words, in the same
	// clause, and nothing negates it ("idiot, tu ne trouves pas ?" is
	// two clauses anyway).
	for k := h.last + 1; k < len(toks) && k <= h.last+forwardWindow; k++ {
		m := &toks[k]
		if m.Clause != toks[h.last].Clause || m.Quoted != t.Quoted || negations[m.Text] {
			break
		}
		if lr.secondPerson[m.Text] {
			for j := k + 1; j < len(toks) && j <= k+3 && toks[j].Clause == m.Clause; j++ {
				if negations[toks[j].Text] {
					return 0, 0, false
				}
			}
			return h.first, k, true
		}
	}
	// An exclamation ("quel abruti", "such a cretin") in a sentence that
	// speaks to someone.
	if first, ok := lr.endsAt(lr.exclamatives, toks, h.first-2, h.first-1, buf); ok && toks[first].Sentence == t.Sentence &&
		!t.Quoted && lr.speaksTo(toks, t.Sentence) {
		return first, h.last, true
	}
	if t.Quoted {
		return 0, 0, false
	}
	if lr.apostrophised(toks, h) {
		return h.first, h.last, true
	}
	if s, e, ok := lr.pointed(toks, h, buf); ok {
		return s, e, true
	}
	if s, e, ok := lr.possessed(toks, h); ok {
		return s, e, true
	}
	if s, ok := lr.generic(toks, h); ok {
		return s, h.last, true
	}
	return 0, 0, false
}

// indefinites introduce what a sentence calls its subject: "est un", "is
// a", "ist ein", "es un", "è un", "é um", "is een" (folded).
var indefinites = map[string]bool{
	"un": true, "une": true, "des": true, "a": true, "an": true, "ein": true, "eine": true,
	"una": true, "uno": true, "unos": true, "unas": true, "um": true, "uma": true, "uns": true,
	"umas": true, "een": true,
}

// namedCopulas are the copulas of named(), with the contracted "'s" of
// "he's a moron".
// "sono" is left out: "sono un cretino" is "I am" far more often than
// "they are".
var namedCopulas = func() map[string]bool {
	m := map[string]bool{"s": true}
	for w := range copulas {
		m[w] = true
	}
	delete(m, "sono")
	return m
}()

// named reports an insult a sentence pins on its subject, whoever it is:
// a copula, an indefinite article, then the term, in one clause and with
// no negation ("Ce ministre est un idiot", "he's a total moron", "der ist
// ein Vollidiot", "ese tipo es un imbécil"). Calling a person a name
// attacks them even when they are not in the thread; the lexicon's named
// weight, less than its targeted one, says how much. Speaking of oneself
// ("je suis un idiot") never gets here: target checks that first. It
// returns the copula's index.
func (lr *langRules) named(toks []Token, h hit) (int, bool) {
	if s, ok := lr.demonstrated(toks, h); ok {
		return s, true
	}
	if s, ok := lr.compared(toks, h); ok {
		return s, true
	}
	// "Quelle salope cette journaliste", "what a clown that mayor": an
	// exclamation that a demonstrative and a noun right after name.
	var xbuf []string
	if first, ok := lr.endsAt(lr.exclamatives, toks, h.first-2, h.first-1, xbuf); ok &&
		toks[first].Sentence == toks[h.first].Sentence && lr.demonstrativeAfter(toks, h) {
		return first, true
	}
	t := &toks[h.first]
	// "a spineless grub", "un lamentable abruti": another insult word
	// before the term adds to it.
	var hits []hit
	var buf []string
	abusive := func(k int) bool {
		hits, buf = lr.find(lr.terms, toks, k, hits[:0], buf)
		for _, o := range hits {
			if o.last == k && o.p.lex.category == CategoryTroll {
				return true
			}
		}
		return false
	}
	skippable := func(m *Token) bool { return linkWords[m.Text] || intensifiers[m.Text] }
	// "el típico pendejo", "il classico mentecatto", "le parfait exemple
	// du crétin": a typical-kind word lets a definite article stand for
	// the indefinite one.
	typical := false
	art := -1
	// "a corrupt, lying pig", "ein feiger, verlogener Dreckssack": up to
	// three describing words may stand between the article and the term,
	// across the commas of their list. cl is the clause being read.
	cl, described, plain, listed := t.Clause, 0, 0, false
	for k := h.first - 1; k >= 0 && k >= h.first-5-described; k-- {
		m := &toks[k]
		if m.Quoted != t.Quoted || m.Sentence != t.Sentence {
			return 0, false
		}
		if m.Clause != cl {
			// Only a list of describing words may cross a comma.
			if described == 0 || toks[k+1].Clause == m.Clause || !lr.describing(m) {
				return 0, false
			}
			cl, listed = m.Clause, true
		}
		if indefinites[m.Text] {
			art = k
			break
		}
		if typical && definites[m.Text] {
			art = k
			break
		}
		if typicalWords[m.Text] {
			typical = true
			continue
		}
		// "exemple du", "example of": the of-word after an example word.
		if ofWords[m.Text] && k > 0 && exampleWords[toks[k-1].Text] {
			continue
		}
		if skippable(m) || (k == h.first-1 && abusive(k)) {
			continue
		}
		if described < 3 && lr.describing(m) {
			described++
			if !adjectival(lr.code, m.Text) {
				plain++
			}
			continue
		}
		return 0, false
	}
	if art < 0 {
		return 0, false
	}
	// A describing word that does not look like an adjective only counts
	// in a list: "a corrupt, lying pig", not "a guinea pig".
	if plain > 0 && !listed {
		return 0, false
	}
	for k := art - 1; k >= 0 && k >= art-3; k-- {
		m := &toks[k]
		if m.Clause != cl || m.Quoted != t.Quoted || negations[m.Text] {
			return 0, false
		}
		if namedCopulas[m.Text] {
			// "no es un", "não é um": the negation stands before the copula.
			if k > 0 && negations[toks[k-1].Text] {
				return 0, false
			}
			// "it's a lazy, greedy pig" speaks of an animal.
			if described > 0 && k > 0 && inanimate[toks[k-1].Text] {
				return 0, false
			}
			if lr.describedByDeed(toks, k) {
				return 0, false
			}
			return k, true
		}
		if !skippable(m) && !typicalWords[m.Text] {
			return 0, false
		}
	}
	return 0, false
}

// relativePronouns open a relative clause after the noun it describes
// (folded): "le type qui a détourné", "the landlord who", "ein Vermieter,
// der", "el casero que", "quello che", "o cara que", "de dealer die".
var relativePronouns = map[string]map[string]bool{
	"fr": {"qui": true, "que": true, "dont": true},
	"en": {"who": true, "that": true, "which": true},
	"de": {"der": true, "die": true, "das": true, "welcher": true, "welche": true},
	"es": {"que": true, "quien": true, "quienes": true},
	"it": {"che": true, "cui": true},
	"pt": {"que": true, "quem": true},
	"nl": {"die": true, "dat": true, "wie": true},
}

// freeRelatives open a sentence with a clause that is its own subject:
// "Wer eine Drohung schickt, ist …", "Chi ha fatto questo è …".
var freeRelatives = map[string]map[string]bool{
	"fr": {"quiconque": true}, "en": {"whoever": true}, "de": {"wer": true},
	"es": {"quien": true, "quienes": true}, "it": {"chi": true}, "pt": {"quem": true}, "nl": {"wie": true},
}

// antecedents stand for a person a relative clause then describes (folded):
// "celui qui", "los que", "quello che", "aquele que".
var antecedents = map[string]map[string]bool{
	"fr": {"celui": true, "celle": true, "ceux": true, "celles": true},
	"en": {"one": true},
	"de": {"derjenige": true, "diejenige": true, "diejenigen": true},
	"es": {"el": true, "la": true, "los": true, "las": true, "aquel": true, "aquella": true, "aquellos": true},
	"it": {"quello": true, "quella": true, "quelli": true, "quelle": true, "colui": true, "colei": true, "coloro": true},
	"pt": {"o": true, "a": true, "os": true, "as": true, "aquele": true, "aquela": true, "aqueles": true},
	"nl": {"degene": true, "diegene": true, "degenen": true},
}

// describedByDeed reports a subject described by what it did before the
// copula at k: "Le type qui a détourné la cagnotte est une ordure", "Ein
// Vermieter, der einer Witwe das Warmwasser abdreht, ist ein Mistkerl",
// "Wer eine Amokdrohung schickt, ist ein Mistkerl". Blind-round writers
// label these reactions to a crime in the news ok every time, while every
// name-calling they label troll names its target outright ("ce ministre",
// "dieser Minister"). A conjunction "que" ("je pense que ce ministre est")
// is not a relative: the pronoun must follow a determiner and a noun, or an
// antecedent ("celui qui", "los que").
func (lr *langRules) describedByDeed(toks []Token, k int) bool {
	rel, free, ante := relativePronouns[lr.code], freeRelatives[lr.code], antecedents[lr.code]
	sent := toks[k].Sentence
	for j := k - 1; j >= 0 && toks[j].Sentence == sent; j-- {
		w := toks[j].Text
		first := j == 0 || toks[j-1].Sentence != sent
		if first && free[w] {
			return true
		}
		if first || !rel[w] {
			continue
		}
		prev := toks[j-1].Text
		if ante[prev] || lr.determiners[prev] {
			return true
		}
		if j >= 2 && toks[j-2].Sentence == sent && lr.determiners[toks[j-2].Text] && !lr.function[prev] {
			return true
		}
	}
	return false
}

// describing reports a word that may describe the term after it: a plain
// word of the text, not a function word, a number, a negation or a marker
// of the second person.
func (lr *langRules) describing(m *Token) bool {
	w := m.Text
	return m.Kind == TokenWord && len(w) >= 3 && !isDigits(w) && !lr.function[w] && !negations[w] &&
		!lr.secondPerson[w] && !lr.determiners[w] && !namedCopulas[w] && !indefinites[w]
}

// adjectiveEndings are endings that mark a word before a noun as an
// adjective, per language (folded): "lying", "spineless", "feiger",
// "verlogenen", "laffe". Romance adjectives mostly follow the noun, so
// those languages rely on a comma list alone.
var adjectiveEndings = map[string][]string{
	"en": {"ing", "ed", "ful", "less", "ous", "ive", "ic", "ish", "able", "ible"},
	"de": {"e", "er", "es", "en", "em"},
	"nl": {"e"},
}

// adjectival reports a word ending like an adjective of its language.
func adjectival(code, w string) bool {
	for _, e := range adjectiveEndings[code] {
		if len(w) > len(e)+1 && strings.HasSuffix(w, e) {
			return true
		}
	}
	return false
}

// inanimate subjects name a thing or an animal, not a person (folded).
var inanimate = map[string]bool{"it": true, "this": true, "that": true, "es": true, "das": true,
	"het": true, "dit": true, "dat": true}

// definites are the definite articles a typical-kind word may follow
// (folded): "le typique", "the typical", "der typische", "el típico", "il
// classico", "o típico", "de typische".
var definites = map[string]bool{
	"le": true, "la": true, "l": true, "the": true, "der": true, "die": true, "das": true, "den": true,
	"el": true, "il": true, "lo": true, "o": true, "a": true, "de": true, "het": true,
}

// typicalWords present a person as a specimen of the insult: "the typical
// troll", "il classico cretino", "le parfait exemple du", "een typische"
// (folded).
var typicalWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		typique classique parfait parfaite exemple archetype
		typical classic quintessential textbook example
		typische typischer typisches typischen klassische klassischer beispiel paradebeispiel
		tipico tipica clasico clasica ejemplo perfecto perfecta
		classico classica esempio perfetto perfetta
		classico exemplo perfeito perfeita
		typisch typische klassieke voorbeeld perfecte schoolvoorbeeld`) {
		m[w] = true
	}
	return m
}()

// exampleWords and ofWords: "exemple du", "example of", "ejemplo de",
// "esempio di", "exemplo de", "voorbeeld van", "Beispiel für" (folded).
var (
	exampleWords = map[string]bool{"exemple": true, "example": true, "ejemplo": true, "esempio": true,
		"exemplo": true, "voorbeeld": true, "schoolvoorbeeld": true, "beispiel": true, "paradebeispiel": true}
	ofWords = map[string]bool{"du": true, "de": true, "d": true, "des": true, "of": true, "del": true,
		"di": true, "dello": true, "della": true, "do": true, "da": true, "van": true, "fur": true, "eines": true}
)

// demonstratives point at a person a sentence then tells about, per
// language (folded): "cette pute qui", "this clown who", "dieser
// Vollpfosten, der", "este imbécil que", "questo cretino che", "esse idiota
// que", "die sukkel die".
var demonstratives = map[string]map[string]bool{
	"fr": {"ce": true, "cet": true, "cette": true},
	"en": {"this": true, "that": true},
	"de": {"dieser": true, "diese": true, "diesen": true, "diesem": true, "jener": true},
	"es": {"este": true, "esta": true, "ese": true, "esa": true, "aquel": true, "aquella": true},
	"it": {"questo": true, "questa": true, "quello": true, "quella": true, "quel": true},
	"pt": {"esse": true, "essa": true, "este": true, "esta": true, "aquele": true, "aquela": true},
	"nl": {"deze": true, "die": true, "dat": true, "dit": true},
}

// relativesAfter are the relative pronouns that make the demonstrated
// insult a person doing something (folded).
var relativesAfter = map[string]map[string]bool{
	"fr": {"qui": true},
	"en": {"who": true, "that": true},
	"de": {"der": true, "die": true},
	"es": {"que": true, "quien": true},
	"it": {"che": true},
	"pt": {"que": true},
	"nl": {"die": true, "dat": true},
}

// demonstrated reports an insult noun a demonstrative points at and a
// relative pronoun then makes act: "cette pute qui vient donner des
// leçons", "this clown who thinks", "dieser Vollpfosten, der". It returns
// the demonstrative's index.
func (lr *langRules) demonstrated(toks []Token, h hit) (int, bool) {
	dem, rel := demonstratives[lr.code], relativesAfter[lr.code]
	if dem == nil || h.first == 0 || h.last+1 >= len(toks) {
		return 0, false
	}
	t := &toks[h.first]
	d := h.first - 1
	if intensifiers[toks[d].Text] && d > 0 {
		d--
	}
	if animalWords[h.p.toks[0]] {
		return 0, false
	}
	b, a := &toks[d], &toks[h.last+1]
	if !dem[b.Text] || b.Sentence != t.Sentence || b.Quoted || a.Sentence != t.Sentence || a.Quoted || !rel[a.Text] {
		return 0, false
	}
	// "dieser Vollpfosten, der": a comma may stand before the relative.
	if b.Clause != t.Clause {
		return 0, false
	}
	return d, true
}

// animalWords insult only as metaphors: "this pig that we raised", "questo
// maiale che abbiamo allevato", "esse burro que puxa a carroça" are
// animals, so a demonstrative and a relative pronoun do not make them
// name-calling (folded).
var animalWords = toSet(strings.Fields(`
	pig pigs cow cows donkey ass rat rats snake dog bitch swine sow cochon vache ane truie chien chienne
	rat serpent buse dinde oie cruche schwein sau kuh esel ratte schlange hund gans ziege cerdo cerda vaca
	burro burra rata perro perra zorra cabra maiale porco porca vacca asino somaro ratto cane cagna oca
	gallina capra vaca burro burra porca cadela rato cobra anta galinha varken koe ezel rat slang hond
	geit gans`))

// comparatives and comparedTo frame an insult as a comparison: "aussi
// con que", "as thick as", "so blöd wie", "más tonto que", "più stupido
// di", "mais burro que", "zo dom als" (folded).
var (
	comparatives = map[string]map[string]bool{
		"fr": {"aussi": true, "plus": true, "si": true},
		"en": {"as": true, "more": true, "so": true},
		"de": {"so": true, "genauso": true, "ebenso": true},
		"es": {"tan": true, "mas": true},
		"it": {"cosi": true, "piu": true, "tanto": true},
		"pt": {"tao": true, "mais": true},
		"nl": {"zo": true, "even": true, "net": true},
	}
	comparedTo = map[string]map[string]bool{
		"fr": {"que": true, "qu": true},
		"en": {"as": true, "than": true},
		"de": {"wie": true, "als": true},
		"es": {"como": true, "que": true},
		"it": {"come": true, "di": true, "del": true, "della": true, "dei": true, "delle": true, "quanto": true},
		"pt": {"quanto": true, "que": true, "como": true, "do": true, "da": true},
		"nl": {"als": true, "dan": true},
	}
)

// compared reports an insult made a comparison in a sentence that speaks
// to or points at someone: "Aussi con que ses pieds, celui-là", "more
// stupid than a doorknob, this guy". A comparison about a thing ("cette
// loi est plus stupide que l'autre") names no one. It returns the
// comparative's index.
func (lr *langRules) compared(toks []Token, h hit) (int, bool) {
	cmp, to := comparatives[lr.code], comparedTo[lr.code]
	if cmp == nil {
		return 0, false
	}
	t := &toks[h.first]
	// A comparison term of its own ("aussi con que", "dumber than") only
	// needs the sentence to point at someone.
	if len(h.p.toks) > 1 && (cmp[h.p.toks[0]] || to[h.p.toks[len(h.p.toks)-1]]) {
		if !t.Quoted && lr.speaksTo(toks, t.Sentence) {
			return h.first, true
		}
		return 0, false
	}
	if h.first == 0 || h.last+1 >= len(toks) {
		return 0, false
	}
	b, a := &toks[h.first-1], &toks[h.last+1]
	if !cmp[b.Text] || !to[a.Text] || b.Clause != t.Clause || a.Clause != t.Clause || b.Quoted || a.Quoted {
		return 0, false
	}
	if h.first > 1 && negations[toks[h.first-2].Text] {
		return 0, false
	}
	if !lr.speaksTo(toks, t.Sentence) {
		return 0, false
	}
	return h.first - 1, true
}

// genericOpeners begin a sentence about whoever holds a view, which the
// sentence then insults: "Anyone who believes this is an idiot", "Wer das
// glaubt, ist ein Idiot", "Quiconque vote pour lui est un abruti" (folded).
var genericOpeners = map[string][][]string{
	"fr": {{"quiconque"}, {"celui", "qui"}, {"celle", "qui"}, {"ceux", "qui"}, {"celles", "qui"}, {"tous", "ceux", "qui"}},
	"en": {{"anyone", "who"}, {"anybody", "who"}, {"whoever"}, {"everyone", "who"}, {"anyone", "that"}, {"people", "who"}, {"those", "who"}},
	"de": {{"wer"}, {"jeder", "der"}, {"jeder", "wer"}, {"alle", "die"}, {"jede", "die"}},
	"es": {{"el", "que"}, {"quien"}, {"quienes"}, {"cualquiera", "que"}, {"todo", "el", "que"}, {"los", "que"}},
	"it": {{"chi"}, {"chiunque"}, {"quelli", "che"}, {"tutti", "quelli", "che"}},
	"pt": {{"quem"}, {"qualquer", "um", "que"}, {"todo", "mundo", "que"}, {"os", "que"}, {"todos", "que"}},
	"nl": {{"wie"}, {"iedereen", "die"}, {"degene", "die"}, {"degenen", "die"}},
}

// copulas link a subject to what the sentence calls it (folded).
var copulas = map[string]bool{
	"est": true, "sont": true, "etait": true, "is": true, "are": true, "was": true, "ist": true, "sind": true,
	"war": true, "es": true, "son": true, "era": true, "e": true, "sono": true, "sao": true, "zijn": true,
}

// generic reports an insult that a sentence opening on "anyone who",
// "wer", "quiconque" ... pins on whoever it describes, through a copula
// right before it ("... ist ein Idiot"). It returns the sentence start.
func (lr *langRules) generic(toks []Token, h hit) (int, bool) {
	openers := genericOpeners[lr.code]
	if openers == nil {
		return 0, false
	}
	t := &toks[h.first]
	// A noun for a person: "is an idiot", "sont des débiles", "are idiots";
	// not "Anyone who thinks this is stupid", where the adjective describes
	// "this".
	copula, person := false, len(h.p.toks) == 1 && t.Text != h.p.toks[0]
	for k := h.first - 1; k >= 0 && k >= h.first-3 && toks[k].Clause == t.Clause; k-- {
		w := toks[k].Text
		if negations[w] {
			return 0, false
		}
		if copulas[w] {
			copula = true
			break
		}
		switch {
		case lr.determiners[w]:
			person = true
		case !linkWords[w]:
			return 0, false
		}
	}
	if !copula || !person {
		return 0, false
	}
	start := h.first
	for start > 0 && toks[start-1].Sentence == t.Sentence {
		start--
	}
	for _, o := range openers {
		if start+len(o) > h.first {
			continue
		}
		match := true
		for i, w := range o {
			if toks[start+i].Text != w || toks[start+i].Quoted {
				match = false
				break
			}
		}
		if match {
			for k := start; k < h.first; k++ {
				if negations[toks[k].Text] {
					return 0, false
				}
			}
			return start, true
		}
	}
	return 0, false
}

// countWords stand for a small number before "comments up": "a few
// comments up", "ein paar Kommentare weiter oben" (folded).
var countWords = map[string]bool{
	"few": true, "couple": true, "quelques": true, "paar": true, "par": true, "paio": true, "alcuni": true,
	"qualche": true, "unos": true, "algunos": true, "uns": true, "alguns": true, "enkele": true,
}

// maxPointerGap is how many linking words ("est un", "is such a") may stand
// between a pointer and the insult it designates.
const maxPointerGap = 3

// pointed reports an insult aimed at a person of the thread in the third
// person: a pointer right after it ("quel débile celui-là", "che idiota
// questo tizio", "wat een mongool is die gast"), a pointer shortly before
// it joined only by linking words ("ce type est un abruti", "this guy is a
// moron", but not "this guy said the idea was stupid"), or a frame around
// it ("cet abruti-là", "el imbécil este").
func (lr *langRules) pointed(toks []Token, h hit, buf []string) (int, int, bool) {
	t := &toks[h.first]
	if h.first > 0 && h.last+1 < len(toks) {
		b, a := &toks[h.first-1], &toks[h.last+1]
		if b.Clause == t.Clause && a.Clause == t.Clause && !a.Quoted && lr.frames[[2]string{b.Text, a.Text}] {
			return h.first - 1, h.last + 1, true
		}
	}
	if len(lr.pointers.exact) == 0 {
		return 0, 0, false
	}
	// After: the pointer follows, at most one linking word between, or a
	// count ("the pillock two comments up", "die mafkees twee reacties
	// hierboven").
	var hits []hit
	counted := 0
	for k := h.last + 1; k < len(toks) && k <= h.last+2+counted; k++ {
		m := &toks[k]
		// "Quel débile, celui-là": a comma may stand right before it.
		if m.Sentence != toks[h.last].Sentence || (m.Clause != toks[h.last].Clause && k > h.last+1) ||
			m.Quoted || negations[m.Text] {
			break
		}
		hits, buf = lr.find(lr.pointers, toks, k, hits[:0], buf)
		if len(hits) > 0 {
			return h.first, hits[0].last, true
		}
		if counted < 2 && (numberWords[m.Text] || isDigits(m.Text) || countWords[m.Text]) {
			counted++
			continue
		}
		if !linkWords[m.Text] {
			break
		}
	}
	// Before: the pointer, then only linking words and determiners; the
	// elided "c'" of "ce mec c'est un vrai X" does not count.
	gap := 0
	for k := h.first - 1; k >= 0 && gap <= maxPointerGap; k-- {
		m := &toks[k]
		if len(m.Text) > 1 {
			gap++
		}
		if m.Clause != t.Clause || m.Quoted || negations[m.Text] {
			break
		}
		if first, ok := lr.endsAt(lr.pointers, toks, k, k, buf); ok && toks[first].Clause == t.Clause {
			return first, h.last, true
		}
		// "El de arriba es el típico X": a typical-kind word and its
		// definite article link the pointer too.
		if !linkWords[m.Text] && !(k == h.first-1 && lr.determiners[m.Text]) && !(len(m.Text) == 1 && gap > 0) &&
			!typicalWords[m.Text] && !(definites[m.Text] && k+1 < h.first && typicalWords[toks[k+1].Text]) {
			break
		}
	}
	return 0, 0, false
}

// possessed reports an insult aimed at the reader's own people or body: a
// possessive, a relative at most three words after it, and the insult in
// between or just after, in one clause without a negation — "tes potes
// débiles", "your ugly fat face", "i tuoi amici cretini".
func (lr *langRules) possessed(toks []Token, h hit) (int, int, bool) {
	if len(lr.relatives) == 0 {
		return 0, 0, false
	}
	t := &toks[h.first]
	for p := h.first - 1; p >= 0 && p >= h.first-5; p-- {
		m := &toks[p]
		if m.Clause != t.Clause || m.Quoted || negations[m.Text] {
			return 0, 0, false
		}
		if !lr.possessives[m.Text] {
			continue
		}
		for r := p + 1; r < len(toks) && r <= p+3 && toks[r].Clause == t.Clause; r++ {
			if lr.isRelative(toks[r].Text) {
				return p, max(r, h.last), true
			}
		}
	}
	return 0, 0, false
}

// isRelative looks a word up among the relatives, also without a plural
// ending.
func (lr *langRules) isRelative(w string) bool {
	if lr.relatives[w] {
		return true
	}
	for _, pl := range lr.plurals {
		if lr.pluralOf(w, pl) && lr.relatives[w[:len(w)-len(pl)]] {
			return true
		}
	}
	return false
}

// linkWords join a pointer to the insult that describes it: copulas and
// intensifiers of the supported languages, folded ("ce type est vraiment
// un", "this guy is such a", "dieser Typ ist ein echter").
var linkWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		est etait reste vraiment completement totalement un une vrai vraie sacre sacree
		bande belle beau parfait parfaite certifie certifiee patente fini finie la
		certified genuine proper
		is was be really such a an total complete absolute utter real fucking
		ist war echt wirklich total ein eine einer einen echter echte voll kompletter komplette da
		totaler totale absoluter absolute richtiger richtige
		es era eres un una muy totalmente menudo verdadero autentico
		e era proprio davvero un una uno vero totale
		e era um uma mesmo muito completo verdadeiro ai
		is was echt een zo n totaal volslagen gewoon
		hat has ha tem tiene heeft doch einfach halt`) {
		m[w] = true
	}
	return m
}()

// speaksTo reports whether a sentence (or, with anySentence, the comment)
// addresses or points at someone: an unquoted second-person word,
// possessive or @mention not just after a negation, or a pointer ("le
// mec", "this guy").
func (lr *langRules) speaksTo(toks []Token, sentence int) bool {
	var hits []hit
	var buf []string
	for k := range toks {
		m := &toks[k]
		if (sentence != anySentence && m.Sentence != sentence) || m.Quoted {
			continue
		}
		if m.Kind == TokenMention || lr.secondPerson[m.Text] || lr.possessives[m.Text] {
			if k > 0 && negations[toks[k-1].Text] {
				continue
			}
			return true
		}
		if hits, buf = lr.find(lr.pointers, toks, k, hits[:0], buf); len(hits) > 0 {
			return true
		}
	}
	return false
}

// demonstrativeAfter reports a demonstrative and a person right after the
// hit, in its sentence: "... cette journaliste", "... that mayor"; not
// "quel idiot ce règlement".
func (lr *langRules) demonstrativeAfter(toks []Token, h hit) bool {
	a := h.last + 1
	return a+1 < len(toks) && demonstratives[lr.code][toks[a].Text] && toks[a].Sentence == toks[h.last].Sentence &&
		toks[a+1].Sentence == toks[a].Sentence && personNouns[toks[a+1].Text]
}

// personNouns name the people of public life and of the thread (folded),
// the ones a demonstrative after an exclamation points at.
var personNouns = toSet(strings.Fields(`
	type mec gars femme homme fille gamin journaliste ministre maire depute deputee president presidente
	presentatrice presentateur animatrice animateur arbitre entraineur joueur joueuse senateur elu elue
	commentateur commentatrice redacteur auteur prof professeur juge policier flic
	guy man woman girl boy kid journalist minister mayor senator president presenter host anchor reporter
	referee ref coach player councillor councilor mp judge cop writer author teacher
	typ kerl mann frau junge madchen journalist journalistin minister ministerin burgermeister
	burgermeisterin prasident moderator moderatorin schiedsrichter trainer spieler politiker politikerin
	richter lehrer autor
	tipo tio tia hombre mujer chico chica periodista ministro ministra alcalde alcaldesa presidente presidenta
	presentador presentadora arbitro entrenador jugador diputado diputada concejal juez profesor autor
	uomo donna ragazzo ragazza giornalista sindaco sindaca presidente presentatore presentatrice
	arbitro allenatore giocatore deputato deputata senatore consigliere giudice professore autore
	cara homem mulher rapaz moca jornalista prefeito prefeita presidenta apresentador apresentadora
	treinador jogador deputado vereador professor
	man vrouw jongen meisje journalist minister burgemeester president presentator presentatrice
	scheidsrechter trainer speler wethouder kamerlid rechter leraar schrijver`))

// apostrophised reports an insult standing alone as its own clause, a
// vocative set off by commas or a full stop, in a comment that speaks to
// someone: "@Javier tu opinión no vale nada, mamarracho de manual", "You
// have no idea what you're on about. Clown." An "of" and one word may
// follow it ("de manual", "of the year").
func (lr *langRules) apostrophised(toks []Token, h hit) bool {
	t := &toks[h.first]
	// A phrase ("retourne dans ton bac à sable") carries its own aim.
	if h.first != h.last || (h.first > 0 && toks[h.first-1].Clause == t.Clause) {
		return false
	}
	end := h.last + 1
	if end+1 < len(toks) && toks[end].Clause == t.Clause && ofWords[toks[end].Text] && toks[end+1].Clause == t.Clause {
		end += 2
	}
	if end < len(toks) && toks[end].Clause == t.Clause {
		return false
	}
	// "Idiot." alone says nothing of whom; the comment must address someone
	// elsewhere, unquoted.
	return lr.speaksToAny(toks)
}

// anySentence makes speaksTo look at the whole comment.
const anySentence = -1

// firstPerson are the words by which a commenter speaks of themself, per
// language (folded).
var firstPerson = map[string]map[string]bool{
	"fr": {"je": true, "j": true, "moi": true, "suis": true},
	"en": {"i": true, "im": true, "am": true},
	"de": {"ich": true, "bin": true},
	"es": {"yo": true, "soy": true},
	"it": {"io": true},
	"pt": {"eu": true, "sou": true},
	"nl": {"ik": true},
}

// selfReference reports a first-person subject before the hit in its
// clause: "je suis vraiment un idiot", "ich bin so ein Idiot".
func (lr *langRules) selfReference(toks []Token, h hit) bool {
	fp := firstPerson[lr.code]
	if fp == nil {
		return false
	}
	t := &toks[h.first]
	for k := h.first - 1; k >= 0 && k >= h.first-6; k-- {
		m := &toks[k]
		if m.Clause != t.Clause {
			break
		}
		// "Regarde-moi cette ...", "vise-moi ce ...": "moi" before a
		// demonstrative shows someone else.
		if fp[m.Text] && !(m.Text == "moi" && k+1 < len(toks) && demonstratives["fr"][toks[k+1].Text]) {
			return true
		}
	}
	// "Menudo tonto estoy hecho", "quel idiot je suis", "what an idiot I
	// am", "che stupido che sono": a first-person verb right after it.
	fa := firstPersonAfter[lr.code]
	for k := h.last + 1; k < len(toks) && k <= h.last+2; k++ {
		if toks[k].Clause != t.Clause {
			break
		}
		if fa[toks[k].Text] {
			return true
		}
	}
	return false
}

// selfCopulas say "I am" without needing the pronoun (folded): "suis",
// "am", "bin", "soy", "estoy", "sou", "estou", "ben".
var selfCopulas = map[string]map[string]bool{
	"fr": {"suis": true},
	"en": {"am": true, "im": true, "m": true},
	"de": {"bin": true},
	"es": {"soy": true, "estoy": true},
	"it": {"sono": true},
	"pt": {"sou": true, "estou": true},
	"nl": {"ben": true},
}

// meWords are the first-person pronouns a comparison ends on: "than me",
// "que moi", "als ich", "que yo", "di me", "que eu", "dan ik" (folded).
var meWords = map[string]bool{"me": true, "moi": true, "ich": true, "mich": true, "yo": true, "mi": true,
	"eu": true, "mim": true, "ik": true, "mij": true, "io": true}

// selfDescribed reports an insult the commenter pins on themselves: a
// first-person copula at most three words before it in its clause ("Sou
// tão burro", "I'm so stupid", "je suis trop con"), or a comparison
// ending on "me" right after it ("alguém mais lesado que eu", "anyone
// dumber than me"). Unlike selfReference it ignores a first-person
// subject of another verb: "I hate these vermin" still attacks.
func (lr *langRules) selfDescribed(toks []Token, h hit) bool {
	t := &toks[h.first]
	if t.Quoted {
		return false
	}
	if h.first > 0 && toks[h.first-1].Clause != t.Clause && selfApposed(toks, h.first) {
		return true
	}
	sc := selfCopulas[lr.code]
	for k := h.first - 1; k >= 0 && k >= h.first-4; k-- {
		m := &toks[k]
		if m.Clause != t.Clause {
			break
		}
		if sc[m.Text] {
			return k > 0 || m.Text != "m"
		}
		if negations[m.Text] || lr.secondPerson[m.Text] || copulas[m.Text] {
			break
		}
	}
	// The comparison word may end the term itself: "mais burro que" + "eu".
	to, a := comparedTo[lr.code], h.last+1
	if !to[toks[h.last].Text] {
		if a >= len(toks) || !to[toks[a].Text] || toks[a].Clause != t.Clause {
			return false
		}
		a++
	}
	return a < len(toks) && meWords[toks[a].Text] && toks[a].Clause == t.Clause
}

// selfAnd are the conjunctions that open "and me, idiot that I am":
// "y yo, boluda", "et moi, idiote", "und ich, Depp", "en ik, sukkel".
var selfAnd = map[string]bool{"y": true, "e": true, "et": true, "and": true, "und": true, "en": true}

// selfApposed reports a clause starting at lo that stands in apposition
// to the commenter: the clause before it, in the same sentence, is only
// "and me" or "me" ("Y yo, boluda, se lo mandé al jefe"). Round 7's writer
// called herself that after swearing at an app; "not me, idiot, you" is
// not one, since a negation or any other word before the pronoun fails.
func selfApposed(toks []Token, lo int) bool {
	p := lo - 1
	if p < 0 || toks[p].Sentence != toks[lo].Sentence || !meWords[toks[p].Text] {
		return false
	}
	return p == 0 || toks[p-1].Sentence != toks[p].Sentence ||
		(selfAnd[toks[p-1].Text] && (p == 1 || toks[p-2].Sentence != toks[p].Sentence))
}

// firstPersonAfter are first-person subjects and verbs that, right after
// an insult, make it the commenter's own (folded).
var firstPersonAfter = map[string]map[string]bool{
	"fr": {"je": true, "suis": true},
	"en": {"i": true, "am": true},
	"de": {"ich": true, "bin": true},
	"es": {"soy": true, "estoy": true},
	"it": {"sono": true, "io": true},
	"pt": {"sou": true, "estou": true},
	"nl": {"ik": true},
}

// forwardWindow is how many words after an insult a second-person word
// may stand and still aim it: "moron you", "deficiente che sei".
const forwardWindow = 2

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
