// Package testbrowser is a programmatic browser for tests: it opens a
// consent URL, answers the sandbox's consent page the way a person would
// (Accept or Decline), follows the redirect to the loopback callback and
// returns the page the user would end on. It speaks real HTTP over loopback.
package testbrowser

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Decision is what the simulated user clicks on the consent page.
type Decision string

// The two buttons of the consent page.
const (
	Accept  Decision = "accept"
	Decline Decision = "decline"
)

// Page is where the browser ended.
type Page struct {
	URL    string
	Status int
	Body   string
}

var requestID = regexp.MustCompile(`name="request" value="([^"]+)"`)

// Visit opens authURL and follows it to the end, answering a consent page
// with d. The redirect to the loopback callback is followed like a browser
// would, so the callback server sees a real request.
func Visit(ctx context.Context, authURL string, d Decision) (*Page, error) {
	jar := &cookieless{}
	c := &http.Client{Timeout: 30 * time.Second, Jar: jar}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("open the consent URL: %w", err)
	}
	page, err := read(resp)
	if err != nil {
		return nil, err
	}
	m := requestID.FindStringSubmatch(page.Body)
	if m == nil {
		return page, nil // auto-accept, or an error page
	}
	u, _ := url.Parse(page.URL)
	form := url.Values{"request": {m[1]}, "decision": {string(d)}}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, u.Scheme+"://"+u.Host+"/oauth/consent", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", u.Scheme+"://"+u.Host)
	resp, err = c.Do(post)
	if err != nil {
		return nil, fmt.Errorf("answer the consent page: %w", err)
	}
	return read(resp)
}

func read(resp *http.Response) (*Page, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return &Page{URL: resp.Request.URL.String(), Status: resp.StatusCode, Body: string(b)}, nil
}

// cookieless is a jar that keeps nothing (the sandbox needs no cookies).
type cookieless struct{}

func (*cookieless) SetCookies(*url.URL, []*http.Cookie) {}
func (*cookieless) Cookies(*url.URL) []*http.Cookie     { return nil }
