package classify

import (
	"regexp"
	"strings"

	"github.com/vigie-moderation/vigie/internal/message"
)

// Donation appeals: "Farmer Tom lost his sheep, donate via PayPal to
// tom@gmail.com and share", "Bizum al 6-9-1 / 2-4-8", "ricarica PostePay
// numero 5333 …", "virement sur l'IBAN LT41 …, ou en coupons PCS". A real
// charity names itself and its site; a scam asks for money on a private
// channel — an account or card number, a payment app pointed at a mailbox or
// a phone, prepaid coupons — and asks readers to share. The wording of the
// story changes with every writer; the shape does not: a donation or help
// cue (or a share request) beside a private payment channel.

// ibanNumber is an IBAN in folded text: a country code, two check digits
// and the account in groups ("lt41 3250 0672 1938 4410", "de89370400440532013000").
var ibanNumber = regexp.MustCompile(`\b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){3,7}(?: ?[a-z0-9]{1,3})?\b`)

// cardNumber is a payment card number: four groups of four digits, spaced
// or dashed alike, or sixteen digits in a row.
var cardNumber = regexp.MustCompile(`\b(?:\d{4} \d{4} \d{4} \d{4}|\d{4}-\d{4}-\d{4}-\d{4}|\d{16})\b`)

// paymentNumber returns the folded span of the first account or card
// number in the text, and which it is.
func paymentNumber(f string) (int, int, string) {
	if loc := ibanNumber.FindStringIndex(f); loc != nil && digitShare(f[loc[0]:loc[1]]) >= 0.6 {
		return loc[0], loc[1], "an IBAN"
	}
	for _, loc := range cardNumber.FindAllStringIndex(f, -1) {
		if !yearList(f[loc[0]:loc[1]]) {
			return loc[0], loc[1], "a card number"
		}
	}
	return 0, 0, ""
}

// digitShare is the share of digits among the letters and digits of s: an
// IBAN is mostly digits, a run of words is not.
func digitShare(s string) float64 {
	d, all := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			d++
			all++
		case c >= 'a' && c <= 'z':
			all++
		}
	}
	if all == 0 {
		return 0
	}
	return float64(d) / float64(all)
}

// yearList reports four groups that are all years ("2019 2020 2021 2022"):
// a timeline, not a card.
func yearList(s string) bool {
	for _, g := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' }) {
		if len(g) != 4 || !(strings.HasPrefix(g, "19") || strings.HasPrefix(g, "20")) {
			return false
		}
	}
	return true
}

// paymentApps are transfer apps and services (folded, one or two words):
// they need a destination beside them (an e-mail, a phone, a handle, a
// number) to be a private channel — a shop that "accepts PayPal" has none.
var paymentApps = toSet(strings.Split(`paypal|pay pal|bizum|mb way|mbway|tikkie|lydia|postepay|satispay|twint|venmo|cashapp|cash app|revolut|western union|moneygram|payconiq|zelle|skrill|wero`, "|"))

// paymentCoupons are prepaid coupons and gift cards (folded): no charity
// takes donations as codes sent by mail.
var paymentCoupons = toSet(strings.Split(`transcash|pcs|neosurf|paysafecard|paysafe|toneo|gift card|gift cards|carte cadeau|cartes cadeaux|carta regalo|tarjeta regalo|cartao presente|geschenkkarte|steam card|itunes card|google play card|coupon pcs|coupons pcs`, "|"))

// donationCues ask for money or help (folded; a final * is a prefix): the
// appeal's verb or noun in the seven languages.
var donationCues = splitPhrases(`don|dons|faire un don|donner|donnez|cagnotte|collecte|collectons|aidez|aidez-nous|aidons|soutenez|chaque euro compte|comptent|participation|` +
	`donate|donation*|donating|please help|help us|help him|help her|chip in|every dollar|every penny|counts|contribute|contribution*|` +
	`spende*|spendet|helft|hilfe|helfen sie|unterstutzt|jeder euro|zahlt|` +
	`donar|dona|donad|donativo*|donacion*|aportacion*|colabora|colaborad|ayudad|ayudanos|ayuda|cuenta|` +
	`donate|donazion*|aiutiamo|aiutate|aiutateci|aiutiamoli|raccolta fondi|contribut*|fanno la differenza|sostenete|` +
	`doar|doem|doe|doacao|doacoes|ajudem|ajude|ajudar|contribuam|contribua|vaquinha|angariacao|cada euro|conta|` +
	`doneer|doneren|donatie*|help|helpen|steun|steunt|inzamel*|elke euro|telt|bijdrage*`)

// shareCues ask readers to spread the appeal (folded).
var shareCues = toSet(strings.Split(`partagez|partager|share|please share|teilen|teilt|compartid|comparte|compartan|difundid|condividete|condividi|partilhem|partilhe|compartilhem|compartilhe|deel|delen|deelt`, "|"))

// cuePhrase is a phrase split into words once; a final "*" on the last
// word makes it a prefix.
type cuePhrase struct {
	words  []string
	prefix bool
}

// splitPhrases splits a "|"-separated list of phrases into cuePhrases, at
// start-up rather than for every token of every comment.
func splitPhrases(s string) []cuePhrase {
	var out []cuePhrase
	for _, w := range phraseList(s) {
		c := cuePhrase{words: w}
		if last := w[len(w)-1]; strings.HasSuffix(last, "*") {
			c.prefix = true
			w[len(w)-1] = strings.TrimSuffix(last, "*")
		}
		out = append(out, c)
	}
	return out
}

// phraseAt reports whether one of the phrases starts at token i.
func phraseAt(toks []Token, i int, phrases []cuePhrase) bool {
	for _, p := range phrases {
		w := p.words
		if i+len(w) > len(toks) {
			continue
		}
		if !p.prefix {
			if tokensAre(toks[i:], w) {
				return true
			}
			continue
		}
		if tokensAre(toks[i:], w[:len(w)-1]) && strings.HasPrefix(toks[i+len(w)-1].Text, w[len(w)-1]) {
			return true
		}
	}
	return false
}

// paymentBrand reports a payment app or coupon at token i, one or two
// words, or spelled letter by letter ("P o s t e P a y"); it returns the
// tokens it spans.
func paymentBrand(toks []Token, i int, set map[string]bool) int {
	if set[toks[i].Text] {
		return 1
	}
	if i+1 < len(toks) && set[toks[i].Text+" "+toks[i+1].Text] {
		return 2
	}
	var b strings.Builder
	for k := i; k < len(toks) && len(toks[k].Text) == 1; k++ {
		b.WriteString(toks[k].Text)
		if k-i >= 2 && set[b.String()] {
			return k - i + 1
		}
	}
	return 0
}

// donation adds spam.payment for an account or card number written out, or
// a handle right after a payment app (a private channel, and an address for the offer and warning rules), and
// spam.donation when a donation, help or share cue stands beside a private
// payment channel: a number, prepaid coupons, or a payment app with an
// e-mail, phone or handle to send to.
func (rs *RuleSet) donation(n *Normalized, ms []scored) []scored {
	add := func(rule, label string, w float64, s, e int, why string) {
		if w > 0 {
			ms = append(ms, scored{cat: CategorySpam, m: message.Match{Rule: rule, Label: label, Weight: w, Start: s, End: e, Normalized: why}})
		}
	}
	private := ""
	ps, pe := 0, 0
	if fs, fe, what := paymentNumber(n.Folded); what != "" {
		s, e := n.Span(fs, fe)
		add("spam.payment", "payment", rs.sig.Payment.Weight, s, e, what)
		private, ps, pe = what, s, e
	}
	dest := false
	for _, m := range ms {
		dest = dest || m.cat == CategorySpam && (m.m.Label == "email" || m.m.Label == "phone" || m.m.Label == "handle")
	}
	cue, share, coupons := false, false, false
	for i := range n.Tokens {
		t := &n.Tokens[i]
		if t.InLink {
			continue
		}
		cue = cue || phraseAt(n.Tokens, i, donationCues)
		share = share || shareCues[t.Text]
		if private != "" {
			continue
		}
		if k := paymentBrand(n.Tokens, i, paymentCoupons); k > 0 {
			private, ps, pe, coupons = "prepaid coupons", t.Start, n.Tokens[i+k-1].End, true
		} else if k := paymentBrand(n.Tokens, i, paymentApps); k > 0 && mentionAt(n.Tokens, i+k) {
			// "Venmo @jenny-relief": an account to pay, like a number.
			private, ps, pe = "a payment handle", t.Start, n.Tokens[i+k-1].End
			add("spam.payment", "payment", rs.sig.Payment.Weight, ps, pe, private)
		} else if k > 0 && dest {
			private, ps, pe = "a payment app and where to send", t.Start, n.Tokens[i+k-1].End
		}
	}
	// Coupons with only a share request are a warning passed on ("they
	// asked my mum for gift cards, share so nobody falls for it").
	if private == "" || !cue && (!share || coupons) {
		return ms
	}
	why := "a donation appeal paid to " + private
	if share {
		why += ", shared"
	}
	add("spam.donation", "donation", rs.sig.Donation.Weight, ps, pe, why)
	return ms
}

// mentionAt reports an @handle at token i or the one after ("Venmo
// @jenny-relief", "Revolut: @tom"): where an app's money goes.
func mentionAt(toks []Token, i int) bool {
	for k := i; k < min(i+2, len(toks)); k++ {
		if toks[k].Kind == TokenMention {
			return true
		}
	}
	return false
}
