package esxisim

import (
	"bytes"
	"fmt"
	"text/template"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// ovfDoc is what the OVF template needs.
type ovfDoc struct {
	BuildID, Name, Annotation string
	OSType                    string
	OSID                      int
	Version                   string
	Files                     []ovfFileRef
	Disks                     []ovfDiskRef
	Networks                  []string
	Items                     []ovfItem
	Config                    [][2]string
	Extra                     [][2]string // vmw:ExtraConfig entries
}

type ovfFileRef struct {
	ID, Href string
	Size     int64
}

type ovfDiskRef struct {
	ID, FileRef, Capacity, Units string
}

// ovfItem is one rasd Item; empty fields are left out.
type ovfItem struct {
	Optional                                     bool
	Address, AddressOnParent, AllocationUnits    string
	AutomaticAllocation, Connection, Description string
	ElementName, HostResource                    string
	InstanceID                                   int
	Parent, ResourceSubType                      string
	ResourceType                                 int
	VirtualQuantity, CoresPerSocket              string
}

// esc escapes text for XML content and attributes.
func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

var ovfTemplate = template.Must(template.New("ovf").Funcs(template.FuncMap{"esc": esc}).Parse(
	`<?xml version="1.0" encoding="UTF-8"?>
<Envelope vmw:buildId="build-{{.BuildID}}" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
{{- range .Files}}
    <File ovf:href="{{esc .Href}}" ovf:id="{{.ID}}" ovf:size="{{.Size}}"/>
{{- end}}
  </References>
  <DiskSection>
    <Info>Virtual disk information</Info>
{{- range .Disks}}
    <Disk ovf:capacity="{{.Capacity}}" ovf:capacityAllocationUnits="{{.Units}}" ovf:diskId="{{.ID}}" ovf:fileRef="{{.FileRef}}" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
{{- end}}
  </DiskSection>
  <NetworkSection>
    <Info>The list of logical networks</Info>
{{- range .Networks}}
    <Network ovf:name="{{esc .}}">
      <Description>The {{esc .}} network</Description>
    </Network>
{{- end}}
  </NetworkSection>
  <VirtualSystem ovf:id="{{esc .Name}}">
    <Info>A virtual machine</Info>
    <Name>{{esc .Name}}</Name>
{{- if .Annotation}}
    <AnnotationSection ovf:required="false">
      <Info>A human-readable annotation</Info>
      <Annotation>{{esc .Annotation}}</Annotation>
    </AnnotationSection>
{{- end}}
    <OperatingSystemSection ovf:id="{{.OSID}}" vmw:osType="{{esc .OSType}}">
      <Info>The kind of installed guest operating system</Info>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>{{esc .Name}}</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>{{.Version}}</vssd:VirtualSystemType>
      </System>
{{- range .Items}}
      <Item{{if .Optional}} ovf:required="false"{{end}}>
{{- if .Address}}
        <rasd:Address>{{.Address}}</rasd:Address>{{end}}
{{- if .AddressOnParent}}
        <rasd:AddressOnParent>{{.AddressOnParent}}</rasd:AddressOnParent>{{end}}
{{- if .AllocationUnits}}
        <rasd:AllocationUnits>{{.AllocationUnits}}</rasd:AllocationUnits>{{end}}
{{- if .AutomaticAllocation}}
        <rasd:AutomaticAllocation>{{.AutomaticAllocation}}</rasd:AutomaticAllocation>{{end}}
{{- if .Connection}}
        <rasd:Connection>{{esc .Connection}}</rasd:Connection>{{end}}
        <rasd:Description>{{esc .Description}}</rasd:Description>
        <rasd:ElementName>{{esc .ElementName}}</rasd:ElementName>
{{- if .HostResource}}
        <rasd:HostResource>{{.HostResource}}</rasd:HostResource>{{end}}
        <rasd:InstanceID>{{.InstanceID}}</rasd:InstanceID>
{{- if .Parent}}
        <rasd:Parent>{{.Parent}}</rasd:Parent>{{end}}
{{- if .ResourceSubType}}
        <rasd:ResourceSubType>{{.ResourceSubType}}</rasd:ResourceSubType>{{end}}
        <rasd:ResourceType>{{.ResourceType}}</rasd:ResourceType>
{{- if .VirtualQuantity}}
        <rasd:VirtualQuantity>{{.VirtualQuantity}}</rasd:VirtualQuantity>{{end}}
{{- if .CoresPerSocket}}
        <vmw:CoresPerSocket ovf:required="false">{{.CoresPerSocket}}</vmw:CoresPerSocket>{{end}}
      </Item>
{{- end}}
{{- range .Config}}
      <vmw:Config ovf:required="false" vmw:key="{{esc (index . 0)}}" vmw:value="{{esc (index . 1)}}"/>
{{- end}}
{{- range .Extra}}
      <vmw:ExtraConfig ovf:required="false" vmw:key="{{esc (index . 0)}}" vmw:value="{{esc (index . 1)}}"/>
{{- end}}
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`))

// CreateDescriptor writes the OVF descriptor of a VM, as ESXi's OvfManager
// does for an export: its disks refer to the files the client names in
// cdp.ovfFiles (by lease device key), or to "<name>-<n>.vmdk"; an NVRAM
// file the client names (device key "/vm-N/nvram") becomes a File of the
// References after the disks and the entry vmw:ExtraConfig nvram =
// "ovf:/file/fileN", as in an ESXi export of an EFI VM (govmomi's fixture
// ovf/fixtures/external/VM_with_nvram/newVM-with-nvram.ovf).
func (d *detour) CreateDescriptor(ctx *simulator.Context, req *types.CreateDescriptor) soap.HasFault {
	vm, ok := ctx.Map.Get(req.Obj).(*simulator.VirtualMachine)
	if !ok {
		return &methods.CreateDescriptorBody{Fault_: faultOnly(&types.ManagedObjectNotFound{Obj: req.Obj})}
	}
	var doc ovfDoc
	ctx.WithLock(vm, func() { doc = buildOVF(ctx, vm, &req.Cdp) })
	var out bytes.Buffer
	if err := ovfTemplate.Execute(&out, doc); err != nil {
		return &methods.CreateDescriptorBody{Fault_: simulator.Fault(err.Error(), &types.InvalidArgument{InvalidProperty: "obj"})}
	}
	return &methods.CreateDescriptorBody{Res: &types.CreateDescriptorResponse{
		Returnval: types.OvfCreateDescriptorResult{OvfDescriptor: out.String()},
	}}
}

// capacityUnits writes a capacity in the largest whole binary unit, as ESXi.
func capacityUnits(b int64) (string, string) {
	switch {
	case b > 0 && b%(1<<30) == 0:
		return fmt.Sprint(b >> 30), "byte * 2^30"
	case b > 0 && b%(1<<20) == 0:
		return fmt.Sprint(b >> 20), "byte * 2^20"
	default:
		return fmt.Sprint(b), "byte"
	}
}
