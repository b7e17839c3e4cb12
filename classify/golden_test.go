package classify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

func readGolden(t *testing.T, path string) []GoldenCase {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	cases, err := ReadGolden(path, f)
	require.NoError(t, err)
	return cases
}

// TestGolden runs the readable rule tables in testdata/golden: input
// comment, expected action, labels and matched spans.
func TestGolden(t *testing.T) {
	t.Parallel()
	e := sharedEngine(t)
	files, err := filepath.Glob("testdata/golden/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		for _, gc := range readGolden(t, path) {
			t.Run(fmt.Sprintf("%s:%d", gc.File, gc.Line), func(t *testing.T) {
				t.Parallel()
				c := &message.Comment{V: 1, ID: "g", Tenant: "golden", ThreadID: "t", ThreadLang: gc.Thread,
					Author: message.Author{ID: "a"}, Text: gc.Text, CreatedAt: time.Unix(0, 0)}
				v, err := e.Classify(context.Background(), c, DefaultPolicy())
				require.NoError(t, err)
				explain := fmt.Sprintf("text %q\nverdict scores %+v language %+v\nmatches %+v", gc.Text, v.Scores, v.Language, v.Matches)
				require.Equal(t, gc.Action, string(v.Action), explain)
				if gc.Labels != nil {
					if d := cmp.Diff(gc.Labels, v.Labels); d != "" {
						t.Fatalf("labels (-want +got):\n%s\n%s", d, explain)
					}
				}
				if gc.Lang != "" {
					require.Equal(t, gc.Lang, v.Language.Code, explain)
				}
				for _, sp := range gc.Spans {
					found := false
					for _, m := range v.Matches {
						if m.Rule == sp[0] && gc.Text[m.Start:m.End] == sp[1] {
							found = true
						}
					}
					require.True(t, found, "no %s match on %q\n%s", sp[0], sp[1], explain)
				}
			})
		}
	}
}
