package classify

import (
	"strings"
	"unicode"
)

// accountWords are what a phishing page puts beside a bank's or a carrier's
// name to pass for its customer area: security, verification, update,
// login and refund words in the seven languages ("natwest-secure-update.com",
// "cgd-seguranca-clientes.com"). A bank or a carrier owns its plain name and
// serves these pages under it ("secure.natwest.com", "santander.es/
// clientes"); only an imitation needs the word inside its registered name.
// Words that also name ordinary businesses ("service", "track", "pass",
// "card", "carta") are left out.
var accountWords = toSet(strings.Fields(`
	secure security securite sicherheit seguridad seguranca sicurezza veiligheid beveiliging
	verify verification verifizierung verificacion verificacao verifica verificatie
	update aggiornamento aggiornamenti actualizacion atualizacao aktualisierung
	login signin logon auth authentification authentication
	confirm confirmation bevestig bevestiging bestaetigung conferma confirmacion confirmacao
	unlock unblock desbloqueo desbloquear sblocco entsperren deblocage deblokkeren
	refund rebate remboursement reembolso rimborso erstattung rueckerstattung terugbetaling teruggave
	kaartlezer pasvervanging vervangen
	`))

// deliveryWords are a carrier's customer-area words, and the customer and
// account words any business uses. Restaurants deliver too
// ("pizzeria-lieferung.de") and councils have customer portals
// ("leeds-customer-portal.co.uk"): such a word makes a look-alike only
// beside a second such word, a country code ("brt-consegne-it") or a
// generic TLD a bank or a carrier does not use (".info").
var deliveryWords = toSet(strings.Fields(`
	account accounts konto cuenta conta compte rekening
	customer customers client clients cliente clienti clientes klant klanten kunden kundendaten kundenkonto
	delivery redelivery consegna consegne entrega entregas livraison lieferung zustellung bezorging
	parcel parcels paket pakket colis pacco paquete encomenda spedizione spedizioni tracking suivi
	`))

// carrierCountries are the country codes a look-alike carrier page adds to
// its name ("dhl-paket-de.info").
var carrierCountries = toSet(strings.Fields(`fr uk en de at ch es it pt br nl be lu ie`))

// minAccountInside is the length from which an account word is also found
// glued inside a label ("santanderverificacion").
const minAccountInside = 7

// lookalikeWord returns the account word found in the registered name of
// a link's host ("sparkasse-kundendaten-update.de" gives "kundendaten"), or
// "". The name must hold something besides the word: a hyphenated part or
// the letters the word is glued to. Subdomains are a brand's own pages and
// are not read.
func lookalikeWord(host string) string {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return ""
	}
	name := labels[len(labels)-2]
	if len(labels) >= 3 && len(labels[len(labels)-2]) <= 3 {
		// "kaartlezer-vervangen.co.uk": the name stands before a
		// second-level domain.
		name = labels[len(labels)-3]
	}
	parts := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' })
	tld := labels[len(labels)-1]
	delivery, second := "", genericTLDs[tld] && tld != "com" && tld != "net" && tld != "org"
	for _, p := range parts {
		if accountWords[p] && len(parts) > 1 {
			return p
		}
		for w := range accountWords {
			if len(w) >= minAccountInside && len(p) > len(w) && strings.Contains(p, w) {
				return w
			}
		}
		switch {
		case deliveryWords[p] && delivery != "":
			second = true
		case deliveryWords[p]:
			delivery = p
		case carrierCountries[p]:
			second = true
		}
	}
	if delivery != "" && len(parts) > 1 && second {
		return delivery
	}
	return ""
}

// hasLabel reports whether a match with the label is among ms.
func hasLabel(ms []scored, label string) bool {
	for _, m := range ms {
		if m.m.Label == label {
			return true
		}
	}
	return false
}

// disguisedLink says why a link's original text was written to look like
// an ordinary address to a reader but not to a filter: fullwidth letters
// or dots ("ｆａｓｔｆａｍｅ．ｃｏ"), an invisible character inside the
// host ("secure-\u200bupdate.com"), or letters of another script among
// Latin ones ("vеrvangen" with a Cyrillic е). An address in accented
// Latin letters ("münchen.de") is an ordinary one. It returns "" for a
// plain link.
func disguisedLink(orig string) string {
	latin, other := false, false
	for _, r := range orig {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return "fullwidth letters"
		case unicode.Is(unicode.Cf, r):
			return "an invisible character inside"
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Greek, r):
			other = true
		}
	}
	if latin && other {
		return "letters of another script"
	}
	return ""
}
