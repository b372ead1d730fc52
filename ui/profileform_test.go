package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/oauth"
)

const goodKey = "1a2b3c4d-0000-1111-2222-333344445555"

func goodForm() ProfileForm {
	return ProfileForm{Name: "acme-prod", IntegrationKey: goodKey, Environment: "production", Ports: "8765, 8766", Scopes: "signature", Extended: true}
}

func TestValidateProfileForm(t *testing.T) {
	p, errs := ValidateProfileForm(goodForm())
	if len(errs) != 0 {
		t.Fatal(errs.First())
	}
	if p.Name != "acme-prod" || p.Environment != "production" || p.IntegrationKey != goodKey ||
		len(p.Ports) != 2 || p.Ports[1] != 8766 || strings.Join(p.Scopes, " ") != "signature extended" {
		t.Errorf("profile = %+v", p)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*ProfileForm)
		field  string
		reason string
	}{
		{"empty name", func(f *ProfileForm) { f.Name = "" }, fieldName, "enter a name"},
		{"bad name", func(f *ProfileForm) { f.Name = "acme prod/1" }, fieldName, "is not valid: use 1 to 64 letters"},
		{"bad key", func(f *ProfileForm) { f.IntegrationKey = "not-a-guid" }, fieldKey, "is not a GUID like"},
		{"no key", func(f *ProfileForm) { f.IntegrationKey = " " }, fieldKey, "enter the integration key"},
		{"bad url", func(f *ProfileForm) { f.Environment = "ftp://example.com" }, fieldEnvironment, "is not demo, production or an http"},
		{"url with query", func(f *ProfileForm) { f.Environment = "https://example.com/?a=b" }, fieldEnvironment, "must not carry"},
		{"port text", func(f *ProfileForm) { f.Ports = "8765, http" }, fieldPorts, `"http" is not a number`},
		{"port range", func(f *ProfileForm) { f.Ports = "80" }, fieldPorts, "redirect port 80 is not between 1024 and 65535"},
		{"port twice", func(f *ProfileForm) { f.Ports = "8765;8765" }, fieldPorts, "8765 is listed twice"},
		{"too many ports", func(f *ProfileForm) { f.Ports = "9001 9002 9003 9004 9005 9006" }, fieldPorts, "at most 5 are allowed"},
		{"no scopes", func(f *ProfileForm) { f.Scopes = "extended" }, fieldScopes, "at least one scope"},
		{"bad scope", func(f *ProfileForm) { f.Scopes = "signature Bad!" }, fieldScopes, `scope "Bad!" is not valid`},
	} {
		f := goodForm()
		tc.mutate(&f)
		_, errs := ValidateProfileForm(f)
		if err := errs[tc.field]; err == nil || !strings.Contains(err.Error(), tc.reason) || len(errs) != 1 {
			t.Errorf("%s: errors = %v, want only %s: %q", tc.name, errs, tc.field, tc.reason)
		}
	}
	// Every invalid field is reported, not only the first.
	_, errs = ValidateProfileForm(ProfileForm{Name: "a b", IntegrationKey: "x", Environment: "ftp://x", Ports: "1", Scopes: "B!"})
	for _, f := range formFields {
		if errs[f] == nil {
			t.Errorf("all fields bad: no message for %s", f)
		}
	}
	// No ports means storage's default ports.
	f := goodForm()
	f.Ports = " ,; "
	if p, errs := ValidateProfileForm(f); len(errs) != 0 || p.Ports != nil || len(p.RedirectPorts()) != 3 {
		t.Errorf("empty ports: %v, %v", p.Ports, errs)
	}
	f = goodForm()
	f.Extended = false
	f.Ports = "9100\t9101"
	f.Environment = "https://account.example.com/"
	p, errs = ValidateProfileForm(f)
	if len(errs) != 0 || strings.Join(p.Scopes, " ") != "signature" || p.Environment != "https://account.example.com" || len(p.Ports) != 2 {
		t.Errorf("custom, non-extended, tab-separated: %+v, %v", p, errs)
	}
}

func TestProfileFormRefusesBadInput(t *testing.T) {
	h := newHarness(t, signedOut())
	m := h.m
	test.Tap(m.AddProfileButton)
	pd := m.profileDialog
	if pd == nil {
		t.Fatal("profile form not shown")
	}
	// Defaults: demo, default ports with their redirect URIs, extended on,
	// and no message before anything is typed.
	if pd.EnvRadio.Selected != choiceText(oauth.Demo) || pd.PortsEntry.Text != "8765, 8766, 8767" || !pd.ExtendedCheck.Checked || pd.ExtendedWarning.Visible() {
		t.Fatalf("defaults: env %q ports %q extended %v", pd.EnvRadio.Selected, pd.PortsEntry.Text, pd.ExtendedCheck.Checked)
	}
	for f, l := range pd.FieldErrors {
		if l.Visible() {
			t.Errorf("message for untouched field %s: %q", f, l.Text)
		}
	}
	uris := strings.Join(labelTexts(pd.RedirectBox), " ")
	assertContains(t, "redirect URIs", uris, "http://127.0.0.1:8765/callback")
	assertContains(t, "redirect URIs", uris, "http://127.0.0.1:8767/callback")
	test.Tap(findButtons(pd.RedirectBox)[0])
	if got := h.app.Clipboard().Content(); got != "http://127.0.0.1:8765/callback" {
		t.Errorf("copied redirect URI = %q", got)
	}

	test.Type(pd.NameEntry, "acme")
	assertContains(t, "name message", pd.FieldErrors[fieldName].Text, `"acme" already exists`)
	pd.NameEntry.SetText("acme-prod")
	if pd.FieldErrors[fieldName].Visible() {
		t.Errorf("name message stays after the fix: %q", pd.FieldErrors[fieldName].Text)
	}
	pd.KeyEntry.SetText("1234")
	test.Tap(pd.SaveButton)
	assertContains(t, "key message", pd.FieldErrors[fieldKey].Text, `integration key "1234" is not a GUID`)
	assertContains(t, "summary", pd.ErrorLabel.Text, `Not saved: integration key "1234" is not a GUID`)
	pd.KeyEntry.SetText(goodKey)

	// A bad port list gets a message of its own, not just a red border.
	pd.PortsEntry.SetText("8765, 99999")
	if len(pd.RedirectBox.Objects) != 0 {
		t.Error("redirect URIs listed for invalid ports")
	}
	if l := pd.FieldErrors[fieldPorts]; !l.Visible() || !strings.Contains(l.Text, "redirect port 99999 is not between 1024 and 65535") {
		t.Errorf("ports message = %q (visible %v)", l.Text, l.Visible())
	}
	pd.PortsEntry.SetText("9100")
	pd.EnvRadio.SetSelected(envCustom)
	assertContains(t, "environment message", pd.FieldErrors[fieldEnvironment].Text, "enter the account server's base URL")
	pd.CustomURLEntry.SetText("localhost:9000")
	test.Tap(pd.SaveButton)
	assertContains(t, "environment message", pd.FieldErrors[fieldEnvironment].Text, "not demo, production or an http")
	if len(h.profiles.saved) != 0 {
		t.Fatal("invalid profile saved")
	}

	pd.CustomURLEntry.SetText("http://127.0.0.1:9000")
	pd.ExtendedCheck.SetChecked(false)
	if !pd.ExtendedWarning.Visible() || !strings.Contains(pd.ExtendedWarning.Text, "hard-stops 30 days after login") {
		t.Error("no warning when extended is switched off")
	}
	pd.SecretEntry.SetText("s3cret")
	test.Tap(pd.SaveButton)
	if len(h.profiles.saved) != 1 {
		t.Fatalf("saved %d profiles (error %q)", len(h.profiles.saved), pd.ErrorLabel.Text)
	}
	got := h.profiles.saved[0]
	if got.Name != "acme-prod" || got.Environment != "http://127.0.0.1:9000" || !got.HasSecret || h.profiles.secrets[0] != "s3cret" ||
		strings.Join(got.Scopes, " ") != "signature" || got.Ports[0] != 9100 {
		t.Errorf("saved %+v secret %q", got, h.profiles.secrets[0])
	}
	if m.profile != "acme-prod" || m.profileDialog != nil || topDialog(m) != nil {
		t.Errorf("window shows %q after save; form still open: %v", m.profile, m.profileDialog != nil)
	}
}

// TestProfileFormFitsTheWindow: defect 8.6. At the window's default size,
// at 1024×700 and at 1280×900 with FYNE_SCALE=2 (640×450 logical), the form
// stays inside the window, Save and Cancel stay in view, also with
// extended unticked and every field showing a long message.
func TestProfileFormFitsTheWindow(t *testing.T) {
	for _, tc := range []struct {
		name string
		size fyne.Size
	}{
		{"harness default", fyne.Size{}},
		{"1024x700", fyne.NewSize(1024, 700)},
		{"1280x900 at 2x", fyne.NewSize(640, 450)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, signedOut())
			m := h.m
			if !tc.size.IsZero() {
				m.win.Resize(tc.size)
			}
			canvas := m.win.Canvas().Size()
			test.Tap(m.AddProfileButton)
			pd := m.profileDialog
			pd.ExtendedCheck.SetChecked(false)
			pd.NameEntry.SetText(strings.Repeat("x", 200))
			pd.KeyEntry.SetText(strings.Repeat("not-a-guid-", 20))
			pd.EnvRadio.SetSelected(envCustom)
			pd.CustomURLEntry.SetText("ftp://" + strings.Repeat("very-long-host-name.", 10))
			pd.PortsEntry.SetText("80 81 82")
			pd.ScopesEntry.SetText("NOT/A/SCOPE")
			test.Tap(pd.SaveButton)
			for _, f := range formFields {
				if !pd.FieldErrors[f].Visible() || pd.FieldErrors[f].Text == "" {
					t.Errorf("no message for invalid %s", f)
				}
			}
			assertContains(t, "summary", pd.ErrorLabel.Text, "5 fields need a fix")
			d := h.app.Driver()
			top := topDialog(m)
			if top == nil {
				t.Fatal("form closed")
			}
			for what, o := range map[string]fyne.CanvasObject{"Save": pd.SaveButton, "Cancel": pd.CancelButton, "summary": pd.ErrorLabel} {
				pos, size := d.AbsolutePositionForObject(o), o.Size()
				if !o.Visible() || pos.X < 0 || pos.Y < 0 || pos.X+size.Width > canvas.Width+0.5 || pos.Y+size.Height > canvas.Height+0.5 || size.Height == 0 {
					t.Errorf("%s at %v size %v is not inside the %v window", what, pos, size, canvas)
				}
			}
			content := pd.content
			if w := content.Size().Width; w > canvas.Width || w <= 0 {
				t.Errorf("form content is %v wide in a %v window", w, canvas.Width)
			}
			test.Tap(pd.CancelButton)
			if m.profileDialog != nil || len(h.profiles.saved) != 0 {
				t.Error("Cancel did not close the form, or saved")
			}
		})
	}
}

// TestEscapeClosesDialogsAndLogin: Escape closes the profile form (also
// while typing in a field), the log-out question, and cancels a login.
func TestEscapeClosesDialogsAndLogin(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	m := h.m
	esc := &fyne.KeyEvent{Name: fyne.KeyEscape}
	typed := m.win.Canvas().(test.WindowlessCanvas).OnTypedKey()

	test.Tap(m.AddProfileButton)
	typed(esc)
	if m.profileDialog != nil || topDialog(m) != nil {
		t.Fatal("Escape did not close the profile form")
	}
	test.Tap(m.EditProfileButton)
	pd := m.profileDialog
	pd.KeyEntry.TypedKey(esc) // the cursor is in a field: the entry gets the key
	if m.profileDialog != nil || topDialog(m) != nil || len(h.profiles.saved) != 0 {
		t.Fatal("Escape in a field did not close the form without saving")
	}

	test.Tap(m.LogoutButton)
	typed(esc)
	if topDialog(m) != nil || m.confirmDialog != nil || h.sess.logouts != 0 {
		t.Fatalf("Escape on the log-out question: dialog %v, logouts %d", topDialog(m) != nil, h.sess.logouts)
	}

	onUI(func() { m.startLogin() })
	eventually(t, "login pane", func() bool { return m.loggingIn() })
	onUI(func() { typed(esc) })
	eventually(t, "login cancelled", func() bool { return !m.loggingIn() && m.loginCancel == nil })
}

func TestEditKeepsSecretAndRemove(t *testing.T) {
	h := newHarness(t, validStatus(oauth.Demo))
	h.profiles.profiles[0].HasSecret = true
	h.profiles.profiles[0].Scopes = []string{"signature", "impersonation", "extended"}
	m := h.m
	test.Tap(m.EditProfileButton)
	pd := m.profileDialog
	if !pd.NameEntry.Disabled() || pd.ScopesEntry.Text != "signature impersonation" || !pd.ExtendedCheck.Checked {
		t.Fatalf("edit form: name disabled %v, scopes %q", pd.NameEntry.Disabled(), pd.ScopesEntry.Text)
	}
	pd.EnvRadio.SetSelected(choiceText(oauth.Production))
	test.Tap(pd.SaveButton)
	if len(h.profiles.saved) != 1 || !h.profiles.saved[0].HasSecret || h.profiles.secrets[0] != "" {
		t.Fatalf("edit lost the stored secret: %+v %q", h.profiles.saved, h.profiles.secrets)
	}
	if h.profiles.saved[0].Environment != string(oauth.Production) {
		t.Errorf("environment = %q", h.profiles.saved[0].Environment)
	}

	test.Tap(m.RemoveProfileButton)
	assertContains(t, "dialog", shown(m), "Profile > Connected Apps")
	tapDialogButton(t, m, "Remove")
	if len(h.profiles.removed) != 1 || h.profiles.removed[0] != "acme" {
		t.Fatalf("removed = %v", h.profiles.removed)
	}
	if m.profile != "" {
		t.Errorf("after removing the last profile the window shows %q", m.profile)
	}
}
