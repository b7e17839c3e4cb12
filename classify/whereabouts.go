package classify

import (
	"strings"

	"github.com/vigie-moderation/vigie/internal/message"
)

// Whereabouts: a writer telling someone they know where that person works
// or lives ("je sais que tu bosses à la médiathèque", "ya sé en qué
// farmacia trabajas", "ik weet waar jij werkt") and promising to come by
// ("je passerai te dire bonjour", "cuando pase a saludarte", "je hoort nog
// van me") intimidates them; either alone is ordinary talk ("I know you
// work hard", "I'll pop in tomorrow"). Round 6 writers each phrased the
// two halves differently, so they are read as structures, not phrases: a
// first-person knowledge verb, then within a few words a work or home verb
// whose place is named (a where-word before it or a place preposition
// after it), and elsewhere in the comment a visit cue. About a third
// person ("sabemos dónde aparca") it takes an ambush or a beating instead
// of a visit: "come and say hi" to a person named by their shop is what
// the shop's own staff say.

// whereaboutsLang holds one language's cues, folded.
type whereaboutsLang struct {
	// know are first-person knowledge or discovery verbs: "sais",
	// "know", "weiss", "sabemos", "so", "sei", "weet".
	know map[string]bool
	// placeYou are work and home verbs in the second person ("bosses",
	// "arbeitest", "trabajas"); placeAny those whose person needs a
	// second-person word before them ("you work", "jij werkt") or else
	// speak of a third person ("he works", "aparca").
	placeYou, placeAny map[string]bool
	// where introduce the place before the verb ("où", "which", "in che");
	// at name it after ("à", "at", "bei", "naquela").
	where, at map[string]bool
	// atThe are place prepositions holding an article: "au", "im", "alla".
	atThe map[string]bool
	// visit are the writer coming to the person or making them hear of
	// it; harm an ambush or a beating.
	visit, harm [][]string
	// menace are veiled warnings that leave the harm unsaid ("il ferait
	// mieux de", "a modo suo", "eens kijken hoe stoer hij is"): after "we
	// know where he lives" they threaten as a beating does, while a "see
	// you there" would be small talk about a third person. A bare "be
	// careful" is left to the threat.cooc lexicons: it is also advice.
	menace [][]string
	// find are verbs of finding someone: "on sait où le trouver", "weten
	// we hem wel te vinden". Knowing how to find a person needs no place
	// named, but counts only beside a beating or a warning.
	find map[string]bool
	// named identify a third person by their account or by having found
	// them ("son insta", "found her"; a bare "il s'appelle" introduces a
	// shop assistant as well) and call send the readers after them ("faites-vous
	// plaisir", "go say hi", "ihr wisst, was zu tun ist").
	named, call [][]string
	// when ask when the person leaves work ("a qué hora sales", "wann Sie
	// Feierabend machen"): said right after knowing where they work it
	// is the ambush's hour, as much a harm cue as a beating.
	when [][]string
	// wait are a group or a writer lying in wait for the reader ("ti
	// aspettiamo", "we'll be waiting for you"); beside a warning they are
	// an ambush even with no knowledge verb.
	wait [][]string
	// foundYou are the writer having found the reader's profile or
	// address ("ik heb je profiel gevonden", "found your insta"); beside
	// a warning it is knowing where they live.
	foundYou [][]string
}

// thanks mark a friendly comment: "so che lavori in ospedale, grazie di
// tutto, ci vediamo alla festa" promises a visit without menace (folded).
var thanks = wordSet(`merci thanks thank thx danke gracias grazie obrigado obrigada bedankt dank`)

// thanked reports a word of thanks outside quotes.
func thanked(toks []Token) bool {
	for i := range toks {
		if !toks[i].Quoted && thanks[toks[i].Text] {
			return true
		}
	}
	return false
}

// whereaboutsMaxGap bounds how far after the knowledge verb the work or
// home verb may stand: "so pure in che farmacia lavori".
const whereaboutsMaxGap = 6

// whereaboutsNeg are the negations of the knowledge verb besides the
// shared ones: "I don't know where you work" (folded tokens).
var whereaboutsNeg = toSet(strings.Fields(`don dont didnt idk ne nem`))

// thatWords are where-words that are also the conjunction "that".
var thatWords = wordSet(`que che`)

// seBefore may stand before Spanish "sé" (I know): "ya sé", "yo sé".
var seBefore = wordSet(`ya yo bien tambien pues`)

// wordSet folds a space-separated list into a set.
func wordSet(s string) map[string]bool { return toSet(strings.Fields(s)) }

// phraseList splits a "|"-separated list of phrases into words.
func phraseList(s string) [][]string {
	var out [][]string
	for _, p := range strings.Split(s, "|") {
		if f := strings.Fields(p); len(f) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// whereaboutsCues are the tables of the seven languages.
var whereaboutsCues = map[string]*whereaboutsLang{
	"fr": {
		find:     wordSet(`trouver retrouver`),
		know:     wordSet(`trouver sais sait savons connais connait trouve retrouve`),
		placeYou: wordSet(`travailles bosses habites vis loges creches bossez travaillez habitez vivez logez gares garez`),
		placeAny: wordSet(`travaille bosse habite vit loge gare`),
		where:    wordSet(`ou quel quelle quels dans`),
		at:       wordSet(`a au aux dans chez pour en`),
		atThe:    wordSet(`au aux chez`),
		visit: phraseList(`passerai|passera|passerons|passe te voir|passer te voir|passer vous voir|te dire bonjour|vous dire bonjour|
			te rendre visite|vous rendre visite|petite visite|de la visite|viendrai|viendrons|venir te voir|venir vous voir|en vrai|
			face a face|en face|on se verra|on se croisera|je t attendrai|on t attendra|je vous attendrai|
			de mes nouvelles|de nos nouvelles|ton patron|ta patronne|ton employeur|votre employeur|votre patron|on se retrouvera|on se retrouve|un de ces jours|un de ces quatre|devant chez toi|devant ta porte|en bas de chez toi`),
		harm: phraseList(`la monnaie de sa piece|attendre a la sortie|l attendre|l attendre a la sortie|lui casser|casser la gueule|casser les dents|
			une raclee|une correction|lui regler son compte|tabasser|lui faire la peau`),
		menace:   phraseList(`ne s etonne pas si|ne s etonnera pas|qu il ne s etonne pas|ne vous etonnez pas si|ne t etonne pas si|de la visite|avoir de la visite|ferait mieux de|ferais mieux de|feriez mieux de|a sa maniere|a notre maniere|a notre facon|gare a lui|gare a toi|gare a vous|ca va mal finir|il va comprendre|tu vas comprendre|vous allez comprendre|on verra s il fait|continuez comme ca|continue comme ca|serait dommage que|serait dommage s|serait dommage qu|ce serait bete que|tant qu il peut|tant qu elle peut|tant qu il le peut|tant que tu peux|reflechir a deux fois`),
		named:    phraseList(`son insta|son compte|son profil|je l ai trouve|je l ai retrouve|je l ai trouvee|retrouve sa trace`),
		call:     phraseList(`faites vous plaisir|faites-vous plaisir|lachez vous|allez lui dire|vous savez quoi faire|vous savez ce qu il vous reste|a vous de jouer|pour ceux qui veulent lui dire|passez lui dire|passez le voir|passez la voir`),
		when:     phraseList(`a quelle heure tu sors|a quelle heure tu pars|quand tu sors|a quelle heure tu finis|a quelle heure vous sortez|quand vous sortez|a quelle heure il sort|a quelle heure elle sort|a quelle heure il part|a quelle heure elle part|quand il|quand elle|que tu es seul|que tu es seule|que tu fermes seul|que tu fermes seule`),
		wait:     phraseList(`on t attendra|on vous attendra|on t attend|on vous attend|je t attendrai|je vous attendrai|on sera nombreux`),
		foundYou: phraseList(`trouve ton profil|trouve ton insta|trouve ton compte|trouve ton adresse|retrouve ton profil|retrouve ton adresse|trouve votre adresse`),
	},
	"en": {
		find:     wordSet(`find`),
		know:     wordSet(`find know knows found figured`),
		placeAny: wordSet(`work works live lives stay stays park parks shop shops`),
		where:    wordSet(`where which`),
		at:       wordSet(`at in on for near`),
		atThe:    wordSet(``),
		visit: phraseList(`pop in|pop by|pop round|pop over|drop by|drop in|come by|stop by|swing by|come round|
			come see you|come and see you|pay you a visit|a little visit|say hi|say hello|face to face|in person|
			see you soon|see you there|wait for you|waiting for you|hear from me|hear from us|your boss|your employer|your manager|we ll meet|well meet|one of these days|we ll run into each other|outside your house|outside your door|at your door|on your doorstep`),
		harm: phraseList(`a visit at home|visit at his home|visit at her home|wait for him|wait for her|waiting for him|waiting for her|beat him|beat her|a beating|kick his|kick her|
			smash his|smash her|knock his|knock her|sort him out|sort her out|teach him a lesson|teach her a lesson|kneecap`),
		menace:   phraseList(`how he feels then|how she feels then|how they feel then|don t be surprised if|dont be surprised if|better watch|watch his back|watch her back|watch your back|get a visit|getting a visit|see how tough|see how brave|how tough he|how brave he|in our own way|our own way|wont be a chat|won t be a chat|not to chat|keep it up and|he ll learn|you ll learn|it ll end badly|be a shame if|be a pity if|be a real shame if|be such a shame if|while he can|while she can|while you can|while he still can|while she still can|think twice`),
		named:    phraseList(`found him|found her|his insta|her insta|his profile|her profile|his account|her account`),
		call:     phraseList(`go say hi|say hi to|you know what to do|do your thing|knock yourselves out|for anyone who wants to tell|let him know|let her know|go tell him|go tell her|pay him a visit|pay her a visit`),
		when:     phraseList(`when you leave|what time you leave|when you finish|what time you finish|when you get off|what time you get off|when he leaves|when she leaves|what time he leaves|what time she leaves|when he|when she|that you re alone|you re alone|that you close alone|you close alone`),
		wait:     phraseList(`waiting for you|wait for you|be waiting|we ll be there|well be there|there will be a few of us`),
		foundYou: phraseList(`found your profile|found your insta|found your account|found your address|found your house|found your facebook`),
	},
	"de": {
		find:     wordSet(`finden`),
		know:     wordSet(`rausfinden herausfinden weiss wissen kenne kennen gefunden rausgefunden herausgefunden`),
		placeYou: wordSet(`arbeitest wohnst parkst jobbst schaffst`),
		placeAny: wordSet(`arbeitet wohnt parkt arbeiten wohnen`),
		where:    wordSet(`wo welche welchem welcher welches`),
		at:       wordSet(`bei in im am an auf`),
		atThe:    wordSet(`im am beim`),
		visit: phraseList(`vorbei|vorbeikomme|vorbeikommen|vorbeischaue|vorbeischauen|komme vorbei|kommen vorbei|schaue vorbei|
			besuche dich|besuchen dich|besuch abstatten|einen besuch|hallo sagen|personlich|von angesicht|
			auge in auge|warte auf dich|warten auf dich|von mir horen|von uns horen|deinem chef|deinen chef|deinem arbeitgeber|wir sehen uns|treffen uns|eines tages|dieser tage|vor deiner tur|vor deinem haus|vor deiner haustur`),
		harm: phraseList(`abpassen|auflauern|aufmischen|verprugeln|verdreschen|eine abreibung|die fresse polieren|
			auf die fresse|eins auf die fresse|aufs maul|eine tracht prugel`),
		menace:   phraseList(`uber die schulter schauen|uber die schulter gucken|uber die schulter blicken|nicht wundern wenn|bekommt besuch|bald besuch|bekommst besuch|besuch bekommen|kriegt besuch|kriegst besuch|sollte aufpassen|besser aufpassen|wird schon sehen|wirst schon sehen|mal sehen wie mutig|schluss mit lustig|auf unsere art|mach nur so weiter|macht nur so weiter|ware schade wenn|ware doch schade wenn|ware echt schade wenn|schade wenn|solange er noch kann|solange sie noch kann|solange du noch kannst|gut uberlegen|sich gut uberlegen`),
		named:    phraseList(`sein insta|ihr insta|sein profil|ihr profil|hab ihn gefunden|hab sie gefunden`),
		call:     phraseList(`viel spass|ihr wisst was zu tun ist|ihr wisst schon|sagt ihm mal|sagt ihr mal|besucht ihn|besucht sie|schaut mal vorbei|fur alle die ihm sagen`),
		when:     phraseList(`wann sie feierabend|wann du feierabend|wann er feierabend|wann sie rauskommen|wann du rauskommst|wann sie nach hause|wann du nach hause|wann er nach hause|wann er|dass du allein|dass du meistens allein|dass du immer allein|dass du abends allein|dass er allein|dass sie allein`),
		wait:     phraseList(`warten auf dich|warten auf sie|warte auf dich|erwarten dich|erwarten sie|wir sind viele`),
		foundYou: phraseList(`dein profil gefunden|ihr profil gefunden|deine adresse gefunden|ihre adresse gefunden|dein insta gefunden|deine adresse rausgefunden`),
	},
	"es": {
		find:     wordSet(`encontrarlo encontrarla encontrarle`),
		know:     wordSet(`averiguar se sabemos sabe conozco conocemos encontre averigue`),
		placeYou: wordSet(`trabajas vives curras aparcas estudias`),
		placeAny: wordSet(`trabaja vive curra aparca estudia`),
		where:    wordSet(`donde que cual`),
		at:       wordSet(`en a al`),
		atThe:    wordSet(`al`),
		visit: phraseList(`pase a saludarte|pasare|pasaremos|saludarte|visitarte|hacerte una visita|una visita|una visitita|
			en persona|cara a cara|te espero|te esperare|esperarte|nos vemos|nos veremos|sabras de mi|tendras noticias|tu jefe|tu jefa|nos encontraremos|nos encontramos|uno de estos dias|un dia de estos|en tu portal|en tu puerta|debajo de tu casa|delante de tu casa`),
		harm: phraseList(`esperarle|esperarla|esperarlo|una paliza|darle una|partirle|romperle|hostias|una leccion|
			reventarle|molerle a palos|a palos`),
		menace:   phraseList(`ya veras lo que pasa|ya veras lo que te pasa|veras lo que te pasa|luego no te quejes|que no se queje|ten cuidadito|cuidadito|les pasan cosas|te pase algo|le pase algo|te pasa algo|le pasa algo|se vaya preparando|vete preparando|a nuestra manera|sigue asi y|siga asi y|no va a ser para charlar|seria una pena que|seria una lastima que|una pena que le|mientras pueda|mientras puedas|mientras todavia pueda|pensarselo dos veces`),
		named:    phraseList(`su insta|su perfil|su cuenta|lo encontre|la encontre`),
		call:     phraseList(`que os divirtais|a disfrutar|disfrutad|ya sabeis que hacer|ya sabeis lo que hay que hacer|id a decirle|pasad a saludarle|pasad a saludarla|para quien quiera decirle|todo vuestro|toda vuestra`),
		when:     phraseList(`a que hora sales|a que hora sale|a que hora sal|a que hora terminas|a que hora termina|cuando sales|a que hora sales del trabajo|cuando sale|cuando sales|que estas sola|que estas solo|que cierras sola|que cierras solo`),
		wait:     phraseList(`te esperamos|te estaremos esperando|te esperaremos|os esperamos|seremos muchos`),
		foundYou: phraseList(`encontrado tu perfil|encontre tu perfil|encontre tu direccion|encontrado tu direccion|encontre tu insta|encontrado tu insta`),
	},
	"it": {
		find:     wordSet(`trovarlo trovarla`),
		know:     wordSet(`scoprire so sappiamo conosco trovato trovata scoperto`),
		placeYou: wordSet(`lavori abiti vivi parcheggi`),
		placeAny: wordSet(`lavora abita vive parcheggia`),
		where:    wordSet(`dove che quale qual`),
		at:       wordSet(`a al alla in da presso`),
		atThe:    wordSet(`al alla allo nella nel presso`),
		visit: phraseList(`passo a trovarti|passero|trovarti|a trovarti|salutarti|visitina|una visita|di persona|faccia a faccia|
			ti aspetto|ti aspettiamo|aspettarti|ci vediamo|ci vedremo|mi sentirai|avrai mie notizie|tuo capo|tuo datore|ci incontreremo|ci incontriamo|uno di questi giorni|prima o poi ci|ti aspetta|sotto casa|sotto casa tua|davanti a casa tua|alla tua porta`),
		harm: phraseList(`aspettarlo|aspettarla|gli apre|le apre|gli spacca|le spacca|spaccargli|spaccarle|pestarlo|pestarla|una lezione|
			menarlo|menarla|gonfiarlo|gonfiarla|guardarsi le spalle|guardati le spalle`),
		menace:   phraseList(`non per farti i complimenti|non per fargli i complimenti|poi non lamentarti|non stupirti se|farebbe meglio|faresti meglio|fareste meglio|a modo suo|a modo nostro|non farsi vedere|non farti vedere|continua cosi e|continui cosi e|finira male|sarebbe un peccato se|sarebbe un peccato che|peccato se gli|peccato se le|finche puo|finche puoi|finche ancora puo|pensarci due volte`),
		named:    phraseList(`il suo insta|il suo profilo|il suo account|l ho trovato|l ho trovata`),
		call:     phraseList(`divertitevi|sapete cosa fare|sapete voi|andate a dirgli|andate a dirle|passate a salutarlo|passate a salutarla|per chi vuole dirgli|per chi vuole dirle|tutto vostro|tutta vostra`),
		when:     phraseList(`a che ora esci|a che ora esce|quando esci|a che ora finisci|a che ora stacchi|quando stacchi|a che ora uscite|quando esce|che sei sola|che sei solo|che chiudi da sola|che chiudi da solo`),
		wait:     phraseList(`ti aspettiamo|vi aspettiamo|ti aspetteremo|ti aspettero|saremo in tanti`),
		foundYou: phraseList(`trovato il tuo profilo|trovato il tuo indirizzo|trovato il tuo insta|trovata la tua casa`),
	},
	"pt": {
		find:     wordSet(`encontra acha`),
		know:     wordSet(`descobrir sei sabemos sabe conheco descobri achei`),
		placeYou: wordSet(`trabalhas moras estacionas estudas`),
		placeAny: wordSet(`trabalha mora vive estaciona estuda`),
		where:    wordSet(`onde que qual`),
		at:       wordSet(`em na no naquela naquele nessa nesse`),
		atThe:    wordSet(`na no naquela naquele nessa nesse`),
		visit: phraseList(`visitinha|uma visita|te visitar|fazer uma visita|passo la|vou la|vou passar|pessoalmente|cara a cara|
			te espero|te esperar|esperando voce|nos vemos|vai ouvir falar|tua chefe|teu chefe|seu chefe|teu patrao|seu patrao|encontramo nos|encontramos nos|nos encontramos|um dia destes|um dia desses|a gente se encontra|a gente se ve|na tua porta|na sua porta|na porta da tua casa|em frente a tua casa|em frente da sua casa`),
		harm:     phraseList(`esperar ele|esperar ela|uma surra|dar uma surra|quebrar|porrada|uma licao|arrebentar|encher de porrada`),
		menace:   phraseList(`depois nao te queixes|nao se admire se|nao te admires se|vai ver o que e bom|vai ver so|nao vai ser conversa|que se prepare|vai se arrepender|a nossa maneira|do nosso jeito|continua assim e|continue assim e|vai acabar mal|seria uma pena se|seria pena se|era uma pena se|uma pena se|enquanto pode|enquanto puder|enquanto ainda pode|pensar duas vezes`),
		named:    phraseList(`o insta dele|o insta dela|o perfil dele|o perfil dela|achei ele|achei ela`),
		call:     phraseList(`divirtam se|divirtam-se|voces sabem o que fazer|vcs sabem o que fazer|vao la dizer|passem la|para quem quiser dizer|e todo vosso|e toda vossa`),
		when:     phraseList(`a que horas sais|a que horas sai|quando sais|que horas voce sai|a que horas acabas|quando sai do trabalho|quando sai|que voce fica sozinha|que voce fica sozinho|que fechas sozinha|que fecha sozinha`),
		wait:     phraseList(`vamos te esperar|estaremos a tua espera|estaremos te esperando|te esperamos|vamos estar a tua espera|seremos muitos`),
		foundYou: phraseList(`encontrei o teu perfil|achei o teu perfil|achei seu perfil|encontrei seu perfil|achei a tua morada|encontrei o teu endereco|achei seu endereco`),
	},
	"nl": {
		find:     wordSet(`vinden`),
		know:     wordSet(`uitzoeken achterhalen weet weten ken kennen gevonden ontdekt`),
		placeAny: wordSet(`werkt woont werk woon parkeert`),
		where:    wordSet(`waar welke welk`),
		at:       wordSet(`bij in op aan`),
		atThe:    wordSet(``),
		visit: phraseList(`langs|langskomen|kom langs|komen langs|bezoekje|op bezoek|persoonlijk|oog in oog|
			hoort nog van me|hoort nog van mij|hoort nog van ons|hoor je nog|zien elkaar|wacht op je|je baas|jouw baas|je werkgever|komen elkaar|we zien elkaar|een dezer dagen|binnenkort eens|voor je deur|voor jouw deur|bij je voordeur|voor je huis`),
		harm: phraseList(`opwachten|opw8en|in elkaar slaan|in elkaar timmeren|een paar klappen|knokels|een pak slaag|op z n bek|op zn bek|
			op z n bakkes|op zn bakkes|een lesje`),
		menace:   phraseList(`niet raar opkijken als|niet gek opkijken als|over je schouder kijken|over zijn schouder kijken|goed opletten|moet maar opletten|moet opletten|eens kijken hoe stoer|hoe stoer hij|hoe stoer ze|hoe stoer je|zal het wel merken|ga je merken|gaat het merken|gaan het merken|op onze manier|ga zo door en|loopt slecht af|zou zonde zijn als|zou toch zonde zijn als|zou jammer zijn als|zou toch jammer zijn als|zonde als|zolang het nog kan|zolang hij nog kan|zolang ze nog kan|goed nadenken`),
		named:    phraseList(`zijn insta|haar insta|zijn profiel|haar profiel`),
		call:     phraseList(`veel plezier|jullie weten wat te doen|jullie weten wat je moet doen|ga hem maar vertellen|ga haar maar vertellen|zeg hem maar gedag|zeg haar maar gedag|ga maar langs|voor wie hem wil vertellen`),
		when:     phraseList(`hoe laat je|hoe laat jij|hoe laat u|wanneer je vrij bent|wanneer je naar huis|hoe laat hij|hoe laat ze klaar|wanneer hij|wanneer ze|dat je alleen|dat je altijd alleen|dat je meestal alleen|dat hij alleen`),
		wait:     phraseList(`we wachten op je|wij wachten op je|wachten we op je|we staan op je te wachten|we zijn met velen|we komen met zn allen`),
		foundYou: phraseList(`je profiel gevonden|jouw profiel gevonden|je adres gevonden|jouw adres gevonden|je insta gevonden|je huis gevonden|uw adres gevonden`),
	},
}

// whereaboutsClause finds a knowledge verb and the work or home verb it
// reaches, with the place named. It returns the clause's token span and
// whether it is about the person spoken to.
func whereaboutsClause(lr *langRules, c *whereaboutsLang, toks []Token) (int, int, bool, bool) {
	for i := range toks {
		t := &toks[i]
		if t.Kind != TokenWord || t.Quoted || !c.know[t.Text] || negatedNear(toks, i) {
			continue
		}
		// Spanish "sé" folds to "se", also the reflexive: "donde se vive
		// bien" is not "ya sé dónde vives".
		if t.Text == "se" && i > 0 && toks[i-1].Sentence == t.Sentence && !seBefore[toks[i-1].Text] {
			continue
		}
		where, you := false, false
		for j := i + 1; j < len(toks) && j <= i+whereaboutsMaxGap && toks[j].Sentence == t.Sentence; j++ {
			w := toks[j].Text
			// "que", "che" are also "that" ("sé que vives en Madrid"):
			// they ask for a place only after a preposition, "en qué
			// farmacia", "in che farmacia".
			if c.where[w] && (!thatWords[w] || c.at[toks[j-1].Text]) {
				where = true
			}
			if lr.secondPerson[w] {
				you = true
			}
			if c.find[w] && foundWhom(toks, j) {
				return i, j, false, true
			}
			// "wo Ihre Redaktion ist", "where his office is": a person's
			// workplace or home named after a where-word needs no verb.
			// It is no second person for a visit: "I know where your
			// house is, I'll come by" is a friend.
			if where && homeNouns[w] && personPossessive(lr, toks[j-1].Text) {
				return i, j, false, true
			}
			// "welcher Laden deiner ist", "quelle porte est la sienne":
			// the owner named after the noun; the clause ends with him.
			if k, ok := ownedAfter(toks, j); where && homeNouns[w] && ok {
				return i, k, false, true
			}
			if !c.placeYou[w] && !c.placeAny[w] {
				continue
			}
			// Without a where-word the place must be a venue, "à la
			// médiathèque", "at the Tesco": "tu habites à Lyon, on se
			// verra au salon" is small talk about a city.
			if k, at := placeAfter(c, toks, j); !where && !(at && venue(lr, c, toks, k)) {
				break
			}
			return i, j, you || c.placeYou[w], true
		}
	}
	return 0, 0, false, false
}

// placedPerson finds a work or home verb with its place named after it:
// "il habite à Roubaix", "works at the dental clinic". It returns the
// verb and the place preposition.
func placedPerson(c *whereaboutsLang, toks []Token) (int, int, bool) {
	for j := range toks {
		t := &toks[j]
		if t.Kind != TokenWord || t.Quoted || !(c.placeAny[t.Text] || c.placeYou[t.Text]) {
			continue
		}
		if k, ok := placeAfter(c, toks, j); ok {
			return j, k, true
		}
	}
	return 0, 0, false
}

// negatedNear reports a negation around a knowledge verb: "je ne sais pas
// où", "I don't know where", "ich weiß nicht, wo".
func negatedNear(toks []Token, i int) bool {
	for k := max(0, i-2); k < len(toks) && k <= i+2; k++ {
		if toks[k].Sentence == toks[i].Sentence && (negations[toks[k].Text] || whereaboutsNeg[toks[k].Text]) {
			return true
		}
	}
	return false
}

// placeAfter reports a place preposition shortly after a work or home
// verb, "tu bosses à la médiathèque", "you work nights at the Tesco", and
// returns its index.
func placeAfter(c *whereaboutsLang, toks []Token, j int) (int, bool) {
	for k := j + 1; k < len(toks) && k <= j+3 && toks[k].Sentence == toks[j].Sentence; k++ {
		if c.at[toks[k].Text] {
			return k, true
		}
	}
	return 0, false
}

// venue reports a place preposition that names a venue, not a town: one
// holding an article ("au", "im", "alla", "naquela") or followed by a
// determiner ("à la", "at the", "bei der").
func venue(lr *langRules, c *whereaboutsLang, toks []Token, k int) bool {
	return c.atThe[toks[k].Text] || (k+1 < len(toks) && lr.determiners[toks[k+1].Text])
}

// hasPhrase reports one of the phrases anywhere outside quotes.
func hasPhrase(toks []Token, ps [][]string) bool { return phraseWithin(toks, ps, 0, len(toks)-1) }

// careOf are the words after a warning that name what to beware of
// ("fais attention au verglas", "watch out for the roadworks", "ten
// cuidado con la carretera"): advice, not menace (folded).
var careOf = wordSet(`au aux avec for with on of auf mit bei vor con al alla alle ai agli com ao na no de het met voor`)

// ifWords end a warning that goes on with a condition ("zou zonde zijn
// als de ...", "sería una pena que la ..."): the article after them opens
// the mishap, not what to beware of.
var ifWords = wordSet(`if als wenn se si que qu s che`)

// warned reports one of the language's menace phrases outside quotes
// that is not followed by what to beware of.
func warned(toks []Token, c *whereaboutsLang) bool {
	for i := range toks {
		if toks[i].Quoted {
			continue
		}
		for _, p := range c.menace {
			e := i + len(p)
			if e <= len(toks) && tokensAre(toks[i:], p) &&
				(e == len(toks) || toks[e].Sentence != toks[i].Sentence || !careOf[toks[e].Text] || ifWords[p[len(p)-1]]) {
				return true
			}
		}
	}
	return false
}

// whereabouts adds troll.whereabouts (the doxxing weight) when a comment
// tells someone it knows where they work or live and promises a visit, or
// says where a third person is to be found beside an ambush or a beating.
func (rs *RuleSet) whereabouts(n *Normalized, codes []string, ms []scored) []scored {
	w := rs.sig.Doxxing.Weight
	if w <= 0 {
		return ms
	}
	seen := map[string]bool{}
	for _, code := range codes {
		c := whereaboutsCues[code]
		if c == nil || seen[code] {
			continue
		}
		seen[code] = true
		s, e, you, ok := whereaboutsClause(rs.rules(code), c, n.Tokens)
		if !ok {
			// "Il s'appelle Kevin M., il habite à Roubaix ... Faites-vous
			// plaisir": a person named, placed and handed to the readers.
			if s, e, ok = placedPerson(c, n.Tokens); ok && hasPhrase(n.Tokens, c.named) && hasPhrase(n.Tokens, c.call) {
				return append(ms, scored{cat: CategoryTroll, m: message.Match{
					Rule: "troll.whereabouts", Label: "threat", Weight: w,
					Start: n.Tokens[s].Start, End: n.Tokens[e].End, Normalized: "person placed and readers sent",
				}})
			}
			if s, e, why := toldOrArmed(rs.rules(code), c, n.Tokens, laughed(n)); why != "" {
				return append(ms, scored{cat: CategoryTroll, m: message.Match{
					Rule: "troll.whereabouts", Label: "threat", Weight: w,
					Start: n.Tokens[s].Start, End: n.Tokens[e].End, Normalized: why,
				}})
			}
			continue
		}
		why := ""
		switch {
		case hourJoined(n.Tokens, c.when, e) && !ownKin(n.Tokens, s, e):
			why = "whereabouts and the hour they leave"
		case hasPhrase(n.Tokens, c.harm) || (armed(n) && !asked(n, s)):
			// A knife beside "I know where he lives" says the harm in
			// any language; laughter makes it a joke.
			why = "whereabouts and harm"
		case warned(n.Tokens, c):
			why = "whereabouts and a warning"
		case you && hasPhrase(n.Tokens, c.visit) && !thanked(n.Tokens):
			why = "whereabouts and a visit"
		default:
			continue
		}
		return append(ms, scored{cat: CategoryTroll, m: message.Match{
			Rule: "troll.whereabouts", Label: "threat", Weight: w,
			Start: n.Tokens[s].Start, End: n.Tokens[e].End, Normalized: why,
		}})
	}
	return ms
}

// findObjects are the third-person objects a find verb needs ("le
// trouver", "find him", "hem te vinden"); Spanish and Italian verbs carry
// theirs ("encontrarlo", "trovarla"), Portuguese after a hyphen
// ("encontrá-lo"). "Where to find the best pizza" finds no one.
var findObjects = wordSet(`le la l lui him her them ihn sie hem haar ze hen lo`)

// foundWhom reports a find verb at j with a person as its object, or one
// carried by the verb itself.
func foundWhom(toks []Token, j int) bool {
	if w := toks[j].Text; strings.HasSuffix(w, "rlo") || strings.HasSuffix(w, "rla") || strings.HasSuffix(w, "rle") {
		return true
	}
	// "hem wel te vinden": the object may stand three words before.
	for k := max(0, j-3); k <= j+1 && k < len(toks); k++ {
		if k == j || toks[k].Sentence != toks[j].Sentence || !findObjects[toks[k].Text] {
			continue
		}
		// Before the verb any object pronoun; after it only those that
		// are no article: "find him", "encontrá-lo", not "trouver la".
		if k < j || findObjectsAfter[toks[k].Text] {
			return true
		}
	}
	return false
}

// findObjectsAfter are the find objects that follow the verb.
var findObjectsAfter = wordSet(`him her them lo`)

// laughed reports laughter in a comment: a coffin beside 😂 is "I'm dead",
// not a death promised.
func laughed(n *Normalized) bool {
	if strings.ContainsAny(n.Original, "😂🤣😹💀") {
		return true
	}
	for i := range n.Tokens {
		if laughWords[n.Tokens[i].Text] {
			return true
		}
	}
	return false
}

// laughWords are written laughter (folded).
var laughWords = wordSet(`lol lmao mdr ptdr xd haha hahaha jaja jajaja kkk kkkk kkkkk ahah ahahah hihi`)

// toldOrArmed finds a veiled warning ("it would be a shame if", "while he
// can") beside one of two cues that need no knowledge verb: the reader
// told where they live ("jij woont toch in de Brugstraat"), which is
// knowing it; or a knife, gun or coffin emoji, which says the harm in any
// language. It returns the cue's span and why, or "" when there is none.
// Fire and skull emoji are praise and laughter and never count.
func toldOrArmed(lr *langRules, c *whereaboutsLang, toks []Token, laughing bool) (int, int, string) {
	if !warned(toks, c) {
		return 0, 0, ""
	}
	if s, e, ok := youPlaced(lr, c, toks); ok {
		return s, e, "whereabouts told and a warning"
	}
	if s, ok := firstPhrase(toks, c.foundYou); ok {
		return s, s, "profile found and a warning"
	}
	if s, ok := firstPhrase(toks, c.wait); ok {
		return s, s, "lying in wait and a warning"
	}
	if laughing {
		return 0, 0, ""
	}
	for i := range toks {
		if !toks[i].Quoted && weaponEmoji[toks[i].Text] {
			return i, i, "violent emoji and a warning"
		}
	}
	return 0, 0, ""
}

// armed reports a knife, gun or coffin emoji outside quotes in a comment
// that does not laugh.
func armed(n *Normalized) bool {
	if laughed(n) {
		return false
	}
	for i := range n.Tokens {
		if !n.Tokens[i].Quoted && weaponEmoji[n.Tokens[i].Text] {
			return true
		}
	}
	return false
}

// ownedPronouns are possessive pronouns standing for the noun, not before
// it: "welcher Laden deiner ist", "which shop is yours" (folded).
var ownedPronouns = wordSet(`tienne sienne tien sien yours his hers deiner deins seiner seins ihrer ihres seine deine
	tuyo tuya suyo suya tuo tua suo sua teu tua dele dela jouwe zijne hare`)

// ownedAfter finds a possessive pronoun within three words after a home
// noun: "welcher Laden deiner ist", "quelle boutique est la tienne".
func ownedAfter(toks []Token, j int) (int, bool) {
	for k := j + 1; k < len(toks) && k <= j+3 && toks[k].Sentence == toks[j].Sentence; k++ {
		if ownedPronouns[toks[k].Text] {
			return k, true
		}
	}
	return 0, false
}

// asked reports that the sentence holding token i ends with a question
// mark: "does anyone know where the butcher works? 🔪" asks, it does not
// tell the reader it knows.
func asked(n *Normalized, i int) bool {
	toks := n.Tokens
	e := i
	for e+1 < len(toks) && toks[e+1].Sentence == toks[i].Sentence {
		e++
	}
	end := len(n.Original)
	if e+1 < len(toks) {
		end = toks[e+1].Start
	}
	return strings.Contains(n.Original[toks[e].End:end], "?")
}

// weaponEmoji are the words emojiWords gives knives, guns and coffins.
var weaponEmoji = wordSet(`emojiknife emojigun emojicoffin`)

// youPlaced finds the reader told where they live or work: a work or home
// verb in the second person, or after a second-person word, with its place
// named after it as a venue ("tu habites au 3e", "jij woont toch in de
// Brugstraat").
func youPlaced(lr *langRules, c *whereaboutsLang, toks []Token) (int, int, bool) {
	for j := range toks {
		t := &toks[j]
		if t.Kind != TokenWord || t.Quoted {
			continue
		}
		you := c.placeYou[t.Text]
		for k := max(0, j-2); k < j && !you; k++ {
			you = c.placeAny[t.Text] && lr.secondPerson[toks[k].Text] && toks[k].Clause == t.Clause
		}
		if !you {
			continue
		}
		// "Jij woont toch ook in Gent?" is small talk about a town; a
		// street or a house ("in de Brugstraat") is the address.
		if k, ok := placeAfter(c, toks, j); ok && (venue(lr, c, toks, k) || streetNear(toks, k)) {
			return max(0, j-2), k, true
		}
	}
	return 0, 0, false
}

// streetNear reports a street named within three words after a place
// preposition, by the tables streetAddress uses: "on Mill Lane", "in de
// Brugstraat", "na rua Augusta".
func streetNear(toks []Token, k int) bool {
	for i := k + 1; i < len(toks) && i <= k+3 && toks[i].Sentence == toks[k].Sentence; i++ {
		w := toks[i].Text
		if streetSuffixes[w] || streetPrefixes[w] {
			return true
		}
		for _, c := range compoundStreets {
			if len(w) > len(c)+2 && strings.HasSuffix(w, c) {
				return true
			}
		}
	}
	return false
}

// homeNouns are workplaces and homes a person is found at (folded, the
// seven languages together): "Redaktion", "redacción", "office", "huis".
var homeNouns = wordSet(`redaction bureau maison appart appartement domicile
	office newsroom house home flat apartment
	redaktion buro haus wohnung praxis
	redaccion oficina casa piso despacho
	redazione ufficio
	redacao escritorio morada
	redactie kantoor huis woning
	porte door tur haustur puerta portal porta portone deur voordeur
	boutique magasin shop store laden geschaft tienda negozio loja winkel zaak`)

// thirdPossessives are the third-person and formal possessives a home
// noun may take besides the language's second-person ones: "Ihre
// Redaktion", "his office", "zijn huis" (folded).
var thirdPossessives = wordSet(`son sa ses leur his her their sein seine seinem seiner ihr ihre ihrem ihrer
	su sus suo sua dele dela zijn haar hun uw`)

// personPossessive reports a possessive naming a person, not an article:
// "wo Ihre Redaktion ist", never "wo das Haus ist".
func personPossessive(lr *langRules, w string) bool {
	return lr.possessives[w] || thirdPossessives[w]
}

// whenMaxGap bounds how far after the whereabouts clause the hour of
// leaving may start: "sabemos en qué redacción trabajas y a qué hora
// sales". Further off ("text me when you leave") it is an arrangement.
const whenMaxGap = 4

// hourJoined reports the hour of leaving joined to the whereabouts clause
// ending at e by an "and": "y a qué hora sales", "und wann Sie Feierabend
// machen". "I know where you work, text me when you leave" arranges a lift.
func hourJoined(toks []Token, ps [][]string, e int) bool {
	for i := e + 1; i <= e+whenMaxGap && i < len(toks); i++ {
		if toks[i].Sentence == toks[e].Sentence && andWords[toks[i-1].Text] && phraseWithin(toks, ps, i, i) {
			return true
		}
	}
	return false
}

// myPossessives are first-person possessives (folded): "I know where my mum
// lives and when she gets home" is family, not an ambush.
var myPossessives = wordSet(`mon ma mes my mein meine meinem meiner meinen mi mis mio mia miei mie meu minha meus minhas mijn`)

// ownKin reports a first-person possessive inside the whereabouts clause
// from s to e or in the words before the hour ("dove abita mia nonna e a
// che ora esce").
func ownKin(toks []Token, s, e int) bool {
	for k := s; k <= e+whenMaxGap && k < len(toks) && toks[k].Sentence == toks[s].Sentence; k++ {
		if myPossessives[toks[k].Text] {
			return true
		}
	}
	return false
}

// andWords are the conjunction "and" (folded).
var andWords = wordSet(`et and und y e en`)

// phraseWithin reports one of the phrases starting between from and to,
// outside quotes.
func phraseWithin(toks []Token, ps [][]string, from, to int) bool {
	for i := from; i <= to && i < len(toks); i++ {
		if toks[i].Quoted {
			continue
		}
		for _, p := range ps {
			if i+len(p) <= len(toks) && tokensAre(toks[i:], p) {
				return true
			}
		}
	}
	return false
}

// firstPhrase returns where one of the phrases first stands outside quotes.
func firstPhrase(toks []Token, ps [][]string) (int, bool) {
	for i := range toks {
		if phraseWithin(toks, ps, i, i) {
			return i, true
		}
	}
	return 0, false
}
