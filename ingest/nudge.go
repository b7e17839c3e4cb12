package ingest

import "github.com/vigie-moderation/vigie/internal/message"

// Nudge is a short message a publisher can show the author of a comment
// that is held for review or rejected: polite, in the comment's language,
// and saying what to change.
type Nudge struct {
	// Reason is what the message is about: "attack" (insults, threats,
	// slurs), "spam" (links, contact details, promotion, repetition),
	// "shouting" (capitals, runs of punctuation) or "other".
	Reason string `json:"reason"`
	// Language is the ISO 639-1 code of Message.
	Language string `json:"language"`
	Message  string `json:"message"`
}

// The nudge reasons.
const (
	ReasonAttack   = "attack"
	ReasonSpam     = "spam"
	ReasonShouting = "shouting"
	ReasonOther    = "other"
)

// NudgeLanguages are the languages nudges are written in.
var NudgeLanguages = []string{"fr", "en", "de", "es", "it", "pt", "nl"}

// labelReason maps verdict labels (categories and rule labels) to a reason.
var labelReason = map[string]string{
	"insult": ReasonAttack, "slur": ReasonAttack, "threat": ReasonAttack, "profanity": ReasonAttack,
	"sexual": ReasonAttack, "adult": ReasonAttack, "targeted": ReasonAttack, "troll": ReasonAttack,

	"link": ReasonSpam, "shortener": ReasonSpam, "unusual_tld": ReasonSpam, "obfuscated_link": ReasonSpam,
	"link_ratio": ReasonSpam, "email": ReasonSpam, "phone": ReasonSpam, "contact": ReasonSpam,
	"messenger": ReasonSpam, "money": ReasonSpam, "crypto": ReasonSpam, "work_from_home": ReasonSpam,
	"spam_phrase": ReasonSpam, "stuffing": ReasonSpam, "duplicate": ReasonSpam, "velocity": ReasonSpam,
	"spam": ReasonSpam,

	"shouting": ReasonShouting, "punctuation": ReasonShouting, "emoji_run": ReasonShouting,
	"flooding": ReasonShouting,
}

// nudgeLead opens the message, by language then action.
var nudgeLead = map[string]map[message.Action]string{
	"en": {
		message.ActionReview: "Thanks for your comment: a moderator will read it before it appears.",
		message.ActionReject: "Your comment can't be published as it is.",
	},
	"fr": {
		message.ActionReview: "Merci pour votre commentaire : un modérateur le lira avant sa publication.",
		message.ActionReject: "Votre commentaire ne peut pas être publié en l'état.",
	},
	"de": {
		message.ActionReview: "Danke für Ihren Kommentar: Die Moderation liest ihn, bevor er erscheint.",
		message.ActionReject: "Ihr Kommentar kann so nicht veröffentlicht werden.",
	},
	"es": {
		message.ActionReview: "Gracias por tu comentario: un moderador lo leerá antes de publicarlo.",
		message.ActionReject: "Tu comentario no se puede publicar tal como está.",
	},
	"it": {
		message.ActionReview: "Grazie per il tuo commento: un moderatore lo leggerà prima della pubblicazione.",
		message.ActionReject: "Il tuo commento non può essere pubblicato così com'è.",
	},
	"pt": {
		message.ActionReview: "Obrigado pelo seu comentário: um moderador vai lê-lo antes de ser publicado.",
		message.ActionReject: "O seu comentário não pode ser publicado tal como está.",
	},
	"nl": {
		message.ActionReview: "Bedankt voor je reactie: een moderator leest die voordat ze verschijnt.",
		message.ActionReject: "Je reactie kan in deze vorm niet worden geplaatst.",
	},
}

// nudgeTip says what to change, by language then reason.
var nudgeTip = map[string]map[string]string{
	"en": {
		ReasonAttack:   "Criticise ideas rather than people: rephrasing without personal remarks usually does it.",
		ReasonSpam:     "Links, contact details and promotional wording look like advertising here; try without them.",
		ReasonShouting: "Capitals and strings of exclamation marks read as shouting; normal writing gets a better hearing.",
		ReasonOther:    "Our community guidelines explain what we publish.",
	},
	"fr": {
		ReasonAttack:   "Critiquez les idées plutôt que les personnes : reformuler sans attaque personnelle suffit souvent.",
		ReasonSpam:     "Liens, coordonnées et formules promotionnelles ressemblent ici à de la publicité ; essayez sans.",
		ReasonShouting: "Les majuscules et les points d'exclamation en série se lisent comme des cris ; écrit normalement, votre avis portera mieux.",
		ReasonOther:    "Notre charte de participation explique ce que nous publions.",
	},
	"de": {
		ReasonAttack:   "Kritisieren Sie Argumente statt Personen: Ohne persönliche Angriffe umformuliert klappt es meist.",
		ReasonSpam:     "Links, Kontaktdaten und Werbesprache wirken hier wie Reklame; versuchen Sie es ohne.",
		ReasonShouting: "Großbuchstaben und Ketten von Ausrufezeichen wirken wie Schreien; normal geschrieben kommt es besser an.",
		ReasonOther:    "Unsere Community-Richtlinien erklären, was wir veröffentlichen.",
	},
	"es": {
		ReasonAttack:   "Critica las ideas y no a las personas: reformularlo sin ataques personales suele bastar.",
		ReasonSpam:     "Los enlaces, datos de contacto y frases promocionales parecen publicidad; prueba sin ellos.",
		ReasonShouting: "Las mayúsculas y las ristras de exclamaciones se leen como gritos; escrito con normalidad se te escuchará mejor.",
		ReasonOther:    "Nuestras normas de la comunidad explican qué publicamos.",
	},
	"it": {
		ReasonAttack:   "Critica le idee e non le persone: riformularlo senza attacchi personali di solito basta.",
		ReasonSpam:     "Link, contatti e frasi promozionali qui sembrano pubblicità; prova senza.",
		ReasonShouting: "Maiuscole e raffiche di punti esclamativi sembrano urla; scritto normalmente il messaggio arriva meglio.",
		ReasonOther:    "Le regole della nostra community spiegano cosa pubblichiamo.",
	},
	"pt": {
		ReasonAttack:   "Critique as ideias e não as pessoas: reformular sem ataques pessoais costuma bastar.",
		ReasonSpam:     "Links, contactos e frases promocionais parecem aqui publicidade; experimente sem eles.",
		ReasonShouting: "Maiúsculas e sequências de pontos de exclamação soam a gritos; escrito normalmente será mais bem recebido.",
		ReasonOther:    "As regras da nossa comunidade explicam o que publicamos.",
	},
	"nl": {
		ReasonAttack:   "Bekritiseer ideeën in plaats van mensen: herformuleren zonder persoonlijke aanvallen helpt meestal.",
		ReasonSpam:     "Links, contactgegevens en reclametaal lijken hier op advertenties; probeer het zonder.",
		ReasonShouting: "Hoofdletters en rijen uitroeptekens lezen als schreeuwen; gewoon geschreven komt je punt beter over.",
		ReasonOther:    "Onze huisregels leggen uit wat we plaatsen.",
	},
}

// NudgeFor returns the message for the author of a comment that v holds or
// rejects, or nil when v allows it. The language is the verdict's when
// nudges exist in it, else fallback's (the thread's language), else English.
func NudgeFor(v *message.Verdict, fallback string) *Nudge {
	if v.Action != message.ActionReview && v.Action != message.ActionReject {
		return nil
	}
	lang := "en"
	switch {
	case nudgeLead[v.Language.Code] != nil:
		lang = v.Language.Code
	case nudgeLead[fallback] != nil:
		lang = fallback
	}
	reason := nudgeReason(v.Labels)
	return &Nudge{Reason: reason, Language: lang, Message: nudgeLead[lang][v.Action] + " " + nudgeTip[lang][reason]}
}

// nudgeReason picks the reason of the strongest rule label, falling back on
// the category labels ("troll", "spam") that open the list.
func nudgeReason(labels []string) string {
	fallback := ReasonOther
	for _, l := range labels {
		r, ok := labelReason[l]
		if !ok {
			continue
		}
		if l == "troll" || l == "spam" {
			if fallback == ReasonOther {
				fallback = r
			}
			continue
		}
		return r
	}
	return fallback
}
