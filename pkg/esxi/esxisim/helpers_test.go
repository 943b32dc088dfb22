package esxisim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// testDiskSize keeps the template small in tests that do not look at it.
const testDiskSize = 3<<20 + 4096

// startSim starts a simulator that is closed when the test ends.
func startSim(t testing.TB, opts Options) *Simulator {
	t.Helper()
	if opts.TemplateDiskSize == 0 {
		opts.TemplateDiskSize = testDiskSize
	}
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// connect logs in over TLS, trusting the simulator by its thumbprint.
func connect(t testing.TB, s *Simulator) *govmomi.Client {
	t.Helper()
	c, err := dial(context.Background(), s, s.User(), s.Password())
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return c
}

func dial(ctx context.Context, s *Simulator, user, password string) (*govmomi.Client, error) {
	sc := soap.NewClient(s.URL(), false)
	sc.SetThumbprint(s.Host(), s.Thumbprint())
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, err
	}
	c := &govmomi.Client{Client: vc, SessionManager: session.NewManager(vc)}
	if err := c.Login(ctx, url.UserPassword(user, password)); err != nil {
		return nil, err
	}
	return c, nil
}

// vmByName finds a VM through the API.
func vmByName(t testing.TB, c *govmomi.Client, name string) *object.VirtualMachine {
	t.Helper()
	f := find.NewFinder(c.Client, true)
	dc, err := f.DefaultDatacenter(context.Background())
	if err != nil {
		t.Fatalf("datacenter: %v", err)
	}
	f.SetDatacenter(dc)
	vm, err := f.VirtualMachine(context.Background(), name)
	if err != nil {
		t.Fatalf("finding VM %s: %v", name, err)
	}
	return vm
}

// createVM creates a VM through the API and returns the task error.
func createVM(t testing.TB, s *Simulator, c *govmomi.Client, spec types.VirtualMachineConfigSpec) (*object.VirtualMachine, error) {
	t.Helper()
	ctx := context.Background()
	folder := object.NewFolder(c.Client, esx.Datacenter.VmFolder)
	pool := object.NewResourcePool(c.Client, esx.ResourcePool.Self)
	task, err := folder.CreateVM(ctx, spec, pool, nil)
	if err != nil {
		return nil, err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return nil, err
	}
	return object.NewVirtualMachine(c.Client, info.Result.(types.ManagedObjectReference)), nil
}

// spec is the config of a small VM named name on the simulator's datastore.
func spec(t testing.TB, s *Simulator, name string) types.VirtualMachineConfigSpec {
	t.Helper()
	cs, err := s.configSpec(vmShape{name: name, guestID: "otherLinux64Guest", cpus: 1, memoryMB: 128, diskBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func isTaskError(err error) bool {
	var te task.Error
	return errors.As(err, &te)
}

func asTaskError(err error, te *task.Error) bool { return errors.As(err, te) }

func statErr(p string) (os.FileInfo, error) { return os.Stat(p) }

// postStatus POSTs body to url as a disk upload is sent and returns the
// refusal, if any.
func postStatus(t *testing.T, c *govmomi.Client, url string, body []byte) error {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-vnd.vmware-streamVmdk")
	res, err := c.Client.Client.Client.Do(req) // the soap client's TLS-verifying http.Client
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", res.Status)
	}
	return nil
}
