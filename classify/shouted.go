package classify

import "github.com/vigie-moderation/vigie/internal/message"

// Shouted abuse: a whole comment in capitals is a style, not an attack —
// "WHAT A GOAL", "ALLEZ LES BLEUS", even "QUE JOGO DO CARALHO" with its
// swear word of joy. Round 8's writers shouted at a group or a reader
// instead ("BOOMERS LIKE YOU ... JUST DIE OFF", "GENERAZIONE DI RAMMOLLITI",
// "VÃO TRABALHAR ... CAMBADA DE INÚTEIS") with only a mild word or none the
// lexicons weigh much; the capitals are what makes them abuse. So shouting
// beside a troll term that names or threatens someone (insult, slur,
// threat, dehumanising, sexual — even a mild one, or a "go and work" jibe)
// is scored as abuse on top of the style. Profanity alone does not count:
// fans swear for joy. Nor does a comment that thanks someone ("GRAZIE
// RAGAZZI").

// shoutedLabels are the troll labels that turn shouting into abuse.
var shoutedLabels = map[string]bool{"insult": true, "slur": true, "threat": true, "dehumanising": true, "sexual": true}

// shoutedAbuse adds troll.shouted when the comment is shouted and also
// carries an unguarded term of abuse.
func (rs *RuleSet) shoutedAbuse(n *Normalized, ms []scored) []scored {
	w := rs.sig.Shouted.Weight
	if w <= 0 || thanked(n.Tokens) {
		return ms
	}
	shouted := false
	var abuse *message.Match
	guarded := map[[2]int]bool{}
	for i := range ms {
		m := &ms[i].m
		switch {
		case m.Label == "shouting":
			shouted = true
		case m.Label == "guard":
			guarded[[2]int{m.Start, m.End}] = true
		}
	}
	if !shouted {
		return ms
	}
	for i := range ms {
		m := &ms[i].m
		// A quoted or reported term ("THEY CALLED HIM AN IDIOT") ends
		// where its guard ends.
		if ms[i].cat == CategoryTroll && shoutedLabels[m.Label] && m.Weight > 0 && !guardedEnd(guarded, m.End) {
			abuse = m
			break
		}
	}
	if abuse == nil {
		return ms
	}
	return append(ms, scored{cat: CategoryTroll, m: message.Match{
		Rule: "troll.shouted", Label: "shouting", Weight: w, Start: abuse.Start, End: abuse.End,
		Normalized: "shouted with " + abuse.Normalized,
	}})
}

// guardedEnd reports a guard match ending where a term ends.
func guardedEnd(guarded map[[2]int]bool, end int) bool {
	for k := range guarded {
		if k[1] == end {
			return true
		}
	}
	return false
}
