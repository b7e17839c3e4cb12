package classify

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pemistahl/lingua-go"
	"golang.org/x/text/unicode/norm"
)

// DefaultLanguages is the language set the classifier detects when
// EngineConfig.Languages is empty.
var DefaultLanguages = []string{"fr", "en", "de", "es", "it", "pt", "nl"}

// Detection tuning. detectPrefixRunes bounds the text lingua sees: language
// is settled long before 200 letters, and lingua's cost grows with length.
// Below minDetectLetters the text is too short to tell.
const (
	detectPrefixRunes = 200
	minDetectLetters  = 10
	// lowAccuracyTrust is the confidence above which the fast (trigram-only)
	// lingua result is kept without asking the slow (1- to 5-gram) mode.
	lowAccuracyTrust = 0.95
	// highAccuracyLimit: lingua's high-accuracy mode only differs from the
	// low-accuracy one below 120 characters, where it adds 1-, 2-, 4- and
	// 5-grams.
	highAccuracyLimit = 120
	// threadPriorShare: the thread's language wins when lingua gives it at
	// least this share of the best language's confidence.
	threadPriorShare = 0.1
)

// detection is the outcome of language detection.
type detection struct {
	code       string
	confidence float64
	stage      string // "words", "low", "high", "thread", "single" or "" when nothing was decided
	// alts are the runner-up languages lingua gave some credence (>= 0.15),
	// best first; the engine tries their lexicons when it falls back.
	alts []string
}

// detector identifies a comment's language in three stages, cheapest first:
//
//  1. function words: most comments of a few sentences contain several
//     words that only one of the configured languages uses ("the", "und",
//     "les", "het"); when they agree by a wide margin, that is the answer.
//  2. lingua-go in low-accuracy mode (trigrams) on a bounded prefix; kept
//     when lingua is confident.
//  3. lingua-go in high-accuracy mode on the same prefix, for short or
//     mixed texts the first two stages could not settle.
//
// Both lingua detectors are built once with preloaded models; they share
// lingua's package-level model cache, so the second costs little memory.
type detector struct {
	codes []string
	byLin map[lingua.Language]string
	low   lingua.LanguageDetector
	high  lingua.LanguageDetector
	words map[string]uint8 // function word → bit set of languages (index in codes)
	// fastWords enables stage 1 and lowFirst stage 2; both are turned off
	// only to measure lingua alone (see TestLanguageIDStrategies).
	fastWords, lowFirst bool
}

func newDetector(codes []string) (*detector, error) {
	if len(codes) == 0 {
		codes = DefaultLanguages
	}
	if len(codes) > 8 {
		return nil, fmt.Errorf("at most 8 languages are supported, got %d", len(codes))
	}
	d := &detector{byLin: map[lingua.Language]string{}, words: map[string]uint8{}, fastWords: true, lowFirst: true}
	var langs []lingua.Language
	seen := map[string]bool{}
	for _, c := range codes {
		c = strings.ToLower(strings.TrimSpace(c))
		if seen[c] {
			continue
		}
		seen[c] = true
		iso := lingua.GetIsoCode639_1FromValue(strings.ToUpper(c))
		if iso == lingua.UnknownIsoCode639_1 {
			return nil, fmt.Errorf("unknown language code %q (want ISO 639-1, such as \"fr\")", c)
		}
		l := lingua.GetLanguageFromIsoCode639_1(iso)
		langs = append(langs, l)
		d.byLin[l] = c
		d.codes = append(d.codes, c)
	}
	if len(langs) < 2 {
		// lingua needs two languages to choose between; one language is
		// simply always the answer.
		d.fastWords = false
		return d, nil
	}
	for i, c := range d.codes {
		for _, w := range functionWords[c] {
			d.words[w] |= 1 << i
		}
	}
	d.low = lingua.NewLanguageDetectorBuilder().FromLanguages(langs...).WithPreloadedLanguageModels().WithLowAccuracyMode().Build()
	d.high = lingua.NewLanguageDetectorBuilder().FromLanguages(langs...).WithPreloadedLanguageModels().Build()
	return d, nil
}

// detect returns the language of a comment. n is the comment prepared for
// matching; skip are the spans of links and addresses, which say nothing
// about the language; prior is the thread's language, if known.
func (d *detector) detect(n *Normalized, skip []span, prior string) detection {
	if d.low == nil {
		return detection{code: d.codes[0], confidence: 1, stage: "single"}
	}
	if d.fastWords {
		if det, ok := d.byWords(n.Tokens); ok {
			return det
		}
	}
	text, letters := detectionText(n.Original, n, skip)
	if letters < minDetectLetters {
		return detection{}
	}
	if d.lowFirst {
		cv := d.low.ComputeLanguageConfidenceValues(text)
		best := detection{code: d.byLin[cv[0].Language()], confidence: cv[0].Value(), stage: "low"}
		// The fast result stands when it is confident and agrees with the
		// thread (trigrams alone confuse close languages with confidence:
		// "de bono en tu primer depósito" reads as Portuguese), or when the
		// text is long enough for the slow mode to add nothing.
		if (best.confidence >= lowAccuracyTrust && (prior == "" || prior == best.code)) ||
			utf8.RuneCountInString(text) >= highAccuracyLimit {
			if best.confidence == 0 {
				return detection{}
			}
			return best
		}
	}
	cv := d.high.ComputeLanguageConfidenceValues(text)
	if cv[0].Value() == 0 {
		return detection{}
	}
	det := detection{code: d.byLin[cv[0].Language()], confidence: cv[0].Value(), stage: "high"}
	// A comment is in its thread's language unless lingua finds another
	// one clearly likelier: confidences are overconfident on short texts
	// between close languages, while a comment really written in another
	// language than its thread's leaves the thread's far behind.
	if prior != "" && prior != det.code {
		for _, v := range cv[1:] {
			if d.byLin[v.Language()] == prior && v.Value() >= threadPriorShare*det.confidence {
				return detection{code: prior, confidence: v.Value(), stage: "thread", alts: []string{det.code}}
			}
		}
	}
	for _, v := range cv[1:] {
		if v.Value() >= 0.15 && len(det.alts) < 2 {
			det.alts = append(det.alts, d.byLin[v.Language()])
		}
	}
	return det
}

// byWords is stage 1. A word shared by several languages counts for each
// of them as 1/k; the winner needs at least three words' worth and three
// times the runner-up's score.
func (d *detector) byWords(toks []Token) (detection, bool) {
	var score [8]float64
	n := 0
	for i := range toks {
		if toks[i].Kind != TokenWord || toks[i].InLink {
			continue
		}
		n++
		set, ok := d.words[toks[i].Text]
		if !ok {
			continue
		}
		k := 0
		for b := set; b != 0; b &= b - 1 {
			k++
		}
		for j := range d.codes {
			if set&(1<<j) != 0 {
				score[j] += 1 / float64(k)
			}
		}
	}
	if n < 6 {
		return detection{}, false
	}
	best, second := -1, -1
	for j := range d.codes {
		switch {
		case best < 0 || score[j] > score[best]:
			best, second = j, best
		case second < 0 || score[j] > score[second]:
			second = j
		}
	}
	total := 0.0
	for j := range d.codes {
		total += score[j]
	}
	if score[best] < 2.5 || score[best] < 2.5*score[second] || score[best] < 0.15*float64(n) {
		return detection{}, false
	}
	return detection{code: d.codes[best], confidence: score[best] / total, stage: "words"}, true
}

// detectionText is the text lingua sees: the original (accents matter to
// lingua) without links, addresses and @mentions, cut to a bounded prefix
// at a word boundary.
func detectionText(orig string, n *Normalized, skip []span) (string, int) {
	var b strings.Builder
	b.Grow(min(len(orig), 4*detectPrefixRunes))
	runes, letters := 0, 0
	// Byte ranges of the original to leave out.
	type rng struct{ s, e int }
	var cut []rng
	for _, s := range skip {
		os, oe := n.Span(s.fstart, s.fend)
		cut = append(cut, rng{os, oe})
	}
	for i := range n.Tokens {
		if n.Tokens[i].Kind == TokenMention {
			cut = append(cut, rng{n.Tokens[i].Start, n.Tokens[i].End})
		}
	}
	// Disguised words are read as what they disguise: lingua should see
	// "idiot", not "i d i o t".
	disguised := map[int]*Token{}
	for i := range n.Tokens {
		if n.Tokens[i].Disguised {
			disguised[n.Tokens[i].Start] = &n.Tokens[i]
		}
	}
	skipTo := -1
	for i, r := range orig {
		if i < skipTo {
			continue
		}
		if t, ok := disguised[i]; ok {
			b.WriteString(t.Text)
			runes += utf8.RuneCountInString(t.Text)
			letters += utf8.RuneCountInString(t.Text)
			skipTo = t.End
			continue
		}
		skipped := false
		for _, c := range cut {
			if i >= c.s && i < c.e {
				skipped = true
				break
			}
		}
		if skipped {
			continue
		}
		if runes >= detectPrefixRunes && !unicode.IsLetter(r) {
			break
		}
		r, keep := readerRune(r)
		if !keep {
			continue
		}
		b.WriteRune(r)
		runes++
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return b.String(), letters
}

// readerRunes caches readerRune for the runes below foldTableSize.
var readerRunes = func() []rune {
	t := make([]rune, foldTableSize)
	for r := range rune(foldTableSize) {
		t[r] = computeReaderRune(r)
	}
	return t
}()

// readerRune returns r as a reader sees it, which is what lingua should
// read: a look-alike letter from another script (Cyrillic "о", Greek "ο")
// or a compatibility form (fullwidth "Ｃ", mathematical "𝐜") as the Latin
// letter it imitates; Latin letters keep their accents, which tell the
// languages apart. Format characters (zero-width spaces and joiners) are
// dropped: keep is false.
func readerRune(r rune) (rune, bool) {
	var m rune
	if r >= 0 && r < foldTableSize {
		m = readerRunes[r]
	} else {
		m = computeReaderRune(r)
	}
	return m, m >= 0
}

// computeReaderRune is readerRune without the cache; -1 means "drop".
func computeReaderRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		return r
	case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r):
		return -1
	}
	// Fullwidth and mathematical letters are Latin script too: their
	// compatibility form comes first.
	if k := []rune(norm.NFKC.String(string(r))); len(k) == 1 && k[0] != r {
		if m := computeReaderRune(k[0]); m >= 0 {
			return m
		}
	}
	if unicode.Is(unicode.Latin, r) {
		return r
	}
	if m, ok := upperConfusables[r]; ok {
		return unicode.ToUpper(m)
	}
	if m, ok := confusables[unicode.ToLower(r)]; ok {
		if unicode.IsUpper(r) {
			return unicode.ToUpper(m)
		}
		return m
	}
	return r
}

// functionWords are frequent words (in folded form) that mark a language.
// Words shared between languages are fine: they count for each language
// fractionally. They exist only to skip lingua on comments whose language
// is obvious; anything unclear goes to lingua.
var functionWords = map[string][]string{
	"fr": {"le", "les", "des", "est", "et", "une", "pas", "que", "qui", "dans", "pour", "sur", "avec",
		"ce", "cette", "sont", "mais", "ils", "nous", "vous", "je", "il", "elle", "du", "au", "aux",
		"ne", "plus", "tout", "fait", "etre", "ont", "c", "qu", "j", "n", "l", "d", "ai", "ca", "on",
		"leur", "meme", "bien", "aussi", "tres", "alors", "donc", "ou", "cela", "sont", "avait", "peut",
		"faut", "comme", "rien", "quand", "chez", "sans", "toujours", "encore", "deja", "moi", "suis",
		"de", "la", "un", "en", "si", "y", "a", "tu", "es", "vu", "merci", "oui", "non", "mais", "cest", "aussi",
		"lui", "leurs", "tes", "ton", "ta", "mes", "mon", "ma", "ses", "son", "sa", "nos", "notre", "votre", "vos", "celui", "celle", "ceux", "celles", "quel", "quelle", "quels", "quelles", "avez", "etes", "sommes", "serait", "sera", "fais", "faites", "dit", "dire", "voir", "aller", "va", "vais", "vont", "allez", "peu", "beaucoup", "trop", "assez", "aucun", "aucune", "chaque", "parce", "puis", "depuis", "pendant", "avant", "apres", "jamais", "personne", "quelqu", "quelque", "dessus", "dessous", "ici", "voila", "cet", "ces", "lesquels", "dont", "aujourd", "hui", "hier", "demain", "toi", "eux", "ceci", "vraiment", "surtout", "plutot"},
	"en": {"the", "and", "is", "are", "of", "to", "that", "this", "it", "with", "for", "not", "was",
		"have", "has", "be", "you", "they", "what", "just", "but", "about", "would", "there", "their",
		"from", "my", "your", "don", "t", "s", "i", "we", "he", "she", "will", "can", "at", "an", "or",
		"if", "all", "do", "so", "by", "been", "were", "which", "who", "how", "more", "than", "them",
		"should", "could", "into", "only", "because", "really", "people", "think", "these", "those", "its",
		"in", "on", "no", "am", "me", "him", "her", "our", "thanks", "well", "said", "yes", "very", "was",
		"any", "some", "every", "here", "where", "when", "why", "being", "had", "did", "does", "doing", "done", "get", "got", "much", "many", "most", "other", "such", "own", "same", "then", "once", "again", "also", "still", "even", "though", "although", "whether", "while", "might", "must", "shall", "yourself", "himself", "herself", "themselves", "anyone", "someone", "nobody", "everyone", "nothing", "something", "anything", "re", "ve", "ll", "isn", "aren", "wasn", "weren", "didn", "doesn", "won", "wouldn", "shouldn", "couldn"},
	"de": {"der", "die", "das", "und", "ist", "nicht", "ich", "ein", "eine", "zu", "mit", "auf", "den",
		"dem", "sich", "auch", "es", "sie", "wir", "du", "aber", "noch", "nur", "wie", "wird", "sind",
		"hat", "schon", "doch", "oder", "kein", "mal", "fur", "von", "im", "war", "wenn", "dass", "man",
		"was", "einen", "einem", "bei", "nach", "aus", "mir", "mich", "dann", "so", "hier", "ja", "sehr",
		"immer", "haben", "diese", "dieser", "werden", "kann", "muss", "uber", "keine", "ihr",
		"in", "gut", "danke", "bin", "sicher", "ob", "damals", "ganz", "anders", "weil", "etwas", "alles", "was",
		"keinen", "nichts", "jemand", "niemand", "dich", "dir", "euch", "uns", "ihm", "ihn", "ihnen", "ihre", "ihren", "ihrem", "sein", "seine", "seinen", "seinem", "deine", "deinen", "deinem", "meine", "meinen", "meinem", "unser", "unsere", "euer", "eure", "wieder", "gerade", "warum", "wieso", "weshalb", "wer", "wo", "wohin", "woher", "jetzt", "heute", "gestern", "morgen", "bitte", "vielleicht", "eigentlich", "wirklich", "selbst", "wurde", "wurden", "worden", "hatte", "hatten", "waren", "bist", "seid", "hast", "habt", "kannst", "willst", "sollte", "sollten", "konnte", "musst"},
	"es": {"el", "los", "las", "y", "es", "una", "del", "que", "por", "con", "para", "no", "lo", "pero",
		"mas", "muy", "esto", "esta", "como", "su", "hay", "son", "ser", "ya", "todo", "nada", "yo",
		"porque", "tiene", "se", "al", "le", "mi", "me", "cuando", "sin", "sobre", "tambien", "eso",
		"ese", "esa", "hace", "puede", "estan", "han", "ha", "fue", "bien", "asi", "aqui", "entre",
		"donde", "ellos", "nosotros", "usted", "tienen", "hacer", "solo", "siempre", "nunca", "ahora", "pues",
		"la", "en", "de", "un", "estoy", "todavia", "desde", "nadie", "era", "entonces", "tenian", "mismas", "hablaba",
		"eres", "soy", "somos", "sois", "estas", "estamos", "este", "estos", "aquel", "aquella", "aquellos", "tu", "tus", "sus", "nuestro", "nuestra", "vuestro", "vuestra", "mucho", "mucha", "muchos", "muchas", "poco", "tampoco", "aun", "luego", "despues", "antes", "jamas", "algo", "alguien", "ningun", "ninguna", "cual", "cuales", "quien", "quienes", "hoy", "ayer", "manana", "alli", "ahi", "vos", "sos", "tenes", "decis", "andas"},
	"it": {"il", "lo", "gli", "di", "che", "non", "e", "un", "una", "per", "sono", "della", "del", "con",
		"questo", "questa", "ma", "anche", "piu", "come", "gia", "perche", "ci", "si", "ho", "ha", "molto",
		"tutto", "niente", "cosa", "nel", "nella", "alla", "al", "dei", "delle", "le", "mi", "ti", "se",
		"io", "lui", "lei", "noi", "voi", "loro", "hanno", "essere", "fatto", "sempre", "ancora", "poi",
		"quando", "dove", "quindi", "allora", "proprio", "questi", "quello", "quella", "sia", "era", "solo",
		"la", "in", "da", "a", "grazie", "sono", "sicuro", "nessuno", "stesse", "detto", "ben", "tutti",
		"sei", "siamo", "siete", "ero", "eri", "erano", "tuo", "tua", "tuoi", "tue", "suo", "sua", "suoi", "sue", "nostro", "nostra", "vostro", "vostra", "queste", "quel", "quelli", "quelle", "mai", "qualcuno", "nulla", "qualcosa", "chi", "oggi", "ieri", "domani", "qui", "qua", "li", "cosi", "tanto", "troppo", "poco", "dello", "degli", "nei", "negli", "sul", "sulla", "sui", "sugli"},
	"pt": {"o", "os", "as", "de", "que", "nao", "e", "um", "uma", "do", "da", "dos", "das", "para", "com",
		"em", "por", "mais", "isso", "isto", "esse", "muito", "ja", "voce", "eu", "ele", "ela", "foi",
		"sao", "tem", "mas", "no", "na", "nos", "nas", "se", "ao", "como", "quando", "ainda", "sempre",
		"tambem", "aqui", "entao", "pra", "so", "seu", "sua", "pelo", "pela", "essa", "este", "esta",
		"ser", "ter", "fazer", "nada", "tudo", "agora", "porque", "estao", "vai", "bem", "num",
		"a", "obrigado", "obrigada", "tenho", "certeza", "ninguem", "ainda", "desde", "era", "voces", "dito",
		"tu", "teu", "tua", "teus", "tuas", "seus", "suas", "nosso", "nossa", "vosso", "vossa", "estes", "estas", "esses", "essas", "aquele", "aquela", "aquilo", "nunca", "alguem", "algo", "algum", "alguma", "nenhum", "nenhuma", "onde", "quem", "hoje", "ontem", "amanha", "ali", "la", "assim", "pouco", "demais", "pelos", "pelas", "numa"},
	"nl": {"de", "het", "een", "en", "van", "is", "dat", "niet", "ik", "je", "op", "te", "zijn", "met",
		"voor", "die", "er", "maar", "ook", "als", "dit", "wat", "heb", "nog", "wel", "geen", "naar",
		"zo", "dan", "kan", "om", "echt", "wordt", "hebben", "worden", "door", "bij", "uit", "aan",
		"zich", "hij", "zij", "we", "wij", "jullie", "moet", "meer", "nu", "al", "toch", "heeft", "waren",
		"mijn", "onze", "deze", "omdat", "want", "gewoon", "veel", "hier", "daar", "alleen", "altijd",
		"of", "toen", "heel", "weet", "zeker", "was", "bent", "jij", "jou", "ze",
		"niets", "iemand", "niemand", "jouw", "u", "uw", "hem", "haar", "hun", "hen", "ons", "ben", "werd", "zou", "zouden", "kunnen", "moeten", "willen", "mag", "wil", "kun", "kunt", "weer", "steeds", "nooit", "misschien", "eigenlijk", "waarom", "waar", "wanneer", "hoe", "wie", "vandaag", "gisteren", "morgen"},
}
