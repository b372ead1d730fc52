package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

func runProfile(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return usageError{"profile needs a subcommand: add, list or remove"}
	}
	switch args[0] {
	case "add":
		return runProfileAdd(ctx, args[1:], env)
	case "list", "ls":
		if len(args) > 1 {
			return usageError{fmt.Sprintf("profile list takes no arguments, got %q", args[1])}
		}
		return runProfileList(env)
	case "remove", "rm":
		if len(args) != 2 {
			return usageError{"usage: tokendesk profile remove NAME"}
		}
		m, err := openManager(env)
		if err != nil {
			return err
		}
		srv := "DocuSign"
		if p, err := m.Resolve(args[1]); err == nil {
			srv = serverName(oauth.Environment(p.Environment))
		}
		if err := m.RemoveProfile(ctx, args[1]); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Removed profile %q, its stored tokens and its activity log. Consent at %s is unchanged.\n", args[1], srv)
		return nil
	}
	return usageError{fmt.Sprintf("unknown profile subcommand %q (add, list, remove)", args[0])}
}

func runProfileAdd(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("profile add", flag.ContinueOnError)
	key := fs.String("integration-key", "", "DocuSign integration key (GUID)")
	envName := fs.String("env", string(oauth.Demo), oauth.EnvironmentNames(", ")+", or the base URL of a DocuSign-compatible server")
	secretStdin := fs.Bool("secret-stdin", false, "read the client secret from standard input (confidential client)")
	ports := fs.String("ports", "", "comma-separated loopback redirect ports (default 8765,8766,8767)")
	scopes := fs.String("scopes", "", `scopes asked at consent (default "signature extended")`)
	lifetime := fs.Duration("refresh-lifetime", 0, "refresh-token lifetime for estimates (default 720h)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"usage: tokendesk profile add NAME --integration-key KEY [--env " + oauth.EnvironmentNames("|") + "|URL]"}
	}
	p := storage.Profile{Name: pos[0], Environment: *envName, IntegrationKey: strings.TrimSpace(*key),
		Scopes: strings.Fields(*scopes), RefreshLifetime: storage.Duration(*lifetime)}
	if *ports != "" {
		if p.Ports, err = storage.ParsePorts(*ports); err != nil {
			return usageError{"--ports: " + oneLine(err.Error())}
		}
	}
	secret := ""
	if *secretStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		secret = strings.TrimSpace(line)
		if secret == "" {
			return fmt.Errorf("--secret-stdin: no client secret on standard input (%v)", err)
		}
	}
	m, err := openManager(env)
	if err != nil {
		return err
	}
	notice, err := m.SaveProfileNotice(ctx, p, secret)
	if err != nil {
		return err
	}
	if notice != "" {
		fmt.Fprintf(env.Stderr, "%s Run `%s`.\n", notice, loginCommand(p.Name))
	}
	saved, _ := m.Resolve(p.Name)
	kind := "public client (PKCE, no secret)"
	if saved.HasSecret {
		kind = "confidential client (secret stored in the keyring)"
	}
	where := "at DocuSign (Apps and Keys)"
	if e, err := oauth.ParseEnvironment(saved.Environment); err == nil && !e.IsDocuSign() {
		where = "on " + serverName(e)
	}
	fmt.Fprintf(env.Stdout, "Saved profile %q: %s, %s.\nRegister these redirect URIs for the integration key %s:\n", p.Name, envLabel(p.Environment), kind, where)
	for _, port := range saved.RedirectPorts() {
		fmt.Fprintf(env.Stdout, "  %s\n", oauth.RedirectURI(port))
	}
	if !slices.Contains(saved.Scopes, oauth.ScopeExtended) && len(saved.Scopes) > 0 {
		fmt.Fprintln(env.Stdout, "Warning: without the extended scope the session ends 30 days after login, however often it is refreshed.")
	}
	fmt.Fprintf(env.Stdout, "Next: tokendesk login -p %s\n", p.Name)
	return nil
}

func runProfileList(env Env) error {
	m, err := openManager(env)
	if err != nil {
		return err
	}
	c, err := m.Config()
	if err != nil {
		return err
	}
	if len(c.Profiles) == 0 {
		fmt.Fprintln(env.Stdout, "No profiles. Add one with: tokendesk profile add NAME --integration-key KEY --env demo")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tENVIRONMENT\tINTEGRATION KEY\tCLIENT\tSESSION")
	for _, p := range c.Profiles {
		client := "public"
		if p.HasSecret {
			client = "confidential"
		}
		sess := "signed out"
		if s := c.Sessions[p.Name]; s != nil {
			sess = "consented " + s.ConsentedAt.Format(time.DateOnly)
			if s.Dead != "" {
				sess = "re-login required"
			}
		}
		cur := ""
		if p.Name == c.Settings.CurrentProfile && len(c.Profiles) > 1 {
			cur = " *"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\t%s\n", p.Name, cur, envLabel(p.Environment), p.IntegrationKey, client, sess)
	}
	return tw.Flush()
}

func envLabel(s string) string {
	e, err := oauth.ParseEnvironment(s)
	if err != nil {
		return s
	}
	return e.Label()
}
