package keeper

import (
	"context"
	"time"

	"github.com/tokendesk/tokendesk/oauth"
	"github.com/tokendesk/tokendesk/storage"
)

// OAuth is what the keeper needs of the account server; *oauth.Client
// implements it.
type OAuth interface {
	Login(ctx context.Context, onURL func(authURL string)) (*oauth.Session, error)
	Refresh(ctx context.Context, s *oauth.Session) (*oauth.Session, error)
	UserInfo(ctx context.Context, accessToken string) (*oauth.UserInfo, error)
}

// Store persists a profile's session: tokens in the keyring, the rest in the
// config file. Implementations must write the refresh token first, so that a
// crash never leaves metadata pointing at a token that was not stored.
type Store interface {
	// LoadSession returns the stored session, or nil when the profile is
	// signed out, with the one token asked for: the access token (to hand
	// it out) or the refresh token (to refresh). Each keyring read is a
	// D-Bus round trip, so neither path reads the token it does not need.
	LoadSession(ctx context.Context, profile string, want Secret) (*oauth.Session, error)
	// SaveSession stores s (tokens and metadata), verifying the write.
	SaveSession(ctx context.Context, profile string, s *oauth.Session) error
	// SaveMeta stores s's metadata only; the stored tokens are untouched.
	SaveMeta(ctx context.Context, profile string, s *oauth.Session) error
	// DeleteSession forgets the session locally.
	DeleteSession(ctx context.Context, profile string) error
	// Lock takes the machine-wide lock of a profile's session, waiting until
	// it is free or ctx ends.
	Lock(ctx context.Context, profile string) (unlock func(), err error)
	// AppendActivity adds one entry to the profile's persistent log.
	AppendActivity(profile string, a Activity) error
	// ReadActivity returns up to limit entries, newest first.
	ReadActivity(profile string, limit int) ([]Activity, error)
}

// Secret selects which token LoadSession reads.
type Secret int

// The tokens LoadSession can read.
const (
	AccessToken Secret = iota
	RefreshToken
)

// Options configure a Keeper. Zero values mean the documented defaults.
type Options struct {
	// Profile is the profile name.
	Profile string
	// Environment is shown in Status.
	Environment oauth.Environment
	// OAuth talks to the account server.
	OAuth OAuth
	// Store persists the session.
	Store Store
	// RefreshLifetime is the refresh-token lifetime used for estimates
	// (default 30 days).
	RefreshLifetime time.Duration
	// Lead refreshes the access token this long before it expires
	// (default 10 minutes).
	Lead time.Duration
	// KeepAlive refreshes an extended session at least this often, so its
	// refresh token never reaches the end of its lifetime (default 24 hours).
	KeepAlive time.Duration
	// WarnHorizon sets ExpiringSoon when the refresh token dies sooner than
	// this (default 3 days).
	WarnHorizon time.Duration
	// CheckEvery is the period of the wall-clock check in Run (default 1
	// minute); it is what makes a laptop waking from sleep refresh at once.
	CheckEvery time.Duration
	// MinBackoff and MaxBackoff bound the retry delay after transient
	// failures (defaults 5 seconds and 5 minutes).
	MinBackoff, MaxBackoff time.Duration
	// PendingWriteWait is how long a refresh keeps retrying the write of a
	// rotated refresh token that the keyring refused (default 2 minutes),
	// so a short-lived process does not exit holding the only copy. When
	// it runs out the refresh fails with ErrRotatedTokenLost. Negative
	// means do not wait: hold the token in memory and retry the write on
	// every Check, as a long-running window does.
	PendingWriteWait time.Duration
	// OnPendingWrite, if set, is told (once per wait) that the keeper is
	// waiting for the keyring, in a sentence a person can act on.
	OnPendingWrite func(msg string)
	// HandOff, if set, is tried first when the rotated refresh token cannot
	// be saved: it passes the session to a running Token Desk that keeps
	// it. A nil error means the other process took it.
	HandOff func(ctx context.Context, profile string, s *oauth.Session) error
	// Now is the wall clock (default time.Now).
	Now func() time.Time
}

// DefaultPendingWriteWait is PendingWriteWait's default.
const DefaultPendingWriteWait = 2 * time.Minute

// policy is the part of the options the refresh decision reads.
func (o *Options) policy() Policy {
	return Policy{Lead: o.Lead, KeepAlive: o.KeepAlive, RefreshLifetime: o.RefreshLifetime, MinBackoff: o.MinBackoff}
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.RefreshLifetime, oauth.DefaultRefreshLifetime)
	def(&o.Lead, storage.DefaultRefreshLead)
	def(&o.KeepAlive, storage.DefaultKeepAlive)
	def(&o.WarnHorizon, storage.DefaultWarnHorizon)
	def(&o.CheckEvery, time.Minute)
	def(&o.MinBackoff, 5*time.Second)
	def(&o.MaxBackoff, 5*time.Minute)
	if o.PendingWriteWait == 0 {
		o.PendingWriteWait = DefaultPendingWriteWait
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}
