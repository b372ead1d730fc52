package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/keeper"
	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// envCustom is the form's choice for an account server given by URL.
const envCustom = "Custom URL"

// profileFormSize is the form's size when the window has room for it.
var profileFormSize = fyne.NewSize(640, 620)

// profileDialog is the add/edit profile form. Its fields scroll; the
// Save and Cancel buttons and the summary of what is wrong stay below them,
// always in view.
type profileDialog struct {
	m        *MainWindow
	existing *storage.Profile
	dlg      dialog.Dialog
	envs     []envChoice
	// shown marks the fields whose message is shown: edited ones, and all
	// of them after a Save attempt.
	shown map[string]bool

	NameEntry       *formEntry
	KeyEntry        *formEntry
	SecretEntry     *formEntry
	ForgetSecret    *widget.Check
	EnvRadio        *widget.RadioGroup
	EnvHelp         *widget.Label
	CustomURLEntry  *formEntry
	PortsEntry      *formEntry
	RedirectBox     *fyne.Container
	ScopesEntry     *formEntry
	ExtendedCheck   *widget.Check
	ExtendedWarning *widget.Label
	// FieldErrors holds each validated field's message, under the field.
	FieldErrors  map[string]*widget.Label
	ErrorLabel   *widget.Label
	SaveButton   *widget.Button
	CancelButton *widget.Button
	Form         *widget.Form
	content      fyne.CanvasObject
}

// showProfileForm opens the profile form, empty for a new profile or filled
// from existing.
func (m *MainWindow) showProfileForm(existing *storage.Profile) {
	pd := m.newProfileDialog(existing)
	title := "Add profile"
	if existing != nil {
		title = "Edit profile " + existing.Name
	}
	pd.dlg = dialog.NewCustomWithoutButtons(title, pd.content, m.win)
	pd.dlg.Resize(fitInWindow(m.win, profileFormSize))
	pd.dlg.SetOnClosed(func() {
		if m.profileDialog == pd {
			m.profileDialog = nil
		}
	})
	m.profileDialog = pd
	pd.dlg.Show()
}

// fitInWindow returns want, shrunk so that a dialog of that size (with its
// border) fits inside the window.
func fitInWindow(win fyne.Window, want fyne.Size) fyne.Size {
	c := win.Canvas().Size()
	if c.Width <= 0 || c.Height <= 0 {
		return want
	}
	margin := 4 * theme.Padding() // the dialog's shadow and inner padding
	return fyne.NewSize(min(want.Width, c.Width-2*margin), min(want.Height, c.Height-2*margin))
}

func (m *MainWindow) newProfileDialog(existing *storage.Profile) *profileDialog {
	pd := &profileDialog{m: m, existing: existing, envs: envChoices(), shown: map[string]bool{},
		FieldErrors: map[string]*widget.Label{}}
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }
	hint := func(text string) *widget.Label {
		l := wrap(widget.NewLabel(text))
		l.SizeName = theme.SizeNameCaptionText
		return l
	}
	entry := func(field, placeholder string) *formEntry {
		e := newFormEntry(pd.cancel)
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(string) { pd.edited(field) }
		return e
	}
	for _, f := range formFields {
		l := wrap(widget.NewLabel(""))
		l.Importance = widget.DangerImportance
		l.Hide()
		pd.FieldErrors[f] = l
	}

	pd.NameEntry = entry(fieldName, "e.g. acme-prod")
	pd.KeyEntry = entry(fieldKey, "integration key (GUID) from Apps and Keys")
	pd.SecretEntry = newFormPasswordEntry(pd.cancel)
	pd.SecretEntry.SetPlaceHolder("optional: empty means a public client (PKCE only)")
	pd.ForgetSecret = widget.NewCheck("Forget the stored client secret", nil)
	pd.ForgetSecret.Hide()

	pd.CustomURLEntry = entry(fieldEnvironment, "https://account.example.com")
	pd.CustomURLEntry.Hide()
	pd.EnvHelp = hint("")
	choices := make([]string, 0, len(pd.envs)+1)
	for _, e := range pd.envs {
		choices = append(choices, e.choice)
	}
	pd.EnvRadio = widget.NewRadioGroup(append(choices, envCustom), func(sel string) {
		setShown(pd.EnvHelp, pd.envHelp(sel), true)
		if sel == envCustom {
			pd.CustomURLEntry.Show()
		} else {
			pd.CustomURLEntry.Hide()
		}
		pd.edited(fieldEnvironment)
	})
	pd.EnvRadio.Horizontal = true
	pd.EnvRadio.Required = true

	pd.PortsEntry = entry(fieldPorts, "e.g. 8765, 8766")
	pd.RedirectBox = container.NewVBox()

	pd.ScopesEntry = entry(fieldScopes, "signature")
	pd.ExtendedWarning = wrap(widget.NewLabel("Without extended, the session hard-stops 30 days after login: " +
		"refreshes cannot extend it and you must log in again."))
	pd.ExtendedWarning.Importance = widget.WarningImportance
	pd.ExtendedCheck = widget.NewCheck("extended (recommended)", func(on bool) {
		setShown(pd.ExtendedWarning, pd.ExtendedWarning.Text, !on)
	})
	pd.ErrorLabel = wrap(widget.NewLabel(""))
	pd.ErrorLabel.Importance = widget.DangerImportance
	pd.ErrorLabel.Hide()

	pd.fill(existing)

	field := func(w fyne.CanvasObject, name string, help ...fyne.CanvasObject) fyne.CanvasObject {
		objs := append([]fyne.CanvasObject{w}, help...)
		if l := pd.FieldErrors[name]; l != nil {
			objs = append(objs, l)
		}
		return container.NewVBox(objs...)
	}
	pd.Form = widget.NewForm(
		widget.NewFormItem("Name", field(pd.NameEntry, fieldName, hint("letters, digits, '.', '_' or '-'"))),
		widget.NewFormItem("Integration key", field(pd.KeyEntry, fieldKey)),
		widget.NewFormItem("Client secret", field(pd.SecretEntry, "", pd.ForgetSecret,
			hint("stored in the system keyring, never in the config file"))),
		widget.NewFormItem("Environment", field(pd.EnvRadio, fieldEnvironment, pd.EnvHelp, pd.CustomURLEntry)),
		widget.NewFormItem("Redirect ports", field(pd.PortsEntry, fieldPorts,
			hint("tried in order; register each of these redirect URIs on the integration key (Apps and Keys):"), pd.RedirectBox)),
		widget.NewFormItem("Scopes", field(pd.ScopesEntry, fieldScopes,
			hint("space-separated; extended is the box below"), pd.ExtendedCheck,
			hint("keeps the session alive: each refresh gives the refresh token a fresh 30 days"), pd.ExtendedWarning)),
	)
	pd.SaveButton = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), pd.submit)
	pd.SaveButton.Importance = widget.HighImportance
	pd.CancelButton = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), pd.cancel)
	buttons := container.NewHBox(layout.NewSpacer(), pd.CancelButton, pd.SaveButton)
	pd.content = container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), pd.ErrorLabel, buttons), nil, nil,
		container.NewVScroll(pd.Form))
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
			pd.SecretEntry.SetPlaceHolder("a secret is stored: leave empty to keep it")
			pd.ForgetSecret.Show()
		}
	}
	env, _ := oauth.ParseEnvironment(p.Environment)
	sel := envCustom
	for _, e := range pd.envs {
		if e.env == env {
			sel = e.choice
		}
	}
	if sel == envCustom {
		pd.CustomURLEntry.SetText(p.Environment)
	}
	pd.EnvRadio.SetSelected(sel)
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
	setShown(pd.ExtendedWarning, pd.ExtendedWarning.Text, !pd.ExtendedCheck.Checked)
	pd.shown = map[string]bool{} // filling is not editing: no messages yet
	pd.validate()
}

// envHelp describes the selected environment choice.
func (pd *profileDialog) envHelp(sel string) string {
	for _, e := range pd.envs {
		if e.choice == sel {
			return e.help
		}
	}
	return "an account server given by its base URL: https, or http to this computer (127.0.0.1, ::1 or localhost)"
}

// edited shows the field's message from now on and re-checks the form.
func (pd *profileDialog) edited(field string) {
	pd.shown[field] = true
	pd.validate()
}

// input collects the form's raw values.
func (pd *profileDialog) input() ProfileForm {
	env := ""
	for _, e := range pd.envs {
		if e.choice == pd.EnvRadio.Selected {
			env = string(e.env)
		}
	}
	if pd.EnvRadio.Selected == envCustom {
		env = strings.TrimSpace(pd.CustomURLEntry.Text) // empty: validate refuses it
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

// validate checks every field, shows the messages of the fields that are
// shown, lists the redirect URIs of valid ports, and returns the profile.
func (pd *profileDialog) validate() (storage.Profile, FormErrors) {
	p, errs := ValidateProfileForm(pd.input())
	if pd.existing == nil && errs[fieldName] == nil && pd.m.profileExists(p.Name) {
		errs[fieldName] = fmt.Errorf("a profile named %q already exists; choose another name, or edit that profile", p.Name)
	}
	if pd.EnvRadio.Selected == envCustom && strings.TrimSpace(pd.CustomURLEntry.Text) == "" {
		errs[fieldEnvironment] = fmt.Errorf("enter the account server's base URL, such as https://account.example.com")
	}
	for _, f := range formFields {
		err := errs[f]
		text := ""
		if err != nil {
			text = errText(err)
		}
		setShown(pd.FieldErrors[f], text, err != nil && pd.shown[f])
	}
	pd.RedirectBox.RemoveAll()
	if errs[fieldPorts] == nil {
		for _, port := range p.RedirectPorts() { // no ports: the defaults
			pd.RedirectBox.Add(pd.m.copyRow("", oauth.RedirectURI(port)))
		}
	}
	if errs.First() == nil {
		setShown(pd.ErrorLabel, "", false)
	}
	return p, errs
}

// submit validates and saves; on failure every invalid field says why and
// the form stays open.
func (pd *profileDialog) submit() {
	for _, f := range formFields {
		pd.shown[f] = true
	}
	p, errs := pd.validate()
	if err := errs.First(); err != nil {
		summary := "Not saved: " + errText(err)
		if n := len(errs); n > 1 {
			summary = fmt.Sprintf("Not saved: %d fields need a fix, marked above. First: %s", n, errText(err))
		}
		pd.showSummary(summary)
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
	notice, err := pd.m.profiles.Save(p, secret)
	if err != nil {
		pd.showSummary("Not saved: " + errText(err))
		return
	}
	pd.SecretEntry.SetText("")
	pd.close()
	m := pd.m
	if p.Name == m.profile {
		m.profile = "" // force a fresh session for the edited profile
	}
	m.reloadProfiles(p.Name)
	if notice == "" {
		m.setNotice("Profile " + p.Name + " saved.")
		return
	}
	// The session ended: the notice says why, and it still holds when the
	// keeper publishes the signed-out state that follows.
	m.setNotice(notice)
	m.noticeHoldsFor = keeper.SignedOut
}

// showSummary shows what stops the save next to the buttons.
func (pd *profileDialog) showSummary(text string) {
	setShown(pd.ErrorLabel, text, true)
	if pd.content != nil {
		// The bar below the fields grew. A wrapped label knows its height
		// only once it has its width, so lay out twice.
		pd.content.Refresh()
		pd.content.Refresh()
	}
}

// cancel closes the form without saving (Cancel, Escape).
func (pd *profileDialog) cancel() {
	pd.SecretEntry.SetText("")
	pd.close()
}

func (pd *profileDialog) close() {
	if pd.dlg != nil {
		pd.dlg.Hide()
	}
	if pd.m.profileDialog == pd {
		pd.m.profileDialog = nil
	}
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
	m.confirmDialog = m.confirm("Remove profile "+name+"?",
		"Token Desk forgets this profile, its tokens and its client secret on this computer.\n"+
			"Consent at DocuSign stays until you revoke it under Profile > Connected Apps.",
		"Remove", "Cancel",
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
		})
}
