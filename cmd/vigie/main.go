// Command vigie runs Vigie's roles. It reads flags and VIGIE_* environment
// variables into a config, validates it, and runs the role named by the
// first argument; everything else lives in the packages it calls.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"

	"github.com/sirupsen/logrus"

	"github.com/vigie-moderation/vigie/internal/config"
	"github.com/vigie-moderation/vigie/internal/loadtest"
	"github.com/vigie-moderation/vigie/internal/logging"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{
	"ingest":   {"serve the publisher API (POST /v1/comments, /v1/check)", roleCommand(config.RoleIngest)},
	"classify": {"consume comments, classify them, write verdicts and the review queue", roleCommand(config.RoleClassify)},
	"review":   {"serve the moderator API and UI, relay decisions", roleCommand(config.RoleReview)},
	"dev":      {"every role in one process, with in-process Kafka and Redis unless given real ones", roleCommand(config.RoleDev)},
	"check":    {"classify Comment JSON lines from stdin offline, one verdict line per comment", runCheck},
	"eval":     {"score the classifier on a labelled JSONL corpus: vigie eval FILE.jsonl", runEval},
	"train":    {"train the troll model on labelled JSONL corpora: vigie train FILE.jsonl...", runTrain},
	"admin":    {"manage moderators, tokens and tenant settings in Redis", runAdmin},
	"bench":    {"measure the pipeline through real Kafka and Redis", runBench},
	"loadtest": {"measure the synchronous check's latency at a fixed rate", func(ctx context.Context, args []string) error {
		return loadtest.Main(ctx, args, os.Stdout)
	}},
	"version": {"print the version", func(context.Context, []string) error { fmt.Println(buildVersion()); return nil }},
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage(os.Stderr)
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "vigie: unknown command %q\n\n", os.Args[1])
		usage(os.Stderr)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "vigie %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Vigie %s — comment moderation pipeline\n\nUsage: vigie <command> [flags]\n\nCommands:\n", buildVersion())
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nRun 'vigie <command> -h' for the flags of a command; every flag also reads a VIGIE_* environment variable.\n")
}

func buildVersion() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

// loadConfig binds the settings to a flag set named after the command,
// parses args and validates the result for role.
func loadConfig(name string, role config.Role, args []string) (config.Config, *logrus.Entry, error) {
	var cfg config.Config
	fs := flag.NewFlagSet("vigie "+name, flag.ContinueOnError)
	if err := cfg.Bind(fs); err != nil {
		return cfg, nil, fmt.Errorf("configuration: %w", err)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	if fs.NArg() > 0 {
		return cfg, nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := cfg.Validate(role); err != nil {
		return cfg, nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	l, err := logging.New(os.Stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, logrus.NewEntry(l).WithField("version", version), nil
}
