package metrics

import (
	"reflect"

	"github.com/prometheus/client_golang/prometheus"
)

// Collectors lists every collector field of m, for the test that checks
// metricstest.Touch leaves none without a sample.
func Collectors(m *Metrics) map[string]prometheus.Collector {
	out := map[string]prometheus.Collector{}
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Type().Implements(reflect.TypeFor[prometheus.Collector]()) && f.Type() != reflect.TypeFor[*prometheus.Registry]() {
			out[v.Type().Field(i).Name] = reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().Interface().(prometheus.Collector)
		}
	}
	return out
}
