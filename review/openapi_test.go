package review

import (
	"bufio"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(OpenAPI(), &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."))
	api, err := NewAPI(APIConfig{Store: NewStore(nil, StoreOptions{})})
	require.NoError(t, err)
	routes := api.Routes()
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			require.NotEmpty(t, op["responses"], "%s %s", method, path)
		}
	}
	sort.Strings(routes)
	sort.Strings(documented)
	require.Equal(t, routes, documented)
}

func TestQueueEventsStream(t *testing.T) {
	t.Parallel()
	b := setup(t)
	req, err := http.NewRequest("GET", b.srv.URL+"/v1/queue/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+b.tokens[RoleModerator])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	require.Equal(t, ": connected", <-lines)

	b.admit(b.comment("c1", "alice", message.ActionReview))
	b.doJSON("POST", itemPath("c1", "/decision"), b.tokens[RoleModerator], map[string]any{"decision": "approve"}, http.StatusOK, nil)
	var events []string
	var data []map[string]string
	deadline := time.After(10 * time.Second)
	for len(data) < 2 {
		select {
		case l := <-lines:
			if e, ok := strings.CutPrefix(l, "event: "); ok {
				events = append(events, e)
			}
			if d, ok := strings.CutPrefix(l, "data: "); ok {
				var m map[string]string
				require.NoError(t, json.Unmarshal([]byte(d), &m))
				data = append(data, m)
			}
		case <-deadline:
			t.Fatalf("events so far: %v", events)
		}
	}
	require.Equal(t, []string{"admitted", "decided"}, events)
	require.Equal(t, map[string]string{"type": "admitted", "comment_id": "c1", "status": "pending"}, data[0],
		"an admission names no moderator")
	require.Equal(t, map[string]string{"type": "decided", "comment_id": "c1", "status": "approved", "moderator": "mod"}, data[1],
		"a decision names who made it")
}
