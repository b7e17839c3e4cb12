package config

import (
	"flag"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func load(t *testing.T, args ...string) (Config, error) {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := c.Bind(fs); err != nil {
		return c, err
	}
	return c, fs.Parse(args)
}

func TestPrecedenceFlagOverEnvOverDefault(t *testing.T) {
	t.Setenv("VIGIE_LISTEN", "127.0.0.1:9999")
	t.Setenv("VIGIE_LANGUAGES", "fr, en")
	c, err := load(t)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:9999", c.Listen)
	require.Equal(t, []string{"fr", "en"}, c.Languages)
	require.Equal(t, "comments", c.Topics.Comments)

	c, err = load(t, "--listen", "127.0.0.1:7000")
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:7000", c.Listen)
}

func TestBadEnvironmentNamesVariable(t *testing.T) {
	t.Setenv("VIGIE_TOPIC_PARTITIONS", "many")
	_, err := load(t)
	require.ErrorContains(t, err, "VIGIE_TOPIC_PARTITIONS")
}

func TestValidateNamesEachBadSetting(t *testing.T) {
	c, err := load(t, "--listen", "nowhere", "--kafka-brokers", "k1", "--languages", "French",
		"--publisher-keys", "acme:site:short", "--rate-limit", "0")
	require.NoError(t, err)
	err = c.Validate(RoleIngest)
	require.Error(t, err)
	for _, want := range []string{"VIGIE_LISTEN", "VIGIE_KAFKA_BROKERS", "VIGIE_LANGUAGES", "VIGIE_PUBLISHER_KEYS", "VIGIE_REDIS_ADDR", "VIGIE_RATE_LIMIT"} {
		require.ErrorContains(t, err, want)
	}
}

func TestRolesNeedTheirServices(t *testing.T) {
	c, err := load(t)
	require.NoError(t, err)
	require.NoError(t, c.Validate(RoleDev), "dev runs with embedded services")
	err = c.Validate(RoleClassify)
	require.ErrorContains(t, err, "VIGIE_KAFKA_BROKERS")
	require.ErrorContains(t, err, "VIGIE_REDIS_ADDR")
}

// TestReadmeDocumentsEverySetting keeps the README's configuration table in
// step with the settings.
func TestReadmeDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, row := range Doc() {
		require.Contains(t, string(readme), "| `"+row[1]+"` | `"+row[0]+"` |", "README.md lacks a row for %s", row[1])
	}
}
