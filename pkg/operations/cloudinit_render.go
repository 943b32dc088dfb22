package operations

import (
	"context"
	"errors"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/cloudinit"
	"github.com/ceso/ceso/pkg/esxi/vm"
	"github.com/ceso/ceso/pkg/ops"
)

// CloudInitRenderParams are the params of cloudinit.render.
type CloudInitRenderParams struct {
	Name      string         `json:"name,omitempty" jsonschema:"the VM name: the host name when cloud_init has none"`
	CloudInit cloudinit.Spec `json:"cloud_init,omitzero" jsonschema:"host name, users, SSH keys, network, user-data"`
}

func (p CloudInitRenderParams) spec() cloudinit.Spec { return withHostname(p.CloudInit, p.Name) }

// Validate implements Params.
func (p CloudInitRenderParams) Validate() error {
	if p.Name != "" {
		if err := vm.ValidateName(p.Name); err != nil {
			return err
		}
	}
	s := p.spec()
	if s.Hostname == "" {
		return errors.New("hostname: give a host name or a VM name")
	}
	return s.Validate()
}

// Target implements Params.
func (p CloudInitRenderParams) Target() string { return p.spec().Hostname }

// GuestInfo are guestinfo extraConfig keys and their values.
type GuestInfo map[string]string

// CloudInitRender builds the guestinfo keys vm create, vm clone and backup
// restore write for the same cloud-init settings. Nothing reaches a host.
var CloudInitRender = &Op[CloudInitRenderParams, GuestInfo]{
	name:    "cloudinit.render",
	summary: "Build the cloud-init guestinfo keys (metadata, network v2, user-data; gzip+base64) for given settings, without a host",
	class:   ops.ClassRead,
	plan: func(_ context.Context, _ *app.App, p CloudInitRenderParams) ([]ops.Step, error) {
		return []ops.Step{{Via: "local", Action: "build guestinfo.metadata and guestinfo.userdata", Detail: "host name " + p.spec().Hostname}}, nil
	},
	run: func(_ context.Context, _ *app.App, p CloudInitRenderParams) (GuestInfo, error) {
		keys, err := cloudinit.Build(p.spec())
		return GuestInfo(keys), err
	},
}
