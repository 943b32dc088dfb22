package grafana

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedDashboardIsGenerated fails when ceso-dashboard.json is not
// what the generator writes: run go generate ./deploy/grafana.
func TestCommittedDashboardIsGenerated(t *testing.T) {
	want, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("ceso-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("ceso-dashboard.json differs from the generator's output: run go generate ./deploy/grafana and commit it")
	}
}

// dash is the part of the dashboard model the checks below read.
type dash struct {
	UID        string `json:"uid"`
	Templating struct {
		List []struct {
			Type, Name string
			Query      any
		}
	}
	Panels []struct {
		ID         int    `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource struct{ Type, UID string }
		Targets    []struct {
			Expr, RefID string
			Datasource  struct{ Type, UID string }
		}
		FieldConfig struct {
			Defaults struct {
				Unit       string
				Thresholds struct {
					Steps []struct {
						Value *float64
						Color string
					}
				}
			}
		} `json:"fieldConfig"`
	}
}

func load(t *testing.T) dash {
	t.Helper()
	data, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	var d dash
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDashboardIsImportable checks what an import needs: a Prometheus data
// source variable every query uses, unique panel IDs and query refIds, and
// a query and a unit on every panel.
func TestDashboardIsImportable(t *testing.T) {
	d := load(t)
	if d.UID != UID {
		t.Errorf("uid %q", d.UID)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["datasource"] != "datasource" || vars["job"] != "query" || vars["instance"] != "query" {
		t.Fatalf("variables %v: want a datasource variable and job and instance queries", vars)
	}
	ids := map[int]bool{}
	graphs := 0
	for _, p := range d.Panels {
		if ids[p.ID] || p.ID == 0 {
			t.Errorf("panel %q: id %d is zero or used twice", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		graphs++
		if p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
			t.Errorf("panel %q: data source %q, %d queries", p.Title, p.Datasource.UID, len(p.Targets))
		}
		refs := map[string]bool{}
		for _, q := range p.Targets {
			if q.Datasource.UID != "${datasource}" || q.Expr == "" || refs[q.RefID] || q.RefID == "" {
				t.Errorf("panel %q: query %+v", p.Title, q)
			}
			refs[q.RefID] = true
			if !strings.Contains(q.Expr, `instance=~"$instance"`) {
				t.Errorf("panel %q: query %q ignores the instance variable", p.Title, q.Expr)
			}
		}
	}
	if graphs < 15 {
		t.Errorf("only %d panels", graphs)
	}
}

// TestBackupAgeThresholdIsTheAlert: the backup age panels turn red where
// the alert fires.
func TestBackupAgeThresholdIsTheAlert(t *testing.T) {
	found := 0
	for _, p := range load(t).Panels {
		if !strings.Contains(p.Title, "ackup age") {
			continue
		}
		found++
		steps := p.FieldConfig.Defaults.Thresholds.Steps
		if len(steps) != 2 || steps[1].Value == nil || *steps[1].Value != 26*3600 || steps[1].Color != "red" || p.FieldConfig.Defaults.Unit != "s" {
			t.Errorf("panel %q: thresholds %+v, unit %q; want red from 26 h in seconds", p.Title, steps, p.FieldConfig.Defaults.Unit)
		}
	}
	if found != 2 {
		t.Fatalf("%d backup age panels, want 2", found)
	}
	rules, err := os.ReadFile(filepath.Join("..", "prometheus", "ceso-rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rules), "time() - ceso_backup_last_success_timestamp_seconds > 26 * 3600") {
		t.Fatal("CesoBackupTooOld no longer fires at 26 h: change BackupAlertSeconds with it")
	}
}
