package classify

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
)

// goldenCase is one block of a testdata/golden/*.txt file.
type goldenCase struct {
	file   string
	line   int
	text   string
	thread string
	action string
	labels []string
	spans  [][2]string // rule, original text
	lang   string
}

func readGolden(t *testing.T, path string) []goldenCase {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []goldenCase
	var cur *goldenCase
	sc := bufio.NewScanner(f)
	ln := 0
	for sc.Scan() {
		ln++
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "":
			continue
		case strings.HasPrefix(l, "> "):
			out = append(out, goldenCase{file: filepath.Base(path), line: ln, text: l[2:]})
			cur = &out[len(out)-1]
			continue
		}
		require.NotNil(t, cur, "%s:%d: directive before the first \"> text\" line", path, ln)
		key, val, _ := strings.Cut(l, " ")
		switch key {
		case "thread":
			cur.thread = val
		case "action":
			cur.action = val
		case "lang":
			cur.lang = val
		case "labels":
			cur.labels = []string{}
			if val != "-" {
				for _, s := range strings.Split(val, ",") {
					cur.labels = append(cur.labels, strings.TrimSpace(s))
				}
			}
		case "span":
			rule, quoted, ok := strings.Cut(val, " ")
			require.True(t, ok && len(quoted) >= 2 && quoted[0] == '"' && quoted[len(quoted)-1] == '"',
				"%s:%d: want span RULE \"text\"", path, ln)
			cur.spans = append(cur.spans, [2]string{rule, quoted[1 : len(quoted)-1]})
		default:
			t.Fatalf("%s:%d: unknown directive %q", path, ln, key)
		}
	}
	require.NoError(t, sc.Err())
	return out
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
			t.Run(fmt.Sprintf("%s:%d", gc.file, gc.line), func(t *testing.T) {
				t.Parallel()
				c := &message.Comment{V: 1, ID: "g", Tenant: "golden", ThreadID: "t", ThreadLang: gc.thread,
					Author: message.Author{ID: "a"}, Text: gc.text, CreatedAt: time.Unix(0, 0)}
				v, err := e.Classify(context.Background(), c, DefaultPolicy())
				require.NoError(t, err)
				explain := fmt.Sprintf("text %q\nverdict scores %+v language %+v\nmatches %+v", gc.text, v.Scores, v.Language, v.Matches)
				require.Equal(t, gc.action, string(v.Action), explain)
				if gc.labels != nil {
					if d := cmp.Diff(gc.labels, v.Labels); d != "" {
						t.Fatalf("labels (-want +got):\n%s\n%s", d, explain)
					}
				}
				if gc.lang != "" {
					require.Equal(t, gc.lang, v.Language.Code, explain)
				}
				for _, sp := range gc.spans {
					found := false
					for _, m := range v.Matches {
						if m.Rule == sp[0] && gc.text[m.Start:m.End] == sp[1] {
							found = true
						}
					}
					require.True(t, found, "no %s match on %q\n%s", sp[0], sp[1], explain)
				}
			})
		}
	}
}
