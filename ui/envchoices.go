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

// envChoices are DocuSign's named environments from oauth's one table, as
// the form offers them (a custom URL is the form's last choice).
func envChoices() []envChoice {
	var out []envChoice
	for _, e := range oauth.Environments() {
		out = append(out, envChoice{choice: choiceText(e.Env), env: e.Env, help: e.Description})
	}
	return out
}

// choiceText is an environment's name with a capital first letter.
func choiceText(e oauth.Environment) string {
	name := e.Info().Name
	if name == "" {
		return string(e)
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
