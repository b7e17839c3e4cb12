package classify

import (
	"strings"

	"github.com/vigie-moderation/vigie/internal/message"
)

// Doxxing: a street address in a comment that also sends readers after
// someone ("go say hi", "on sait qui tu es", "je leur envoie le lien") or
// threatens them exposes a person. Either alone is ordinary: a shop's
// address, "tell him what you think" about an article.

// streetSuffixes follow the street's name: "14 Elm St", "12 Baker Street".
var streetSuffixes = toSet(strings.Fields(`st street rd road ave avenue lane ln drive dr blvd crescent`))

// streetPrefixes come before it: "rue des Tilleuls", "calle Mayor",
// "via Roma", "rua Augusta". The strong ones need no house number.
var (
	strongStreetPrefixes = toSet(strings.Fields(`rue calle rua impasse`))
	streetPrefixes       = toSet(strings.Fields(`rue calle rua impasse avenue av boulevard bd allee chemin
		avenida via viale piazza corso travessa largo`))
	streetLinks = toSet(strings.Fields(`de des du d la le l del de los de las della di da do dos das of`))
)

// compoundStreets end a German or Dutch street written as one word
// ("Lindenstraße 4", "Kerkstraat 12", "Hauptstr. 5").
var compoundStreets = []string{"strasse", "str", "straat", "weg", "laan", "gracht", "plein", "gasse", "allee", "steeg", "kade"}

// doxCues send readers after a person or tell them they are known
// (folded). Each names the person ("tell him", "qui tu es"): "drop by and
// say hi" is what a shop says of its own address.
var doxCues = phraseList(`on sait qui tu es|on sait tres bien qui tu es|je sais qui tu es|je sais tres bien qui tu es|
		allez lui dire|passez lui dire|
		tell him what you think|tell her what you think|pay him a visit|pay her a visit|
		we know who you are|i know who you are|give him a visit|give her a visit|let him know what you think|
		wir wissen wer du bist|ich weiss wer du bist|sagt ihm mal|sagt ihr mal|besucht ihn mal|besucht sie mal|
		sabemos quien eres|se quien eres|id a decirle|pasad a saludarle|decidle lo que pensais|
		sappiamo chi sei|so chi sei|andate a dirgli|andate a dirle|passate a salutarlo|passate a salutarla|
		sabemos quem voce e|sei quem voce e|sabemos quem tu es|vao la dizer|digam a ele o que pensam|
		we weten wie je bent|ik weet wie je bent|ga hem maar vertellen|ga haar maar vertellen|zeg hem maar gedag|zeg haar maar gedag`)

// streetAddress returns the token span of a street address, if any.
func streetAddress(n *Normalized) (int, int, bool) {
	toks := n.Tokens
	word := func(k int) bool { return k >= 0 && k < len(toks) && toks[k].Kind == TokenWord && !toks[k].InLink }
	num := func(k int) bool { return word(k) && isDigits(toks[k].Text) && len(toks[k].Text) <= 4 }
	named := func(k int) bool { return word(k) && !isDigits(toks[k].Text) && startsUpper(n, toks[k]) }
	for i := range toks {
		if !word(i) {
			continue
		}
		w := toks[i].Text
		// "14 Elm St", "12 Baker Street", "3 Green Lane".
		if num(i) {
			for j := i + 2; j <= i+3 && word(j); j++ {
				if streetSuffixes[toks[j].Text] && named(j-1) && startsUpper(n, toks[j]) {
					return i, j, true
				}
			}
		}
		// "rue des Tilleuls", "12 avenue Foch", "via Roma 3".
		if streetPrefixes[w] {
			j := i + 1
			for j < len(toks) && j <= i+3 && streetLinks[toks[j].Text] {
				j++
			}
			if named(j) && (strongStreetPrefixes[w] || num(i-1) || num(j+1) || num(j+2)) {
				return i, j, true
			}
		}
		// "Lindenstraße 4", "Kerkstraat 12".
		if num(i+1) && named(i) {
			for _, s := range compoundStreets {
				if len(w) > len(s)+2 && strings.HasSuffix(w, s) {
					return i, i + 1, true
				}
			}
		}
	}
	return 0, 0, false
}

// doxxing adds troll.doxxing when a street address stands beside a cue
// sending readers after someone, or beside a threat.
func (rs *RuleSet) doxxing(n *Normalized, ms []scored) []scored {
	w := rs.sig.Doxxing.Weight
	if w <= 0 {
		return ms
	}
	s, e, ok := streetAddress(n)
	if !ok {
		return ms
	}
	why := ""
	for _, m := range ms {
		if m.cat == CategoryTroll && m.m.Label == "threat" && m.m.Weight > 0 {
			why = "address and threat"
		}
	}
	if why == "" && hasPhrase(n.Tokens, doxCues) {
		why = "address and a call to go after someone"
	}
	if why == "" {
		return ms
	}
	return append(ms, scored{cat: CategoryTroll, m: message.Match{
		Rule: "troll.doxxing", Label: "threat", Weight: w,
		Start: n.Tokens[s].Start, End: n.Tokens[e].End, Normalized: why,
	}})
}
