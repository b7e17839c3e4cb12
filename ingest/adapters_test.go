package ingest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/ingest"
)

func (e *env) akismet(path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	resp, body := e.do(e.url, path, "", "application/x-www-form-urlencoded", form.Encode())
	return resp, string(body)
}

// akismetForm is a comment-check request as Akismet's documentation
// describes it.
func akismetForm(key, content string) url.Values {
	return url.Values{
		"api_key": {key}, "blog": {"https://news.example.com"}, "user_ip": {"203.0.113.7"},
		"user_agent": {"Mozilla/5.0"}, "referrer": {"https://news.example.com/a"},
		"permalink": {"https://news.example.com/2026/03/reform"}, "comment_type": {"comment"},
		"comment_author": {"Marie"}, "comment_author_email": {"marie@example.com"},
		"comment_content": {content}, "comment_date_gmt": {"2026-03-01T10:00:00Z"},
		"blog_lang": {"fr_fr"}, "blog_charset": {"UTF-8"},
	}
}

func TestAkismetVerifyKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, body := e.akismet("/1.1/verify-key", url.Values{"api_key": {e.key}, "blog": {"https://news.example.com"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "valid", body)
	require.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	resp, body = e.akismet("/1.1/verify-key", url.Values{"key": {e.key}, "blog": {"https://news.example.com"}})
	require.Equal(t, "valid", body, "the pre-1.1 field name key is accepted")
	resp, body = e.akismet("/1.1/verify-key", url.Values{"api_key": {"0123456789ab"}, "blog": {"https://news.example.com"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "invalid", body)
	require.NotEmpty(t, resp.Header.Get("X-akismet-debug-help"))
}

func TestAkismetCommentCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, body := e.akismet("/1.1/comment-check", akismetForm(e.key, "Merci pour cet article"))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "false", body)
	require.Equal(t, "allow", resp.Header.Get(ingest.ActionHeader))
	guid := resp.Header.Get("X-akismet-guid")
	require.Regexp(t, `^ak_[0-9a-f]{32}$`, guid)

	resp, body = e.akismet("/1.1/comment-check", akismetForm(e.key, "Quel idiot"))
	require.Equal(t, "true", body, "a held comment is not published now")
	require.Empty(t, resp.Header.Get("X-akismet-pro-tip"), "only blatant spam is discarded")
	require.Equal(t, "review", resp.Header.Get(ingest.ActionHeader))

	resp, body = e.akismet("/1.1/comment-check", akismetForm(e.key, "Gagnez sur http://spam.example"))
	require.Equal(t, "true", body)
	require.Equal(t, "discard", resp.Header.Get("X-akismet-pro-tip"))
	require.EqualValues(t, 3, e.count(), "each checked comment is recorded")

	resp, body = e.akismet("/1.1/comment-check", akismetForm(e.key, "Merci pour cet article"))
	require.Equal(t, "false", body)
	require.Equal(t, guid, resp.Header.Get("X-akismet-guid"), "the same comment gets the same id")
	require.EqualValues(t, 3, e.count(), "a resubmission writes nothing")

	f := akismetForm(e.key, "anything")
	f.Set("comment_author", "akismet-guaranteed-spam")
	_, body = e.akismet("/1.1/comment-check", f)
	require.Equal(t, "true", body, "Akismet's documented test author is always spam")
	f = akismetForm(e.key, "Quel idiot, test")
	f.Set("is_test", "1")
	_, body = e.akismet("/1.1/comment-check", f)
	require.Equal(t, "true", body)
	require.EqualValues(t, 3, e.count(), "test requests are recorded nowhere")

	resp, body = e.akismet("/1.1/comment-check", akismetForm("vk_nobody_"+e.key[len(e.key)-48:], "Bonjour"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "invalid", body)
}

func TestAkismetCommentMapping(t *testing.T) {
	t.Parallel()
	f := akismetForm("k", "Texte\xe9 latin")
	f.Set("blog_charset", "ISO-8859-1")
	c, err := ingest.AkismetComment(f, "lemonde", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, "Texteé latin", c.Text, "text in the blog's charset is decoded")
	require.Equal(t, "fr", c.ThreadLang)
	require.Equal(t, "https://news.example.com/2026/03/reform", c.ThreadID)
	require.Equal(t, "Marie", c.Author.Name)
	require.Regexp(t, `^ak_[0-9a-f]{32}$`, c.Author.ID)
	require.NotContains(t, c.Author.IPHash, "203.0.113.7")
	require.Equal(t, "2026-03-01T10:00:00Z", c.CreatedAt.Format("2006-01-02T15:04:05Z07:00"))
	f.Set("comment_id", "wp-42")
	c, err = ingest.AkismetComment(f, "lemonde", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, "wp-42", c.ID, "the comment_id extension names the comment")
}

func TestAkismetFeedback(t *testing.T) {
	t.Parallel()
	sink := &feedbackRecorder{}
	e := newEnv(t, func(c *ingest.Config) { c.Feedback = sink })
	resp, _ := e.akismet("/1.1/comment-check", akismetForm(e.key, "Merci"))
	guid := resp.Header.Get("X-akismet-guid")
	for _, path := range []string{"/1.1/submit-spam", "/1.1/submit-ham"} {
		resp, body := e.akismet(path, akismetForm(e.key, "Merci"))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "Thanks for making the web a better place.", body)
	}
	require.Len(t, sink.got, 2)
	require.Equal(t, guid, sink.got[0].CommentID, "feedback names the checked comment")
	require.True(t, sink.got[0].Spam)
	require.False(t, sink.got[1].Spam)
	n, err := e.rdb.XLen(context.Background(), "vigie:{"+e.tenant+"}:ingest:feedback").Result()
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
}

type feedbackRecorder struct{ got []ingest.Feedback }

func (f *feedbackRecorder) PublisherFeedback(_ context.Context, fb ingest.Feedback) error {
	f.got = append(f.got, fb)
	return nil
}

// coralRequest is an external moderation request in the shape Coral's
// documentation publishes.
func coralRequest(body string) []byte {
	b, _ := json.Marshal(map[string]any{
		"action":   "NEW",
		"comment":  map[string]any{"body": body, "parentID": nil},
		"author":   map[string]any{"id": "baf4e943-3594-4fcc-b2ba-3e8de7a76352", "role": "COMMENTER"},
		"story":    map[string]any{"id": "245b3856-b0a0-4d2f-a6bb-58c71f18d6a6", "url": "http://localhost:1313/posts/a-story-url/"},
		"site":     map[string]any{"id": "a4bede88-2d2c-4424-bc18-4322a9e285a6"},
		"tenantID": "19ba5794-7eeb-4d46-a81b-c00c61672501", "tenantDomain": "localhost",
	})
	return b
}

func TestCoralExternalModerationPhase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const secret = "ems_0123456789abcdef0123456789abcdef"
	_, err := ingest.NewCoralSecrets(e.rdb).Add(context.Background(), e.tenant, secret)
	require.NoError(t, err)
	path := "/v1/adapters/coral/" + e.tenant
	send := func(body []byte, sig string) (*http.Response, []byte) {
		return e.do(e.url, path, "", "application/json", string(body), ingest.CoralSignatureHeader, sig)
	}

	benign := coralRequest("Here's a comment!")
	resp, body := send(benign, ingest.SignCoral(benign, secret))
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "no opinion: 204 without a body")
	require.Empty(t, body)

	toxic := coralRequest("What an idiot")
	resp, body = send(toxic, ingest.SignCoral(toxic, "ems_old_secret_not_registered", secret))
	require.Equal(t, http.StatusOK, resp.StatusCode, "one matching signature among several is enough: %s", body)
	require.JSONEq(t, `{"status":"SYSTEM_WITHHELD","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_TOXIC"}]}`, string(body))

	spam := coralRequest("Cheap pills at http://spam.example")
	resp, body = send(spam, ingest.SignCoral(spam, secret))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, `{"status":"REJECTED","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_SPAM"}]}`, string(body))
	require.EqualValues(t, 3, e.count())

	resp, _ = send(toxic, ingest.SignCoral(toxic, secret))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.EqualValues(t, 3, e.count(), "Coral sending the same request again writes nothing")

	resp, _ = send(toxic, ingest.SignCoral(toxic, "ems_wrong_wrong_wrong_wrong"))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, _ = send(toxic, "")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	tampered := coralRequest("What a nice comment")
	resp, _ = send(tampered, ingest.SignCoral(toxic, secret))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the signature covers the body")

	resp, _ = e.do(e.url, "/v1/adapters/coral/nosuchtenant", "", "application/json", string(benign), ingest.CoralSignatureHeader, ingest.SignCoral(benign, secret))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a tenant's secret does not open another tenant")
}

func TestCoralEditIsMarkedEdited(t *testing.T) {
	t.Parallel()
	var req ingest.CoralRequest
	require.NoError(t, json.Unmarshal(coralRequest("Edited text"), &req))
	req.Action = "EDIT"
	c, err := ingest.CoralComment(&req, "lemonde")
	require.NoError(t, err)
	require.True(t, c.Edited)
	require.Regexp(t, `^coral_[0-9a-f]{32}$`, c.ID)
	require.Equal(t, "245b3856-b0a0-4d2f-a6bb-58c71f18d6a6", c.ThreadID)
	req.Action = "DELETE"
	_, err = ingest.CoralComment(&req, "lemonde")
	require.Error(t, err)
}
