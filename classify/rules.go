package classify

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

//go:embed rules/default.yaml
var defaultRules []byte

// DefaultRules returns the rule file built into the binary, the one used when
// EngineConfig.RulesPath is empty.
func DefaultRules() []byte { return bytes.Clone(defaultRules) }

// Category is the score a label adds to.
type Category string

// The two score categories of a verdict.
const (
	CategorySpam  Category = "spam"
	CategoryTroll Category = "troll"
)

// labelCategories lists every label a rule may carry and the score it feeds.
var labelCategories = map[string]Category{
	"insult": CategoryTroll, "profanity": CategoryTroll, "slur": CategoryTroll,
	"threat": CategoryTroll, "sexual": CategoryTroll, "targeted": CategoryTroll,
	"dehumanising": CategoryTroll,
	"shouting":     CategoryTroll, "punctuation": CategoryTroll,

	"spam_phrase": CategorySpam, "money": CategorySpam, "crypto": CategorySpam,
	"work_from_home": CategorySpam, "contact": CategorySpam, "messenger": CategorySpam,
	"adult": CategorySpam, "link": CategorySpam, "shortener": CategorySpam,
	"unusual_tld": CategorySpam, "link_ratio": CategorySpam, "obfuscated_link": CategorySpam,
	"commercial_link": CategorySpam, "handle": CategorySpam, "personal_ad": CategorySpam,
	"phone": CategorySpam, "email": CategorySpam, "stuffing": CategorySpam,
	"flooding": CategorySpam, "emoji_run": CategorySpam, "duplicate": CategorySpam,
	"velocity": CategorySpam, "language_mismatch": CategorySpam,
	"offer": CategorySpam, "warning": CategorySpam, "leetspeak": CategorySpam,
	"keyword_url": CategorySpam, "community": CategorySpam, "tax": CategorySpam,
	"barrage": CategoryTroll, "payment": CategorySpam, "donation": CategorySpam,
	"alert": CategorySpam,
}

// ruleFile is the YAML document; docs/rules.md describes every field.
type ruleFile struct {
	Version         int                  `yaml:"version"`
	TargetingWindow int                  `yaml:"targeting_window"`
	GuardFactor     *float64             `yaml:"guard_factor"`
	Signals         signalFile           `yaml:"signals"`
	Languages       map[string]*langFile `yaml:"languages"`
	Domains         domainFile           `yaml:"domains"`
	Models          *modelsFile          `yaml:"model"`
}

// modelsFile configures the learned models (model.go), one per category.
// Without a model section, or without a category in it, the rule set runs
// no model of that category.
type modelsFile struct {
	Troll *modelFile `yaml:"troll"`
	Spam  *modelFile `yaml:"spam"`
}

// modelFile configures one learned model.
type modelFile struct {
	// File is the model file, relative to the rule file's directory. ""
	// means the model built into the binary (classify/rules/troll.model,
	// classify/rules/spam.model).
	File string `yaml:"file"`
	// Threshold is the model's probability from which a comment the rules
	// let through goes to review.
	Threshold float64 `yaml:"threshold"`
}

type domainFile struct {
	Shorteners  []string `yaml:"shorteners"`
	UnusualTLDs []string `yaml:"unusual_tlds"`
	TLDs        []string `yaml:"tlds"`
	WordTLDs    []string `yaml:"word_tlds"`
	// CommercialWords are words that make a link's host a shop window:
	// "discount", "casino", "rencontres", "billig".
	CommercialWords []string `yaml:"commercial_words"`
}

// sigRule is one computed (non-lexicon) rule: its weight and, where it has
// one, the threshold that makes it fire.
type sigRule struct {
	Weight float64 `yaml:"weight"`
	Min    float64 `yaml:"min"`
}

type signalFile struct {
	Window           string  `yaml:"window"`
	Link             sigRule `yaml:"link"`
	Shortener        sigRule `yaml:"shortener"`
	UnusualTLD       sigRule `yaml:"unusual_tld"`
	ObfuscatedLink   sigRule `yaml:"obfuscated_link"`
	LinkRatio        sigRule `yaml:"link_ratio"`
	CommercialLink   sigRule `yaml:"commercial_link"`
	KeywordURL       sigRule `yaml:"keyword_url"`
	Phone            sigRule `yaml:"phone"`
	Handle           sigRule `yaml:"handle"`
	PersonalAd       sigRule `yaml:"personal_ad"`
	Email            sigRule `yaml:"email"`
	Stuffing         sigRule `yaml:"stuffing"`
	Flooding         sigRule `yaml:"flooding"`
	Shouting         sigRule `yaml:"shouting"`
	Shouted          sigRule `yaml:"shouted"`
	Punctuation      sigRule `yaml:"punctuation"`
	EmojiRun         sigRule `yaml:"emoji_run"`
	Duplicate        sigRule `yaml:"duplicate"`
	DuplicateAuthors sigRule `yaml:"duplicate_authors"`
	Velocity         sigRule `yaml:"velocity"`
	LanguageMismatch sigRule `yaml:"language_mismatch"`
	Offer            sigRule `yaml:"offer"`
	Leet             sigRule `yaml:"leet"`
	Barrage          sigRule `yaml:"barrage"`
	Doxxing          sigRule `yaml:"doxxing"`
	Payment          sigRule `yaml:"payment"`
	Donation         sigRule `yaml:"donation"`
	Audience         sigRule `yaml:"audience"`
	GainClaim        sigRule `yaml:"gain_claim"`
	SearchPitch      sigRule `yaml:"search_pitch"`
}

type langFile struct {
	SecondPerson []string `yaml:"second_person"`
	Vocatives    []string `yaml:"vocatives"`
	Reporting    []string `yaml:"reporting"`
	Determiners  []string `yaml:"determiners"`
	Plurals      []string `yaml:"plurals"`
	// Exclamatives ("quel", "what a") aim an insult right after them only
	// when the sentence also speaks to someone (second person, possessive
	// or @mention): "quel abruti ce mec, tu sors d'où ?".
	Exclamatives []string `yaml:"exclamatives"`
	// Possessives ("ton", "your") mark the second person for exclamatives,
	// and aim an insult at the reader's people together with a relative.
	Possessives []string `yaml:"possessives"`
	// Relatives are the nouns a possessive turns into the reader's own
	// people or body: "tes potes débiles", "your ugly face", "i tuoi amici
	// cretini".
	Relatives []string `yaml:"relatives"`
	// Pointers designate a person present in the thread, in the third
	// person: "quel débile celui-là", "what a loser this guy", "dieser Typ
	// ist ein Spast".
	Pointers []string `yaml:"pointers"`
	// PointerFrames are a word before and a word after an insult, written
	// "before ... after", that point at someone: "cet abruti-là", "el
	// imbécil este", "der Idiot da".
	PointerFrames []string      `yaml:"pointer_frames"`
	Lexicons      []lexiconFile `yaml:"lexicons"`
}

type lexiconFile struct {
	ID       string  `yaml:"id"`
	Label    string  `yaml:"label"`
	Weight   float64 `yaml:"weight"`
	Targeted float64 `yaml:"targeted"`
	// Named is added when a sentence calls a third person the term
	// through a copula and an article ("Ce ministre est un idiot"); 0, the
	// default, for mild or ambiguous terms.
	Named float64  `yaml:"named"`
	Terms []string `yaml:"terms"`
	// Near makes the lexicon conditional: a term counts only when one of
	// these words or phrases stands within NearWindow tokens of it, in the
	// same sentence ("rats" is dehumanising only near "migrants").
	Near       []string `yaml:"near"`
	NearWindow int      `yaml:"near_window"`
	// NearAnywhere lets a Near word stand anywhere in the comment, before
	// or after the term and in another sentence: two cues of one intent
	// ("I know where you live." ... "be careful tonight") that each read
	// innocently alone.
	NearAnywhere bool `yaml:"near_anywhere"`
	// UnlessFollowedBy lists words that cancel a term when they come right
	// after it: "je vais te retrouver la référence" is a favour, not a threat.
	UnlessFollowedBy []string `yaml:"unless_followed_by"`
	// AlsoNear is a second cue list: one of its phrases must also stand
	// anywhere else in the comment. Body shaming needs a fat-animal word,
	// a weight or diet word and a person: a whale's diet is biology.
	AlsoNear []string `yaml:"also_near"`
	// SpeaksTo makes a term count only in a comment that speaks to or
	// points at someone (a second-person word, possessive, @mention or
	// pointer): "leave it to the grown-ups" is contempt for a reader, not
	// a remark about one's children.
	SpeaksTo bool `yaml:"speaks_to"`
	// Disguised makes a term count only when it is written in disguise
	// (leetspeak, spaced or dotted letters, look-alike, fullwidth or
	// zero-width characters): "m0rr3r", "t_u_m_o_r_e" are death and
	// disease wished in a way meant to pass a filter; "morrer" is news.
	Disguised bool `yaml:"disguised"`
	// ClauseEnd makes a term count only when it ends its clause or a
	// function word follows it: the imperative "ferme-la !", "ferme-la une
	// bonne fois", not "on ferme la piscine".
	ClauseEnd bool `yaml:"clause_end"`
}

// RuleError is a problem in a rule file, located by line when it can be.
type RuleError struct {
	// File is the rule file's path, or "default.yaml" for the built-in one.
	File string
	// Line is 1-based; 0 when the problem has no single place.
	Line int
	Msg  string
}

func (e *RuleError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// RuleErrors collects every problem found in one rule file.
type RuleErrors []*RuleError

func (es RuleErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return "invalid rule file: " + strings.Join(parts, "; ")
}

// lexicon is a compiled lexicon: the rule a term match reports.
type lexicon struct {
	id       string
	label    string
	category Category
	weight   float64
	targeted float64
	named    float64
	// near, when set, holds the context phrases the terms need nearby.
	near       *termIndex
	nearWindow int
	// nearAnywhere: the near cue may stand anywhere in the comment.
	nearAnywhere bool
	// unlessNext holds the words that cancel a term right after it.
	unlessNext map[string]bool
	// alsoNear, when set, holds a second cue list needed anywhere in the
	// comment; speaksTo requires the comment to address someone.
	alsoNear *termIndex
	speaksTo bool
	// disguised: the terms count only when written in disguise.
	disguised bool
	// clauseEnd: the terms count only at the end of their clause.
	clauseEnd bool
}

// phrase is one lexicon term split into matching-form tokens. When prefix is
// set the last token matches any token that starts with it.
type phrase struct {
	toks   []string
	prefix bool
	lex    *lexicon
}

// termIndex finds phrases by their first token.
type termIndex struct {
	exact    map[string][]*phrase
	prefixes map[string][]*phrase
	plens    []int // distinct lengths of prefix first tokens, ascending
}

func newTermIndex() *termIndex {
	return &termIndex{exact: map[string][]*phrase{}, prefixes: map[string][]*phrase{}}
}

func (ix *termIndex) add(p *phrase) {
	if len(p.toks) == 1 && p.prefix {
		first := p.toks[0]
		if len(ix.prefixes[first]) == 0 {
			n := len(first)
			i := sort.SearchInts(ix.plens, n)
			if i == len(ix.plens) || ix.plens[i] != n {
				ix.plens = append(ix.plens, 0)
				copy(ix.plens[i+1:], ix.plens[i:])
				ix.plens[i] = n
			}
		}
		ix.prefixes[first] = append(ix.prefixes[first], p)
		return
	}
	ix.exact[p.toks[0]] = append(ix.exact[p.toks[0]], p)
}

// langRules is the compiled rule set of one language (with the "any" section
// merged in).
type langRules struct {
	code         string
	terms        *termIndex
	secondPerson map[string]bool
	vocatives    *termIndex
	reporting    *termIndex
	determiners  map[string]bool
	plurals      []string
	// function holds the language's function words, which are never
	// glued to a neighbour to rebuild a split word ("mari con").
	function     map[string]bool
	exclamatives *termIndex
	possessives  map[string]bool
	relatives    map[string]bool
	exclWords    map[string]bool // every word of the exclamatives
	pointers     *termIndex
	frames       map[[2]string]bool
}

// RuleSet is a compiled, immutable rule file.
type RuleSet struct {
	hash        string
	source      string
	window      int
	guardFactor float64
	sig         signalFile
	sigWindow   time.Duration
	langs       map[string]*langRules
	any         *langRules
	norm        *Normalizer
	shorteners  map[string]bool
	unusualTLDs map[string]bool
	tlds        map[string]bool
	wordTLDs    map[string]bool
	// commercial holds domains.commercial_words; commercialLong the ones
	// long enough to be looked for inside a host label ("cheapmeds").
	commercial     map[string]bool
	commercialLong []string
	termCount      int
	// models are the learned models the rule file names, troll first.
	models []learned
}

// Hash returns the rule set's identity: the first 16 hex digits of the
// SHA-256 of the rule file followed by the hashes of its models.
func (rs *RuleSet) Hash() string { return rs.hash }

// rules returns the compiled rules for a language, falling back to the
// language-independent section.
func (rs *RuleSet) rules(code string) *langRules {
	if l, ok := rs.langs[code]; ok {
		return l
	}
	return rs.any
}

// ParseRules validates and compiles a rule file. name is used in error
// messages. Every problem found is reported, each with its line.
func ParseRules(name string, data []byte) (*RuleSet, error) {
	var rf ruleFile
	if err := yaml.UnmarshalWithOptions(data, &rf, yaml.Strict()); err != nil {
		return nil, RuleErrors{yamlError(name, err)}
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, RuleErrors{yamlError(name, err)}
	}
	v := &validator{name: name, file: file}
	rs := v.compile(&rf)
	v.models(rs, rf.Models)
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	// The models' own hashes stand for their files.
	h := sha256.New()
	h.Write(data)
	for _, l := range rs.models {
		h.Write([]byte(l.model.Hash()))
	}
	rs.hash = hex.EncodeToString(h.Sum(nil)[:8])
	rs.source = name
	return rs, nil
}

// builtinModels are the built-in models, each parsed once.
var builtinModels = map[Category]func() (*Model, error){
	CategoryTroll: sync.OnceValues(func() (*Model, error) { return ParseModel("troll.model", defaultTrollModel) }),
	CategorySpam:  sync.OnceValues(func() (*Model, error) { return ParseModel("spam.model", defaultSpamModel) }),
}

// models loads the rule file's model section into rs. A model file is read
// relative to the rule file's directory and must hold a model of the
// category it is named for.
func (v *validator) models(rs *RuleSet, mf *modelsFile) {
	if mf == nil {
		return
	}
	for _, c := range []struct {
		cat Category
		f   *modelFile
	}{{CategoryTroll, mf.Troll}, {CategorySpam, mf.Spam}} {
		if c.f == nil {
			continue
		}
		path := "$.model." + string(c.cat)
		if t := c.f.Threshold; t <= 0 || t >= 1 {
			v.errorf(path+".threshold", "model.%s.threshold %g is outside (0, 1)", c.cat, t)
			continue
		}
		m, err := loadModel(v.name, c.cat, c.f.File)
		if err != nil {
			v.errorf(path+".file", "model.%s.file: %v", c.cat, err)
			continue
		}
		if m.category != c.cat {
			v.errorf(path+".file", "model.%s.file holds a %s model", c.cat, m.category)
			continue
		}
		rs.models = append(rs.models, learned{model: m, threshold: c.f.Threshold})
	}
}

// loadModel reads the model named file ("" for the built-in one of the
// category), relative to the rule file ruleFile.
func loadModel(ruleFile string, c Category, file string) (*Model, error) {
	if file == "" {
		return builtinModels[c]()
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(filepath.Dir(ruleFile), file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ParseModel(file, data)
}

func yamlError(name string, err error) *RuleError {
	msg := yaml.FormatError(err, false, false)
	// goccy/go-yaml reports "[line:col] message"; lift the line out.
	line := 0
	if strings.HasPrefix(msg, "[") {
		if end := strings.IndexByte(msg, ']'); end > 0 {
			var col int
			if _, scanErr := fmt.Sscanf(msg[1:end], "%d:%d", &line, &col); scanErr == nil {
				msg = strings.TrimSpace(msg[end+1:])
			}
		}
	}
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	return &RuleError{File: name, Line: line, Msg: msg}
}

type validator struct {
	name string
	file *ast.File
	errs RuleErrors
}

// lineOf returns the line of the YAML node at path, or 0.
func (v *validator) lineOf(path string) int {
	p, err := yaml.PathString(path)
	if err != nil {
		return 0
	}
	node, err := p.FilterFile(v.file)
	if err != nil || node == nil {
		return 0
	}
	return node.GetToken().Position.Line
}

func (v *validator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, &RuleError{File: v.name, Line: v.lineOf(path), Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) checkWeight(path, what string, w float64) {
	if w < 0 || w > 1 {
		v.errorf(path, "%s: weight %g is outside [0, 1]", what, w)
	}
}

var (
	errNoTerms = errors.New("has no terms")
)

func (v *validator) compile(rf *ruleFile) *RuleSet {
	rs := &RuleSet{
		window:      rf.TargetingWindow,
		guardFactor: 0.1,
		sig:         rf.Signals,
		langs:       map[string]*langRules{},
		shorteners:  toSet(rf.Domains.Shorteners),
		unusualTLDs: toSet(rf.Domains.UnusualTLDs),
		tlds:        toSet(rf.Domains.TLDs),
		wordTLDs:    toSet(rf.Domains.WordTLDs),
		commercial:  map[string]bool{},
	}
	for _, w := range rf.Domains.CommercialWords {
		w = FoldString(w)
		rs.commercial[w] = true
		if len(w) >= minCommercialInside {
			rs.commercialLong = append(rs.commercialLong, w)
		}
	}
	sort.Strings(rs.commercialLong)
	if rf.Version != 1 {
		v.errorf("$.version", "version must be 1, got %d", rf.Version)
	}
	if rs.window == 0 {
		rs.window = 4
	}
	if rs.window < 1 || rs.window > 12 {
		v.errorf("$.targeting_window", "targeting_window %d is outside [1, 12]", rs.window)
	}
	if rf.GuardFactor != nil {
		rs.guardFactor = *rf.GuardFactor
		if rs.guardFactor < 0 || rs.guardFactor > 1 {
			v.errorf("$.guard_factor", "guard_factor %g is outside [0, 1]", rs.guardFactor)
		}
	}
	rs.sigWindow = 10 * time.Minute
	if rf.Signals.Window != "" {
		d, err := time.ParseDuration(rf.Signals.Window)
		if err != nil || d <= 0 {
			v.errorf("$.signals.window", "signals.window %q is not a positive duration such as \"10m\"", rf.Signals.Window)
		} else {
			rs.sigWindow = d
		}
	}
	v.checkSignals(&rf.Signals)
	for _, t := range rf.Domains.TLDs {
		rs.tlds[t] = true
	}
	for t := range rs.unusualTLDs {
		rs.tlds[t] = true
	}
	if len(rf.Languages) == 0 {
		v.errorf("$.languages", "languages: at least one language section is required")
	}

	// Compile "any" first: every language section includes it.
	codes := make([]string, 0, len(rf.Languages))
	for code := range rf.Languages {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	seenIDs := map[string]string{}
	type pending struct {
		lf   *langFile
		code string
	}
	var order []pending
	if lf, ok := rf.Languages["any"]; ok && lf != nil {
		order = append(order, pending{lf, "any"})
	}
	for _, code := range codes {
		if code == "any" {
			continue
		}
		if len(code) != 2 || code[0] < 'a' || code[0] > 'z' || code[1] < 'a' || code[1] > 'z' {
			v.errorf("$.languages."+code, "language %q must be a two-letter ISO 639-1 code or \"any\"", code)
			continue
		}
		if rf.Languages[code] == nil {
			v.errorf("$.languages."+code, "language %q has an empty section", code)
			continue
		}
		order = append(order, pending{rf.Languages[code], code})
	}
	var words, prefixes, inner []string
	for _, p := range order {
		lr := &langRules{
			code:         p.code,
			terms:        newTermIndex(),
			secondPerson: map[string]bool{},
			vocatives:    newTermIndex(),
			reporting:    newTermIndex(),
			determiners:  map[string]bool{},
			function:     map[string]bool{},
			exclamatives: newTermIndex(),
			possessives:  map[string]bool{},
			relatives:    map[string]bool{},
			exclWords:    map[string]bool{},
			pointers:     newTermIndex(),
			frames:       map[[2]string]bool{},
		}
		for _, w := range p.lf.Possessives {
			lr.possessives[FoldString(w)] = true
		}
		for _, w := range p.lf.Relatives {
			lr.relatives[FoldString(w)] = true
		}
		for _, w := range functionWords[p.code] {
			lr.function[w] = true
		}
		base := "$.languages." + p.code
		for _, w := range p.lf.SecondPerson {
			lr.secondPerson[FoldString(w)] = true
		}
		for _, w := range p.lf.Determiners {
			lr.determiners[FoldString(w)] = true
		}
		for _, pl := range p.lf.Plurals {
			lr.plurals = append(lr.plurals, FoldString(pl))
		}
		marker := &lexicon{id: p.code + ".marker"}
		for i, t := range p.lf.Vocatives {
			if ph := v.phrase(fmt.Sprintf("%s.vocatives[%d]", base, i), t, marker); ph != nil {
				lr.vocatives.add(ph)
			}
		}
		for i, t := range p.lf.Exclamatives {
			if ph := v.phrase(fmt.Sprintf("%s.exclamatives[%d]", base, i), t, marker); ph != nil {
				lr.exclamatives.add(ph)
				for _, w := range ph.toks {
					lr.exclWords[w] = true
				}
			}
		}
		for i, t := range p.lf.Pointers {
			if ph := v.phrase(fmt.Sprintf("%s.pointers[%d]", base, i), t, marker); ph != nil {
				lr.pointers.add(ph)
			}
		}
		for i, t := range p.lf.PointerFrames {
			before, after, ok := strings.Cut(t, "...")
			b, a := strings.Fields(FoldString(before)), strings.Fields(FoldString(after))
			if !ok || len(b) != 1 || len(a) != 1 {
				v.errorf(fmt.Sprintf("%s.pointer_frames[%d]", base, i),
					"pointer frame %q must be one word, \"...\", one word (\"ce ... la\")", t)
				continue
			}
			lr.frames[[2]string{b[0], a[0]}] = true
		}
		for i, t := range p.lf.Reporting {
			if ph := v.phrase(fmt.Sprintf("%s.reporting[%d]", base, i), t, marker); ph != nil {
				lr.reporting.add(ph)
			}
		}
		for i := range p.lf.Lexicons {
			lf := &p.lf.Lexicons[i]
			path := fmt.Sprintf("%s.lexicons[%d]", base, i)
			cat, ok := labelCategories[lf.Label]
			switch {
			case lf.ID == "":
				v.errorf(path, "lexicon %d of %s has no id", i, p.code)
				continue
			case !ok:
				v.errorf(path+".label", "lexicon %s: unknown label %q (known: %s)", lf.ID, lf.Label, knownLabels())
				continue
			case len(lf.Terms) == 0:
				v.errorf(path, "lexicon %s %v", lf.ID, errNoTerms)
				continue
			}
			if prev, dup := seenIDs[lf.ID]; dup {
				v.errorf(path+".id", "lexicon id %q is used twice (also in %s)", lf.ID, prev)
			}
			seenIDs[lf.ID] = p.code
			v.checkWeight(path+".weight", "lexicon "+lf.ID, lf.Weight)
			v.checkWeight(path+".targeted", "lexicon "+lf.ID+" targeted", lf.Targeted)
			v.checkWeight(path+".named", "lexicon "+lf.ID+" named", lf.Named)
			if lf.Named > 0 && cat != CategoryTroll {
				v.errorf(path+".named", "lexicon %s: named is for troll labels, not %q", lf.ID, lf.Label)
			}
			lex := &lexicon{id: lf.ID, label: lf.Label, category: cat, weight: lf.Weight, targeted: lf.Targeted, named: lf.Named}
			if len(lf.Near) > 0 {
				lex.near = newTermIndex()
				lex.nearWindow = lf.NearWindow
				lex.nearAnywhere = lf.NearAnywhere
				if lf.NearAnywhere && lf.NearWindow != 0 {
					v.errorf(path+".near_window", "lexicon %s: near_window with near_anywhere", lf.ID)
				}
				if lex.nearWindow == 0 {
					lex.nearWindow = 6
				}
				if lex.nearWindow < 1 || lex.nearWindow > 12 {
					v.errorf(path+".near_window", "lexicon %s: near_window %d is outside [1, 12]", lf.ID, lf.NearWindow)
				}
				for j, t := range lf.Near {
					if ph := v.phrase(fmt.Sprintf("%s.near[%d]", path, j), t, marker); ph != nil {
						lex.near.add(ph)
						// Context words are written in leetspeak too
						// ("opw@chten"): the normaliser must know the long
						// ones. Short ones ("vis") would compete with the
						// terms' readings of a word ("v@is" is "vais").
						for _, w := range ph.toks {
							if len(w) >= minLeetContext {
								inner = append(inner, w)
							}
						}
					}
				}
			} else if lf.NearWindow != 0 {
				v.errorf(path+".near_window", "lexicon %s: near_window without near", lf.ID)
			} else if lf.NearAnywhere {
				v.errorf(path+".near_anywhere", "lexicon %s: near_anywhere without near", lf.ID)
			}
			lex.speaksTo = lf.SpeaksTo
			lex.disguised = lf.Disguised
			lex.clauseEnd = lf.ClauseEnd
			if lf.Disguised && cat != CategoryTroll {
				v.errorf(path+".disguised", "lexicon %s: disguised is for troll labels, not %q", lf.ID, lf.Label)
			}
			if len(lf.AlsoNear) > 0 {
				lex.alsoNear = newTermIndex()
				for j, t := range lf.AlsoNear {
					if ph := v.phrase(fmt.Sprintf("%s.also_near[%d]", path, j), t, marker); ph != nil {
						lex.alsoNear.add(ph)
					}
				}
			}
			if len(lf.UnlessFollowedBy) > 0 {
				lex.unlessNext = map[string]bool{}
				for _, w := range lf.UnlessFollowedBy {
					lex.unlessNext[FoldString(w)] = true
				}
			}
			for j, t := range lf.Terms {
				ph := v.phrase(fmt.Sprintf("%s.terms[%d]", path, j), t, lex)
				if ph == nil {
					continue
				}
				lr.terms.add(ph)
				rs.termCount++
				switch {
				case ph.prefix && len(ph.toks) == 1:
					prefixes = append(prefixes, ph.toks[0])
				case len(ph.toks) == 1:
					words = append(words, ph.toks...)
				default:
					inner = append(inner, ph.toks...)
				}
			}
		}
		if p.code == "any" {
			rs.any = lr
		} else {
			rs.langs[p.code] = lr
		}
	}
	if rs.any == nil {
		rs.any = &langRules{code: "any", terms: newTermIndex(), secondPerson: map[string]bool{},
			vocatives: newTermIndex(), reporting: newTermIndex(), determiners: map[string]bool{},
			function: map[string]bool{}, exclamatives: newTermIndex(), possessives: map[string]bool{},
			relatives: map[string]bool{}, pointers: newTermIndex(), frames: map[[2]string]bool{}}
	}
	for _, lr := range rs.langs {
		mergeAny(lr, rs.any)
	}
	// Top-level domains are words too, so "g i f t z o n e . n e t"
	// rejoins into a domain the link scanner recognises.
	for t := range rs.tlds {
		words = append(words, t)
	}
	rs.norm = newNormalizer(words, prefixes)
	rs.norm.addPhraseWords(inner)
	return rs
}

func (v *validator) checkSignals(s *signalFile) {
	for name, sg := range map[string]sigRule{
		"link": s.Link, "shortener": s.Shortener, "unusual_tld": s.UnusualTLD,
		"obfuscated_link": s.ObfuscatedLink, "link_ratio": s.LinkRatio, "phone": s.Phone,
		"commercial_link": s.CommercialLink, "keyword_url": s.KeywordURL, "handle": s.Handle,
		"personal_ad": s.PersonalAd,
		"email":       s.Email, "stuffing": s.Stuffing, "flooding": s.Flooding, "shouting": s.Shouting,
		"shouted":     s.Shouted,
		"punctuation": s.Punctuation, "emoji_run": s.EmojiRun, "duplicate": s.Duplicate,
		"duplicate_authors": s.DuplicateAuthors, "velocity": s.Velocity,
		"language_mismatch": s.LanguageMismatch, "offer": s.Offer, "leet": s.Leet, "barrage": s.Barrage,
		"doxxing": s.Doxxing, "payment": s.Payment, "donation": s.Donation, "audience": s.Audience,
		"gain_claim": s.GainClaim, "search_pitch": s.SearchPitch,
	} {
		v.checkWeight("$.signals."+name+".weight", "sigRule "+name, sg.Weight)
		if sg.Min < 0 {
			v.errorf("$.signals."+name+".min", "sigRule %s: min %g must not be negative", name, sg.Min)
		}
	}
}

// phrase compiles one term. A term is one or more words; a final "*" makes
// the last word a prefix (at least four letters, so short stems cannot hit
// innocent words).
func (v *validator) phrase(path, term string, lex *lexicon) *phrase {
	t := strings.TrimSpace(term)
	prefix := strings.HasSuffix(t, "*")
	if prefix {
		t = strings.TrimSuffix(t, "*")
	}
	n := plainNormalizer.Prepare(t)
	if len(n.Tokens) == 0 {
		v.errorf(path, "term %q has no letters", term)
		return nil
	}
	toks := make([]string, len(n.Tokens))
	for i, tk := range n.Tokens {
		toks[i] = tk.Text
	}
	if prefix && len([]rune(toks[len(toks)-1])) < 4 {
		v.errorf(path, "term %q: a prefix needs at least four letters", term)
		return nil
	}
	return &phrase{toks: toks, prefix: prefix, lex: lex}
}

// minLeetContext is the length from which a near word is undone from
// leetspeak like a term.
const minLeetContext = 6

// plainNormalizer tokenises lexicon terms: no dictionary, so nothing is
// rejoined or de-leeted behind the rule author's back.
var plainNormalizer = NewNormalizer(nil)

func mergeAny(lr, any *langRules) {
	for k, ps := range any.terms.exact {
		lr.terms.exact[k] = append(lr.terms.exact[k], ps...)
	}
	for _, ps := range any.terms.prefixes {
		for _, p := range ps {
			lr.terms.add(p)
		}
	}
	for k := range any.secondPerson {
		lr.secondPerson[k] = true
	}
}

func toSet(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[strings.ToLower(strings.TrimPrefix(x, "."))] = true
	}
	return m
}

func knownLabels() string {
	ls := make([]string, 0, len(labelCategories))
	for l := range labelCategories {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	return strings.Join(ls, ", ")
}
