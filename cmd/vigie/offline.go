package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/internal/logging"
)

// engineFlags binds the settings an offline classifier needs.
func engineFlags(fs *flag.FlagSet) func() (*classify.Engine, error) {
	langs := fs.String("languages", envOr("VIGIE_LANGUAGES", "fr,en,de,es,it,pt,nl"), "languages the detector chooses from (env VIGIE_LANGUAGES)")
	rules := fs.String("rules", os.Getenv("VIGIE_RULES"), "rule file (YAML); empty uses the built-in rules (env VIGIE_RULES)")
	return func() (*classify.Engine, error) {
		var list []string
		for _, l := range strings.Split(*langs, ",") {
			if l = strings.TrimSpace(l); l != "" {
				list = append(list, l)
			}
		}
		// Offline, the duplicate and velocity signals see the comments of
		// this run only.
		return classify.NewEngine(classify.EngineConfig{
			Languages: list, RulesPath: *rules, Logger: logging.Discard(), Signals: classify.NewMemorySignals(0),
		})
	}
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func runCheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("vigie check", flag.ContinueOnError)
	engine := engineFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: vigie check [flags] < comments.jsonl\n\nReads Comment JSON lines (id and text are enough) and prints one verdict JSON line each.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := engine()
	if err != nil {
		return err
	}
	return classify.CheckStream(ctx, e, os.Stdin, os.Stdout)
}

func runEval(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("vigie eval", flag.ContinueOnError)
	engine := engineFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: vigie eval [flags] FILE.jsonl\n\nScores the classifier on a labelled corpus and prints precision, recall and F1.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want exactly one corpus file")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	e, err := engine()
	if err != nil {
		return err
	}
	_, err = classify.Evaluate(ctx, e, f, os.Stdout)
	return err
}
