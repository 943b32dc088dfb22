// Package metricstest helps tests of ceso's metrics: Touch records one
// sample in every collector of a metrics.Metrics, so that a gathered
// registry holds every metric family (a labelled metric has no series, and
// so no family, until it is first used). It is for tests only.
package metricstest
