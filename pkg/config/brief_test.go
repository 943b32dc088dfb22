package config

import (
	"errors"
	"strings"
	"testing"
)

// briefBlock is the configuration block of the project brief, as a user
// copies it.
const briefBlock = `backup:
  default_target: datastore
  compression: zstd
  retention: {keep_last: 5, keep_daily: 7, keep_weekly: 4, keep_monthly: 12}
metrics: {enabled: true, port: 9090, path: /metrics}
security:
  mode: standard
  audit_log: /var/log/ceso/audit.json
  ip_allowlist: [192.168.1.0/24, 10.0.0.0/8]
`

func TestBriefConfigBlockMeansWhatItSays(t *testing.T) {
	p := writeFile(t, "config.yaml", briefBlock, 0o600)
	cfg, err := Load(p, MapEnv(map[string]string{"HOME": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(false); err != nil {
		t.Fatalf("the brief's block does not validate: %v", err)
	}
	want := Compression{Algorithm: "zstd", Level: 3, Workers: 2}
	if cfg.Backup.Compression != want {
		t.Errorf("compression: zstd gave %+v, want %+v", cfg.Backup.Compression, want)
	}
	if cfg.Backup.DefaultTarget != TargetDatastore || len(cfg.Backup.Targets) != 0 {
		t.Errorf("default target %q, targets %v", cfg.Backup.DefaultTarget, cfg.Backup.Targets)
	}
	if r := cfg.Backup.Retention; r != (Retention{KeepLast: 5, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12}) {
		t.Errorf("retention %+v", r)
	}
	if got := cfg.AuditLogPath(); got != "/var/log/ceso/audit.json" {
		t.Errorf("audit log %q", got)
	}
	if cfg.Security.Mode != ModeStandard || len(cfg.Security.IPAllowlist) != 2 {
		t.Errorf("security %+v", cfg.Security)
	}
}

func TestCompressionShorthand(t *testing.T) {
	tests := []struct {
		yaml    string
		want    Compression
		wantErr string
	}{
		{"backup:\n  compression: none\n", Compression{Algorithm: "none", Level: 3, Workers: 2}, ""},
		{"backup:\n  compression: {algorithm: zstd, level: 9}\n", Compression{Algorithm: "zstd", Level: 9, Workers: 2}, ""},
		{"backup:\n  compression: gzip\n", Compression{}, "backup.compression.algorithm: want zstd or none"},
		{"backup:\n  compression: [zstd]\n", Compression{}, "config.yaml:2: backup.compression: want a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			cfg, err := Load(writeFile(t, "config.yaml", tt.yaml, 0o600), MapEnv(nil))
			if err == nil {
				err = cfg.Validate(false)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || cfg.Backup.Compression != tt.want {
				t.Fatalf("got %+v, %v; want %+v", cfg.Backup.Compression, err, tt.want)
			}
		})
	}
}

func TestDefaultTarget(t *testing.T) {
	nas := []Target{{Name: "nas", Type: "local", Path: "/mnt/nas"}}
	tests := []struct {
		name    string
		def     string
		targets []Target
		wantErr string
	}{
		{"built-in local", TargetLocal, nil, ""},
		{"built-in datastore", TargetDatastore, nil, ""},
		{"built-in beside a list", TargetDatastore, nas, ""},
		{"configured", "nas", nas, ""},
		{"unknown without a list", "nas", nil, `no target named "nas"`},
		{"unknown with a list", "usb", nas, `no target named "usb"`},
		{"reserved name", "nas", []Target{{Name: "datastore:x", Type: "local", Path: "/x"}}, "cannot hold ':'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.Backup.DefaultTarget, c.Backup.Targets = tt.def, tt.targets
			err := c.Validate(false)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestIPAllowlist(t *testing.T) {
	tests := []struct {
		entry   string
		wantErr string
	}{
		{"192.168.1.0/24", ""},
		{"10.0.0.0/8", ""},
		{"127.0.0.1", ""},
		{"fd00::/8", ""},
		{"2001:db8::1", ""},
		{"::/0", ""},
		{"192.168.1.5/24", "did you mean 192.168.1.0/24?"},
		{"2001:db8::1/32", "did you mean 2001:db8::/32?"},
		{"10.0.0.0/33", `"10.0.0.0/33"`},
		{"lan", `got "lan"`},
		{"", `got ""`},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			c := Default()
			c.Security.IPAllowlist = []string{"10.0.0.0/8", tt.entry}
			err := c.Validate(false)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "security.ip_allowlist[1]") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one naming security.ip_allowlist[1] and %q", err, tt.wantErr)
			}
		})
	}
}
