package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vigie-moderation/vigie/internal/message"
)

// template is one kind of comment in the generated mix: a language, and
// sentences whose {x} slots are filled from the fillers.
type template struct {
	lang  string
	share int // relative frequency
	text  []string
}

// mix approximates a news site's traffic: mostly ordinary comments in French
// and other European languages, some insults and some spam.
var mix = []template{
	{"fr", 30, []string{
		"Je ne suis pas d'accord avec l'article : {n} euros par habitant, c'est beaucoup trop pour un projet pareil.",
		"Merci pour ce papier, enfin quelqu'un qui explique clairement le dossier {t}.",
		"La mairie aurait dû consulter les riverains avant de lancer le chantier, comme d'habitude on nous met devant le fait accompli.",
		"Quelqu'un sait si la réunion publique du {n} est maintenue ? Je n'ai rien trouvé sur le site.",
		"Bof, encore un effet d'annonce. On verra dans {n} ans si les promesses sont tenues.",
	}},
	{"en", 15, []string{
		"Interesting read, but the article skips the maintenance costs of {t}, which is where budgets usually explode.",
		"I've lived here for {n} years and never seen the council move this fast. Something doesn't add up.",
		"Does anyone have a link to the original report? The figures quoted here look off by a factor of {n}.",
	}},
	{"de", 8, []string{
		"Ich finde den Artikel gut recherchiert, aber die Kosten von {n} Millionen werden kaum erklärt.",
		"Warum wurde die Bürgerversammlung zum Thema {t} eigentlich abgesagt? Das hätte man früher sagen müssen.",
	}},
	{"es", 7, []string{
		"No estoy de acuerdo con la decisión del ayuntamiento, {n} millones es demasiado para {t}.",
		"Gracias por el artículo, explica muy bien lo que está pasando con el proyecto.",
	}},
	{"it", 6, []string{
		"Articolo interessante, ma manca un'analisi seria dei costi: {n} milioni non sono pochi per {t}.",
		"Qualcuno sa se la riunione pubblica è confermata? Non trovo informazioni da nessuna parte.",
	}},
	{"pt", 5, []string{
		"Concordo em parte, mas o custo de {n} milhões para {t} precisa de ser explicado melhor.",
		"Obrigado pelo artigo, finalmente alguém explica o que se passa com este projeto.",
	}},
	{"nl", 4, []string{
		"Goed artikel, maar de kosten van {n} miljoen voor {t} worden nauwelijks uitgelegd.",
		"Weet iemand of de informatieavond nog doorgaat? Ik kan er niets over vinden.",
	}},
	{"fr", 10, []string{
		"T'es vraiment un abruti, retourne lire tes tracts au lieu de polluer les commentaires.",
		"Vous êtes tous des moutons, bande de c0nn4rds, réveillez-vous !",
		"Ferme-la espèce de crétin, personne ne t'a demandé ton avis sur {t}.",
	}},
	{"en", 5, []string{
		"You are a pathetic idiot, nobody cares about your opinion on {t}.",
		"Shut up, moron. People like you are the reason this city is a joke.",
	}},
	{"fr", 5, []string{
		"Gagnez {n}€ par jour depuis chez vous !!! Contactez-moi sur WhatsApp +33 6 {n} {n} {n} {n} ou https://bit.ly/gain{n}",
		"Investissez dans la crypto avec moi, rendement garanti de {n}% par mois, écrivez sur Telegram @invest_{n}",
	}},
	{"en", 5, []string{
		"Earn $$$ fast from home, no experience needed! DM me on Telegram @easy_cash_{n} or visit http://cash-{n}.xyz",
		"Best deals on watches and pills, click http://tinyurl.com/deal{n} now, limited offer!!!",
	}},
}

var topics = []string{"du tramway", "de la piscine", "du budget", "the bridge", "the school", "des pistes cyclables"}

// Generator produces a reproducible mix of comments.
type Generator struct {
	rng    *rand.Rand
	total  int
	tenant string
	seq    int
}

// NewGenerator returns a generator for tenant seeded with seed.
func NewGenerator(tenant string, seed uint64) *Generator {
	g := &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), tenant: tenant}
	for _, t := range mix {
		g.total += t.share
	}
	return g
}

// Next returns a new comment received at now.
func (g *Generator) Next(now time.Time) *message.Comment {
	pick := g.rng.IntN(g.total)
	var t template
	for _, t = range mix {
		if pick < t.share {
			break
		}
		pick -= t.share
	}
	text := t.text[g.rng.IntN(len(t.text))]
	for strings.Contains(text, "{n}") {
		text = strings.Replace(text, "{n}", fmt.Sprint(g.rng.IntN(90)+10), 1)
	}
	text = strings.ReplaceAll(text, "{t}", topics[g.rng.IntN(len(topics))])
	g.seq++
	return &message.Comment{
		V: message.Version, ID: fmt.Sprintf("bench-%d", g.seq), Tenant: g.tenant,
		ThreadID: fmt.Sprintf("thread-%d", g.rng.IntN(50)), ThreadLang: t.lang,
		Author:    message.Author{ID: fmt.Sprintf("author-%d", g.rng.IntN(5000))},
		Text:      text,
		CreatedAt: now, ReceivedAt: now,
	}
}
