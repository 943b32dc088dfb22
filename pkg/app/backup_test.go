package app

import (
	"errors"
	"testing"
)

func TestBackupTargetResolution(t *testing.T) {
	vmDS := func() (string, error) { return "ssd1", nil }
	noVM := func() (string, error) { return "", errors.New("must not be asked") }
	tests := []struct {
		name  string
		yaml  string
		given string
		vmDS  func() (string, error)
		want  string
		names []string
	}{
		{"default: the VM's own datastore", "{}\n", "", vmDS, "datastore:ssd1", []string{"local"}},
		{"built-in local", "{}\n", "local", noVM, "local", []string{"local"}},
		{"built-in datastore", "{}\n", "datastore", vmDS, "datastore:ssd1", []string{"local"}},
		{"default datastore", "backup: {default_target: datastore}\n", "", vmDS, "datastore:ssd1", []string{"local"}},
		{"configured beside the built-ins", "backup:\n  default_target: nas\n  targets: [{name: nas, type: local, path: /mnt}]\n", "", noVM, "nas", []string{"nas", "local"}},
		{"a configured datastore target wins", "backup:\n  targets: [{name: datastore, type: datastore, datastore: big}]\n", "datastore", noVM, "datastore", []string{"datastore", "local"}},
		{"a configured local target wins", "backup:\n  targets: [{name: local, type: local, path: /mnt}]\n", "local", noVM, "local", []string{"local"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := testApp(t, tt.yaml, nil, false)
			got, err := a.BackupTarget(tt.given, tt.vmDS)
			if err != nil || got != tt.want {
				t.Fatalf("BackupTarget(%q) = %q, %v; want %q", tt.given, got, err, tt.want)
			}
			targets, _ := a.BackupTargets()
			var names []string
			for _, tg := range targets {
				names = append(names, tg.Name)
			}
			if len(names) != len(tt.names) {
				t.Fatalf("targets %v, want %v", names, tt.names)
			}
			for i := range names {
				if names[i] != tt.names[i] {
					t.Fatalf("targets %v, want %v", names, tt.names)
				}
			}
		})
	}
	a, _ := testApp(t, "{}\n", nil, false)
	if _, err := a.BackupTarget("datastore", func() (string, error) { return "", nil }); err == nil {
		t.Fatal("a VM of no known datastore must be an error")
	}
}

func TestBackupShellFollowsTheTransport(t *testing.T) {
	for _, tt := range []struct {
		yaml         string
		shell, first bool
	}{
		{"esxi: {transport: api}\n", false, false},
		{"esxi: {transport: auto}\n", true, false},
		{"esxi: {transport: ssh}\n", true, true},
	} {
		a, _ := testApp(t, tt.yaml, nil, false)
		r, first := a.backupShell()
		if (r != nil) != tt.shell || first != tt.first {
			t.Errorf("%q: shell %v, first %v", tt.yaml, r != nil, first)
		}
	}
}
