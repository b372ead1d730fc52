package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

const goodKey = "1a2b3c4d-0000-1111-2222-333344445555"

func goodForm() ProfileForm {
	return ProfileForm{Name: "acme-prod", IntegrationKey: goodKey, Environment: "production", Ports: "8765, 8766", Scopes: "signature", Extended: true}
}

func TestValidateProfileForm(t *testing.T) {
	p, err := ValidateProfileForm(goodForm())
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "acme-prod" || p.Environment != "production" || p.IntegrationKey != goodKey ||
		len(p.Ports) != 2 || p.Ports[1] != 8766 || strings.Join(p.Scopes, " ") != "signature extended" {
		t.Errorf("profile = %+v", p)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*ProfileForm)
		reason string
	}{
		{"empty name", func(f *ProfileForm) { f.Name = "" }, "name is required"},
		{"bad name", func(f *ProfileForm) { f.Name = "acme prod/1" }, "is not valid: use 1 to 64 letters"},
		{"bad key", func(f *ProfileForm) { f.IntegrationKey = "not-a-guid" }, "is not a GUID like"},
		{"no key", func(f *ProfileForm) { f.IntegrationKey = " " }, "integration key is required"},
		{"bad url", func(f *ProfileForm) { f.Environment = "ftp://example.com" }, "is not demo, production or an http(s) base URL"},
		{"url with query", func(f *ProfileForm) { f.Environment = "https://example.com/?a=b" }, "must not carry"},
		{"no ports", func(f *ProfileForm) { f.Ports = "" }, "at least one redirect port is required"},
		{"port text", func(f *ProfileForm) { f.Ports = "8765, http" }, `port "http" is not a number`},
		{"port range", func(f *ProfileForm) { f.Ports = "80" }, "redirect port 80 is not between 1024 and 65535"},
		{"port twice", func(f *ProfileForm) { f.Ports = "8765 8765" }, "port 8765 is listed twice"},
		{"no scopes", func(f *ProfileForm) { f.Scopes = "extended" }, "at least one scope is required"},
		{"bad scope", func(f *ProfileForm) { f.Scopes = "signature Bad!" }, `scope "Bad!" is not valid`},
	} {
		f := goodForm()
		tc.mutate(&f)
		_, err := ValidateProfileForm(f)
		if err == nil || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.reason)
		}
	}
	f := goodForm()
	f.Extended = false
	f.Environment = "https://account.example.com/"
	p, err = ValidateProfileForm(f)
	if err != nil || strings.Join(p.Scopes, " ") != "signature" || p.Environment != "https://account.example.com" {
		t.Errorf("custom, non-extended: %+v, %v", p, err)
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
	// Defaults: demo, default ports with their redirect URIs, extended on.
	if pd.EnvRadio.Selected != envDemo || pd.PortsEntry.Text != "8765, 8766, 8767" || !pd.ExtendedCheck.Checked || pd.ExtendedWarning.Visible() {
		t.Fatalf("defaults: env %q ports %q extended %v", pd.EnvRadio.Selected, pd.PortsEntry.Text, pd.ExtendedCheck.Checked)
	}
	uris := strings.Join(labelTexts(pd.RedirectBox), " ")
	assertContains(t, "redirect URIs", uris, "http://127.0.0.1:8765/callback")
	assertContains(t, "redirect URIs", uris, "http://127.0.0.1:8767/callback")
	test.Tap(findButtons(pd.RedirectBox)[0])
	if got := h.app.Clipboard().Content(); got != "http://127.0.0.1:8765/callback" {
		t.Errorf("copied redirect URI = %q", got)
	}

	test.Type(pd.NameEntry, "acme")
	if err := pd.NameEntry.Validate(); err == nil || !strings.Contains(err.Error(), `"acme" already exists`) {
		t.Errorf("duplicate name accepted: %v", err)
	}
	pd.NameEntry.SetText("acme-prod")
	pd.KeyEntry.SetText("1234")
	if err := pd.KeyEntry.Validate(); err == nil {
		t.Error("bad key accepted by the entry")
	}
	pd.submit()
	if !pd.ErrorLabel.Visible() || !strings.Contains(pd.ErrorLabel.Text, "Not saved: integration key \"1234\" is not a GUID") {
		t.Fatalf("error label = %q", pd.ErrorLabel.Text)
	}
	pd.KeyEntry.SetText(goodKey)
	pd.PortsEntry.SetText("8765, 99999")
	if len(pd.RedirectBox.Objects) != 0 {
		t.Error("redirect URIs listed for invalid ports")
	}
	pd.submit()
	assertContains(t, "error", pd.ErrorLabel.Text, "redirect port 99999 is not between 1024 and 65535")
	pd.PortsEntry.SetText("9100")
	pd.EnvRadio.SetSelected(envCustom)
	pd.CustomURLEntry.SetText("localhost:9000")
	if err := pd.CustomURLEntry.Validate(); err == nil {
		t.Error("bad custom URL accepted by the entry")
	}
	pd.submit()
	assertContains(t, "error", pd.ErrorLabel.Text, "not demo, production or an http(s) base URL")
	if len(h.profiles.saved) != 0 {
		t.Fatal("invalid profile saved")
	}

	pd.CustomURLEntry.SetText("http://127.0.0.1:9000")
	pd.ExtendedCheck.SetChecked(false)
	if !pd.ExtendedWarning.Visible() || !strings.Contains(pd.ExtendedWarning.Text, "hard-stop 30 days after login") {
		t.Error("no warning when extended is switched off")
	}
	pd.SecretEntry.SetText("s3cret")
	pd.submit()
	if len(h.profiles.saved) != 1 {
		t.Fatalf("saved %d profiles (error %q)", len(h.profiles.saved), pd.ErrorLabel.Text)
	}
	got := h.profiles.saved[0]
	if got.Name != "acme-prod" || got.Environment != "http://127.0.0.1:9000" || !got.HasSecret || h.profiles.secrets[0] != "s3cret" ||
		strings.Join(got.Scopes, " ") != "signature" || got.Ports[0] != 9100 {
		t.Errorf("saved %+v secret %q", got, h.profiles.secrets[0])
	}
	if m.profile != "acme-prod" || m.envBadge.text.Text != "127.0.0.1:9000" {
		t.Errorf("window shows %q / %q after save", m.profile, m.envBadge.text.Text)
	}
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
	pd.EnvRadio.SetSelected(envProduction)
	pd.submit()
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
	if m.profile != "" || m.StateLabel.Text != "Signed out" || m.envBadge.text.Text != "NO PROFILE" {
		t.Errorf("after removing the last profile: %q %q %q", m.profile, m.StateLabel.Text, m.envBadge.text.Text)
	}
	_ = storage.Profile{}
}

func TestProfileFormAppliesStorageRules(t *testing.T) {
	h := newHarness(t, signedOut())
	test.Tap(h.m.AddProfileButton)
	pd := h.m.profileDialog
	pd.NameEntry.SetText("many-ports")
	pd.KeyEntry.SetText(goodKey)
	pd.PortsEntry.SetText("9001 9002 9003 9004 9005 9006")
	pd.submit()
	assertContains(t, "error", pd.ErrorLabel.Text, "at most 5 are allowed")
	if len(h.profiles.saved) != 0 {
		t.Fatal("saved a profile storage refuses")
	}
}
