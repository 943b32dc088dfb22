package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ceso/ceso/pkg/app"
	"github.com/ceso/ceso/pkg/operations"
	"github.com/ceso/ceso/pkg/ops"
	"github.com/google/uuid"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Resource URIs.
const (
	URIVMs       = "ceso://vms"
	URIVMPrefix  = "ceso://vms/"
	URIVMPattern = URIVMPrefix + "{name}"
	URIBackups   = "ceso://backups"
	URIAuditTail = "ceso://audit/tail"
	jsonMIME     = "application/json"
)

// addResources adds to sess the resources whose operation it exposes, and
// the audit tail.
func (s *Server) addResources(sess *session) {
	op := func(name string, params func(uri string) (json.RawMessage, error)) sdk.ResourceHandler {
		return func(ctx context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
			p, err := params(req.Params.URI)
			if err != nil {
				return nil, err
			}
			return s.readOp(ctx, sess.id, name, req.Params.URI, p)
		}
	}
	none := func(string) (json.RawMessage, error) { return json.RawMessage("{}"), nil }
	if s.exposed(sess, "vm.list") {
		sess.srv.AddResource(&sdk.Resource{URI: URIVMs, Name: "vms", Title: "VM inventory", MIMEType: jsonMIME,
			Description: "Every VM of the host: name, power state, CPU, memory, IP, guest OS (vm.list)."}, op("vm.list", none))
	}
	if s.exposed(sess, "vm.info") {
		sess.srv.AddResourceTemplate(&sdk.ResourceTemplate{URITemplate: URIVMPattern, Name: "vm", Title: "One VM", MIMEType: jsonMIME,
			Description: "One VM's hardware, disks, NICs, addresses, tools and decoded cloud-init guestinfo (vm.info)."}, op("vm.info", vmParams))
	}
	if s.exposed(sess, "backup.list") {
		sess.srv.AddResource(&sdk.Resource{URI: URIBackups, Name: "backups", Title: "Backup catalog", MIMEType: jsonMIME,
			Description: "The backups in the catalog, newest first (backup.list)."}, op("backup.list", none))
	}
	sess.srv.AddResource(&sdk.Resource{URI: URIAuditTail, Name: "audit-tail", Title: "Your audit records", MIMEType: jsonMIME,
		Description: fmt.Sprintf("The newest %d audit records of this agent's own calls (by their correlation IDs), without params.", tailRecords)},
		func(_ context.Context, req *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
			recs, err := auditTail(s.app.Config().AuditLogPath(), s.seen.of(sess.id.Agent))
			if err != nil {
				return nil, s.agentError(err)
			}
			return s.contents(req.Params.URI, recs)
		})
}

// exposed says sess lists the tool of operation name.
func (s *Server) exposed(sess *session, name string) bool {
	_, ok := sess.list[ToolName(name)]
	return ok
}

// vmParams reads the VM name of ceso://vms/{name}.
func vmParams(uri string) (json.RawMessage, error) {
	rest, ok := strings.CutPrefix(uri, URIVMPrefix)
	name, err := url.PathUnescape(rest)
	if !ok || err != nil || name == "" || strings.Contains(rest, "/") {
		return nil, sdk.ResourceNotFoundError(uri)
	}
	return json.Marshal(operations.VMInfoParams{Name: name})
}

// readOp runs a read operation for a resource, audited like a tool call.
func (s *Server) readOp(ctx context.Context, id Identity, name, uri string, params json.RawMessage) (*sdk.ReadResourceResult, error) {
	d, ok := operations.Lookup(name)
	for _, t := range s.tools {
		if t.def.Name() == name {
			d, ok = t.def, true
		}
	}
	if !ok {
		return nil, sdk.ResourceNotFoundError(uri)
	}
	cid := uuid.NewString()
	out, err := d.Invoke(ops.WithHooks(ctx, ops.Hooks{CorrelationID: cid}), s.app, app.Call{Actor: id.Agent, Mode: id.Mode}, params)
	s.seen.add(id.Agent, cid)
	if err != nil {
		return nil, s.agentError(err)
	}
	return s.contents(uri, out.Result)
}

// contents is v, cleaned, as the JSON text of uri.
func (s *Server) contents(uri string, v any) (*sdk.ReadResourceResult, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", uri, err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", uri, err)
	}
	text, err := json.Marshal(s.cleaner().value(doc, ""))
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", uri, err)
	}
	return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: uri, MIMEType: jsonMIME, Text: string(text)}}}, nil
}

// agentError is err as an agent may see it: cleaned and cut.
func (s *Server) agentError(err error) error {
	return errors.New(s.cleaner().text(err.Error(), maxText))
}
