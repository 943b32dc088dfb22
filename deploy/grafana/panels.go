package grafana

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

type row struct {
	title  string
	panels []cog.Builder[dashboard.Panel]
}

func rows() []row {
	return []row{
		{"Operations", []cog.Builder[dashboard.Panel]{operationRate(), errorRatio(), latency()}},
		{"Backups", []cog.Builder[dashboard.Panel]{
			backupAge("Backup age per VM", "ceso_backup_last_success_timestamp_seconds",
				"Time since each VM's last successful backup. The red zone starts where CesoBackupTooOld fires (26 h)."),
			backupAge("Verified backup age per VM", "ceso_backup_last_verified_timestamp_seconds",
				"Age of each VM's newest backup that passed verification. The red zone starts where CesoVerifiedBackupTooOld fires (26 h)."),
			backupSize(), backupThroughput(), backupDurations(),
		}},
		{"Security", []cog.Builder[dashboard.Panel]{sandboxDenials(), auditFailures(), reachable(), version()}},
		{"ESXi", []cog.Builder[dashboard.Panel]{sessionPool(), apiLatency(), apiErrors(), sshFallbacks(), jobs()}},
	}
}

func query(expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Datasource(datasource()).Expr(expr).LegendFormat(legend)
}

func graph(title, description, unit string, queries ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasource()).
		Unit(unit).
		Min(0).
		Height(8).
		Span(12).
		LineWidth(1).
		FillOpacity(10).
		ShowPoints(common.VisibilityModeNever).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true)).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).
			Sort(common.SortOrderDescending))
	for i, q := range queries {
		p = p.WithTarget(q.RefId(string(rune('A' + i))))
	}
	return p
}

// thresholds colour values green below limit and red from it.
func thresholds(limit float64) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().
		Mode(dashboard.ThresholdsModeAbsolute).
		Steps([]dashboard.Threshold{{Value: nil, Color: "green"}, {Value: cog.ToPtr(limit), Color: "red"}})
}

func operationRate() cog.Builder[dashboard.Panel] {
	return graph("Operation rate", "Operations per second by operation and status (success, failure, refused, partial).", "ops",
		query(`sum by (operation, status) (rate(ceso_vm_operation_total{`+sel+`}[$__rate_interval]))`, "{{operation}} {{status}}"))
}

func errorRatio() cog.Builder[dashboard.Panel] {
	expr := `sum by (instance) (rate(ceso_vm_operation_total{` + sel + `, status=~"failure|partial"}[$__rate_interval]))
/
sum by (instance) (rate(ceso_vm_operation_total{` + sel + `, status!="refused"}[$__rate_interval]))`
	return graph("Error ratio", "Share of the operations that ran and failed (refusals left out). The dashed line is the SLO's 1% error budget.",
		"percentunit", query(expr, "{{instance}}")).
		Thresholds(thresholds(0.01)).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed))
}

func latency() cog.Builder[dashboard.Panel] {
	var qs []*prometheus.DataqueryBuilder
	for _, q := range []struct{ q, name string }{{"0.5", "p50"}, {"0.95", "p95"}, {"0.99", "p99"}} {
		qs = append(qs, query(fmt.Sprintf(
			`histogram_quantile(%s, sum by (operation, le) (rate(ceso_vm_operation_duration_seconds_bucket{%s, status="success"}[$__rate_interval])))`,
			q.q, sel), "{{operation}} "+q.name))
	}
	return graph("Latency by operation (p50, p95, p99)", "Duration of successful operations. The create SLO is p95 under 90 s.", "s", qs...).
		Span(24)
}

func backupAge(title, metric, description string) cog.Builder[dashboard.Panel] {
	return graph(title, description, "s", query(`time() - `+metric+`{`+sel+`}`, "{{vm_name}}")).
		Thresholds(thresholds(BackupAlertSeconds)).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLineAndArea))
}

func backupSize() cog.Builder[dashboard.Panel] {
	return graph("Backup size per VM", "Bytes stored by each VM's last successful backup.", "bytes",
		query(`ceso_backup_size_bytes{`+sel+`}`, "{{vm_name}}"))
}

func backupThroughput() cog.Builder[dashboard.Panel] {
	return graph("Backup throughput", "Bytes per second written to backup targets, read back by verification, and uploaded to the host by restores.", "Bps",
		query(`sum by (instance) (rate(ceso_backup_written_bytes_total{`+sel+`}[$__rate_interval]))`, "backup {{instance}}"),
		query(`sum by (instance) (rate(ceso_backup_verify_read_bytes_total{`+sel+`}[$__rate_interval]))`, "verify {{instance}}"),
		query(`sum by (instance) (rate(ceso_restore_uploaded_bytes_total{`+sel+`}[$__rate_interval]))`, "restore {{instance}}"))
}

func backupDurations() cog.Builder[dashboard.Panel] {
	var qs []*prometheus.DataqueryBuilder
	for _, h := range []struct{ metric, name string }{
		{"ceso_backup_duration_seconds", "backup"},
		{"ceso_backup_verify_duration_seconds", "verify"},
		{"ceso_restore_duration_seconds", "restore"},
	} {
		qs = append(qs, query(fmt.Sprintf(
			`histogram_quantile(0.95, sum by (le) (rate(%s_bucket{%s, status="success"}[$__rate_interval])))`, h.metric, sel), h.name+" p95"))
	}
	return graph("Backup, verify and restore durations (p95)", "95th percentile of successful backups, verifications and restores.", "s", qs...).
		Span(24)
}

func sandboxDenials() cog.Builder[dashboard.Panel] {
	return graph("Sandbox denials", "Operations refused by the sandbox per second, by operation and security mode. CesoSandboxDenialSpike fires on a burst.", "ops",
		query(`sum by (operation, mode) (rate(ceso_sandbox_denials_total{`+sel+`}[$__rate_interval]))`, "{{operation}} ({{mode}})"))
}

func statPanel(title, description string, q *prometheus.DataqueryBuilder) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasource()).
		Height(8).
		Span(4).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
		ColorMode(common.BigValueColorModeBackground).
		GraphMode(common.BigValueGraphModeNone).
		WithTarget(q.RefId("A"))
}

func auditFailures() cog.Builder[dashboard.Panel] {
	return statPanel("Audit write failures", "Audit records that could not be written in the time range; ceso refuses operations it cannot record.",
		query(`sum(increase(ceso_audit_write_failures_total{`+sel+`}[$__range]))`, "failures")).
		Decimals(0).
		NoValue("0").
		Thresholds(thresholds(1))
}

func reachable() cog.Builder[dashboard.Panel] {
	text := func(s, color string) dashboard.ValueMappingResult {
		return dashboard.ValueMappingResult{Text: cog.ToPtr(s), Color: cog.ToPtr(color)}
	}
	return statPanel("ESXi host reachable", "Whether the last ESXi API call reached the host, per instance.",
		query(`min by (instance) (ceso_esxi_reachable{`+sel+`})`, "{{instance}}")).
		Mappings([]dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
			Type:    dashboard.MappingTypeValueToText,
			Options: map[string]dashboard.ValueMappingResult{"0": text("unreachable", "red"), "1": text("reachable", "green")},
		}}})
}

func version() cog.Builder[dashboard.Panel] {
	return statPanel("Version", "The ceso version and revision each instance runs.",
		query(`count by (version, revision) (ceso_build_info{`+sel+`})`, "{{version}} {{revision}}")).
		ColorMode(common.BigValueColorModeNone).
		TextMode(common.BigValueTextModeName)
}

func sessionPool() cog.Builder[dashboard.Panel] {
	return graph("ESXi session pool", "Sessions lent out and idle, and logins per interval (a cached session reused is not a login).", "short",
		query(`sum by (instance) (ceso_esxi_sessions_in_use{`+sel+`})`, "in use {{instance}}"),
		query(`sum by (instance) (ceso_esxi_sessions_idle{`+sel+`})`, "idle {{instance}}"),
		query(`sum by (instance) (increase(ceso_esxi_session_logins_total{`+sel+`}[$__rate_interval]))`, "logins {{instance}}"))
}

func apiLatency() cog.Builder[dashboard.Panel] {
	var qs []*prometheus.DataqueryBuilder
	for _, q := range []struct{ q, name string }{{"0.5", "p50"}, {"0.95", "p95"}} {
		qs = append(qs, query(fmt.Sprintf(
			`histogram_quantile(%s, sum by (class, le) (rate(ceso_esxi_api_call_duration_seconds_bucket{%s}[$__rate_interval])))`, q.q, sel),
			"{{class}} "+q.name))
	}
	return graph("ESXi API latency by method class", "Duration of ESXi API calls by class (session, read, task, lease, other).", "s", qs...)
}

func apiErrors() cog.Builder[dashboard.Panel] {
	return graph("ESXi API errors", "Failed ESXi API calls per second by method class and error kind.", "ops",
		query(`sum by (class, kind) (rate(ceso_esxi_api_errors_total{`+sel+`}[$__rate_interval]))`, "{{class}} {{kind}}"))
}

func sshFallbacks() cog.Builder[dashboard.Panel] {
	return graph("SSH fallbacks", "Writes sent over SSH because the API refused them (free licence), per second by operation.", "ops",
		query(`sum by (operation) (rate(ceso_ssh_fallback_total{`+sel+`}[$__rate_interval]))`, "{{operation}}"))
}

func jobs() cog.Builder[dashboard.Panel] {
	return graph("Daemon jobs", "Jobs of ceso serve waiting and running.", "short",
		query(`sum by (instance) (ceso_jobs_queued{`+sel+`})`, "queued {{instance}}"),
		query(`sum by (instance) (ceso_jobs_running{`+sel+`})`, "running {{instance}}"))
}
