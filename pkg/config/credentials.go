package config

import (
	"path/filepath"
	"strings"
)

// CredentialsPrefix starts a secret file path that lives in the directory
// systemd makes for a service's credentials (LoadCredential=,
// LoadCredentialEncrypted=, SetCredential=): "%d/esxi-password" is
// $CREDENTIALS_DIRECTORY/esxi-password, as systemd's own %d specifier reads
// in a unit file. The directory is readable by the service alone and
// vanishes when it stops, so the secret never sits in the config file nor in
// the environment of the process.
const CredentialsPrefix = "%d/"

// CredentialsEnv is the variable systemd sets to the credentials directory.
const CredentialsEnv = "CREDENTIALS_DIRECTORY"

// expandCredentials resolves "%d/NAME" in esxi.password_file,
// ssh.password_file and ssh.key_file.
func expandCredentials(cfg *Config, env Env) error {
	fields := []struct {
		key  string
		path *string
	}{
		{"esxi.password_file", &cfg.ESXi.PasswordFile},
		{"ssh.password_file", &cfg.SSH.PasswordFile},
		{"ssh.key_file", &cfg.SSH.KeyFile},
	}
	for _, f := range fields {
		name, ok := strings.CutPrefix(*f.path, CredentialsPrefix)
		if !ok {
			continue
		}
		if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
			return invalid(f.key, "%q: want %sNAME, the name of one credential", *f.path, CredentialsPrefix)
		}
		dir, set := env(CredentialsEnv)
		if !set || dir == "" {
			return invalid(f.key, "%q names a systemd credential but %s is not set: run ceso from a unit with LoadCredential=%s:/path/to/file",
				*f.path, CredentialsEnv, name)
		}
		*f.path = filepath.Join(dir, name)
	}
	return nil
}
