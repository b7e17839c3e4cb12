package classify

import (
	"strings"

	"github.com/vigie-moderation/vigie/internal/message"
)

// audienceWords count an account's audience (folded): what follower shops
// sell by the thousand. "Views" and "fans" are left out: hotels sell sea
// views and clubs sell fans their tickets.
var audienceWords = toSet(strings.Fields(`followers follower abonnes abonnees abonnenten seguidores volgers
	iscritti inscritos suscriptores subscribers likes`))

// pricePrepositions lead from what is sold to its price: "for", "por",
// "ab", "a partir de", "only".
var pricePrepositions = toSet(strings.Fields(`for from por para pour des fur ab per voor vanaf desde da partir
	only just seulement solo nur apenas slechts zu`))

// audienceSale returns the span of an audience sold at a price: an
// audience word, then within six words of the same clause a preposition
// and a price ("10.000 seguidores reales en Instagram por 19,99€", "5k
// followers for only $9", "1000 abonnés dès 4,90 €"). A creator saying how
// many followers they have, or what a ticket cost, does not put the price
// after the audience with "for".
func audienceSale(n *Normalized, cues []offerCue) (int, int, bool) {
	price := -1
	for _, c := range cues {
		if c.kind == offerPrice {
			price = c.fstart
		}
	}
	if price < 0 {
		return 0, 0, false
	}
	toks := n.Tokens
	for i := range toks {
		if !audienceWords[toks[i].Text] || toks[i].InLink {
			continue
		}
		for k := i + 1; k < len(toks) && k <= i+6 && toks[k].Clause == toks[i].Clause; k++ {
			if !pricePrepositions[toks[k].Text] {
				continue
			}
			for j := k + 1; j < len(toks) && j <= k+3; j++ {
				if toks[j].fstart == price {
					return toks[i].fstart, toks[j].fend, true
				}
			}
		}
	}
	return 0, 0, false
}

// audienceSignal adds spam.audience_sale (see audienceSale).
func (rs *RuleSet) audienceSignal(n *Normalized, cues []offerCue, ms []scored) []scored {
	if rs.sig.Audience.Weight <= 0 {
		return ms
	}
	fs, fe, ok := audienceSale(n, cues)
	if !ok {
		return ms
	}
	s, e := n.Span(fs, fe)
	return append(ms, scored{cat: CategorySpam, m: message.Match{
		Rule: "spam.audience_sale", Label: "spam_phrase", Weight: rs.sig.Audience.Weight, Start: s, End: e,
		Normalized: "an audience sold at a price",
	}})
}
