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

func runTrain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("vigie train", flag.ContinueOnError)
	engine := engineFlags(fs)
	out := fs.String("o", "", "write the model to this file (default: standard output)")
	var opt classify.TrainOptions
	label := fs.String("label", "troll", "the category to learn: troll or spam")
	fs.Float64Var(&opt.C, "c", 0, "inverse L2 penalty (default 10)")
	fs.Float64Var(&opt.HardWeight, "hard-weight", 0, "how many times a hard negative counts (default 2)")
	fs.Float64Var(&opt.GoldenWeight, "golden-weight", 0, "how many times an allowed golden case counts (default 3)")
	fs.IntVar(&opt.Iterations, "iterations", 0, "optimiser iterations (default 400)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: vigie train [flags] FILE.jsonl|GOLDEN.txt...\n\nTrains the troll or spam model on labelled corpora (the format of vigie eval) and golden\nfiles (classify/testdata/golden), reading each comment with the rule file's\nnormaliser. `make model` rebuilds the built-in one.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("want at least one labelled corpus")
	}
	opt.Label = classify.Category(*label)
	e, err := engine()
	if err != nil {
		return err
	}
	var all []classify.LabelledComment
	for _, name := range fs.Args() {
		cs, err := e.ReadTrainingFile(ctx, name)
		if err != nil {
			return err
		}
		all = append(all, cs...)
	}
	model, err := e.TrainModel(all, opt)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = os.Stdout.Write(model)
		return err
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, model, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, *out)
}
