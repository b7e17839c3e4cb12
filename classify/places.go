package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Towns and villages carry names that are insults elsewhere: "Troia (FG)",
// "Bastardo, frazione di Giano dell'Umbria", "Fucking, Gemeinde Tarsdorf".
// A capitalised word in mid-sentence that a province code or a word for a
// municipality follows is such a name, not a word aimed at anyone; an
// insult in capitals ("Sei un Bastardo!") has neither after it.

// placeWords are the words that say the name before them is a place
// (lower case, accents kept as written).
var placeWords = toSet(strings.Fields(`frazione comune provincia località localita borgo
	gemeinde ortsteil landkreis kreis commune hameau département departement village municipality
	county parish municipio concelho freguesia distrito provincia gemeente dorp deelgemeente`))

// placeNames drops the troll matches standing on a place name, with the
// targeting or name-calling matches built on them.
func placeNames(orig string, ms []scored) []scored {
	var places [][2]int
	for _, s := range ms {
		if s.cat == CategoryTroll && s.m.Label != "guard" && isPlaceName(orig, s.m.Start, s.m.End) {
			places = append(places, [2]int{s.m.Start, s.m.End})
		}
	}
	if len(places) == 0 {
		return ms
	}
	out := ms[:0]
	for _, s := range ms {
		if s.cat == CategoryTroll && coversPlace(s.m.Start, s.m.End, places) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// coversPlace reports whether [start, end) holds one of the place spans.
func coversPlace(start, end int, places [][2]int) bool {
	for _, p := range places {
		if start <= p[0] && p[1] <= end {
			return true
		}
	}
	return false
}

// isPlaceName reports a capitalised word in mid-sentence followed by a
// province code in brackets ("(FG)") or, after an optional comma, by a
// word for a municipality ("frazione", "Gemeinde").
func isPlaceName(orig string, start, end int) bool {
	if start <= 0 || end > len(orig) || start >= end {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(orig[start:]); !unicode.IsUpper(r) {
		return false
	}
	before := strings.TrimRightFunc(orig[:start], unicode.IsSpace)
	if r, _ := utf8.DecodeLastRuneInString(before); before == "" || strings.ContainsRune(".!?:…\"«“", r) {
		return false // a sentence opens on a capital anyway
	}
	after := strings.TrimLeftFunc(orig[end:], unicode.IsSpace)
	if len(after) >= 4 && after[0] == '(' && after[3] == ')' && isUpperASCII(after[1]) && isUpperASCII(after[2]) {
		return true
	}
	after = strings.TrimLeftFunc(strings.TrimPrefix(after, ","), unicode.IsSpace)
	word := strings.FieldsFunc(after, func(r rune) bool { return !unicode.IsLetter(r) })
	return len(word) > 0 && placeWords[strings.ToLower(word[0])]
}

// isUpperASCII reports an ASCII capital letter.
func isUpperASCII(b byte) bool { return b >= 'A' && b <= 'Z' }
