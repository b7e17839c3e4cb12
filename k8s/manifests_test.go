package k8s

import (
	"flag"
	"fmt"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/internal/config"
)

// TestEveryKustomizationBuilds builds the overlays, the shared base and
// every role's base on its own, decoding every object strictly.
func TestEveryKustomizationBuilds(t *testing.T) {
	t.Parallel()
	dirs := append([]string{"base", "base/ingest", "base/classify", "base/review", "base/common"}, overlays...)
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			b := build(t, dir)
			require.NotEmpty(t, b.objects)
			for _, o := range b.objects {
				require.NotEqual(t, "Secret", o.kind, "%s: secrets are created by the operator (docs/operations.md), never kept in the repository", o)
			}
		})
	}
}

// TestOverlays runs every check on every overlay.
func TestOverlays(t *testing.T) {
	t.Parallel()
	for _, dir := range overlays {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			b := build(t, dir)
			checks := []struct {
				name string
				fn   func(*testing.T, bundle)
			}{
				{"containers", checkContainers},
				{"roles", checkRoles},
				{"settings", checkSettings},
				{"secrets", checkSecrets},
				{"rules", checkRules},
				{"shutdown", checkShutdown},
				{"network", checkNetworkPolicies},
				{"kafka", checkKafka},
				{"scaling", checkScaling},
				{"images", checkImages},
			}
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) { c.fn(t, b) })
			}
		})
	}
}

// checkContainers: every container of every workload has probes, requests
// and limits, and runs as a non-root user on a read-only root filesystem
// without privilege escalation or capabilities.
func checkContainers(t *testing.T, b bundle) {
	ws := workloads(b)
	require.NotEmpty(t, ws)
	for _, w := range ws {
		pod := w.pod
		require.False(t, deref(pod.AutomountServiceAccountToken, true), "%s mounts a service account token it never uses", w)
		for _, c := range append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...) {
			where := fmt.Sprintf("%s container %s", w, c.Name)
			require.NotNil(t, c.LivenessProbe, "%s: no liveness probe", where)
			require.NotNil(t, c.ReadinessProbe, "%s: no readiness probe", where)
			for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				req, ok := c.Resources.Requests[res]
				require.True(t, ok, "%s: no %s request", where, res)
				lim, ok := c.Resources.Limits[res]
				require.True(t, ok, "%s: no %s limit", where, res)
				require.True(t, req.Cmp(lim) <= 0, "%s: %s request %s above its limit %s", where, res, req.String(), lim.String())
			}
			sc := c.SecurityContext
			require.NotNil(t, sc, "%s: no securityContext", where)
			psc := pod.SecurityContext
			nonRoot := sc.RunAsNonRoot
			if nonRoot == nil && psc != nil {
				nonRoot = psc.RunAsNonRoot
			}
			require.True(t, deref(nonRoot, false), "%s: runAsNonRoot is not set", where)
			uid := sc.RunAsUser
			if uid == nil && psc != nil {
				uid = psc.RunAsUser
			}
			require.NotNil(t, uid, "%s: no numeric runAsUser (the kubelet cannot verify a named user is not root)", where)
			require.NotZero(t, *uid, "%s: runs as root", where)
			require.True(t, deref(sc.ReadOnlyRootFilesystem, false), "%s: root filesystem is writable", where)
			require.False(t, deref(sc.AllowPrivilegeEscalation, true), "%s: privilege escalation allowed", where)
			require.NotNil(t, sc.Capabilities, "%s: capabilities not dropped", where)
			require.Contains(t, sc.Capabilities.Drop, corev1.Capability("ALL"), "%s: capabilities not dropped", where)
			require.Empty(t, sc.Capabilities.Add, "%s: adds capabilities", where)
			if psc != nil && psc.SeccompProfile != nil {
				require.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, psc.SeccompProfile.Type, "%s", where)
			}
			if isVigie(c) {
				// Each role serves /healthz (alive), /readyz (dependencies
				// answer, not shutting down) and /metrics on one port.
				require.NotNil(t, c.LivenessProbe.HTTPGet, "%s: liveness must be GET /healthz", where)
				require.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path, "%s", where)
				require.NotNil(t, c.ReadinessProbe.HTTPGet, "%s: readiness must be GET /readyz", where)
				require.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path, "%s", where)
				require.NotNil(t, c.StartupProbe, "%s: no startup probe (model loading must not trip liveness)", where)
				require.Len(t, c.Ports, 1, "%s: one port serves API, probes and metrics", where)
				require.Equal(t, "http", c.Ports[0].Name, "%s", where)
				for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
					require.Equal(t, "http", p.HTTPGet.Port.String(), "%s: probes go to the named port", where)
				}
			}
		}
	}
}

// checkRoles: each role runs as a Deployment with a disruption budget and a
// Service that select its pods, and the HTTP roles scale on CPU.
func checkRoles(t *testing.T, b bundle) {
	roles := map[string]workload{}
	for _, w := range workloads(b) {
		if r := w.role(); r != "" {
			require.Equal(t, "Deployment", w.kind, "%s", w)
			_, dup := roles[r]
			require.False(t, dup, "two workloads run vigie %s", r)
			roles[r] = w
		}
	}
	require.ElementsMatch(t, []string{"ingest", "classify", "review"}, keys(roles))
	for role, w := range roles {
		var pdbs, services int
		for _, p := range all[*policyv1.PodDisruptionBudget](b) {
			if selects(p.Spec.Selector.MatchLabels, w.labels) {
				pdbs++
				require.Empty(t, p.Spec.Selector.MatchExpressions)
			}
		}
		require.Equal(t, 1, pdbs, "%s (%s): want exactly one PodDisruptionBudget", w, role)
		for _, s := range all[*corev1.Service](b) {
			if len(s.Spec.Selector) > 0 && selects(s.Spec.Selector, w.labels) {
				services++
				for _, p := range s.Spec.Ports {
					require.Equal(t, "http", p.TargetPort.String(), "Service %s targets the named port", s.Name)
				}
			}
		}
		require.Equal(t, 1, services, "%s (%s): want exactly one Service", w, role)
		var hpas []*autoscalingv2.HorizontalPodAutoscaler
		for _, h := range all[*autoscalingv2.HorizontalPodAutoscaler](b) {
			if h.Spec.ScaleTargetRef.Kind == "Deployment" && h.Spec.ScaleTargetRef.Name == w.name {
				hpas = append(hpas, h)
			}
		}
		if role == "classify" {
			require.Empty(t, hpas, "classify scales on consumer lag (keda component), not CPU")
			continue
		}
		require.Len(t, hpas, 1, "%s: want one HorizontalPodAutoscaler on CPU", w)
		h := hpas[0]
		require.Len(t, h.Spec.Metrics, 1)
		require.NotNil(t, h.Spec.Metrics[0].Resource)
		require.Equal(t, corev1.ResourceCPU, h.Spec.Metrics[0].Resource.Name)
		require.LessOrEqual(t, deref(h.Spec.MinReplicas, 1), h.Spec.MaxReplicas)
		require.LessOrEqual(t, deref(h.Spec.MinReplicas, 1), w.replicas, "%s: starts below its autoscaler's minimum", w)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkSettings: every VIGIE_* variable a role receives is one that
// internal/config knows, and the settings a role gets pass the same
// validation `vigie ROLE` runs at start.
func checkSettings(t *testing.T, b bundle) {
	known := map[string]string{}
	for _, row := range config.Doc() {
		known[row[1]] = strings.TrimPrefix(row[0], "--")
	}
	for _, w := range workloads(b) {
		role := w.role()
		if role == "" {
			continue
		}
		for _, c := range w.pod.Containers {
			e := env(t, b, c)
			var args []string
			for name, v := range e {
				if name == "GOMEMLIMIT" {
					require.Equal(t, "resource:limits.memory", v, "%s: GOMEMLIMIT follows the memory limit", w)
					continue
				}
				if name == "GOGC" {
					n, err := strconv.Atoi(v)
					require.NoError(t, err, "%s: GOGC must be a number", w)
					require.True(t, n >= 50 && n <= 400, "%s: GOGC %d is outside 50-400", w, n)
					continue
				}
				f, ok := known[name]
				require.True(t, ok, "%s: %s is not a setting of internal/config", w, name)
				switch {
				case strings.HasPrefix(v, "secret:"):
					// The value is the operator's; give each a well-formed stand-in.
					v = map[string]string{
						"VIGIE_PUBLISHER_KEYS":   "acme:web:0123456789abcdef0123",
						"VIGIE_MODERATOR_TOKENS": "acme:ann:0123456789abcdef0123",
						"VIGIE_REDIS_ADDR":       "redis://:password@vigie-redis:6379/0",
					}[name]
					require.NotEmpty(t, v, "%s: %s from a Secret, but the test has no stand-in for it", w, name)
				case name == "VIGIE_RULES":
					// Mounted from the rule ConfigMap; checkRules follows it.
					v = "testdata-rules"
				}
				args = append(args, "--"+f+"="+v)
			}
			cfg := parseConfig(t, args)
			require.NoError(t, cfg.Validate(config.Role(role)), "%s: vigie %s would refuse these settings", w, role)
			require.Equal(t, "json", cfg.LogFormat, "%s: logs must be JSON in a cluster", w)
			_, port, _ := strings.Cut(cfg.Listen, ":")
			require.Equal(t, strconv.Itoa(int(c.Ports[0].ContainerPort)), port, "%s: VIGIE_LISTEN and the container port differ", w)
			require.NotContains(t, cfg.Listen, "127.0.0.1", "%s: a loopback listener is unreachable for probes", w)
		}
	}
}

// parseConfig binds a Config to a flag set and parses args. A stand-in rule
// path is swapped for a real file so Validate's existence check passes.
func parseConfig(t *testing.T, args []string) config.Config {
	t.Helper()
	for i, a := range args {
		if a == "--rules=testdata-rules" {
			args[i] = "--rules=base/common/rules.yaml"
		}
	}
	var cfg config.Config
	fs := flag.NewFlagSet("vigie", flag.ContinueOnError)
	require.NoError(t, cfg.Bind(fs))
	require.NoError(t, fs.Parse(args))
	return cfg
}

// secretSettings are the settings that carry credentials: they must come
// from a Secret.
var secretSettings = []string{"VIGIE_PUBLISHER_KEYS", "VIGIE_MODERATOR_TOKENS", "VIGIE_REDIS_ADDR"}

// documentedSecrets are the Secrets docs/operations.md tells the operator to
// create, with their keys.
var documentedSecrets = map[string][]string{
	"vigie-secrets": {"publisher-keys", "moderator-tokens", "redis-url"},
	"vigie-redis":   {"password"},
}

// checkSecrets: credentials reach containers only through secretKeyRef, to
// Secrets the operations guide documents; no ConfigMap carries them.
func checkSecrets(t *testing.T, b bundle) {
	doc, err := os.ReadFile("../docs/operations.md")
	require.NoError(t, err)
	for name, ks := range documentedSecrets {
		for _, k := range ks {
			require.Contains(t, string(doc), name, "docs/operations.md does not explain the Secret %s", name)
			require.Contains(t, string(doc), k, "docs/operations.md does not explain %s's key %s", name, k)
		}
	}
	for _, cm := range all[*corev1.ConfigMap](b) {
		for _, s := range secretSettings {
			require.NotContains(t, cm.Data, s, "ConfigMap %s carries the credential %s", cm.Name, s)
		}
		for k, v := range cm.Data {
			require.NotRegexp(t, `(?i)(password|passwd|secret|token)\s*[:=]\s*\S`, k+"="+v, "ConfigMap %s looks like it holds a credential", cm.Name)
			require.NotRegexp(t, `://[^/\s]*:[^@/\s]+@`, v, "ConfigMap %s holds a URL with a password", cm.Name)
		}
	}
	for _, w := range workloads(b) {
		for _, c := range w.pod.Containers {
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					ref := e.ValueFrom.SecretKeyRef
					require.Contains(t, documentedSecrets[ref.Name], ref.Key, "%s: %s reads %s/%s, which docs/operations.md does not document", w, e.Name, ref.Name, ref.Key)
					require.False(t, deref(ref.Optional, false), "%s: %s is optional; a missing Secret must stop the pod, not start it without credentials", w, e.Name)
					continue
				}
				for _, s := range secretSettings {
					require.NotEqual(t, s, e.Name, "%s: %s must come from a Secret", w, s)
				}
				if e.ValueFrom == nil {
					require.NotRegexp(t, `://[^/\s]*:[^@/\s]+@`, e.Value, "%s: %s embeds a password", w, e.Name)
				}
			}
		}
	}
}

// checkRules: VIGIE_RULES points into a ConfigMap folder mount (no subPath,
// so the kubelet's updates arrive and the engine reloads them), and the file
// there is a rule file the classifier accepts.
func checkRules(t *testing.T, b bundle) {
	seen := 0
	for _, w := range workloads(b) {
		for _, c := range w.pod.Containers {
			rulesPath := env(t, b, c)["VIGIE_RULES"]
			if rulesPath == "" {
				require.NotEqual(t, "classify", w.role(), "%s: classify must read the rule file from the ConfigMap", w)
				continue
			}
			seen++
			var mount *corev1.VolumeMount
			for i, m := range c.VolumeMounts {
				if path.Dir(rulesPath) == m.MountPath {
					mount = &c.VolumeMounts[i]
				}
			}
			require.NotNil(t, mount, "%s: nothing is mounted at %s", w, path.Dir(rulesPath))
			require.Empty(t, mount.SubPath, "%s: a subPath mount never sees ConfigMap updates", w)
			require.True(t, mount.ReadOnly, "%s: the rule mount must be read-only", w)
			var cmName string
			for _, v := range w.pod.Volumes {
				if v.Name == mount.Name {
					require.NotNil(t, v.ConfigMap, "%s: volume %s is not a ConfigMap", w, v.Name)
					require.Empty(t, v.ConfigMap.Items, "%s: the whole ConfigMap is mounted", w)
					cmName = v.ConfigMap.Name
				}
			}
			require.NotEmpty(t, cmName, "%s: no volume %s", w, mount.Name)
			cm := byName[*corev1.ConfigMap](t, b, "ConfigMap", cmName)
			data, ok := cm.Data[path.Base(rulesPath)]
			require.True(t, ok, "ConfigMap %s has no key %s", cmName, path.Base(rulesPath))
			_, err := classify.ParseRules(cmName+"/"+path.Base(rulesPath), []byte(data))
			require.NoError(t, err, "the rule file in ConfigMap %s", cmName)
			require.Regexp(t, `^vigie-rules$`, cmName, "%s: the rule ConfigMap keeps a fixed name so an edit reloads in place", w)
		}
	}
	require.NotZero(t, seen)
}

// checkShutdown: the pod's grace period covers the preStop pause and the
// role's shutdown grace, which together stay within the 25 s the roles
// promise to exit in.
func checkShutdown(t *testing.T, b bundle) {
	for _, w := range workloads(b) {
		if w.role() == "" {
			continue
		}
		for _, c := range w.pod.Containers {
			grace, err := time.ParseDuration(env(t, b, c)["VIGIE_SHUTDOWN_GRACE"])
			require.NoError(t, err, "%s: VIGIE_SHUTDOWN_GRACE", w)
			var pause time.Duration
			if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
				require.NotNil(t, c.Lifecycle.PreStop.Sleep, "%s: the image has no shell; preStop must be a sleep action", w)
				pause = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
			}
			if w.role() != "classify" {
				require.NotZero(t, pause, "%s: serves traffic, so it pauses before SIGTERM while endpoints update", w)
			}
			require.LessOrEqual(t, pause+grace, 25*time.Second, "%s: preStop %s + shutdown grace %s exceed 25s", w, pause, grace)
			period := time.Duration(deref(w.pod.TerminationGracePeriodSeconds, 30)) * time.Second
			require.GreaterOrEqual(t, period, pause+grace+5*time.Second, "%s: terminationGracePeriodSeconds %s leaves no margin over %s", w, period, pause+grace)
		}
	}
}

// checkNetworkPolicies: a default deny covers every Vigie pod, and every
// workload has a policy of its own opening what it needs.
func checkNetworkPolicies(t *testing.T, b bundle) {
	nps := all[*networkingv1.NetworkPolicy](b)
	var deny bool
	for _, np := range nps {
		if len(np.Spec.Ingress) == 0 && len(np.Spec.Egress) == 0 && len(np.Spec.PolicyTypes) == 2 &&
			selects(np.Spec.PodSelector.MatchLabels, map[string]string{"app.kubernetes.io/name": "vigie"}) {
			deny = true
		}
	}
	require.True(t, deny, "no default-deny policy for the Vigie pods")
	for _, w := range workloads(b) {
		var own int
		for _, np := range nps {
			if len(np.Spec.PodSelector.MatchLabels) > 1 || np.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"] != "vigie" {
				if selects(np.Spec.PodSelector.MatchLabels, w.labels) {
					own++
					require.ElementsMatch(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, np.Spec.PolicyTypes, "NetworkPolicy %s", np.Name)
				}
			}
		}
		require.Equal(t, 1, own, "%s: want exactly one NetworkPolicy of its own", w)
	}
}

// checkKafka: with the Strimzi component, the cluster runs KRaft with three
// brokers, every topic Vigie uses exists with replication 3 and
// min.insync.replicas 2 and a retention, and the roles dial its bootstrap
// service.
func checkKafka(t *testing.T, b bundle) {
	ks := all[*kafka](b)
	if len(ks) == 0 {
		return
	}
	require.Len(t, ks, 1)
	k := ks[0]
	var brokers, controllers int32
	for _, p := range all[*kafkaNodePool](b) {
		require.Equal(t, k.Metadata.Name, p.Metadata.Labels["strimzi.io/cluster"], "KafkaNodePool %s", p.Metadata.Name)
		for _, r := range p.Spec.Roles {
			switch r {
			case "broker":
				brokers += p.Spec.Replicas
			case "controller":
				controllers += p.Spec.Replicas
			default:
				t.Fatalf("KafkaNodePool %s: unknown role %q", p.Metadata.Name, r)
			}
		}
		for _, v := range p.Spec.Storage.Volumes {
			require.Equal(t, "persistent-claim", v.Type, "KafkaNodePool %s keeps data on volumes", p.Metadata.Name)
			require.False(t, v.DeleteClaim, "KafkaNodePool %s must keep its volumes when deleted", p.Metadata.Name)
		}
	}
	require.Equal(t, int32(3), brokers, "three brokers")
	require.GreaterOrEqual(t, controllers, int32(3), "a KRaft quorum of at least three controllers")
	require.Equal(t, 1, int(controllers)%2, "an odd number of controllers")
	cfg := k.Spec.Kafka.Config
	require.EqualValues(t, 2, cfg["min.insync.replicas"])
	require.EqualValues(t, 3, cfg["default.replication.factor"])
	require.EqualValues(t, false, cfg["auto.create.topics.enable"])
	require.EqualValues(t, false, cfg["unclean.leader.election.enable"])
	require.NotNil(t, k.Spec.EntityOperator)
	require.NotNil(t, k.Spec.EntityOperator.TopicOperator, "the topic operator applies the KafkaTopics")

	settings := roleSettings(t, b)
	topics := map[string]*kafkaTopic{}
	for _, kt := range all[*kafkaTopic](b) {
		require.Equal(t, k.Metadata.Name, kt.Metadata.Labels["strimzi.io/cluster"], "KafkaTopic %s", kt.Metadata.Name)
		name := kt.Spec.TopicName
		if name == "" {
			name = kt.Metadata.Name
		}
		require.Equal(t, 3, kt.Spec.Replicas, "topic %s", name)
		require.Equal(t, "2", kt.Spec.Config["min.insync.replicas"], "topic %s", name)
		ret, err := strconv.ParseInt(kt.Spec.Config["retention.ms"], 10, 64)
		require.NoError(t, err, "topic %s: retention.ms", name)
		require.GreaterOrEqual(t, ret, int64(24*time.Hour/time.Millisecond), "topic %s keeps at least a day", name)
		topics[name] = kt
	}
	for _, s := range []string{"VIGIE_TOPIC_COMMENTS", "VIGIE_TOPIC_VERDICTS", "VIGIE_TOPIC_DECISIONS", "VIGIE_TOPIC_DLQ"} {
		require.Contains(t, topics, settings[s], "no KafkaTopic for %s=%s", s, settings[s])
	}
	require.Equal(t, strconv.Itoa(topics[settings["VIGIE_TOPIC_COMMENTS"]].Spec.Partitions), settings["VIGIE_TOPIC_PARTITIONS"],
		"VIGIE_TOPIC_PARTITIONS (used when vigie creates a missing topic first) differs from the KafkaTopic")
	require.Equal(t, "3", settings["VIGIE_TOPIC_REPLICATION"])
	var plain string
	for _, l := range k.Spec.Kafka.Listeners {
		if !l.TLS && l.Type == "internal" {
			plain = fmt.Sprintf("%s-kafka-bootstrap:%d", k.Metadata.Name, l.Port)
		}
	}
	require.Equal(t, plain, settings["VIGIE_KAFKA_BROKERS"], "the roles dial the Strimzi bootstrap service")
}

// roleSettings returns the settings every Vigie container shares (from the
// ConfigMaps they load); they must agree across roles.
func roleSettings(t *testing.T, b bundle) map[string]string {
	var out map[string]string
	for _, w := range workloads(b) {
		for _, c := range w.pod.Containers {
			if !isVigie(c) {
				continue
			}
			e := env(t, b, c)
			if out == nil {
				out = e
				continue
			}
			for _, k := range []string{"VIGIE_KAFKA_BROKERS", "VIGIE_TOPIC_COMMENTS", "VIGIE_TOPIC_VERDICTS", "VIGIE_TOPIC_DECISIONS", "VIGIE_TOPIC_DLQ", "VIGIE_CLASSIFY_GROUP", "VIGIE_TOPIC_PARTITIONS", "VIGIE_LANGUAGES"} {
				require.Equal(t, out[k], e[k], "%s: %s differs between roles", w, k)
			}
		}
	}
	return out
}

// checkScaling: classify never runs more replicas than comments has
// partitions — fixed replicas or KEDA's maximum — and KEDA watches the
// group and topic classify actually uses, through an address it can dial.
func checkScaling(t *testing.T, b bundle) {
	settings := roleSettings(t, b)
	partitions, err := strconv.Atoi(settings["VIGIE_TOPIC_PARTITIONS"])
	require.NoError(t, err)
	for _, kt := range all[*kafkaTopic](b) {
		if kt.Spec.TopicName == settings["VIGIE_TOPIC_COMMENTS"] {
			partitions = kt.Spec.Partitions
		}
	}
	classifyDeploy := byName[*appsv1.Deployment](t, b, "Deployment", "vigie-classify")
	require.LessOrEqual(t, int(deref(classifyDeploy.Spec.Replicas, 1)), partitions, "classify replicas exceed the partitions of comments")
	for _, so := range all[*scaledObject](b) {
		require.Equal(t, "Deployment", so.Spec.ScaleTargetRef.Kind)
		require.Equal(t, "vigie-classify", so.Spec.ScaleTargetRef.Name)
		require.NotNil(t, so.Spec.MaxReplicaCount)
		max := int(*so.Spec.MaxReplicaCount)
		require.LessOrEqual(t, max, partitions, "KEDA may scale classify to %d replicas, comments has %d partitions", max, partitions)
		require.GreaterOrEqual(t, int(deref(so.Spec.MinReplicaCount, 0)), 2, "classify keeps two replicas for availability")
		require.Len(t, so.Spec.Triggers, 1)
		tr := so.Spec.Triggers[0]
		require.Equal(t, "kafka", tr.Type)
		require.Equal(t, settings["VIGIE_CLASSIFY_GROUP"], tr.Metadata["consumerGroup"])
		require.Equal(t, settings["VIGIE_TOPIC_COMMENTS"], tr.Metadata["topic"])
		require.Equal(t, "earliest", tr.Metadata["offsetResetPolicy"], "a new group starts at the earliest offset (kafka-go FirstOffset)")
		_, err := strconv.Atoi(tr.Metadata["lagThreshold"])
		require.NoError(t, err, "lagThreshold")
		// KEDA's operator runs in its own namespace: a short service name
		// would not resolve there.
		host, _, _ := strings.Cut(settings["VIGIE_KAFKA_BROKERS"], ":")
		want := fmt.Sprintf("%s.%s.svc:", host, so.Metadata.Namespace)
		require.True(t, strings.HasPrefix(tr.Metadata["bootstrapServers"], want), "KEDA dials %q, want %s…", tr.Metadata["bootstrapServers"], want)
	}
}

// pinnedTag matches a release tag such as v1.2.3.
var pinnedTag = regexp.MustCompile(`:v\d+\.\d+\.\d+$`)

// checkImages: prod pins Vigie's image to a release.
func checkImages(t *testing.T, b bundle) {
	for _, w := range workloads(b) {
		for _, c := range w.pod.Containers {
			require.Contains(t, c.Image, "/", "%s: the overlay must name the image's registry (images: name vigie)", w)
			require.NotContains(t, c.Image, ":latest", "%s: never :latest", w)
			if strings.HasSuffix(b.dir, "prod") && isVigie(c) {
				require.Regexp(t, pinnedTag, c.Image, "%s: prod runs a pinned release", w)
			}
		}
	}
}

// TestStrictDecodingRejectsUnknownFields proves the decoding the other tests
// rely on refuses a misspelt field, for a built-in kind and for a CRD.
func TestStrictDecodingRejectsUnknownFields(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ apiVersion, kind, json string }{
		{"apps/v1", "Deployment", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replica":2}}`},
		{"v1", "ConfigMap", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"b"},"data":{"a":"c"}}`},
		{"kafka.strimzi.io/v1", "KafkaTopic", `{"apiVersion":"kafka.strimzi.io/v1","kind":"KafkaTopic","metadata":{"name":"x"},"spec":{"partition":3}}`},
		{"keda.sh/v1alpha1", "ScaledObject", `{"apiVersion":"keda.sh/v1alpha1","kind":"ScaledObject","metadata":{"name":"x"},"spec":{"maxReplicas":3}}`},
	} {
		_, err := decode(c.apiVersion, c.kind, []byte(c.json))
		require.Error(t, err, "%s %s", c.kind, c.json)
	}
	_, err := decode("apps/v1", "Deployment", []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":2}}`))
	require.NoError(t, err)
}

// TestRuleFileMatchesTheBuiltIn keeps the rule file the manifests ship in
// step with the classifier's built-in rules, so a cluster decides as `vigie
// dev` and the tests do. After changing classify/rules/default.yaml, run
// `make k8s-rules`.
func TestRuleFileMatchesTheBuiltIn(t *testing.T) {
	t.Parallel()
	shipped, err := os.ReadFile("base/common/rules.yaml")
	require.NoError(t, err)
	require.True(t, string(shipped) == string(classify.DefaultRules()),
		"k8s/base/common/rules.yaml differs from classify/rules/default.yaml: run `make k8s-rules`")
}
