package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
)

// AccountJSON is one element of `tokendesk accounts --json`. Its field names
// are a promise to scripts: add fields, never rename them.
type AccountJSON struct {
	Name      string `json:"name"`
	AccountID string `json:"account_id"`
	BaseURI   string `json:"base_uri"`
	Default   bool   `json:"default"`
}

// accountsOf lists the accounts of a session's cached userinfo, with
// server text cleaned and exactly one default (the one DefaultAccount
// picks) when there are any.
func accountsOf(u *oauth.UserInfo) []AccountJSON {
	out := []AccountJSON{}
	if u == nil {
		return out
	}
	def, _ := u.DefaultAccount()
	marked := false
	for _, a := range u.Accounts {
		isDef := !marked && a == def
		marked = marked || isDef
		out = append(out, AccountJSON{Name: oauth.CleanText(a.AccountName), AccountID: oauth.CleanText(a.AccountID),
			BaseURI: oauth.CleanText(a.BaseURI), Default: isDef})
	}
	return out
}

func runAccounts(ctx context.Context, args []string, env Env) error {
	var asJSON *bool
	s, err := withKeeper(ctx, env, "accounts", args, func(fs *flag.FlagSet) {
		asJSON = fs.Bool("json", false, "print one JSON array")
	})
	if err != nil {
		return err
	}
	st := s.k.Status()
	if st.State == keeper.SignedOut || st.Session == nil {
		return s.needsLoginErr(keeper.ErrSignedOut)
	}
	if st.Session.User == nil {
		return fmt.Errorf("the user and accounts of profile %q could not be read from %s at login; %s to read them again",
			s.k.Profile(), serverName(st.Environment), loginHint(s.k.Profile()))
	}
	accts := accountsOf(st.Session.User)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(accts)
	}
	if len(accts) == 0 {
		fmt.Fprintf(env.Stdout, "%s reported no accounts for this user.\n", serverName(st.Environment))
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tACCOUNT ID\tBASE URI\tDEFAULT")
	for _, a := range accts {
		def := ""
		if a.Default {
			def = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.AccountID, a.BaseURI, def)
	}
	return tw.Flush()
}
