package esxisim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

const vcsimFault = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope><soapenv:Body><soapenv:Fault>` +
	`<faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring><detail>` +
	`<%sFault xmlns="urn:vim25" xsi:type="%s">%s</%sFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`

// fill builds a SOAP fault body the way vcsim writes it.
func fill(text, kind, fields string) []byte {
	parts := strings.Split(vcsimFault, "%s")
	return []byte(parts[0] + text + parts[1] + kind + parts[2] + kind + parts[3] + fields + parts[4] + kind + parts[5])
}

func TestRewriteFaultString(t *testing.T) {
	tests := []struct {
		name, text, kind, fields, want string
	}{
		{"empty restricted", "", "RestrictedVersion", "", msgRestrictedVersion},
		{"vcsim login", "Login failure", "InvalidLogin", "", msgInvalidLogin},
		{"power state", "", "InvalidPowerState", "<requestedState>poweredOff</requestedState><existingState>poweredOn</existingState>",
			"The attempted operation cannot be performed in the current state (Powered on)."},
		{"suspended", "", "InvalidPowerState", "<existingState>suspended</existingState>",
			"The attempted operation cannot be performed in the current state (Suspended)."},
		{"duplicate escapes", "", "DuplicateName", "<name>a&amp;b</name>", "The name &#39;a&amp;b&#39; already exists."},
		{"unknown type kept", "keep me", "SomethingElse", "", "keep me"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := rewriteFaultString(fill(tt.text, tt.kind, tt.fields))
			if !bytes.Contains(out, []byte("<faultstring>"+tt.want+"</faultstring>")) {
				t.Errorf("got %s", out)
			}
		})
	}
	plain := []byte("<a>no fault</a>")
	if got := rewriteFaultString(plain); !bytes.Equal(got, plain) {
		t.Errorf("non-fault body changed: %s", got)
	}
}

func TestFaultMessage(t *testing.T) {
	tests := []struct {
		fault types.BaseMethodFault
		want  string
	}{
		{&types.NoDiskSpace{Datastore: "datastore1"}, "Insufficient disk space on datastore 'datastore1'."},
		{&types.DuplicateName{Name: "web"}, "The name 'web' already exists."},
		{&types.InvalidPowerState{ExistingState: types.VirtualMachinePowerStatePoweredOff}, "The attempted operation cannot be performed in the current state (Powered off)."},
		{&types.FileNotFound{FileFault: types.FileFault{File: "[ds] x"}}, "File [ds] x was not found"},
		{&types.InvalidDatastorePath{DatastorePath: "[nope] x"}, "Invalid datastore path '[nope] x'."},
		{new(types.Timedout), "Timedout"},
	}
	for _, tt := range tests {
		if got := faultMessage(tt.fault); got != tt.want {
			t.Errorf("faultMessage(%T) = %q, want %q", tt.fault, got, tt.want)
		}
	}
}

func FuzzRewriteFaultString(f *testing.F) {
	f.Add(fill("", "RestrictedVersion", ""))
	f.Add(fill("x", "DuplicateName", "<name>a</name>"))
	f.Add(fill("", "InvalidPowerState", "<existingState>poweredOn"))
	f.Add([]byte("<faultstring></faultstring><detail>"))
	f.Add([]byte("</faultstring><faultstring><detail>xsi:type=\"NotSupported\""))
	f.Fuzz(func(t *testing.T, body []byte) {
		out := rewriteFaultString(body)
		if !bytes.Contains(body, faultOpen) && !bytes.Equal(out, body) {
			t.Fatalf("a body without faultstring changed")
		}
		if i := bytes.Index(body, faultOpen); i >= 0 && !bytes.Equal(out[:i], body[:i]) {
			t.Fatalf("bytes before the faultstring changed")
		}
	})
}
