package ingest

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
)

// AdminUsage describes the commands Admin runs.
const AdminUsage = `vigie admin keys create TENANT NAME [--rate N] [--burst N]
    issue a publisher API key (printed once; only its hash is stored)
vigie admin keys list TENANT
vigie admin keys rotate TENANT KEY_ID [--grace DURATION]
    issue a successor with the same name and limits; the old key works
    until revoked, or for --grace (e.g. 24h) when given
vigie admin keys revoke TENANT KEY_ID
vigie admin coral add-secret TENANT [SECRET|-]
    register a Coral external moderation phase signing secret ("-" or no
    argument reads it from standard input, keeping it out of shell history)
vigie admin coral list TENANT
vigie admin coral remove-secret TENANT SECRET_ID`

// Admin runs one `vigie admin keys …` or `vigie admin coral …` command
// against rdb, reading a secret from in when asked and printing to out.
// args starts with "keys" or "coral".
func Admin(ctx context.Context, rdb redis.UniversalClient, args []string, in io.Reader, out io.Writer) error {
	if len(args) < 2 {
		return fmt.Errorf("usage:\n%s", AdminUsage)
	}
	fs := flag.NewFlagSet("vigie admin "+args[0]+" "+args[1], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rate := fs.Float64("rate", 0, "requests per second (0: the ingest default)")
	burst := fs.Int("burst", 0, "largest burst (0: the ingest default)")
	grace := fs.Duration("grace", 0, "how long the rotated-out key keeps working (0: until revoked)")
	pos, err := parseInterspersed(fs, args[2:])
	if err != nil {
		return fmt.Errorf("%w\nusage:\n%s", err, AdminUsage)
	}
	need := func(n int) error {
		if len(pos) != n {
			return fmt.Errorf("%s %s takes %d argument(s), got %d\nusage:\n%s", args[0], args[1], n, len(pos), AdminUsage)
		}
		return nil
	}
	keys := NewKeys(rdb, nil)
	coral := NewCoralSecrets(rdb)
	switch args[0] + " " + args[1] {
	case "keys create":
		if err := need(2); err != nil {
			return err
		}
		token, k, err := keys.Create(ctx, pos[0], pos[1], RateLimit{Rate: *rate, Burst: *burst})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "key id %s (%s) for tenant %s:\n%s\nStore it now: Vigie keeps only its hash.\n", k.ID, k.Name, k.Tenant, token)
	case "keys list":
		if err := need(1); err != nil {
			return err
		}
		ks, err := keys.List(ctx, pos[0])
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tCREATED\tEXPIRES\tRATE/S\tBURST")
		for _, k := range ks {
			exp, r, b := "never", "default", "default"
			if !k.ExpiresAt.IsZero() {
				exp = k.ExpiresAt.Format(time.RFC3339)
			}
			if k.Limit.Rate > 0 {
				r = fmt.Sprint(k.Limit.Rate)
			}
			if k.Limit.Burst > 0 {
				b = fmt.Sprint(k.Limit.Burst)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.CreatedAt.Format(time.RFC3339), exp, r, b)
		}
		return tw.Flush()
	case "keys rotate":
		if err := need(2); err != nil {
			return err
		}
		token, k, err := keys.Rotate(ctx, pos[0], pos[1], *grace)
		if err != nil {
			return err
		}
		until := "until you revoke it (vigie admin keys revoke " + pos[0] + " " + pos[1] + ")"
		if *grace > 0 {
			until = "for " + grace.String()
		}
		fmt.Fprintf(out, "new key id %s (%s) for tenant %s:\n%s\nStore it now: Vigie keeps only its hash. The old key %s keeps working %s.\n", k.ID, k.Name, k.Tenant, token, pos[1], until)
	case "keys revoke":
		if err := need(2); err != nil {
			return err
		}
		if err := keys.Revoke(ctx, pos[0], pos[1]); err != nil {
			return err
		}
		fmt.Fprintf(out, "key %s of tenant %s revoked\n", pos[1], pos[0])
	case "coral add-secret":
		if len(pos) == 1 || (len(pos) == 2 && pos[1] == "-") {
			line, err := bufio.NewReader(in).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("reading the secret: %w", err)
			}
			pos = []string{pos[0], strings.TrimSpace(line)}
		}
		if err := need(2); err != nil {
			return err
		}
		id, err := coral.Add(ctx, pos[0], pos[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Coral secret %s registered for tenant %s\n", id, pos[0])
	case "coral list":
		if err := need(1); err != nil {
			return err
		}
		ids, err := coral.List(ctx, pos[0])
		if err != nil {
			return err
		}
		for _, id := range ids {
			fmt.Fprintln(out, id)
		}
	case "coral remove-secret":
		if err := need(2); err != nil {
			return err
		}
		if err := coral.Remove(ctx, pos[0], pos[1]); err != nil {
			return err
		}
		fmt.Fprintf(out, "Coral secret %s of tenant %s removed\n", pos[1], pos[0])
	default:
		return fmt.Errorf("unknown command %q\nusage:\n%s", args[0]+" "+args[1], AdminUsage)
	}
	return nil
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
