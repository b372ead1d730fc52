package desk

import (
	"context"
	"sync"

	"github.com/tokendesk/tokendesk/oauth"
)

// lazyClient builds a profile's oauth client on first use, so handing out a
// still-valid access token never reads the client secret from the keyring.
// A failed build (the keyring is locked, say) is not cached: the next call
// tries again.
type lazyClient struct {
	build func() (*oauth.Client, error)
	mu    sync.Mutex
	cl    *oauth.Client
}

func (l *lazyClient) get() (*oauth.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cl != nil {
		return l.cl, nil
	}
	cl, err := l.build()
	if err != nil {
		return nil, err
	}
	l.cl = cl
	return cl, nil
}

// Login implements keeper.OAuth.
func (l *lazyClient) Login(ctx context.Context, onURL func(string)) (*oauth.Session, error) {
	cl, err := l.get()
	if err != nil {
		return nil, err
	}
	return cl.Login(ctx, onURL)
}

// Refresh implements keeper.OAuth.
func (l *lazyClient) Refresh(ctx context.Context, s *oauth.Session) (*oauth.Session, error) {
	cl, err := l.get()
	if err != nil {
		return nil, err
	}
	return cl.Refresh(ctx, s)
}

// UserInfo implements keeper.OAuth.
func (l *lazyClient) UserInfo(ctx context.Context, accessToken string) (*oauth.UserInfo, error) {
	cl, err := l.get()
	if err != nil {
		return nil, err
	}
	return cl.UserInfo(ctx, accessToken)
}
