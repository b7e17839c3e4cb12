package k8s

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// overlays are the deployable kustomizations; every one must build and pass
// every check.
var overlays = []string{"overlays/dev", "overlays/prod"}

// bundle is one kustomization's build output, decoded.
type bundle struct {
	dir     string
	objects []object
}

// object is one built resource: its kind, name and namespace, the raw JSON,
// and the decoded value (a k8s.io/api type or one of the CRD structs below).
type object struct {
	kind, name, namespace string
	raw                   []byte
	value                 any
}

func (o object) String() string { return fmt.Sprintf("%s/%s", o.kind, o.name) }

// scheme knows the built-in kinds the manifests may use; anything else must
// be one of the CRD kinds below.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme,
		autoscalingv2.AddToScheme, networkingv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

// strict decodes built-in kinds and fails on unknown or duplicate fields.
var strict = serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()

// build runs kustomize on dir (relative to this package) the way
// `kustomize build` does, with the default load restrictions, and decodes
// every object strictly.
func build(t *testing.T, dir string) bundle {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	rm, err := k.Run(filesys.MakeFsOnDisk(), abs)
	require.NoError(t, err, "kustomize build %s", dir)
	b := bundle{dir: dir}
	for _, r := range rm.Resources() {
		raw, err := r.MarshalJSON()
		require.NoError(t, err)
		o := object{kind: r.GetKind(), name: r.GetName(), namespace: r.GetNamespace(), raw: raw}
		o.value, err = decode(r.GetApiVersion(), o.kind, raw)
		require.NoError(t, err, "%s: %s", dir, o)
		b.objects = append(b.objects, o)
	}
	return b
}

// decode turns raw into its typed value, refusing unknown fields.
func decode(apiVersion, kind string, raw []byte) (any, error) {
	if newCRD, ok := crdKinds[apiVersion+"/"+kind]; ok {
		v := newCRD()
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return nil, fmt.Errorf("strict decode of %s %s: %w", apiVersion, kind, err)
		}
		return v, nil
	}
	obj, gvk, err := strict.Decode(raw, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("strict decode of %s %s: %w", apiVersion, kind, err)
	}
	if gvk.Kind != kind {
		return nil, fmt.Errorf("decoded %s as %s", kind, gvk.Kind)
	}
	return obj, nil
}

// all returns the objects of type T, each with its object.
func all[T any](b bundle) []T {
	var out []T
	for _, o := range b.objects {
		if v, ok := o.value.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// byName returns the object of type T named name.
func byName[T any](t *testing.T, b bundle, kind, name string) T {
	t.Helper()
	for _, o := range b.objects {
		if o.kind == kind && o.name == name {
			return o.value.(T)
		}
	}
	var zero T
	t.Fatalf("%s: no %s named %q", b.dir, kind, name)
	return zero
}

func (b bundle) has(kind, name string) bool {
	for _, o := range b.objects {
		if o.kind == kind && o.name == name {
			return true
		}
	}
	return false
}

// workload is a pod template with the object that owns it.
type workload struct {
	kind, name string
	replicas   int32
	labels     map[string]string
	pod        corev1.PodSpec
}

func (w workload) String() string { return w.kind + "/" + w.name }

// role is the vigie subcommand a workload runs, or "" for other images.
func (w workload) role() string {
	for _, c := range w.pod.Containers {
		if isVigie(c) && len(c.Args) > 0 {
			return c.Args[0]
		}
	}
	return ""
}

func isVigie(c corev1.Container) bool {
	return strings.Contains(c.Image, "/vigie:") || c.Image == "vigie"
}

func workloads(b bundle) []workload {
	var out []workload
	for _, d := range all[*appsv1.Deployment](b) {
		out = append(out, workload{"Deployment", d.Name, deref(d.Spec.Replicas, 1), d.Spec.Template.Labels, d.Spec.Template.Spec})
	}
	for _, s := range all[*appsv1.StatefulSet](b) {
		out = append(out, workload{"StatefulSet", s.Name, deref(s.Spec.Replicas, 1), s.Spec.Template.Labels, s.Spec.Template.Spec})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// selects reports whether a label selector of matchLabels only (the only
// form the manifests use) selects labels.
func selects(match map[string]string, labels map[string]string) bool {
	if len(match) == 0 {
		return true
	}
	for k, v := range match {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// env resolves a container's environment as the kubelet would for the
// variables Vigie reads: ConfigMaps from envFrom, then literal env values.
// A variable taken from a Secret maps to "secret:NAME/KEY".
func env(t *testing.T, b bundle, c corev1.Container) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, from := range c.EnvFrom {
		require.NotNil(t, from.ConfigMapRef, "container %s: envFrom only from ConfigMaps (secrets go through secretKeyRef, one key each)", c.Name)
		cm := byName[*corev1.ConfigMap](t, b, "ConfigMap", from.ConfigMapRef.Name)
		for k, v := range cm.Data {
			out[k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			out[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			out[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		case e.ValueFrom.ResourceFieldRef != nil:
			out[e.Name] = "resource:" + e.ValueFrom.ResourceFieldRef.Resource
		default:
			t.Fatalf("container %s: env %s comes from an unexpected source", c.Name, e.Name)
		}
	}
	return out
}
