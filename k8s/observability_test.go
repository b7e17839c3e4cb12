package k8s

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// metricNames reads the metric names internal/metrics declares. Reading the
// source rather than gathering the registry sees every vector, including
// those with no series yet.
func metricNames(t *testing.T) map[string]bool {
	t.Helper()
	src, err := os.ReadFile("../internal/metrics/metrics.go")
	require.NoError(t, err)
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`Name:\s+"(vigie_[a-z0-9_]+)"`).FindAllSubmatch(src, -1) {
		names[string(m[1])] = true
	}
	require.NotEmpty(t, names)
	return names
}

// vigieSeries matches the metric names used in a PromQL expression.
var vigieSeries = regexp.MustCompile(`\bvigie_[a-z0-9_]+`)

// declared reports whether a series name belongs to a declared metric (a
// histogram's series end in _bucket, _sum or _count).
func declared(names map[string]bool, series string) bool {
	if names[series] {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(series, suffix); ok && names[base] {
			return true
		}
	}
	return false
}

// TestDashboardCoversEveryMetric checks the Grafana dashboard in docs/grafana:
// valid JSON whose queries use only metrics internal/metrics declares, and
// that shows every one of them.
func TestDashboardCoversEveryMetric(t *testing.T) {
	t.Parallel()
	names := metricNames(t)
	b, err := os.ReadFile("../docs/grafana/vigie.json")
	require.NoError(t, err)
	var dash struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(b, &dash))
	require.NotEmpty(t, dash.UID)
	used := map[string]bool{}
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		require.NotEmpty(t, p.Targets, "panel %q has no query", p.Title)
		for _, tg := range p.Targets {
			for _, s := range vigieSeries.FindAllString(tg.Expr, -1) {
				require.True(t, declared(names, s), "panel %q queries %s, which internal/metrics does not declare", p.Title, s)
				used[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "_bucket"), "_sum"), "_count")] = true
			}
		}
	}
	var missing []string
	for n := range names {
		if !used[n] {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "metrics no dashboard panel shows")
}

// TestAlertsUseDeclaredMetrics checks the monitoring component's alerts
// query metrics that exist and say what to do.
func TestAlertsUseDeclaredMetrics(t *testing.T) {
	t.Parallel()
	names := metricNames(t)
	b := build(t, "overlays/prod")
	rules := all[*prometheusRule](b)
	require.Len(t, rules, 1)
	n := 0
	for _, g := range rules[0].Spec.Groups {
		for _, r := range g.Rules {
			n++
			require.NotEmpty(t, r.Alert)
			require.NotEmpty(t, r.Labels["severity"], "alert %s has no severity", r.Alert)
			require.NotEmpty(t, r.Annotations["summary"], "alert %s has no summary", r.Alert)
			require.NotEmpty(t, r.Annotations["description"], "alert %s does not say what to look at", r.Alert)
			series := vigieSeries.FindAllString(r.Expr, -1)
			require.NotEmpty(t, series, "alert %s queries no Vigie metric", r.Alert)
			for _, s := range series {
				require.True(t, declared(names, s), "alert %s queries %s, which internal/metrics does not declare", r.Alert, s)
			}
		}
	}
	require.NotZero(t, n)
	for _, pm := range all[*podMonitor](b) {
		require.Equal(t, "vigie", pm.Spec.Selector.MatchLabels["app.kubernetes.io/name"])
		for _, e := range pm.Spec.PodMetricsEndpoints {
			require.Equal(t, "http", e.Port)
			require.Equal(t, "/metrics", e.Path)
		}
	}
}
