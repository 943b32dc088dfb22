package mcp

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ceso/ceso/pkg/esxi/esxisim"
	"github.com/ceso/ceso/pkg/esxi/esxisim/simtest"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

func readResource(t *testing.T, cs *sdk.ClientSession, uri string) string {
	t.Helper()
	res, err := cs.ReadResource(simtest.Ctx(t, time.Minute), &sdk.ReadResourceParams{URI: uri})
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	if len(res.Contents) != 1 || res.Contents[0].MIMEType != jsonMIME || res.Contents[0].URI != uri {
		t.Fatalf("%s: contents %+v", uri, res.Contents)
	}
	return res.Contents[0].Text
}

// TestResources: the inventory, one VM, the backup catalog and the
// caller's own audit tail, readable in restricted mode.
func TestResources(t *testing.T) {
	r := newRig(t, rigOpts{mode: "restricted"})
	cs := r.connect(t, Identity{Agent: "looker"})
	ctx := simtest.Ctx(t, time.Minute)
	list, err := cs.ListResources(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	uris := map[string]bool{}
	for _, res := range list.Resources {
		uris[res.URI] = true
	}
	for _, u := range []string{URIVMs, URIBackups, URIAuditTail} {
		if !uris[u] {
			t.Errorf("%s is not listed: %v", u, uris)
		}
	}
	tpl, err := cs.ListResourceTemplates(ctx, nil)
	if err != nil || len(tpl.ResourceTemplates) != 1 || tpl.ResourceTemplates[0].URITemplate != URIVMPattern {
		t.Fatalf("templates %+v %v", tpl, err)
	}

	var vms []map[string]any
	if err := json.Unmarshal([]byte(readResource(t, cs, URIVMs)), &vms); err != nil || len(vms) == 0 {
		t.Fatalf("inventory %v %v", vms, err)
	}
	var one map[string]any
	if err := json.Unmarshal([]byte(readResource(t, cs, URIVMPrefix+url.PathEscape(esxisim.TemplateName))), &one); err != nil || one["name"] != esxisim.TemplateName {
		t.Fatalf("one VM: %v %v", one, err)
	}
	if readResource(t, cs, URIBackups) != "[]" {
		t.Error("the backup catalog of a new host is not empty")
	}
	if _, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: URIVMPrefix + "nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a missing VM: %v", err)
	}
	if _, err := cs.ReadResource(ctx, &sdk.ReadResourceParams{URI: URIVMPrefix + "a/b"}); err == nil {
		t.Error("a VM URI with a slash was read")
	}

	// The audit tail holds this agent's calls, not another's.
	other := r.connect(t, Identity{Agent: "someone-else"})
	theirs := mustDo(t, other, "vm_list", nil)
	mine := mustDo(t, cs, "vm_info", map[string]any{"name": esxisim.TemplateName})
	var tail []tailRecord
	if err := json.Unmarshal([]byte(readResource(t, cs, URIAuditTail)), &tail); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, rec := range tail {
		seen[rec.CorrelationID] = true
		if rec.Actor != "looker" {
			t.Errorf("the tail shows %s's record %s", rec.Actor, rec.CorrelationID)
		}
	}
	if !seen[mine.env.CorrelationID] || seen[theirs.env.CorrelationID] {
		t.Errorf("tail %v: want my %s, not their %s", seen, mine.env.CorrelationID, theirs.env.CorrelationID)
	}
}

// TestAuditTailIsBounded: at most tailRecords records, the newest.
func TestAuditTailIsBounded(t *testing.T) {
	r := newRig(t, rigOpts{})
	cs := r.connect(t, Identity{Agent: "chatty"})
	var last string
	for range tailRecords/2 + 5 {
		last = mustDo(t, cs, "config_validate", nil).env.CorrelationID
	}
	var tail []tailRecord
	if err := json.Unmarshal([]byte(readResource(t, cs, URIAuditTail)), &tail); err != nil {
		t.Fatal(err)
	}
	if len(tail) != tailRecords || tail[len(tail)-1].CorrelationID != last {
		t.Errorf("%d records, last %s; want %d ending with %s", len(tail), tail[len(tail)-1].CorrelationID, tailRecords, last)
	}
}
