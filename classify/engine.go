package classify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/message"
)

// EngineConfig configures an Engine.
type EngineConfig struct {
	// Languages are the ISO 639-1 codes detection chooses between. Default
	// DefaultLanguages (fr, en, de, es, it, pt, nl). Every lingua model of
	// these languages is loaded at start.
	Languages []string
	// RulesPath is the YAML rule file. Default "": the rule file built into
	// the binary (classify/rules/default.yaml).
	RulesPath string
	// Logger receives reload messages. Default: a discarding logger.
	Logger *logrus.Entry
	// Signals holds the state of the duplicate and velocity signals. Default
	// nil: those signals are off (use NewMemorySignals for one process).
	Signals Signals
}

// Engine is the rule-based classifier: normalise, detect the language,
// match the rules of that language, score, decide. It is safe for concurrent
// use; the rule set can be swapped while it runs (Reload, WatchRules).
type Engine struct {
	cfg     EngineConfig
	log     *logrus.Entry
	det     *detector
	rules   atomic.Pointer[RuleSet]
	reload  sync.Mutex // serialises reloads
	signals Signals
	now     func() time.Time
	loaded  fileState // the rule file version running; guarded by reload
}

// NewEngine loads the rule file and the language models. A bad rule file
// returns a *RuleErrors naming each problem's line.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	log := cfg.Logger
	if log == nil {
		l := logrus.New()
		l.SetOutput(discard{})
		log = logrus.NewEntry(l)
	}
	e := &Engine{cfg: cfg, log: log, signals: cfg.Signals, now: time.Now}
	rs, data, err := loadRules(cfg.RulesPath)
	if err != nil {
		return nil, err
	}
	e.rules.Store(rs)
	if cfg.RulesPath != "" {
		e.recordLoaded(data)
	}
	det, err := newDetector(cfg.Languages)
	if err != nil {
		return nil, fmt.Errorf("configuring language detection: %w", err)
	}
	e.det = det
	return e, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func loadRules(path string) (*RuleSet, []byte, error) {
	data := defaultRules
	name := "default.yaml"
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, nil, fmt.Errorf("reading rule file: %w", err)
		}
		name = path
	}
	rs, err := ParseRules(name, data)
	return rs, data, err
}

// Ruleset returns the hash of the active rule set.
func (e *Engine) Ruleset() string { return e.rules.Load().Hash() }

// Reload re-reads RulesPath. On any error the running rule set stays in
// place and the error says why the new file was refused.
func (e *Engine) Reload() error {
	e.reload.Lock()
	defer e.reload.Unlock()
	rs, data, err := loadRules(e.cfg.RulesPath)
	if err != nil {
		return err
	}
	e.rules.Store(rs)
	e.recordLoaded(data)
	return nil
}

// minFingerprintWords: shorter texts are not fingerprinted for duplicates.
const minFingerprintWords = 6

// Classify implements Classifier.
func (e *Engine) Classify(ctx context.Context, c *message.Comment, p Policy) (message.Verdict, error) {
	return e.classify(ctx, e.rules.Load(), c, p, e.signals)
}

// classify decides c with the rule set rs, observing the duplicate and
// velocity signals when sig is not nil.
func (e *Engine) classify(ctx context.Context, rs *RuleSet, c *message.Comment, p Policy, sig Signals) (message.Verdict, error) {
	p = policyOrDefault(p)
	n := rs.norm.Prepare(c.Text)
	links := rs.scanLinks(n)
	emails := scanEmails(n, func(s string) bool { return rs.tlds[s] || rs.wordTLDs[s] })
	skip := append(append([]span(nil), links...), emails...)
	markInLink(n, skip)

	lang, guesses := e.language(n, skip, c, p)
	// A short comment is easily mistaken for another language ("eres un
	// 1mb3cil" reads as English to lingua): read it with the thread's rules
	// too, and keep whichever reading explains more.
	// A longer one too when the detector was not sure ("Eres un cabrón y un
	// mentiroso." reads as Portuguese at 0.8).
	if guesses == nil && c.ThreadLang != "" && c.ThreadLang != lang.Code &&
		(utf8.RuneCountInString(c.Text) < shortText || (lang.Confidence < unsureDetection && utf8.RuneCountInString(c.Text) < unsureText)) {
		guesses = []string{c.ThreadLang}
	}
	ms := rs.matchLexicons(rs.rules(lang.Code), lang.Code, n.Tokens, make([]scored, 0, 8))
	// The language fell back (short or ambiguous text) but the detector had
	// guesses: read the comment with each of their rule sets too and keep
	// the reading that explains most, so "Eres un imbécil." on a French site
	// without thread_lang is still read as Spanish abuse.
	best := evidence(ms)
	for _, g := range guesses {
		if g == lang.Code {
			continue
		}
		alt := rs.matchLexicons(rs.rules(g), g, n.Tokens, make([]scored, 0, 8))
		if ev := evidence(alt); ev > best {
			ms, best = alt, ev
		}
	}
	ms = placeNames(n.Original, ms)
	ms = rs.spamSignals(n, links, emails, ms)
	ms = rs.donation(n, ms)
	ms = rs.gainSignals(n, ms)
	ms = rs.offerSignals(n, ms)
	ms = rs.styleSignals(n, ms)
	ms = rs.barrage(n, []string{lang.Code, c.ThreadLang}, ms)
	ms = rs.doxxing(n, ms)
	ms = rs.whereabouts(n, []string{lang.Code, c.ThreadLang}, ms)
	ms = rs.shoutedAbuse(n, ms)
	if lang.Source == "detected" && c.ThreadLang != "" && lang.Code != c.ThreadLang &&
		lang.Confidence >= rs.sig.LanguageMismatch.Min && rs.sig.LanguageMismatch.Weight > 0 {
		ms = append(ms, scored{cat: CategorySpam, m: message.Match{
			Rule: "spam.language_mismatch", Label: "language_mismatch", Weight: rs.sig.LanguageMismatch.Weight,
			Start: 0, End: len(c.Text), Normalized: lang.Code + "!=" + c.ThreadLang,
		}})
	}
	if sig != nil {
		var err error
		if ms, err = e.observe(ctx, sig, rs, c, n, ms); err != nil {
			return message.Verdict{}, err
		}
	}
	ms = rs.secondOpinion(n, ms, p)
	v := message.Verdict{
		V: message.Version, Tenant: c.Tenant, CommentID: c.ID, Language: lang,
		Ruleset: rs.Hash(), ClassifiedAt: e.now().UTC(),
	}
	v.Scores, v.Labels, v.Matches = score(ms, p)
	v.Action = p.Action(v.Scores)
	return v, nil
}

func policyOrDefault(p Policy) Policy {
	d := DefaultPolicy()
	if p.SpamReview == 0 && p.SpamReject == 0 && p.TrollReview == 0 && p.TrollReject == 0 {
		d.DefaultLanguage = p.DefaultLanguage
		p = d
	}
	if p.DefaultLanguage == "" {
		p.DefaultLanguage = DefaultPolicy().DefaultLanguage
	}
	return p
}

// shortText: comments shorter than this (in runes) are also read with the
// thread language's rules, whatever the detector said.
const shortText = LangIDMinChars

// unsureDetection and unsureText: a detection under this confidence, of a
// comment under this many runes, is checked against the thread language's
// rules as well.
const (
	unsureDetection = 0.95
	unsureText      = 160
)

// minDetectConfidence: below it detection counts as ambiguous and the
// thread's language (then the tenant's) is used instead.
const minDetectConfidence = 0.5

// language decides the comment's language and, when it fell back to the
// thread's or tenant's, returns the detector's guesses as well.
func (e *Engine) language(n *Normalized, skip []span, c *message.Comment, p Policy) (message.Language, []string) {
	d := e.det.detect(n, skip, c.ThreadLang)
	var guesses []string
	if d.code != "" {
		guesses = append([]string{d.code}, d.alts...)
	}
	switch {
	case d.code != "" && d.confidence >= minDetectConfidence:
		return message.Language{Code: d.code, Confidence: round3(d.confidence), Source: "detected"}, nil
	case c.ThreadLang != "":
		return message.Language{Code: c.ThreadLang, Source: "thread"}, guesses
	}
	return message.Language{Code: p.DefaultLanguage, Source: "tenant"}, guesses
}

// evidence is the total weight of a set of matches. The bonus for a
// disguised term does not count: it says nothing about which language's
// grammar aims the term, so "You are an i d i o t." stays English.
func evidence(ms []scored) float64 {
	s := 0.0
	for _, m := range ms {
		if strings.HasSuffix(m.m.Rule, disguisedSuffix) {
			continue
		}
		s += m.m.Weight
	}
	return s
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

func markInLink(n *Normalized, spans []span) {
	for _, s := range spans {
		for i := range n.Tokens {
			t := &n.Tokens[i]
			if t.fstart < s.fend && t.fend > s.fstart {
				t.InLink = true
			}
		}
	}
}

func (e *Engine) observe(ctx context.Context, sig Signals, rs *RuleSet, c *message.Comment, n *Normalized, ms []scored) ([]scored, error) {
	at := c.CreatedAt
	if at.IsZero() {
		at = e.now()
	}
	author := c.Author.ID
	if author == "" {
		author = "anonymous"
	}
	cnt, err := sig.Observe(ctx, Observation{
		Tenant: c.Tenant, CommentID: c.ID, AuthorID: author,
		Fingerprint: SimHash(n.Tokens, minFingerprintWords), At: at, Window: rs.sigWindow,
	})
	if err != nil {
		return ms, fmt.Errorf("reading spam signals: %w", err)
	}
	whole := func(rule, label string, w float64, detail string) {
		ms = append(ms, scored{cat: CategorySpam, m: message.Match{
			Rule: rule, Label: label, Weight: w, Start: 0, End: len(c.Text), Normalized: detail,
		}})
	}
	if s := rs.sig.Duplicate; s.Weight > 0 && float64(cnt.Duplicates) >= s.Min {
		whole("spam.duplicate", "duplicate", s.Weight, fmt.Sprintf("%d near-identical comments", cnt.Duplicates))
	}
	if s := rs.sig.DuplicateAuthors; s.Weight > 0 && float64(cnt.DuplicateAuthors) >= s.Min {
		whole("spam.duplicate_authors", "duplicate", s.Weight, fmt.Sprintf("%d authors posted it", cnt.DuplicateAuthors))
	}
	if s := rs.sig.Velocity; s.Weight > 0 && float64(cnt.AuthorComments) >= s.Min {
		whole("spam.velocity", "velocity", s.Weight, fmt.Sprintf("%d comments in %s", cnt.AuthorComments, rs.sigWindow))
	}
	return ms, nil
}

// sums adds the matches' weights per category, unrounded and unclamped.
func sums(ms []scored) message.Scores {
	var s message.Scores
	for _, m := range ms {
		switch m.cat {
		case CategorySpam:
			s.Spam += m.m.Weight
		case CategoryTroll:
			s.Troll += m.m.Weight
		}
	}
	return s
}

// score sums weights per category, clamps to [0, 1], and lists the labels
// of every category that reached its review threshold.
func score(ms []scored, p Policy) (message.Scores, []string, []message.Match) {
	s := sums(ms)
	byLabel := map[string]float64{}
	s.Spam = clamp01(round3(s.Spam))
	s.Troll = clamp01(round3(s.Troll))
	flagged := map[Category]bool{
		CategorySpam:  s.Spam >= p.SpamReview,
		CategoryTroll: s.Troll >= p.TrollReview,
	}
	// A guard cancels most of the match just before it; count labels net.
	for i, m := range ms {
		if !flagged[m.cat] || m.m.Label == "guard" {
			continue
		}
		w := m.m.Weight
		if i+1 < len(ms) && ms[i+1].m.Label == "guard" {
			w += ms[i+1].m.Weight
		}
		byLabel[m.m.Label] += w
	}
	labels := make([]string, 0, 4)
	if flagged[CategoryTroll] {
		labels = append(labels, string(CategoryTroll))
	}
	if flagged[CategorySpam] {
		labels = append(labels, string(CategorySpam))
	}
	if s.Spam > s.Troll && len(labels) == 2 {
		labels[0], labels[1] = labels[1], labels[0]
	}
	sub := make([]string, 0, len(byLabel))
	for l, w := range byLabel {
		if w >= 0.05 {
			sub = append(sub, l)
		}
	}
	sort.Slice(sub, func(i, j int) bool {
		if byLabel[sub[i]] != byLabel[sub[j]] {
			return byLabel[sub[i]] > byLabel[sub[j]]
		}
		return sub[i] < sub[j]
	})
	labels = append(labels, sub...)
	out := make([]message.Match, len(ms))
	for i, m := range ms {
		m.m.Weight = round3(m.m.Weight)
		out[i] = m.m
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return s, labels, out
}

func clamp01(f float64) float64 { return max(0, min(1, f)) }

// spamSignals turns scanned links, addresses and phone numbers, keyword
// stuffing and flooding into matches.
func (rs *RuleSet) spamSignals(n *Normalized, links, emails []span, ms []scored) []scored {
	add := func(rule, label string, w float64, fs, fe int, norm string) {
		if w <= 0 {
			return
		}
		s, e := n.Span(fs, fe)
		ms = append(ms, scored{cat: CategorySpam, m: message.Match{Rule: rule, Label: label, Weight: w, Start: s, End: e, Normalized: norm}})
	}
	sg := &rs.sig
	linkChars := 0
	var shortened, unusual, obfuscated, commercial, keywords bool
	// An account blocked, a parcel held, data to confirm (alert), and no
	// one warning about it: what a look-alike host is read beside.
	alert, warned := hasLabel(ms, "alert"), hasLabel(ms, "warning")
	for i, l := range links {
		w := sg.Link.Weight
		if float64(i) >= max(sg.Link.Min, 1) {
			w = 0
		}
		host := l.link.host
		add("spam.link", "link", w, l.fstart, l.fend, n.Folded[l.fstart:l.fend])
		linkChars += l.fend - l.fstart
		if rs.shorteners[host] && !shortened {
			shortened = true
			add("spam.shortener", "shortener", sg.Shortener.Weight, l.fstart, l.fend, host)
		}
		if rs.unusualTLDs[l.link.tld] && !unusual {
			unusual = true
			add("spam.unusual_tld", "unusual_tld", sg.UnusualTLD.Weight, l.fstart, l.fend, "."+l.link.tld)
		}
		if l.link.obfuscated && !obfuscated {
			obfuscated = true
			add("spam.obfuscated_link", "obfuscated_link", sg.ObfuscatedLink.Weight, l.fstart, l.fend, host)
		}
		if !obfuscated {
			if s, e := n.Span(l.fstart, l.fend); s < e {
				if why := disguisedLink(n.Original[s:e]); why != "" {
					obfuscated = true
					add("spam.disguised_link", "obfuscated_link", sg.ObfuscatedLink.Weight, l.fstart, l.fend, host+": "+why)
				}
			}
		}
		if !keywords && sg.KeywordURL.Weight > 0 {
			if k, why := keywordURL(n.Folded[l.fstart:l.fend], host, int(max(sg.KeywordURL.Min, 3))); k {
				keywords = true
				add("spam.keyword_url", "keyword_url", sg.KeywordURL.Weight, l.fstart, l.fend, why)
			}
		}
		if !commercial {
			if w := rs.commercialWord(host); w != "" {
				commercial = true
				add("spam.commercial_link", "commercial_link", sg.CommercialLink.Weight, l.fstart, l.fend, w)
			} else if w := lookalikeWord(host); w != "" && alert && !warned {
				// A customer-area word in the name beside an account or a
				// parcel put on hold: a bank's or a carrier's look-alike.
				commercial = true
				add("spam.lookalike_link", "commercial_link", sg.CommercialLink.Weight, l.fstart, l.fend, w)
			}
		}
	}
	if sg.KeywordURL.Weight > 0 {
		// Praise, a resource and a keyword host together say more than a
		// ranking word in a link: one and a half times its weight. A link
		// already counted for its ranking words gets the missing half, so
		// a keyword path ("/ratgeber/laerm-bar-nachbarn") never makes the
		// drop weigh less than a keyword host alone would.
		if k := seoPitch(n, links, ms); k >= 0 {
			w := sg.KeywordURL.Weight * 1.5
			if keywords {
				w = sg.KeywordURL.Weight * 0.5
			}
			add("spam.keyword_url", "keyword_url", round3(w), links[k].fstart, links[k].fend,
				"a keyword site pitched after praise for the article")
		}
	}
	if len(links) > 0 {
		nonSpace := 0
		for _, r := range n.Folded {
			if !unicode.IsSpace(r) {
				nonSpace++
			}
		}
		if nonSpace > 0 && float64(linkChars)/float64(nonSpace) >= sg.LinkRatio.Min {
			add("spam.link_ratio", "link_ratio", sg.LinkRatio.Weight, links[0].fstart, links[len(links)-1].fend,
				fmt.Sprintf("links are %d%% of the text", 100*linkChars/nonSpace))
		}
	}
	for i, em := range emails {
		w := sg.Email.Weight
		if i > 0 {
			w = 0
		}
		add("spam.email", "email", w, em.fstart, em.fend, n.Folded[em.fstart:em.fend])
		if i == 0 && em.link.obfuscated {
			// "name at gmail punkt com": spelled out to get past a filter.
			add("spam.obfuscated_email", "obfuscated_link", sg.ObfuscatedLink.Weight/2, em.fstart, em.fend, "address spelled out")
		}
	}
	phones := scanPhones(n)
	spaced := false
	if len(phones) == 0 {
		phones = scanSpacedDigits(n)
		spaced = len(phones) > 0
	}
	if len(phones) == 0 {
		phones = scanSpelledPhones(n)
	}
	for i, ph := range phones {
		inside := false
		for _, l := range links {
			if ph.fstart >= l.fstart && ph.fend <= l.fend {
				inside = true
			}
		}
		if inside {
			continue
		}
		w := sg.Phone.Weight
		if i > 0 {
			w = 0
		}
		if tollFree(n.Folded[ph.fstart:ph.fend]) {
			// Public services answer on free numbers ("0 800 06 66 66");
			// spammers want a mobile or a messenger.
			w /= 2
		}
		add("spam.phone", "phone", w, ph.fstart, ph.fend, n.Folded[ph.fstart:ph.fend])
		if i == 0 && (spaced || singleDigits(n.Folded[ph.fstart:ph.fend])) {
			// Nobody spells a number one digit at a time but to get past a
			// filter.
			add("spam.obfuscated_phone", "obfuscated_link", sg.ObfuscatedLink.Weight/2, ph.fstart, ph.fend, "digits spaced out")
		}
	}
	if w, ok := messengerHandle(n, ms); ok {
		add("spam.handle", "handle", sg.Handle.Weight, w.fstart, w.fend, "@"+w.Text)
	}
	if first, last, ok := personalAd(n); ok {
		add("spam.personal_ad", "personal_ad", sg.PersonalAd.Weight, n.Tokens[first].fstart, n.Tokens[last].fend, "a name and an age")
	}
	if !commercial {
		// A handle named like a shop ("@pronos_ganadores", "@tipster_lucr0")
		// is a shop window too.
		for k := range n.Tokens {
			t := &n.Tokens[k]
			if t.Kind != TokenMention {
				continue
			}
			if w := rs.commercialWord(strings.ReplaceAll(t.Text, ".", "_") + ".x"); w != "" {
				add("spam.commercial_handle", "commercial_link", sg.CommercialLink.Weight, t.fstart, t.fend, w)
				break
			}
		}
	}
	if k, first, last := leetWords(n); k >= int(max(sg.Leet.Min, 1)) {
		add("spam.leet", "leetspeak", sg.Leet.Weight, n.Tokens[first].fstart, n.Tokens[last].fend,
			fmt.Sprintf("%d words in leetspeak", k))
	}
	rs.repetition(n, add)
	return ms
}

// leetWords counts the words written in leetspeak that the lexicons did
// not resolve ("C0mb1n4d4s s3gur4s", "M4ltipl4 s1cur4"): a digit standing
// for a letter between two letters. Model numbers ("mp3", "4x4", "B2B")
// have at most one. It returns the count and the first and last such
// token.
func leetWords(n *Normalized) (int, int, int) {
	count, first, last := 0, -1, -1
	for k := range n.Tokens {
		t := &n.Tokens[k]
		if t.Kind != TokenWord || t.InLink || len(t.Text) < 3 || t.Quoted {
			continue
		}
		// Read the word as written: the normaliser may have resolved it.
		s, e := n.Span(t.fstart, t.fend)
		w := strings.ToLower(n.Original[s:e])
		inner, letters := 0, 0
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c >= 'a' && c <= 'z' {
				letters++
				continue
			}
			if strings.IndexByte("013457", c) >= 0 && i > 0 && i+1 < len(w) && isLetterByte(w[i-1]) && isLetterByte(w[i+1]) {
				inner++
			}
		}
		if inner == 0 || letters < 2 || (inner == 1 && letters < 3) {
			continue
		}
		count++
		if first < 0 {
			first = k
		}
		last = k
	}
	return count, first, last
}

func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' }

// messengerHandle finds an @handle written just after a messenger's name
// ("Telegram: @investor_tom", "WhatsApp @lea"): where to reach the sender.
func messengerHandle(n *Normalized, ms []scored) (*Token, bool) {
	// "DM @gr0wth_k1ng", "MP ➡ @b00st": a direct message to a handle is
	// as good as a messenger's name before it.
	for k := 1; k < len(n.Tokens); k++ {
		t, prev := &n.Tokens[k], &n.Tokens[k-1]
		if t.Kind != TokenMention || prev.Kind != TokenWord || prev.Sentence != t.Sentence {
			continue
		}
		if directMessageWords[prev.Text] && !strings.ContainsFunc(n.Original[prev.End:t.Start], unicode.IsLetter) {
			return t, true
		}
		if directMessageOn(n.Tokens[:k]) {
			return t, true
		}
	}
	// "mein Snap: j.a.n.a.l.o.v.e.s.9.8", "insta : lea_du_69": a platform's
	// name, a colon, then a handle made of more than plain letters.
	for k := 1; k < len(n.Tokens); k++ {
		t, prev := &n.Tokens[k], &n.Tokens[k-1]
		if t.Kind != TokenWord || prev.Kind != TokenWord || !handlePlatforms[prev.Text] ||
			strings.TrimSpace(n.Original[prev.End:t.Start]) != ":" {
			continue
		}
		// The handle runs to the next space: "kate_x99" is one handle.
		h := n.Original[t.Start:]
		if sp := strings.IndexFunc(h, unicode.IsSpace); sp >= 0 {
			h = h[:sp]
		}
		h = strings.TrimRight(h, ".,;!?)")
		if t.Disguised || strings.ContainsAny(h, "0123456789_.") {
			return t, true
		}
	}
	for _, m := range ms {
		if m.m.Label != "messenger" {
			continue
		}
		for k := range n.Tokens {
			t := &n.Tokens[k]
			if t.End <= m.m.End {
				continue
			}
			if k+1 < len(n.Tokens) && t.Kind == TokenWord && len(t.Text) <= 3 {
				t = &n.Tokens[k+1] // "Telegram au @x", "on WhatsApp at @x"
			}
			if t.Kind == TokenMention {
				return t, true
			}
			// "T e l e g r a m @ f x _ m e e s t e r": the handle spaced
			// out as well.
			if rest := strings.TrimLeft(n.Folded[n.Tokens[k].fstart-min(n.Tokens[k].fstart, 3):n.Tokens[k].fstart], " :"); rest == "@" ||
				strings.HasSuffix(rest, "@ ") || strings.HasSuffix(rest, "@") {
				return &n.Tokens[k], true
			}
			break
		}
	}
	return nil, false
}

// directMessageOn reports whether the tokens before a handle end on a
// request for a private message on a platform: "DM on insta @x", "DM me on
// IG @x", "MP sur snap @x". The platform may be disguised ("1nst@").
func directMessageOn(toks []Token) bool {
	k := len(toks) - 1
	if k < 1 || toks[k].Kind != TokenWord || !handlePlatforms[unleet(toks[k].Text)] {
		return false
	}
	// Up to two short linking words ("on", "me on", "sur") before it.
	for j := k - 1; j >= 0 && j >= k-3; j-- {
		w := toks[j]
		if w.Kind != TokenWord || w.Sentence != toks[k].Sentence {
			return false
		}
		if directMessageWords[w.Text] {
			return true
		}
		if len(w.Text) > 3 {
			return false
		}
	}
	return false
}

// handlePlatforms name where a handle after a colon lives (folded).
var handlePlatforms = toSet(strings.Fields(`snap snapchat insta instagram ig tg telegram kik whatsapp discord wechat
	viber tiktok`))

// directMessageWords ask for a private message: "DM", "MP" (message
// privé), "MD" (mensaje directo), "PN" (private Nachricht), "DM me".
var directMessageWords = map[string]bool{
	"dm": true, "dms": true, "pm": true, "mp": true, "md": true, "pn": true, "inbox": true, "direct": true,
	"privado": true, "priv": true, "prive": true, "privato": true,
}

// singleDigits reports a number written one digit at a time: nine digits
// or more, no two side by side.
func singleDigits(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
			if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				return false
			}
		}
	}
	return digits >= 9
}

// tollFree reports a national free-call number: 0800, 0805, 0808 ... in
// France, the United Kingdom, Germany, Belgium and the Netherlands, and the
// nine-digit numeri verdi and números gratuitos of Italy, Spain and
// Portugal (800, 803, 900 and a national prefix +39/+34/+351 before them).
func tollFree(phone string) bool {
	var d []byte
	for i := 0; i < len(phone); i++ {
		if c := phone[i]; c >= '0' && c <= '9' {
			d = append(d, c)
		}
	}
	s := string(d)
	for _, cc := range []string{"0039", "0034", "00351", "39", "34", "351"} {
		if strings.HasPrefix(s, cc) && len(s) == len(cc)+9 {
			s = s[len(cc):]
			break
		}
	}
	if strings.HasPrefix(s, "080") {
		return true
	}
	return len(s) == 9 && (strings.HasPrefix(s, "800") || strings.HasPrefix(s, "803") || strings.HasPrefix(s, "900"))
}

// minCommercialInside: commercial words this long are also found inside a
// host label ("cheapviagra"); shorter ones only as a whole label or a
// hyphenated part ("pas-cher", "bet-365"), so "alphabet" is not "bet".
const minCommercialInside = 5

// commercialWord returns the first commercial word found in a link's host,
// or "". The top-level domain and "www" are not looked at.
func (rs *RuleSet) commercialWord(host string) string {
	if len(rs.commercial) == 0 {
		return ""
	}
	labels := strings.Split(host, ".")
	if cc := countryLookalike(labels); cc != "" {
		return cc
	}
	if len(labels) > 1 {
		labels = labels[:len(labels)-1]
	}
	for _, label := range labels {
		if label == "www" {
			continue
		}
		parts := strings.FieldsFunc(label, func(r rune) bool { return r == '-' || r == '_' || (r >= '0' && r <= '9') })
		for _, part := range parts {
			if rs.commercial[part] || rs.commercial[squeeze(part, 2)] {
				return part
			}
			// "brasilpremiado-gov.com.br", "caf-gouv-fr.com": a government
			// word inside a hyphenated name is an imitation; real
			// administrations own gov, gouv, gob as a label of their own.
			if len(parts) > 1 && officialWords[part] {
				return part
			}
		}
		for _, w := range rs.commercialLong {
			if strings.Contains(label, w) {
				return w
			}
		}
	}
	return ""
}

// keywordURL reports a link written for search engines: a buyer's guide
// word (best, meilleur, vergleich, avis ...) in a host of three or more
// hyphenated words ("sleepwell-reviews-guide.com") or in a path segment
// listing at least min hyphenated keywords ("best-mattress-back-pain-uk-
// 2026"). News sites and town halls hyphenate their titles and names too,
// but without ranking what they write about.
func keywordURL(link, host string, min int) (bool, string) {
	dash := func(r rune) bool { return r == '-' || r == '_' }
	labels := strings.Split(host, ".")
	var words []string
	for _, label := range labels[:max(len(labels)-1, 1)] {
		if ws := strings.FieldsFunc(label, dash); len(ws) >= 3 {
			for _, w := range ws {
				// "vergleich24": a ranking word with a number glued on.
				words = append(words, strings.TrimRight(w, "0123456789"))
			}
		}
		if w := gluedRanking(label); w != "" {
			return true, "host opens on " + strconv.Quote(w)
		}
	}
	rest := link
	if k := strings.Index(rest, "://"); k >= 0 {
		rest = rest[k+3:]
	}
	if k := strings.IndexByte(rest, '/'); k >= 0 {
		for _, seg := range strings.FieldsFunc(rest[k:], func(r rune) bool { return r == '/' || r == '?' || r == '#' || r == '&' || r == '=' }) {
			if d := strings.LastIndexByte(seg, '.'); d > 0 {
				seg = seg[:d] // "meilleur-prix.html"
			}
			if ws := strings.FieldsFunc(seg, dash); len(ws) >= min {
				words = append(words, ws...)
			}
		}
	}
	for _, w := range words {
		if rankingWords[w] {
			return true, strconv.Itoa(len(words)) + " keywords with " + strconv.Quote(w)
		}
	}
	return false, ""
}

// rankingWords make a path a buyer's guide: "best", "top", "avis" ...
var rankingWords = map[string]bool{
	"best": true, "top": true, "cheap": true, "cheapest": true, "review": true, "reviews": true, "vs": true,
	"meilleur": true, "meilleurs": true, "meilleure": true, "meilleures": true, "avis": true, "comparatif": true,
	"beste": true, "besten": true, "bestes": true, "vergleich": true, "testsieger": true, "gunstig": true, "guenstig": true,
	"mejor": true, "mejores": true, "comparativa": true, "opiniones": true, "barato": true, "baratos": true,
	"migliore": true, "migliori": true, "recensione": true, "recensioni": true, "classifica": true,
	"melhor": true, "melhores": true, "comparativo": true, "barata": true, "goedkoop": true, "goedkoopste": true,
	"vergelijking": true, "comparison": true, "ranking": true, "classement": true,
	"ratgeber": true, "kopen": true, "kaufen": true, "comprar": true, "acheter": true, "comprare": true, "buy": true,
}

// lookalikeCountries are country codes a fake page puts before a hyphen to
// pass for a national site: "vattenfall.nl-actie.com" is not on .nl. Codes
// that are words before a hyphen ("de-bakkerij", "be-quiet", "at-home",
// "it-support") are left out.
var lookalikeCountries = toSet(strings.Fields(`nl fr uk es pt ch lu ie`))

// genericTLDs are the top-level domains such look-alikes are bought under.
var genericTLDs = toSet(strings.Fields(`com net org info online site top xyz shop live click`))

// countryLookalike returns the country label part of a host that imitates
// a national domain ("brand-bonus.nl-actie.com", "x.co-uk-secure.net"): the
// registered name opens on a country code and a hyphen, under a generic
// TLD, below another label. "de-bakkerij.nl" is under its own country.
func countryLookalike(labels []string) string {
	if len(labels) < 3 || !genericTLDs[labels[len(labels)-1]] {
		return ""
	}
	name := labels[len(labels)-2]
	cc, rest, ok := strings.Cut(name, "-")
	if !ok || rest == "" || !lookalikeCountries[cc] || labels[len(labels)-3] == "www" {
		return ""
	}
	return cc + "-"
}

// gluedRankingWords open a one-word host built for search engines:
// "meilleurmatelas.fr", "migliorebicielettrica.it". Only words long and
// rare enough never to open an ordinary name ("beste" opens "bestellen",
// "best" "bestwestern").
var gluedRankingWords = []string{"meilleur", "migliore", "migliori", "mejores", "melhores", "goedkoopste",
	"vergelijk", "testsieger", "comparatif", "comparativa", "comparativo"}

// gluedRanking returns the ranking word a host label opens on, with at
// least four more letters after it, or "".
func gluedRanking(label string) string {
	for _, w := range gluedRankingWords {
		if strings.HasPrefix(label, w) && len(label) >= len(w)+4 && !strings.Contains(label, "-") {
			return w
		}
	}
	return ""
}

// officialWords name an administration, or claim to be a product's own
// shop ("artroflex-oficial.pt", "keto-officiel.fr": the miracle cure "only
// on the official site"); see commercialWord. A brand or a body owns its
// plain name and has no need to say so inside it.
var officialWords = map[string]bool{
	"gov": true, "govt": true, "gouv": true, "gob": true, "governo": true, "gobierno": true, "bund": true,
	"overheid": true, "gouvernement": true, "government": true,
	"oficial": true, "official": true, "officiel": true, "officielle": true, "offiziell": true, "ufficiale": true,
	"officieel": true,
}

// repetition finds keyword stuffing (one keyword over and over across the
// text) and flooding (the same word or phrase many times in a row).
func (rs *RuleSet) repetition(n *Normalized, add func(rule, label string, w float64, fs, fe int, norm string)) {
	toks := n.Tokens
	sg := &rs.sig
	// Flooding: a word or a phrase of up to maxFloodPhrase words repeated
	// in a row.
	for size := 1; size <= maxFloodPhrase; size++ {
		need := int(max(sg.Flooding.Min, 2))
		if size > 1 {
			need = 3
		}
		for i := 0; i+size*need <= len(toks); i++ {
			if isEmojiWord(toks[i].Text) {
				continue
			}
			reps := 1
			for j := i + size; j+size <= len(toks); j += size {
				same := true
				for k := range size {
					if toks[i+k].Text != toks[j+k].Text {
						same = false
						break
					}
				}
				if !same {
					break
				}
				reps++
			}
			if reps >= need {
				last := i + reps*size - 1
				add("spam.flooding", "flooding", sg.Flooding.Weight, toks[i].fstart, toks[last].fend,
					fmt.Sprintf("%q x%d", joinTokens(toks[i:i+size]), reps))
				return
			}
		}
	}
	// A whole sentence said again and again: "Le journaliste est une m3rde
	// vendue. Le journaliste est une m3rde vendue. ..." is a unit too long
	// for the phrases above.
	if first, last, reps, ok := repeatedSentence(toks); ok {
		add("spam.flooding", "flooding", sg.Flooding.Weight, toks[first].fstart, toks[last].fend,
			fmt.Sprintf("%q x%d", joinTokens(toks[first:first+(last-first+1)/reps]), reps))
		return
	}
	// A unit glued to itself: "F D P F D P ..." rebuilt as one word,
	// "fdpfdpfdp".
	for i := range toks {
		t := &toks[i]
		if t.Kind != TokenWord || t.InLink {
			continue
		}
		if unit, reps := gluedUnit(t.Text); reps >= int(max(sg.Flooding.Min, 2)) {
			add("spam.flooding", "flooding", sg.Flooding.Weight, t.fstart, t.fend, fmt.Sprintf("%q x%d", unit, reps))
			return
		}
	}
	// Stuffing: one keyword at least Min times and a fifth of the words.
	words := 0
	counts := map[string]int{}
	for i := range toks {
		if toks[i].Kind != TokenWord || len(toks[i].Text) < 4 || toks[i].InLink || isEmojiWord(toks[i].Text) {
			continue
		}
		words++
		counts[toks[i].Text]++
	}
	best, bestN := "", 0
	for w, c := range counts {
		if c > bestN || (c == bestN && w < best) {
			best, bestN = w, c
		}
	}
	if words >= 8 && float64(bestN) >= sg.Stuffing.Min && float64(bestN) >= 0.2*float64(words) {
		first, last := -1, -1
		for i := range toks {
			if toks[i].Text == best {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		// Heavier stuffing weighs more, up to twice the rule's weight, and
		// so does a page of keywords: other words repeated beside the main
		// one ("Schlüsseldienst Hamburg günstig ... Hamburg ... günstig").
		others := 0
		for w, c := range counts {
			if c >= 2 && w != best {
				others++
			}
		}
		w := sg.Stuffing.Weight * min(2, float64(bestN)/max(sg.Stuffing.Min, 1)+0.25*float64(min(others, 4)))
		add("spam.stuffing", "stuffing", w, toks[first].fstart, toks[last].fend,
			fmt.Sprintf("%q x%d", best, bestN))
	}
}

// gluedUnit reports a word made of one short unit (two to six letters)
// repeated: "fdpfdpfdpfdp" is "fdp" four times.
func gluedUnit(w string) (string, int) {
	for size := 2; size <= 6 && size*2 <= len(w); size++ {
		if len(w)%size != 0 {
			continue
		}
		unit := w[:size]
		if laughter[unit] {
			return "", 0
		}
		if strings.Repeat(unit, len(w)/size) == w {
			return unit, len(w) / size
		}
	}
	return "", 0
}

// laughter and filler syllables repeat by nature: "hahaha", "jajaja",
// "blablabla", "lalala".
var laughter = map[string]bool{
	"ha": true, "he": true, "hi": true, "ho": true, "hu": true, "ja": true, "je": true, "ji": true, "jo": true,
	"ka": true, "ke": true, "ks": true, "rs": true, "lol": true, "mdr": true, "xd": true, "bla": true,
	"na": true, "la": true, "ah": true, "eh": true, "oh": true, "uh": true, "hah": true, "heh": true,
	"ahah": true, "haha": true, "hehe": true, "jaja": true, "ok": true, "no": true, "non": true, "nee": true,
}

// barrage turns flooding into harassment when what is repeated is abuse
// ("@jonas Opfer Opfer Opfer ...", "LOG OFF GRANDAD" seven times, "F D P F
// D P ...": the repeated unit is also read with the language's lexicons),
// or is shouted at an @mention.
func (rs *RuleSet) barrage(n *Normalized, codes []string, ms []scored) []scored {
	w := rs.sig.Barrage.Weight
	if w <= 0 {
		return ms
	}
	var flood *message.Match
	for i := range ms {
		if ms[i].m.Rule == "spam.flooding" {
			flood = &ms[i].m
		}
	}
	if flood == nil {
		return ms
	}
	why := ""
	shouted := false
	for _, m := range ms {
		switch {
		case m.cat == CategoryTroll && m.m.Label == "shouting":
			shouted = true
		case m.cat == CategoryTroll && m.m.Weight > 0 && m.m.Label != "punctuation" && m.m.Start < flood.End && m.m.End > flood.Start:
			why = "abuse repeated"
		}
	}
	if why == "" && shouted {
		// Shouted at someone; a shouted chant alone ("GO TEAM GO") is
		// no attack.
		for _, t := range n.Tokens {
			if t.Kind == TokenMention {
				why = "shouted at @" + t.Text
				break
			}
		}
	}
	if why == "" {
		if k := strings.LastIndex(flood.Normalized, " x"); k > 0 {
			if unit, err := strconv.Unquote(flood.Normalized[:k]); err == nil && goAway(unit) {
				why = "go-away repeated"
			} else if err == nil {
				un := rs.norm.Prepare(unit)
				// The comment's language, then the thread's: a spelled-out
				// acronym says little about the language.
				for _, code := range codes {
					if code == "" {
						continue
					}
					for _, m := range rs.matchLexicons(rs.rules(code), code, un.Tokens, nil) {
						if m.cat == CategoryTroll && m.m.Weight > 0 {
							why = "abuse repeated"
						}
					}
				}
			}
		}
	}
	if why == "" {
		return ms
	}
	b := scored{cat: CategoryTroll, m: message.Match{
		Rule: "troll.barrage", Label: "barrage", Weight: w, Start: flood.Start, End: flood.End, Normalized: why,
	}}
	return append(floodedOut(ms, b.m), b)
}

// floodedOut drops the spam reading of a barrage: the flooding itself and
// the leetspeak inside it ("laziali m3rde" seven times). Repeated abuse
// drives people out of a thread; it sells nothing, and left as spam it
// outweighed the troll reading.
func floodedOut(ms []scored, flood message.Match) []scored {
	out := ms[:0]
	for _, m := range ms {
		inside := m.m.Start >= flood.Start && m.m.End <= flood.End
		if m.cat == CategorySpam && inside && (m.m.Rule == "spam.flooding" || m.m.Rule == "spam.leet") {
			continue
		}
		out = append(out, m)
	}
	return out
}

// minFloodSentences: a sentence repeated this many times in a row floods.
const minFloodSentences = 3

// repeatedSentence finds a sentence of three words or more repeated at
// least minFloodSentences times in a row, and returns the token span of
// the run and the number of repeats.
func repeatedSentence(toks []Token) (int, int, int, bool) {
	// Sentence boundaries as token offsets.
	var starts []int
	for i := range toks {
		if i == 0 || toks[i].Sentence != toks[i-1].Sentence {
			starts = append(starts, i)
		}
	}
	starts = append(starts, len(toks))
	same := func(a, b int) bool {
		la, lb := starts[a+1]-starts[a], starts[b+1]-starts[b]
		if la != lb || la < 3 {
			return false
		}
		for k := 0; k < la; k++ {
			if toks[starts[a]+k].Text != toks[starts[b]+k].Text {
				return false
			}
		}
		return true
	}
	for s := 0; s+1 < len(starts)-1; s++ {
		reps := 1
		for s+reps < len(starts)-1 && same(s, s+reps) {
			reps++
		}
		if reps >= minFloodSentences {
			return starts[s], starts[s+reps] - 1, reps, true
		}
	}
	return 0, 0, 0, false
}

// goAway reports a repeated unit that is, begins or ends with a go-away
// word or phrase: "dégage", "dégage sale traître", "get lost loser".
func goAway(unit string) bool {
	w := strings.Fields(unit)
	for k := 1; k <= min(3, len(w)); k++ {
		if goAwayUnits[strings.Join(w[:k], " ")] || goAwayUnits[strings.Join(w[len(w)-k:], " ")] {
			return true
		}
	}
	return false
}

// goAwayUnits are the go-away words and phrases that, repeated, drive
// someone out of a thread (folded): "dégage dégage dégage", "hau ab hau
// ab hau ab". Alone they are too common ("ça dégage une odeur") for a
// lexicon.
var goAwayUnits = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(`degage|degagez|casse-toi|casse toi|barre-toi|barre toi|tire-toi|
		go away|get lost|get out|piss off|fuck off|bugger off|sod off|begone|
		verschwinde|hau ab|verpiss dich|zieh ab|schleich dich|
		largate|vete|fuera de aqui|vete ya|pirate|
		vattene|sparisci|fuori dai coglioni|levati|
		vaza|sai daqui|cai fora|some daqui|
		rot op|oprotten|wegwezen|ophoepelen|opzouten`, "|") {
		m[strings.TrimSpace(w)] = true
	}
	return m
}()

// maxFloodPhrase is the longest phrase flooding looks for: "casino en
// ligne bonus 500%" pasted three times is one promotion, not five words.
const maxFloodPhrase = 6

// styleSignals scores shouting, punctuation runs and emoji runs on the
// original text.
func (rs *RuleSet) styleSignals(n *Normalized, ms []scored) []scored {
	sg := &rs.sig
	text := n.Original
	letters, upper := 0, 0
	punctStart, punctRun, bestPunct, bestPunctStart := 0, 0, 0, 0
	emojiStart, emojiRun, bestEmoji, bestEmojiStart, bestEmojiEnd, punctEnd := 0, 0, 0, 0, 0, 0
	for i, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
		if r == '!' || r == '?' {
			if punctRun == 0 {
				punctStart = i
			}
			punctRun++
			if punctRun > bestPunct {
				bestPunct, bestPunctStart, punctEnd = punctRun, punctStart, i+1
			}
		} else {
			punctRun = 0
		}
		switch {
		case isEmoji(r):
			if emojiRun == 0 {
				emojiStart = i
			}
			emojiRun++
			if emojiRun > bestEmoji {
				bestEmoji, bestEmojiStart, bestEmojiEnd = emojiRun, emojiStart, i+len(string(r))
			}
		case r == '\u200d' || r == '\ufe0f' || (r >= 0x1f3fb && r <= 0x1f3ff) || r == ' ':
			// Joiners, variation selectors, skin tones and spaces continue a run.
		default:
			emojiRun = 0
		}
	}
	if letters >= 20 && float64(upper)/float64(letters) >= sg.Shouting.Min && sg.Shouting.Weight > 0 {
		ms = append(ms, scored{cat: CategoryTroll, m: message.Match{Rule: "style.shouting", Label: "shouting",
			Weight: sg.Shouting.Weight, Start: 0, End: len(text), Normalized: fmt.Sprintf("%d%% capitals", 100*upper/letters)}})
	}
	if float64(bestPunct) >= max(sg.Punctuation.Min, 2) && sg.Punctuation.Weight > 0 {
		ms = append(ms, scored{cat: CategoryTroll, m: message.Match{Rule: "style.punctuation", Label: "punctuation",
			Weight: sg.Punctuation.Weight, Start: bestPunctStart, End: punctEnd, Normalized: text[bestPunctStart:punctEnd]}})
	}
	if float64(bestEmoji) >= max(sg.EmojiRun.Min, 2) && sg.EmojiRun.Weight > 0 {
		ms = append(ms, scored{cat: CategorySpam, m: message.Match{Rule: "style.emoji_run", Label: "emoji_run",
			Weight: sg.EmojiRun.Weight, Start: bestEmojiStart, End: bestEmojiEnd, Normalized: fmt.Sprintf("%d emoji", bestEmoji)}})
	}
	return ms
}

func isEmoji(r rune) bool {
	return (r >= 0x1f000 && r <= 0x1faff) || (r >= 0x2600 && r <= 0x27bf) || (r >= 0x2b00 && r <= 0x2bff) ||
		r == 0x2705 || r == 0x2714 || r == 0x2728 || r == 0x203c || r == 0x2049
}

// ErrNoRulesPath is returned by WatchRules when the engine runs on the
// built-in rule file, which cannot change.
var ErrNoRulesPath = errors.New("no rule file to watch: the engine uses the built-in rules")
