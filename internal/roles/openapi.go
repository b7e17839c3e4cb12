package roles

import (
	"encoding/json"
	"net/http"
)

// mountOpenAPI serves /v1/openapi.json: the document of the one API this
// process serves, or, in dev mode, the documents merged (paths and
// component schemas side by side), since one listener serves them all.
func (rt *runtime) mountOpenAPI() {
	if len(rt.openapi) == 0 {
		return
	}
	doc := rt.openapi[0]
	if len(rt.openapi) > 1 {
		doc = mergeOpenAPI(rt.openapi)
	}
	rt.srv.Mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
}

func mergeOpenAPI(docs [][]byte) []byte {
	var out map[string]any
	for _, d := range docs {
		var m map[string]any
		if err := json.Unmarshal(d, &m); err != nil {
			continue
		}
		if out == nil {
			out = m
			continue
		}
		for _, section := range []string{"paths", "components"} {
			dst, _ := out[section].(map[string]any)
			src, _ := m[section].(map[string]any)
			if dst == nil {
				out[section] = src
				continue
			}
			for k, v := range src {
				if section == "components" {
					if dm, ok := dst[k].(map[string]any); ok {
						if sm, ok := v.(map[string]any); ok {
							for kk, vv := range sm {
								dm[kk] = vv
							}
							continue
						}
					}
				}
				dst[k] = v
			}
		}
	}
	b, _ := json.Marshal(out)
	return b
}
