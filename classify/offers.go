package classify

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigie-moderation/vigie/internal/message"
)

// An offer is what a sales pitch is made of beside its link: a price, a
// rate ("1500 €/mois", "40 € por cada encuesta"), a percentage ("-50 %",
// "87% de réussite"), a multiplier deal ("2x1", "3x2") or a discount code
// ("code SANTE50"). Each alone is everyday talk (news quote prices and
// percentages); together, or next to a way to reach the seller, they read
// as an offer. offerCues finds them in the folded text, at most one of each
// kind.

type offerKind uint8

const (
	offerPrice offerKind = iota
	offerRate
	offerPercent
	offerMultiplier
	offerCode
	offerRating
	offerKinds
)

var offerKindNames = [offerKinds]string{"price", "rate", "percentage", "multiplier", "discount code", "rating"}

// offerUnits is how many times the offer weight each kind counts: a
// discount code and a multiplier deal say "sale" more clearly than a price.
// A star rating ("5 stars", "5 Sterne") is a review's verdict: beside a
// code and a shop, a paid review's.
var offerUnits = [offerKinds]float64{1, 1.5, 1, 1.5, 2, 1}

type offerCue struct {
	kind         offerKind
	fstart, fend int
}

// currencyWords follow or precede an amount (folded).
var currencyWords = map[string]bool{
	"eur": true, "euro": true, "euros": true, "usd": true, "dollar": true, "dollars": true, "dolares": true,
	"dollari": true, "dolar": true, "reais": true, "brl": true, "gbp": true, "pounds": true, "chf": true,
	"franken": true, "libras": true, "sterline": true, "pfund": true,
}

// rateWords turn an amount into a rate when they follow it: "80 € par
// test", "20 € per day", "40€ por cada encuesta".
var rateWords = map[string]bool{
	"par": true, "per": true, "pro": true, "por": true, "cada": true, "each": true, "ogni": true,
	"al": true, "a": true, "elke": true, "je": true, "ao": true, "la": true, "le": true,
}

// rateUnits are what a rate is counted in; "a" and "la" need one of them
// after them ("20 € a day", "50 € la séance").
var rateUnits = map[string]bool{
	"day": true, "week": true, "month": true, "hour": true, "jour": true, "semaine": true, "mois": true,
	"heure": true, "tag": true, "woche": true, "monat": true, "stunde": true, "dia": true, "semana": true,
	"mes": true, "hora": true, "giorno": true, "settimana": true, "mese": true, "ora": true, "dag": true,
	"maand": true, "uur": true, "seance": true, "session": true, "test": true, "min": true, "minute": true,
	"minuto": true, "minuut": true, "minuten": true, "minutes": true, "minuti": true, "minutos": true,
}

// periodWords before an amount make it a rate too: "ayuda mensual de 2.000€".
var periodWords = map[string]bool{
	"mensuel": true, "mensuelle": true, "monthly": true, "weekly": true, "monatlich": true, "monatliche": true,
	"mensual": true, "mensile": true, "mensal": true, "maandelijks": true, "maandelijkse": true,
	"hebdomadaire": true, "quotidien": true, "daily": true, "taglich": true, "diario": true,
}

// starWords and ratingNumbers make a star rating (folded): "5 stars",
// "cinq étoiles", "5 Sterne", "5 estrellas", "5 stelle", "5 estrelas", "5
// sterren".
var starWords = toSet(strings.Fields(`star stars etoile etoiles stern sterne sternen estrella estrellas stella stelle estrela estrelas ster sterren`))
var ratingNumbers = toSet(strings.Fields(`4 5 five cinq funf cinco cinque vijf`))

// codeWords introduce a discount code: "code SANTE50", "Código VIP2026".
var codeWords = map[string]bool{
	"code": true, "codes": true, "codigo": true, "codice": true, "cupom": true, "cupon": true, "coupon": true,
	"gutschein": true, "gutscheincode": true, "rabattcode": true, "kortingscode": true, "actiecode": true,
	"promocode": true, "voucher": true, "promo": true, "coupon code": true,
}

func isCurrencySymbol(r rune) bool {
	return r == '€' || r == '$' || r == '£' || r == '¥'
}

// offerCues returns at most one cue of each kind.
func offerCues(n *Normalized) []offerCue {
	var found [offerKinds]*offerCue
	set := func(k offerKind, s, e int) {
		if found[k] == nil {
			found[k] = &offerCue{kind: k, fstart: s, fend: e}
		}
	}
	toks := n.Tokens
	f := n.Folded
	for i := range toks {
		t := &toks[i]
		if t.InLink || t.Kind != TokenWord {
			continue
		}
		if !isDigits(numberCore(t.Text)) {
			// "3x2", "2x1": buy so many, pay for fewer.
			if multiplierDeal(t.Text) {
				set(offerMultiplier, t.fstart, t.fend)
			}
			if starWords[t.Text] && i > 0 && ratingNumbers[toks[i-1].Text] {
				set(offerRating, toks[i-1].fstart, t.fend)
			}
			if codeWords[t.Text] {
				for k := i + 1; k < len(toks) && k <= i+2; k++ {
					if promoCode(n, &toks[k]) {
						set(offerCode, t.fstart, toks[k].fend)
						break
					}
				}
			}
			continue
		}
		// An amount: a currency symbol or word right before or after it.
		s, e := t.fstart, t.fend
		// Thousands separators: "6.800 €", "1 840 €", "2.000€".
		j := i
		for j+1 < len(toks) && isDigits(toks[j+1].Text) && len(toks[j+1].Text) == 3 && toks[j+1].fstart-toks[j].fend == 1 &&
			strings.ContainsRune(". ,", rune(f[toks[j].fend])) {
			j++
		}
		e = toks[j].fend
		after := strings.TrimLeft(f[e:], " -\u00a0")
		before := strings.TrimRight(f[:s], " -\u00a0")
		price := false
		if r, w := utf8.DecodeRuneInString(after); isCurrencySymbol(r) {
			price, e = true, len(f)-len(after)+w
		} else if r, _ := utf8.DecodeLastRuneInString(before); isCurrencySymbol(r) {
			price = true
		} else if j+1 < len(toks) && currencyWords[toks[j+1].Text] && toks[j+1].fstart-e <= 2 {
			price, e = true, toks[j+1].fend
		} else if i > 0 && currencyWords[toks[i-1].Text] && s-toks[i-1].fend <= 2 {
			price = true
		}
		if strings.HasPrefix(after, "%") || strings.HasPrefix(after, "pour cent") || strings.HasPrefix(after, "percent") ||
			strings.HasPrefix(after, "prozent") || strings.HasPrefix(after, "procent") {
			set(offerPercent, s, e+1)
		}
		if !price {
			i = j
			continue
		}
		set(offerPrice, s, e)
		rate := i > 0 && periodWords[toks[i-1].Text] || (i > 1 && periodWords[toks[i-2].Text])
		rest := strings.TrimLeft(f[e:], " ")
		if strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "p/") {
			rate = true
		}
		// The first token after the amount (and its currency).
		k := j + 1
		for k < len(toks) && toks[k].fstart < e {
			k++
		}
		if k < len(toks) && rateWords[toks[k].Text] && toks[k].Sentence == t.Sentence {
			w := toks[k].Text
			if w == "a" || w == "la" || w == "le" || w == "al" || w == "ao" {
				rate = rate || (k+1 < len(toks) && rateUnits[toks[k+1].Text])
			} else {
				rate = true
			}
		}
		if rate {
			set(offerRate, s, e)
		}
		i = j
	}
	var out []offerCue
	for _, c := range found {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// shopName returns the span of a shop's name written without its site
// beside a discount code: one word glued or hyphenated from a commercial
// word and another ("trendyoutletstore", "markenoutlet-billig",
// "tienda-barata24"). A plain word ("outlet", "shop") is not a name, and
// without a code a compound is only talk ("a cheapskate").
func (rs *RuleSet) shopName(n *Normalized, cues []offerCue) (int, int, string) {
	code := false
	for _, c := range cues {
		code = code || c.kind == offerCode
	}
	if !code {
		return 0, 0, ""
	}
	toks := n.Tokens
	for i := 0; i < len(toks); i++ {
		t := &toks[i]
		if t.InLink || t.Kind != TokenWord || codeWords[t.Text] {
			continue
		}
		// The tokenizer splits at hyphens: glue "sneakershop-billig" back.
		name, last := t.Text, i
		for last+1 < len(toks) && toks[last+1].fstart == toks[last].fend+1 && n.Folded[toks[last].fend] == '-' {
			last++
			name += "-" + toks[last].Text
		}
		if last == i && len(name) < 10 {
			continue
		}
		if w := rs.commercialWord(name + ".x"); w != "" && w != name {
			s, e := n.Span(t.fstart, toks[last].fend)
			return s, e, name
		}
		i = last
	}
	return 0, 0, ""
}

// numberCore strips a trailing "k" ("30k") so it reads as an amount.
func numberCore(s string) string {
	return strings.TrimSuffix(s, "k")
}

// multiplierDeal reports "2x1", "3x2", "4x3": small numbers around an x.
func multiplierDeal(s string) bool {
	if len(s) != 3 || s[1] != 'x' {
		return false
	}
	a, b := s[0], s[2]
	return a >= '2' && a <= '9' && b >= '1' && b <= '9' && b < a
}

// promoCode reports a token written like a code: letters and digits
// together, in capitals in the original ("SANTE50", "VIP2026").
func promoCode(n *Normalized, t *Token) bool {
	if t.Kind != TokenWord || len(t.Text) < 4 || len(t.Text) > 16 {
		return false
	}
	letters, digits := 0, 0
	for i := 0; i < len(t.Text); i++ {
		switch c := t.Text[i]; {
		case c >= 'a' && c <= 'z':
			letters++
		case c >= '0' && c <= '9':
			digits++
		default:
			return false
		}
	}
	if letters < 2 {
		return false
	}
	if digits > 0 {
		return true
	}
	// All capitals: "code BIENVENUE".
	s, e := n.Span(t.fstart, t.fend)
	orig := n.Original[s:e]
	return strings.ToUpper(orig) == orig && strings.ToLower(orig) != orig
}

// channelLabels are the matches that give a reader a way to reach the
// seller: where an offer leads.
var channelLabels = map[string]bool{
	"link": true, "email": true, "phone": true, "handle": true, "messenger": true, "contact": true,
	"shortener": true, "obfuscated_link": true, "payment": true,
}

// addressLabels are the channels that name an actual address, not only a
// messenger or an invitation.
var addressLabels = map[string]bool{
	"link": true, "email": true, "phone": true, "handle": true, "shortener": true, "obfuscated_link": true,
	"payment": true,
}

// offerSignals adds the offer match and weighs the offer lexicons by
// context: an offer with a way to reach the seller counts whole, without
// one half. A warning about a scam ("fake", "arnaque", "Betrug") with no
// address to reach anyone is a victim's story, not a pitch: the spam
// evidence of lexicons is halved.
func (rs *RuleSet) offerSignals(n *Normalized, ms []scored) []scored {
	channel, address, warning, community, tax := false, false, false, false, false
	warnings := map[[2]int]bool{}
	for _, m := range ms {
		if m.cat != CategorySpam {
			continue
		}
		channel = channel || channelLabels[m.m.Label]
		address = address || addressLabels[m.m.Label]
		warning = warning || m.m.Label == "warning"
		if m.m.Label == "warning" {
			warnings[[2]int{m.m.Start, m.m.End}] = true
		}
		community = community || m.m.Label == "community"
		tax = tax || m.m.Label == "tax"
	}
	cues := offerCues(n)
	ms = rs.audienceSignal(n, cues, ms)
	if s, e, name := rs.shopName(n, cues); name != "" {
		// "Code FAN20 bei markenoutlet-billig": the shop's name without
		// its TLD, to get past link filters, is where the code leads.
		channel = true
		ms = append(ms, scored{cat: CategorySpam, m: message.Match{
			Rule: "spam.shop_name", Label: "commercial_link", Weight: rs.sig.CommercialLink.Weight, Start: s, End: e,
			Normalized: "a shop named without its site: " + name,
		}})
	}
	w := rs.sig.Offer.Weight
	if w > 0 {
		units := 0.0
		var names []string
		for _, c := range cues {
			units += offerUnits[c.kind]
			names = append(names, offerKindNames[c.kind])
		}
		units = min(units, max(rs.sig.Offer.Min, 1))
		if !channel {
			units /= 2
		}
		if len(cues) > 0 && units > 0 {
			s, e := n.Span(cues[0].fstart, cues[len(cues)-1].fend)
			for _, c := range cues {
				cs, ce := n.Span(c.fstart, c.fend)
				s, e = min(s, cs), max(e, ce)
			}
			ms = append(ms, scored{cat: CategorySpam, m: message.Match{
				Rule: "spam.offer", Label: "offer", Weight: round3(w * units), Start: s, End: e,
				Normalized: strings.Join(names, ", "),
			}})
		}
	}
	// One offer word alone ("gratuit" beside a helpline's number) is
	// everyday talk: the offer lexicons count from two cues on.
	offerWords := map[[2]int]bool{}
	for _, m := range ms {
		if m.m.Label == "offer" {
			offerWords[[2]int{m.m.Start, m.m.End}] = true
		}
	}
	for i := range ms {
		if ms[i].m.Label != "offer" || ms[i].m.Rule == "spam.offer" {
			continue
		}
		if len(offerWords) < 2 {
			ms[i].m.Weight = 0
		} else if !channel {
			ms[i].m.Weight /= 2
		}
	}
	// A local association gives a number to call and a group to join:
	// volunteers for the jumble sale, a fundraiser at the co-op. Its phone,
	// messenger and prices count half (spam.community); money, crypto or
	// adult words beside them still count whole.
	if community {
		total := spamEvidence(ms, func(label string) bool {
			return label == "phone" || label == "email" || label == "messenger" || label == "offer"
		})
		ms = damp(ms, n, "spam.community", "community", total, -total/2, "a local association: half the phone, e-mail, messenger and price evidence")
	}
	// A public service's notice (a gov.uk or vlaanderen.be link, a tourist
	// office's site, "Tél. 02 98 …") gives a number, a price and a page to
	// read: they count half (spam.civic), unless the comment also sells.
	if s, e, ok := rs.civicCue(n, ms); ok {
		total := spamEvidence(ms, func(label string) bool {
			return label == "phone" || label == "offer" || label == "link" || label == "contact"
		})
		if total > 0 {
			ms = append(ms, scored{cat: CategorySpam, m: message.Match{
				Rule: "spam.civic", Label: "civic", Weight: round3(-total / 2), Start: s, End: e,
				Normalized: "a public service's notice: half the phone, link and price evidence",
			}})
		}
	}
	// Crypto or gains beside taxes, declarations and the tax office, with no
	// way to reach anyone (no link, address, messenger or contact phrase), is
	// a taxpayer talking: half the spam evidence (spam.tax).
	if tax && !channel {
		total := spamEvidence(ms, func(label string) bool { return label != "warning" && label != "community" })
		ms = damp(ms, n, "spam.tax", "tax", total, -total/2, "taxes with no contact: half the spam evidence")
	}
	// Opening hours ("8:00-12:30", "9h à 17h", "9am-5pm") are how a shop,
	// a tip or a council service tells readers when to come or call:
	// their phone and prices count half (spam.hours).
	if hs, he, ok := openingHours(n, ms); ok {
		total := spamEvidence(ms, func(label string) bool { return label == "phone" || label == "offer" })
		if total > 0 {
			ms = append(ms, scored{cat: CategorySpam, m: message.Match{
				Rule: "spam.hours", Label: "hours", Weight: round3(-total / 2), Start: hs, End: he,
				Normalized: "opening hours: half the phone and price evidence",
			}})
		}
	}
	if warning && !address {
		total := spamEvidence(ms, func(label string) bool { return label != "warning" && label != "community" && label != "tax" })
		// Two warnings or more ("sold at a loss ... never trust a coach on
		// Telegram") are an investor's lesson: a quarter of the evidence.
		share, why := 0.5, "a warning with no address: half the spam evidence"
		if len(warnings) >= 2 {
			share, why = 0.75, "warnings with no address: a quarter of the spam evidence"
		}
		ms = damp(ms, n, "spam.warning", "warning", total, round3(-total*share), why)
	}
	return ms
}

// spamEvidence sums the weights of the spam matches whose label counts.
func spamEvidence(ms []scored, counts func(label string) bool) float64 {
	total := 0.0
	for _, m := range ms {
		if m.cat == CategorySpam && counts(m.m.Label) {
			total += m.m.Weight
		}
	}
	return total
}

// damp appends a whole-comment spam match of weight w that takes back part
// of the spam evidence total, saying why; nothing when there was none.
func damp(ms []scored, n *Normalized, rule, label string, total, w float64, why string) []scored {
	if total <= 0 {
		return ms
	}
	return append(ms, scored{cat: CategorySpam, m: message.Match{
		Rule: rule, Label: label, Weight: w, Start: 0, End: len(n.Original), Normalized: why,
	}})
}

// hoursRange is a range of clock times in folded text: "8:00-12:30",
// "9h-17h", "9 h a 18 h", "9am-5pm", "9.00 tot 17.00", "10 bis 18 uhr".
// One side at least carries minutes or a clock word, so a score ("2-1")
// or a span of years is not a time.
var hoursRange = regexp.MustCompile(`\b([01]?\d|2[0-3])(?:([:h.])([0-5]\d)|\s?(h|am|pm|uhr|u))?\s?(?:-|–|a|à|to|bis|tot|alle|as|às|al)\s?([01]?\d|2[0-3])(?:([:h.])([0-5]\d)|\s?(h|am|pm|uhr|u))?\b`)

// openingHours returns the byte span in the original text of a range of
// opening hours, if the comment gives a phone or prices beside one.
func openingHours(n *Normalized, ms []scored) (int, int, bool) {
	if spamEvidence(ms, func(label string) bool { return label == "phone" || label == "offer" }) <= 0 {
		return 0, 0, false
	}
	if first, last, ok := weekdayRange(n.Tokens); ok {
		return n.Tokens[first].Start, n.Tokens[last].End, true
	}
	for _, m := range hoursRange.FindAllStringSubmatchIndex(n.Folded, -1) {
		has := func(g int) bool { return m[2*g] >= 0 }
		// "8:00", "9h30", "9 h", "9am" are clock times on their own;
		// "9.00" is one only when the other side is written alike.
		clock := func(sep, word int) bool {
			return has(word) || has(sep) && n.Folded[m[2*sep]] != '.'
		}
		if clock(2, 4) || clock(6, 8) || has(3) && has(7) {
			s, e := n.Span(m[0], m[1])
			return s, e, true
		}
	}
	return 0, 0, false
}

// introductions open a stranger's presentation of themselves (folded
// words): "je suis", "moi c'est", "I'm", "ich bin", "soy", "me llamo",
// "sono", "mi chiamo", "sou", "ik ben".
var introductions = [][]string{
	{"je", "suis"}, {"moi", "c", "est"}, {"i", "m"}, {"i", "am"}, {"im"}, {"ich", "bin"}, {"soy"}, {"me", "llamo"},
	{"sono"}, {"mi", "chiamo"}, {"sou"}, {"eu", "sou"}, {"ik", "ben"},
}

// ageWords follow an age: "24 ans", "23 years", "27 Jahre", "25 años",
// "22 anni", "26 anos", "24 jaar" (folded).
var ageWords = toSet(strings.Fields(`ans an years yo y jahre j anos anni jaar`))

// personalAd returns the token span of a stranger's self-introduction with
// a name and an adult age: "ich bin Jana (27)", "Je suis Léa, 24 ans",
// "I'm Kate, 23". A reader may introduce themselves that way to testify
// ("je suis Marie, 34 ans, infirmière"), so it weighs little alone; beside
// a handle, a profile or a pet name it is the opening of dating bait.
func personalAd(n *Normalized) (int, int, bool) {
	toks := n.Tokens
	for i := range toks {
		for _, in := range introductions {
			name := i + len(in)
			if name+1 >= len(toks) || !tokensAre(toks[i:name], in) {
				continue
			}
			t := &toks[name]
			if t.Kind != TokenWord || isDigits(t.Text) || !startsUpper(n, *t) {
				continue
			}
			a := &toks[name+1]
			age, err := strconv.Atoi(a.Text)
			if err != nil || age < 18 || age > 59 || a.Sentence != t.Sentence && !strings.Contains(n.Original[t.End:a.Start], ",") {
				continue
			}
			between := n.Original[t.End:a.Start]
			after := ""
			if name+2 < len(toks) {
				after = toks[name+2].Text
			}
			if strings.Contains(between, "(") || strings.Contains(between, ",") || ageWords[after] {
				return i, name + 1, true
			}
		}
	}
	return 0, 0, false
}

// tokensAre reports whether the tokens' texts are the words.
func tokensAre(toks []Token, words []string) bool {
	for k, w := range words {
		if toks[k].Text != w {
			return false
		}
	}
	return true
}

// weekdays are the days of the week written out (folded); the short forms
// ("do", "ma", "sa") are everyday words in other languages.
var weekdays = toSet(strings.Fields(`lundi mardi mercredi jeudi vendredi samedi dimanche
	monday tuesday wednesday thursday friday saturday sunday
	montag dienstag mittwoch donnerstag freitag samstag sonntag montags freitags samstags sonntags
	lunes martes miercoles jueves viernes sabado domingo
	lunedi martedi mercoledi giovedi venerdi sabato domenica
	segunda terca quarta quinta sexta
	maandag dinsdag woensdag donderdag vrijdag zaterdag zondag`))

// dayLinks join the two ends of a range of days (folded): "du lundi au
// vendredi", "Monday to Friday", "Montag bis Freitag", "de lunes a
// viernes", "dal lunedì al venerdì", "de segunda a sexta", "maandag t/m
// vrijdag".
var dayLinks = toSet(strings.Fields(`au a to till until through thru bis al tot t m tm`))

// weekdayRange returns the token span of a range of days, as opening
// hours give it.
func weekdayRange(toks []Token) (int, int, bool) {
	for i := range toks {
		if !weekdays[toks[i].Text] {
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+3; j++ {
			if weekdays[toks[j].Text] {
				if j > i+1 || toks[i].End < toks[j].Start {
					return i, j, true
				}
				break
			}
			if !dayLinks[toks[j].Text] {
				break
			}
		}
	}
	return 0, 0, false
}

// civicHosts are the domains of administrations and public services; a
// link to one of them, or below them, is a citizen's pointer to the state.
// Look-alikes ("fgts-caixa-gov.com") end elsewhere.
var civicHosts = []string{"gov.uk", "nhs.uk", "gouv.fr", "service-public.fr", "ameli.fr", "caf.fr",
	"vlaanderen.be", "belgium.be", "wallonie.be", "brussels.be", "overheid.nl", "rijksoverheid.nl",
	"admin.ch", "ch.ch", "bund.de", "gv.at", "gob.es", "gov.it", "gov.pt", "europa.eu", "gov"}

// civicWords mark a public service's own site when they stand as a label
// or a hyphenated part of one: "quimper-tourisme.bzh", "stadt-zuerich.ch".
var civicWords = map[string]bool{"tourisme": true, "tourism": true, "turismo": true, "toerisme": true,
	"tourismus": true, "mairie": true, "gemeente": true, "comune": true, "ayuntamiento": true,
	"stadt": true, "gemeinde": true, "ville": true, "camara": true, "council": true}

// civicTel is the "Tel." / "Tél." abbreviation official notices put
// before a number.
var civicTel = regexp.MustCompile(`(?:^|[^\pL])(?i:tel|tél|tfno|tlf)\.\s?[+(0-9]`)

// civicCue returns the span of a public service's cue: a link to an
// administration or a tourist office, or the "Tel." of an official notice.
// A comment that also sells (money, crypto, adult, messenger or spam
// phrases weighing 0.3 or more) gets none: a scammer can write "Tel." too.
func (rs *RuleSet) civicCue(n *Normalized, ms []scored) (int, int, bool) {
	selling := spamEvidence(ms, func(label string) bool {
		return label == "money" || label == "crypto" || label == "adult" || label == "messenger" ||
			label == "spam_phrase" || label == "work_from_home" || label == "handle" || label == "obfuscated_link"
	})
	if selling >= 0.3 {
		return 0, 0, false
	}
	for _, m := range ms {
		// A shop window's host ("stadt-umzug-billig.de") serves no public.
		if m.m.Rule == "spam.link" && civicHost(m.m.Normalized) && rs.commercialWord(linkHost(m.m.Normalized)) == "" {
			return m.m.Start, m.m.End, true
		}
	}
	if loc := civicTel.FindStringIndex(n.Original); loc != nil {
		return loc[0], loc[1], true
	}
	return 0, 0, false
}

// linkHost is the host of a link as written: no scheme, "www." or path.
func linkHost(link string) string {
	link = strings.TrimPrefix(strings.TrimPrefix(link, "https://"), "http://")
	host, _, _ := strings.Cut(strings.TrimPrefix(link, "www."), "/")
	return host
}

// civicHost reports whether a link's host belongs to a public service.
func civicHost(link string) bool {
	host := linkHost(link)
	for _, h := range civicHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	for _, label := range strings.Split(host, ".") {
		for _, part := range strings.Split(label, "-") {
			if civicWords[part] {
				return true
			}
		}
	}
	return false
}
