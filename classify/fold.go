package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldTableSize bounds the precomputed fold table: Latin, Greek, Cyrillic,
// Armenian, general punctuation, letter-like symbols and enclosed
// alphanumerics all sit below it, which covers nearly every rune seen in
// comments in the supported languages.
const foldTableSize = 0x2500

// foldTable holds the folded form of every rune below foldTableSize. An entry
// is the empty string when the rune folds to nothing (format characters,
// combining marks).
var foldTable = buildFoldTable()

// specialFolds are foldings that neither NFKD nor lower-casing perform but
// that a reader makes without noticing.
var specialFolds = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'đ': "d", 'Đ': "d", 'ł': "l", 'Ł': "l",
	'þ': "th", 'Þ': "th", 'ð': "d", 'Ð': "d", 'ı': "i", 'ĸ': "k",
	'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t", 'ƒ': "f",
	// Quotation marks and apostrophes fold to their ASCII forms so that
	// elisions (t’es, qu’il) tokenise like t'es and qu'il.
	'\u2018': "'", '\u2019': "'", '\u02bc': "'", '\u00b4': "'", '`': "'", '\u2032': "'",
	'\u201c': "\"", '\u201d': "\"", '\u201e': "\"", '\u00ab': "\"", '\u00bb': "\"",
	'\u2039': "\"", '\u203a': "\"",
	// Dashes and bullets that disguise dotted or hyphenated words.
	'\u2010': "-", '\u2011': "-", '\u2012': "-", '\u2013': "-", '\u2014': "-", '\u2212': "-",
	'\u00b7': ".", '\u2022': ".", '\u2219': ".", '\u30fb': ".",
	// Invisible letters (Hangul fillers, braille blank) used as zero-width padding.
	'\u3164': "", '\u115f': "", '\u1160': "", '\uffa0': "", '\u2800': "",
}

// emojiWords reads a few animal and food emoji as words, padded with
// spaces so each is a token of its own: "ces gens c'est des 🪳🪳" and
// "die 🐷🐷 past amper in beeld" say vermin and pig without a letter. The
// words are no word of any language, so only rules that name them (next to
// a group, a body or diet cue) ever match them.
var emojiWords = map[rune]string{
	'🐷': " emojipig ", '🐖': " emojipig ", '🐽': " emojipig ",
	'🐋': " emojiwhale ", '🐳': " emojiwhale ", '🦭': " emojiseal ",
	'🐄': " emojicow ", '🐮': " emojicow ", '🦛': " emojihippo ",
	'🪳': " emojiroach ", '🐀': " emojirat ", '🐁': " emojirat ", '🐭': " emojirat ",
	'🦠': " emojimicrobe ",
	'🐒': " emojimonkey ", '🐵': " emojimonkey ", '🦍': " emojimonkey ", '🦧': " emojimonkey ",
	'🍔': " emojijunkfood ", '🍟': " emojijunkfood ", '🍕': " emojijunkfood ", '🍩': " emojijunkfood ",
	// The smirk and the aubergine or peach with droplets are how a leer
	// is winked at a woman beside an invitation or her body; alone they
	// are irony or a vegetable, so only the sexual.wink rules name them.
	'😏': " emojileer ", '😈': " emojileer ", '🍆': " emojileer ", '🍑': " emojileer ", '💦': " emojileer ",
	'👅': " emojileer ",
	// The wink and the blown kiss are friendly far more often; only the
	// sexual.winkbody rules read them, beside a body posture or a mouth.
	'😉': " emojiwink ", '😘': " emojiwink ", '😜': " emojiwink ",
	// Knives, guns and coffins say a harm in no language; only the
	// whereabouts warning reads them (🔥 and 💀 are praise and laughter).
	'🔪': " emojiknife ", '🗡': " emojiknife ", '🪓': " emojiknife ",
	'🔫': " emojigun ", '⚰': " emojicoffin ", '🪦': " emojicoffin ",
}

// emojiWordSet holds the words of emojiWords, trimmed.
var emojiWordSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range emojiWords {
		m[strings.TrimSpace(w)] = true
	}
	return m
}()

// isEmojiWord reports a token read from an emoji: a run of emoji is style
// (emoji_run), not a flooded or stuffed word.
func isEmojiWord(w string) bool { return emojiWordSet[w] }

// confusables maps look-alike letters from other scripts to the Latin letter
// they imitate. It is a hand-picked subset of the Unicode TR39 confusables
// data (confusablesSummary.txt), restricted to the letters that pass for
// lower-case Latin letters in running text; the data file itself maps whole
// strings to skeletons and keeps case, which is not what matching needs.
var confusables = map[rune]rune{
	// Cyrillic.
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'һ': 'h', 'і': 'i', 'ї': 'i', 'ј': 'j',
	'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y',
	'х': 'x', 'ѕ': 's', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ү': 'y', 'ӏ': 'l', 'ɡ': 'g',
	'ꙇ': 'i', 'ѵ': 'v', 'ᴦ': 'r', 'г': 'r', 'п': 'n', 'ь': 'b', 'ш': 'w',
	// Greek.
	'α': 'a', 'β': 'b', 'γ': 'y', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v',
	'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'ς': 's', 'ϲ': 'c',
	'ϳ': 'j', 'ζ': 'z', 'μ': 'u',
	// Armenian, Cherokee-free Latin extensions and IPA.
	'օ': 'o', 'ո': 'n', 'ս': 'u', 'հ': 'h', 'ց': 'g', 'զ': 'q',
	'ɑ': 'a', 'ɩ': 'i', 'ɪ': 'i', 'ʟ': 'l', 'ɴ': 'n', 'ʀ': 'r', 'ʏ': 'y', 'ɢ': 'g',
	'ʜ': 'h', 'ɛ': 'e', 'ɔ': 'c', 'ʋ': 'u', 'ɒ': 'a',
	// Small capitals.
	'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ꜰ': 'f', 'ᴊ': 'j', 'ᴋ': 'k',
	'ᴍ': 'm', 'ᴏ': 'o', 'ᴘ': 'p', 'ꜱ': 's', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ᴢ': 'z',
}

// upperConfusables are capital letters of other scripts that pass for a
// Latin capital other than the one their lower case imitates: Greek "Ν"
// reads as N though "ν" reads as v, "Η" as H though "η" reads as n.
// Capitals whose lower case maps right (Cyrillic "С", "О") need no entry.
var upperConfusables = map[rune]rune{
	// Greek.
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm',
	'Ν': 'n', 'Ο': 'o', 'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x',
	// Cyrillic.
	'В': 'b', 'Н': 'h', 'М': 'm', 'Т': 't', 'К': 'k',
}

func buildFoldTable() []string {
	t := make([]string, foldTableSize)
	for r := rune(0); r < foldTableSize; r++ {
		t[r] = computeFold(r)
	}
	return t
}

// computeFold returns the matching form of one rune: compatibility
// decomposition (NFKD, so fullwidth and mathematical letters become ASCII),
// combining marks dropped (accents folded), look-alikes mapped to Latin, lower
// case. Format characters and marks fold to the empty string. The result is a
// fixed point: folding it again rune by rune changes nothing.
func computeFold(r rune) string {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return string(r)
	}
	if s, ok := specialFolds[r]; ok {
		return s
	}
	if unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) ||
		unicode.Is(unicode.Variation_Selector, r) || r == utf8.RuneError {
		return ""
	}
	if unicode.IsSpace(r) {
		return " "
	}
	cur := string(r)
	for range 3 {
		next := foldOnce(cur)
		if next == cur {
			break
		}
		cur = next
	}
	return cur
}

func foldOnce(s string) string {
	d := norm.NFKD.String(s)
	out := make([]rune, 0, len(d))
	for _, c := range d {
		if unicode.Is(unicode.Mn, c) || unicode.Is(unicode.Me, c) || unicode.Is(unicode.Cf, c) {
			continue
		}
		if sf, ok := specialFolds[c]; ok {
			out = append(out, []rune(sf)...)
			continue
		}
		if unicode.IsSpace(c) {
			out = append(out, ' ')
			continue
		}
		if m, ok := upperConfusables[c]; ok {
			out = append(out, m)
			continue
		}
		c = unicode.ToLower(c)
		if m, ok := confusables[c]; ok {
			c = m
		}
		out = append(out, c)
	}
	return string(out)
}

// foldRune returns the folded form of r, from the table when it can.
func foldRune(r rune) string {
	if r >= 0 && r < foldTableSize {
		return foldTable[r]
	}
	// Fullwidth and small-form punctuation ("ｇｉｒａ－ｙ－ｇａｎａ．ｃｏｍ",
	// "﹒") decomposes to ASCII: it disguises the dots, dashes and slashes
	// of links.
	if (r >= 0xFF00 && r <= 0xFFEF) || (r >= 0xFE50 && r <= 0xFE6F) {
		return computeFold(r)
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Cf, r) &&
		!unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Variation_Selector, r) && !unicode.IsSpace(r) {
		// Symbols and emoji above the table have no decomposition that matters.
		if r == utf8.RuneError {
			return ""
		}
		if w, ok := emojiWords[r]; ok {
			return w
		}
		return string(r)
	}
	return computeFold(r)
}
