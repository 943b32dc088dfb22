package api

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ceso/ceso/pkg/ops"
)

// Paths of the API.
const (
	// Prefix is the root of every versioned route.
	Prefix = "/api/v1"
	// OpsPrefix is followed by an operation's name: /api/v1/ops/vm.list.
	OpsPrefix = Prefix + "/ops/"
	// JobsPath lists the caller's jobs; JobsPath + "/" + ID is one job.
	JobsPath = Prefix + "/jobs"
	// OpenAPIPath serves the API's OpenAPI document as JSON.
	OpenAPIPath = Prefix + "/openapi.json"
	// MCPPath serves the operations as MCP tools over streamable HTTP
	// (pkg/mcp), with the same bearer tokens.
	MCPPath = "/mcp"
	// HealthPath answers while the process is alive; ReadyPath when it
	// can serve operations.
	HealthPath = "/healthz"
	ReadyPath  = "/readyz"
)

// Headers and query parameters.
const (
	// CorrelationHeader carries the correlation ID of the operation a
	// response is about (the audit log's correlation_id).
	CorrelationHeader = "X-Correlation-ID"
	// DryRunParam asks for the plan only: ?dry_run=true.
	DryRunParam = "dry_run"
	// TimeoutParam bounds the operation (a Go duration: ?timeout=90s).
	TimeoutParam = "timeout"
	// ModeHeader lowers the security mode for one request (restricted,
	// standard or unrestricted); it can never raise it above the token's.
	ModeHeader = "X-Ceso-Mode"
	// ConfirmedHeader ("true") says a human confirmed the destructive
	// operation of this request (typed its name, or gave --yes): standard
	// mode lets it run.
	ConfirmedHeader = "X-Ceso-Confirmed"
	// PromotionTokenHeader and ApprovalHeader carry a signed promotion
	// token or plan approval (ceso sandbox) that may lift a refusal for
	// this request.
	PromotionTokenHeader = "X-Ceso-Promotion-Token"
	ApprovalHeader       = "X-Ceso-Approval"
)

// Call is how one operation is asked for: the query parameters and the
// security headers of its request.
type Call struct {
	// DryRun asks for the plan only.
	DryRun bool
	// Timeout bounds the operation on the server (its default when 0).
	Timeout time.Duration
	// Mode lowers the token's mode for this request.
	Mode string
	// Confirmed says a human confirmed a destructive operation.
	Confirmed bool
	// PromotionToken and Approval may lift a refusal.
	PromotionToken, Approval string
}

// Outcome is the answer to an operation that ended (200), and the end of a
// job: its result, or on a dry run its plan.
type Outcome struct {
	CorrelationID string     `json:"correlation_id"`
	DryRun        bool       `json:"dry_run"`
	Plan          []ops.Step `json:"plan"`
	// PlanID is the ID of a dry run's plan, what an approval is given for.
	PlanID string          `json:"plan_id,omitempty"`
	Result json.RawMessage `json:"result"`
	Notes  []string        `json:"notes"`
}

// Job states.
const (
	StateQueued    = "queued"    // accepted, waiting for a free slot (server.max_jobs)
	StateRunning   = "running"   // running now
	StateSucceeded = "succeeded" // ended well: Result is set
	StateFailed    = "failed"    // ended in an error: Error is set (and Result for a partial failure)
	StateCanceled  = "canceled"  // cancelled by DELETE or by the server's shutdown
)

// Terminal reports whether a job in state s has ended.
func Terminal(s string) bool {
	return s == StateSucceeded || s == StateFailed || s == StateCanceled
}

// Job is an operation the server runs for a caller (202): its state,
// progress and, once ended, its result or error.
type Job struct {
	ID            string          `json:"id"`
	Operation     string          `json:"operation"`
	Actor         string          `json:"actor"`
	State         string          `json:"state"`
	CorrelationID string          `json:"correlation_id"`
	Created       time.Time       `json:"created"`
	Started       *time.Time      `json:"started,omitempty"`
	Finished      *time.Time      `json:"finished,omitempty"`
	Progress      *Progress       `json:"progress,omitempty"`
	Result        json.RawMessage `json:"result,omitempty"`
	Notes         []string        `json:"notes,omitempty"`
	Error         *Error          `json:"error,omitempty"`
}

// Progress is how far a job's transfer is: bytes done of total (0 when
// unknown), for backups, restores and verifications.
type Progress struct {
	Label      string `json:"label"`
	DoneBytes  int64  `json:"done_bytes"`
	TotalBytes int64  `json:"total_bytes"`
}

// Error is the body of every error response and a failed job's error.
type Error struct {
	// Code is the class of the error, the CLI's exit-code class (Codes).
	Code string `json:"code"`
	// Message says what failed, why, and what to do.
	Message string `json:"message"`
	// CorrelationID ties the error to the audit log (and to the request,
	// when no operation ran).
	CorrelationID string `json:"correlation_id"`
	// Plan and PlanID are set when a write was refused by the sandbox: what
	// it would do, and the ID an approval is given for.
	Plan   []ops.Step `json:"plan,omitempty"`
	PlanID string     `json:"plan_id,omitempty"`
	// Result is what a partly failed batch did.
	Result json.RawMessage `json:"result,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// JobList is the answer of GET /api/v1/jobs.
type JobList struct {
	Jobs []Job `json:"jobs"`
}

// Health is the answer of /healthz and /readyz: "ok", or "unavailable" with
// the checks that failed.
type Health struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// Fingerprint is the SHA-256 of a certificate (DER), as colon-separated
// upper-case hex: what server.thumbprint pins.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
