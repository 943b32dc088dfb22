package client

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ceso/ceso/pkg/errkind"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func TestClassify(t *testing.T) {
	soapFault := func(f types.BaseMethodFault) error {
		return soap.WrapSoapFault(&soap.Fault{String: "some text", Detail: struct {
			//lint:ignore SA5008 the tag option is govmomi's own (soap.Fault.Detail)
			Fault types.AnyType `xml:",any,typeattr"`
		}{Fault: f}})
	}
	taskErr := func(f types.BaseMethodFault) error {
		return task.Error{LocalizedMethodFault: &types.LocalizedMethodFault{Fault: f, LocalizedMessage: "task failed"}}
	}
	tests := []struct {
		name string
		err  error
		want error
		kind errkind.Kind
	}{
		{"nil", nil, nil, errkind.Unknown},
		{"restricted soap", soapFault(&types.RestrictedVersion{}), ErrRestrictedVersion, errkind.Refused},
		{"restricted vim", soap.WrapVimFault(&types.RestrictedVersion{}), ErrRestrictedVersion, errkind.Refused},
		{"not supported", soapFault(&types.NotSupported{}), ErrNotSupported, errkind.Refused},
		{"invalid login", soapFault(&types.InvalidLogin{}), ErrInvalidLogin, errkind.Auth},
		{"not authenticated", soapFault(&types.NotAuthenticated{}), ErrNotAuthenticated, errkind.Auth},
		{"no permission", soapFault(&types.NoPermission{}), ErrNoPermission, errkind.Auth},
		{"task in progress", soapFault(&types.TaskInProgress{}), ErrTaskInProgress, errkind.Refused},
		{"invalid power state", soapFault(&types.InvalidPowerState{}), ErrInvalidPowerState, errkind.Refused},
		{"no disk space on task", taskErr(&types.NoDiskSpace{}), ErrNoDiskSpace, errkind.Refused},
		{"insufficient storage", taskErr(&types.InsufficientStorageSpace{}), ErrNoDiskSpace, errkind.Refused},
		{"duplicate name", soapFault(&types.DuplicateName{}), ErrAlreadyExists, errkind.Refused},
		{"file exists", taskErr(&types.FileAlreadyExists{}), ErrAlreadyExists, errkind.Refused},
		{"file not found", taskErr(&types.FileNotFound{}), ErrNotFound, errkind.NotFound},
		{"object gone", soapFault(&types.ManagedObjectNotFound{}), ErrNotFound, errkind.NotFound},
		{"tools", soapFault(&types.ToolsUnavailable{}), ErrToolsUnavailable, errkind.Refused},
		{"invalid state", soapFault(&types.InvalidState{}), ErrInvalidState, errkind.Refused},
		{"wrapped", fmt.Errorf("powering on web: %w", soapFault(&types.InvalidPowerState{})), ErrInvalidPowerState, errkind.Refused},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), ErrTimeout, errkind.Timeout},
		{"unknown", errors.New("plain"), nil, errkind.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if tt.err == nil {
				if got != nil {
					t.Fatal("Classify(nil) != nil")
				}
				return
			}
			if tt.want != nil && !errors.Is(got, tt.want) {
				t.Fatalf("Classify = %v, want %v", got, tt.want)
			}
			if errkind.Of(got) != tt.kind {
				t.Errorf("kind %v, want %v", errkind.Of(got), tt.kind)
			}
			if !errors.Is(got, tt.err) {
				t.Error("the original error is lost")
			}
			if again := Classify(got); again != got {
				t.Error("classifying twice wraps twice")
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	if got := Fingerprint([]byte{0x0a, 0xff, 0x10}); got != "0A:FF:10" {
		t.Fatal(got)
	}
}
