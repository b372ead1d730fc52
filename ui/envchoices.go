package ui

import (
	"strings"

	"github.com/tokendesk/tokendesk/oauth"
)

// envChoice is one environment the profile form offers.
type envChoice struct {
	choice string // the radio button's text
	env    oauth.Environment
	help   string // one sentence under the choices
}

// envChoices are DocuSign's named environments as the form offers them
// (a custom URL is the form's last choice).
func envChoices() []envChoice {
	return []envChoice{
		{choice: choiceText(oauth.Demo), env: oauth.Demo,
			help: "DocuSign's developer environment (account-d.docusign.com): test accounts, nothing is billed"},
		{choice: choiceText(oauth.Production), env: oauth.Production,
			help: "DocuSign production (account.docusign.com): real accounts, real envelopes"},
	}
}

// choiceText is an environment's name with a capital first letter.
func choiceText(e oauth.Environment) string {
	s := string(e)
	return strings.ToUpper(s[:1]) + s[1:]
}
