package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
)

// RemoveProfileData removes a profile and everything storage keeps of it
// outside the keyring: its entry in the config, its session metadata and
// its activity log. Settings.CurrentProfile, if it named the profile, moves
// to the first remaining one. It reports whether the profile was in the
// config; an activity log left from an earlier profile of that name is
// deleted either way. The caller deletes the keyring secrets (see
// KeyRefreshToken and friends), under the profile's lock.
func (s *Store) RemoveProfileData(ctx context.Context, name string) (existed bool, err error) {
	path, err := s.activityFile(name)
	if err != nil {
		return false, err
	}
	err = s.Update(ctx, func(c *Config) error {
		existed = slices.ContainsFunc(c.Profiles, func(p Profile) bool { return p.Name == name })
		c.Profiles = slices.DeleteFunc(c.Profiles, func(p Profile) bool { return p.Name == name })
		delete(c.Sessions, name)
		if c.Settings.CurrentProfile == name {
			c.Settings.CurrentProfile = ""
			if len(c.Profiles) > 0 {
				c.Settings.CurrentProfile = c.Profiles[0].Name
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("remove profile %q: %w", name, err)
	}
	for _, p := range []string{path, path + ".lock"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return existed, fmt.Errorf("remove the activity log of profile %q: %w", name, err)
		}
	}
	return existed, nil
}
