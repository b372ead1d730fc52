// Package keeper keeps one profile's DocuSign session alive: it refreshes
// the access token before it expires and the extended refresh token before
// its 30 days run out, rotates and persists refresh tokens so that none is
// ever lost, allows exactly one refresh at a time per profile across the
// whole machine, and publishes every state change to subscribers.
//
// It knows nothing of Fyne; the window, the tray and the command line are
// all subscribers of the same Keeper.
package keeper
