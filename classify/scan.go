package classify

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// link is a URL or bare domain found in a comment, in folded coordinates.
type link struct {
	fstart, fend int
	host         string
	tld          string
	obfuscated   bool
}

// spanKind says what a scanned span is.
type spanKind uint8

const (
	spanLink spanKind = iota
	spanEmail
	spanPhone
)

// span is a scanned link, e-mail address or phone number.
type span struct {
	kind         spanKind
	fstart, fend int
	link         link
}

func isHostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// urlEnd returns where a URL that starts at i ends: at whitespace or a
// closing bracket or quote, without trailing punctuation.
func urlEnd(f string, i int) int {
	j := i
	for j < len(f) {
		r, w := utf8.DecodeRuneInString(f[j:])
		if unicode.IsSpace(r) || strings.ContainsRune("\"<>()[]{}", r) {
			break
		}
		j += w
	}
	for j > i && strings.IndexByte(".,;:!?'", f[j-1]) >= 0 {
		j--
	}
	return j
}

// scanLinks finds explicit URLs (scheme or www.), bare domains with a known
// top-level domain, and domains written to dodge filters (bit(.)ly,
// example dot com).
func (rs *RuleSet) scanLinks(n *Normalized) []span {
	f := n.Folded
	var out []span
	covered := func(i int) bool {
		for _, s := range out {
			if i >= s.fstart && i < s.fend {
				return true
			}
		}
		return false
	}
	// Explicit URLs.
	for _, scheme := range [...]string{"https://", "http://", "www."} {
		for off := 0; ; {
			k := strings.Index(f[off:], scheme)
			if k < 0 {
				break
			}
			i := off + k
			off = i + len(scheme)
			if covered(i) || (i > 0 && isHostByte(f[i-1])) {
				continue
			}
			end := urlEnd(f, i)
			hs := i
			if scheme != "www." {
				hs = i + len(scheme)
			}
			he := hs
			for he < end && (isHostByte(f[he]) || f[he] == '.') {
				he++
			}
			host := strings.TrimPrefix(f[hs:he], "www.")
			tld := host[strings.LastIndexByte(host, '.')+1:]
			out = append(out, span{kind: spanLink, fstart: i, fend: end, link: link{fstart: i, fend: end, host: host, tld: tld}})
		}
	}
	// Domains spelled letter by letter, hyphens included: "l o t t e -
	// d a t e . n l", "b i a - p r i v e . c o m". Nobody spaces out an
	// address but to get it past a filter, so a word TLD counts too.
	if strings.Contains(f, " . ") {
		for _, m := range spacedDomain.FindAllStringSubmatchIndex(f, -1) {
			if covered(m[0]) {
				continue
			}
			host := strings.ReplaceAll(f[m[2]:m[3]], " ", "")
			tld := strings.ReplaceAll(f[m[4]:m[5]], " ", "")
			if len(host) < 4 || !(rs.tlds[tld] || rs.wordTLDs[tld]) {
				continue
			}
			out = append(out, span{kind: spanLink, fstart: m[0], fend: m[1],
				link: link{fstart: m[0], fend: m[1], host: host + "." + tld, tld: tld, obfuscated: true}})
		}
	}
	// Bare and obfuscated domains: label (sep label)* sep tld.
	toks := n.Tokens
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].Kind != TokenWord || covered(toks[i].fstart) || !isASCIIWord(toks[i].Text) {
			continue
		}
		j := i
		obf := false
		// Labels are read as written: "xxx" stays "xxx", "c0de" stays "c0de".
		raw := func(t *Token) string {
			if w := f[t.fstart:t.fend]; isASCIIWord(w) {
				return w
			}
			return t.Text
		}
		labels := []string{raw(&toks[i])}
		idx := []int{i}
		// spelled: a dot written as a word ("site (point) fr"); bare: as a
		// word without brackets ("artroflexgold ponto pt"), which prose
		// also does ("a bolha ponto com") and which needs more proof below.
		spelled, bare := false, false
		for j+1 < len(toks) {
			gap := f[toks[j].fend:toks[j+1].fstart]
			next := j + 1
			var o bool
			hyphen := false
			switch {
			case gap == ".":
			case gap == "-" && len(labels) > 0:
				// "gains-faciles.com": a hyphen continues the label.
				hyphen = true
			case isObfuscatedDot(gap):
				// "presque. Ça laisse" is a sentence ending, not
				// "presque.ca": a period followed by a space counts as a
				// disguised dot only when the next word is not capitalised.
				if gap[0] == '.' && startsUpper(n, toks[j+1]) {
					next = -1
					break
				}
				o = true
			case (gap == " " || gap == "(" || gap == "[" || gap == " (" || gap == " [") && dotWords[toks[j+1].Text] && j+2 < len(toks):
				g2 := f[toks[j+1].fend:toks[j+2].fstart]
				if g2 != " " && g2 != ")" && g2 != "]" && g2 != ") " && g2 != "] " {
					next = -1
					break
				}
				// "point", "punto" ... are everyday words: without
				// brackets they need more proof (bareDotHost).
				if toks[j+1].Text != "dot" && !strings.ContainsAny(gap, "([") {
					bare = true
				}
				next, o, spelled = j+2, true, true
			default:
				next = -1
			}
			if next < 0 || toks[next].Kind != TokenWord || !isASCIIWord(toks[next].Text) {
				break
			}
			if hyphen {
				labels[len(labels)-1] += "-" + raw(&toks[next])
				idx[len(idx)-1] = next
				j = next
				continue
			}
			labels = append(labels, raw(&toks[next]))
			idx = append(idx, next)
			obf = obf || o
			j = next
		}
		if len(labels) < 2 {
			continue
		}
		// Find the longest prefix of labels that ends in a known TLD.
		last := -1
		for k := len(labels) - 1; k >= 1; k-- {
			if rs.tlds[labels[k]] || rs.wordTLDs[labels[k]] {
				last = k
				break
			}
		}
		if last < 0 {
			continue
		}
		end := idx[last]
		host := strings.Join(labels[:last+1], ".")
		tld := labels[last]
		fend := toks[end].fend
		path := fend < len(f) && f[fend] == '/'
		if path {
			fend = urlEnd(f, fend)
		}
		shortener := rs.shorteners[host]
		// A hyphenated name before a word TLD is a host, not prose:
		// "credito-ya.es", "cerrajeros-madrid-24h.es"; "fin.de" or "ok.so"
		// in running text are no links.
		hyphenated := strings.Contains(host[:len(host)-len(tld)], "-") && !obf
		if bare && !bareDotHost(toks, labels, i, end, f) {
			continue
		}
		// A dot spelled as a word is written to be typed: "sito (punto) it"
		// names a host even with a word TLD.
		hyphenated = hyphenated || spelled
		if !shortener && !rs.tlds[tld] && !path && !strings.HasPrefix(host, "www.") && !hyphenated {
			continue
		}
		if !shortener && !obf && !path && len(labels[0]) < 2 {
			continue
		}
		out = append(out, span{kind: spanLink, fstart: toks[i].fstart, fend: fend,
			link: link{fstart: toks[i].fstart, fend: fend, host: host, tld: tld, obfuscated: obf}})
		i = end
	}
	sort.Slice(out, func(a, b int) bool { return out[a].fstart < out[b].fstart })
	return out
}

// siteWords announce an address to type: "the official site", "procurem",
// "zoek op". A spelled-out dot without brackets after one of them is a host.
var siteWords = map[string]bool{
	"site": true, "sito": true, "web": true, "website": true, "webseite": true, "seite": true, "pagina": true,
	"homepage": true, "link": true, "url": true, "adres": true, "adresse": true, "indirizzo": true,
	"endereco": true, "direccion": true, "online": true, "procurem": true, "procura": true, "procurar": true,
	"zoek": true, "zoeken": true, "cerca": true, "cercate": true, "busca": true, "buscad": true, "buscar": true,
	"search": true, "google": true, "googlen": true, "googeln": true, "googelt": true, "tapez": true,
	"cherchez": true, "typ": true, "tippt": true, "sitio": true, "webshop": true, "shop": true,
	// An order verb announces where to buy: "Bestellen unter kardiovital punkt shop".
	"bestellen": true, "bestellt": true, "bestel": true, "commander": true, "commandez": true, "order": true,
	"pedir": true, "pedidos": true, "ordinare": true, "ordinate": true, "encomendar": true, "encomende": true,
}

// bareDotHost reports whether a host whose dot is spelled as a bare word
// ("cardiobalans punt be", "blau-vital-versand punkt com") reads as an
// address rather than prose ("a bolha ponto com", "le point de vue"): one
// label of five letters or more, hyphenated, or ending the clause right
// after a site word ("site oficial, procurem artroflexgold ponto pt").
func bareDotHost(toks []Token, labels []string, start, end int, f string) bool {
	if len(labels) < 2 || len(labels[0]) < 5 || strings.Count(strings.Join(labels, "."), ".") < 1 {
		return false
	}
	if strings.Contains(labels[0], "-") {
		return true
	}
	if end+1 < len(toks) {
		gap := strings.TrimSpace(f[toks[end].fend:toks[end+1].fstart])
		if gap == "" || gap == "-" || gap == "'" {
			return false // the sentence goes on: "ponto com a ..."
		}
	}
	for k := start - 1; k >= 0 && k >= start-6; k-- {
		if siteWords[toks[k].Text] {
			return true
		}
	}
	return false
}

// spacedDomain is a host of single letters or digits separated by spaces,
// its words maybe joined by a spaced hyphen, a spaced dot and a spaced TLD.
var spacedDomain = regexp.MustCompile(`\b([a-z0-9](?: [a-z0-9]){2,}(?: ?- ?[a-z0-9](?: [a-z0-9])+)*) \. ([a-z](?: [a-z]){1,3})\b`)

// dotWords spell out the dot of a domain: "example dot com", "site
// [point] fr", "incontri[punto]it".
var dotWords = map[string]bool{"dot": true, "point": true, "punto": true, "ponto": true, "punt": true, "punkt": true}

func isObfuscatedDot(gap string) bool {
	switch strings.TrimSpace(gap) {
	case "(.)", "[.]", "{.}", "(dot)", "[dot]":
		return true
	case ".":
		return gap != "." && len(gap) <= 3 // " . " with spaces
	}
	return false
}

func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHostByte(s[i]) {
			return false
		}
	}
	return s != ""
}

// scanEmails finds addresses (name@example.com) and the spelled-out kind
// (name (at) example (dot) com).
func scanEmails(n *Normalized, known func(string) bool) []span {
	f := n.Folded
	var out []span
	for off := 0; ; {
		k := strings.IndexByte(f[off:], '@')
		if k < 0 {
			break
		}
		at := off + k
		off = at + 1
		s := at
		for s > 0 && (isHostByte(f[s-1]) || f[s-1] == '.' || f[s-1] == '+') {
			s--
		}
		e := at + 1
		dot := false
		for e < len(f) && (isHostByte(f[e]) || f[e] == '.') {
			if f[e] == '.' && e+1 < len(f) && isHostByte(f[e+1]) {
				dot = true
			}
			e++
		}
		for e > at && f[e-1] == '.' {
			e--
		}
		if s < at && dot {
			out = append(out, span{kind: spanEmail, fstart: s, fend: e})
			off = e
		}
	}
	toks := n.Tokens
	for i := 0; i+3 < len(toks); i++ {
		if !atWords[toks[i+1].Text] {
			continue
		}
		g1 := strings.TrimSpace(f[toks[i].fend:toks[i+1].fstart])
		// "at" is an everyday word: it spells out an address only in
		// brackets, "name (at) site", or before a mail provider.
		if (g1 != "(" && g1 != "[") && !(g1 == "" && mailProviders[toks[i+2].Text]) {
			continue
		}
		d := i + 3
		gd := strings.TrimSpace(f[toks[i+2].fend:toks[i+3].fstart])
		if dotWords[toks[i+3].Text] && i+4 < len(toks) && (toks[i+3].Text == "dot" || mailProviders[toks[i+2].Text]) {
			// "gmail punkt com", "gmail punt com": after a mail provider
			// any language's word for the dot will do.
			d = i + 4
		} else if gd != "." && gd != "(.)" && gd != "[.]" {
			continue
		}
		if known(toks[d].Text) {
			// The name may have dots of its own: "sanne.v at ...".
			s := i
			for s > 0 && (f[toks[s-1].fend:toks[s].fstart] == "." || f[toks[s-1].fend:toks[s].fstart] == "_" ||
				f[toks[s-1].fend:toks[s].fstart] == "-") && isASCIIWord(toks[s-1].Text) {
				s--
			}
			out = append(out, span{kind: spanEmail, fstart: toks[s].fstart, fend: toks[d].fend, link: link{obfuscated: true}})
			i = d
		}
	}
	return out
}

// atWords spell out the @ of an address: "name at gmail", "naam
// apenstaartje gmail", "nom arobase gmail", "nome chiocciola gmail".
var atWords = map[string]bool{
	"at": true, "arobase": true, "arobas": true, "apenstaartje": true, "apestaart": true, "chiocciola": true,
	"arroba": true, "klammeraffe": true, "affe": true,
}

// mailProviders are the big free mail services, which make "name at
// gmail dot com" an address.
var mailProviders = map[string]bool{
	"gmail": true, "googlemail": true, "hotmail": true, "outlook": true, "live": true, "yahoo": true,
	"icloud": true, "gmx": true, "protonmail": true, "proton": true, "orange": true, "free": true,
	"laposte": true, "libero": true, "web": true, "aol": true, "mail": true, "yandex": true, "wanadoo": true,
}

// scanPhones finds phone numbers: 9 to 15 digits in groups of 1 to 4
// separated by single spaces, dots or dashes, starting with "+" or "0" (or
// "(" area codes), or 10 or more digits in a row. Years, prices and counts
// ("2017 2018", "1 000 000") do not start that way.
func scanPhones(n *Normalized) []span {
	f := n.Folded
	var out []span
	for i := 0; i < len(f); i++ {
		c := f[i]
		if !(c == '+' || c == '(' || (c >= '0' && c <= '9')) || (i > 0 && isHostByte(f[i-1])) {
			continue
		}
		j := i
		if c == '+' || c == '(' {
			j++
		}
		digits, group, maxGroup, groups := 0, 0, 0, 1
		lead := byte(0)
		var lens [16]int // digits per group, for the first 16 groups
		for j < len(f) {
			b := f[j]
			switch {
			case b >= '0' && b <= '9':
				if digits == 0 {
					lead = b
				}
				digits++
				group++
				maxGroup = max(maxGroup, group)
				if groups <= len(lens) {
					lens[groups-1] = group
				}
				j++
				continue
			case (b == ' ' || b == '.' || b == '-' || b == ')' || b == '/') && j+1 < len(f) && (f[j+1] >= '0' && f[j+1] <= '9' || f[j+1] == ' '):
				if group == 0 && b != ' ' {
					break
				}
				group = 0
				groups++
				j++
				if f[j] == ' ' && b == ')' {
					j++
				}
				continue
			}
			break
		}
		for j > i && !(f[j-1] >= '0' && f[j-1] <= '9') {
			j--
		}
		// A separator that ended the number ("612 345 678. Gracias") opened
		// no group: drop the empty groups so the shape tests see the number.
		for groups > 1 && groups <= len(lens) && lens[groups-1] == 0 {
			groups--
		}
		if digits < 9 || digits > 15 {
			i = max(i, j-1)
			continue
		}
		contiguous := groups == 1
		ok := (c == '+' || c == '(' || lead == '0') && (maxGroup <= 4 || contiguous)
		if c == '+' && maxGroup <= 8 {
			ok = true // "+44 7911 123456", "+31 6 12345678"
		}
		if c != '+' && c != '(' && mobileGroups(f[i:j], lens[:min(groups, len(lens))], lead) {
			ok = true
		}
		if c != '+' && areaMobile(lens[:min(groups, len(lens))]) && strings.Contains(f[i:j], "-") {
			ok = true // "21 99874-1120", "(11) 94821-3307": area code, then a dashed mobile number
		}
		if c != '+' && c != '(' && cityMobile(lens[:min(groups, len(lens))], f[i:j]) {
			ok = true // "55 4817 2390": a two-digit city code, then two groups of four (Mexico)
		}
		if maxGroup == 1 && digits >= 9 {
			ok = true // digits spaced out one by one to dodge filters
		}
		if lead == '0' && groups == 2 && lens[0] >= 3 && lens[0] <= 4 && lens[1] >= 6 && lens[1] <= 8 {
			ok = true // "0909-1234567", "030 1234567": an area or service code, then the line
		}
		if lead == '0' && groups == 2 && lens[0] == 5 && lens[1] == 6 {
			ok = true // "07700 900482", "01632 960123": the British five-digit code, then six
		}
		if contiguous && digits >= 10 {
			ok = true
		}
		if ok {
			out = append(out, span{kind: spanPhone, fstart: i, fend: j})
		}
		i = max(i, j-1)
	}
	return out
}

// scanSpacedDigits finds phone numbers written one digit at a time to dodge
// filters, with dots, dashes or slashes between the groups: "8 9 9 . 1 2 .
// 3 4 . 5 6", "+ 3 3 7 6 5 4 2 1 8 0 9", "6-9-1 / 2-4-8 / 3-0-7".
func scanSpacedDigits(n *Normalized) []span {
	f := n.Folded
	var out []span
	for i := 0; i < len(f); i++ {
		c := f[i]
		if !(c == '+' || c >= '0' && c <= '9') || (i > 0 && isHostByte(f[i-1])) {
			continue
		}
		j, digits, last := i, 0, i
		for j < len(f) {
			b := f[j]
			if b >= '0' && b <= '9' {
				if j+1 < len(f) && f[j+1] >= '0' && f[j+1] <= '9' {
					break // a group of two or more: not spaced out
				}
				digits++
				j++
				last = j
				continue
			}
			if b == '+' && j == i || b == ' ' || b == '.' || b == '-' || b == '/' {
				j++
				continue
			}
			break
		}
		if digits >= 9 && digits <= 15 {
			out = append(out, span{kind: spanPhone, fstart: i, fend: last})
			i = last
		}
	}
	return out
}

// mobileGroups reports the national formats without a leading 0: three or
// more groups of 2 to 4 digits, the first of three digits starting with 3,
// 6, 7, 8 or 9 ("600 123 456", "345 678 9012", "800 123 456"). Amounts
// ("450 000 000") have a group of zeros and are left out.
func mobileGroups(s string, lens []int, lead byte) bool {
	if len(lens) < 3 || lens[0] != 3 || strings.IndexByte("36789", lead) < 0 || strings.Contains(s, "000") {
		return false
	}
	for _, l := range lens {
		if l < 2 || l > 4 {
			return false
		}
	}
	return true
}

// areaMobile reports the Brazilian-style layout: a two-digit area code,
// then four or five digits, a dash and four digits ("21 99874-1120").
func areaMobile(lens []int) bool {
	return len(lens) == 3 && lens[0] == 2 && (lens[1] == 4 || lens[1] == 5) && lens[2] == 4
}

// cityMobile reports a two-digit city code followed by two groups of four
// digits, space-separated ("55 4817 2390", "33 1234 5678"); a group of
// zeros reads as an amount.
func cityMobile(lens []int, s string) bool {
	if len(lens) != 3 || lens[0] != 2 || lens[1] != 4 || lens[2] != 4 || s[0] == '0' ||
		strings.Contains(s, "0000") || strings.ContainsAny(s, ".,-/") {
		return false
	}
	// "les 12 2019 2020": a day and two years.
	year := func(g string) bool { return strings.HasPrefix(g, "19") || strings.HasPrefix(g, "20") }
	g := strings.Fields(s)
	return len(g) != 3 || !(year(g[1]) && year(g[2]))
}

// numberWords are the words of spelled-out digits and numbers, folded, in
// the supported languages.
var numberWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		zero un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize
		vingt trente quarante cinquante soixante septante octante nonante cent plus
		oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
		sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
		null eins zwei drei vier funf sechs sieben acht neun zehn elf zwolf zwanzig dreissig vierzig
		funfzig sechzig siebzig achtzig neunzig und
		cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince
		veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa mas
		due tre quattro cinque sei sette otto nove dieci undici dodici venti trenta quaranta
		cinquanta sessanta settanta ottanta novanta
		um dois quatro sete oito dez doze vinte quarenta sessenta
		nul een twee drie vier vijf zes zeven acht negen tien elf twaalf twintig dertig veertig
		vijftig zestig zeventig tachtig negentig`) {
		m[w] = true
	}
	return m
}()

// minSpelledRun is how many number words (or short digit groups) in a row
// spell out a phone number: "zéro six, douze, trente-quatre, cinquante-six".
const (
	minSpelledRun   = 7
	minSpelledWords = 4
)

// scanSpelledPhones finds phone numbers written out in words, alone or
// mixed with digit groups ("plus trois trois six, 45 67 89 12").
func scanSpelledPhones(n *Normalized) []span {
	var out []span
	toks := n.Tokens
	for i := 0; i < len(toks); {
		j, words := i, 0
		for j < len(toks) && toks[j].Kind == TokenWord && !toks[j].InLink {
			t := toks[j].Text
			if numberWords[t] || numberWords[unleet(t)] {
				words++
			} else if !isDigits(t) || len(t) > 4 {
				break
			}
			if j > i && toks[j].fstart-toks[j-1].fend > 3 {
				break
			}
			j++
		}
		if j-i >= minSpelledRun && words >= minSpelledWords {
			out = append(out, span{kind: spanPhone, fstart: toks[i].fstart, fend: toks[j-1].fend})
		}
		i = max(j, i+1)
	}
	return out
}

// unleet reads the digits of a word that also has letters as the letters
// they imitate ("tr3nte" is "trente"); other words are returned unchanged.
func unleet(t string) string {
	if isDigits(t) || !strings.ContainsAny(t, "0134579") {
		return t
	}
	b := []byte(t)
	for i, c := range b {
		if c >= '0' && c <= '9' {
			if o := leetOptions[rune(c)]; o != "" {
				b[i] = o[0]
			}
		}
	}
	return string(b)
}

// startsUpper reports whether the original text of tok begins with an
// upper-case letter.
func startsUpper(n *Normalized, tok Token) bool {
	start, end := n.Span(tok.fstart, tok.fend)
	if start >= end {
		return false
	}
	r, _ := utf8.DecodeRuneInString(n.Original[start:end])
	return unicode.IsUpper(r)
}
