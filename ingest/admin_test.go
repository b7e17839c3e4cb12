package ingest_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

func TestAdminKeysAndCoralSecrets(t *testing.T) {
	t.Parallel()
	rdb := testenv.Redis(t)
	tenant := testenv.Name("adm")
	ctx := context.Background()
	run := func(stdin string, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		require.NoError(t, ingest.Admin(ctx, rdb, args, strings.NewReader(stdin), &out))
		return out.String()
	}
	keyRE := regexp.MustCompile(`vk_[a-z0-9_-]+_[0-9a-f]{48}`)
	idRE := regexp.MustCompile(`key id ([0-9a-f]{16})`)

	out := run("", "keys", "create", tenant, "site", "--rate", "5", "--burst", "10")
	first := keyRE.FindString(out)
	require.NotEmpty(t, first, out)
	id := idRE.FindStringSubmatch(out)[1]
	keys := ingest.NewKeys(rdb, nil)
	k, err := keys.Get(ctx, tenant, id)
	require.NoError(t, err)
	require.Equal(t, ingest.RateLimit{Rate: 5, Burst: 10}, k.Limit)

	out = run("", "keys", "rotate", tenant, id)
	second := keyRE.FindString(out)
	require.NotEmpty(t, second, out)
	require.Contains(t, out, "keeps working until you revoke it")
	out = run("", "keys", "list", tenant)
	require.Equal(t, 3, strings.Count(out, "\n"), "header and two keys: %s", out)
	require.Contains(t, out, id)
	run("", "keys", "revoke", tenant, id)
	_, err = keys.Authenticate(ctx, first)
	require.Error(t, err)
	_, err = keys.Authenticate(ctx, second)
	require.NoError(t, err)

	out = run("ems_secret_from_stdin_0123456789\n", "coral", "add-secret", tenant)
	require.Contains(t, out, "registered")
	require.Equal(t, 1, len(strings.Fields(run("", "coral", "list", tenant))))

	var sink bytes.Buffer
	err = ingest.Admin(ctx, rdb, []string{"keys", "create", tenant}, nil, &sink)
	require.ErrorContains(t, err, "takes 2 argument(s)")
	err = ingest.Admin(ctx, rdb, []string{"keys", "revoke", tenant, "0000000000000000"}, nil, &sink)
	require.ErrorIs(t, err, ingest.ErrKeyNotFound)
}
