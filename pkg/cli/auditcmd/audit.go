package auditcmd

import (
	"fmt"
	"os"

	"github.com/ceso/ceso/pkg/audit"
	"github.com/ceso/ceso/pkg/cli/cmdutil"
	"github.com/ceso/ceso/pkg/errkind"
	"github.com/spf13/cobra"
)

// NewCmdAudit is the `ceso audit` noun.
func NewCmdAudit(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit <command>",
		Short: "Verify the audit log, print its checkpoint, hash a secret to search for",
		Long: `The audit log (security.audit_log, default ~/.local/share/ceso/audit.log)
holds one JSON line per operation start and end, each chained to the one
before by its hash. See docs/security.md.`,
	}
	cmd.AddCommand(NewCmdVerify(f, nil), NewCmdCheckpoint(f, nil), NewCmdHash(f, nil))
	return cmd
}

// logPath is the audit log the command works on: file when given, else
// security.audit_log.
func logPath(f *cmdutil.Factory, file string) (string, error) {
	if file != "" {
		return file, nil
	}
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	return cfg.AuditLogPath(), nil
}

// existingKey loads the HMAC key of the log at path, without making one.
func existingKey(path string) (*audit.Key, error) {
	if _, err := os.Stat(audit.KeyPath(path)); err != nil {
		return nil, errkind.Wrap(errkind.NotFound, fmt.Errorf("no audit key beside %s (%w): nothing was audited there yet", path, err))
	}
	return audit.OpenKey(path)
}
