// Package storage keeps Token Desk's state: secrets (refresh token, access
// token, client secret) in the operating system's keyring, and everything
// else (profiles, settings, session metadata, activity) in a versioned JSON
// config file under the config directory.
//
// OpenDir opens a config directory together with the Keyring of its own
// namespace (a hash of the directory's canonical path, see
// KeyringNamespace), moving entries an older build kept elsewhere.
//
// Secrets never reach a file. Keyring failures are reported as a
// *KeyringError that says what to do; there is no plaintext fallback.
// Secrets is an interface so that a native keychain backend, or the in-memory
// MemorySecrets of demo mode, can stand in for the go-keyring one.
//
// Config writes are atomic and serialised between processes by an OS file
// lock (see Store.Update); a file this version cannot read (damaged, from a
// newer version, too large, or not a regular file) is reported, never
// overwritten, and a symbolic link is written through, never replaced.
//
// Profiles have one validation (ValidateProfile, ValidateName, ParsePorts)
// used by the command line and the window alike, and their environment is
// saved in canonical form.
package storage
