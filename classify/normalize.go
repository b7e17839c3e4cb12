package classify

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TokenKind says what sort of token a Token is.
type TokenKind uint8

// Token kinds.
const (
	// TokenWord is a run of letters and digits (a number is a word without letters).
	TokenWord TokenKind = iota
	// TokenMention is an @name; its Text holds the name without the "@".
	TokenMention
)

// Token is one word of a comment in matching form, with the byte span it came
// from in the original text.
type Token struct {
	// Text is the matching form: NFKC-compatible, lower case, accents and
	// look-alikes folded, leetspeak undone when that yields a known word,
	// letter runs longer than two cut to two.
	Text string
	// Start and End are byte offsets into the original text, [Start, End).
	Start, End int
	Kind       TokenKind
	// Sentence counts the sentence breaks (. ! ? ; newline) before the token.
	Sentence int
	// Clause counts the clause breaks (sentence breaks and commas) before
	// the token: "Ferme-la, connard, tu pollues" has three clauses.
	Clause int
	// Quoted is set inside balanced quotation marks (" « » “ ” „) and
	// inside single quotes used as quotation marks ('mongool', not l'homme).
	Quoted bool
	// Disguised is set when the token was rebuilt from spaced letters
	// (i d i o t) or from leetspeak (c0nn4rd).
	Disguised bool
	// InLink is set for tokens inside a URL or an e-mail address.
	InLink bool
	// stretched is set when a letter was repeated three times or more
	// ("idioooot"): emphasis, not spelling.
	stretched bool
	// unstretched is a stretched word with each stretched run single and
	// its other double letters kept: "ballena" from "Baaaaalleeeeenaaaa".
	unstretched string

	fstart, fend int // span in Normalized.Folded
}

// Normalized is a comment prepared for matching: the folded text with a map
// back to the original bytes, and its tokens.
type Normalized struct {
	// Original is the text as received.
	Original string
	// Folded is the text folded rune by rune (case, accents, look-alikes,
	// invisible characters removed). Scanners for links, phone numbers and
	// e-mail addresses work on it.
	Folded string
	// Tokens are the words of the text in matching form.
	Tokens []Token
	// ostart and oend give, for each byte of Folded, the span of the original
	// rune it came from.
	ostart, oend []int32
}

// Span maps a byte span of Folded back to the original text.
func (n *Normalized) Span(fStart, fEnd int) (start, end int) {
	if len(n.ostart) == 0 || fEnd <= fStart {
		return 0, 0
	}
	if fStart >= len(n.ostart) {
		fStart = len(n.ostart) - 1
	}
	if fEnd > len(n.oend) {
		fEnd = len(n.oend)
	}
	return int(n.ostart[fStart]), int(n.oend[fEnd-1])
}

// Form returns the matching form of the whole text: tokens in matching
// form with the folded punctuation and spacing between them kept as they
// are (spacing decides what is rejoined, so collapsing it would change the
// reading). Normalising a Form again returns it unchanged.
func (n *Normalized) Form() string {
	var b strings.Builder
	b.Grow(len(n.Folded))
	prevEnd := 0
	for i := range n.Tokens {
		t := &n.Tokens[i]
		b.WriteString(n.Folded[prevEnd:t.fstart])
		if t.Kind == TokenMention {
			b.WriteByte('@')
		}
		b.WriteString(t.Text)
		prevEnd = t.fend
	}
	b.WriteString(n.Folded[prevEnd:])
	return strings.TrimSpace(b.String())
}

// Normalizer turns comment text into matching form. Its dictionary (the words
// of the active lexicons) decides when leetspeak and spaced letters are
// undone: only when that yields a known word, so "4x4" and "2017" stay as
// they are. A Normalizer is immutable and safe for concurrent use.
type Normalizer struct {
	dict map[string]struct{}
	// phraseOnly holds the dictionary words known only as part of a
	// longer term ("pete" of "pete un cable"): a disguise is read as one of
	// them only when no whole term fits ("p*te" is "pute").
	phraseOnly map[string]struct{}
	prefixes   map[string]struct{}
	plens      []int
}

// NewNormalizer returns a normaliser that resolves disguises into the given
// words, which must already be in matching form (see FoldString).
func NewNormalizer(words []string) *Normalizer { return newNormalizer(words, nil) }

func newNormalizer(words, prefixes []string) *Normalizer {
	nz := &Normalizer{dict: make(map[string]struct{}, len(words)), prefixes: map[string]struct{}{}}
	for _, w := range words {
		nz.dict[w] = struct{}{}
	}
	lens := map[int]bool{}
	for _, p := range prefixes {
		nz.prefixes[p] = struct{}{}
		lens[len(p)] = true
	}
	for l := range lens {
		nz.plens = append(nz.plens, l)
	}
	sort.Ints(nz.plens)
	return nz
}

// addPhraseWords adds the words of multi-word terms to the dictionary,
// ranked below the one-word terms.
func (nz *Normalizer) addPhraseWords(words []string) {
	for _, w := range words {
		if _, ok := nz.dict[w]; ok {
			continue
		}
		if nz.phraseOnly == nil {
			nz.phraseOnly = map[string]struct{}{}
		}
		nz.dict[w] = struct{}{}
		nz.phraseOnly[w] = struct{}{}
	}
}

// wholeTerm reports a known word that is not only part of a longer term.
func (nz *Normalizer) wholeTerm(w string) bool {
	if _, weak := nz.phraseOnly[w]; !weak {
		return true
	}
	for _, suf := range [...]string{"s", "es", "x"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			if _, ok := nz.dict[w[:len(w)-len(suf)]]; ok {
				if _, weak := nz.phraseOnly[w[:len(w)-len(suf)]]; !weak {
					return true
				}
			}
		}
	}
	return false
}

// known reports whether w is a dictionary word, allowing for squeezed letter
// runs, a plural ending and prefix terms.
func (nz *Normalizer) known(w string) bool {
	if nz.knownExact(w) {
		return true
	}
	if s := squeeze(w, 1); s != w && nz.knownExact(s) {
		return true
	}
	for _, suf := range [...]string{"s", "es", "x"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) && nz.knownExact(w[:len(w)-len(suf)]) {
			return true
		}
	}
	return false
}

func (nz *Normalizer) knownExact(w string) bool {
	if _, ok := nz.dict[w]; ok {
		return true
	}
	for _, l := range nz.plens {
		if l > len(w) {
			break
		}
		if _, ok := nz.prefixes[w[:l]]; ok {
			return true
		}
	}
	return false
}

// FoldString folds s rune by rune and collapses letter runs, the form lexicon
// entries are stored in.
func FoldString(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(foldRune(r))
	}
	return squeeze(strings.TrimSpace(b.String()), 2)
}

// Normalize returns the matching form of text (see Normalized.Form).
func (nz *Normalizer) Normalize(text string) string {
	n := nz.Prepare(text)
	return n.Form()
}

// leetOptions lists what a digit or symbol inside a word may stand for.
var leetOptions = map[rune]string{
	'0': "o", '1': "il", '3': "e", '4': "a", '5': "s", '7': "t", '8': "b", '9': "g",
	'@': "ao", '$': "s", '!': "i", '|': "l", '€': "e", '+': "t", '*': "\x00aeiou",
}

// isLeetSymbol reports symbols that may sit inside a disguised word.
func isLeetSymbol(r rune) bool {
	switch r {
	case '@', '$', '!', '|', '€', '*', '+':
		return true
	}
	return false
}

// leadingLeet reports a word that starts with leetspeak symbols and reads
// as a known word once they are undone: "$alope", "€nculé", "@bruti" (an
// insult, not a mention of someone called "bruti").
func (nz *Normalizer) leadingLeet(f string, runes []frune, i int) bool {
	j := i
	for j < len(runes) && isLeetSymbol(runes[j].r) {
		j++
	}
	if j == i || j-i > 2 || j == len(runes) || !isWordRune(runes[j].r) {
		return false
	}
	k := j
	for k < len(runes) && (isWordRune(runes[k].r) || isLeetSymbol(runes[k].r)) {
		k++
	}
	for k > j && !isWordRune(runes[k-1].r) && !trailingLeet(runes[k-1:k]) {
		k--
	}
	_, ok := nz.resolve(f[runes[i].start:runes[k-1].end])
	return ok
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// trailingEuro reports a word of letters ending in "€" that reads as a
// known word once its leetspeak is undone.
func (nz *Normalizer) trailingEuro(w string) bool {
	for _, r := range w {
		if unicode.IsDigit(r) {
			return false
		}
	}
	_, ok := nz.resolve(w)
	return ok
}

// trailingLeet reports a run of @ and $ only: the symbols that may end a
// disguised word (others, like "!", end sentences).
func trailingLeet(rs []frune) bool {
	for _, r := range rs {
		if r.r != '@' && r.r != '$' {
			return false
		}
	}
	return true
}

// hasLetters reports whether rs holds at least n letters or leetspeak
// digits (counting those keeps a second normalisation, where "0s" has become
// "os", reading the word the same way).
func hasLetters(rs []frune, n int) bool {
	for _, r := range rs {
		if _, leet := leetOptions[r.r]; leet || unicode.IsLetter(r.r) {
			if n--; n == 0 {
				return true
			}
		}
	}
	return false
}

// lastRune and firstRune return the rune at either end of s (RuneError
// when s is empty).
func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// joinSeparator reports the characters that may separate the letters of a
// spaced-out word: "i d i o t", "c.o.n", "w-h-a-t-s-a-p-p".
func joinSeparator(r rune) bool {
	switch r {
	case ' ', '.', '-', '_', '/', '\\', '~', ',':
		return true
	}
	return false
}

type frune struct {
	r          rune
	start, end int32 // span in Folded
}

// rawToken is a token before rejoining, in folded coordinates.
type rawToken struct {
	fstart, fend int
	mention      bool
	runes        int
}

// Prepare folds text, tokenises it and resolves disguises.
func (nz *Normalizer) Prepare(text string) *Normalized {
	n := &Normalized{Original: text}
	var fb strings.Builder
	fb.Grow(len(text))
	ostart := make([]int32, 0, len(text)+8)
	oend := make([]int32, 0, len(text)+8)
	for i, r := range text {
		w := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, w = utf8.DecodeRuneInString(text[i:])
		}
		f := foldRune(r)
		fb.WriteString(f)
		for range len(f) {
			ostart = append(ostart, int32(i))
			oend = append(oend, int32(i+w))
		}
	}
	n.Folded = fb.String()
	n.ostart, n.oend = ostart, oend
	n.Tokens = nz.tokenize(n)
	return n
}

func (nz *Normalizer) tokenize(n *Normalized) []Token {
	f := n.Folded
	runes := make([]frune, 0, len(f))
	for i, r := range f {
		runes = append(runes, frune{r: r, start: int32(i), end: int32(i + utf8.RuneLen(r))})
	}
	raws := make([]rawToken, 0, len(runes)/4+1)
	for i := 0; i < len(runes); {
		r := runes[i].r
		switch {
		case r == '@' && i+1 < len(runes) && isWordRune(runes[i+1].r) && (i == 0 || !isWordRune(runes[i-1].r)) &&
			!nz.leadingLeet(f, runes, i):
			j := i + 1
			for j < len(runes) && (isWordRune(runes[j].r) || runes[j].r == '_') {
				j++
			}
			raws = append(raws, rawToken{fstart: int(runes[i].start), fend: int(runes[j-1].end), mention: true, runes: j - i - 1})
			i = j
		case isWordRune(r) || (isLeetSymbol(r) && (i == 0 || !isWordRune(runes[i-1].r)) && nz.leadingLeet(f, runes, i)):
			j := i
			for j < len(runes) {
				c := runes[j].r
				if isWordRune(c) {
					j++
					continue
				}
				if isLeetSymbol(c) {
					k := j
					for k < len(runes) && isLeetSymbol(runes[k].r) {
						k++
					}
					if k < len(runes) && isWordRune(runes[k].r) && k-j <= 3 {
						j = k
						continue
					}
					// "put@", "a$$": an @ or $ ending a word stands for a
					// letter when the word has letters of its own.
					if k-j <= 2 && (k == len(runes) || !isWordRune(runes[k].r)) && trailingLeet(runes[j:k]) &&
						hasLetters(runes[i:j], 2) {
						j = k
					} else if k-j == 1 && runes[j].r == '€' && (k == len(runes) || !isWordRune(runes[k].r)) &&
						unicode.IsLetter(runes[i].r) && nz.trailingEuro(f[runes[i].start:runes[j].end]) {
						// "t€", "m€r€": a euro sign ending a word of letters
						// is an e when that gives a known word ("5€" is a price).
						j = k
					}
				}
				break
			}
			raws = append(raws, rawToken{fstart: int(runes[i].start), fend: int(runes[j-1].end), runes: j - i})
			i = j
		default:
			i++
		}
	}
	toks := make([]Token, 0, len(raws))
	sentence, clause := 0, 0
	quoted := false
	quoteOpenAt := -1
	// Single quotes quote only when they open after a non-letter and close
	// before one: the apostrophes of t'es or it's never do either.
	squoted := false
	squoteOpenAt := -1
	var squoteOnly []bool // per token: quoted by single quotes alone
	prevEnd := 0
	for i := 0; i < len(raws); {
		rt := raws[i]
		gap := f[prevEnd:rt.fstart]
		for gi, c := range gap {
			switch c {
			case '.', '!', '?', ';', '\n', ':':
				sentence++
				clause++
			case ',':
				clause++
			case '"':
				quoted = !quoted
				if quoted {
					quoteOpenAt = len(toks)
				}
			case '\'':
				before := prevEnd + gi
				after := before + 1
				letterBefore := before > 0 && isWordRune(lastRune(f[:before]))
				letterAfter := after < len(f) && isWordRune(firstRune(f[after:]))
				switch {
				case !squoted && !letterBefore && letterAfter:
					squoted, squoteOpenAt = true, len(toks)
				case squoted && letterBefore && !letterAfter:
					squoted = false
				}
			}
		}
		// Rejoin single letters separated by single separators. The "s"
		// of "he's" or the "l" of "l'" is the end of a word, not the
		// start of a run: "he's a d.i.c.k" is not "sad".
		elided := i > 0 && (f[raws[i-1].fend:rt.fstart] == "'" || f[raws[i-1].fend:rt.fstart] == "’")
		if !rt.mention && rt.runes == 1 && !elided {
			j := i + 1
			sep := ""
			for j < len(raws) && !raws[j].mention && raws[j].runes == 1 {
				g := f[raws[j-1].fend:raws[j].fstart]
				if utf8.RuneCountInString(g) != 1 || !joinSeparator(rune(g[0])) || (sep != "" && g != sep) {
					break
				}
				sep = g
				j++
			}
			if j-i >= 3 {
				var jb strings.Builder
				for k := i; k < j; k++ {
					jb.WriteString(f[raws[k].fstart:raws[k].fend])
				}
				word, _ := nz.resolve(jb.String())
				// "such a d u m b a s s": when the run is no word but the
				// run without its first letter is, that letter is a word of
				// its own ("a", "y", "à") and the rest is rejoined next.
				lone := false
				if j-i >= 4 && !nz.known(word) {
					var rb strings.Builder
					for k := i + 1; k < j; k++ {
						rb.WriteString(f[raws[k].fstart:raws[k].fend])
					}
					rest, _ := nz.resolve(rb.String())
					lone = nz.known(rest)
				}
				// "f u c k i n g m o r o n": two known words run together,
				// maybe after a lone letter ("a f u c k i n g m o r o n").
				if !lone && j-i >= 6 && !nz.known(word) {
					if parts := nz.splitRun(f, raws[i:j]); parts != nil {
						for _, p := range parts {
							toks = append(toks, Token{
								Text: squeeze(p.text, 2), stretched: squeeze(p.text, 2) != p.text,
								fstart: raws[i+p.from].fstart, fend: raws[i+p.to-1].fend,
								Sentence: sentence, Clause: clause, Quoted: quoted || squoted, Disguised: p.to-p.from > 1,
							})
							squoteOnly = append(squoteOnly, squoted && !quoted)
						}
						prevEnd = raws[j-1].fend
						i = j
						continue
					}
				}
				if !lone && (j-i >= 4 || nz.known(word)) {
					toks = append(toks, Token{
						Text: squeeze(word, 2), stretched: squeeze(word, 2) != word, fstart: rt.fstart, fend: raws[j-1].fend,
						Sentence: sentence, Clause: clause, Quoted: quoted || squoted, Disguised: true,
					})
					squoteOnly = append(squoteOnly, squoted && !quoted)
					prevEnd = raws[j-1].fend
					i = j
					continue
				}
			}
		}
		raw := f[rt.fstart:rt.fend]
		t := Token{fstart: rt.fstart, fend: rt.fend, Sentence: sentence, Clause: clause, Quoted: quoted || squoted}
		if rt.mention {
			t.Kind = TokenMention
			t.Text = raw[1:]
		} else {
			word, leet := nz.resolve(raw)
			t.Text = squeeze(word, 2)
			t.Disguised = leet
			t.stretched = t.Text != word
			if t.stretched {
				t.unstretched = unstretch(word)
			}
		}
		toks = append(toks, t)
		squoteOnly = append(squoteOnly, squoted && !quoted)
		prevEnd = rt.fend
		i++
	}
	for gi, c := range f[prevEnd:] {
		switch c {
		case '"':
			quoted = !quoted
		case '\'':
			if squoted && prevEnd+gi > 0 && isWordRune(lastRune(f[:prevEnd+gi])) {
				squoted = false
			}
		}
	}
	if quoted && quoteOpenAt >= 0 {
		// An unbalanced quotation mark quotes nothing.
		for k := quoteOpenAt; k < len(toks); k++ {
			toks[k].Quoted = squoteOnly[k]
		}
	}
	if squoted && squoteOpenAt >= 0 {
		for k := squoteOpenAt; k < len(toks); k++ {
			if squoteOnly[k] {
				toks[k].Quoted = false
			}
		}
	}
	for k := range toks {
		toks[k].Start, toks[k].End = n.Span(toks[k].fstart, toks[k].fend)
		if toks[k].Kind == TokenWord && !toks[k].Disguised && lookalike(n.Original[toks[k].Start:toks[k].End]) {
			toks[k].Disguised = true
		}
	}
	return toks
}

// lookalike reports a word of a Latin-script language written with Greek
// or Cyrillic letters that fold to Latin ones ("сrеtіn", "ΚΝΟΒΗΕΑD"), with
// fullwidth or mathematical letters ("ｐｕｔａｓ", "𝓹𝓲𝓰") or with an
// invisible character inside ("sub\u200bnormal"): a disguise, since every
// supported language writes in plain Latin letters. The soft hyphen of
// text pasted from a newspaper is no disguise.
func lookalike(s string) bool {
	for _, r := range s {
		switch {
		case r >= 0x370 && r <= 0x4ff, r >= 0xff01 && r <= 0xff5e, r >= 0x1d400 && r <= 0x1d7ff:
			return true
		case r != 0xad && unicode.Is(unicode.Cf, r):
			return true
		}
	}
	return false
}

// runPart is one word rebuilt from a run of spaced letters: letters
// [from, to) of the run.
type runPart struct {
	text     string
	from, to int
}

// splitRun looks for the place where a run of spaced letters that is no
// word splits into two known words of three letters or more, maybe after a
// lone first letter that is a word of its own ("a", "y"). It returns nil
// when there is none.
func (nz *Normalizer) splitRun(f string, run []rawToken) []runPart {
	join := func(from, to int) string {
		var b strings.Builder
		for _, r := range run[from:to] {
			b.WriteString(f[r.fstart:r.fend])
		}
		w, _ := nz.resolve(b.String())
		return w
	}
	for lead := 0; lead <= 1; lead++ {
		for cut := lead + 3; cut <= len(run)-3; cut++ {
			left := join(lead, cut)
			if !nz.known(left) {
				continue
			}
			if right := join(cut, len(run)); nz.known(right) {
				parts := []runPart{{left, lead, cut}, {right, cut, len(run)}}
				if lead == 1 {
					parts = append([]runPart{{join(0, 1), 0, 1}}, parts...)
				}
				return parts
			}
		}
	}
	return nil
}

// resolve undoes leetspeak in w when a reading of it is a known word, and
// reports whether it did.
func (nz *Normalizer) resolve(w string) (string, bool) {
	hasLetter, leet := false, 0
	for _, r := range w {
		if _, ok := leetOptions[r]; ok {
			leet++
		} else if unicode.IsLetter(r) {
			hasLetter = true
		}
	}
	if leet == 0 || !hasLetter || leet > 6 || len(w) > 32 {
		return w, false
	}
	rs := []rune(w)
	buf := make([]rune, 0, len(rs))
	var found, weak string
	var try func(i int) bool
	budget := 256
	try = func(i int) bool {
		if budget--; budget < 0 {
			return false
		}
		if i == len(rs) {
			c := squeeze(string(buf), 2)
			if !nz.known(c) {
				return false
			}
			if nz.phraseOnly != nil && !nz.wholeTerm(c) {
				// Keep looking for a whole term; remember this reading.
				if weak == "" {
					weak = c
				}
				return false
			}
			found = c
			return true
		}
		opts, ok := leetOptions[rs[i]]
		if !ok {
			buf = append(buf, rs[i])
			ok := try(i + 1)
			buf = buf[:len(buf)-1]
			return ok
		}
		for _, o := range opts {
			if o == 0 {
				if try(i + 1) {
					return true
				}
				continue
			}
			buf = append(buf, o)
			ok := try(i + 1)
			buf = buf[:len(buf)-1]
			if ok {
				return true
			}
		}
		return false
	}
	if try(0) {
		return found, true
	}
	if weak != "" {
		return weak, true
	}
	return w, false
}

// squeeze cuts every run of the same letter to at most max letters. Digits
// are left alone so numbers keep their value.
// unstretch makes each run of three or more of a letter single and keeps
// the shorter runs: "baaaaalleeeeenaaaa" is "ballena", its "ll" spelling.
func unstretch(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 && unicode.IsLetter(rs[i]) {
			n = 1
		}
		for k := 0; k < n; k++ {
			b.WriteRune(rs[i])
		}
		i = j
	}
	return b.String()
}

func squeeze(s string, max int) string {
	var prev rune = -1
	run := 0
	need := false
	for _, r := range s {
		if r == prev && unicode.IsLetter(r) {
			run++
			if run > max {
				need = true
				break
			}
		} else {
			prev, run = r, 1
		}
	}
	if !need {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev, run = -1, 0
	for _, r := range s {
		if r == prev && unicode.IsLetter(r) {
			run++
			if run > max {
				continue
			}
		} else {
			prev, run = r, 1
		}
		b.WriteRune(r)
	}
	return b.String()
}
