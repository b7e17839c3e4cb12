package classify

import "strings"

// SEO link drops open on a compliment for the article, then pitch a
// resource — a guide, a simulator, tips — on a site named for search
// engines ("patrimoine-malin-conseil.fr", "poupar-imi-facil.pt"): three
// words or more hyphenated in the host. Each alone is ordinary (readers
// praise articles, share guides, and some sites hyphenate their names);
// the three together are the drop. seoPitch reports it with the link.

// praiseArticle are the words for what a reader praises (folded).
var praiseArticle = toSet(strings.Fields(`article articles papier texte post read piece artikel beitrag text
	articulo texto reportaje articolo pezzo artigo materia stuk verhaal`))

// praiseWords are the compliments (folded).
var praiseWords = toSet(strings.Fields(`bon bel excellent super tres merci great nice good interesting excellent thanks awesome
	toller toll guter gut interessanter interessant danke klasse buen bueno gran excelente interesante gracias
	ottimo ottima bell bello interessante grazie bom boa otimo otima excelente obrigado obrigada mooi goed top
	interessant bedankt sterk spannend spannender spannendes lesenswert lesenswerter hilfreich fascinating
	useful passionnant instructif utile interessantissimo utilissimo util informativo leerzaam boeiend`))

// resourceWords are what the drop pitches (folded).
var resourceWords = toSet(strings.Fields(`guide guides guia guias guida guide gids ratgeber leitfaden tutorial tuto
	simulateur simulation simulador simulatore simulator rechner calculateur calculator comparatif comparador
	comparatore vergelijker vergleich dicas tips astuces consejos consigli tipps trucos checklist`))

// hostGlue are the function words of hyphenated names: "vecinos-de-san-blas"
// is a place and "maison-de-la-presse" a shop, not three keywords.
var hostGlue = toSet(strings.Fields(`de du des la le les et the of and der die das und von del los las y di della dei e da do das dos em van het en op`))

// seoPitch returns the index of a link whose host is three or more
// hyphenated content words, in a comment whose first sentence praises the
// article and that pitches a resource; -1 when there is none. A local
// association (a community match) shares its own site.
func seoPitch(n *Normalized, links []span, ms []scored) int {
	for _, m := range ms {
		if m.m.Label == "community" {
			return -1
		}
	}
	praised, article, resource := false, false, false
	for i := range n.Tokens {
		t := &n.Tokens[i]
		if t.InLink {
			continue
		}
		if t.Sentence == 0 {
			praised = praised || praiseWords[t.Text]
			article = article || praiseArticle[t.Text]
		}
		resource = resource || resourceWords[t.Text]
	}
	if !praised || !article || !resource {
		return -1
	}
	for k, l := range links {
		if civicHost(n.Folded[l.fstart:l.fend]) {
			continue
		}
		for _, label := range strings.Split(l.link.host, ".") {
			words := 0
			for _, w := range strings.Split(label, "-") {
				if w != "" && !hostGlue[w] {
					words++
				}
			}
			if words >= 3 {
				return k
			}
		}
	}
	return -1
}
