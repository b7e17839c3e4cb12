package ingest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/message"
)

func TestNudgeEveryLanguageAndReason(t *testing.T) {
	t.Parallel()
	labels := map[string][]string{
		ingest.ReasonAttack:   {"troll", "targeted", "insult"},
		ingest.ReasonSpam:     {"spam", "shortener", "link"},
		ingest.ReasonShouting: {"spam", "shouting"},
		ingest.ReasonOther:    {},
	}
	seen := map[string]bool{}
	for _, lang := range ingest.NudgeLanguages {
		for reason, ls := range labels {
			for _, action := range []message.Action{message.ActionReview, message.ActionReject} {
				v := message.Verdict{Action: action, Labels: ls, Language: message.Language{Code: lang}}
				n := ingest.NudgeFor(&v, "")
				require.NotNil(t, n)
				require.Equal(t, reason, n.Reason, "labels %v", ls)
				require.Equal(t, lang, n.Language)
				require.LessOrEqual(t, len([]rune(n.Message)), 220, "a nudge is short: %q", n.Message)
				require.False(t, seen[n.Message], "every message is its own: %q", n.Message)
				seen[n.Message] = true
			}
		}
	}
}

func TestNudgeLanguageFallback(t *testing.T) {
	t.Parallel()
	v := message.Verdict{Action: message.ActionReview, Labels: []string{"troll"}, Language: message.Language{Code: "pl"}}
	require.Equal(t, "it", ingest.NudgeFor(&v, "it").Language, "a language without nudges falls back on the thread's")
	require.Equal(t, "en", ingest.NudgeFor(&v, "").Language)
	v.Action = message.ActionAllow
	require.Nil(t, ingest.NudgeFor(&v, "fr"))
}

func TestNudgeStrongestLabelWins(t *testing.T) {
	t.Parallel()
	v := message.Verdict{Action: message.ActionReject, Labels: []string{"troll", "spam", "shouting", "insult"}, Language: message.Language{Code: "de"}}
	n := ingest.NudgeFor(&v, "")
	require.Equal(t, ingest.ReasonShouting, n.Reason, "the first rule label, not the category, picks the reason")
	require.True(t, strings.HasPrefix(n.Message, "Ihr Kommentar kann so nicht"))
}
