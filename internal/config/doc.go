// Package config is Vigie's configuration: one struct for every role, filled
// from command-line flags with VIGIE_* environment variables as defaults, and
// validated at start with a message that names the bad setting. It owns
// parsing and validation; the roles read the values and nothing else.
package config
