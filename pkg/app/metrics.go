package app

import (
	"time"

	"github.com/ceso/ceso/pkg/esxi/client"
	"github.com/ceso/ceso/pkg/metrics"
)

// clientMetrics counts the ESXi client's calls, logins and pool use on the
// App's registry.
type clientMetrics struct{ m *metrics.Metrics }

var _ client.Observer = clientMetrics{}

func (c clientMetrics) ObserveCall(method string, d time.Duration, err error) {
	c.m.ObserveAPICall(metrics.MethodClass(method), d, err)
}

func (c clientMetrics) Login() { c.m.Login() }

func (c clientMetrics) Pool(inUse, idle int) { c.m.SetPool(inUse, idle) }
