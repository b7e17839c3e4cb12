package ui_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestSpansUseUTF8ByteOffsets runs spans.js in chromium: verdict matches
// carry UTF-8 byte offsets, and the highlighted text must be exactly the
// matched words even after accents, French quotes and emoji, with
// overlapping matches and offsets that fall inside a character.
func TestSpansUseUTF8ByteOffsets(t *testing.T) {
	t.Parallel()
	b := newBrowser(t, 2*time.Minute)
	srv := newServer(t)
	text := "Le maire l'a traité de « menteur » 😡 — quel abruti, franchement ! Écrivez à spam@exemple.fr 👍🏽"
	span := func(word string) [2]int {
		i := strings.Index(text, word)
		require.GreaterOrEqual(t, i, 0, word)
		return [2]int{i, i + len(word)}
	}
	type match struct {
		Start int `json:"start"`
		End   int `json:"end"`
	}
	words := []string{"menteur", "abruti", "quel abruti", "Écrivez", "spam@exemple.fr", "👍🏽"}
	var ms []match
	for _, w := range words {
		s := span(w)
		ms = append(ms, match{s[0], s[1]})
	}
	// Offsets inside a character snap outwards: one byte into "é" of
	// "traité" starts at "é"; one byte before the end of "😡" ends after it.
	e := span("é de")
	emoji := span("😡")
	ms = append(ms, match{e[0] + 1, e[0] + 2}, match{emoji[0], emoji[1] - 1}, match{0, 0}, match{len(text) - 2, len(text) + 40})
	raw, err := json.Marshal(ms)
	require.NoError(t, err)

	b.do("opening the UI", chromedp.Navigate(srv.URL+"/login"))
	type result struct {
		Joined  string
		Matched []string
		Covered []string
	}
	got := eval[result](b, `import('/ui/js/spans.js').then((m) => {
		const text = `+jsString(text)+`;
		const ms = `+string(raw)+`;
		const segs = m.segments(text, ms);
		const covered = ms.map((_, i) => segs.filter((s) => s.matches.includes(i)).map((s) => s.text).join(''));
		return {Joined: segs.map((s) => s.text).join(''), Matched: ms.map((x) => m.matchedText(text, x)), Covered: covered};
	})`)
	require.Equal(t, text, got.Joined, "segments must rebuild the text")
	want := append(append([]string{}, words...), "é", "😡", "", "🏽")
	require.Equal(t, want, got.Matched)
	require.Equal(t, want, got.Covered)
	b.noProblems()
}
