package ui

import "github.com/tokendesk/tokendesk/storage"

// validateWithStorage applies the storage package's own profile checks
// (such as its limit on the number of ports) on top of the form's.
func validateWithStorage(p storage.Profile) error { return storage.ValidateProfile(p) }
