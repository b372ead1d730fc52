package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tokendesk/tokendesk/agent"
	"github.com/tokendesk/tokendesk/autostart"
	"github.com/tokendesk/tokendesk/oauth/sandbox"
	"github.com/tokendesk/tokendesk/storage"
)

// syncBuffer is a bytes.Buffer safe for a process's output and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// withoutDisplay drops the display variables from an environment.
func withoutDisplay(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			out = append(out, kv)
		}
	}
	return out
}

// agentProc is a running `tokendesk agent`.
type agentProc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan error
}

// startAgent starts `tokendesk agent` with no display and waits until its
// endpoint answers.
func (d *deskEnv) startAgent(extraEnv ...string) *agentProc {
	d.t.Helper()
	c := d.cmd(context.Background(), "agent")
	c.Env = append(withoutDisplay(c.Env), extraEnv...)
	a := &agentProc{cmd: c, stderr: &syncBuffer{}, done: make(chan error, 1)}
	c.Stderr, c.Stdout = a.stderr, a.stderr
	if err := c.Start(); err != nil {
		d.t.Fatal(err)
	}
	go func() { a.done <- c.Wait() }()
	d.t.Cleanup(func() {
		_ = c.Process.Kill()
		<-a.done
		d.outputs = append(d.outputs, a.stderr.String())
	})
	cl := agent.NewClient(agent.DefaultEndpoint(d.dir))
	for i := 0; ; i++ {
		info, err := cl.Ping(context.Background())
		if err == nil && info.PID == c.Process.Pid {
			return a
		}
		if i > 100 {
			d.t.Fatalf("the agent never answered: %v; stderr: %s", err, a.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// setLead makes the keepers refresh only 1 ms before expiry, so a running
// agent never refreshes by itself during a test.
func (d *deskEnv) setLead() {
	d.t.Helper()
	err := storage.Open(d.dir).Update(context.Background(), func(c *storage.Config) error {
		c.Settings.RefreshLead = storage.Duration(time.Millisecond)
		return nil
	})
	if err != nil {
		d.t.Fatal(err)
	}
}

// TestAgentServesScripts: `tokendesk agent` with no display serves 20
// concurrent token calls on a token due for refresh with exactly one
// refresh; status reports it; after kill -9 the CLI falls back to the
// direct path, and the next agent replaces the stale socket; SIGTERM stops
// it cleanly. No token appears in its output, arguments or environment.
func TestAgentServesScripts(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true, AccessTTL: 16 * time.Second})
	d.addProfile()
	d.login()
	loggedIn := time.Now()
	d.setLead()
	a := d.startAgent()
	ep := agent.DefaultEndpoint(d.dir)
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{ep.Dir, 0o700}, {ep.Address, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil || fi.Mode().Perm() != c.want {
			t.Fatalf("%s: %v mode %v, want %o", c.path, err, fi.Mode().Perm(), c.want)
		}
	}

	// --min-valid is capped at half the token's lifetime (8 s): 9 s after
	// the login the token needs a refresh, whose new token (16 s) satisfies
	// everyone arriving within 8 s. The agent's own schedule (1 ms before
	// expiry) does not refresh meanwhile.
	time.Sleep(time.Until(loggedIn.Add(9 * time.Second)))
	before := d.srv.Stats()
	// The clients cannot reach the keyring: only the agent can answer them.
	d.extraEnv = []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
	results := make([]result, 20)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = d.run("token", "--min-valid", "8s")
		}()
	}
	close(start)
	wg.Wait()
	after := d.srv.Stats()
	d.extraEnv = nil
	tok := strings.TrimSpace(results[0].stdout)
	for i, r := range results {
		if r.code != 0 || strings.TrimSpace(r.stdout) != tok || tok == "" {
			_ = a.cmd.Process.Signal(syscall.SIGQUIT)
			time.Sleep(time.Second)
			t.Fatalf("process %d: exit %d, stdout %d bytes, stderr %q; agent: %s", i, r.code, len(r.stdout), r.stderr, a.stderr.String())
		}
	}
	if n := after.Refreshes - before.Refreshes; n != 1 || after.RefreshRejected != before.RefreshRejected {
		t.Fatalf("sandbox saw %d refreshes and %d rejections, want exactly 1 and 0", n, after.RefreshRejected-before.RefreshRejected)
	}

	r := d.run("status", "--json")
	var st struct {
		State       string      `json:"state"`
		KeptAliveBy *agent.Info `json:"kept_alive_by"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || r.code != 0 {
		t.Fatalf("status --json: %v %+v", err, r)
	}
	if st.KeptAliveBy == nil || st.KeptAliveBy.Kind != "agent" || st.KeptAliveBy.PID != a.cmd.Process.Pid || st.State != "valid" {
		t.Fatalf("status --json with the agent running: %s", r.stdout)
	}
	if r := d.run("status"); r.code != 0 || !strings.Contains(r.stdout, "Kept alive by:") || !strings.Contains(r.stdout, "tokendesk agent") {
		t.Fatalf("human status: %+v", r)
	}

	// Nothing secret in the agent's arguments, environment or output.
	access, refresh := d.secrets()
	for _, f := range []string{"cmdline", "environ"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", a.cmd.Process.Pid, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{tok, access, refresh} {
			if bytes.Contains(b, []byte(s)) {
				t.Fatalf("a token is in the agent's %s", f)
			}
		}
	}

	// kill -9: the socket stays behind; token falls back quickly.
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.done
	a.done <- nil // for the cleanup
	if _, err := os.Stat(ep.Address); err != nil {
		t.Fatalf("no stale socket after SIGKILL: %v", err)
	}
	t0 := time.Now()
	r = d.run("token")
	if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("token after the agent was killed: %+v", r)
	}
	t.Logf("token with a stale socket, direct path: %v", time.Since(t0))
	r = d.run("status", "--json")
	if !strings.Contains(r.stdout, `"kept_alive_by": null`) {
		t.Fatalf("status --json with no agent: %s", r.stdout)
	}
	if r := d.run("status"); !strings.Contains(r.stdout, "NOTHING") || !strings.Contains(r.stdout, "it dies on") {
		t.Fatalf("human status with no agent does not warn: %s", r.stdout)
	}

	// The next agent replaces the stale socket, and stops cleanly on SIGTERM.
	b := d.startAgent()
	if r := d.run("token"); r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("token from the second agent: %+v", r)
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.done:
		b.done <- nil
		if err != nil || !strings.Contains(b.stderr.String(), "stopped") {
			t.Fatalf("agent after SIGTERM: %v; stderr: %s", err, b.stderr.String())
		}
	case <-time.After(20 * time.Second):
		_ = b.cmd.Process.Signal(syscall.SIGQUIT)
		time.Sleep(time.Second)
		t.Fatalf("the agent did not stop on SIGTERM: %s", b.stderr.String())
	}
	if _, err := os.Stat(ep.Address); !os.IsNotExist(err) {
		t.Fatalf("socket left after a clean stop: %v", err)
	}
	d.outputs = append(d.outputs, a.stderr.String(), b.stderr.String())
	na, nr := d.secrets()
	d.scanForSecrets(tok, access, refresh, na, nr)
}

// TestAgentRefusesOtherUser: a client running as another user reaches the
// socket (its directory opened up for this test only) and is refused and
// logged, with no token; TOKENDESK_NO_AGENT=1 skips the agent entirely.
func TestAgentRefusesOtherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	d := newDesk(t, sandbox.Options{AutoAccept: true})
	d.addProfile()
	d.login()
	// A runtime dir nobody can traverse to (0711), with the binary copied in.
	rt, err := os.MkdirTemp("", "tdrt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	bin := filepath.Join(rt, "td-bin")
	copyFile(t, os.Args[0], bin)
	for _, p := range []string{rt, bin} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rtEnv := "XDG_RUNTIME_DIR=" + rt
	t.Setenv("XDG_RUNTIME_DIR", rt) // this process's clients find the same endpoint
	a := d.startAgent(rtEnv)
	ep := agent.DefaultEndpoint(d.dir)
	if err := os.Chmod(ep.Dir, 0o711); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(ep.Address, 0o666); err != nil {
		t.Fatal(err)
	}
	// nobody can't read d.dir either: give it the socket path by name.
	c := exec.Command(bin, "token")
	c.Env = []string{"TOKENDESK_BE_MAIN=1", "TOKENDESK_CONFIG_DIR=" + d.dir, rtEnv, "HOME=/nonexistent", "PATH=/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	_ = c.Run()
	access, refresh := d.secrets()
	if out.Len() != 0 || strings.Contains(errb.String(), access) {
		t.Fatalf("the other user got output: stdout %d bytes, stderr %q", out.Len(), errb.String())
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(a.stderr.String(), "refused a connection from user 65534") {
		if time.Now().After(deadline) {
			t.Fatalf("the agent did not log the refusal; its stderr: %s; client stderr: %s", a.stderr.String(), errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, s := range []string{access, refresh} {
		if strings.Contains(a.stderr.String(), s) {
			t.Fatal("the refusal log holds a token")
		}
	}
	// The owner is still served; TOKENDESK_NO_AGENT=1 takes the direct path.
	if r := d.run("status", "--json"); !strings.Contains(r.stdout, `"kind": "agent"`) {
		t.Fatalf("status via the agent: %s", r.stdout)
	}
	d.extraEnv = append(d.extraEnv, "TOKENDESK_NO_AGENT=1", rtEnv)
	if r := d.run("status", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"kind": "agent"`) {
		// kept_alive_by still names the agent: the direct path asks who runs.
		t.Fatalf("status with TOKENDESK_NO_AGENT=1: %+v", r)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// closeWindowC sends WM_DELETE_WINDOW to a window, as a window manager's
// close button does (Xvfb has no window manager).
const closeWindowC = `#include <X11/Xlib.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	Display *d = XOpenDisplay(NULL);
	if (!d || argc != 2) return 2;
	Window w = (Window)strtoul(argv[1], NULL, 0);
	XEvent ev = {0};
	ev.xclient.type = ClientMessage;
	ev.xclient.window = w;
	ev.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
	ev.xclient.format = 32;
	ev.xclient.data.l[0] = XInternAtom(d, "WM_DELETE_WINDOW", False);
	ev.xclient.data.l[1] = CurrentTime;
	XSendEvent(d, w, False, NoEventMask, &ev);
	XFlush(d);
	XCloseDisplay(d);
	return 0;
}
`

// visibleWindows returns the ids of the visible windows named Token Desk.
func visibleWindows() []string {
	out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Token Desk").Output()
	return strings.Fields(string(out))
}

// TestWindowClosedWithoutTrayKeepsRefreshing: with no tray host, closing
// the window hides it and the keepers keep refreshing on schedule; a second
// `tokendesk` shows and raises it and exits 0.
func TestWindowClosedWithoutTrayKeepsRefreshing(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("needs a display: run under scripts/with-session.sh")
	}
	for _, tool := range []string{"xdotool", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	d := newDesk(t, sandbox.Options{AutoAccept: true, AccessTTL: 8 * time.Second})
	closer := filepath.Join(t.TempDir(), "closewin")
	src := closer + ".c"
	if err := os.WriteFile(src, []byte(closeWindowC), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-o", closer, src, "-lX11").CombinedOutput(); err != nil {
		t.Skipf("cannot build the X client: %v %s", err, out)
	}
	d.addProfile()
	d.login()
	// Refresh 5 s before expiry: every ~3 s.
	err := storage.Open(d.dir).Update(context.Background(), func(c *storage.Config) error {
		c.Settings.RefreshLead = storage.Duration(5 * time.Second)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := d.cmd(context.Background())
	errb := &syncBuffer{}
	c.Stdout, c.Stderr = errb, errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	defer func() {
		_ = c.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
	}()
	cl := agent.NewClient(agent.DefaultEndpoint(d.dir))
	var wins []string
	for i := 0; ; i++ {
		info, err := cl.Ping(context.Background())
		wins = visibleWindows()
		if err == nil && info.Kind == agent.KindWindow && len(wins) > 0 {
			break
		}
		if i > 300 {
			t.Fatalf("the window never came up: %v %v; output: %s", err, wins, errb.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out, err := exec.Command(closer, wins[0]).CombinedOutput(); err != nil {
		t.Fatalf("close the window: %v %s", err, out)
	}
	for i := 0; len(visibleWindows()) > 0; i++ {
		if i > 50 {
			t.Fatal("the window did not hide on close")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Still running, still refreshing on schedule.
	before := d.srv.Stats().Refreshes
	deadline := time.Now().Add(15 * time.Second)
	for d.srv.Stats().Refreshes == before {
		select {
		case err := <-done:
			t.Fatalf("closing the window without a tray quit the app: %v; output: %s", err, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no refresh within 15 s of closing the window; output: %s", errb.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := d.run("status", "--json"); !strings.Contains(r.stdout, `"kind": "window"`) {
		t.Fatalf("status --json does not name the window: %s", r.stdout)
	}
	// A second tokendesk raises the first and exits 0.
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := d.cmd(sctx).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "brought to the front") {
		t.Fatalf("second tokendesk: %v %s", err, out)
	}
	for i := 0; len(visibleWindows()) == 0; i++ {
		if i > 50 {
			t.Fatal("the second tokendesk did not show the window")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAutostartEntry: `autostart on|status|off` with the real binary after a
// login: the XDG entry runs this binary's absolute path with --background
// and carries TOKENDESK_CONFIG_DIR; it holds no token; off removes it.
func TestAutostartEntry(t *testing.T) {
	d := newDesk(t, sandbox.Options{AutoAccept: true})
	d.addProfile()
	d.login()
	cfgHome := t.TempDir()
	d.extraEnv = []string{"XDG_CONFIG_HOME=" + cfgHome}
	entry := filepath.Join(cfgHome, "autostart", autostart.AppID+".desktop")
	exe, err := filepath.EvalSymlinks(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	exe, _ = filepath.Abs(exe)
	if r := d.run("autostart", "status"); r.code != 0 || !strings.HasPrefix(r.stdout, "off: no entry at "+entry) {
		t.Fatalf("status before: %+v", r)
	}
	if r := d.run("autostart", "on"); r.code != 0 || !strings.Contains(r.stdout, entry) {
		t.Fatalf("on: %+v", r)
	}
	b, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	got := autostart.ExecArgs(autostart.DesktopExec(string(b)))
	want := []string{"env", "TOKENDESK_CONFIG_DIR=" + d.dir, exe, "--background"}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Fatalf("Exec runs %q, want %q", got, want)
	}
	if r := d.run("autostart", "status"); r.code != 0 || r.stdout != "on: "+entry+"\n" {
		t.Fatalf("status after on: %+v", r)
	}
	access, refresh := d.secrets()
	for _, s := range []string{access, refresh} {
		if strings.Contains(string(b), s) {
			t.Fatal("the autostart entry holds a token")
		}
	}
	if r := d.run("autostart", "off"); r.code != 0 {
		t.Fatalf("off: %+v", r)
	}
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Fatalf("entry after off: %v", err)
	}
}

// TestHandOffToRunningAgent: `tokendesk refresh` (direct path) whose rotated
// refresh token the locked keyring refuses hands it to the running agent
// instead of exiting with the only copy; the agent holds it and saves it once
// the keyring is unlocked, and the session keeps working (issue 11, item 1).
func TestHandOffToRunningAgent(t *testing.T) {
	if !inKeyringChild(t) {
		return
	}
	ss := newSecretService(t)
	d, p := proxiedDesk(t)
	a := d.startAgent()
	p.armed.Store(true)
	d.extraEnv = []string{"TOKENDESK_NO_AGENT=1"} // the refresh runs in the CLI process
	r := d.start("refresh")
	d.extraEnv = nil
	rotated := p.waitHeld(t)
	ss.lock()
	p.release <- struct{}{}
	r.wait(t, 30*time.Second)
	if r.code != 0 {
		t.Fatalf("refresh with a locked keyring and a running agent: exit %d, stderr %q; agent: %s", r.code, r.stderr.String(), a.stderr.String())
	}
	acts, err := os.ReadFile(filepath.Join(d.dir, "activity", "p.jsonl"))
	if err != nil || !strings.Contains(string(acts), `"handed_off"`) {
		t.Fatalf("the activity log does not record the hand-off: %v\n%s", err, acts)
	}
	if st := d.run("status", "--json"); !strings.Contains(st.stdout, `"kind": "agent"`) {
		t.Fatalf("status while the agent holds the token: %+v", st)
	}
	ss.unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, rt := d.secrets(); rt == rotated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent never saved the handed-off refresh token; agent: %s", a.stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	d.assertSessionWorks(rotated)
	d.outputs = append(d.outputs, r.stderr.String())
	d.scanForSecrets(rotated)
}

// TestBackgroundStartsHidden: `tokendesk --background` runs the app and its
// endpoint with no window shown; `tokendesk` then shows it; a second
// --background only says the app runs.
func TestBackgroundStartsHidden(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("needs a display: run under scripts/with-session.sh")
	}
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("needs xdotool")
	}
	d := newDesk(t, sandbox.Options{AutoAccept: true})
	d.addProfile()
	d.login()
	c := d.cmd(context.Background(), "--background")
	out := &syncBuffer{}
	c.Stdout, c.Stderr = out, out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	defer func() {
		_ = c.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
	}()
	cl := agent.NewClient(agent.DefaultEndpoint(d.dir))
	for i := 0; ; i++ {
		if info, err := cl.Ping(context.Background()); err == nil && info.Kind == agent.KindWindow && info.PID == c.Process.Pid {
			break
		}
		if i > 300 {
			t.Fatalf("the background app never answered; output: %s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if w := visibleWindows(); len(w) != 0 {
		t.Fatalf("--background showed a window: %v", w)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if b, err := d.cmd(ctx, "--background").CombinedOutput(); err != nil || !strings.Contains(string(b), "already runs") {
		t.Fatalf("second --background: %v %s", err, b)
	}
	if b, err := d.cmd(ctx).CombinedOutput(); err != nil || !strings.Contains(string(b), "brought to the front") {
		t.Fatalf("tokendesk while the background app runs: %v %s", err, b)
	}
	for i := 0; len(visibleWindows()) == 0; i++ {
		if i > 50 {
			t.Fatal("the window was not shown")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
