package sshhost

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/esxi/ssh"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// fakeAPI is the API path: each call is recorded and answers err.
type fakeAPI struct {
	err error

	mu    sync.Mutex
	calls []string
}

func (a *fakeAPI) call(format string, args ...any) error {
	a.mu.Lock()
	a.calls = append(a.calls, fmt.Sprintf(format, args...))
	a.mu.Unlock()
	return a.err
}

func (a *fakeAPI) MakeDir(_ context.Context, dir string) error   { return a.call("MakeDir %s", dir) }
func (a *fakeAPI) DeleteDir(_ context.Context, dir string) error { return a.call("DeleteDir %s", dir) }
func (a *fakeAPI) CopyDisk(_ context.Context, src, dst, _ string) error {
	return a.call("CopyDisk %s %s", src, dst)
}
func (a *fakeAPI) DeleteDisk(_ context.Context, p string) error { return a.call("DeleteDisk %s", p) }
func (a *fakeAPI) CopyFile(_ context.Context, src, dst string) error {
	return a.call("CopyFile %s %s", src, dst)
}
func (a *fakeAPI) CreateVM(_ context.Context, v *vm.NewVM) (vm.VMRef, error) {
	return vm.VMRef{ID: "api", Name: v.Name}, a.call("CreateVM %s", v.Name)
}
func (a *fakeAPI) GrowDisk(_ context.Context, r vm.VMRef, p string, c int64) error {
	return a.call("GrowDisk %s %s %d", r.Name, p, c)
}
func (a *fakeAPI) Power(_ context.Context, r vm.VMRef, op vm.PowerOp) error {
	return a.call("Power %s %s", r.Name, op)
}
func (a *fakeAPI) Destroy(_ context.Context, r vm.VMRef) error { return a.call("Destroy %s", r.Name) }
func (a *fakeAPI) CreateSnapshot(_ context.Context, r vm.VMRef, n string) (string, error) {
	return "api-snap", a.call("CreateSnapshot %s %s", r.Name, n)
}
func (a *fakeAPI) RemoveSnapshot(_ context.Context, r vm.VMRef, id string) error {
	return a.call("RemoveSnapshot %s %s", r.Name, id)
}
func (a *fakeAPI) DryRun(record func(ops.Step)) vm.Host {
	return &apiPlanFake{record: record}
}

// apiPlanFake records one "api" step per call.
type apiPlanFake struct {
	fakeAPI
	record func(ops.Step)
}

func (p *apiPlanFake) MakeDir(_ context.Context, dir string) error {
	p.record(ops.Step{Via: "api", Action: "FileManager.MakeDirectory " + dir})
	return nil
}

var errRestricted = fmt.Errorf("making folder: %w", client.ErrRestrictedVersion)

// runOp runs fn as an operation and returns its notes and audit record.
func runOp(t *testing.T, fn func(ctx context.Context) error) (notes []string, audited []string, err error) {
	t.Helper()
	audit := &recordingAuditor{}
	r := &ops.Runner{Sandbox: ops.ModeSandbox{Mode: "unrestricted"}, Audit: audit}
	res, err := r.Do(context.Background(), &ops.Op{Name: "vm.create", Target: "web01",
		Run: func(ctx context.Context) (any, error) { return nil, fn(ctx) }})
	return res.Notes, audit.notes(), err
}

type recordingAuditor struct {
	mu   sync.Mutex
	recs []ops.Record
}

func (a *recordingAuditor) Write(_ context.Context, r ops.Record) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recs = append(a.recs, r)
	return nil
}

func (a *recordingAuditor) notes() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, r := range a.recs {
		out = append(out, r.Notes...)
	}
	return out
}

func TestFallbackGoesOverSSHWhenTheLicenceRefuses(t *testing.T) {
	api := &fakeAPI{err: errRestricted}
	r := &fakeRunner{answer: func(argv []string) (ssh.Result, error) {
		if strings.Join(argv[:2], " ") == "vmkfstools -i" {
			return ssh.Result{Stdout: "Clone: 100% done.\n"}, nil
		}
		return ssh.Result{}, nil
	}}
	f := NewFallback(api, New(r, Options{}), nil)
	ref := vm.VMRef{ID: "42", Name: "web01"}
	notes, audited, err := runOp(t, func(ctx context.Context) error {
		if err := f.MakeDir(ctx, "[ds] web01"); err != nil {
			return err
		}
		if err := f.CopyDisk(ctx, "[ds] t/t.vmdk", "[ds] web01/web01.vmdk", "pvscsi"); err != nil {
			return err
		}
		return f.Power(ctx, ref, vm.PowerOn)
	})
	if err != nil {
		t.Fatal(err)
	}
	// The API was asked once; after its refusal the rest went straight to SSH.
	if len(api.calls) != 1 || api.calls[0] != "MakeDir [ds] web01" {
		t.Fatalf("API calls: %v", api.calls)
	}
	if !f.Restricted() {
		t.Fatal("the refusal was not remembered")
	}
	wantLines(t, r.ran(), []string{"mkdir /vmfs/volumes/ds/web01",
		"vmkfstools -i /vmfs/volumes/ds/t/t.vmdk -d thin /vmfs/volumes/ds/web01/web01.vmdk", "vim-cmd vmsvc/power.on 42"})
	want := []string{
		"making folder [ds] web01 over SSH: the host's licence refuses API writes",
		"copying disk [ds] t/t.vmdk to [ds] web01/web01.vmdk over SSH: the host's licence refuses API writes",
		"powering on web01 over SSH: the host's licence refuses API writes",
	}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Fatalf("notes:\n%s", strings.Join(notes, "\n"))
	}
	if strings.Join(audited, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit record notes:\n%s", strings.Join(audited, "\n"))
	}
}

func TestFallbackKeepsTheAPIWhenItWorks(t *testing.T) {
	for _, apiErr := range []error{nil, client.ErrNoDiskSpace} {
		api := &fakeAPI{err: apiErr}
		r := &fakeRunner{}
		f := NewFallback(api, New(r, Options{}), nil)
		notes, _, err := runOp(t, func(ctx context.Context) error {
			_, err := f.CreateVM(ctx, testVM("web01"))
			return err
		})
		if !errors.Is(err, apiErr) && !(apiErr == nil && err == nil) {
			t.Fatalf("err = %v, want %v", err, apiErr)
		}
		if len(r.ran()) != 0 || len(notes) != 0 || f.Restricted() {
			t.Fatalf("API error %v: ssh ran %v, notes %v", apiErr, r.ran(), notes)
		}
	}
}

// TestFallbackEveryStep: each method of the Host falls back.
func TestFallbackEveryStep(t *testing.T) {
	ref := vm.VMRef{ID: "42", Name: "web01"}
	calls := map[string]func(context.Context, vm.Host) error{
		"rm -rf /vmfs/volumes/ds/web01":               func(ctx context.Context, h vm.Host) error { return h.DeleteDir(ctx, "[ds] web01") },
		"vmkfstools -U /vmfs/volumes/ds/web01/a.vmdk": func(ctx context.Context, h vm.Host) error { return h.DeleteDisk(ctx, "[ds] web01/a.vmdk") },
		"vim-cmd vmsvc/reload 42": func(ctx context.Context, h vm.Host) error {
			return h.GrowDisk(ctx, ref, "[ds] web01/a.vmdk", 1<<30)
		},
		"vim-cmd vmsvc/destroy 42": func(ctx context.Context, h vm.Host) error { return h.Destroy(ctx, ref) },
		"vim-cmd vmsvc/snapshot.remove 42 3": func(ctx context.Context, h vm.Host) error {
			return h.RemoveSnapshot(ctx, ref, "3")
		},
		"vim-cmd vmsvc/snapshot.get 42": func(ctx context.Context, h vm.Host) error {
			_, err := h.CreateSnapshot(ctx, ref, "s")
			return err
		},
		"vim-cmd solo/registervm /vmfs/volumes/datastore1/web01/web01.vmx": func(ctx context.Context, h vm.Host) error {
			_, err := h.CreateVM(ctx, testVM("web01"))
			return err
		},
	}
	for last, call := range calls {
		t.Run(last, func(t *testing.T) {
			r := &fakeRunner{answer: responder(map[string]ssh.Result{
				"vim-cmd vmsvc/snapshot.get 42":                                    {Stdout: "Get Snapshot:\n--Snapshot Name : s\n--Snapshot Id : 1\n"},
				"vim-cmd solo/registervm /vmfs/volumes/datastore1/web01/web01.vmx": {Stdout: "3\n"},
			})}
			f := NewFallback(&fakeAPI{err: errRestricted}, New(r, Options{}), nil)
			notes, _, err := runOp(t, func(ctx context.Context) error { return call(ctx, f) })
			if err != nil {
				t.Fatal(err)
			}
			lines := r.ran()
			if len(lines) == 0 || lines[len(lines)-1] != last || len(notes) != 1 || !strings.Contains(notes[0], "over SSH") {
				t.Fatalf("ran %v, notes %v", lines, notes)
			}
		})
	}
}

func TestFallbackDryRunFollowsTheLicence(t *testing.T) {
	tests := []struct {
		name       string
		free       bool
		licenceErr error
		restricted bool
		want       []string
	}{
		{"evaluation licence", false, nil, false, []string{"[api] FileManager.MakeDirectory [ds] web01"}},
		{"free licence", true, nil, false, []string{
			"[local] writes over SSH  # the host's licence refuses API writes (esxi.transport auto)",
			"[ssh] mkdir /vmfs/volumes/ds/web01"}},
		{"refused before", false, nil, true, []string{
			"[local] writes over SSH  # the host's licence refuses API writes (esxi.transport auto)",
			"[ssh] mkdir /vmfs/volumes/ds/web01"}},
		{"licence unreadable", true, client.ErrNotAuthenticated, false, []string{
			"[local] writes over the API  # the licence could not be read (the session is not authenticated); on the free licence they would run over SSH",
			"[api] FileManager.MakeDirectory [ds] web01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reads := 0
			lic := func(context.Context) (bool, error) { reads++; return tt.free, tt.licenceErr }
			r := &fakeRunner{}
			f := NewFallback(&fakeAPI{}, New(r, Options{}), lic)
			if tt.restricted {
				f.refusals.Refuse()
			}
			record, steps := recordSteps()
			p := f.DryRun(record)
			for range 2 {
				if err := p.MakeDir(context.Background(), "[ds] web01"); err != nil {
					t.Fatal(err)
				}
			}
			var got []string
			for _, s := range (*steps)[:len(tt.want)] {
				got = append(got, s.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("plan:\n%s", ops.FormatPlan(*steps))
			}
			if len(*steps) != len(tt.want)+1 || reads > 1 || len(r.ran()) != 0 {
				t.Fatalf("%d steps, %d licence reads, ran %v", len(*steps), reads, r.ran())
			}
		})
	}
}

func TestFallbackDryRunDelegatesEveryCall(t *testing.T) {
	f := NewFallback(&fakeAPI{}, New(&fakeRunner{}, Options{}), func(context.Context) (bool, error) { return true, nil })
	record, steps := recordSteps()
	p := f.DryRun(record)
	ctx := context.Background()
	ref := vm.VMRef{ID: "4", Name: "w"}
	_ = p.DeleteDir(ctx, "[ds] w")
	_ = p.CopyDisk(ctx, "[ds] t/t.vmdk", "[ds] w/w.vmdk", "")
	_ = p.DeleteDisk(ctx, "[ds] w/w.vmdk")
	_, _ = p.CreateVM(ctx, testVM("w"))
	_ = p.GrowDisk(ctx, ref, "[ds] w/w.vmdk", 1<<20)
	_ = p.Power(ctx, ref, vm.PowerOff)
	_ = p.Destroy(ctx, ref)
	_, _ = p.CreateSnapshot(ctx, ref, "s")
	_ = p.RemoveSnapshot(ctx, ref, "2")
	_ = p.DryRun(record).MakeDir(ctx, "[ds] x")
	var ssh int
	for _, s := range *steps {
		if s.Via == "ssh" {
			ssh++
		}
	}
	if ssh != 13 {
		t.Fatalf("%d ssh steps:\n%s", ssh, ops.FormatPlan(*steps))
	}
}

func TestAPIOnlySaysHowToFallBack(t *testing.T) {
	a := NewAPIOnly(&fakeAPI{err: errRestricted})
	ctx := context.Background()
	ref := vm.VMRef{ID: "1", Name: "w"}
	errs := []error{
		a.MakeDir(ctx, "[ds] w"), a.DeleteDir(ctx, "[ds] w"), a.CopyDisk(ctx, "a", "b", ""), a.DeleteDisk(ctx, "a"),
		func() error { _, err := a.CreateVM(ctx, testVM("w")); return err }(),
		a.GrowDisk(ctx, ref, "a", 1), a.Power(ctx, ref, vm.PowerOn), a.Destroy(ctx, ref),
		func() error { _, err := a.CreateSnapshot(ctx, ref, "s"); return err }(),
		a.RemoveSnapshot(ctx, ref, "1"),
	}
	for i, err := range errs {
		if !errors.Is(err, ErrAPIOnly) || !errors.Is(err, client.ErrRestrictedVersion) || !strings.Contains(err.Error(), "esxi.transport") {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if err := NewAPIOnly(&fakeAPI{err: client.ErrNotFound}).MakeDir(ctx, "x"); errors.Is(err, ErrAPIOnly) {
		t.Errorf("another error got the hint: %v", err)
	}
	record, steps := recordSteps()
	if err := a.DryRun(record).MakeDir(ctx, "[ds] w"); err != nil || len(*steps) != 1 || (*steps)[0].Via != "api" {
		t.Fatalf("dry run: %v %v", err, *steps)
	}
}
