package ui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// Environment choices in the profile form.
const (
	envDemo       = "Demo"
	envProduction = "Production"
	envCustom     = "Custom URL"
)

// profileDialog is the add/edit profile form.
type profileDialog struct {
	m        *MainWindow
	existing *storage.Profile
	dlg      dialog.Dialog

	NameEntry       *widget.Entry
	KeyEntry        *widget.Entry
	SecretEntry     *widget.Entry
	ForgetSecret    *widget.Check
	EnvRadio        *widget.RadioGroup
	CustomURLEntry  *widget.Entry
	PortsEntry      *widget.Entry
	RedirectBox     *fyne.Container
	ScopesEntry     *widget.Entry
	ExtendedCheck   *widget.Check
	ExtendedWarning *widget.Label
	ErrorLabel      *widget.Label
	Form            *widget.Form
}

// showProfileForm opens the profile form, empty for a new profile or filled
// from existing.
func (m *MainWindow) showProfileForm(existing *storage.Profile) {
	pd := m.newProfileDialog(existing)
	title := "Add profile"
	if existing != nil {
		title = "Edit profile " + existing.Name
	}
	pd.dlg = dialog.NewCustomWithoutButtons(title, container.NewVScroll(pd.Form), m.win)
	pd.dlg.Resize(fyne.NewSize(640, 600))
	pd.dlg.SetOnClosed(func() {
		if m.profileDialog == pd {
			m.profileDialog = nil
		}
	})
	m.profileDialog = pd
	pd.dlg.Show()
}

func (m *MainWindow) newProfileDialog(existing *storage.Profile) *profileDialog {
	pd := &profileDialog{m: m, existing: existing}
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }

	pd.NameEntry = widget.NewEntry()
	pd.NameEntry.SetPlaceHolder("e.g. acme-prod")
	pd.NameEntry.Validator = func(s string) error {
		if err := validateName(s); err != nil {
			return err
		}
		if existing == nil && m.profileExists(strings.TrimSpace(s)) {
			return fmt.Errorf("a profile named %q already exists", strings.TrimSpace(s))
		}
		return nil
	}
	pd.KeyEntry = widget.NewEntry()
	pd.KeyEntry.SetPlaceHolder("integration key (GUID) from Apps and Keys")
	pd.KeyEntry.Validator = validateIntegrationKey
	pd.SecretEntry = widget.NewPasswordEntry()
	pd.SecretEntry.SetPlaceHolder("optional — empty means a public client using PKCE only")
	pd.ForgetSecret = widget.NewCheck("Forget the stored client secret", nil)
	pd.ForgetSecret.Hide()

	pd.CustomURLEntry = widget.NewEntry()
	pd.CustomURLEntry.SetPlaceHolder("https://account.example.com")
	pd.CustomURLEntry.Validator = func(s string) error {
		if pd.EnvRadio == nil || pd.EnvRadio.Selected != envCustom {
			return nil
		}
		if strings.TrimSpace(s) == "" {
			return errors.New("custom environment: enter the account server's base URL")
		}
		_, err := oauth.ParseEnvironment(s)
		return err
	}
	pd.EnvRadio = widget.NewRadioGroup([]string{envDemo, envProduction, envCustom}, func(sel string) {
		if sel == envCustom {
			pd.CustomURLEntry.Show()
		} else {
			pd.CustomURLEntry.Hide()
		}
		pd.CustomURLEntry.Validate()
	})
	pd.EnvRadio.Horizontal = true
	pd.EnvRadio.Required = true

	pd.PortsEntry = widget.NewEntry()
	pd.PortsEntry.SetPlaceHolder("e.g. 8765, 8766")
	pd.PortsEntry.Validator = func(s string) error { _, err := parsePorts(s); return err }
	pd.RedirectBox = container.NewVBox()
	pd.PortsEntry.OnChanged = func(string) { pd.updateRedirects() }

	pd.ScopesEntry = widget.NewEntry()
	pd.ScopesEntry.Validator = func(s string) error { _, err := parseScopes(s, false); return err }
	pd.ExtendedWarning = wrap(widget.NewLabel("Warning: without extended, the session will hard-stop 30 days after login: " +
		"refreshes cannot extend it and you must log in again."))
	pd.ExtendedWarning.Importance = widget.WarningImportance
	pd.ExtendedCheck = widget.NewCheck("extended — keep the session alive with a sliding 30-day window", func(on bool) {
		if on {
			pd.ExtendedWarning.Hide()
		} else {
			pd.ExtendedWarning.Show()
		}
	})
	pd.ErrorLabel = wrap(widget.NewLabel(""))
	pd.ErrorLabel.Importance = widget.DangerImportance
	pd.ErrorLabel.Hide()

	pd.fill(existing)

	redirectHelp := wrap(widget.NewLabel("Register each of these redirect URIs on the integration key at DocuSign (Apps and Keys):"))
	pd.Form = &widget.Form{
		Items: []*widget.FormItem{
			{Text: "Name", Widget: pd.NameEntry, HintText: "letters, digits, '.', '_' or '-'"},
			{Text: "Integration key", Widget: pd.KeyEntry},
			{Text: "Client secret", Widget: container.NewVBox(pd.SecretEntry, pd.ForgetSecret), HintText: "stored in the system keyring, never in the config file"},
			{Text: "Environment", Widget: container.NewVBox(pd.EnvRadio, pd.CustomURLEntry)},
			{Text: "Redirect ports", Widget: container.NewVBox(pd.PortsEntry, redirectHelp, pd.RedirectBox), HintText: "tried in order"},
			{Text: "Scopes", Widget: container.NewVBox(pd.ScopesEntry, pd.ExtendedCheck, pd.ExtendedWarning), HintText: "space-separated; extended is the checkbox"},
			{Text: "", Widget: pd.ErrorLabel},
		},
		SubmitText: "Save",
		CancelText: "Cancel",
		OnSubmit:   pd.submit,
		OnCancel: func() {
			if pd.dlg != nil {
				pd.dlg.Hide()
			}
		},
	}
	return pd
}

// fill puts a profile's values (or the defaults) into the form.
func (pd *profileDialog) fill(p *storage.Profile) {
	if p == nil {
		p = &storage.Profile{Environment: string(oauth.Demo), Ports: oauth.DefaultPorts}
	} else {
		pd.NameEntry.SetText(p.Name)
		pd.NameEntry.Disable() // renaming would orphan the stored tokens
		pd.KeyEntry.SetText(p.IntegrationKey)
		if p.HasSecret {
			pd.SecretEntry.SetPlaceHolder("a secret is stored — leave empty to keep it")
			pd.ForgetSecret.Show()
		}
	}
	switch env := oauth.Environment(p.Environment); {
	case env == oauth.Demo || env == "":
		pd.EnvRadio.SetSelected(envDemo)
	case env.IsProduction():
		pd.EnvRadio.SetSelected(envProduction)
	default:
		pd.EnvRadio.SetSelected(envCustom)
		pd.CustomURLEntry.SetText(p.Environment)
	}
	ports := p.Ports
	if len(ports) == 0 {
		ports = oauth.DefaultPorts
	}
	strs := make([]string, len(ports))
	for i, port := range ports {
		strs[i] = strconv.Itoa(port)
	}
	pd.PortsEntry.SetText(strings.Join(strs, ", "))
	scopes := p.Scopes
	if len(scopes) == 0 {
		scopes = oauth.DefaultScopes
	}
	pd.ScopesEntry.SetText(strings.Join(slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == oauth.ScopeExtended }), " "))
	pd.ExtendedCheck.SetChecked(slices.Contains(scopes, oauth.ScopeExtended))
	if pd.ExtendedCheck.Checked {
		pd.ExtendedWarning.Hide()
	}
	pd.updateRedirects()
}

// updateRedirects lists the redirect URIs for the ports typed so far.
func (pd *profileDialog) updateRedirects() {
	pd.RedirectBox.RemoveAll()
	ports, err := parsePorts(pd.PortsEntry.Text)
	if err != nil {
		return
	}
	for _, p := range ports {
		pd.RedirectBox.Add(pd.m.copyRow("", oauth.RedirectURI(p)))
	}
}

// input collects the form's raw values.
func (pd *profileDialog) input() ProfileForm {
	env := "demo"
	switch pd.EnvRadio.Selected {
	case envProduction:
		env = "production"
	case envCustom:
		env = pd.CustomURLEntry.Text
		if strings.TrimSpace(env) == "" {
			env = "(empty custom URL)" // never silently becomes demo
		}
	}
	return ProfileForm{
		Name:           pd.NameEntry.Text,
		IntegrationKey: pd.KeyEntry.Text,
		Environment:    env,
		Ports:          pd.PortsEntry.Text,
		Scopes:         pd.ScopesEntry.Text,
		Extended:       pd.ExtendedCheck.Checked,
	}
}

// submit validates and saves; on failure the reason stays in the form.
func (pd *profileDialog) submit() {
	p, err := ValidateProfileForm(pd.input())
	if err == nil && pd.existing == nil && pd.m.profileExists(p.Name) {
		err = fmt.Errorf("a profile named %q already exists", p.Name)
	}
	if err == nil {
		err = validateWithStorage(p)
	}
	if err != nil {
		setShown(pd.ErrorLabel, "Not saved: "+err.Error(), true)
		return
	}
	secret := pd.SecretEntry.Text
	if pd.existing != nil {
		p.RefreshLifetime = pd.existing.RefreshLifetime
		p.Demo = pd.existing.Demo
		p.HasSecret = pd.existing.HasSecret && !pd.ForgetSecret.Checked
	}
	if secret != "" {
		p.HasSecret = true
	}
	if err := pd.m.profiles.Save(p, secret); err != nil {
		setShown(pd.ErrorLabel, "Not saved: "+err.Error(), true)
		return
	}
	pd.SecretEntry.SetText("")
	if pd.dlg != nil {
		pd.dlg.Hide()
	}
	m := pd.m
	if p.Name == m.profile {
		m.profile = "" // force a fresh session for the edited profile
	}
	m.reloadProfiles(p.Name)
	m.setNotice("Profile " + p.Name + " saved.")
}

func (m *MainWindow) profileExists(name string) bool {
	for _, p := range m.profiles.List() {
		if p.Name == name {
			return true
		}
	}
	return false
}

// confirmRemoveProfile asks, then removes the current profile.
func (m *MainWindow) confirmRemoveProfile() {
	name := m.profile
	if name == "" {
		return
	}
	d := dialog.NewConfirm("Remove profile "+name+"?",
		"Token Desk forgets this profile, its tokens and its client secret on this computer.\n"+
			"Consent at DocuSign stays until you revoke it under Profile > Connected Apps.",
		func(ok bool) {
			m.confirmDialog = nil
			if !ok {
				return
			}
			if err := m.profiles.Remove(name); err != nil {
				dialog.ShowError(err, m.win)
				return
			}
			m.reloadProfiles("")
			m.setNotice("Profile " + name + " removed.")
		}, m.win)
	d.SetConfirmText("Remove")
	m.confirmDialog = d
	d.Show()
}
