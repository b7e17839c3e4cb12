package review

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// adminUsage is printed on bad arguments.
const adminUsage = `usage: vigie admin <command>

  moderators add <tenant> <login> <moderator|senior|admin>   create an account; prints its generated password
  moderators list <tenant>                                   list accounts
  moderators disable <tenant> <login>                        disable an account (its sessions and tokens stop working)
  moderators enable <tenant> <login>                         enable it again
  moderators role <tenant> <login> <moderator|senior|admin>  change an account's role
  moderators password <tenant> <login>                       set a new generated password; prints it
  tokens create <tenant> <login> [name]                      issue an API token acting as login; prints it once
  tokens list <tenant>                                       list API tokens (ids, never the tokens)
  tokens revoke <tenant> <token-id>                          revoke an API token
  settings get <tenant>                                      print the tenant's settings (never the webhook secret)
  settings set <tenant> <name>=<value>...                    change settings; an empty value restores the default
`

// ErrUsage reports arguments Admin does not understand; the usage text has
// been written to out.
var ErrUsage = errors.New("bad arguments to vigie admin")

// Admin runs one `vigie admin …` command (args without "admin") against the
// store and writes its result to out. Changes are audited with the actor
// "vigie-admin". On bad arguments it prints the usage and returns ErrUsage.
func Admin(ctx context.Context, store *Store, args []string, out io.Writer) error {
	usage := func() error {
		fmt.Fprint(out, adminUsage)
		return ErrUsage
	}
	if len(args) < 3 {
		return usage()
	}
	group, cmd, tenant, rest := args[0], args[1], args[2], args[3:]
	if !validTenant(tenant) {
		fmt.Fprintf(out, "tenant %q must be 1-64 characters of a-z, 0-9, '-' or '_'\n", tenant)
		return ErrUsage
	}
	const actor = "vigie-admin"
	need := func(n int) bool { return len(rest) == n }
	switch group + " " + cmd {
	case "moderators add":
		if !need(2) {
			return usage()
		}
		pw := randomToken()
		m, err := store.addModerator(ctx, tenant, rest[0], pw, rest[1], actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created %s (%s) in tenant %s\npassword: %s\n", m.Login, m.Role, tenant, pw)
	case "moderators list":
		if !need(0) {
			return usage()
		}
		ms, err := store.listModerators(ctx, tenant)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOGIN\tROLE\tDISABLED\tCREATED")
		for _, m := range ms {
			fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", m.Login, m.Role, m.Disabled, m.CreatedAt.Format("2006-01-02T15:04:05Z"))
		}
		return tw.Flush()
	case "moderators disable", "moderators enable":
		if !need(1) {
			return usage()
		}
		off := cmd == "disable"
		if _, err := store.updateModerator(ctx, tenant, rest[0], moderatorChange{Disabled: &off}, actor); err != nil {
			return err
		}
		fmt.Fprintf(out, "%sd %s\n", cmd, rest[0])
	case "moderators role":
		if !need(2) {
			return usage()
		}
		if _, err := store.updateModerator(ctx, tenant, rest[0], moderatorChange{Role: &rest[1]}, actor); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s is now %s\n", rest[0], rest[1])
	case "moderators password":
		if !need(1) {
			return usage()
		}
		pw := randomToken()
		if _, err := store.updateModerator(ctx, tenant, rest[0], moderatorChange{Password: &pw}, actor); err != nil {
			return err
		}
		fmt.Fprintf(out, "password: %s\n", pw)
	case "tokens create":
		if len(rest) != 1 && len(rest) != 2 {
			return usage()
		}
		name := ""
		if len(rest) == 2 {
			name = rest[1]
		}
		tok, meta, err := store.createAPIToken(ctx, tenant, rest[0], name, actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "token id %s for %s\ntoken: %s\n", meta.ID, meta.Login, tok)
	case "tokens list":
		if !need(0) {
			return usage()
		}
		ts, err := store.listAPITokens(ctx, tenant, "")
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLOGIN\tNAME\tCREATED")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, t.Login, t.Name, t.CreatedAt.Format("2006-01-02T15:04:05Z"))
		}
		return tw.Flush()
	case "tokens revoke":
		if !need(1) {
			return usage()
		}
		if err := store.revokeAPIToken(ctx, tenant, rest[0], "", actor); err != nil {
			return err
		}
		fmt.Fprintf(out, "revoked %s\n", rest[0])
	case "settings get":
		if !need(0) {
			return usage()
		}
		st, err := store.TenantSettings(ctx, tenant)
		if err != nil {
			return err
		}
		printSettings(out, st)
	case "settings set":
		if len(rest) == 0 {
			return usage()
		}
		change := map[string]string{}
		for _, kv := range rest {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return usage()
			}
			change[k] = v
		}
		st, err := store.setSettings(ctx, tenant, actor, change)
		if err != nil {
			return err
		}
		printSettings(out, st)
	default:
		return usage()
	}
	return nil
}

func printSettings(out io.Writer, st TenantSettings) {
	txt := settingsText(st)
	for _, k := range settingNames {
		fmt.Fprintf(out, "%s=%s\n", k, txt[k])
	}
}
