package esxishell

import (
	"strings"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/ssh"
)

func TestGetAllVMsParsesAsOnAHost(t *testing.T) {
	e := newEnv(t)
	if _, err := e.sim.SeedVMs(t.Context(), 10, 2); err != nil {
		t.Fatal(err)
	}
	out := e.must(t, "vim-cmd vmsvc/getallvms")
	vms, err := ssh.ParseGetAllVMs(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(vms) != 11 {
		t.Fatalf("%d VMs:\n%s", len(vms), out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		if len(l) != len(lines[0]) {
			t.Errorf("line %d is %d wide, the header %d", i, len(l), len(lines[0]))
		}
	}
	// No VM has an annotation: the header ends at its last label, every
	// row in the blanks of the empty column (3 + 10).
	if !strings.HasPrefix(lines[0], "Vmid") || !strings.HasSuffix(lines[0], "   Annotation") || !strings.HasSuffix(lines[1], "vmx-21"+strings.Repeat(" ", 14)) {
		t.Errorf("layout:\n%s", out)
	}
	var ids []string
	for _, v := range vms {
		ids = append(ids, v.ID)
		if v.Version != "vmx-21" || !strings.HasPrefix(v.File, "[datastore1] ") {
			t.Errorf("row %+v", v)
		}
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Errorf("vmids not in string order: %v", ids)
		}
	}
}

func TestUnknownCommandsAndSyntax(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		line   string
		stderr string
		exit   int
	}{
		{"reboot", "sh: reboot: not found\n", 127},
		{"vim-cmd vmsvc/getallvms; reboot", "unsupported shell syntax", 2},
		{"mkdir /vmfs/volumes/datastore1/$(reboot)", "unsupported shell syntax", 2},
		{"mkdir '/vmfs/volumes/datastore1/x", "unsupported shell syntax", 2},
		{"sh -c 'reboot' sh a b", "only runs ceso's file writes", 2},
		{"vim-cmd hostsvc/maintenance_mode_enter", "Unknown command", 1},
		{"vmkfstools -D /vmfs/volumes/datastore1/x.vmdk", "unsupported option", 1},
		{"rm -rf /etc", "Permission denied", 1},
		{"rm -rf /vmfs/volumes/datastore1/../../etc", "Permission denied", 1},
		{"mkdir /vmfs/volumes/other/x", "Permission denied", 1},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, stderr, exit := e.exec(t, tt.line)
			if exit != tt.exit || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d, %q", exit, stderr, tt.exit, tt.stderr)
			}
		})
	}
	if got := e.shell.Commands(); len(got) != len(tests) || got[0] != "reboot" {
		t.Fatalf("recorded %q", got)
	}
	if out := e.must(t, ""); out != "" {
		t.Fatalf("empty line printed %q", out)
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"vim-cmd vmsvc/power.on 12", []string{"vim-cmd", "vmsvc/power.on", "12"}},
		{`mkdir '/vmfs/volumes/datastore1/it'\''s $(x)'`, []string{"mkdir", "/vmfs/volumes/datastore1/it's $(x)"}},
		{`echo "a \"b\" \$c \\ \x" ''`, []string{"echo", `a "b" $c \ \x`, ""}},
		{"a\\ b  \t c", []string{"a b", "c"}},
	}
	for _, tt := range tests {
		got, err := splitWords(tt.line)
		if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("splitWords(%q) = %q, %v", tt.line, got, err)
		}
	}
	for _, bad := range []string{`"open`, `a\`, `"$x"`, "a\nb", "a > b", "a && b"} {
		if _, err := splitWords(bad); err == nil {
			t.Errorf("splitWords(%q) accepted", bad)
		}
	}
}

// TestQuotedCommandsRoundTrip: what ssh.Command.String quotes, the shell
// splits back into the same words.
func TestQuotedCommandsRoundTrip(t *testing.T) {
	argvs := [][]string{
		{"mkdir", "/vmfs/volumes/datastore 1/web 01 $(reboot) `id` it's \"q\" | ; & *"},
		{"sh", "-c", `set -C; printf "%s" "$1" > "$2"`, "sh", "a = \"b|22\"\n'x'\n", "/vmfs/volumes/ds/x.vmx"},
		{"x", ""},
	}
	for _, argv := range argvs {
		line := ssh.Command{Argv: argv}.String()
		got, err := splitWords(line)
		if err != nil || strings.Join(got, "\x00") != strings.Join(argv, "\x00") {
			t.Errorf("%q split to %q, %v", line, got, err)
		}
	}
}
