package classify

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

var testWords = []string{"idiot", "connard", "con", "whatsapp", "fuck", "salope", "abruti", "moron"}

func TestNormalize(t *testing.T) {
	t.Parallel()
	nz := newNormalizer(testWords, []string{"encul"})
	for _, tc := range []struct{ in, want string }{
		{"T'es un c0nn4rd !!", "t'es un connard !!"},
		{"i d i o t", "idiot"},
		{"c.o.n", "con"},
		{"W.h.a.t.s.A.p.p", "whatsapp"},
		{"\u0456d\u0456\u043et", "idiot"}, // Cyrillic і and о
		{"\u03a1\u0395\u039d\u039d\u0395R \u039a\u039d\u039f\u0392", "penner knob"}, // Greek capitals Ρ Ε Ν Ν Ε, Κ Ν Ο Β
		{"\u041d\u0410\u0422\u0415", "hate"},                                        // Cyrillic capitals Н А Т Е
		{"con\u200bnard", "connard"},                                                // zero-width space
		{"ab\u00adru\u2060ti", "abruti"},                                            // soft hyphen, word joiner
		{"\uff26\uff55\uff43\uff4b", "fuck"},                                        // fullwidth
		{"\U0001d422\U0001d41d\U0001d422\U0001d428\U0001d42d", "idiot"},             // mathematical bold
		{"f*ck you", "fuck you"},
		{"IDIOOOOOT", "idioot"},
		{"s@l0pe", "salope"},
		{"3ncul3", "encule"},
		{"4x4 en 2017", "4x4 en 2017"},             // not a word: left alone
		{"il y a à peu près", "il y a a peu pres"}, // "y a a" is no word: not rejoined
		{"Scheiße œuvre Ærø", "scheisse oeuvre aero"},
		{"@jean_p t’es nul", "@jean_p t'es nul"},
		{"a d.u.m.b", "a dumb"},
		{"such a m o r o n", "such a moron"},     // the lone "a" is a word of its own
		{"idi0t$ !", "idiots !"},                 // a trailing $ is a letter too
		{"abrut! et con$", "abrut! et cons"},     // "!" ends a sentence, "$" ends a word
		{"user@ 100$", "user@ 100$"},             // no letters before the $: a price
		{"t'es un c@nnard", "t'es un connard"},   // @ stands for o as well as a
		{"sale $alope", "sale salope"},           // a leading $ is a letter when it makes a word
		{"espèce d'@bruti", "espece d'abruti"},   // ... and so is a leading @: no mention
		{"$100 et @marc", "$100 et @marc"},       // a price and a real mention stay
		{"a f u c k m o r o n", "a fuck moron"},  // two words run together, after a lone letter
		{"ｖｉｎｃｉ－ｆａｃｉｌｅ．ｎｅｔ", "vinci-facile.net"}, // fullwidth punctuation
		{"", ""},
	} {
		require.Equal(t, tc.want, nz.Normalize(tc.in), "normalising %q", tc.in)
	}
}

func TestTokenSpansPointIntoOriginal(t *testing.T) {
	t.Parallel()
	nz := newNormalizer(testWords, nil)
	text := "Ta gueule, espèce de с0nnаrd (oui toi @jules) — « i d i o t »"
	n := nz.Prepare(text)
	got := map[string]string{}
	for _, tk := range n.Tokens {
		got[tk.Text] = text[tk.Start:tk.End]
	}
	require.Equal(t, "с0nnаrd", got["connard"])
	require.Equal(t, "@jules", got["jules"])
	require.Equal(t, "i d i o t", got["idiot"])
	require.Equal(t, "espèce", got["espece"])
	for _, tk := range n.Tokens {
		if tk.Text == "idiot" {
			require.True(t, tk.Quoted)
			require.True(t, tk.Disguised)
		}
		if tk.Text == "connard" {
			require.False(t, tk.Quoted)
		}
	}
}

func TestUnbalancedQuoteQuotesNothing(t *testing.T) {
	t.Parallel()
	n := newNormalizer(nil, nil).Prepare(`il a dit " connard et puis rien`)
	for _, tk := range n.Tokens {
		require.False(t, tk.Quoted, tk.Text)
	}
}

func TestSingleQuotesQuote(t *testing.T) {
	t.Parallel()
	nz := newNormalizer(testWords, nil)
	quoted := func(text string) map[string]bool {
		out := map[string]bool{}
		for _, tk := range nz.Prepare(text).Tokens {
			out[tk.Text] = tk.Quoted
		}
		return out
	}
	q := quoted("il l'a traité de 'connard', puis d'abruti")
	require.True(t, q["connard"])
	require.False(t, q["abruti"], "the apostrophe of d'abruti is an elision")
	require.False(t, q["l"])
	q = quoted("t'es un connard et c'est l'abruti du coin")
	require.False(t, q["connard"])
	require.False(t, q["abruti"])
	q = quoted("the '90s were better, connard")
	require.False(t, q["connard"], "an unbalanced single quote quotes nothing")
}

func TestClauses(t *testing.T) {
	t.Parallel()
	n := newNormalizer(testWords, nil).Prepare("Ferme-la, connard, tu pollues. Merci")
	clause := map[string]int{}
	sentence := map[string]int{}
	for _, tk := range n.Tokens {
		clause[tk.Text], sentence[tk.Text] = tk.Clause, tk.Sentence
	}
	require.Equal(t, 0, clause["ferme"])
	require.Equal(t, 1, clause["connard"])
	require.Equal(t, 2, clause["tu"])
	require.Equal(t, 3, clause["merci"])
	require.Equal(t, 0, sentence["pollues"])
	require.Equal(t, 1, sentence["merci"])
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"T'es un c0nn4rd !!", "i d i o t", "c.o.n", "W.h.a.t.s.A.p.p +33 6 12 34 56 78",
		"\u0456d\u0456\u043et", "con\u200bnard", "« menteuse »", "a, b, c", "x y z w",
		"@a b c d", "$$$ !!! ***", "c*o*n", "\xff\xfe broken", "e\u0301\u0301\u0301", "ﬁ ℃ ①",
		"https://bit.ly/x?y=1", "aaa!aaa", "1 2 3 4 5", "\"\"\"", "👍🏽👍🏽👍🏽",
		"such a d u m b a s s", "il dit 'con' et l'a", "con nard", "'x' y 'z",
	} {
		f.Add(s)
	}
	nz := rulesForFuzz()
	f.Fuzz(func(t *testing.T, s string) {
		n := nz.Prepare(s)
		form := n.Form()
		if !utf8.ValidString(form) {
			t.Fatalf("invalid UTF-8 from %q: %q", s, form)
		}
		if again := nz.Normalize(form); again != form {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, form, again)
		}
		for _, tk := range n.Tokens {
			if tk.Start < 0 || tk.End > len(s) || tk.Start > tk.End {
				t.Fatalf("span [%d,%d) outside %q", tk.Start, tk.End, s)
			}
		}
	})
}

// rulesForFuzz normalises with the default rule set's dictionary, the one
// production uses.
func rulesForFuzz() *Normalizer {
	rs, err := ParseRules("default.yaml", defaultRules)
	if err != nil {
		panic(err)
	}
	return rs.norm
}

func TestDisguisePrefersWholeTerms(t *testing.T) {
	t.Parallel()
	nz := newNormalizer([]string{"pute"}, nil)
	nz.addPhraseWords([]string{"pete", "cable"})
	// "pete" (of "pete un cable") comes first in the search, but a
	// one-word term is the better reading of the disguise.
	require.Equal(t, "fils de pute", nz.Normalize("fils de p*te"))
	// A word known only from a phrase is still read when nothing else fits.
	require.Equal(t, "cable", nz.Normalize("c4ble"))
}
