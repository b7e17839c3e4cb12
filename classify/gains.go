package classify

import (
	"strings"
	"unicode/utf8"

	"github.com/vigie-moderation/vigie/internal/message"
)

// The trading testimonial behind a celebrity's name ("X revealed live how
// he made 40.000€ in a month with automatic trading ... search 'Y'") sends
// readers to a search engine rather than a link, and names its gains over a
// short period rather than a rate. Two signals read it: a gain over a
// period beside an investment word, and a quoted name to search for.

// gainPeriods are the short periods a testimonial's gains are counted in.
var gainPeriods = toSet(strings.Fields(`day days week weeks month months jour jours semaine semaines mois
	tag tagen woche wochen monat monaten dia dias semana semanas mes meses giorno giorni settimana settimane
	mese mesi dag dagen week weken maand maanden`))

// gainPrepositions open such a period: "in a month", "en un mes", "im
// Monat", "in een week", "em um mês", "en deux semaines".
var gainPrepositions = toSet(strings.Fields(`in en em im within binnen dans nel`))

// investWords say where the gains came from (folded); crypto terms count
// too. "Platform" is left out: restaurants take bookings on one.
var investWords = toSet(strings.Fields(`trading trader trade invest investing invested investment investir
	investi investissement investissements investiert investieren investition anlage anlegen invertir
	inversion inversiones invertido investimento investimenti investito investiu investeren belegging
	beleggen geinvesteerd algoritmo algorithm
	algorithme algorithmus robot bot automatico automatique automatisch automatic automatisch`))

// searchVerbs send a reader to a search engine (folded imperatives).
var searchVerbs = toSet(strings.Fields(`search google googlen googelt googeln cherchez tapez recherchez
	sucht suchen busquen buscad busca buscar cercate cerca cercatelo cercare pesquisem pesquise
	pesquisa procurem procure zoek zoekt googel`))

// gainClaim returns the span of an amount earned over a short period
// ("40.000€ in un mese", "$3,000 in a week") when the comment also says it
// came from trading, investing or crypto.
func gainClaim(n *Normalized, ms []scored) (int, int, bool) {
	invest := hasLabel(ms, "crypto")
	for _, t := range n.Tokens {
		invest = invest || investWords[t.Text]
	}
	if !invest {
		return 0, 0, false
	}
	toks := n.Tokens
	for j := 2; j < len(toks); j++ {
		if !gainPeriods[toks[j].Text] {
			continue
		}
		p := j - 2
		if !gainPrepositions[toks[p].Text] {
			p = j - 1 // "in 3 Tagen" has no article; "in weeks" none either
			if !gainPrepositions[toks[p].Text] {
				continue
			}
		}
		from := max(p-4, 0)
		before := n.Folded[toks[from].fstart:toks[p].fstart]
		if hasAmount(before) {
			return toks[from].fstart, toks[j].fend, true
		}
	}
	return 0, 0, false
}

// hasAmount reports a digit and a currency sign or word in s.
func hasAmount(s string) bool {
	digit, currency := false, false
	for _, r := range s {
		digit = digit || (r >= '0' && r <= '9')
		currency = currency || isCurrencySymbol(r)
	}
	if !currency {
		for _, w := range strings.Fields(s) {
			currency = currency || currencyWords[strings.Trim(w, ".,")]
		}
	}
	return digit && currency
}

// searchPitch returns the span of a quoted name readers are told to search
// for ('cercate "Immediate Edge"', 'googelt „Bit Profit"'): a link written
// so no filter sees one.
func searchPitch(n *Normalized) (int, int, bool) {
	toks := n.Tokens
	for k := range toks {
		if !searchVerbs[toks[k].Text] || toks[k].Quoted {
			continue
		}
		for q := k + 1; q < len(toks) && q <= k+3 && toks[q].Sentence == toks[k].Sentence; q++ {
			if toks[q].Quoted && startsQuote(n, toks[q]) {
				return toks[k].fstart, toks[q].fend, true
			}
		}
	}
	return 0, 0, false
}

// startsQuote reports an opening quotation mark right before a token.
func startsQuote(n *Normalized, t Token) bool {
	s, _ := n.Span(t.fstart, t.fend)
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(n.Original[:s], " "))
	return strings.ContainsRune("\"'«“„‘", r)
}

// pitched reports a spam lexicon or signal that sells something: money,
// crypto, adult, pitch phrases, offers or work from home.
func pitched(ms []scored) bool {
	for _, m := range ms {
		switch m.m.Label {
		case "money", "crypto", "adult", "spam_phrase", "offer", "work_from_home":
			if m.m.Weight > 0 {
				return true
			}
		}
	}
	return false
}

// gainSignals adds spam.gain_claim (money) and spam.search_pitch (contact).
func (rs *RuleSet) gainSignals(n *Normalized, ms []scored) []scored {
	add := func(rule, label, why string, w float64, fs, fe int) {
		s, e := n.Span(fs, fe)
		ms = append(ms, scored{cat: CategorySpam, m: message.Match{Rule: rule, Label: label, Weight: w, Start: s, End: e, Normalized: why}})
	}
	if w := rs.sig.GainClaim.Weight; w > 0 {
		if fs, fe, ok := gainClaim(n, ms); ok {
			add("spam.gain_claim", "money", "gains over a short period from trading", w, fs, fe)
		}
	}
	// A search tip ('cherchez « prix Goncourt » sur Google') is everyday
	// talk; it sends readers to a product only beside money, crypto, a
	// pitch phrase or a price.
	if w := rs.sig.SearchPitch.Weight; w > 0 && (pitched(ms) || len(offerCues(n)) > 0) {
		if fs, fe, ok := searchPitch(n); ok {
			add("spam.search_pitch", "contact", "a quoted name to search for", w, fs, fe)
		}
	}
	return ms
}
