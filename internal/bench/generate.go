package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vigie-moderation/vigie/internal/message"
)

// voice is how readers of one language write: sentence pieces a comment is
// assembled from, so that two generated comments are rarely near-identical
// — as in real traffic, where only spam campaigns repeat themselves.
type voice struct {
	lang                     string
	share                    int // relative frequency of the language
	openers, claims, closers []string
	attacks                  []string // second-person insults, for trolling
	// words are everyday words of the language; a few of them, drawn at
	// random, make each comment's wording its own.
	words string
}

var voices = []voice{
	{"fr", 40,
		[]string{"Je ne suis pas d'accord avec l'article.", "Merci pour ce papier clair.", "Franchement, je reste sceptique.", "Bon résumé, mais il manque un point.", "Encore une annonce sans calendrier.", "J'habite le quartier depuis {n} ans.", "Quelqu'un a lu le rapport complet ?", "C'est toujours la même histoire."},
		[]string{"Le budget de {n} millions pour {t} me paraît démesuré", "la consultation des riverains a été bâclée", "les chiffres de la mairie ne collent pas avec ceux de la préfecture", "on nous promet des travaux depuis {n} ans", "la ligne de bus actuelle est saturée aux heures de pointe", "le conseil municipal a voté sans débat", "l'opposition n'a rien proposé de mieux", "les commerçants du centre vont encore souffrir"},
		[]string{"On verra bien en {n}.", "Affaire à suivre.", "Dommage.", "Il faudrait un vrai débat public.", "Je demande à voir.", "Bref, rien de nouveau."},
		[]string{"T'es vraiment un abruti,", "Ferme-la, espèce de crétin,", "Vous êtes tous des moutons,", "Pauvre débile,", "Tu racontes n'importe quoi, connard,"},
		"quartier voisins école marché parking vélo trottoir budget impôts élus mairie conseil enquête rapport travaux retard chantier hiver été rentrée famille enfants transport gare ligne horaires sécurité bruit commerce emploi logement loyer santé hôpital"},
	{"en", 20,
		[]string{"Interesting read.", "I have to disagree here.", "Good summary, but something is missing.", "I've lived here for {n} years.", "Does anyone have the original report?", "Same story every election."},
		[]string{"the {n} million budget for {t} looks wildly optimistic", "nobody asked the residents before signing the contract", "the council skipped the maintenance costs entirely", "the figures quoted do not match last year's audit", "the old bus line is already overcrowded at rush hour", "the opposition has offered nothing better"},
		[]string{"We'll see in {n}.", "Time will tell.", "What a mess.", "I'd like to see the numbers.", "Nothing new, then."},
		[]string{"You are a pathetic idiot,", "Shut up, moron,", "You're all brainless sheep,", "What a clueless loser you are,"},
		"neighbourhood neighbours school market parking cycling pavement budget taxes councillors council inquiry report roadworks delays winter summer families children transport station timetable safety noise shops jobs housing rent health hospital"},
	{"de", 10,
		[]string{"Guter Artikel.", "Da bin ich anderer Meinung.", "Ich wohne seit {n} Jahren hier.", "Hat jemand den Bericht gelesen?"},
		[]string{"die Kosten von {n} Millionen für {t} werden kaum erklärt", "die Anwohner wurden wieder nicht gefragt", "der Stadtrat hat ohne Debatte abgestimmt", "die Zahlen passen nicht zum letzten Haushalt"},
		[]string{"Mal sehen.", "Schade eigentlich.", "Ich bin gespannt."},
		[]string{"Du bist ein Vollidiot,", "Halt die Klappe, du Trottel,"},
		"Nachbarn Schule Markt Parkplatz Fahrrad Haushalt Steuern Gemeinderat Bericht Baustelle Verspätung Winter Familien Kinder Bahnhof Fahrplan Sicherheit Lärm Geschäfte Wohnungen Miete Krankenhaus"},
	{"es", 10,
		[]string{"Buen artículo.", "No estoy de acuerdo.", "Vivo en el barrio desde hace {n} años.", "¿Alguien ha leído el informe?"},
		[]string{"el presupuesto de {n} millones para {t} es excesivo", "no se consultó a los vecinos", "el ayuntamiento votó sin debate", "las cifras no cuadran con las del año pasado"},
		[]string{"Ya veremos.", "Una pena.", "Habrá que esperar."},
		[]string{"Eres un imbécil,", "Cállate, idiota,"},
		"vecinos escuela mercado aparcamiento bicicleta presupuesto impuestos concejales informe obras retrasos invierno familias niños estación horarios seguridad ruido comercios empleo vivienda alquiler hospital"},
	{"it", 8,
		[]string{"Articolo interessante.", "Non sono d'accordo.", "Abito qui da {n} anni.", "Qualcuno ha letto il rapporto?"},
		[]string{"il costo di {n} milioni per {t} non è spiegato", "i residenti non sono stati consultati", "il consiglio ha votato senza discutere", "i numeri non tornano"},
		[]string{"Vedremo.", "Peccato.", "Staremo a vedere."},
		[]string{"Sei un idiota,", "Stai zitto, cretino,"},
		"vicini scuola mercato parcheggio bicicletta bilancio tasse consiglieri rapporto cantiere ritardi inverno famiglie bambini stazione orari sicurezza rumore negozi lavoro affitto ospedale"},
	{"pt", 7,
		[]string{"Bom artigo.", "Não concordo.", "Moro aqui há {n} anos.", "Alguém leu o relatório?"},
		[]string{"o custo de {n} milhões para {t} não é explicado", "os moradores não foram ouvidos", "a câmara votou sem debate", "os números não batem certo"},
		[]string{"Veremos.", "Que pena.", "Vamos ver."},
		[]string{"És um idiota,", "Cala-te, imbecil,"},
		"vizinhos escola mercado estacionamento bicicleta orçamento impostos vereadores relatório obras atrasos inverno famílias crianças estação horários segurança ruído comércio emprego habitação renda hospital"},
	{"nl", 5,
		[]string{"Goed artikel.", "Ik ben het er niet mee eens.", "Ik woon hier al {n} jaar.", "Heeft iemand het rapport gelezen?"},
		[]string{"de kosten van {n} miljoen voor {t} worden niet uitgelegd", "de bewoners zijn niet gehoord", "de gemeenteraad stemde zonder debat", "de cijfers kloppen niet"},
		[]string{"We zullen zien.", "Jammer.", "Afwachten maar."},
		[]string{"Je bent een idioot,", "Hou je mond, sukkel,"},
		"buren school markt parkeerplaats fiets begroting belastingen gemeenteraad rapport bouwplaats vertraging winter gezinnen kinderen station dienstregeling veiligheid lawaai winkels werk woningen huur ziekenhuis"},
}

// campaigns are spam scripts: posted many times with small changes, which
// is what the duplicate signal exists for.
var campaigns = []struct{ lang, text string }{
	{"fr", "Gagnez {n}€ par jour depuis chez vous !!! Contactez-moi sur WhatsApp +33 6 {n} {n} {n} {n} ou https://bit.ly/gain{n}"},
	{"fr", "Investissez dans la crypto avec moi, rendement garanti de {n}% par mois, écrivez sur Telegram @invest_{n}"},
	{"en", "Earn $$$ fast from home, no experience needed! DM me on Telegram @easy_cash_{n} or visit http://cash-{n}.xyz"},
	{"en", "Best deals on watches and pills, click http://tinyurl.com/deal{n} now, limited offer!!!"},
}

var subjects = []string{"le tramway", "la piscine", "le nouveau pont", "the bridge", "the school", "les pistes cyclables", "das Stadion", "el tranvía", "il parcheggio", "o hospital", "de brug"}

// Generator produces a reproducible mix of comments: about 88% ordinary,
// 8% trolling and 4% campaign spam.
type Generator struct {
	rng    *rand.Rand
	total  int
	tenant string
	seq    int
}

// NewGenerator returns a generator for tenant seeded with seed.
func NewGenerator(tenant string, seed uint64) *Generator {
	g := &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), tenant: tenant}
	for _, v := range voices {
		g.total += v.share
	}
	return g
}

func (g *Generator) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// words draws n of v's everyday words.
func (g *Generator) words(v voice, n int) string {
	all := strings.Fields(v.words)
	out := make([]string, n)
	for i := range out {
		out[i] = all[g.rng.IntN(len(all))]
	}
	return strings.Join(out, ", ")
}

func (g *Generator) fill(text string) string {
	for strings.Contains(text, "{n}") {
		text = strings.Replace(text, "{n}", fmt.Sprint(g.rng.IntN(90)+10), 1)
	}
	return strings.ReplaceAll(text, "{t}", g.pick(subjects))
}

// Next returns a new comment received at now.
func (g *Generator) Next(now time.Time) *message.Comment {
	var lang, text string
	switch r := g.rng.IntN(100); {
	case r < 4:
		c := campaigns[g.rng.IntN(len(campaigns))]
		lang, text = c.lang, c.text
	default:
		pick := g.rng.IntN(g.total)
		var v voice
		for _, v = range voices {
			if pick < v.share {
				break
			}
			pick -= v.share
		}
		lang = v.lang
		claim := g.pick(v.claims)
		if r < 12 {
			text = g.pick(v.attacks) + " " + claim + ". " + g.pick(v.closers)
		} else {
			// Two claims in random order and an optional closer make
			// hundreds of distinct comments per language.
			other := g.pick(v.claims)
			text = g.pick(v.openers) + " " + strings.ToUpper(claim[:1]) + claim[1:] + ", et " + other + "."
			if lang != "fr" {
				text = g.pick(v.openers) + " " + strings.ToUpper(claim[:1]) + claim[1:] + "; " + other + "."
			}
			text += " (" + g.words(v, 4) + ")"
			if g.rng.IntN(2) == 0 {
				text += " " + g.pick(v.closers)
			}
		}
	}
	g.seq++
	return &message.Comment{
		V: message.Version, ID: fmt.Sprintf("bench-%d", g.seq), Tenant: g.tenant,
		ThreadID: fmt.Sprintf("thread-%d", g.rng.IntN(50)), ThreadLang: lang,
		Author:    message.Author{ID: fmt.Sprintf("author-%d", g.rng.IntN(20000))},
		Text:      g.fill(text),
		CreatedAt: now, ReceivedAt: now,
	}
}
